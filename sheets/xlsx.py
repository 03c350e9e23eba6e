"""The local .xlsx backend, used when no SPREADSHEET_ID is set. Same table, same upsert."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from sheets.table import Cell, plan_upsert

_lock = threading.Lock()  # one writer per process; the file is replaced atomically


class XlsxTable:
    def __init__(self, path: Path, tab: str) -> None:
        self.path = path
        self.tab = tab

    def describe(self) -> str:
        return f"{self.path.resolve()}, tab {self.tab}"

    def _open(self) -> tuple[Workbook, Worksheet]:
        if self.path.exists():
            workbook = load_workbook(self.path)
        else:
            workbook = Workbook()
            workbook.active.title = self.tab
        if self.tab not in workbook.sheetnames:
            workbook.create_sheet(self.tab)
        return workbook, workbook[self.tab]

    def upsert(self, header: list[str], rows: list[list[Cell]]) -> None:
        with _lock:
            workbook, sheet = self._open()
            plan = plan_upsert(_ids(sheet), rows)
            _write_row(sheet, 1, header)
            for number, row in plan.updates.items():
                _write_row(sheet, number, row)
            for number, row in enumerate(plan.appends, start=plan.first_append_row):
                _write_row(sheet, number, row)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".xlsx.tmp")
            os.close(handle)
            try:
                workbook.save(temporary)
                os.replace(temporary, self.path)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)


def _ids(sheet: Worksheet) -> list[str]:
    last = sheet.max_row if sheet.max_row > 1 or sheet["A1"].value is not None else 0
    return [
        "" if sheet.cell(row=r, column=1).value is None else str(sheet.cell(row=r, column=1).value)
        for r in range(1, last + 1)
    ]


def _write_row(sheet: Worksheet, number: int, values: Sequence[Cell]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=number, column=column)
        if isinstance(value, datetime):
            cell.value = value.replace(tzinfo=None)  # already local time; Excel has no zones
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, str):
            cell.value = value or None
            cell.data_type = "s"  # text stays text: openpyxl would turn "=..." into a formula
        else:
            cell.value = value
            if not isinstance(value, int):
                cell.number_format = "yyyy-mm-dd"


def read_tab(path: Path, tab: str) -> list[list[object]] | None:
    """Every row of one tab (row 1 first), or None when the file or the tab is not there."""
    if not path.exists():
        return None
    with _lock:
        workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        if tab not in workbook.sheetnames:
            return None
        return [list(values) for values in workbook[tab].iter_rows(values_only=True)]
    finally:
        workbook.close()


def replace_tab(path: Path, tab: str, rows: list[list[str]]) -> None:
    """Make the tab hold exactly these rows, every cell as text; the other tabs are kept."""
    with _lock:
        workbook = load_workbook(path) if path.exists() else None
        if workbook is None:
            workbook = Workbook()
            workbook.active.title = tab
        elif tab in workbook.sheetnames:
            index = workbook.sheetnames.index(tab)
            workbook.remove(workbook[tab])
            workbook.create_sheet(tab, index)
        else:
            workbook.create_sheet(tab)
        sheet = workbook[tab]
        for number, row in enumerate(rows, start=1):
            _write_row(sheet, number, row)
        _save(workbook, path)


def _save(workbook: Workbook, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".xlsx.tmp")
    os.close(handle)
    try:
        workbook.save(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
