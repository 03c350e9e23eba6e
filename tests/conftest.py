"""Shared fixtures: the HTTP fakes of Slack and Sheets, a database, and a wired hiyoko.

Every test that uses the `settings` (or `hiyoko`) fixture runs twice: on a SQLite file and on
PostgreSQL, in a schema of its own. The PostgreSQL half needs HIYOKO_TEST_POSTGRES_URL (the
README's test command sets it when it can start a local server); without it those runs are
skipped with the reason, unless HIYOKO_REQUIRE_POSTGRES=1 (CI), which makes them fail.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_bolt.response import BoltResponse

import app
from fakes import slack_requests
from fakes.process import scratch_schema
from fakes.sheets_api import READS_PER_MINUTE, FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import SIGNING_SECRET, bolt_request, interactive_body
from models.clock import Clock, FixedClock
from settings import Settings
from store import upgrade_database

TOKYO = ZoneInfo("Asia/Tokyo")
CHANNEL = "CSIGNALS"
DIGEST = "CDIGEST"
SPREADSHEET = "sheet-hiyoko"
CSM, AE, OTHER_AE = "UCSM", "UAE", "UAE2"


# Tests crowd minutes of work (and the relay's retries, on a fixed clock) into seconds, so the
# fakes' rate limits are scaled up by this much, and the app paces its Slack posts to match.
# Slack's real 1/s and Google's real 60 reads a minute have their own tests in tests/fakes/.
SLACK_SPEEDUP = 50.0


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack(channel_rate=SLACK_SPEEDUP).start() as fake:
        fake.add_user(CSM, "sato", display_name="佐藤", real_name="佐藤 花子", locale="ja-JP")
        fake.add_user(AE, "tanaka", display_name="田中", real_name="田中 一郎", locale="ja-JP")
        fake.add_user(OTHER_AE, "smith", display_name="Jo Smith", locale="en-US")
        fake.add_user("UROBOT", "somebot", is_bot=True)
        fake.add_user("UGONE", "gone", deleted=True)
        fake.add_channel(CHANNEL, "upsell-signals")
        fake.add_channel(DIGEST, "upsell-managers")
        slack_requests.trigger_source = fake.new_trigger_id
        try:
            yield fake
        finally:
            slack_requests.trigger_source = slack_requests.unissued_trigger_id
        if fake.ping_violations:
            pytest.fail(
                "user text could ping a whole channel (plain @here & co. outside verbatim text): "
                + "; ".join(f"{v['method']} {v['where']}: {v['text'][:200]!r}" for v in fake.ping_violations),
                pytrace=False,
            )


@pytest.fixture
def fake_sheets() -> Iterator[FakeSheets]:
    with FakeSheets(read_quota=int(READS_PER_MINUTE * SLACK_SPEEDUP)).start() as fake:
        fake.create_spreadsheet(SPREADSHEET, sheets=["Sheet1"])
        yield fake


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=TOKYO))


POSTGRES_URL = os.environ.get("HIYOKO_TEST_POSTGRES_URL", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hiyoko.db'}"
        return
    yield from postgres_schema()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL schema of its own, for the tests that are about PostgreSQL."""
    yield from postgres_schema()


def postgres_schema() -> Iterator[str]:
    if not POSTGRES_URL:
        reason = "PostgreSQL half skipped: set HIYOKO_TEST_POSTGRES_URL (make test does when it can start one)"
        if os.environ.get("HIYOKO_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    with scratch_schema(POSTGRES_URL, "t") as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str) -> Settings:
    return make_settings(tmp_path, fake_slack, fake_sheets, database_url=database_url)


def make_settings(tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets | None, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_app_token": None,
        "slack_api_url": fake_slack.url,
        "signals_channel_id": CHANNEL,
        "digest_channel_id": DIGEST,
        "database_url": f"sqlite:///{tmp_path / 'hiyoko.db'}",
        "spreadsheet_id": SPREADSHEET if fake_sheets else None,
        "sheets_emulator_host": fake_sheets.host if fake_sheets else None,
        "hiyoko_xlsx_path": tmp_path / "hiyoko.xlsx",
        "hiyoko_timezone": "Asia/Tokyo",
        "hiyoko_language": "ja",
        **extra,
    }
    if "hiyoko_slack_channel_interval" in Settings.model_fields:
        # A little slower than the fake allows, so timer jitter never meets a 429.
        values.setdefault("hiyoko_slack_channel_interval", 1.25 / SLACK_SPEEDUP)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def hiyoko(settings: Settings, clock: FixedClock) -> Iterator[app.Hiyoko]:
    built = build(settings, clock)
    yield built
    built.db.dispose()


def build(settings: Settings, clock: Clock) -> app.Hiyoko:
    hiyoko = app.build(settings, clock=clock)
    upgrade_database(hiyoko.db.engine)
    return hiyoko


def dispatch(hiyoko: app.Hiyoko, payload: dict[str, Any]) -> BoltResponse:
    """Send an interactive payload, signed, through the real Bolt app."""
    return hiyoko.bolt.dispatch(bolt_request(interactive_body(payload)))


def wait_for(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Wait for work Bolt runs after the ack (views.open after a shortcut, say)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.01)
    raise AssertionError("condition not met in time")
