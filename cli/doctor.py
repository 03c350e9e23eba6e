"""`hiyoko doctor [--lang ja|en] [--manifest PATH]`: checks a real installation. One line per check, ✅ or ❌,
and under each ❌ the exact fix. Exit code 0 only when every check passes.

It reads and probes; it never changes anything a person would notice: the sheet probe rewrites
the spreadsheet's own title with the same title (a write only an editor may make), and the
database is only asked for its revision (doctor never migrates).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import gspread
import yaml
from openpyxl import load_workbook
from pydantic import ValidationError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url

from bot.hearing import unheard_channels
from bot.slack_client import slack_client
from cli import accounts
from crm.factory import gateway_of
from crm.gateway import CrmError
from i18n import t
from i18n.catalog import CATALOG
from models.clock import SystemClock
from ops.startup import CommandError
from settings import Settings
from sheets.google import open_client, sharing_identity
from store import Database
from store.db import is_up_to_date
from store.suggestions import SuggestionStore

OK, FAIL, SKIP = "✅", "❌", "➖"
MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yml"
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")
_TOKEN_ERRORS = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
}


@dataclass(frozen=True)
class Check:
    status: str  # OK, FAIL or SKIP
    text: str
    fix: str = ""


class Doctor:
    """Runs every check for one installation, in `lang`."""

    def __init__(self, settings: Settings, lang: str, manifest: Path = MANIFEST) -> None:
        self.settings = settings
        self.lang = lang
        self.manifest = manifest

    def w(self, key: str, **params: object) -> str:
        return t(key, self.lang, **params)

    def ok(self, key: str, **params: object) -> Check:
        return Check(OK, self.w(key, **params))

    def fail(self, key: str, fix: str, **params: object) -> Check:
        return Check(FAIL, self.w(key, **params), self.w(fix, **params))

    def skip(self, key: str, **params: object) -> Check:
        return Check(SKIP, self.w(key, **params))

    def run(self) -> list[Check]:
        checks = self.settings_checks()
        checks += self.slack_checks()
        checks.append(self.sheet_check())
        database = self.database_check()
        checks.append(database)
        checks.append(self.accounts_check() if database.status == OK else self.skip("doctor.accounts.skipped"))
        checks += self.crm_checks()
        if database.status == OK:
            checks += self.hearing_checks()
        return checks

    # --- settings -------------------------------------------------------------------------------

    def settings_checks(self) -> list[Check]:
        s = self.settings
        checks: list[Check] = []
        if not s.slack_bot_token:
            checks.append(self.fail("doctor.bot_token.missing", "doctor.bot_token.fix"))
        elif not s.slack_bot_token.startswith("xoxb-"):
            checks.append(self.fail("doctor.bot_token.prefix", "doctor.bot_token.fix", prefix=s.slack_bot_token[:5]))
        else:
            checks.append(self.ok("doctor.bot_token.ok"))
        if s.slack_app_token:
            if s.slack_app_token.startswith("xapp-"):
                checks.append(self.ok("doctor.app_token.ok"))
            else:
                checks.append(
                    self.fail("doctor.app_token.prefix", "doctor.app_token.fix", prefix=s.slack_app_token[:5])
                )
        elif s.slack_signing_secret:
            checks.append(self.ok("doctor.signing_secret.ok"))
        else:
            checks.append(self.fail("doctor.signing_secret.missing", "doctor.signing_secret.fix"))
        for name, value, required in (
            ("SIGNALS_CHANNEL_ID", s.signals_channel_id, True),
            ("DIGEST_CHANNEL_ID", s.digest_channel_id, False),
        ):
            if value is None:
                if required:
                    checks.append(self.fail("doctor.channel_id.missing", "doctor.channel_id.fix", name=name))
                else:
                    checks.append(self.ok("doctor.channel_id.default", name=name))
            elif not _CHANNEL_ID.fullmatch(value):
                checks.append(self.fail("doctor.channel_id.shape", "doctor.channel_id.fix", name=name, value=value))
            else:
                checks.append(self.ok("doctor.channel_id.ok", name=name, value=value))
        checks.append(self.ok("doctor.timezone.ok", zone=s.hiyoko_timezone))
        return checks

    # --- Slack ----------------------------------------------------------------------------------

    def slack_checks(self) -> list[Check]:
        s = self.settings
        if not s.slack_bot_token:
            return [self.skip("doctor.slack.skipped")]
        client = slack_client(s)
        try:
            answer = client.auth_test()
        except SlackApiError as error:
            code = str(error.response.get("error"))
            fix = "doctor.auth.fix_token" if code in _TOKEN_ERRORS else "doctor.auth.fix_other"
            return [self.fail("doctor.auth.failed", fix, error=code), self.skip("doctor.slack.skipped_auth")]
        except OSError as error:
            return [
                self.fail("doctor.auth.unreachable", "doctor.auth.fix_network", url=s.slack_api_url, error=str(error)),
                self.skip("doctor.slack.skipped_auth"),
            ]
        bot = str(answer.get("user") or "hiyoko")
        checks = [self.ok("doctor.auth.ok", bot=bot, team=answer.get("team") or "?")]
        checks.append(self.scope_check(answer.headers))
        checks.extend(self.channel_checks(client, bot))
        return checks

    def scope_check(self, headers: dict[str, object]) -> Check:
        try:
            wanted = manifest_scopes(self.manifest)
        except (OSError, ValueError, ImportError) as error:
            return self.fail(
                "doctor.scopes.no_manifest", "doctor.scopes.fix_manifest", path=str(self.manifest), error=str(error)
            )
        header = next((value for name, value in headers.items() if name.lower() == "x-oauth-scopes"), None)
        if isinstance(header, list):
            header = ",".join(str(item) for item in header)
        if header is None:
            return self.fail("doctor.scopes.unknown", "doctor.scopes.fix")
        granted = {scope.strip() for scope in str(header).split(",") if scope.strip()}
        missing = [scope for scope in wanted if scope not in granted]
        if missing:
            return self.fail("doctor.scopes.missing", "doctor.scopes.fix", scopes=", ".join(missing))
        return self.ok("doctor.scopes.ok", count=len(wanted))

    def channel_checks(self, client: WebClient, bot: str) -> list[Check]:
        s = self.settings
        roles: dict[str, list[str]] = {}
        for name, value in (("SIGNALS_CHANNEL_ID", s.signals_channel_id), ("DIGEST_CHANNEL_ID", s.digest_channel)):
            if value and _CHANNEL_ID.fullmatch(value):
                roles.setdefault(value, []).append(name)
        checks: list[Check] = []
        for channel, names in roles.items():
            label = " / ".join(names)
            try:
                info = client.conversations_info(channel=channel)["channel"]
            except SlackApiError as error:
                code = str(error.response.get("error"))
                fix = "doctor.channel.fix_scope" if code == "missing_scope" else "doctor.channel.fix_not_found"
                checks.append(
                    self.fail("doctor.channel.failed", fix, names=label, channel=channel, error=code, bot=bot)
                )
                continue
            except OSError as error:
                checks.append(
                    self.fail(
                        "doctor.channel.failed",
                        "doctor.auth.fix_network",
                        names=label,
                        channel=channel,
                        error=str(error),
                        url=s.slack_api_url,
                    )
                )
                continue
            name = info.get("name") or channel
            if info.get("is_member"):
                checks.append(self.ok("doctor.channel.ok", names=label, name=name, channel=channel))
            else:
                checks.append(
                    self.fail(
                        "doctor.channel.not_member",
                        "doctor.channel.fix_invite",
                        names=label,
                        name=name,
                        channel=channel,
                        bot=bot,
                    )
                )
        return checks

    # --- the sheet ------------------------------------------------------------------------------

    def sheet_check(self) -> Check:
        if self.settings.spreadsheet_id:
            return self.google_check(self.settings.spreadsheet_id)
        return self.xlsx_check(self.settings.hiyoko_xlsx_path)

    def google_check(self, spreadsheet_id: str) -> Check:
        s = self.settings
        who = sharing_identity(s)
        key = s.google_application_credentials
        if not s.sheets_emulator_host:
            if key is None:
                return self.fail("doctor.sheet.no_credentials", "doctor.sheet.fix_credentials")
            if who == str(key):
                return self.fail("doctor.sheet.bad_key", "doctor.sheet.fix_credentials", path=str(key))
        try:
            client = open_client(s.sheets_emulator_host, key, min(s.hiyoko_sheets_timeout, 15.0))
            spreadsheet = client.open_by_key(spreadsheet_id)
        except (gspread.SpreadsheetNotFound, PermissionError):
            return self.fail("doctor.sheet.not_found", "doctor.sheet.fix_share", id=spreadsheet_id, who=who)
        except Exception as error:  # network, a bad key, quota: Google's own words
            return self.fail(
                "doctor.sheet.error", "doctor.sheet.fix_error", id=spreadsheet_id, error=str(error), who=who
            )
        try:
            # A write only an editor may make, which changes nothing: the title, set to itself.
            spreadsheet.batch_update(
                {
                    "requests": [
                        {"updateSpreadsheetProperties": {"properties": {"title": spreadsheet.title}, "fields": "title"}}
                    ]
                }
            )
        except gspread.exceptions.APIError as error:
            if error.code in (401, 403):
                return self.fail(
                    "doctor.sheet.read_only",
                    "doctor.sheet.fix_share",
                    id=spreadsheet_id,
                    who=who,
                    title=spreadsheet.title,
                )
            return self.fail(
                "doctor.sheet.error", "doctor.sheet.fix_error", id=spreadsheet_id, error=str(error), who=who
            )
        except Exception as error:
            return self.fail(
                "doctor.sheet.error", "doctor.sheet.fix_error", id=spreadsheet_id, error=str(error), who=who
            )
        tabs = [sheet.title for sheet in spreadsheet.worksheets()]
        tab_key = "doctor.sheet.tab_exists" if s.hiyoko_sheet_tab in tabs else "doctor.sheet.tab_new"
        return self.ok("doctor.sheet.ok", title=spreadsheet.title, who=who, tab=self.w(tab_key, tab=s.hiyoko_sheet_tab))

    def xlsx_check(self, path: Path) -> Check:
        folder = path.resolve().parent
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        try:
            if folder.exists():
                handle, probe = tempfile.mkstemp(dir=folder, suffix=".doctor")
                os.close(handle)
                os.unlink(probe)
            elif not os.access(existing, os.W_OK):
                raise PermissionError(str(existing))
        except OSError as error:
            return self.fail("doctor.xlsx.not_writable", "doctor.xlsx.fix_writable", path=str(path), error=str(error))
        if path.exists():
            try:
                load_workbook(path, read_only=True).close()
            except Exception as error:
                return self.fail(
                    "doctor.xlsx.unreadable", "doctor.xlsx.fix_unreadable", path=str(path), error=str(error)
                )
        return self.ok("doctor.xlsx.ok", path=str(path.resolve()))

    # --- the database ---------------------------------------------------------------------------

    def database_check(self) -> Check:
        url = self.settings.database_url
        try:
            parsed = make_url(url)
        except Exception as error:
            return self.fail("doctor.db.bad_url", "doctor.db.fix_url", error=str(error))
        shown = parsed.render_as_string(hide_password=True)
        database = parsed.database or ""
        if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:") and not Path(database).exists():
            # Asking SQLite about a file that is not there would create it: say so instead.
            return self.fail("doctor.db.no_file", "doctor.db.fix_upgrade", url=shown, path=database)
        try:
            db = Database(url)
        except Exception as error:  # e.g. the driver for this URL is not installed
            return self.fail("doctor.db.unreachable", "doctor.db.fix_url", url=shown, error=str(error))
        try:
            if not db.ping():
                return self.fail("doctor.db.unreachable", "doctor.db.fix_url", url=shown, error="SELECT 1 failed")
            if not is_up_to_date(db.engine):
                return self.fail("doctor.db.not_migrated", "doctor.db.fix_upgrade", url=shown)
        except Exception as error:
            return self.fail("doctor.db.unreachable", "doctor.db.fix_url", url=shown, error=str(error))
        finally:
            db.dispose()
        return self.ok("doctor.db.ok", url=shown)

    # --- hearing (issue 13) ---------------------------------------------------------------------

    def hearing_checks(self) -> list[Check]:
        """hiyoko is in every channel it listens to (Accounts' Channel, /hiyoko watch): Slack
        sends no message of a channel the bot is not in."""
        s = self.settings
        if not (s.hearing and s.slack_bot_token):
            return []
        db = Database(s.database_url)
        try:
            listened = SuggestionStore(db, SystemClock()).watched()
        finally:
            db.dispose()
        if not listened:
            return []
        try:
            unheard = unheard_channels(slack_client(s), listened)
        except SlackApiError as error:
            return [
                self.fail("hearing.check.unchecked", "hearing.check.fix_unchecked", error=error.response.get("error"))
            ]
        except OSError as error:
            return [self.fail("hearing.check.unchecked", "hearing.check.fix_unchecked", error=str(error))]
        if not unheard:
            return [self.ok("hearing.check.ok", count=len(listened))]
        return [
            self.fail(f"hearing.check.{problem}", f"hearing.check.fix_{problem}", channel=channel, customer=customer)
            for channel, customer, problem in unheard
        ]

    # --- the CRM (issue 15) ---------------------------------------------------------------------

    def crm_checks(self) -> list[Check]:
        """With HIYOKO_CRM: its settings, then each line of the gateway's own check (login or token,
        permissions or scopes, the pipeline and its stages, the signal-id field)."""
        s = self.settings
        if not s.hiyoko_crm:
            return []
        missing = s.missing_for_crm()
        if missing:
            return [
                self.fail("doctor.crm.missing", "doctor.crm.missing_fix", crm=s.hiyoko_crm, names=", ".join(missing))
            ]
        checks = []
        if s.hiyoko_crm == "hubspot" and (s.socket_mode or not s.hubspot_client_secret):
            # Deals still go to HubSpot; only won/lost in HubSpot would not come back.
            checks.append(self.fail("doctor.crm.no_webhook", "doctor.crm.no_webhook_fix"))
        try:
            gateway = gateway_of(s)
            found = gateway.check() if gateway is not None else []
        except (CrmError, OSError, ValueError) as error:
            return [
                *checks,
                self.fail("doctor.crm.unreachable", "doctor.crm.unreachable_fix", crm=s.hiyoko_crm, error=str(error)),
            ]
        return checks + [
            self.ok("doctor.crm.ok", what=line.what, detail=line.detail)
            if line.ok
            else Check(FAIL, self.w("doctor.crm.failed", what=line.what), self.w("doctor.crm.fix", detail=line.detail))
            for line in found
        ]

    # --- the Accounts tab -----------------------------------------------------------------------

    def accounts_check(self) -> Check:
        """`hiyoko accounts check` in one line: how many accounts, or how many rows to fix."""
        db = Database(self.settings.database_url)
        try:
            findings = accounts.check(self.settings, db)
        except CommandError as error:
            return self.fail("doctor.accounts.unreadable", "doctor.accounts.fix", error=str(error))
        finally:
            db.dispose()
        if findings.problems:
            return self.fail(
                "doctor.accounts.failed", "doctor.accounts.fix", rows=findings.rows, problems=len(findings.problems)
            )
        return self.ok("doctor.accounts.ok", accounts=len(findings.reading.records), where=findings.tab.where)


def manifest_scopes(path: Path) -> list[str]:
    """The bot scopes manifest.yml asks for, in its order."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        scopes = loaded["oauth_config"]["scopes"]["bot"]
    except (KeyError, TypeError):
        raise ValueError("oauth_config.scopes.bot") from None
    return [str(scope) for scope in scopes]


