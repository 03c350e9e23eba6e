"""Who is away (`/hiyoko away`): routing skips them, and their nudges and reminders wait until
they are back. One row per person: a new absence replaces the old one; `back` ends it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.db import Database
from store.tables import AwayRow


def away_on(session: Session, day: date) -> frozenset[str]:
    """The people away on `day` (both ends of an absence included), inside the caller's transaction."""
    rows = session.scalars(select(AwayRow.user_id).where(AwayRow.away_from <= day, AwayRow.away_until >= day))
    return frozenset(rows)


class AbsenceStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def set_away(self, user_id: str, start: date, until: date, now: datetime) -> None:
        """Away from `start` to `until`, both included; replaces any earlier absence of theirs."""
        values = {"user_id": user_id, "away_from": start, "away_until": until, "updated_at": now}
        with self.db.transaction() as session:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            statement = insert(AwayRow).values(values)
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=[AwayRow.user_id],
                    set_={name: statement.excluded[name] for name in values if name != "user_id"},
                )
            )

    def back(self, user_id: str) -> bool:
        """End their absence now; False when they had none."""
        with self.db.transaction() as session:
            result = session.execute(delete(AwayRow).where(AwayRow.user_id == user_id))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def current(self, today: date) -> list[tuple[str, date, date]]:
        """(user, from, until) of every absence not over by `today` (today's and planned ones),
        soonest back first."""
        with self.db.read() as session:
            rows = session.execute(
                select(AwayRow.user_id, AwayRow.away_from, AwayRow.away_until)
                .where(AwayRow.away_until >= today)
                .order_by(AwayRow.away_until, AwayRow.user_id)
            )
            return [(user, start, until) for user, start, until in rows]
