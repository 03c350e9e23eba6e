"""What every sheet backend does: upsert rows keyed by the ID in their first column."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

# A cell we write. Every `str` is text (never a formula); dates and datetimes are real dates.
Cell = str | int | date | datetime


@dataclass(frozen=True)
class UpsertPlan:
    """Which sheet rows (1-based) get which values; new rows go after the last used row."""

    updates: dict[int, list[Cell]] = field(default_factory=dict)
    appends: list[list[Cell]] = field(default_factory=list)
    first_append_row: int = 2

    @property
    def last_row(self) -> int:
        return self.first_append_row + len(self.appends) - 1


def plan_upsert(existing_ids: list[str], rows: list[list[Cell]]) -> UpsertPlan:
    """Place each row: over the sheet row that already holds its ID, or appended at the end.

    `existing_ids[i]` is the ID column's value at sheet row i+1 (row 1 is the header). When an
    ID appears twice in `rows`, the last one wins; duplicates a person made in the sheet are left
    alone and the first occurrence is the one kept up to date.
    """
    where: dict[str, int] = {}
    for index, value in enumerate(existing_ids[1:], start=2):
        key = value.strip()
        if key and key not in where:
            where[key] = index
    updates: dict[int, list[Cell]] = {}
    appends: dict[str, list[Cell]] = {}
    for row in rows:
        key = str(row[0])
        if key in where:
            updates[where[key]] = row
        else:
            appends[key] = row
    return UpsertPlan(updates, list(appends.values()), max(len(existing_ids), 1) + 1)


class SheetTable(Protocol):
    """A tab with a header row; the bot's columns start at A, people's columns follow them."""

    def upsert(self, header: list[str], rows: list[list[Cell]]) -> None:
        """Write `header` to row 1 and each row over its ID's row, appending new IDs."""
        ...

    def describe(self) -> str:
        """Where the rows go, for messages to operators."""
        ...
