"""`hiyoko sheet resync`: rewrite every signal's row (and the History tab) from the database."""

from __future__ import annotations

import argparse

from i18n import t
from models.clock import SystemClock
from ops.startup import load_settings, open_database
from sheets import SheetSync, open_tables
from store import SignalStore


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sheet = commands.add_parser("sheet", help="the synced sheet").add_subparsers(dest="sheet_command", required=True)
    sheet.add_parser("resync", help="rewrite every signal's row from the database").set_defaults(func=cmd_resync)


def cmd_resync(args: argparse.Namespace) -> int:
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
