"""The CRM hand-off's database side (issue 15): what a deal is built from, what the CRM answered,
and the changes the CRM tells back — each heard once, applied through the normal lifecycle.

Loops are impossible by two marks. A change that came from the CRM is made by the actor
`models.crm.CRM_ACTOR`, which owes the CRM nothing (models.crm.owed_on_change). And
`signals.crm_outcome` is the outcome last agreed with the CRM (what the relay sent, or what the
CRM said), written in the transaction of the change: the relay sends only an outcome that differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from i18n import t
from models.clock import Clock
from models.crm import CRM_ACTOR, Outcome, outcome_of
from models.lifecycle import Refused
from models.signal import SignalRecord, Status, parse_signal_id
from store.accounts import account_for
from store.db import Database
from store.outbox import State, Target, enqueue, pending
from store.signals import (
    ChangeRequest,
    LifecycleChange,
    Lose,
    NotFound,
    Reopen,
    SignalStore,
    Win,
    add_side_event,
    to_record,
)
from store.tables import CrmCursorRow, CrmEventRow, OutboxRow, SignalRow, UserRow

CRM_DEAL_EVENT = "crm_deal"  # the side event (and thread line) of a deal made for a signal


@dataclass(frozen=True)
class DealSource:
    """A signal with what the relay needs to hand it to the CRM."""

    signal: SignalRecord
    crm_id: str | None
    crm_outcome: str | None  # last agreed with the CRM; None before the deal exists
    owner_email: str | None  # from the user directory
    company_crm_id: str | None  # the Accounts row's CRM ID
    card_coming: bool = False  # no permalink yet, but the card is on its way (a POST_CARD row waits)

    @property
    def outcome(self) -> Outcome:
        """The stage the signal stands for now."""
        return outcome_of(self.signal.status)


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _remember(session: Session, key: str, now: datetime) -> bool:
    """Record a CRM change's key; False when it was already heard (another replica, a retry)."""
    statement = _insert(session)(CrmEventRow).values(key=key[:200], at=now)
    result = session.execute(statement.on_conflict_do_nothing(index_elements=[CrmEventRow.key]))
    return bool(result.rowcount)  # type: ignore[attr-defined]


