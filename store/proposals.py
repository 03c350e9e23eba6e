"""Edits people make to hiyoko's own columns (Status, Owner, Timing) in the sheet or the Slack
List become proposals: hiyoko puts its own value back at the next sync and asks in the signal's
thread whether to make the change; someone with rights on the signal confirms (the normal action
runs) or discards it.

The text is read back as hiyoko writes it (sheets/sync.py `to_row`): a status label in either
language, an owner as a user id, an e-mail or a name the user directory knows, a timing as an ISO
date or anything models.timing reads. Unreadable text, or a value equal to the current state,
proposes nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from i18n import t
from models.accounts import person_key
from models.clock import Clock
from models.permissions import may_change
from models.signal import SignalRecord, Status
from models.timing import Unreadable, parse_timing
from models.words import squash
from store.db import Database
from store.outbox import Target, enqueue
from store.signals import to_record
from store.tables import EventRow, ProposalRow, SignalRow, UserRow

PROPOSAL_EVENT = "sheet_proposal"
FIELDS = ("status", "owner", "timing")
PENDING, CONFIRMED, DISCARDED = "pending", "confirmed", "discarded"
# What else people type for a status: the labels older sheets used.
_STATUS_ALIASES = {"見送り": Status.DROPPED, "見送": Status.DROPPED, "drop": Status.DROPPED, "win": Status.WON}
_USER_ID = re.compile(r"^<?@?([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?$")


def read_status(text: str) -> Status | None:
    """A status label in Japanese or English (width and case aside), or the History tab's
    "🐣 ひよこ / 受注" form; None when it is none of them."""
    words = text.split("/")[-1]
    key = squash(words)
    if not key:
        return None
    for status in Status:
        if key in {squash(t(f"status.{status.value}", lang)) for lang in ("ja", "en")} | {squash(status.value)}:
            return status
    for alias, status in _STATUS_ALIASES.items():
        if key == squash(alias):
            return status
    return None


def read_owner(session: Session, text: str) -> str | None:
    """A user id (U…, <@U…>), an e-mail, or a display or real name the directory knows once."""
    text = text.strip()
    if not text:
        return None
    matched = _USER_ID.match(text)
    if matched:
        return matched[1]
    if "@" in text.strip("@") and "." in text:
        rows = list(session.scalars(select(UserRow).where(UserRow.email != "")))
        found = {row.user_id for row in rows if row.email.casefold() == text.casefold() and not row.deleted}
        return found.pop() if len(found) == 1 else None
    key = person_key(text)
    rows = list(session.scalars(select(UserRow).where(UserRow.deleted.is_(False))))
    found = {row.user_id for row in rows if key in {person_key(row.name), person_key(row.real_name)} - {""}}
    return found.pop() if len(found) == 1 else None


def read_timing(text: str, today: date) -> date | None:
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        timing = parse_timing(text, today)
    except Unreadable:
        return None
    return timing.day if timing else None


def _read(session: Session, row: SignalRow, field: str, text: str, today: date) -> str | None:
    """The proposed value as stored (a status, a user id, an ISO date), or None when the text is
    unreadable, equal to the current state, or no single action makes it so."""
    if field == "status":
        status = read_status(text)
        if status is None or status.value == row.status:
            return None
        if row.status != Status.OPEN.value and status is not Status.OPEN:
            return None  # closed to another close: two actions, not one proposal
        return status.value
    if field == "owner":
        owner = read_owner(session, text)
        if owner is None or owner == row.owner_id or row.status != Status.OPEN.value:
            return None
        return owner
    if field == "timing":
        day = read_timing(text, today)
        if day is None or row.status != Status.OPEN.value or day == row.timing or day < today:
            return None
        return day.isoformat()
    return None


def propose(session: Session, *, number: int, source: str, field: str, text: str, now: datetime) -> bool:
    """Record a person's edit of hiyoko's `field` as a proposal, with its `sheet_proposal` event,
    the thread line that asks, the History row and the sheet row put back, in the caller's
    transaction. A newer proposal for the same field discards the pending one. False when there
    is nothing to propose (unreadable, the current value, no such signal)."""
    row = session.get(SignalRow, number)
    if row is None or field not in FIELDS:
        return False
    value = _read(session, row, field, text, now.date())
    if value is None:
        return False
    waiting = session.scalars(
        select(ProposalRow.value).where(
            ProposalRow.signal_number == number, ProposalRow.field == field, ProposalRow.state == PENDING
        )
    ).all()
    if value in waiting:
        return False  # the same edit seen again: already asked
    session.execute(
        update(ProposalRow)
        .where(ProposalRow.signal_number == number, ProposalRow.field == field, ProposalRow.state == PENDING)
        .values(state=DISCARDED, decided_at=now)
    )
    proposal = ProposalRow(signal_number=number, source=source, field=field, value=value, state=PENDING, created_at=now)
    session.add(proposal)
    session.flush()
    detail = {"field": field, "value": value, "source": source, "proposal": str(proposal.id)}
    event = EventRow(
        signal_number=number,
        action=PROPOSAL_EVENT,
        actor_id="",
        actor_name=source,
        at=now,
        note=text.strip()[:500],
        detail=json.dumps(detail, ensure_ascii=False),
    )
    session.add(event)
    session.flush()
    # hiyoko's own value goes back where the person typed it (a list edit: the list item too).
    enqueue(session, number, [Target.SYNC_SHEET, *([Target.SYNC_LIST] if source == "list" else [])], now)
    enqueue(session, number, [Target.THREAD_LINE, Target.SYNC_HISTORY], now, event_id=event.id)
    return True


@dataclass(frozen=True)
class Proposal:
    id: int
    signal_number: int
    source: str
    field: str
    value: str
    state: str
    decided_by: str | None


def _proposal(row: ProposalRow) -> Proposal:
    return Proposal(row.id, row.signal_number, row.source, row.field, row.value, row.state, row.decided_by)


@dataclass(frozen=True)
class Decision:
    outcome: str  # "decided" | "already" (someone decided first) | "denied" | "not_found"
    proposal: Proposal | None = None
    signal: SignalRecord | None = None


class ProposalStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def get(self, proposal_id: int) -> Proposal | None:
        with self.db.read() as session:
            row = session.get(ProposalRow, proposal_id)
            return _proposal(row) if row else None

    def pending(self, number: int) -> list[Proposal]:
        with self.db.read() as session:
            rows = session.scalars(
                select(ProposalRow)
                .where(ProposalRow.signal_number == number, ProposalRow.state == PENDING)
                .order_by(ProposalRow.id)
            )
            return [_proposal(row) for row in rows]

    def decide(self, proposal_id: int, actor_id: str, confirm: bool, managers: frozenset[str]) -> Decision:
        """Mark a pending proposal confirmed or discarded by `actor_id`, who must have rights on
        its signal (checked under the signal's lock); once only, whoever clicks second is told."""
        now = self.clock.now()
        with self.db.transaction() as session:
            row = session.get(ProposalRow, proposal_id)
            if row is None:
                return Decision("not_found")
            signal = session.get(SignalRow, row.signal_number, with_for_update=True)
            if signal is None:
                return Decision("not_found")
            record = to_record(signal)
            if row.state != PENDING:
                return Decision("already", _proposal(row), record)
            if not may_change(actor_id, owner_id=signal.owner_id, submitter_id=signal.submitter_id, managers=managers):
                return Decision("denied", _proposal(row), record)
            done = session.execute(
                update(ProposalRow)
                .where(ProposalRow.id == proposal_id, ProposalRow.state == PENDING)
                .values(state=CONFIRMED if confirm else DISCARDED, decided_by=actor_id, decided_at=now)
            )
            session.flush()
            session.refresh(row)
            if getattr(done, "rowcount", 1) == 0:
                return Decision("already", _proposal(row), record)
            return Decision("decided", _proposal(row), record)

    def undo(self, proposal_id: int) -> None:
        """The confirmed action was refused (the signal moved on): the proposal waits again."""
        with self.db.transaction() as session:
            session.execute(
                update(ProposalRow)
                .where(ProposalRow.id == proposal_id, ProposalRow.state == CONFIRMED)
                .values(state=PENDING, decided_by=None, decided_at=None)
            )
