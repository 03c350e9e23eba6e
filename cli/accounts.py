"""`hiyoko accounts check` and `hiyoko accounts import FILE`: the Accounts tab, read now.

`check` prints every row it cannot use as written, with its row number and the fix, in
HIYOKO_LANGUAGE; exit 1 if there is any. It also asks Slack (conversations.info, one call per
channel the tab names) whether hiyoko is a member of each channel.
`import` writes a .csv (UTF-8 or Shift_JIS/cp932) or .xlsx into the tab — replacing what it held
— puts its usable rows in use at once, and prints the check's findings.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.hearing import unheard_channels
from bot.slack_client import slack_client
from bot.users import UserDirectory
from i18n import t
from importing.sources import SourceError, read_csv, read_xlsx
from models.accounts import AccountProblem, AccountsReading, cell_text, find_header
from models.clock import SystemClock
from models.permissions import parse_managers
from ops.startup import CommandError, load_settings, open_database
from settings import Settings
from sheets.accounts import AccountsTab, accounts_where, load_accounts, write_accounts_tab
from store.accounts import AccountStore
from store.db import Database
from store.directory import Directory
from store.suggestions import SuggestionStore


@dataclass(frozen=True)
class Findings:
    tab: AccountsTab
    reading: AccountsReading
    problems: list[AccountProblem]  # the reading's and Slack's (channels), by row
    notes: list[str]  # what was done or left unchecked, one line each

    @property
    def rows(self) -> int:
        return len({problem.row for problem in self.problems})

    def summary(self, lang: str) -> str:
        if self.tab.rows is None:
            return t("accounts.check.no_tab", lang, where=self.tab.where)
        accounts = len(self.reading.records)
        if not self.problems:
            return t("accounts.check.ok", lang, where=self.tab.where, accounts=accounts)
        return t(
            "accounts.check.failed",
            lang,
            where=self.tab.where,
            rows=self.rows,
            problems=len(self.problems),
            accounts=accounts,
        )


def check(settings: Settings, db: Database, *, fill_directory: bool = True) -> Findings:
    """Read the tab now; with a bot token, fill an empty directory first and ask Slack about each
    channel the usable rows name."""
    lang = settings.hiyoko_language
    notes: list[str] = []
    client = slack_client(settings) if settings.slack_bot_token else None
    directory = Directory(db, SystemClock())
    if client is not None and fill_directory and directory.count() == 0:
        try:
            count = UserDirectory(client, directory).refresh(parse_managers(settings.hiyoko_managers)[1])
            notes.append(t("accounts.check.directory_filled", lang, count=count))
        except (SlackApiError, OSError) as error:
            notes.append(t("accounts.check.channels_unchecked", lang, reason=_slack_error(error)))
            client = None
    try:
        tab, reading = load_accounts(settings, db)
    except Exception as error:  # Google's refusal, the network, a damaged file: one line
        raise CommandError(t("accounts.error.read", lang, where=accounts_where(settings), error=error)) from None
    problems = list(reading.problems)
    if client is None:
        if not settings.slack_bot_token:
            reason = t("accounts.check.no_token", lang)
            notes.append(t("accounts.check.channels_unchecked", lang, reason=reason))
    elif reading.records:
        problems += channel_problems(client, reading, notes, lang)
    if client is not None and settings.hearing:
        notes += watched_channel_notes(client, db, reading, lang)
    problems.sort(key=lambda problem: problem.row)
    return Findings(tab, reading, problems, notes)


def _slack_error(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return str(error)


def channel_problems(client: WebClient, reading: AccountsReading, notes: list[str], lang: str) -> list[AccountProblem]:
    """A problem for each row whose channel hiyoko is not in (or cannot see)."""
    rows_of: dict[str, list[int]] = {}
    for record in reading.records:
        if record.account.channel:
            rows_of.setdefault(record.account.channel, []).append(record.row_number)
    title = reading.titles.get("channel", "Channel")
    problems = []
    for channel, rows in rows_of.items():
        try:
            member = bool(client.conversations_info(channel=channel)["channel"].get("is_member"))
            kind = None if member else "bot_not_in_channel"
        except SlackApiError as error:
            if error.response.get("error") != "channel_not_found":
                notes.append(t("accounts.check.channels_unchecked", lang, reason=_slack_error(error)))
                break
            kind = "channel_not_found"
        except OSError as error:
            notes.append(t("accounts.check.channels_unchecked", lang, reason=str(error)))
            break
        if kind is not None:
            problems += [AccountProblem(row, title, channel, kind) for row in rows]
    return problems


def watched_channel_notes(client: WebClient, db: Database, reading: AccountsReading, lang: str) -> list[str]:
    """A line for each channel `/hiyoko watch` listens to (the tab's own are checked above) that
    hiyoko is not in or cannot find, with its fix."""
    tab = {record.account.channel for record in reading.records}
    watched = [(c, customer) for c, customer in SuggestionStore(db, SystemClock()).watched() if c not in tab]
    try:
        unheard = unheard_channels(client, watched)
    except (SlackApiError, OSError) as error:
        return [t("accounts.check.channels_unchecked", lang, reason=_slack_error(error))]
    return [
        t(f"hearing.check.{problem}", lang, channel=channel, customer=customer)
        + "\n   → "
        + t(f"hearing.check.fix_{problem}", lang)
        for channel, customer, problem in unheard
    ]


def print_findings(findings: Findings, lang: str) -> int:
    for note in findings.notes:
        print(note)
    for problem in findings.problems:
        print(problem.render(lang))
    print(findings.summary(lang))
    return 1 if findings.problems else 0


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    accounts = commands.add_parser("accounts", help="the Accounts tab: who owns which customer").add_subparsers(
        dest="accounts_command", required=True
    )
    accounts.add_parser("check", help="list every row of the Accounts tab that cannot be used").set_defaults(
        func=cmd_check
    )
    load = accounts.add_parser("import", help="write a .csv or .xlsx into the Accounts tab (replacing it)")
    load.add_argument("file", metavar="FILE", help="a .csv (UTF-8 or Shift_JIS) or .xlsx file with a header row")
    load.set_defaults(func=cmd_import)


def cmd_check(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = open_database(settings)
    try:
        return print_findings(check(settings, db), settings.hiyoko_language)
    finally:
        db.dispose()


def read_file(path: Path, settings: Settings) -> list[list[str]]:
    """The file's rows as text, trailing blank rows left off; refuses a file without a header."""
    lang = settings.hiyoko_language
    if not path.is_file():
        raise CommandError(t("accounts.import.no_file", lang, path=path))
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            table = read_csv(path)
        elif suffix in (".xlsx", ".xlsm"):
            table = read_xlsx(path, _tab_of(path, settings.hiyoko_accounts_tab))
        else:
            raise CommandError(t("accounts.import.format", lang, path=path))
    except SourceError as error:
        raise CommandError(t(error.key, lang, **error.params)) from None
    rows = [[cell_text(cell) for cell in cells] for _, cells in table.rows]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise CommandError(t("accounts.import.empty", lang, path=path))
    if find_header(rows) is None:
        raise CommandError(t("accounts.import.no_header", lang, path=path))
    return [_trim(row) for row in rows]


def _trim(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row = row[:-1]
    return row


def _tab_of(path: Path, tab: str) -> str | None:
    """The workbook's tab named like the Accounts tab, else its first."""
    try:
        table = read_xlsx(path, tab)
    except SourceError:
        return None
    return tab if table else None


def cmd_import(args: argparse.Namespace) -> int:
    settings = load_settings()
    lang = settings.hiyoko_language
    rows = read_file(Path(args.file).expanduser(), settings)
    db = open_database(settings)
    try:
        try:
            where = write_accounts_tab(settings, rows)
        except Exception as error:  # Google's refusal (not shared as Editor), the network: one line
            raise CommandError(t("accounts.error.write", lang, where=accounts_where(settings), error=error)) from None
        print(t("accounts.import.written", lang, where=where, rows=len(rows) - 1))
        findings = check(settings, db)
        if findings.reading.header_ok:
            AccountStore(db).replace_all(findings.reading.records, SystemClock().now())
        return print_findings(findings, lang)
    finally:
        db.dispose()