class CrmStore:
    """Signals ↔ deals: one CRM (its name as people see it: "HubSpot", "Salesforce")."""

    def __init__(self, db: Database, clock: Clock, signals: SignalStore, crm_name: str, lang: str) -> None:
        self.db = db
        self.clock = clock
        self.signals = signals
        self.crm_name = crm_name
        self.lang = lang

    # --- to the CRM (the relay) ------------------------------------------------------------

    def source(self, number: int) -> DealSource | None:
        """The signal and what its deal is built from, or None when there is no such signal."""
        with self.db.read() as session:
            row = session.get(SignalRow, number)
            if row is None:
                return None
            owner = session.get(UserRow, row.owner_id)
            account = account_for(session, row.customer)
            card_coming = not row.card_permalink and pending(session, number, Target.POST_CARD)
            return DealSource(
                to_record(row),
                row.crm_id or None,
                row.crm_outcome,
                (owner.email or None) if owner else None,
                (account.crm_id or None) if account else None,
                card_coming,
            )

    def record_deal(
        self, number: int, crm_id: str, url: str, outcome: Outcome, *, company_found: bool, owner_found: bool
    ) -> bool:
        """The CRM holds the signal's deal: keep its id, page and stage on the signal. The first
        time, a `crm_deal` event with its thread line and History row, and the card redrawn with
        its link. Returns True when this was the first time."""
        now = self.clock.now()
        with self.db.transaction() as session:
            row = session.get(SignalRow, number, with_for_update=True)
            if row is None:
                raise NotFound(number)
            first = row.crm_id != crm_id
            row.crm_id, row.crm_url, row.crm_outcome = crm_id, url, outcome
            if not first:
                return False
            detail = {
                "crm": self.crm_name,
                "crm_id": crm_id,
                "customer": row.customer,
                "company_found": "1" if company_found else "0",
                "owner_found": "1" if owner_found else "0",
            }
            event = add_side_event(session, row, CRM_DEAL_EVENT, now, detail=detail, actor_id=CRM_ACTOR)
            event.actor_name = self.crm_name
            enqueue(session, number, [Target.THREAD_LINE, Target.SYNC_HISTORY], now, event_id=event.id)
            enqueue(session, number, [Target.POST_CARD], now)  # the "Open in …" button
            return True

    def record_outcome(self, number: int, outcome: Outcome) -> None:
        """The CRM's deal is now in this stage (the relay moved it)."""
        with self.db.transaction() as session:
            session.execute(update(SignalRow).where(SignalRow.number == number).values(crm_outcome=outcome))

    # --- from the CRM (webhook, poll) ------------------------------------------------------

    def apply(self, key: str, crm_id: str, signal_id: str | None, outcome: Outcome, at: datetime | None = None) -> str:
        """One change the CRM told: won/lost/reopened, made in the CRM `at`. Heard once by `key`.
        Changes nothing: a deal we do not know; a signal that already stands for this outcome; a
        change older than the signal's last change in Slack, or the outcome last agreed with the
        CRM (see below). Otherwise the normal lifecycle change, by the CRM, with `crm_outcome`
        recorded in its transaction (so nothing goes back). Returns what happened: "applied",
        "seen", "unknown", "matching", "stale" — or "later": a deal we do not know while a
        hand-off is under way, whose id may be about to be recorded (not marked heard; the
        webhook asks HubSpot to send it again)."""
        now = self.clock.now()
        with self.db.read() as session:
            if session.get(CrmEventRow, key[:200]) is not None:
                return "seen"
            row = self._deal_signal(session, crm_id, signal_id)
            number, status = (row.number, Status(row.status)) if row else (None, None)
            # Not news from the CRM: a change older than the signal's last change in Slack (a late
            # echo of what hiyoko told it), or the outcome last agreed with it while the signal has
            # moved on in Slack (Salesforce reports any edit; the newer state is on its way there).
            stale = row is not None and (
                (at is not None and at < row.updated_at) or (row.crm_outcome == outcome and row.crm_outcome is not None)
            )
        if number is None or status is None:
            if self._deal_in_the_making():
                return "later"  # perhaps the deal whose id is about to be recorded: not marked heard
            self._agree(key, None, None, now)
            return "unknown"
        if outcome_of(status) == outcome:
            self._agree(key, number, outcome, now)
            return "matching"
        if stale:
            self._agree(key, None, None, now)
            return "stale"
        steps: list[LifecycleChange] = []
        if status is not Status.OPEN:
            steps.append(Reopen())
        if outcome == "won":
            steps.append(Win())
        elif outcome == "lost":
            steps.append(Lose(t("crm.lost_reason", self.lang, crm=self.crm_name)))

        def agreed(session: Session, row: SignalRow) -> None:
            row.crm_outcome = outcome
            _remember(session, key, now)

        try:
            for index, step in enumerate(steps):
                self.signals.change(
                    number,
                    ChangeRequest(step, CRM_ACTOR, self.crm_name),
                    managers=frozenset({CRM_ACTOR}),
                    today=now.date(),
                    within=agreed if index == len(steps) - 1 else None,
                )
        except Refused:  # someone (a retry on another replica, a person) got there first
            self._agree(key, None, None, now)
            return "seen"
        return "applied"

    def _agree(self, key: str, number: int | None, outcome: Outcome | None, now: datetime) -> None:
        with self.db.transaction() as session:
            _remember(session, key, now)
            if number is not None and outcome is not None:
                session.execute(update(SignalRow).where(SignalRow.number == number).values(crm_outcome=outcome))

    def _deal_in_the_making(self) -> bool:
        """Is a signal without a deal id waiting for its CRM_DEAL row (a deal maybe just made)?"""
        with self.db.read() as session:
            waiting = (
                select(OutboxRow.id)
                .join(SignalRow, SignalRow.number == OutboxRow.signal_number)
                .where(
                    OutboxRow.target == Target.CRM_DEAL.value,
                    OutboxRow.state == State.PENDING.value,
                    SignalRow.crm_id.is_(None),
                )
                .limit(1)
            )
            return session.scalar(waiting) is not None

    @staticmethod
    def _deal_signal(session: Session, crm_id: str, signal_id: str | None) -> SignalRow | None:
        """The signal of a deal: by the deal's id, else by the signal id the deal carries (a
        change heard before the relay stored the id) when that signal has no other deal."""
        row = session.scalar(select(SignalRow).where(SignalRow.crm_id == crm_id).limit(1)) if crm_id else None
        if row is not None or not signal_id:
            return row
        number = parse_signal_id(signal_id)
        by_id = session.get(SignalRow, number) if number else None
        return by_id if by_id is not None and by_id.crm_id in (None, "", crm_id) else None

    # --- the poll's cursor -------------------------------------------------------------------

    def cursor(self, name: str) -> str:
        with self.db.read() as session:
            row = session.get(CrmCursorRow, name)
            return row.value if row else ""

    def set_cursor(self, name: str, value: str) -> None:
        with self.db.transaction() as session:
            statement = _insert(session)(CrmCursorRow).values(name=name, value=value, updated_at=self.clock.now())
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=[CrmCursorRow.name],
                    set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
                )
            )
