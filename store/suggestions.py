"""Hearing eggs (issue 13), the database side: which channels are listened to, the suggestions
made from what was heard there, the decisions on them, and what the team's model learns from.

A channel is listened to when it is an Accounts row's `Channel` or a `/hiyoko watch` row. A
suggestion keeps no message text: its permalink, what was detected and `features(text)` (hashed
words). `record` checks the quiet period and inserts the suggestion and its outbox row in one
transaction; a Slack retry (same event id) or a second delivery of the message (same channel and
ts) finds the row and does nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import and_, delete, func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.clock import Clock
from models.customers import normalize_customer
from models.payloads import SuggestionPayload
from models.signal import Status
from store.db import Database
from store.outbox import Target, enqueue_message
from store.tables import AccountKeyRow, AccountRow, HearingModelRow, SignalRow, SuggestionRow, WatchedChannelRow

PENDING, SHARED, NOTED, NOT_HINT, KNOWN = "pending", "shared", "noted", "not_hint", "known"
DISMISSALS = (NOT_HINT, KNOWN)
# What the team's model learns from a decided suggestion: was it a hint? ("already known" was one.)
LEARNED = {SHARED: True, NOTED: True, KNOWN: True, NOT_HINT: False}


@dataclass(frozen=True)
class Listened:
    """A channel listened to: whose it is, who hears about it, and what the customer already has."""

    channel_id: str
    customer: str
    customer_key: str
    recipient_id: str | None  # the account's CSM, else whoever ran watch; None: nobody to tell
    products: tuple[str, ...] = ()
    plan: str = ""


@dataclass(frozen=True)
class NewSuggestion:
    """A hint heard in a message, as the listener found it (no message text)."""

    event_id: str | None
    channel_id: str
    message_ts: str
    speaker_id: str
    customer: str
    customer_key: str
    recipient_id: str
    kind: str
    category: str
    timing: date | None
    score: float
    evidence: str
    language: str
    features: Sequence[int]
    permalink: str = ""


@dataclass(frozen=True)
class Suggestion:
    id: int
    channel_id: str
    message_ts: str
    permalink: str
    speaker_id: str
    customer: str
    customer_key: str
    recipient_id: str
    kind: str
    category: str
    timing: date | None
    score: float
    evidence: str
    language: str
    state: str
    signal_number: int | None
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None


def _suggestion(row: SuggestionRow) -> Suggestion:
    return Suggestion(
        row.id,
        row.channel_id,
        row.message_ts,
        row.permalink,
        row.speaker_id,
        row.customer,
        row.customer_key,
        row.recipient_id,
        row.kind,
        row.category,
        row.timing,
        row.score,
        row.evidence,
        row.language,
        row.state,
        row.signal_number,
        row.created_at,
        row.decided_by,
        row.decided_at,
    )


Recorded = Literal["suggested", "quiet", "seen"]
Outcome = Literal["decided", "denied", "already", "missing"]


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    suggestion: Suggestion | None = None


class NoCustomer(Exception):
    """`/hiyoko watch` without a customer in a channel no Accounts row names."""


def _products(value: str) -> tuple[str, ...]:
    try:
        found = json.loads(value or "[]")
    except ValueError:
        return ()
    return tuple(str(p) for p in found) if isinstance(found, list) else ()


def _lock_key(customer_key: str, category: str) -> int:
    digest = hashlib.sha256(f"hiyoko:suggest:{customer_key}:{category}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class SuggestionStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def _now(self) -> datetime:
        return self.clock.now()

    # --- which channels ------------------------------------------------------------------------

    def listened_channel_ids(self) -> frozenset[str]:
        """Every channel listened to: the Accounts tab's channels and the watched ones (two small
        reads; the listener keeps the answer in memory)."""
        with self.db.read() as session:
            accounts = session.scalars(select(AccountRow.channel_id).where(AccountRow.channel_id.is_not(None)))
            watched = session.scalars(select(WatchedChannelRow.channel_id))
            return frozenset(c for c in [*accounts, *watched] if c)

    def listened(self, channel_id: str) -> Listened | None:
        """The channel's customer and recipient, or None when it is not listened to."""
        with self.db.read() as session:
            return _listened(session, channel_id)

    def watch(self, channel_id: str, customer: str, user_id: str) -> Listened:
        """`/hiyoko watch [customer]`: listen to this channel (again, with the new customer when
        one is given). Raises NoCustomer when none is given and no Accounts row names the channel."""
        customer = customer.strip()
        now = self._now()
        with self.db.transaction() as session:
            if not customer and _account_of_channel(session, channel_id) is None:
                raise NoCustomer(channel_id)
            row = session.get(WatchedChannelRow, channel_id)
            if row is None:
                row = WatchedChannelRow(channel_id=channel_id, created_at=now)
                session.add(row)
            row.customer = customer
            row.customer_key = normalize_customer(customer) if customer else ""
            row.watched_by = user_id
            row.created_at = now
            session.flush()
            found = _listened(session, channel_id)
            assert found is not None
            return found

    def unwatch(self, channel_id: str) -> bool:
        """Stop listening to a watched channel; False when it was not watched (an Accounts row's
        channel stays listened to until the tab says otherwise)."""
        with self.db.transaction() as session:
            removed = session.execute(delete(WatchedChannelRow).where(WatchedChannelRow.channel_id == channel_id))
            return bool(removed.rowcount)  # type: ignore[attr-defined]

    def watched(self) -> list[tuple[str, str]]:
        """(channel id, customer) of every channel listened to, for doctor and accounts check."""
        with self.db.read() as session:
            ids = sorted(
                {
                    c
                    for c in session.scalars(select(AccountRow.channel_id).where(AccountRow.channel_id.is_not(None)))
                    if c
                }
                | set(session.scalars(select(WatchedChannelRow.channel_id)))
            )
            out = []
            for channel_id in ids:
                found = _listened(session, channel_id)
                out.append((channel_id, found.customer if found else ""))
            return out

    # --- suggestions ---------------------------------------------------------------------------

    def record(self, new: NewSuggestion, quiet_days: int) -> tuple[Recorded, Suggestion | None]:
        """The suggestion and its DM (Target.SUGGEST) in one transaction, unless this message or
        event was seen already ("seen") or this customer and category had a suggestion, whatever
        became of it, within `quiet_days` ("quiet"). An open signal of that customer and category
        is offered for a note (signal_number)."""
        now = self._now()
        try:
            with self.db.transaction() as session:
                if session.get_bind().dialect.name == "postgresql":
                    # Two messages of one customer at once: one suggestion (SQLite writes one at a time).
                    key = _lock_key(new.customer_key, new.category)
                    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
                same_message = and_(
                    SuggestionRow.channel_id == new.channel_id, SuggestionRow.message_ts == new.message_ts
                )
                if new.event_id:
                    same_message = or_(same_message, SuggestionRow.event_id == new.event_id)
                seen = session.scalar(select(SuggestionRow.id).where(same_message).limit(1))
                if seen is not None:
                    return "seen", None
                quiet = session.scalar(
                    select(SuggestionRow.id)
                    .where(
                        SuggestionRow.customer_key == new.customer_key,
                        SuggestionRow.category == new.category,
                        SuggestionRow.created_at > now - timedelta(days=quiet_days),
                    )
                    .limit(1)
                )
                if quiet is not None:
                    return "quiet", None
                open_signal = session.scalar(
                    select(SignalRow.number)
                    .where(
                        SignalRow.customer_key == new.customer_key,
                        SignalRow.category == new.category,
                        SignalRow.status == Status.OPEN.value,
                    )
                    .order_by(SignalRow.number)
                    .limit(1)
                )
                row = SuggestionRow(
                    event_id=new.event_id,
                    channel_id=new.channel_id,
                    message_ts=new.message_ts,
                    permalink=new.permalink,
                    speaker_id=new.speaker_id,
                    customer=new.customer,
                    customer_key=new.customer_key,
                    recipient_id=new.recipient_id,
                    kind=new.kind,
                    category=new.category,
                    timing=new.timing,
                    score=new.score,
                    evidence=new.evidence,
                    language=new.language,
                    state=PENDING,
                    signal_number=open_signal,
                    features=json.dumps(sorted(set(new.features))),
                    created_at=now,
                )
                session.add(row)
                session.flush()  # the id, for the outbox row; a unique clash raises here
                enqueue_message(session, Target.SUGGEST, SuggestionPayload(row.id), now)
                return "suggested", _suggestion(row)
        except IntegrityError:  # the same event or message recorded at this very moment by another
            return "seen", None

    def get(self, suggestion_id: int) -> Suggestion | None:
        with self.db.read() as session:
            row = session.get(SuggestionRow, suggestion_id)
            return _suggestion(row) if row else None

    def set_permalink(self, suggestion_id: int, permalink: str) -> None:
        with self.db.transaction() as session:
            row = session.get(SuggestionRow, suggestion_id)
            if row is not None and not row.permalink:
                row.permalink = permalink

    def decide(
        self,
        suggestion_id: int,
        user_id: str,
        state: str,
        managers: frozenset[str],
        *,
        signal_number: int | None = None,
    ) -> Decision:
        """Mark a pending suggestion shared, noted, not a hint or known, once: only its recipient or
        a manager may (checked under the row's lock, so two clicks at once decide once)."""
        if state not in LEARNED:
            raise ValueError(f"not a decision: {state!r}")
        with self.db.transaction() as session:
            row = session.get(SuggestionRow, suggestion_id, with_for_update=True)
            if row is None:
                return Decision("missing")
            if user_id != row.recipient_id and user_id not in managers:
                return Decision("denied", _suggestion(row))
            if row.state != PENDING:
                return Decision("already", _suggestion(row))
            row.state, row.decided_by, row.decided_at = state, user_id, self._now()
            if signal_number is not None:
                row.signal_number = signal_number
            return Decision("decided", _suggestion(row))

    def undo(self, suggestion_id: int) -> None:
        """Back to pending (the note it was decided for could not be added)."""
        with self.db.transaction() as session:
            row = session.get(SuggestionRow, suggestion_id)
            if row is not None:
                row.state, row.decided_by, row.decided_at = PENDING, None, None

    # --- learning ------------------------------------------------------------------------------

    def examples(self) -> list[tuple[list[int], bool]]:
        """(hashed words, was it a hint) of every decided suggestion."""
        with self.db.read() as session:
            rows = session.execute(
                select(SuggestionRow.features, SuggestionRow.state).where(SuggestionRow.state.in_(list(LEARNED)))
            )
            return [([int(f) for f in json.loads(features or "[]")], LEARNED[state]) for features, state in rows]

    def signal_summaries(self) -> list[str]:
        """What the team wrote when sharing: every signal's summary."""
        with self.db.read() as session:
            return [s for s in session.scalars(select(SignalRow.summary).order_by(SignalRow.number)) if s]

    def newest_model_id(self) -> int | None:
        """The newest model's id (one indexed read: the listener asks it now and then)."""
        with self.db.read() as session:
            return session.scalar(select(func.max(HearingModelRow.id)))

    def model_json(self, model_id: int) -> str | None:
        with self.db.read() as session:
            row = session.get(HearingModelRow, model_id)
            return row.model if row else None


