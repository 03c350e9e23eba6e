"""Read-back: what people typed in the sheet (or the Slack List) reaches the signal's thread.

`apply(source, rows)` gets one poll's rows. A people's column (Comment, Progress, Next step…)
whose text differs from the last value seen (table `sheet_cells`) becomes one `sheet_note`
event with its thread line and History row, in the same transaction as a conditional update of
the seen value: of two replicas applying the same poll, only the one whose update changed the
row tells it. The first poll of a source ever records what is there silently (a baseline: no
flood of old comments on upgrade). A person's edit of hiyoko's own Status, Owner or Timing cell
becomes a proposal (store/proposals.py `propose`), once per value typed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from i18n import t
from models.clock import Clock
from store.db import Database
from store.outbox import State, Target, enqueue
from store.proposals import propose
from store.signals import add_side_event
from store.tables import OutboxRow, SheetCellRow, SignalRow

SHEET_NOTE = "sheet_note"  # the event's action: a people's cell changed in the sheet or list
OWN_PREFIX = "own:"  # sheet_cells column_name of a watched own field ("own:status")
OWN_FIELDS = ("status", "owner", "timing")
MAX_COLUMN = 100  # sheet_cells.column_name is a String(100)
LANGUAGES = ("ja", "en")
# A sheet write hiyoko made this recently may not be in the rows just read yet.
SETTLE = timedelta(minutes=1)


class ObservedRow(NamedTuple):
    number: int
    people: dict[str, str]  # people's column header → cell text
    own: dict[str, str]  # "status" | "owner" | "timing" → the cell text as a person left it


class ReadbackResult(NamedTuple):
    notes: int
    proposals: int


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


_DATE = re.compile(r"^\s*(\d{4})\D(\d{1,2})\D(\d{1,2})")


def _as_date(text: str) -> date | None:
    match = _DATE.match(text)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def hiyoko_wrote(field: str, text: str, signal: SignalRow) -> bool:
    """Whether `text` is what hiyoko writes in this own column for the signal's current state
    (sheets/sync.py `to_row`), in either language."""
    text = text.strip()
    if field == "status":
        return text in {t(f"status.{signal.status}", lang) for lang in LANGUAGES} | {signal.status}
    if field == "owner":
        return text in {signal.owner_name, signal.owner_id, f"@{signal.owner_name}"}
    if field == "timing":
        if signal.timing is None:
            return text == ""
        return _as_date(text) == signal.timing
    return True


class ReadbackStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def apply(self, source: str, rows: list[ObservedRow]) -> ReadbackResult:
        now = self.clock.now()
        with self.db.read() as session:
            seen: dict[tuple[int, str], str] = {
                (number, column): value
                for number, column, value in session.execute(
                    select(SheetCellRow.signal_number, SheetCellRow.column_name, SheetCellRow.value).where(
                        SheetCellRow.source == source
                    )
                )
            }
            known = set(session.scalars(select(SignalRow.number)))
        rows = [row for row in rows if row.number in known]
        if not seen:
            self._baseline(source, rows, now)
            return ReadbackResult(0, 0)
        notes = proposals = 0
        for row in rows:
            cells = {(column[:MAX_COLUMN], value) for column, value in row.people.items()}
            changed = [(c, v) for c, v in sorted(cells) if seen.get((row.number, c), "") != v]
            own = [(f, v.strip()) for f, v in sorted(row.own.items()) if f in OWN_FIELDS]
            own_changed = [(f, v) for f, v in own if seen.get((row.number, OWN_PREFIX + f)) != v]
            if not changed and not own_changed:
                continue
            told, proposed = self._apply_row(source, row.number, changed, own_changed, seen, now)
            notes += told
            proposals += proposed
        return ReadbackResult(notes, proposals)

    def _baseline(self, source: str, rows: list[ObservedRow], now: datetime) -> None:
        """The first poll of a source: remember what is there, tell nothing. Own fields are kept
        too, so the baseline is taken once even when no people's column exists yet."""
        values = [
            {"source": source, "signal_number": row.number, "column_name": column, "value": value, "seen_at": now}
            for row in rows
            for column, value in [
                *((c[:MAX_COLUMN], v) for c, v in row.people.items()),
                *((OWN_PREFIX + f, v.strip()) for f, v in row.own.items() if f in OWN_FIELDS),
            ]
        ]
        if not values:
            return
        with self.db.transaction() as session:
            insert = _insert(session)
            for start in range(0, len(values), 500):
                session.execute(insert(SheetCellRow).values(values[start : start + 500]).on_conflict_do_nothing())

    def _apply_row(
        self,
        source: str,
        number: int,
        changed: list[tuple[str, str]],
        own_changed: list[tuple[str, str]],
        seen: dict[tuple[int, str], str],
        now: datetime,
    ) -> tuple[int, int]:
        notes = proposals = 0
        with self.db.transaction() as session:
            signal = session.get(SignalRow, number)
            if signal is None:
                return 0, 0
            for column, value in changed:
                if not self._claim(session, source, number, column, seen.get((number, column)), value, now):
                    continue  # another replica told it (or an empty cell nobody ever filled)
                detail = {"source": source, "column": column, "value": value}
                event = add_side_event(session, signal, SHEET_NOTE, now, detail=detail)
                enqueue(session, number, (Target.THREAD_LINE, Target.SYNC_HISTORY), now, event_id=event.id)
                notes += 1
            settling = self._sheet_write_owed(session, number, now) or signal.updated_at > now - SETTLE
            for field, text in own_changed:
                if hiyoko_wrote(field, text, signal):
                    # hiyoko's own value: remember it, so the same edit typed again is proposed again
                    self._claim(
                        session, source, number, OWN_PREFIX + field, seen.get((number, OWN_PREFIX + field)), text, now
                    )
                    continue
                if settling:
                    continue  # the sheet may not show hiyoko's latest write yet: look at the next poll
                if not self._claim(
                    session, source, number, OWN_PREFIX + field, seen.get((number, OWN_PREFIX + field)), text, now
                ):
                    continue
                if propose(session, number=number, source=source, field=field, text=text, now=now):
                    proposals += 1
        return notes, proposals

    @staticmethod
    def _sheet_write_owed(session: Session, number: int, now: datetime) -> bool:
        """A SYNC_SHEET for this signal still waiting: the row read may predate hiyoko's change."""
        return bool(
            session.scalar(
                select(
                    exists().where(
                        and_(
                            OutboxRow.signal_number == number,
                            OutboxRow.target == Target.SYNC_SHEET.value,
                            OutboxRow.state == State.PENDING.value,
                        )
                    )
                )
            )
        )

    @staticmethod
    def _claim(
        session: Session, source: str, number: int, column: str, old: str | None, value: str, now: datetime
    ) -> bool:
        """Move the seen value from `old` to `value`, only if it still is `old`: True when this
        call made the change (two replicas never both do)."""
        if old is None:
            if value == "":
                return False  # an empty cell never filled: nothing to tell
            result = session.execute(
                _insert(session)(SheetCellRow)
                .values(source=source, signal_number=number, column_name=column, value=value, seen_at=now)
                .on_conflict_do_nothing()
            )
        else:
            result = session.execute(
                update(SheetCellRow)
                .where(
                    SheetCellRow.source == source,
                    SheetCellRow.signal_number == number,
                    SheetCellRow.column_name == column,
                    SheetCellRow.value == old,
                )
                .values(value=value, seen_at=now)
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]
