"""The outbox: durable work owed to Slack and the sheet, claimed by relays, retried with backoff.

A claim is a lease: the row is hidden from other relays until `claimed_until`, and its attempt
count is raised before the work starts, so a process killed mid-delivery still counts the try
and another relay picks the row up once the lease runs out. Every claim carries a fresh token
stored on its rows: the relay renews the lease while it works (`renew`), checks it still holds a
row right before calling Slack or the sheet (`owned`), and `done`/`failed`/`release` touch only
rows still holding its token — a relay whose lease was taken over can no longer act on the row.

A card that dies takes the thread replies waiting on it along (one chain, one admin alert), and
`retry` brings the chain back in order.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from models.payloads import AdminAlertPayload, OutboxPayload
from store.db import Database
from store.tables import OutboxRow, SignalRow

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=15)
LEASE = timedelta(seconds=60)


class Target(StrEnum):
    POST_CARD = "post_card"  # post the card, or update it when it exists
    NOTIFY_OWNER = "notify_owner"  # the thread reply that mentions the owner
    THREAD_LINE = "thread_line"  # one line in the card's thread for one event
    PUBLISH_HOME = "publish_home"  # refresh one user's App Home
    SYNC_SHEET = "sync_sheet"  # upsert the signal's row in the sheet
    SYNC_HISTORY = "sync_history"  # upsert the event's row in the History tab
    DIRECT_MESSAGE = "direct_message"  # a nudge or reminder to the owner (and submitter): payload says which
    DIGEST = "digest"  # the weekly digest and its chart: payload holds the numbers
    ADMIN_ALERT = "admin_alert"  # tell the admin channel a delivery died; never dies itself
    CHECK_OWNER = "check_owner"  # an owner the directory did not know at share time: ask Slack now
    SYNC_LIST = "sync_list"  # upsert the signal's item in the Slack List (HIYOKO_SLACK_LIST_ID)
    SUGGEST = "suggest"  # DM a CSM a hint heard in a customer channel: payload holds the suggestion id
    CRM_DEAL = "crm_deal"  # create the signal's deal/opportunity once, or move its stage (HIYOKO_CRM)


class State(StrEnum):
    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"


@dataclass(frozen=True)
class Delivery:
    """One claimed outbox row."""

    id: int
    signal_number: int | None  # None for work about no one signal (the digest)
    target: Target
    attempts: int  # including this one
    event_id: int | None = None
    user_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)  # parsed JSON; each reader parses its own type
    token: str = ""  # the claim that holds the row (see the module docstring)


# The thread replies that cannot be posted before their signal's card exists.
NEEDS_CARD = frozenset({Target.NOTIFY_OWNER, Target.THREAD_LINE})
CHAIN_MARK = "waits on its card, outbox #{id}, which is dead"


# Targets that render the signal's current state: one waiting row is enough, since it reads the
# signal when it runs. (A thread line is a message of its own and is never merged.)
COALESCED = frozenset({Target.POST_CARD, Target.SYNC_SHEET, Target.SYNC_LIST, Target.CRM_DEAL})


def enqueue(
    session: Session,
    signal_number: int,
    targets: Iterable[Target],
    now: datetime,
    *,
    event_id: int | None = None,
    new_signal: bool = False,
) -> None:
    """Add work for a signal inside the caller's transaction. A signal made in this transaction
    (`new_signal`) has nothing waiting yet, so it skips the look for a row to merge with: those
    queries are a good part of a share's ack."""
    for target in targets:
        if target in COALESCED and not new_signal and _waiting(session, target, now, signal_number=signal_number):
            continue
        session.add(_row(signal_number, target, now, event_id=event_id))


