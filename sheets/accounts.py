"""The Accounts tab: read with one Sheets read (or from the local .xlsx without SPREADSHEET_ID),
resolved through the user directory, and written whole by `hiyoko accounts import`.

A missing tab (or .xlsx) is "no accounts", not an error: every signal then goes to the teams.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gspread
from gspread.utils import ValueInputOption, absolute_range_name

from models.accounts import AccountsReading, read_accounts
from models.clock import SystemClock
from settings import Settings
from sheets.google import NEW_TAB_ROWS, open_client, to_sheet_value
from sheets.xlsx import read_tab, replace_tab
from store.db import Database
from store.directory import Directory


@dataclass(frozen=True)
class AccountsTab:
    where: str  # for messages: the spreadsheet or file, and the tab
    rows: list[list[object]] | None  # None: there is no such tab


def accounts_where(settings: Settings) -> str:
    tab = settings.hiyoko_accounts_tab
    if settings.spreadsheet_id:
        return f"Google Sheet {settings.spreadsheet_id}, tab {tab}"
    return f"{settings.hiyoko_xlsx_path.resolve()}, tab {tab}"


def _client(settings: Settings) -> gspread.Client:
    return open_client(
        settings.sheets_emulator_host, settings.google_application_credentials, settings.hiyoko_sheets_timeout
    )


def read_accounts_tab(settings: Settings) -> AccountsTab:
    """The tab's rows as the sheet shows them (row 1 first). Google: one values.get on the tab,
    nothing else (no spreadsheet metadata): a tab that is not there answers "Unable to parse range"."""
    where, tab = accounts_where(settings), settings.hiyoko_accounts_tab
    if not settings.spreadsheet_id:
        return AccountsTab(where, read_tab(settings.hiyoko_xlsx_path, tab))
    try:
        answer = _client(settings).http_client.values_get(settings.spreadsheet_id, absolute_range_name(tab))
    except gspread.exceptions.APIError as error:
        if error.code == 400 and "Unable to parse range" in str(error):
            return AccountsTab(where, None)
        raise
    return AccountsTab(where, [list(row) for row in answer.get("values", [])])


def load_accounts(settings: Settings, db: Database) -> tuple[AccountsTab, AccountsReading]:
    """Read the tab now and resolve its people through the user directory (the database)."""
    tab = read_accounts_tab(settings)
    people = Directory(db, SystemClock()).people()
    return tab, read_accounts(tab.rows or [], people)


def write_accounts_tab(settings: Settings, rows: list[list[str]]) -> str:
    """Make the tab hold exactly these rows (header first), every cell as text — never a formula.
    Creates the tab when it is missing. Returns where it wrote."""
    tab = settings.hiyoko_accounts_tab
    if not settings.spreadsheet_id:
        replace_tab(settings.hiyoko_xlsx_path, tab, rows)
        return accounts_where(settings)
    width = max((len(row) for row in rows), default=1)
    spreadsheet = _client(settings).open_by_key(settings.spreadsheet_id)
    try:
        worksheet = spreadsheet.worksheet(tab)
    except gspread.WorksheetNotFound:
        worksheet = spreadsheet.add_worksheet(tab, rows=max(NEW_TAB_ROWS, len(rows)), cols=max(26, width))
    growth: list[dict[str, Any]] = [
        {"appendDimension": {"sheetId": worksheet.id, "dimension": dimension, "length": length}}
        for dimension, length in (
            ("ROWS", len(rows) - worksheet.row_count),
            ("COLUMNS", width - worksheet.col_count),
        )
        if length > 0
    ]
    if growth:
        spreadsheet.batch_update({"requests": growth})
    spreadsheet.values_clear(absolute_range_name(tab))
    spreadsheet.values_update(
        absolute_range_name(tab, "A1"),
        params={"valueInputOption": ValueInputOption.user_entered.value},
        body={"values": [[to_sheet_value(cell) for cell in row] for row in rows]},
    )
    return accounts_where(settings)