def settings_problems(error: ValidationError, lang: str) -> list[Check]:
    """One ❌ per setting that does not load, with how to write it."""
    checks = []
    for problem in error.errors():
        name = str(problem["loc"][0]).upper() if problem["loc"] else "?"
        fix_key = f"doctor.setting_fix.{name.lower()}"
        fix = t(fix_key, lang) if fix_key in CATALOG else t("doctor.setting_fix.other", lang, name=name)
        checks.append(Check(FAIL, t("cli.invalid_setting", lang, name=name, reason=problem["msg"]), fix))
    checks.append(Check(SKIP, t("doctor.skipped_settings", lang)))
    return checks


def render(checks: list[Check], lang: str) -> str:
    lines = [t("doctor.title", lang)]
    for check in checks:
        lines.append(f"{check.status} {check.text}")
        if check.fix:
            lines.extend(f"   → {line}" for line in check.fix.splitlines())
    failed = sum(1 for check in checks if check.status == FAIL)
    lines.append(t("doctor.summary_ok", lang) if not failed else t("doctor.summary_failed", lang, count=failed))
    return "\n".join(lines)


def language(flag: str | None) -> str:
    if flag in ("ja", "en"):
        return flag
    return "en" if os.environ.get("HIYOKO_LANGUAGE") == "en" else "ja"


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser("doctor", help="check the installation: settings, Slack, sheet, database")
    check.add_argument("--lang", choices=("ja", "en"), help="language of the report (default: HIYOKO_LANGUAGE)")
    check.add_argument("--manifest", help="the manifest.yml whose bot scopes must be granted (default: the app's)")
    check.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    """0 when every check passes, else 1."""
    try:
        settings = Settings()
    except ValidationError as error:
        lang = language(args.lang)
        print(render(settings_problems(error, lang), lang))
        return 1
    lang = args.lang or settings.hiyoko_language
    checks = Doctor(settings, lang, Path(args.manifest) if args.manifest else MANIFEST).run()
    print(render(checks, lang))
    return 0 if all(check.status != FAIL for check in checks) else 1
