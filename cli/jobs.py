"""`hiyoko jobs list` and `hiyoko jobs run NAME [--now ISO-8601] [--dry-run]`."""

from __future__ import annotations

import argparse
from datetime import datetime

import app
from i18n import t
from jobs.tasks import make_context
from jobs.timer import Scheduler, job_specs
from models.clock import Clock, FixedClock, SystemClock
from ops.startup import CommandError, load_settings, open_database
from store.schedule import JobStore


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `jobs list` and `jobs run NAME` to the `hiyoko` command."""
    jobs = commands.add_parser("jobs", help="scheduled jobs").add_subparsers(dest="jobs_command", required=True)
    jobs.add_parser("list", help="each job's schedule and last run").set_defaults(func=cmd_list)
    run = jobs.add_parser("run", help="run one job once (claimed like a scheduled run)")
    run.add_argument("name")
    run.add_argument("--now", help="the clock, e.g. 2027-03-01T10:00:00+09:00 (default: now)")
    run.add_argument("--dry-run", action="store_true", help="print what would be sent; send nothing")
    run.set_defaults(func=cmd_run)


def _scheduler(clock: Clock, *, with_slack: bool) -> Scheduler:
    settings = load_settings()
    if with_slack:  # the relay delivers to Slack: it needs the whole app
        missing = settings.missing_for_run()
        if missing:
            raise CommandError(t("cli.missing_settings", settings.hiyoko_language, names=", ".join(missing)))
        hiyoko = app.build(settings, clock=clock)
        return hiyoko.scheduler
    return Scheduler(make_context(settings, JobStore(open_database(settings))), clock)


def _parse_now(text: str | None) -> Clock:
    if text is None:
        return SystemClock()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--now {text!r} is not an ISO-8601 time like 2027-03-01T10:00:00+09:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=load_settings().timezone)
    return FixedClock(moment)


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    specs = job_specs(settings)
    if args.name not in specs:
        raise CommandError(t("jobs.unknown", settings.hiyoko_language, name=args.name, names=", ".join(specs)))
    clock = _parse_now(args.now)
    scheduler = _scheduler(clock, with_slack=args.name == "relay" and not args.dry_run)
    result = scheduler.run(args.name, clock.now(), dry_run=args.dry_run)
    lang = settings.hiyoko_language
    if not result.ran:
        print(t("jobs.claimed_elsewhere", lang, name=args.name, slot=result.slot))
        return 0
    for line in result.lines:
        print(t("jobs.dry_run", lang, line=line) if args.dry_run else line)
    print(t("jobs.done", lang, name=f"{args.name} [{result.slot}]", count=len(result.lines)))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    settings = load_settings()
    lang = settings.hiyoko_language
    scheduler = _scheduler(SystemClock(), with_slack=False)
    print(t("jobs.header", lang))
    for name, schedule, last in scheduler.table():
        when = f"{last.slot} ({last.outcome or 'running'})" if last else t("jobs.never", lang)
        print(f"{name} | {schedule} | {when}")
    return 0
