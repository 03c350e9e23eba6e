"""`hiyoko db upgrade`: apply every pending migration."""

from __future__ import annotations

import argparse

from i18n import t
from ops.startup import load_settings
from store import Database, upgrade_database


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply every pending migration").set_defaults(func=cmd_upgrade)


def cmd_upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    upgrade_database(Database(settings.database_url).engine)
    print(t("cli.db_upgraded", settings.hiyoko_language))
    return 0