def _account_of_channel(session: Session, channel_id: str) -> AccountRow | None:
    return session.scalar(
        select(AccountRow).where(AccountRow.channel_id == channel_id).order_by(AccountRow.row_number).limit(1)
    )


def _account_of_customer(session: Session, customer: str) -> AccountRow | None:
    key = normalize_customer(customer)
    if not key:
        return None
    return session.scalar(
        select(AccountRow)
        .join(AccountKeyRow, AccountKeyRow.account_id == AccountRow.id)
        .where(AccountKeyRow.key == key)
        .limit(1)
    )


def _listened(session: Session, channel_id: str) -> Listened | None:
    """A watch row names its customer as typed (its account found by name or alias), else the
    Accounts row of the channel does; the account's CSM hears it, else whoever ran watch."""
    watched = session.get(WatchedChannelRow, channel_id)
    if watched is not None and watched.customer:
        account = _account_of_customer(session, watched.customer)
        customer, key = (
            (account.customer, account.customer_key) if account else (watched.customer, watched.customer_key)
        )
    else:
        account = _account_of_channel(session, channel_id)
        if account is None:
            return None
        customer, key = account.customer, account.customer_key
    recipient = (account.csm_id if account else None) or (watched.watched_by if watched else None)
    return Listened(
        channel_id,
        customer,
        key,
        recipient,
        _products(account.products) if account else (),
        account.plan if account else "",
    )
