"""`hiyoko doctor` against the fake Slack and the fake Sheets API: healthy, then each fault in turn,
each with its own ❌ line, its fix, and a non-zero exit."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import cli
from cli.doctor import FAIL, MANIFEST, OK, Doctor, manifest_scopes
from fakes.sheets_api import FakeSheets
from fakes.slack_api import DEFAULT_SCOPES, FakeSlack
from settings import Settings
from store import upgrade_database
from tests.conftest import CHANNEL, SPREADSHEET, make_settings

SETTINGS_ENV = (
    "SLACK_",
    "HIYOKO_",
    "SIGNALS_",
    "DIGEST_",
    "DATABASE_URL",
    "SPREADSHEET_ID",
    "GOOGLE_",
    "SHEETS_EMULATOR_HOST",
    "PORT",
)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database at head, migrated once and copied for each test."""
    path = tmp_path_factory.mktemp("doctor") / "migrated.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


@pytest.fixture
def healthy(tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, migrated: Path) -> Settings:
    """Everything right: every manifest scope granted, the bot in both channels, a migrated DB."""
    fake_slack.scopes = sorted(set(DEFAULT_SCOPES) | set(manifest_scopes(MANIFEST)))
    settings = make_settings(tmp_path, fake_slack, fake_sheets)
    shutil.copy(migrated, tmp_path / "hiyoko.db")
    return settings


