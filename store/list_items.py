"""Which Slack List item mirrors which signal (sheets/slack_list.py writes through this).

An item id of "" marks a create that was sent but whose answer was never recorded (a crash, a
lost response): the next sync looks for the item by its ID cell before it creates another.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select

from models.clock import Clock
from store.db import Database
from store.tables import ListItemRow

PENDING = ""  # item_id of a create that may or may not have happened


class ListItem(NamedTuple):
    list_id: str
    item_id: str  # PENDING while a create's answer is not recorded


class ListItemStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def get(self, number: int, list_id: str) -> ListItem | None:
        """The item of this signal in this list (an item in another list — the setting changed —
        does not count)."""
        with self.db.read() as session:
            row = session.get(ListItemRow, number)
            if row is None or row.list_id != list_id:
                return None
            return ListItem(row.list_id, row.item_id)

    def record(self, number: int, list_id: str, item_id: str) -> None:
        """Remember the item (PENDING: a create is about to be sent)."""
        with self.db.transaction() as session:
            row = session.get(ListItemRow, number)
            if row is None:
                session.add(
                    ListItemRow(signal_number=number, list_id=list_id, item_id=item_id, updated_at=self.clock.now())
                )
            else:
                row.list_id, row.item_id, row.updated_at = list_id, item_id, self.clock.now()

    def all(self, list_id: str) -> dict[int, str]:
        """Signal number → item id, for every recorded item of this list."""
        with self.db.read() as session:
            rows = session.scalars(select(ListItemRow).where(ListItemRow.list_id == list_id))
            return {row.signal_number: row.item_id for row in rows}
