"""`hiyoko import SOURCE [--tab NAME] [--map 'HEADER=field' ...] [--dry-run] [--announce]`: the old
signal sheet, read and stored by importing/, then delivered once by a relay built from parts
(the outbox, Slack, the sheet) — not the whole app."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError

import app
from bot.slack_client import slack_client
from i18n import t
from importing.importer import (
    FIELDS,
    Ready,
    Refused,
    Unimportable,
    already_imported,
    parse_maps,
    plan_import,
    print_report,
    store_rows,
)
from importing.people import People
from importing.sources import SourceError, read_source
from models.clock import SystemClock
from ops.startup import CommandError, load_settings, open_database
from store import Database, SignalStore


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bring = commands.add_parser("import", help="import an old signal sheet (.xlsx, .csv or a Google Sheet)")
    bring.add_argument(
        "source", metavar="PATH_OR_SPREADSHEET", help="a .xlsx or .csv file, or a Google Sheet's id or URL"
    )
    bring.add_argument("--tab", help="the tab to read (default: the first)")
    bring.add_argument(
        "--map",
        action="append",
        metavar="'HEADER=field'",
        help=f"read the column HEADER as field ({', '.join(FIELDS)}); "
        "an empty field ignores the column; may be repeated",
    )
    bring.add_argument("--dry-run", action="store_true", help="print a preview table and write nothing")
    bring.add_argument(
        "--announce",
        action="store_true",
        help="post a card in the signals channel for each imported signal (default: quiet)",
    )
    bring.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    try:
        return _import(args)
    except Unimportable as error:
        raise CommandError(str(error)) from None


def _import(args: argparse.Namespace) -> int:
    started = time.monotonic()
    settings = load_settings()
    lang = settings.hiyoko_language
    if not settings.slack_bot_token:
        raise CommandError(t("import.error.no_token", lang))
    maps = parse_maps(args.map or [], lang)
    try:
        table = read_source(args.source, args.tab, settings)
    except SourceError as error:
        raise CommandError(t(error.key, lang, **error.params)) from None

    client = slack_client(settings)
    try:
        plan = plan_import(table, maps, People(client), settings, datetime.now(UTC))
    except SlackApiError as error:
        raise CommandError(t("import.error.slack", lang, error=error.response.get("error"))) from None
    if args.announce and not settings.signals_channel_id:
        raise CommandError(t("import.error.no_channel", lang))
    db = Database(settings.database_url) if args.dry_run else open_database(settings)

    ready = [outcome for outcome in plan.outcomes if isinstance(outcome, Ready)]
    already = already_imported(db, ready, dry_run=args.dry_run)
    store, parts = None, None
    if not args.dry_run:
        clock = SystemClock()
        store = SignalStore(db, clock)
        parts = app.delivery(settings, clock, db, store, client)
    results, imported = store_rows(plan, already, store, lang, announce=args.announce)

    print_report(plan, results, imported, lang, dry_run=args.dry_run, announce=args.announce)
    if parts is not None:
        _deliver(parts, lang)
    db.dispose()
    refused = [outcome for outcome in plan.outcomes if isinstance(outcome, Refused)]
    already_count = len(plan.outcomes) - len(refused) - imported
    figures = "import.figures_dry" if args.dry_run else "import.figures"
    print(
        t(
            figures,
            lang,
            read=len(plan.outcomes),
            imported=imported,
            already=already_count,
            refused=len(refused),
            seconds=f"{time.monotonic() - started:.1f}",
        )
    )
    return 1 if refused else 0


def _deliver(parts: app.Delivery, lang: str) -> None:
    """Run the relay once, so the sheet, History and App Homes show the imported signals even
    when the app is not running (a running app's relay shares the work safely: rows are leased)."""
    stats = parts.relay.drain()
    pending = parts.outbox.counts().get("pending", 0)
    if stats.delivered:
        print(t("import.delivered", lang, count=stats.delivered))
    if stats.dead or pending:
        print(t("import.delivery_pending", lang, count=stats.dead + pending))
