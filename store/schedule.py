"""Persistence for scheduled work: once-per-slot claims, and the per-signal marks that make each
nudge and reminder happen once (a conditional update in the same transaction as its message).

A slot's claim is a lease (`claimed_until`, renewed while the job runs). A claimant that died
before finishing leaves the slot unfinished with its lease running out; the next process to try
the slot then takes it over — once (`attempts` ≤ 2), by a conditional update only one can win.
Every later write about the slot names the claim's holder, so a claimant that was taken over can
no longer mark it. The digest's message and the slot's finish mark commit together.

An owner away today (`/hiyoko away`) is left alone: their eggs and chicks are neither nudged nor
marked, so the first run after they are back (or after their absence ends) sends what waited —
once, since that run sets the marks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from models.lifecycle import Action
from models.payloads import DigestPayload, DirectMessagePayload
from models.signal import Kind, SignalRecord, Status
from store.db import Database
from store.outbox import Target, enqueue_message
from store.signals import to_record
from store.tables import AwayRow, EventRow, JobRunRow, SignalRow


@dataclass(frozen=True)
class JobRun:
    job: str
    slot: str
    holder: str
    claimed_at: datetime
    finished_at: datetime | None
    outcome: str


@dataclass(frozen=True)
class SlotClaim:
    """This process's claim on one (job, slot): `holder` is unique to the claim and fences it."""

    job: str
    slot: str
    holder: str
    attempts: int


@dataclass(frozen=True)
class SlotState:
    finished: bool
    claimed_until: datetime | None
    attempts: int


class LostSlot(Exception):
    """Another process took the slot over (our lease ran out): what we did is not committed."""


MAX_SLOT_ATTEMPTS = 2  # a slot whose claimant died runs once more, never a third time
SLOT_LEASE = timedelta(seconds=60)


class Chick(NamedTuple):
    """An open chick and the timings its reminder and overdue nudge were already sent for."""

    signal: SignalRecord
    reminded_for: date | None
    overdue_for: date | None


class DigestSignal(NamedTuple):
    """The few columns the digest needs of every signal (light enough for 100,000 rows)."""

    number: int
    kind: str
    status: str
    created_at: datetime
    submitter_id: str
    owner_id: str
    last_activity_at: datetime
    nudge_count: int


class DigestEvent(NamedTuple):
    signal_number: int
    action: str
    at: datetime
    to_kind: str | None


BATCH = 500  # signals marked per transaction: short locks, few commits


def _owner_here(today: date | None) -> ColumnElement[bool]:
    """The signal's owner is not away on `today` (no day given: everyone counts as here)."""
    if today is None:
        return SignalRow.owner_id.is_not(None)
    away = select(AwayRow.user_id).where(AwayRow.away_from <= today, AwayRow.away_until >= today)
    return SignalRow.owner_id.not_in(away)


class JobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- claims ----------------------------------------------------------------------------

    def claim(self, job: str, slot: str, holder: str, now: datetime, lease: timedelta = SLOT_LEASE) -> SlotClaim | None:
        """The claim on (job, slot) for exactly one caller across all replicas: the first, or — once —
        whoever comes after a claimant that died (unfinished, lease expired). None: not ours."""
        mine = f"{holder}/{uuid.uuid4().hex[:12]}"
        try:
            with self.db.transaction() as session:
                session.add(
                    JobRunRow(
                        job=job,
                        slot=slot,
                        holder=mine,
                        claimed_at=now,
                        outcome="",
                        claimed_until=now + lease,
                        attempts=1,
                    )
                )
            return SlotClaim(job, slot, mine, 1)
        except IntegrityError:
            pass
        with self.db.transaction() as session:
            attempts = session.scalar(select(JobRunRow.attempts).where(JobRunRow.job == job, JobRunRow.slot == slot))
            if attempts is None or attempts >= MAX_SLOT_ATTEMPTS:
                return None
            # Conditional update: of two processes finding the same dead claimant, one wins.
            result = session.execute(
                update(JobRunRow)
                .where(
                    JobRunRow.job == job,
                    JobRunRow.slot == slot,
                    JobRunRow.finished_at.is_(None),
                    JobRunRow.claimed_until.is_not(None),
                    JobRunRow.claimed_until < now,
                    JobRunRow.attempts == attempts,
                )
                .values(holder=mine, claimed_at=now, claimed_until=now + lease, attempts=attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
        return SlotClaim(job, slot, mine, attempts + 1)

    @staticmethod
    def _held(claim: SlotClaim) -> ColumnElement[bool]:
        return and_(
            JobRunRow.job == claim.job,
            JobRunRow.slot == claim.slot,
            JobRunRow.holder == claim.holder,
            JobRunRow.finished_at.is_(None),
        )

    def renew(self, claim: SlotClaim, now: datetime, lease: timedelta = SLOT_LEASE) -> bool:
        """Extend the lease while the job runs (its heartbeat); False when the slot is no longer ours."""
        with self.db.transaction() as session:
            result = session.execute(
                update(JobRunRow)
                .where(self._held(claim))
                .values(claimed_until=now + lease)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def finish(self, claim: SlotClaim, now: datetime, outcome: str) -> bool:
        """Mark the slot done, if it is still this claim's and not done yet."""
        with self.db.transaction() as session:
            result = session.execute(
                update(JobRunRow)
                .where(self._held(claim))
                .values(finished_at=now, claimed_until=None, outcome=outcome[:2000])
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def slot_state(self, job: str, slot: str) -> SlotState | None:
        with self.db.read() as session:
            row = session.execute(
                select(JobRunRow.finished_at, JobRunRow.claimed_until, JobRunRow.attempts).where(
                    JobRunRow.job == job, JobRunRow.slot == slot
                )
            ).first()
        return None if row is None else SlotState(row[0] is not None, row[1], row[2])

    def last_runs(self) -> dict[str, JobRun]:
        with self.db.read() as session:
            latest = select(JobRunRow.job, func.max(JobRunRow.id).label("id")).group_by(JobRunRow.job).subquery()
            rows = session.scalars(select(JobRunRow).join(latest, JobRunRow.id == latest.c.id))
            return {r.job: JobRun(r.job, r.slot, r.holder, r.claimed_at, r.finished_at, r.outcome) for r in rows}

    def claimed(self, job: str, slot: str) -> bool:
        with self.db.read() as session:
            return session.scalar(select(JobRunRow.id).where(JobRunRow.job == job, JobRunRow.slot == slot)) is not None

    # --- stale eggs ------------------------------------------------------------------------

    @staticmethod
    def _stale(now: datetime, days: int) -> ColumnElement[bool]:
        """An open egg nobody touched for `days`, not snoozed, and not nudged for `days` — or not
        since a snooze that has now ended (a snooze shorter than the stale period ends on its day)."""
        since = now - timedelta(days=days)
        return and_(
            SignalRow.status == Status.OPEN.value,
            SignalRow.kind == Kind.EGG.value,
            SignalRow.last_activity_at <= since,
            or_(SignalRow.snoozed_until.is_(None), SignalRow.snoozed_until <= now),
            or_(
                SignalRow.last_nudged_at.is_(None),
                SignalRow.last_nudged_at <= since,
                and_(SignalRow.snoozed_until.is_not(None), SignalRow.last_nudged_at < SignalRow.snoozed_until),
            ),
        )

    def stale_eggs(self, now: datetime, days: int, today: date | None = None) -> list[SignalRecord]:
        """Stale eggs whose owner is not away on `today`."""
        with self.db.read() as session:
            rows = session.scalars(
                select(SignalRow).where(self._stale(now, days), _owner_here(today)).order_by(SignalRow.number)
            )
            return [to_record(row) for row in rows]

    def nudge(
        self, payloads: dict[int, DirectMessagePayload], now: datetime, days: int, today: date | None = None
    ) -> list[int]:
        """Mark these eggs nudged and queue their messages, those still stale (once per period);
        one transaction per batch. Returns the numbers nudged."""
        nudged: list[int] = []
        numbers = sorted(payloads)
        for start in range(0, len(numbers), BATCH):
            with self.db.transaction() as session:
                result = session.execute(
                    update(SignalRow)
                    .where(
                        SignalRow.number.in_(numbers[start : start + BATCH]),
                        self._stale(now, days),
                        _owner_here(today),
                    )
                    .values(last_nudged_at=now, nudge_count=SignalRow.nudge_count + 1)
                    .returning(SignalRow.number)
                    .execution_options(synchronize_session=False)
                )
                done = sorted(row[0] for row in result)
                for number in done:
                    enqueue_message(session, Target.DIRECT_MESSAGE, payloads[number], now, signal_number=number)
            nudged += done
        return nudged

    # --- chicks ----------------------------------------------------------------------------

    def open_chicks(self, timing_until: date, today: date | None = None) -> list[Chick]:
        """Open chicks whose timing is on or before `timing_until` (overdue ones included), of
        owners not away on `today`."""
        with self.db.read() as session:
            rows = session.scalars(
                select(SignalRow)
                .where(
                    SignalRow.status == Status.OPEN.value,
                    SignalRow.kind == Kind.CHICK.value,
                    SignalRow.timing.is_not(None),
                    SignalRow.timing <= timing_until,
                    _owner_here(today),
                )
                .order_by(SignalRow.timing, SignalRow.number)
            )
            return [Chick(to_record(row), row.reminded_for, row.overdue_for) for row in rows]

    def mark_chicks(
        self,
        column: str,
        due: list[tuple[int, date, DirectMessagePayload]],
        now: datetime,
        today: date | None = None,
    ) -> list[int]:
        """Remember the reminder (`reminded_for`) or overdue nudge (`overdue_for`) was sent for each
        chick's current timing, and queue it — unless it already was (a new timing gets a new one).
        Batched like `nudge`; returns the numbers marked."""
        mark = getattr(SignalRow, column)
        marked: list[int] = []
        for start in range(0, len(due), BATCH):
            with self.db.transaction() as session:
                for number, timing, payload in due[start : start + BATCH]:
                    result = session.execute(
                        update(SignalRow)
                        .where(
                            SignalRow.number == number,
                            SignalRow.status == Status.OPEN.value,
                            SignalRow.kind == Kind.CHICK.value,
                            SignalRow.timing == timing,
                            or_(mark.is_(None), mark != timing),
                            _owner_here(today),
                        )
                        .values({column: timing})
                        .execution_options(synchronize_session=False)
                    )
                    if result.rowcount == 1:  # type: ignore[attr-defined]
                        enqueue_message(session, Target.DIRECT_MESSAGE, payload, now, signal_number=number)
                        marked.append(number)
        return marked

    # --- the digest ------------------------------------------------------------------------

    def digest_signals(self) -> list[DigestSignal]:
        with self.db.read() as session:
            rows = session.execute(
                select(
                    SignalRow.number,
                    SignalRow.kind,
                    SignalRow.status,
                    SignalRow.created_at,
                    SignalRow.submitter_id,
                    SignalRow.owner_id,
                    SignalRow.last_activity_at,
                    SignalRow.nudge_count,
                ).order_by(SignalRow.number)
            )
            return [DigestSignal(*row) for row in rows]

    def digest_events(self) -> Iterator[DigestEvent]:
        """The events the digest counts (how signals began, hatched and closed), streamed."""
        wanted = ("submitted", Action.HATCH.value, Action.WIN.value, Action.LOSE.value)
        with self.db.read() as session:
            rows = session.execute(
                select(EventRow.signal_number, EventRow.action, EventRow.at, EventRow.to_kind)
                .where(EventRow.action.in_(wanted))
                .order_by(EventRow.id)
                .execution_options(yield_per=5000)
            )
            for row in rows:
                yield DigestEvent(*row)

    def queue_digest(
        self, payload: DigestPayload, now: datetime, claim: SlotClaim | None = None, outcome: str = "1 line(s)"
    ) -> None:
        """Queue the digest and mark its slot done in one transaction: a crash leaves both undone
        (the slot runs again) or both done — never a done slot without its digest."""
        with self.db.transaction() as session:
            if claim is not None:
                result = session.execute(
                    update(JobRunRow)
                    .where(self._held(claim))
                    .values(finished_at=now, claimed_until=None, outcome=outcome)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount != 1:  # type: ignore[attr-defined]
                    raise LostSlot(f"{claim.job} {claim.slot}")
            enqueue_message(session, Target.DIGEST, payload, now)
