"""The `hiyoko` command: run the app, migrate the database, resync the sheet.

Every command exits non-zero with a one-line reason on bad input; none prints a traceback
(set HIYOKO_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError

import adoption.cli
import jobs.cli
import ops.cli
from cli_common import CommandError, load_settings, open_database
from i18n import t
from models.clock import SystemClock
from ops import logs
from sheets import SheetSync, open_tables
from store import Database, SignalStore, upgrade_database


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    missing = settings.missing_for_run()
    if missing:
        # Said in both languages: whoever installs the app may not read the default one.
        names = ", ".join(missing)
        languages = dict.fromkeys([settings.hiyoko_language, "en", "ja"])
        raise CommandError("\n\n".join(t("cli.missing_settings", lang, names=names) for lang in languages))
    import app

    logs.configure(json_lines=settings.hiyoko_log_format == "json")
    open_database(settings).dispose()
    try:
        hiyoko = app.build(settings)
    except (BoltError, SlackApiError) as error:
        raise CommandError(f"Slack refused the bot token or could not be reached: {error}") from None
    app.serve(hiyoko)
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    upgrade_database(Database(settings.database_url).engine)
    print(t("cli.db_upgraded", settings.hiyoko_language))
    return 0


def cmd_sheet_resync(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = open_database(settings)
    tables = open_tables(settings)
    store = SignalStore(db, SystemClock())
    sync = SheetSync(tables, settings.hiyoko_language, settings.timezone)
    signals = store.all()
    count = sync.write(signals)
    sync.write_history(store.all_events())
    print(t("cli.resynced", settings.hiyoko_language, count=count, target=tables[0].describe()))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="hiyoko", description="Upsell signals from Slack to sales and the sheet.")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the Slack app (Socket Mode or HTTP)").set_defaults(func=cmd_run)
    db = commands.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply every pending migration").set_defaults(func=cmd_db_upgrade)
    sheet = commands.add_parser("sheet", help="the synced sheet").add_subparsers(dest="sheet_command", required=True)
    sheet.add_parser("resync", help="rewrite every signal's row from the database").set_defaults(
        func=cmd_sheet_resync)
    adoption.cli.add_commands(commands)
    jobs.cli.add_commands(commands)
    ops.cli.add_commands(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    logs.configure(json_lines=False)  # `run` switches to JSON lines (HIYOKO_LOG_FORMAT)
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CommandError as error:
        print(f"hiyoko: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if os.environ.get("HIYOKO_DEBUG"):
            raise
        print(f"hiyoko: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
