"""Operating hiyoko: /metrics, /healthz, JSON logs, dead letters told to admins, `hiyoko outbox`."""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import cli
from fakes.process import AppProcess, app_env, free_port, post_signed
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import interactive_body, modal_state, view_submission
from models.clock import FixedClock
from ops.logs import JsonFormatter, configure, redact, request_id, signal_id
from tests.conftest import CHANNEL, CSM, build, dispatch, make_settings

TOKYO = ZoneInfo("Asia/Tokyo")


def test_metrics_health_and_json_logs_of_a_running_app(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    env = app_env(
        slack_url=fake_slack.url,
        database_url=f"sqlite:///{tmp_path / 'ops.db'}",
        channel=CHANNEL,
        port=free_port(),
        sheets_host=fake_sheets.host,
        spreadsheet_id="sheet-hiyoko",
    )
    app = AppProcess(env, tmp_path, tmp_path / "ops.log")
    try:
        body = interactive_body(view_submission(CSM, modal_state(kind="chick", timing="2099-01-01"), view_id="VM"))
        assert post_signed(app.base, body, None)[0] == 200
        deadline = time.monotonic() + 15
        text = ""
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{app.base}/metrics") as response:
                assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
                text = response.read().decode()
            if 'hiyoko_deliveries_total{outcome="delivered",target="notify_owner"} 1.0' in text:
                break
            time.sleep(0.2)
        assert 'hiyoko_signals{kind="chick",status="open"} 1.0' in text
        assert 'hiyoko_deliveries_total{outcome="delivered",target="post_card"} 1.0' in text
        assert "hiyoko_outbox_oldest_pending_seconds" in text and 'hiyoko_outbox_rows{state="dead"} 0.0' in text
        with urllib.request.urlopen(f"{app.base}/healthz") as response:
            health = json.loads(response.read())
        assert health["ok"] is True and health["database"] == "up" and health["relay"] == "alive"
        assert health["dead_letters"] == 0
    finally:
        app.stop()
    lines = [json.loads(line) for line in (tmp_path / "ops.log").read_text().splitlines() if line.startswith("{")]
    assert lines, "the app logs JSON lines"
    stored = [line for line in lines if "stored" in line["message"]]
    assert stored and stored[0]["request_id"] and stored[0]["level"] == "INFO"
    assert "xoxb-test-token" not in (tmp_path / "ops.log").read_text()


def test_json_lines_carry_ids_and_hide_secrets() -> None:
    record = logging.LogRecord(
        "hiyoko", logging.WARNING, __file__, 1, "token %s and signing_secret=abc123 ok", ("xoxb-123-456-abcdef",), None
    )
    tokens = request_id.set("req-1"), signal_id.set("S-000042")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(tokens[0])
        signal_id.reset(tokens[1])
    assert line["request_id"] == "req-1" and line["signal_id"] == "S-000042"
    assert line["message"] == "token [redacted] and signing_secret=[redacted] ok"
    assert redact("xapp-1-A0-123 and xwfp-9") == "[redacted] and [redacted]"


def _fail_with_a_token() -> None:
    raise RuntimeError("refresh failed for xoxe.xoxp-1-Mi0yLTE2-abc")  # the source line shows in tracebacks


@pytest.mark.parametrize("json_lines", [True, False])
def test_tracebacks_and_stacks_are_redacted_in_both_log_formats(
    json_lines: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure(json_lines)
        try:
            _fail_with_a_token()
        except RuntimeError:
            logging.getLogger("hiyoko.test").exception("lost the token xoxe-1-abcdef while refreshing")
        logging.getLogger("hiyoko.test").warning("cookie xoxd-a%2Fb%3D and xoxc-123-456", stack_info=True)
    finally:
        root.handlers[:], root.level = saved
    err = capsys.readouterr().err
    assert "RuntimeError" in err and "_fail_with_a_token" in err and "Stack (most recent call last)" in err
    for secret in ("xoxe", "Mi0yLTE2", "abcdef", "xoxd", "%2F", "xoxc"):
        assert secret not in err
    assert "[redacted]" in err
    if json_lines:
        first, second = (json.loads(line) for line in err.splitlines())
        assert "[redacted]" in first["exception"] and "[redacted]" in second["stack"]


def test_every_slack_token_family_is_redacted() -> None:
    tokens = [
        "xoxb-1-2-abc",
        "xoxp-1-2-3-abc",
        "xoxa-2-abc",
        "xoxr-abc",
        "xoxs-abc",
        "xoxo-abc",
        "xoxe-1-abc",
        "xoxe.xoxp-1-abc",
        "xoxe.xoxb-1-abc",
        "xoxc-123-456-abc",
        "xoxd-abc%2Fdef%3D",
        "xapp-1-A0-123",
        "xwfp-9",
    ]
    assert redact(" ".join(tokens)) == " ".join(["[redacted]"] * len(tokens))


def test_a_dead_letter_is_told_to_admins_and_can_be_retried(
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_slack.add_channel("CADMIN", "hiyoko-admins")
    clock = FixedClock(datetime(2026, 11, 23, 10, tzinfo=TOKYO))
    settings = make_settings(
        tmp_path, fake_slack, fake_sheets, hiyoko_outbox_max_attempts=2, hiyoko_admin_channel_id="CADMIN"
    )
    hiyoko = build(settings, clock)
    assert dispatch(hiyoko, view_submission(CSM, modal_state(), view_id="VDEAD")).status == 200
    fake_slack.fail_next(4, status=500, method="chat.postMessage")
    for _ in range(6):  # the alert itself meets the same failing Slack, and keeps trying
        hiyoko.relay.drain()
        clock.advance(minutes=10)
    # The card died, and the owner's reply waiting on it with it (one chain, one alert).
    [dead, reply] = [r for r in hiyoko.outbox.rows() if r.state == "dead"]
    assert (dead.target, reply.target) == ("post_card", "notify_owner")
    [alert] = fake_slack.messages("CADMIN")
    assert f"outbox #{dead.id}" in alert["text"] and f"hiyoko outbox retry {dead.id}" in alert["text"]

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["outbox", "list", "--state", "dead"]) == 0
    assert f"{dead.id} | dead | post_card | S-000001 | 2 |" in capsys.readouterr().out
    assert cli.main(["outbox", "retry", str(dead.id)]) == 0
    assert cli.main(["outbox", "retry", str(dead.id)]) == 2  # not dead any more
    assert cli.main(["outbox", "retry-dead"]) == 0
    clock.at = datetime.now(TOKYO) + timedelta(seconds=1)  # the command requeued for the real now
    hiyoko.relay.drain()
    hiyoko.relay.drain()
    assert len(fake_slack.messages(CHANNEL)) == 1 and hiyoko.outbox.counts().get("dead", 0) == 0
    assert len(fake_slack.replies(CHANNEL, fake_slack.messages(CHANNEL)[0]["ts"])) == 1
