"""APScheduler 3.11 as a local timer in each process; the database decides who runs a slot.

Every process (replica) runs the same in-memory schedule. When a job fires, the process claims
(job, slot) in the database — an insert that only one process can make — and only the winner
runs it. At start, a process that was down runs the last missed slot of each job if it is recent
enough (the catch-up window) and nobody ran it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from jobs import scheduled
from jobs.scheduled import JobContext
from models.clock import Clock
from settings import Settings
from store.jobs import JobRun

log = logging.getLogger(__name__)
Runner = Callable[[JobContext, datetime, bool, str], list[str]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    trigger: BaseTrigger | None  # None: runs continuously (the relay's own threads)
    run: Runner
    catch_up: timedelta  # how old a missed slot may be and still run at start
    description: str
    # The slot a run belongs to: the trigger's latest fire (the digest: one per week, whenever it
    # runs), or the hour of the run (nudges: each run is safe to repeat; per-signal marks dedupe).
    slot_per_fire: bool = False


def job_specs(settings: Settings) -> dict[str, JobSpec]:
    zone = settings.timezone
    start, end = settings.hiyoko_work_start, settings.hiyoko_work_end
    last_hour = max(start.hour, (end.hour - 1) if end.minute == 0 else end.hour)
    # Hourly in working hours on weekdays; the jobs themselves skip holidays and closures.
    working_hours = CronTrigger(day_of_week="mon-fri", hour=f"{start.hour}-{last_hour}", minute=start.minute,
                                timezone=zone)
    digest_at = settings.hiyoko_digest_time
    digest = CronTrigger(day_of_week=settings.hiyoko_digest_day, hour=digest_at.hour, minute=digest_at.minute,
                         timezone=zone)
    hours = f"{settings.hiyoko_digest_day} {digest_at:%H:%M}"
    working = f"hourly {start:%H:%M}–{end:%H:%M} on business days"
    return {
        "relay": JobSpec("relay", None, scheduled.relay, timedelta(0), "continuous (outbox)"),
        "nudge_stale_eggs": JobSpec("nudge_stale_eggs", working_hours, scheduled.nudge_stale_eggs,
                                    timedelta(hours=1), working),
        "remind_chicks": JobSpec("remind_chicks", working_hours, scheduled.remind_chicks, timedelta(hours=1),
                                 working),
        "weekly_digest": JobSpec("weekly_digest", digest, scheduled.weekly_digest, timedelta(days=1),
                                 f"weekly, {hours}", slot_per_fire=True),
        "directory_refresh": directory_refresh_spec(settings),
    }


def last_fire(trigger: BaseTrigger, now: datetime, window: timedelta) -> datetime | None:
    """The latest time the trigger fired at or before `now`, looking back at most `window`."""
    found = None
    moment = trigger.get_next_fire_time(None, now - window)
    while moment is not None and moment <= now:
        found = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return found


@dataclass(frozen=True)
class RunResult:
    job: str
    slot: str
    ran: bool  # False: another process had claimed this slot
    lines: list[str]


class Scheduler:
    def __init__(self, ctx: JobContext, clock: Clock, holder: str | None = None,
                 on_run: Callable[[str, str], None] | None = None) -> None:
        self.ctx = ctx
        self.on_run = on_run  # metrics: (job, "ran" | "skipped" | "failed")
        self.clock = clock
        self.specs = job_specs(ctx.settings)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"
        self._timer: BackgroundScheduler | None = None

    def slot_of(self, spec: JobSpec, now: datetime) -> str:
        """The slot a run at `now` belongs to (see JobSpec.slot_per_fire), to the minute."""
        zone = self.ctx.settings.timezone
        if spec.trigger is None:
            return now.astimezone(zone).isoformat(timespec="seconds")
        if spec.slot_per_fire:
            slot = last_fire(spec.trigger, now, timedelta(days=8)) or now
        else:
            slot = now.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        return slot.astimezone(zone).isoformat(timespec="minutes")

    def run(self, name: str, now: datetime | None = None, *, dry_run: bool = False) -> RunResult:
        """Run one job for the slot `now` falls in, once across all processes (a dry run claims
        nothing and sends nothing)."""
        spec = self.specs[name]
        now = now or self.clock.now()
        slot = self.slot_of(spec, now)
        if dry_run:
            return RunResult(name, slot, True, spec.run(self.ctx, now, True, slot))
        if spec.trigger is not None and not self.ctx.jobs.claim(name, slot, self.holder, now):
            self._count(name, "skipped")
            return RunResult(name, slot, False, [])
        try:
            lines = spec.run(self.ctx, now, False, slot)
        except Exception as error:
            self._count(name, "failed")
            if spec.trigger is not None:
                self.ctx.jobs.finish(name, slot, self.clock.now(), f"failed: {type(error).__name__}: {error}")
            raise
        self._count(name, "ran")
        if spec.trigger is not None:
            self.ctx.jobs.finish(name, slot, self.clock.now(), f"{len(lines)} line(s)")
        log.info("job %s slot %s: %s", name, slot, "; ".join(lines) or "nothing to send")
        return RunResult(name, slot, True, lines)

    def _count(self, name: str, outcome: str) -> None:
        if self.on_run is not None:
            self.on_run(name, outcome)

    def catch_up(self, now: datetime | None = None) -> list[RunResult]:
        """Run each job's last missed slot, if it is within the job's window and nobody ran it."""
        now = now or self.clock.now()
        results = []
        for spec in self.specs.values():
            if spec.trigger is None or spec.catch_up <= timedelta(0):
                continue
            fired = last_fire(spec.trigger, now, spec.catch_up)
            if fired is not None:
                results.append(self.run(spec.name, fired))
        return results

    def start(self) -> None:
        """Start the local timer (daemon thread) after catching up."""
        try:
            self.catch_up()
        except Exception:
            log.exception("catching up missed jobs failed; the timer starts anyway")
        timer = BackgroundScheduler(timezone=self.ctx.settings.timezone,
                                    job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
        for spec in self.specs.values():
            if spec.trigger is not None:
                timer.add_job(self._fire, spec.trigger, args=[spec.name], id=spec.name, name=spec.name)
        timer.start()
        self._timer = timer

    def _fire(self, name: str) -> None:
        try:
            self.run(name)
        except Exception:
            log.exception("job %s failed", name)

    def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.shutdown(wait=False)

    def table(self) -> list[tuple[str, str, JobRun | None]]:
        """Each job with its schedule and last run (for `hiyoko jobs list`)."""
        runs = self.ctx.jobs.last_runs()
        return [(spec.name, spec.description, runs.get(spec.name)) for spec in self.specs.values()]


# --- issue 10: the user directory ---------------------------------------------------------

def directory_refresh_spec(settings: Settings) -> JobSpec:
    """users.list again every HIYOKO_DIRECTORY_REFRESH_MINUTES (events keep it fresh between).

    A cron on the clock, not an interval from start, so every replica names the same slot and
    one of them runs it; at start each process fills the directory itself (in the background)."""
    minutes = max(1, settings.hiyoko_directory_refresh_minutes)
    if minutes < 60:
        trigger = CronTrigger(minute=f"*/{minutes}", timezone=settings.timezone)
    else:
        trigger = CronTrigger(hour=f"*/{max(1, minutes // 60)}", minute=0, timezone=settings.timezone)
    return JobSpec("directory_refresh", trigger, scheduled.directory_refresh, timedelta(0),
                   f"every {minutes} min", slot_per_fire=True)
