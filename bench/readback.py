"""Sheet read-back figures: Sheets calls per poll and the time a poll takes at 1,000 and 10,000
signals (the fake Sheets API, SQLite), and the seconds from a sheet edit to its thread line.

    python -m bench.readback [--signals 1000 10000]

Part 1 writes N signals to the fake sheet through SheetSync (as the relay does), adds a
Comment column filled for every row, then polls: the first poll (a silent baseline), a poll
with nothing changed, and a poll after 10 edits; each prints the calls the fake counted.
Part 2 runs a whole hiyoko (fake Slack and Sheets) on one signal and times the way of one
edit: the poll that reads it, then the relay that posts its thread line.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert

import app
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import SIGNING_SECRET, bolt_request, interactive_body, modal_state, view_submission
from jobs.relay import IDLE_POLL_SECONDS
from models.clock import FixedClock
from settings import Settings
from sheets.readback import SheetReadback
from sheets.sync import COLUMNS, SheetSync, open_tables
from store import Database, upgrade_database
from store.readback import ReadbackStore
from store.signals import SignalStore
from store.tables import SignalRow

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=TOKYO)
SPREADSHEET = "bench-sheet"
CHANNEL = "CSIGNALS"


def _settings(workdir: Path, fake_sheets: FakeSheets, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_app_token": None,
        "signals_channel_id": CHANNEL,
        "digest_channel_id": "CDIGEST",
        "database_url": f"sqlite:///{workdir / 'hiyoko.db'}",
        "spreadsheet_id": SPREADSHEET,
        "sheets_emulator_host": fake_sheets.host,
        "hiyoko_xlsx_path": workdir / "hiyoko.xlsx",
        "hiyoko_timezone": "Asia/Tokyo",
        "hiyoko_language": "ja",
        **extra,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def _signals(db: Database, count: int) -> None:
    rows = [
        {
            "number": n,
            "customer": f"顧客{n}",
            "customer_key": f"顧客{n}",
            "kind": "egg",
            "category": "seats",
            "status": "open",
            "summary": "もっと使いたい",
            "submitter_id": "UCSM",
            "submitter_name": "佐藤",
            "owner_id": "UAE",
            "owner_name": "田中",
            "created_at": NOW - timedelta(days=1),
            "updated_at": NOW - timedelta(days=1),
            "last_activity_at": NOW - timedelta(days=1),
        }
        for n in range(1, count + 1)
    ]
    with db.transaction() as session:
        for start in range(0, len(rows), 1000):
            session.execute(insert(SignalRow), rows[start : start + 1000])


def scale(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder, FakeSheets(read_quota=None).start() as fake:
        fake.create_spreadsheet(SPREADSHEET, sheets=["Signals", "History"], rows=count + 10, cols=26)
        settings = _settings(Path(folder), fake)
        db = Database(settings.database_url)
        upgrade_database(db.engine)
        _signals(db, count)
        SheetSync(open_tables(settings), "ja", TOKYO).write(SignalStore(db, FixedClock(NOW)).all())
        people = len(COLUMNS)  # T: the first column after hiyoko's
        fake.set_values(SPREADSHEET, "Signals", [["コメント"]] + [[f"メモ{n}"] for n in range(count)], start="T1")
        clock = FixedClock(NOW)
        readback = SheetReadback(settings, ReadbackStore(db, clock))

        def poll(label: str) -> None:
            before = len(fake.calls)
            started = time.perf_counter()
            line = readback.poll(clock.now())
            took = time.perf_counter() - started
            print(f"  {label:<22} {len(fake.calls) - before} Sheets call(s), {took:6.2f} s  ({line})")
            clock.advance(minutes=5)

        print(f"{count:,} signals (a Comment column filled on every row):")
        poll("first poll (baseline)")
        poll("nothing changed")
        for n in range(10):
            fake.set_values(SPREADSHEET, "Signals", [[f"更新{n}"]], start=f"T{2 + n * (count // 10)}")
        poll("10 cells edited")
        assert people == 19
        db.dispose()


def edit_to_thread_line() -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        FakeSheets(read_quota=None).start() as fake_sheets,
        FakeSlack(channel_rate=50.0).start() as fake_slack,
    ):
        fake_sheets.create_spreadsheet(SPREADSHEET, sheets=["Sheet1"])
        fake_slack.add_user("UCSM", "sato", display_name="佐藤")
        fake_slack.add_user("UAE", "tanaka", display_name="田中")
        fake_slack.add_channel(CHANNEL, "upsell-signals")
        fake_slack.add_channel("CDIGEST", "upsell-managers")
        settings = _settings(Path(folder), fake_sheets, slack_api_url=fake_slack.url)
        clock = FixedClock(NOW)
        hiyoko = app.build(settings, clock=clock)
        upgrade_database(hiyoko.db.engine)
        state = modal_state(customer="株式会社サンプル", owner="UAE")
        hiyoko.bolt.dispatch(bolt_request(interactive_body(view_submission("UCSM", state, view_id="V1"))))
        hiyoko.relay.drain()
        fake_sheets.set_values(SPREADSHEET, "Signals", [["進捗"], ["ヒアリング済み"]], start="T1")
        readback = SheetReadback(settings, ReadbackStore(hiyoko.db, clock))
        readback.poll(clock.now())  # baseline
        fake_sheets.set_values(SPREADSHEET, "Signals", [["見積提出済み"]], start="T2")
        timings = []
        for round_ in range(5):
            fake_sheets.set_values(SPREADSHEET, "Signals", [[f"見積提出済み{round_}"]], start="T2")
            clock.advance(minutes=5)
            started = time.perf_counter()
            readback.poll(clock.now())
            read = time.perf_counter() - started
            posted_before = len(fake_slack.calls_to("chat.postMessage"))
            hiyoko.relay.drain()
            relay = time.perf_counter() - started - read
            assert len(fake_slack.calls_to("chat.postMessage")) == posted_before + 1
            timings.append((read, relay))
        read = max(r for r, _ in timings)
        relay = max(p for _, p in timings)
        interval = settings.hiyoko_sheet_readback_minutes * 60
        print("edit → thread line (one signal, worst of 5):")
        print(f"  poll (read + apply)   {read:.3f} s")
        print(f"  relay (claim + post)  {relay:.3f} s, plus up to {IDLE_POLL_SECONDS:.0f} s until an idle relay looks")
        print(
            f"  worst case = interval + poll + relay wake + post = {interval} + {read:.2f} + {IDLE_POLL_SECONDS:.0f}"
            f" + {relay:.2f} ≈ {interval + read + IDLE_POLL_SECONDS + relay:.1f} s; on average half the interval less"
        )
        hiyoko.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    for count in args.signals:
        scale(count)
    edit_to_thread_line()


if __name__ == "__main__":
    main()
