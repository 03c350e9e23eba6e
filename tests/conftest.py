"""Shared fixtures: the HTTP fakes of Slack and Sheets, a SQLite file, and a wired hiyoko."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_bolt.response import BoltResponse

import app
from models.clock import FixedClock
from settings import Settings
from store import upgrade_database
from tests.fakes.sheets_api import FakeSheets
from tests.fakes.slack_api import FakeSlack
from tests.slack_requests import SIGNING_SECRET, bolt_request, interactive_body

TOKYO = ZoneInfo("Asia/Tokyo")
CHANNEL = "CSIGNALS"
DIGEST = "CDIGEST"
SPREADSHEET = "sheet-hiyoko"
CSM, AE, OTHER_AE = "UCSM", "UAE", "UAE2"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack().start() as fake:
        fake.add_user(CSM, "sato", display_name="佐藤", real_name="佐藤 花子", locale="ja-JP")
        fake.add_user(AE, "tanaka", display_name="田中", real_name="田中 一郎", locale="ja-JP")
        fake.add_user(OTHER_AE, "smith", display_name="Jo Smith", locale="en-US")
        fake.add_user("UROBOT", "somebot", is_bot=True)
        fake.add_user("UGONE", "gone", deleted=True)
        fake.add_channel(CHANNEL, "upsell-signals")
        fake.add_channel(DIGEST, "upsell-managers")
        yield fake


@pytest.fixture
def fake_sheets() -> Iterator[FakeSheets]:
    with FakeSheets().start() as fake:
        fake.create_spreadsheet(SPREADSHEET, sheets=["Sheet1"])
        yield fake


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=TOKYO))


@pytest.fixture
def settings(tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets) -> Settings:
    return make_settings(tmp_path, fake_slack, fake_sheets)


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
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def hiyoko(settings: Settings, clock: FixedClock) -> Iterator[app.Hiyoko]:
    built = build(settings, clock)
    yield built
    built.db.dispose()


def build(settings: Settings, clock: FixedClock) -> app.Hiyoko:
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
