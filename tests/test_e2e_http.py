"""hiyoko as an operator runs it: `hiyoko run` in HTTP mode, signed requests over HTTP."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

from fakes.process import app_env, free_port, running_app
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import global_shortcut, interactive_body, modal_state, sign, view_submission
from tests.conftest import CHANNEL, CSM, SPREADSHEET


def post(base: str, body: str, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(f"{base}/slack/events", data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_http_mode_end_to_end(tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets) -> None:
    env = app_env(
        slack_url=fake_slack.url,
        database_url=f"sqlite:///{tmp_path / 'e2e.db'}",
        channel=CHANNEL,
        port=free_port(),
        sheets_host=fake_sheets.host,
        spreadsheet_id=SPREADSHEET,
    )
    with running_app(env, tmp_path, tmp_path / "app.log") as base:
        body = interactive_body(global_shortcut(CSM))
        status, _ = post(base, body, sign(body))
        assert status == 200
        deadline = time.monotonic() + 5
        while not fake_slack.calls_to("views.open") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake_slack.calls_to("views.open")

        forged = interactive_body(view_submission(CSM, modal_state()))
        status, _ = post(base, forged, sign(forged, secret="not-the-secret"))
        assert status == 401

        error_body = interactive_body(view_submission(CSM, modal_state(kind="chick"), view_id="VE"))
        status, answer = post(base, error_body, sign(error_body))
        assert status == 200 and json.loads(answer)["response_action"] == "errors"

        body = interactive_body(view_submission(CSM, modal_state(customer="E2E株式会社"), view_id="VOK"))
        status, answer = post(base, body, sign(body))
        assert status == 200 and answer in (b"", b"{}")

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            rows = (
                fake_sheets.values(SPREADSHEET, "Signals") if "Signals" in fake_sheets.sheet_titles(SPREADSHEET) else []
            )
            cards = fake_slack.messages(CHANNEL)
            if len(rows) == 2 and rows[1][-1] and cards and fake_slack.replies(CHANNEL, cards[0]["ts"]):
                break
            time.sleep(0.1)
        else:
            raise AssertionError((tmp_path / "app.log").read_text())
        assert rows[1][0] == "S-000001" and rows[1][3] == "E2E株式会社"
        assert len(cards) == 1 and "<@UAE>" in fake_slack.replies(CHANNEL, cards[0]["ts"])[0]["text"]
        with urllib.request.urlopen(f"{base}/healthz") as response:
            assert json.loads(response.read())["ok"] is True
    assert "Traceback" not in (tmp_path / "app.log").read_text()
