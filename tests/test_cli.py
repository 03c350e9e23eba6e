"""The `hiyoko` command as an operator meets it: clear one-line reasons, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine

from fakes.process import ROOT
from fakes.slack_api import FakeSlack
from store.db import is_up_to_date


def hiyoko(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HIYOKO_", "SIGNALS_"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
    )


def test_run_without_settings_names_each_missing_variable(tmp_path: Path) -> None:
    result = hiyoko(tmp_path, "run", HIYOKO_LANGUAGE="en")
    assert result.returncode == 2
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SIGNALS_CHANNEL_ID",
        "manifest.yml",
        "Create the Slack app",
    ):
        assert name in result.stderr, name
    assert "Traceback" not in result.stderr + result.stdout


def test_socket_mode_needs_no_signing_secret(tmp_path: Path) -> None:
    result = hiyoko(tmp_path, "run", SLACK_APP_TOKEN="xapp-1", SIGNALS_CHANNEL_ID="C1")
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "SIGNING_SECRET" not in result.stderr
    assert "manifest.yml" in result.stderr  # Japanese by default, same instructions


def test_a_malformed_setting_is_one_clear_line(tmp_path: Path) -> None:
    result = hiyoko(tmp_path, "db", "upgrade", HIYOKO_TIMEZONE="Mars/Olympus", HIYOKO_LANGUAGE="en")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "HIYOKO_TIMEZONE" in result.stderr and "Mars/Olympus" in result.stderr


def test_db_upgrade_migrates_to_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = hiyoko(tmp_path, "db", "upgrade", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert is_up_to_date(create_engine(url))


def test_a_rejected_token_stops_with_a_reason(tmp_path: Path, fake_slack: FakeSlack) -> None:
    result = hiyoko(
        tmp_path,
        "run",
        SLACK_BOT_TOKEN="xoxb-wrong",
        SLACK_SIGNING_SECRET="s",
        SIGNALS_CHANNEL_ID="C1",
        SLACK_API_URL=fake_slack.url,
        NO_PROXY="127.0.0.1",
    )
    assert result.returncode == 2
    assert "invalid_auth" in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_command_is_refused(tmp_path: Path) -> None:
    result = hiyoko(tmp_path, "fly")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_a_malformed_managers_list_names_the_bad_entry(tmp_path: Path) -> None:
    result = hiyoko(tmp_path, "db", "upgrade", HIYOKO_MANAGERS="U012ABC,@sato", HIYOKO_LANGUAGE="en")
    assert result.returncode == 2 and "HIYOKO_MANAGERS" in result.stderr and "@sato" in result.stderr
    assert "Traceback" not in result.stderr
