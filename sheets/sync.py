"""From signals to sheet rows, and the sync that writes them in batches."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from i18n import t
from models.signal import SignalRecord
from settings import Settings
from sheets.google import GoogleSheetTable, open_client
from sheets.table import Cell, SheetTable
from sheets.xlsx import XlsxTable

# The bot's columns, left to right; column A is the key. People's own columns go after these.
COLUMNS = (
    "id", "kind", "status", "customer", "category", "summary", "timing", "size", "source",
    "submitter", "submitter_id", "owner", "owner_id", "created", "updated", "hatched", "closed",
    "reason", "link",
)  # fmt: skip


def header(lang: str) -> list[str]:
    return ["ID" if column == "id" else t(f"sheet.{column}", lang) for column in COLUMNS]


def to_row(signal: SignalRecord, lang: str, zone: ZoneInfo) -> list[Cell]:
    def local(moment: datetime | None) -> Cell:
        return moment.astimezone(zone) if moment else ""

    return [
        signal.id,
        f"{signal.kind.emoji} {t(f'kind.{signal.kind.value}.short', lang)}",
        t(f"status.{signal.status.value}", lang),
        signal.customer,
        t(f"category.{signal.category.value}", lang),
        signal.summary,
        signal.timing or "",
        signal.size,
        signal.source,
        signal.submitter_name,
        signal.submitter_id,
        signal.owner_name,
        signal.owner_id,
        local(signal.created_at),
        local(signal.updated_at),
        local(signal.hatched_at),
        local(signal.closed_at),
        signal.close_reason,
        signal.card_permalink or "",
    ]


def open_table(settings: Settings) -> SheetTable:
    """The Google Sheet when SPREADSHEET_ID is set, else the local .xlsx."""
    if settings.spreadsheet_id:
        client = open_client(settings.sheets_emulator_host, settings.google_application_credentials,
                             settings.hiyoko_sheets_timeout)
        return GoogleSheetTable(client, settings.spreadsheet_id, settings.hiyoko_sheet_tab)
    return XlsxTable(settings.hiyoko_xlsx_path, settings.hiyoko_sheet_tab)


class SheetSync:
    """Writes signals to the table: a whole batch in one upsert, whatever its size."""

    def __init__(self, table: SheetTable, lang: str, zone: ZoneInfo) -> None:
        self.table = table
        self.lang = lang
        self.zone = zone

    def write(self, signals: Iterable[SignalRecord]) -> int:
        rows = [to_row(signal, self.lang, self.zone) for signal in signals]
        if rows:
            self.table.upsert(header(self.lang), rows)
        return len(rows)