def enqueue_homes(session: Session, signal_number: int, user_ids: Iterable[str], now: datetime) -> None:
    """Refresh these users' App Homes (one waiting refresh per user is enough)."""
    wanted = sorted({u for u in user_ids if u})
    if not wanted:
        return
    # One query for all of them. Sorted: every transaction locks these rows in the same order
    # (PostgreSQL locks as the sorted rows come out), so two submissions never wait in a cycle.
    query = (
        select(OutboxRow.user_id)
        .where(
            OutboxRow.target == Target.PUBLISH_HOME.value,
            OutboxRow.state == State.PENDING.value,
            or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now),
            OutboxRow.user_id.in_(wanted),
        )
        .order_by(OutboxRow.user_id, OutboxRow.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    waiting = set(session.scalars(query))
    for user_id in wanted:
        if user_id not in waiting:
            session.add(_row(signal_number, Target.PUBLISH_HOME, now, user_id=user_id))


def enqueue_message(
    session: Session, target: Target, payload: OutboxPayload, now: datetime, *, signal_number: int | None = None
) -> None:
    """A message a job decided to send (a nudge, a reminder, the digest, an admin alert), inside its
    transaction."""
    session.add(_row(signal_number, target, now, payload=payload.to_json()))


def _row(
    signal_number: int | None,
    target: Target,
    now: datetime,
    *,
    event_id: int | None = None,
    user_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboxRow:
    return OutboxRow(
        signal_number=signal_number,
        target=target.value,
        event_id=event_id,
        user_id=user_id,
        payload=json.dumps(payload or {}, ensure_ascii=False, default=str),
        state=State.PENDING.value,
        attempts=0,
        next_attempt_at=now,
        last_error="",
        created_at=now,
    )


def pending(session: Session, signal_number: int, target: Target) -> bool:
    """Does this signal still owe this work (a row pending, claimed or not)?"""
    query = select(OutboxRow.id).where(
        OutboxRow.signal_number == signal_number,
        OutboxRow.target == target.value,
        OutboxRow.state == State.PENDING.value,
    )
    return session.scalar(query.limit(1)) is not None


def _waiting(session: Session, target: Target, now: datetime, *, signal_number: int) -> bool:
    """Is a row for this signal's work pending and not yet taken by a relay? (Locked on
    PostgreSQL, so a relay cannot take it between this check and our commit.)"""
    query = (
        select(OutboxRow.id)
        .where(
            OutboxRow.target == target.value,
            OutboxRow.state == State.PENDING.value,
            or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now),
            OutboxRow.signal_number == signal_number,
        )
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query) is not None


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter: ~2 s, 4 s, 8 s … capped at 15 min, each between 50-100 %."""
    ceiling: timedelta = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    return ceiling * (0.5 + 0.5 * (rng or random).random())


class Outbox:
    def __init__(
        self, db: Database, max_attempts: int = 12, *, alert_admins: bool = False, lease: timedelta = LEASE
    ) -> None:
        self.db = db
        self.max_attempts = max_attempts
        self.lease = lease
        self.alert_admins = alert_admins  # queue an ADMIN_ALERT when a row dies

    def claim(self, now: datetime, limit: int = 200, targets: Iterable[Target] | None = None) -> list[Delivery]:
        """Lease up to `limit` due rows under one fresh token; each row goes to one relay at a time."""
        due = and_(
            OutboxRow.state == State.PENDING.value,
            OutboxRow.next_attempt_at <= now,
            or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now),
        )
        if targets is not None:
            due = and_(due, OutboxRow.target.in_([t.value for t in targets]))
        query = select(OutboxRow).where(due).order_by(OutboxRow.id).limit(limit)
        token = str(uuid.uuid4())
        claimed: list[Delivery] = []
        with self.db.transaction() as session:
            if self.db.engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for row in session.scalars(query).all():
                # Conditional update: on SQLite (no SKIP LOCKED) a row another relay took loses.
                result = session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row.id, due)
                    .values(claimed_until=now + self.lease, claim_token=token, attempts=OutboxRow.attempts + 1)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(
                        Delivery(
                            row.id,
                            row.signal_number,
                            Target(row.target),
                            row.attempts + 1,
                            row.event_id,
                            row.user_id,
                            json.loads(row.payload or "{}"),
                            token,
                        )
                    )
        return claimed

    @staticmethod
    def _held(delivery: Delivery) -> ColumnElement[bool]:
        """The row is still this claim's: same token, still pending."""
        return and_(
            OutboxRow.id == delivery.id, OutboxRow.claim_token == delivery.token, OutboxRow.state == State.PENDING.value
        )

    def renew(self, token: str, now: datetime) -> int:
        """Extend the lease of every row still held by this claim (the relay's heartbeat)."""
        with self.db.transaction() as session:
            result = session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.claim_token == token,
                    OutboxRow.state == State.PENDING.value,
                    OutboxRow.claimed_until.is_not(None),
                )
                .values(claimed_until=now + self.lease)
                .execution_options(synchronize_session=False)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def owned(self, deliveries: Iterable[Delivery], now: datetime) -> set[int]:
        """The ids among these rows this relay still holds, with an unexpired lease: only those may
        be sent (a row whose lease ran out may already be another relay's)."""
        wanted = list(deliveries)
        if not wanted:
            return set()
        tokens = {d.token for d in wanted}
        with self.db.read() as session:
            rows = session.execute(
                select(OutboxRow.id, OutboxRow.claim_token).where(
                    OutboxRow.id.in_([d.id for d in wanted]),
                    OutboxRow.state == State.PENDING.value,
                    OutboxRow.claim_token.in_(tokens),
                    OutboxRow.claimed_until >= now,
                )
            ).all()
        held = {(row_id, token) for row_id, token in rows}
        return {d.id for d in wanted if (d.id, d.token) in held}

    def done(self, deliveries: Iterable[Delivery], now: datetime) -> int:
        """Mark rows delivered, those still held by their claim; returns how many."""
        marked = 0
        with self.db.transaction() as session:
            for delivery in deliveries:
                result = session.execute(
                    update(OutboxRow)
                    .where(self._held(delivery))
                    .values(state=State.DONE.value, done_at=now, claimed_until=None, claim_token=None, last_error="")
                    .execution_options(synchronize_session=False)
                )
                marked += int(result.rowcount)  # type: ignore[attr-defined]
        return marked

    def failed(
        self,
        delivery: Delivery,
        error: str,
        now: datetime,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> bool:
        """Schedule a retry with backoff, or mark the row dead (`permanent`: at once, retrying
        cannot help — the CRM refused a field or a permission). Returns True when it died.

        A card that dies takes along the thread replies of its signal that wait on it (the card
        was never posted): one chain, one admin alert, one `hiyoko outbox retry`."""
        # An alert about a dead letter keeps trying (at the capped backoff) rather than die unseen.
        dead = (permanent or delivery.attempts >= self.max_attempts) and delivery.target is not Target.ADMIN_ALERT
        delay = backoff(delivery.attempts)
        if retry_after is not None:
            delay = max(delay, timedelta(seconds=retry_after))
        chain: list[int] = []
        with self.db.transaction() as session:
            result = session.execute(
                update(OutboxRow)
                .where(self._held(delivery))
                .values(
                    state=State.DEAD.value if dead else State.PENDING.value,
                    next_attempt_at=now + delay,
                    claimed_until=None,
                    claim_token=None,
                    last_error=error[:2000],
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                log.warning("outbox #%s was taken over by another relay; its failure is not recorded", delivery.id)
                return False
            if dead and delivery.target is Target.POST_CARD and delivery.signal_number is not None:
                chain = self._kill_chain(session, delivery.signal_number, delivery.id, now)
            if dead and self.alert_admins:
                alert = AdminAlertPayload(
                    delivery.id,
                    delivery.target.value,
                    delivery.attempts,
                    delivery.signal_number,
                    error[:500],
                    tuple(chain),
                )
                enqueue_message(session, Target.ADMIN_ALERT, alert, now, signal_number=delivery.signal_number)
        if dead:
            log.error(
                "DEAD LETTER: outbox #%s (%s for signal %s) gave up after %s attempts: %s%s",
                delivery.id,
                delivery.target.value,
                delivery.signal_number,
                delivery.attempts,
                error,
                f" (with the thread rows waiting on it: {', '.join(f'#{i}' for i in chain)})" if chain else "",
            )
        else:
            log.warning(
                "delivery failed, will retry: outbox #%s %s signal %s attempt %s: %s",
                delivery.id,
                delivery.target.value,
                delivery.signal_number,
                delivery.attempts,
                error,
            )
        return dead

    @staticmethod
    def _kill_chain(session: Session, signal_number: int, card_row: int, now: datetime) -> list[int]:
        """Dead-letter the pending thread rows of a signal whose card never made it to Slack."""
        if session.scalar(select(SignalRow.card_ts).where(SignalRow.number == signal_number)):
            return []  # the card exists (an update died): its thread rows can still be posted
        ids = list(
            session.scalars(
                select(OutboxRow.id)
                .where(
                    OutboxRow.signal_number == signal_number,
                    OutboxRow.target.in_([t.value for t in NEEDS_CARD]),
                    OutboxRow.state == State.PENDING.value,
                )
                .order_by(OutboxRow.id)
            )
        )
        if ids:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(ids), OutboxRow.state == State.PENDING.value)
                .values(
                    state=State.DEAD.value,
                    claimed_until=None,
                    claim_token=None,
                    next_attempt_at=now,
                    last_error=CHAIN_MARK.format(id=card_row),
                )
                .execution_options(synchronize_session=False)
            )
        return ids

    def wait_for_card(self, delivery: Delivery, now: datetime, after: timedelta) -> bool:
        """A thread row found no card: put it back without counting the try — unless its card's row
        is dead (and no new one is pending), then it joins the card in the dead letters. Returns
        True when it died."""
        with self.db.transaction() as session:
            cards = session.execute(
                select(OutboxRow.id, OutboxRow.state)
                .where(
                    OutboxRow.signal_number == delivery.signal_number,
                    OutboxRow.target == Target.POST_CARD.value,
                    OutboxRow.state.in_([State.PENDING.value, State.DEAD.value]),
                )
                .order_by(OutboxRow.id)
            ).all()
            dead_card = next((row_id for row_id, state in reversed(cards) if state == State.DEAD.value), None)
            if dead_card is not None and not any(state == State.PENDING.value for _, state in cards):
                values: dict[str, Any] = {"state": State.DEAD.value, "last_error": CHAIN_MARK.format(id=dead_card)}
            else:
                values = {"attempts": OutboxRow.attempts - 1, "next_attempt_at": now + after}
                dead_card = None
            session.execute(
                update(OutboxRow)
                .where(self._held(delivery))
                .values(claimed_until=None, claim_token=None, **values)
                .execution_options(synchronize_session=False)
            )
        if dead_card is not None:
            log.error(
                "DEAD LETTER: outbox #%s (%s for signal %s) %s",
                delivery.id,
                delivery.target.value,
                delivery.signal_number,
                CHAIN_MARK.format(id=dead_card),
            )
        return dead_card is not None

    def release(self, delivery: Delivery, now: datetime, after: timedelta) -> None:
        """Put a row back without counting the try (it was waiting on another row, not failing)."""
        with self.db.transaction() as session:
            session.execute(
                update(OutboxRow)
                .where(self._held(delivery))
                .values(
                    attempts=OutboxRow.attempts - 1,
                    next_attempt_at=now + after,
                    claimed_until=None,
                    claim_token=None,
                )
                .execution_options(synchronize_session=False)
            )

    def counts(self) -> dict[str, int]:
        """Rows per state, for health checks and tests."""
        with self.db.read() as session:
            rows = session.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state)).all()
        return {state: count for state, count in rows}

    def oldest_pending(self) -> datetime | None:
        """When the oldest undelivered row was written (its age is the delivery lag)."""
        with self.db.read() as session:
            return session.scalar(select(func.min(OutboxRow.created_at)).where(OutboxRow.state == State.PENDING.value))

    def listing(self, state: str | None = None, limit: int = 50) -> list[OutboxRow]:
        """Rows for operators, newest first (`hiyoko outbox list`)."""
        query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
        if state:
            query = query.where(OutboxRow.state == state)
        with self.db.read() as session:
            return list(session.scalars(query))

    def retry(self, now: datetime, row_id: int | None = None) -> int:
        """Requeue one dead row with its chain (or, without an id, every dead row) with a fresh
        attempt count; returns how many rows. A chain is a signal's dead card and the dead thread
        rows waiting on it: they come back together, and in order — claims go by id, the card row
        is older than its thread rows, and the relay posts cards first (a thread row that still
        finds no card waits for it)."""
        with self.db.transaction() as session:
            query = update(OutboxRow).where(OutboxRow.state == State.DEAD.value)
            if row_id is not None:
                row = session.get(OutboxRow, row_id)
                if row is None or row.state != State.DEAD.value:
                    return 0
                chain = [Target.POST_CARD.value, *(t.value for t in NEEDS_CARD)]
                if row.signal_number is not None and row.target in chain:
                    query = query.where(OutboxRow.signal_number == row.signal_number, OutboxRow.target.in_(chain))
                else:
                    query = query.where(OutboxRow.id == row_id)
            result = session.execute(
                query.values(
                    state=State.PENDING.value, attempts=0, next_attempt_at=now, claimed_until=None, claim_token=None
                ).execution_options(synchronize_session=False)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def next_due(self) -> datetime | None:
        """When the earliest pending row becomes due (for tests and the relay's sleep)."""
        with self.db.read() as session:
            return session.scalar(
                select(func.min(OutboxRow.next_attempt_at)).where(OutboxRow.state == State.PENDING.value)
            )

    def rows(self) -> list[OutboxRow]:
        with self.db.read() as session:
            return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
