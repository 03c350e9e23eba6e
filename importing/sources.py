"""Reading an old signal sheet: a local .xlsx or .csv export, or a Google Sheet by id or URL.

Every source becomes the same thing: its rows as lists of cells, numbered as the sheet numbers
them (row 1 is the first row), so a refusal can name the row a person can find.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import gspread
from openpyxl import load_workbook

from settings import Settings
from sheets.google import open_client, sharing_identity

# A cell as read: text from .csv and Google Sheets; text, numbers and dates from .xlsx.
SourceCell = object

_SPREADSHEET_URL = re.compile(r"https://docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")
_SPREADSHEET_ID = re.compile(r"[A-Za-z0-9_-]{20,}")
# Encodings a CSV from a Japanese office arrives in: UTF-8 (with or without the BOM Excel writes
# for "CSV UTF-8"), then Windows-31J/Shift_JIS (Excel's plain "CSV").
CSV_ENCODINGS = ("utf-8-sig", "cp932", "shift_jis")


class SourceError(Exception):
    """The source cannot be read; `key`/`params` word the reason for the operator."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class SourceTable:
    description: str
    rows: list[tuple[int, list[SourceCell]]]  # (row number in the sheet, cells), blank rows included


def spreadsheet_id_of(source: str) -> str | None:
    """The spreadsheet id in a Google Sheets URL, or the source itself when it looks like an id."""
    url = _SPREADSHEET_URL.match(source)
    if url:
        return url[1]
    return source if _SPREADSHEET_ID.fullmatch(source) else None


def read_source(source: str, tab: str | None, settings: Settings) -> SourceTable:
    path = Path(source).expanduser()
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            return read_xlsx(path, tab)
        if suffix in (".csv", ".txt", ".tsv"):
            return read_csv(path, delimiter="\t" if suffix == ".tsv" else ",")
        raise SourceError("import.error.unknown_format", path=str(path))
    spreadsheet_id = spreadsheet_id_of(source)
    if spreadsheet_id is None or path.suffix:
        raise SourceError("import.error.no_source", source=source)
    return read_google(spreadsheet_id, tab, settings)


def read_xlsx(path: Path, tab: str | None) -> SourceTable:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # a damaged or password-protected file: say so in one line
        raise SourceError("import.error.unreadable", source=str(path), reason=str(error)) from None
    try:
        if tab is not None and tab not in workbook.sheetnames:
            raise SourceError("import.error.no_tab", tab=tab, tabs=", ".join(workbook.sheetnames))
        sheet = workbook[tab] if tab is not None else workbook.worksheets[0]
        rows = [(number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
        return SourceTable(f"{path} [{sheet.title}]", rows)
    finally:
        workbook.close()


def decode_csv(data: bytes) -> str:
    """The text of a CSV in any of the encodings Japanese exports come in."""
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError("import.error.encoding", encodings=", ".join(CSV_ENCODINGS))


def read_csv(path: Path, delimiter: str = ",") -> SourceTable:
    text = decode_csv(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # csv counts physical lines in line_num; a quoted cell may span several, so count records.
    rows: list[tuple[int, list[SourceCell]]] = [(number, list(cells)) for number, cells in enumerate(reader, start=1)]
    return SourceTable(str(path), rows)


def read_google(spreadsheet_id: str, tab: str | None, settings: Settings) -> SourceTable:
    try:
        client = open_client(
            settings.sheets_emulator_host, settings.google_application_credentials, settings.hiyoko_sheets_timeout
        )
    except ValueError:
        raise SourceError("import.error.no_google_credentials") from None
    try:
        spreadsheet = client.open_by_key(spreadsheet_id)
        worksheet = spreadsheet.worksheet(tab) if tab is not None else spreadsheet.sheet1
        values = worksheet.get_all_values()
    except gspread.WorksheetNotFound:
        titles = ", ".join(sheet.title for sheet in spreadsheet.worksheets())
        raise SourceError("import.error.no_tab", tab=tab, tabs=titles) from None
    except (gspread.SpreadsheetNotFound, PermissionError):
        raise SourceError(
            "import.error.google_not_shared", spreadsheet=spreadsheet_id, who=sharing_identity(settings)
        ) from None
    except Exception as error:  # quota, network, a bad key: one line with Google's reason
        raise SourceError("import.error.unreadable", source=spreadsheet_id, reason=str(error)) from None
    rows: list[tuple[int, list[SourceCell]]] = [(number, list(cells)) for number, cells in enumerate(values, start=1)]
    return SourceTable(f"Google Sheet {spreadsheet_id} [{worksheet.title}]", rows)
