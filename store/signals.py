"""Use cases that read and change signals. Each change writes its event and its outbox rows
in the same transaction, so a signal and the work it owes are never apart."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.clock import Clock
from models.signal import Category, Kind, SignalDraft, SignalRecord, Status
from store.db import Database
from store.outbox import Target, enqueue
from store.tables import EventRow, SignalRow

# What a new signal owes the outside world, in the order the relay should try it.
NEW_SIGNAL_WORK = (Target.POST_CARD, Target.NOTIFY_OWNER, Target.SYNC_SHEET)


@dataclass(frozen=True)
class SubmitResult:
    signal: SignalRecord
    created: bool  # False when the same submission had already made this signal


def to_record(row: SignalRow) -> SignalRecord:
    return SignalRecord(
        number=row.number,
        customer=row.customer,
        kind=Kind(row.kind),
        category=Category(row.category),
        status=Status(row.status),
        summary=row.summary,
        timing=row.timing,
        size=row.size,
        source=row.source,
        submitter_id=row.submitter_id,
        submitter_name=row.submitter_name,
        owner_id=row.owner_id,
        owner_name=row.owner_name,
        close_reason=row.close_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
        hatched_at=row.hatched_at,
        closed_at=row.closed_at,
        card_channel=row.card_channel,
        card_ts=row.card_ts,
        card_permalink=row.card_permalink,
    )


class SignalStore:
    """Signals in the database: submit, read, and record where their Slack card lives."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def submit(
        self,
        draft: SignalDraft,
        *,
        submitter_id: str,
        submitter_name: str,
        owner_name: str,
        submission_key: str | None = None,
    ) -> SubmitResult:
        """Store a new signal with its `submitted` event and the work it owes, in one transaction."""
        now = self.clock.now()
        with self.db.transaction() as session:
            if submission_key is not None:
                existing = session.scalar(select(SignalRow).where(SignalRow.submission_key == submission_key))
                if existing is not None:
                    return SubmitResult(to_record(existing), created=False)
            row = SignalRow(
                customer=draft.customer,
                kind=draft.kind.value,
                category=draft.category.value,
                status=Status.OPEN.value,
                summary=draft.summary,
                timing=draft.timing,
                size=draft.size,
                source=draft.source,
                submitter_id=submitter_id,
                submitter_name=submitter_name,
                owner_id=draft.owner_id,
                owner_name=owner_name,
                close_reason="",
                created_at=now,
                updated_at=now,
                hatched_at=now if draft.kind is Kind.CHICK else None,
                submission_key=submission_key,
            )
            session.add(row)
            session.flush()  # assigns the number
            session.add(
                EventRow(
                    signal_number=row.number,
                    action="submitted",
                    actor_id=submitter_id,
                    at=now,
                    to_kind=draft.kind.value,
                    to_status=Status.OPEN.value,
                    note="",
                )
            )
            enqueue(session, row.number, NEW_SIGNAL_WORK, now)
            return SubmitResult(to_record(row), created=True)

    def get(self, number: int) -> SignalRecord | None:
        with self.db.read() as session:
            row = session.get(SignalRow, number)
            return to_record(row) if row else None

    def get_many(self, numbers: Iterable[int]) -> list[SignalRecord]:
        with self.db.read() as session:
            return _load(session, numbers)

    def all(self) -> list[SignalRecord]:
        """Every signal, oldest first."""
        with self.db.read() as session:
            return [to_record(row) for row in session.scalars(select(SignalRow).order_by(SignalRow.number))]

    def set_card(self, number: int, channel: str, ts: str, permalink: str | None) -> None:
        """Remember the card, so later deliveries update it instead of posting another.

        Once its permalink is known the sheet row is due again, to show the link.
        """
        with self.db.transaction() as session:
            session.execute(
                update(SignalRow)
                .where(SignalRow.number == number)
                .values(card_channel=channel, card_ts=ts, card_permalink=permalink)
            )
            if permalink:
                enqueue(session, number, [Target.SYNC_SHEET], self.clock.now())

    def events(self, number: int) -> list[EventRow]:
        with self.db.read() as session:
            return list(
                session.scalars(select(EventRow).where(EventRow.signal_number == number).order_by(EventRow.id))
            )


def _load(session: Session, numbers: Iterable[int]) -> list[SignalRecord]:
    wanted = sorted(set(numbers))
    if not wanted:
        return []
    rows = session.scalars(select(SignalRow).where(SignalRow.number.in_(wanted)).order_by(SignalRow.number))
    return [to_record(row) for row in rows]
