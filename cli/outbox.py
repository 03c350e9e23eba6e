"""`hiyoko outbox list | retry ID | retry-dead`: look at deliveries and requeue dead ones."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from models.signal import format_signal_id
from ops.startup import CommandError, load_settings, open_database
from store import Outbox


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outbox = commands.add_parser("outbox", help="deliveries owed to Slack and the sheet").add_subparsers(
        dest="outbox_command", required=True
    )
    listing = outbox.add_parser("list", help="the newest rows (default: not yet delivered or dead)")
    listing.add_argument("--state", choices=["pending", "dead", "done", "all"], default=None)
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(func=cmd_list)
    retry = outbox.add_parser("retry", help="requeue one dead row (a dead card: with its thread rows)")
    retry.add_argument("id", type=int)
    retry.set_defaults(func=cmd_retry)
    outbox.add_parser("retry-dead", help="requeue every dead row").set_defaults(func=cmd_retry_dead)


def _outbox() -> Outbox:
    settings = load_settings()
    return Outbox(open_database(settings), settings.hiyoko_outbox_max_attempts)


def cmd_list(args: argparse.Namespace) -> int:
    outbox = _outbox()
    states = [args.state] if args.state and args.state != "all" else (["pending", "dead"] if not args.state else [None])
    print("id | state | target | signal | attempts | next attempt | last error")
    for state in states:
        for row in outbox.listing(state, args.limit):
            signal = format_signal_id(row.signal_number) if row.signal_number else "—"
            print(
                f"{row.id} | {row.state} | {row.target} | {signal} | {row.attempts} | "
                f"{row.next_attempt_at.isoformat(timespec='seconds')} | {row.last_error[:120]}"
            )
    counts = outbox.counts()
    print(", ".join(f"{state}: {counts.get(state, 0)}" for state in ("pending", "dead", "done")))
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    count = _outbox().retry(datetime.now(UTC), args.id)
    if count == 0:
        raise CommandError(f"outbox row {args.id} is not dead (see `hiyoko outbox list --state dead`)")
    # A card comes back with the thread rows that died waiting on it (and the other way round).
    chain = f" with {count - 1} row(s) of its chain" if count > 1 else ""
    print(f"outbox #{args.id} requeued{chain}; the running app delivers it within seconds")
    return 0


def cmd_retry_dead(args: argparse.Namespace) -> int:
    count = _outbox().retry(datetime.now(UTC))
    print(f"{count} dead row(s) requeued")
    return 0