def use_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Settings) -> None:
    """The process environment of an operator whose settings are these (no .env around).

    `hiyoko` sets up the root logger for itself; run in-process, it gets it back afterwards (its
    handler writes to this test's captured stderr, which is closed once the test ends)."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    for name in list(os.environ):
        if name.startswith(SETTINGS_ENV):
            monkeypatch.delenv(name)
    for name, value in settings.model_dump().items():
        if value is not None and value != "":
            monkeypatch.setenv(name.upper(), str(value))
    monkeypatch.chdir(tmp_path)


def doctor(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    use_env(monkeypatch, tmp_path, settings)
    code = cli.main(["doctor", *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out


def lines(output: str, mark: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(mark)]


def fix_after(output: str, line: str) -> str:
    rows = output.splitlines()
    index = rows.index(line)
    assert rows[index + 1].startswith("   → "), rows[index : index + 2]
    return rows[index + 1]


def test_healthy_installation_passes_every_check(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, healthy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = doctor(monkeypatch, tmp_path, healthy, capsys, "--lang", "en")
    assert code == 0, output
    assert lines(output, FAIL) == []
    assert "Slack accepts the token: bot @hiyoko in workspace hiyoko-test" in output
    assert "bot scopes of manifest.yml are granted" in output
    assert "SIGNALS_CHANNEL_ID: the bot is a member of #upsell-signals (CSIGNALS)" in output
    assert "DIGEST_CHANNEL_ID: the bot is a member of #upsell-managers (CDIGEST)" in output
    assert "“Test” opens and emulator" in output
    assert "is migrated to the newest revision" in output
    assert output.rstrip().endswith("Every check passed. Start hiyoko with “hiyoko run”.")
    assert len(lines(output, OK)) >= 10


def test_japanese_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, healthy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = doctor(monkeypatch, tmp_path, healthy, capsys)
    assert code == 0
    assert "Slack に接続できました: ボット @hiyoko、ワークスペース hiyoko-test" in output
    assert "すべての確認に合格しました" in output


def only_failure(output: str) -> str:
    [line] = lines(output, FAIL)
    return line


def test_bad_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, healthy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = healthy.model_copy(update={"slack_bot_token": "xoxb-revoked"})
    code, output = doctor(monkeypatch, tmp_path, broken, capsys, "--lang", "en")
    assert code == 1
    line = only_failure(output)
    assert line == "❌ Slack refuses the bot token (auth.test: invalid_auth)"
    assert "Install App: copy the Bot User OAuth Token again" in fix_after(output, line)
    assert "➖ Scope and channel checks need Slack to accept the token first" in output
    assert "xoxb-revoked" not in output  # tokens never appear
    assert "1 problems found" in output


def test_a_user_token_is_not_a_bot_token(healthy: Settings) -> None:
    checks = Doctor(healthy.model_copy(update={"slack_bot_token": "xoxp-123"}), "en").settings_checks()
    [failed] = [check for check in checks if check.status == FAIL]
    assert failed.text == "SLACK_BOT_TOKEN is not a bot token (it starts with xoxp-…; it should start with xoxb-)"
    assert "Bot User OAuth Token (xoxb-…)" in failed.fix


def test_missing_scope(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    healthy: Settings,
    fake_slack: FakeSlack,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_slack.scopes = [scope for scope in fake_slack.scopes if scope not in ("usergroups:read", "files:write")]
    code, output = doctor(monkeypatch, tmp_path, healthy, capsys, "--lang", "en")
    assert code == 1
    line = only_failure(output)
    assert line == "❌ Bot scopes not granted: files:write, usergroups:read"
    assert "App Manifest: paste manifest.yml again" in fix_after(output, line)
    assert "Reinstall" in fix_after(output, line)


def test_bot_not_in_the_channel(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    healthy: Settings,
    fake_slack: FakeSlack,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_slack.add_channel(CHANNEL, "upsell-signals", bot_is_member=False)
    code, output = doctor(monkeypatch, tmp_path, healthy, capsys, "--lang", "en")
    assert code == 1
    line = only_failure(output)
    assert line == "❌ SIGNALS_CHANNEL_ID: the bot is not a member of #upsell-signals (CSIGNALS)"
    assert fix_after(output, line) == "   → In Slack, open #upsell-signals and send “/invite @hiyoko”."


def test_a_channel_that_does_not_exist(healthy: Settings) -> None:
    checks = Doctor(healthy.model_copy(update={"digest_channel_id": "CNOWHERE"}), "en").run()
    [failed] = [check for check in checks if check.status == FAIL]
    assert failed.text == "DIGEST_CHANNEL_ID: cannot check channel CNOWHERE (channel_not_found)"
    assert "Check the channel id CNOWHERE" in failed.fix


def test_channel_name_instead_of_id(healthy: Settings) -> None:
    checks = Doctor(healthy.model_copy(update={"signals_channel_id": "#upsell"}), "en").run()
    [failed] = [check for check in checks if check.status == FAIL]
    assert failed.text == "SIGNALS_CHANNEL_ID “#upsell” is not a channel id (C… or G…, capital letters and digits)"
    assert "channel details" in failed.fix


def test_sheet_not_shared(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    healthy: Settings,
    fake_sheets: FakeSheets,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_sheets.set_writable(SPREADSHEET, False)
    code, output = doctor(monkeypatch, tmp_path, healthy, capsys, "--lang", "en")
    assert code == 1
    line = only_failure(output)
    assert line.startswith("❌ The spreadsheet “Test” opens but emulator (127.0.0.1:")
    assert line.endswith(") cannot write it")
    assert "Share the spreadsheet with emulator" in fix_after(output, line)
    assert fake_sheets.values(SPREADSHEET, "Sheet1") == []  # the probe changed nothing


def test_sheet_not_shared_names_the_service_account(tmp_path: Path, healthy: Settings, fake_sheets: FakeSheets) -> None:
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"type": "service_account", "client_email": "hiyoko@acme.iam.gserviceaccount.com"}))
    fake_sheets.set_writable(SPREADSHEET, False)
    check = Doctor(healthy.model_copy(update={"google_application_credentials": key}), "ja").sheet_check()
    assert check.status == FAIL
    assert "hiyoko@acme.iam.gserviceaccount.com には書き込み権限がありません" in check.text
    assert "hiyoko@acme.iam.gserviceaccount.com を「編集者」として追加" in check.fix


def test_spreadsheet_not_found(healthy: Settings) -> None:
    check = Doctor(healthy.model_copy(update={"spreadsheet_id": "no-such-sheet"}), "en").sheet_check()
    assert check.status == FAIL
    assert check.text.startswith("The spreadsheet no-such-sheet is not found or not shared with emulator")


def test_a_spreadsheet_without_credentials(healthy: Settings) -> None:
    check = Doctor(healthy.model_copy(update={"sheets_emulator_host": None}), "en").sheet_check()
    assert check.status == FAIL and "GOOGLE_APPLICATION_CREDENTIALS" in check.text


def test_local_xlsx(tmp_path: Path, healthy: Settings) -> None:
    local = healthy.model_copy(update={"spreadsheet_id": None, "hiyoko_xlsx_path": tmp_path / "out" / "h.xlsx"})
    check = Doctor(local, "en").sheet_check()
    assert check.status == OK and "is writable" in check.text
    (tmp_path / "broken.xlsx").write_text("not a workbook")
    check = Doctor(local.model_copy(update={"hiyoko_xlsx_path": tmp_path / "broken.xlsx"}), "en").sheet_check()
    assert check.status == FAIL and "hiyoko sheet resync" in check.fix


def test_database_not_migrated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, healthy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "stale.db"
    with create_engine(f"sqlite:///{stale}").begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER)"))
    code, output = doctor(
        monkeypatch, tmp_path, healthy.model_copy(update={"database_url": f"sqlite:///{stale}"}), capsys, "--lang", "en"
    )
    assert code == 1
    line = only_failure(output)
    assert line == f"❌ The database sqlite:///{stale} is not migrated to the newest revision"
    assert "Run “hiyoko db upgrade” once" in fix_after(output, line)


def test_missing_database_file_is_not_created(tmp_path: Path, healthy: Settings) -> None:
    path = tmp_path / "nothing-yet.db"
    check = Doctor(healthy.model_copy(update={"database_url": f"sqlite:///{path}"}), "en").database_check()
    assert check.status == FAIL and "does not exist yet" in check.text
    assert not path.exists()


def test_unloadable_settings_are_listed_one_per_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, healthy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    use_env(monkeypatch, tmp_path, healthy)
    monkeypatch.setenv("HIYOKO_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("HIYOKO_MANAGERS", "@sato")
    code = cli.main(["doctor", "--lang", "en"])
    output = capsys.readouterr().out
    assert code == 1
    failures = lines(output, FAIL)
    assert len(failures) == 2
    assert any("HIYOKO_TIMEZONE" in line and "Mars/Olympus" in line for line in failures)
    assert "HIYOKO_TIMEZONE=Asia/Tokyo" in output and "HIYOKO_MANAGERS=U012AB,S034CD" in output


def test_every_fix_line_renders(healthy: Settings) -> None:
    # Every check the doctor can print words in both languages, with no placeholder left over.
    for lang in ("ja", "en"):
        for check in Doctor(
            healthy.model_copy(update={"slack_bot_token": None, "slack_signing_secret": None}), lang
        ).run():
            assert "{" not in check.text + check.fix


def test_database_check_on_each_backend(tmp_path: Path, healthy: Settings, database_url: str) -> None:
    """SQLite and PostgreSQL alike: not migrated is a ❌ with the fix, migrated is a ✅."""
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path / 'fresh.db'}"  # not the healthy, migrated one
    settings = healthy.model_copy(update={"database_url": database_url})
    check = Doctor(settings, "en").database_check()
    assert check.status == FAIL and "hiyoko db upgrade" in check.fix
    engine = create_engine(database_url)
    upgrade_database(engine)
    engine.dispose()
    check = Doctor(settings, "en").database_check()
    assert check.status == OK, check
    assert "hiyoko:hiyoko@" not in check.text  # the password is not shown
