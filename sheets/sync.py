"""From signals to sheet rows, and the sync that writes them in batches."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from i18n import t
from models.signal import EventRecord, Kind, SignalRecord, Status, format_signal_id
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


HISTORY_COLUMNS = ("event_id", "id", "at", "action", "actor", "actor_id", "from", "to", "note", "detail")


def header(lang: str) -> list[str]:
    return ["ID" if column == "id" else t(f"sheet.{column}", lang) for column in COLUMNS]


def history_header(lang: str) -> list[str]:
    return [t(f"history.{column}", lang) for column in HISTORY_COLUMNS]


def _state(kind: Kind | None, status: Status | None, lang: str) -> str:
    if kind is None or status is None:
        return ""
    return f"{kind.emoji} {t(f'kind.{kind.value}.short', lang)} / {t(f'status.{status.value}', lang)}"


def to_history_row(event: EventRecord, lang: str, zone: ZoneInfo) -> list[Cell]:
    return [
        event.public_id,
        format_signal_id(event.signal_number),
        event.at.astimezone(zone),
        t(f"action.{event.action}", lang),
        event.actor_name,
        event.actor_id,
        _state(event.from_kind, event.from_status, lang),
        _state(event.to_kind, event.to_status, lang),
        event.note,
        ", ".join(f"{key}={value}" for key, value in sorted(event.detail.items())),
    ]


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


def open_tables(settings: Settings) -> tuple[SheetTable, SheetTable]:
    """The signals tab and the History tab: of the Google Sheet when SPREADSHEET_ID is set,
    else of the local .xlsx."""
    tabs = (settings.hiyoko_sheet_tab, settings.hiyoko_history_tab)
    if settings.spreadsheet_id:
        client = open_client(
            settings.sheets_emulator_host, settings.google_application_credentials, settings.hiyoko_sheets_timeout
        )
        signals, history = (GoogleSheetTable(client, settings.spreadsheet_id, tab) for tab in tabs)
        return signals, history
    return XlsxTable(settings.hiyoko_xlsx_path, tabs[0]), XlsxTable(settings.hiyoko_xlsx_path, tabs[1])


class SheetSync:
    """Writes signals and their history: a whole batch in one upsert per tab, whatever its size."""

    def __init__(self, tables: tuple[SheetTable, SheetTable], lang: str, zone: ZoneInfo) -> None:
        self.table, self.history = tables
        self.lang = lang
        self.zone = zone

    def write(self, signals: Iterable[SignalRecord]) -> int:
        rows = [to_row(signal, self.lang, self.zone) for signal in signals]
        if rows:
            self.table.upsert(header(self.lang), rows)
        return len(rows)

    def write_history(self, events: Iterable[EventRecord]) -> int:
        rows = [to_history_row(event, self.lang, self.zone) for event in events]
        if rows:
            self.history.upsert(history_header(self.lang), rows)
        return len(rows)
