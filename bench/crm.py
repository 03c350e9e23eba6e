"""CRM hand-off figures (issue 15): CRM calls (HTTP requests the fake counted) per hatch, for
HubSpot and Salesforce, and the seconds from a hatch to its deal with the CRM answering each
call in 1 s (the fake's `slow(1.0)`), the median of a few runs.

    python -m bench.crm [--hatches 5] [--runs 3] [--latency 1.0]

A whole hiyoko runs on fake Slack, fake Sheets and the CRM's fake (SQLite). Each hatch is an
egg shared and delivered, then hatched by its owner (store.change, as the hatch modal does);
the relay's CRM lane hands it over. The first hatch of a process pays one-off calls (HubSpot:
account details, the pipeline's stages, the signal-id property; Salesforce: the login, the
stages), so it is shown apart from the rest. For the time, the relay runs in its background
threads as in `hiyoko run`, and the clock stops when the signal holds its deal's id.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import app
from fakes.hubspot_api import FakeHubSpot
from fakes.salesforce_api import FakeSalesforce
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import SIGNING_SECRET
from jobs.relay import CRM_LANE
from models.clock import SystemClock
from models.signal import Category, Kind, SignalDraft
from settings import Settings
from store import upgrade_database
from store.signals import ChangeRequest, Hatch
from store.tables import SignalRow

CHANNEL = "CSIGNALS"
SPREADSHEET = "bench-sheet"
AE, CSM = "UAE", "UCSM"
AE_EMAIL = "tanaka@example.com"


def _settings(folder: Path, slack: FakeSlack, sheets: FakeSheets, **crm: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.url,
        "signals_channel_id": CHANNEL,
        "database_url": f"sqlite:///{folder / 'hiyoko.db'}",
        "spreadsheet_id": SPREADSHEET,
        "sheets_emulator_host": sheets.host,
        "hiyoko_xlsx_path": folder / "hiyoko.xlsx",
        "hiyoko_slack_channel_interval": 0.02,
        **crm,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Bench:
    """One hiyoko wired to one CRM fake."""

    def __init__(self, hiyoko: app.Hiyoko, calls: Callable[[], int]) -> None:
        self.hiyoko = hiyoko
        self.calls = calls
        self.count = 0

    def egg(self) -> int:
        self.count += 1
        draft = SignalDraft(f"顧客{self.count}", Kind.EGG, Category.SEATS, "他の工場でも使いたい", None, AE, "120万円")
        result = self.hiyoko.store.submit(draft, submitter_id=CSM, submitter_name="佐藤", owner_name="田中")
        self.hiyoko.relay.drain()
        return result.signal.number

    def hatch(self, number: int) -> None:
        self.hiyoko.store.change(
            number, ChangeRequest(Hatch(date(2099, 4, 1)), AE), managers=frozenset(), today=date.today()
        )
        self.hiyoko.relay.wake()

    def crm_id(self, number: int) -> str | None:
        with self.hiyoko.db.read() as session:
            row = session.get(SignalRow, number)
            return row.crm_id if row else None


def calls_per_hatch(bench: Bench, hatches: int) -> tuple[int, list[int]]:
    """CRM calls of the first hatch and of each later one (the relay's CRM lane run by hand)."""
    counts = []
    for _ in range(hatches):
        number = bench.egg()
        before = bench.calls()
        bench.hatch(number)
        bench.hiyoko.relay.run_once((CRM_LANE,))
        assert bench.crm_id(number), "no deal"
        counts.append(bench.calls() - before)
    return counts[0], counts[1:]


def seconds_to_deal(bench: Bench, runs: int, slow: Callable[[float], None], latency: float) -> list[float]:
    """Hatch → the signal holds its deal's id, with the relay's threads running."""

    stop = threading.Event()
    bench.hiyoko.relay.start(stop)
    took = []
    try:
        for _ in range(runs):
            slow(0.0)
            number = bench.egg()
            slow(latency)
            started = time.monotonic()
            bench.hatch(number)
            while not bench.crm_id(number):
                time.sleep(0.01)
                if time.monotonic() - started > 120:
                    raise SystemExit("no deal in 120 s")
            took.append(time.monotonic() - started)
    finally:
        slow(0.0)
        stop.set()
        bench.hiyoko.relay.wake()
    return took


def run(name: str, hatches: int, runs: int, latency: float) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        FakeSlack(channel_rate=50.0).start() as slack,
        FakeSheets(read_quota=None).start() as sheets,
    ):
        sheets.create_spreadsheet(SPREADSHEET, sheets=["Sheet1"])
        slack.add_user(CSM, "sato", display_name="佐藤")
        slack.add_user(AE, "tanaka", display_name="田中", email=AE_EMAIL)
        slack.add_channel(CHANNEL, "upsell-signals")
        if name == "HubSpot":
            hubspot = FakeHubSpot(requests_per_window=10_000).start()
            hubspot.add_owner(AE_EMAIL, "一郎", "田中")
            fake: FakeHubSpot | FakeSalesforce = hubspot
            crm: dict[str, Any] = {
                "hiyoko_crm": "hubspot",
                "hubspot_access_token": hubspot.token,
                "hubspot_api_url": hubspot.url,
            }
        else:
            salesforce = FakeSalesforce().start()
            salesforce.add_user(AE_EMAIL, "田中 一郎")
            os.environ["REQUESTS_CA_BUNDLE"] = str(salesforce.ca_file)
            fake = salesforce
            crm = {
                "hiyoko_crm": "salesforce",
                "salesforce_login_url": salesforce.url,
                "salesforce_consumer_key": salesforce.consumer_key,
                "salesforce_consumer_secret": salesforce.consumer_secret,
                "salesforce_username": salesforce.username,
                "salesforce_password": salesforce.password,
                "salesforce_security_token": salesforce.security_token,
            }
        try:
            hiyoko = app.build(_settings(Path(folder), slack, sheets, **crm), clock=SystemClock())
            upgrade_database(hiyoko.db.engine)
            hiyoko.users.refresh(None)
            bench = Bench(hiyoko, lambda: len(fake.calls))
            first, later = calls_per_hatch(bench, hatches)
            mean = statistics.mean(later) if later else float(first)
            print(f"{name}: CRM calls per hatch: first {first}, then {mean:g} (each of {len(later)} more)")
            took = seconds_to_deal(bench, runs, fake.slow, latency)
            shown = ", ".join(f"{t:.2f}" for t in took)
            print(
                f"{name}: hatch → deal with the CRM answering in {latency:g} s: "
                f"median {statistics.median(took):.2f} s over {runs} runs ({shown})"
            )
            hiyoko.db.dispose()
        finally:
            fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--hatches", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency", type=float, default=1.0)
    args = parser.parse_args()
    for name in ("HubSpot", "Salesforce"):
        run(name, args.hatches, args.runs, args.latency)


if __name__ == "__main__":
    main()
