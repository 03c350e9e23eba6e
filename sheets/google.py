"""The Google Sheets backend (gspread), with SHEETS_EMULATOR_HOST for a local emulator."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import gspread
import requests
from gspread.utils import ValueInputOption, absolute_range_name, rowcol_to_a1
from requests.adapters import HTTPAdapter

from settings import Settings
from sheets.table import Cell, plan_upsert

SHEETS_SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
GOOGLE_BASE = "https://sheets.googleapis.com"
CONNECT_TIMEOUT = 5.0
NEW_TAB_ROWS = 1000


class _EmulatorAdapter(HTTPAdapter):
    """Sends what gspread addresses to Google to a plain-HTTP emulator instead."""

    def __init__(self, host: str) -> None:
        super().__init__()
        self.base = f"http://{host}"

    def send(self, request: requests.PreparedRequest, *args: object, **kwargs: object) -> requests.Response:
        if request.url and request.url.startswith(GOOGLE_BASE):
            request.url = self.base + request.url[len(GOOGLE_BASE) :]
        return super().send(request, *args, **kwargs)  # type: ignore[arg-type]


def open_client(emulator_host: str | None, credentials_file: Path | None, read_timeout: float = 30.0) -> gspread.Client:
    """A gspread client: the emulator without credentials, or a service-account key."""
    if emulator_host:
        session = requests.Session()
        session.mount(GOOGLE_BASE, _EmulatorAdapter(emulator_host))
        client = gspread.Client(auth=None, session=session)  # type: ignore[arg-type]
    elif credentials_file:
        client = gspread.service_account(filename=credentials_file, scopes=SHEETS_SCOPES)
    else:
        raise ValueError("SPREADSHEET_ID is set but neither GOOGLE_APPLICATION_CREDENTIALS nor SHEETS_EMULATOR_HOST")
    client.set_timeout((CONNECT_TIMEOUT, read_timeout))  # a hung API must not hold the relay forever
    return client


def to_sheet_value(cell: Cell) -> str | int:
    """USER_ENTERED input: text gets the quote prefix so it stays text (no formulas, no
    numbers or dates guessed from what people typed); dates go in a form Sheets parses."""
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, int):
        return cell
    return "'" + cell if cell else ""


class GoogleSheetTable:
    def __init__(self, client: gspread.Client, spreadsheet_id: str, tab: str) -> None:
        self.client = client
        self.spreadsheet_id = spreadsheet_id
        self.tab = tab
        # The spreadsheet and tab are looked up once and kept: a batch then costs two calls
        # (read the ID column, write the rows). Any failure forgets them, so a tab a person
        # renamed, deleted or shrank is looked up afresh on the retry.
        self._opened: tuple[gspread.Spreadsheet, gspread.Worksheet] | None = None

    def describe(self) -> str:
        return f"Google Sheet {self.spreadsheet_id}, tab {self.tab}"

    def _worksheet(self, columns: int) -> tuple[gspread.Spreadsheet, gspread.Worksheet]:
        if self._opened is None:
            spreadsheet = self.client.open_by_key(self.spreadsheet_id)
            try:
                worksheet = spreadsheet.worksheet(self.tab)
            except gspread.WorksheetNotFound:
                worksheet = spreadsheet.add_worksheet(self.tab, rows=NEW_TAB_ROWS, cols=max(26, columns))
            self._opened = (spreadsheet, worksheet)
        return self._opened

    def _ids(self, spreadsheet: gspread.Spreadsheet) -> list[str]:
        values = spreadsheet.values_get(absolute_range_name(self.tab, "A:A")).get("values", [])
        return [str(row[0]) if row else "" for row in values]

    def upsert(self, header: list[str], rows: list[list[Cell]]) -> None:
        try:
            self._upsert(header, rows)
        except Exception:
            self._opened = None
            raise

    def _upsert(self, header: list[str], rows: list[list[Cell]]) -> None:
        # Calls per batch, whatever its size: the ID column, [grow], one values write.
        spreadsheet, worksheet = self._worksheet(len(header))
        ids = self._ids(spreadsheet)
        plan = plan_upsert(ids, rows)
        last_row = max(plan.last_row, len(ids), 1)
        grow_rows = max(0, last_row - worksheet.row_count)
        grow_cols = max(0, len(header) - worksheet.col_count)
        # Grow by appending (appendDimension), never by setting a size: a size computed from a
        # stale count could shrink a grid another replica has just grown, deleting its rows.
        # (gspread's add_rows sets a size.) The grid changed: look it up afresh next time.
        growth = [
            {"appendDimension": {"sheetId": worksheet.id, "dimension": dimension, "length": length}}
            for dimension, length in (("ROWS", grow_rows), ("COLUMNS", grow_cols))
            if length
        ]
        if growth:
            spreadsheet.batch_update({"requests": growth})
            self._opened = None
        last_col = rowcol_to_a1(1, len(header)).rstrip("1")
        data: list[dict[str, Any]] = [{"range": absolute_range_name(self.tab, f"A1:{last_col}1"), "values": [header]}]
        numbered = sorted([*plan.updates.items(), *enumerate(plan.appends, start=plan.first_append_row)])
        # Consecutive rows travel as one range, keeping the request small for a full resync.
        start = 0
        while start < len(numbered):
            end = start
            while end + 1 < len(numbered) and numbered[end + 1][0] == numbered[end][0] + 1:
                end += 1
            first, last = numbered[start][0], numbered[end][0]
            data.append(
                {
                    "range": absolute_range_name(self.tab, f"A{first}:{last_col}{last}"),
                    "values": [[to_sheet_value(c) for c in row] for _, row in numbered[start : end + 1]],
                }
            )
            start = end + 1
        spreadsheet.values_batch_update({"valueInputOption": ValueInputOption.user_entered.value, "data": data})


def sharing_identity(settings: Settings) -> str:
    """Whom to share the spreadsheet with: the service account's e-mail from its key file, or
    "emulator" when SHEETS_EMULATOR_HOST stands in for Google (no key, no account)."""
    key_file = settings.google_application_credentials
    if key_file is not None:
        try:
            email = json.loads(key_file.read_text(encoding="utf-8")).get("client_email")
        except (OSError, ValueError, AttributeError):
            email = None
        if isinstance(email, str) and email:
            return email
    if settings.sheets_emulator_host:
        return f"emulator ({settings.sheets_emulator_host})"
    return str(key_file or "GOOGLE_APPLICATION_CREDENTIALS")
