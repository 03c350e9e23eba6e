"""Sheet read-back: the `Signals` tab read whole in one call per poll (Google: one values.get of
the tab, header and rows; without SPREADSHEET_ID: the local .xlsx), each row found by its `ID`
(wherever people sorted, filtered or moved it), handed to store/readback.py.

Read: people's columns headed コメント/Comment, 進捗/Progress, 次のアクション/Next step (case and
width forgiven) and those named in HIYOKO_SHEET_READBACK_COLUMNS; and hiyoko's own Status, Owner
and Timing cells (by hiyoko's header in HIYOKO_LANGUAGE, or the other language's).

Quota first: the read shares the per-user quota with the writes. A 429 skips this poll and
waits longer before the next (doubling, up to 4× the interval); the writes never wait on it,
and no edit is lost: the sheet keeps it, and the next poll reads it.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import gspread
from gspread.utils import absolute_range_name

from i18n import t
from models.signal import parse_signal_id
from settings import Settings
from sheets.google import open_client
from sheets.sync import COLUMNS
from sheets.xlsx import read_tab
from store.readback import OWN_FIELDS, ObservedRow, ReadbackResult, ReadbackStore

SOURCE = "sheet"
PEOPLE_HEADERS = ("コメント", "Comment", "進捗", "Progress", "次のアクション", "Next step")
MAX_BACKOFF = 4  # × the poll interval


def normalize(text: str) -> str:
    """Headers compared as people see them: width (ＣＯＭＭＥＮＴ), case and spacing forgiven."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def people_headers(extra: str) -> set[str]:
    return {normalize(h) for h in (*PEOPLE_HEADERS, *extra.split(",")) if h.strip()}


def own_headers(lang: str) -> dict[str, str]:
    """Normalized header → own field, hiyoko's language first (it wins a clash)."""
    found: dict[str, str] = {}
    for language in (lang, *(other for other in ("ja", "en") if other != lang)):
        for field in OWN_FIELDS:
            found.setdefault(normalize(t(f"sheet.{field}", language)), field)
    return found


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.date().isoformat()
    return str(value).strip()


def observe(rows: list[list[object]], lang: str, extra: str = "") -> list[ObservedRow]:
    """The rows of the tab as read (row 1 the header) → one ObservedRow per row with a signal ID.
    A row without an ID that reads as one is ignored; an ID seen twice: its first row counts (as
    the upsert keeps the first up to date)."""
    if not rows:
        return []
    head = [normalize(_text(cell)) for cell in rows[0]]
    if "id" not in head:
        return []
    id_column = head.index("id")
    wanted = people_headers(extra)
    people = {
        index: _text(rows[0][index]) for index, name in enumerate(head) if index >= len(COLUMNS) and name in wanted
    }
    own_names = own_headers(lang)
    own: dict[int, str] = {}
    for index, name in enumerate(head[: len(COLUMNS)]):
        field = own_names.get(name)
        if field is not None and field not in own.values():
            own[index] = field
    observed: dict[int, ObservedRow] = {}
    for line in rows[1:]:

        def cell(index: int, line: list[object] = line) -> str:
            return _text(line[index]) if index < len(line) else ""

        number = parse_signal_id(cell(id_column))
        if number is None or number in observed:
            continue
        observed[number] = ObservedRow(
            number,
            {header: cell(index) for index, header in people.items()},
            {field: cell(index) for index, field in own.items()},
        )
    return list(observed.values())


def read_signals_tab(settings: Settings, client: gspread.Client | None = None) -> list[list[object]] | None:
    """Every row of the Signals tab, header first, in one read; None when there is no such tab."""
    tab = settings.hiyoko_sheet_tab
    if not settings.spreadsheet_id:
        return read_tab(settings.hiyoko_xlsx_path, tab)
    client = client or open_client(
        settings.sheets_emulator_host, settings.google_application_credentials, settings.hiyoko_sheets_timeout
    )
    try:
        answer = client.http_client.values_get(settings.spreadsheet_id, absolute_range_name(tab))
    except gspread.exceptions.APIError as error:
        if error.code == 400 and "Unable to parse range" in str(error):
            return None
        raise
    return [list(row) for row in answer.get("values", [])]


@dataclass
class _Pace:
    gap: timedelta = timedelta(0)  # 0: on schedule; else the time between reads after a 429
    not_before: datetime | None = None


_paces: dict[str, _Pace] = {}
_paces_lock = threading.Lock()


class SheetReadback:
    """One poll of the sheet: read, observe, apply. Holds the in-memory pace (backoff) of this
    process for its spreadsheet; another replica that polls keeps its own."""

    def __init__(self, settings: Settings, store: ReadbackStore) -> None:
        self.settings = settings
        self.store = store
        self.interval = timedelta(minutes=max(1, settings.hiyoko_sheet_readback_minutes))
        where = settings.spreadsheet_id or str(settings.hiyoko_xlsx_path)
        with _paces_lock:
            self.pace = _paces.setdefault(f"{settings.database_url}|{where}|{settings.hiyoko_sheet_tab}", _Pace())

    def poll(self, now: datetime) -> str:
        pace = self.pace
        if pace.not_before is not None and now < pace.not_before:
            return f"sheet_readback: slowed by a 429, next read after {pace.not_before.isoformat(timespec='seconds')}"
        try:
            rows = read_signals_tab(self.settings)
        except gspread.exceptions.APIError as error:
            if error.code != 429:
                raise
            # The gap between reads doubles (2×, then 4× the interval, no more); half an interval
            # of slack so a timer that fires a little early still reads at the slot meant.
            pace.gap = min(max(pace.gap, self.interval) * 2, self.interval * MAX_BACKOFF)
            pace.not_before = now + pace.gap - self.interval / 2
            return f"sheet_readback: 429 (quota), this poll skipped; next read in {int(pace.gap.total_seconds())}s"
        pace.gap, pace.not_before = timedelta(0), None
        if rows is None:
            return f"sheet_readback: no {self.settings.hiyoko_sheet_tab} tab yet"
        observed = observe(rows, self.settings.hiyoko_language, self.settings.hiyoko_sheet_readback_columns)
        result: ReadbackResult = self.store.apply(SOURCE, observed)
        return f"sheet_readback: {len(observed)} row(s), {result.notes} note(s), {result.proposals} proposal(s)"
