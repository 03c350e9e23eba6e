"""The scheduled jobs over a big history: nudge_stale_eggs, remind_chicks and weekly_digest on
100,000 signals in SQLite. Prints wall time and peak memory (Python heap and process RSS).

    python -m bench.jobs_100k [--signals 100000]

The database is built with bulk inserts (a few seconds); the jobs then run as the scheduler runs
them, through `Scheduler.run`, and queue their messages in the outbox (nothing is sent).
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from jobs.tasks import make_context
from jobs.timer import Scheduler
from models.clock import FixedClock
from settings import Settings
from store import Database, upgrade_database
from store.schedule import JobStore
from store.tables import EventRow, OutboxRow, SignalRow

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=TOKYO)  # a Monday: the digest's slot, and working hours


def build(db: Database, count: int, seed: int = 7) -> None:
    """`count` signals over two years: ~half eggs, most closed, some stale, some chicks due soon."""
    rng = random.Random(seed)
    people = [f"U{n:05d}" for n in range(300)]
    signals, events = [], []
    for number in range(1, count + 1):
        created = NOW - timedelta(days=rng.uniform(0, 730))
        kind = "egg" if rng.random() < 0.55 else "chick"
        status = rng.choices(["open", "won", "lost", "dropped"], [0.35, 0.3, 0.2, 0.15])[0]
        hatched = kind == "chick" and rng.random() < 0.5
        timing = (NOW.date() + timedelta(days=rng.randint(-30, 120))) if kind == "chick" else None
        activity = created + timedelta(days=rng.uniform(0, max(0.0, (NOW - created).days)))
        signals.append(
            {
                "number": number,
                "customer": f"顧客{number}",
                "customer_key": f"顧客{number}",
                "kind": kind,
                "category": "seats",
                "status": status,
                "summary": "もっと使いたい",
                "timing": timing,
                "size": "",
                "source": "",
                "submitter_id": rng.choice(people),
                "submitter_name": "",
                "owner_id": rng.choice(people),
                "owner_name": "",
                "close_reason": "",
                "created_at": created,
                "updated_at": activity,
                "last_activity_at": activity,
                "nudge_count": rng.choice([0, 0, 0, 1, 2]),
            }
        )
        events.append(
            {
                "signal_number": number,
                "action": "submitted",
                "actor_id": "U00000",
                "actor_name": "",
                "at": created,
                "to_kind": "chick" if kind == "chick" and not hatched else "egg",
                "to_status": "open",
                "note": "",
                "detail": "{}",
            }
        )
        if hatched:
            events.append(
                {
                    "signal_number": number,
                    "action": "hatch",
                    "actor_id": "U00001",
                    "actor_name": "",
                    "at": created + timedelta(days=rng.uniform(1, 60)),
                    "to_kind": "chick",
                    "to_status": "open",
                    "note": "",
                    "detail": "{}",
                }
            )
        if status != "open":
            action = {"won": "win", "lost": "lose", "dropped": "drop"}[status]
            events.append(
                {
                    "signal_number": number,
                    "action": action,
                    "actor_id": "U00001",
                    "actor_name": "",
                    "at": activity,
                    "to_kind": kind,
                    "to_status": status,
                    "note": "",
                    "detail": "{}",
                }
            )
    with db.transaction() as session:
        for start in range(0, len(signals), 5000):
            session.execute(insert(SignalRow), signals[start : start + 5000])
        for start in range(0, len(events), 5000):
            session.execute(insert(EventRow), events[start : start + 5000])


def measure(label: str, action: Callable[[], int], heap: Callable[[], int] | None = None) -> None:
    """Wall time of `action` (untraced: tracemalloc slows Python several times), peak RSS so far,
    and the peak Python heap of `heap` (a dry run of the same job) when given."""
    peak = "—"
    if heap is not None:  # first, while the job still has everything to do
        tracemalloc.start()
        heap()
        peak = f"{tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB"
        tracemalloc.stop()
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| {label:<18} | {elapsed:8.2f} s | {peak:>10} | {rss:7.0f} MiB | {result} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        db = Database(url)
        upgrade_database(db.engine)
        started = time.perf_counter()
        build(db, args.signals)
        with db.read() as session:
            total_events = session.scalar(select(func.count()).select_from(EventRow))
        print(f"built {args.signals:,} signals and {total_events:,} events in {time.perf_counter() - started:.1f} s")
        settings = Settings(_env_file=None, database_url=url, signals_channel_id="C1")  # type: ignore[call-arg]
        scheduler = Scheduler(make_context(settings, JobStore(db)), FixedClock(NOW))
        print("| job                | wall time  | peak heap (dry run) | peak RSS | messages queued |")
        print("|---|---|---|---|---|")
        for job in ("weekly_digest", "remind_chicks", "nudge_stale_eggs"):
            measure(
                job,
                lambda job=job: len(scheduler.run(job, NOW).lines),  # type: ignore[misc]
                lambda job=job: len(scheduler.run(job, NOW, dry_run=True).lines),  # type: ignore[misc]
            )
        later = NOW + timedelta(hours=1)
        measure("nudge, next hour", lambda: len(scheduler.run("nudge_stale_eggs", later).lines))
        with db.read() as session:
            queued = session.scalar(select(func.count()).select_from(OutboxRow))
        print(f"outbox rows queued: {queued:,}; today is {date(2027, 3, 1)} (a Monday)")


if __name__ == "__main__":
    main()
