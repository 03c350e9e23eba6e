"""One sheet writer at a time across processes on SQLite too (`Database.exclusive`: an flock on a
file beside the database). A writer places new rows after the last ID it read, so two processes
writing at once — the app and `hiyoko import` beside it — would write over each other's rows."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from fakes.process import ROOT
from fakes.sheets_api import FakeSheets
from store.db import Database
from tests.conftest import SPREADSHEET

# A process that writes `count` new rows, one upsert each, under the sheet lock — as a relay does.
WRITER = """
import sys
from sheets.google import GoogleSheetTable, open_client
from store.db import Database

url, host, spreadsheet, prefix, count = sys.argv[1:6]
db = Database(url)
table = GoogleSheetTable(open_client(host, None, 30.0), spreadsheet, "Signals")
for index in range(int(count)):
    with db.exclusive("sheet:sync_signals"):
        table.upsert(["ID", "writer"], [[f"{prefix}-{index:03d}", prefix]])
"""


def test_two_processes_writing_the_sheet_on_sqlite_lose_no_row(tmp_path: Path, fake_sheets: FakeSheets) -> None:
    fake_sheets.latency = 0.03  # every Sheets call takes a while: the writers would interleave
    url = f"sqlite:///{tmp_path / 'hiyoko.db'}"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, fake_sheets.host, SPREADSHEET, prefix, "15"],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix in ("APP", "CLI")
    ]
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors
    ids = [row[0] for row in fake_sheets.values(SPREADSHEET, "Signals")[1:]]
    expected = sorted(f"{prefix}-{index:03d}" for prefix in ("APP", "CLI") for index in range(15))
    assert sorted(ids) == expected
    assert (tmp_path / "hiyoko.db.sheet-sync_signals.lock").exists()


def test_the_lock_is_released_when_its_holder_dies(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hiyoko.db'}"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time\nfrom store.db import Database\n"
                "with Database(sys.argv[1]).exclusive('sheet:x'):\n    print('held', flush=True)\n    time.sleep(60)\n"
            ),
            url,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.kill()  # SIGKILL while holding it
    holder.wait()
    started = time.monotonic()
    with Database(url).exclusive("sheet:x"):
        assert time.monotonic() - started < 2
