"""The sheet: a Google Sheet through gspread, or a local .xlsx when no spreadsheet is set."""

from sheets.sync import SheetSync, open_tables
from sheets.table import Cell, SheetTable, UpsertPlan, plan_upsert

__all__ = ["Cell", "SheetSync", "SheetTable", "UpsertPlan", "open_tables", "plan_upsert"]
