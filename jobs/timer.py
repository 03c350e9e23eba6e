"""APScheduler 3.11 as a local timer in each process; the database decides who runs a slot.

Every process (replica) runs the same in-memory schedule. When a job fires, the process claims
(job, slot) in the database — an insert that only one process can make — and only the winner
runs it. At start, a process that was down runs the last missed slot of each job if it is recent
enough (the catch-up window) and nobody ran it.

A claim is a lease, renewed while the job runs. A process that finds a slot claimed but not
finished looks again when the claimant's lease runs out: if the claimant died, it takes the slot
over and runs it (once: a slot runs at most twice).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from jobs import tasks
from jobs.heartbeat import Heartbeat
from jobs.tasks import JobContext
from models.clock import Clock
from settings import Settings
from store.schedule import MAX_SLOT_ATTEMPTS, JobRun, LostSlot, SlotClaim

log = logging.getLogger(__name__)
Runner = Callable[[JobContext, datetime, bool, str, SlotClaim | None], list[str]]


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
    working_hours = CronTrigger(
        day_of_week="mon-fri", hour=f"{start.hour}-{last_hour}", minute=start.minute, timezone=zone
    )
    digest_at = settings.hiyoko_digest_time
    digest = CronTrigger(
        day_of_week=settings.hiyoko_digest_day, hour=digest_at.hour, minute=digest_at.minute, timezone=zone
    )
    hours = f"{settings.hiyoko_digest_day} {digest_at:%H:%M}"
    working = f"hourly {start:%H:%M}–{end:%H:%M} on business days"
    return {
        "relay": JobSpec("relay", None, tasks.relay, timedelta(0), "continuous (outbox)"),
        "nudge_stale_eggs": JobSpec(
            "nudge_stale_eggs", working_hours, tasks.nudge_stale_eggs, timedelta(hours=1), working
        ),
        "remind_chicks": JobSpec("remind_chicks", working_hours, tasks.remind_chicks, timedelta(hours=1), working),
        "weekly_digest": JobSpec(
            "weekly_digest", digest, tasks.weekly_digest, timedelta(days=1), f"weekly, {hours}", slot_per_fire=True
        ),
        "directory_refresh": directory_refresh_spec(settings),  # issue 10: the user directory
        "accounts_refresh": accounts_refresh_spec(settings),  # issue 12: the Accounts tab
        "sheet_readback": sheet_readback_spec(settings),  # issue 14: people's columns read back
        "crm_sync": crm_sync_spec(settings),  # issue 15: won/lost in the CRM
        "hearing_train": hearing_train_spec(settings),  # issue 13: the team's hearing model
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
    def __init__(
        self, ctx: JobContext, clock: Clock, holder: str | None = None, on_run: Callable[[str, str], None] | None = None
    ) -> None:
        self.ctx = ctx
        self.on_run = on_run  # metrics: (job, "ran" | "skipped" | "failed")
        self.clock = clock
        self.specs = job_specs(ctx.settings)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"
        self.lease = timedelta(seconds=ctx.settings.hiyoko_outbox_lease_seconds)
        self._timer: BackgroundScheduler | None = None
        self._rechecks: list[tuple[str, datetime, datetime]] = []  # (job, run time, when) before the timer

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
            return RunResult(name, slot, True, spec.run(self.ctx, now, True, slot, None))
        claim = None
        if spec.trigger is not None:
            # The lease runs on the clock, not on `now` (a caught-up slot's time is in the past).
            claim = self.ctx.jobs.claim(name, slot, self.holder, self.clock.now(), self.lease)
            if claim is None:
                self._count(name, "skipped")
                self._recheck_later(name, slot, now)
                return RunResult(name, slot, False, [])
        try:
            with self._heartbeat(claim):
                lines = spec.run(self.ctx, now, False, slot, claim)
        except LostSlot:
            self._count(name, "skipped")
            log.warning("job %s slot %s was taken over by another process; nothing of ours was kept", name, slot)
            return RunResult(name, slot, False, [])
        except Exception as error:
            self._count(name, "failed")
            if claim is not None:
                self.ctx.jobs.finish(claim, self.clock.now(), f"failed: {type(error).__name__}: {error}")
            raise
        self._count(name, "ran")
        if claim is not None:
            # Written only now that the work is queued (the digest's was, with its message).
            self.ctx.jobs.finish(claim, self.clock.now(), f"{len(lines)} line(s)")
        log.info("job %s slot %s: %s", name, slot, "; ".join(lines) or "nothing to send")
        return RunResult(name, slot, True, lines)

    def _heartbeat(self, claim: SlotClaim | None) -> AbstractContextManager[object]:
        """Renew the slot's lease while a long job runs, so nobody takes a live claimant for dead."""
        if claim is None:
            return nullcontext()
        jobs, clock, lease = self.ctx.jobs, self.clock, self.lease
        return Heartbeat(lambda: jobs.renew(claim, clock.now(), lease), lease.total_seconds() / 3, f"lease-{claim.job}")

    def _recheck_later(self, name: str, slot: str, now: datetime) -> None:
        """A slot claimed but not finished: look again when the claimant's lease runs out, in case
        it died (the claim then goes to whoever asks first)."""
        state = self.ctx.jobs.slot_state(name, slot)
        if state is None or state.finished or state.claimed_until is None or state.attempts >= MAX_SLOT_ATTEMPTS:
            return
        when = state.claimed_until + timedelta(seconds=1)
        if self._timer is None:
            self._rechecks.append((name, now, when))
        else:
            self._timer.add_job(self._fire, "date", run_date=when, args=[name, now])

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
        timer = BackgroundScheduler(
            timezone=self.ctx.settings.timezone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        for spec in self.specs.values():
            if spec.trigger is not None:
                timer.add_job(self._fire, spec.trigger, args=[spec.name], id=spec.name, name=spec.name)
        for name, at, when in self._rechecks:  # slots caught up at start whose claimant may be dead
            timer.add_job(self._fire, "date", run_date=when, args=[name, at])
        self._rechecks.clear()
        timer.start()
        self._timer = timer

    def _fire(self, name: str, now: datetime | None = None) -> None:
        try:
            self.run(name, now)
        except Exception:
            log.exception("job %s failed", name)

    def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.shutdown(wait=False)

    def table(self) -> list[tuple[str, str, JobRun | None]]:
        """Each job with its schedule and last run (for `hiyoko jobs list`)."""
        runs = self.ctx.jobs.last_runs()
        return [(spec.name, spec.description, runs.get(spec.name)) for spec in self.specs.values()]


# --- refreshes on the clock: the user directory, the Accounts tab, the sheet read-back ----------


def every_few_minutes(name: str, run: Runner, minutes: int, settings: Settings) -> JobSpec:
    """A job every `minutes`, as a cron on the clock rather than an interval from start, so every
    replica names the same slot and one of them runs it (the slot is the trigger's fire)."""
    minutes = max(1, minutes)
    if minutes < 60:
        trigger = CronTrigger(minute=f"*/{minutes}", timezone=settings.timezone)
    else:
        trigger = CronTrigger(hour=f"*/{max(1, minutes // 60)}", minute=0, timezone=settings.timezone)
    return JobSpec(name, trigger, run, timedelta(0), f"every {minutes} min", slot_per_fire=True)


def directory_refresh_spec(settings: Settings) -> JobSpec:
    """users.list again every HIYOKO_DIRECTORY_REFRESH_MINUTES (events keep it fresh between); at
    start each process fills the directory itself, in the background."""
    return every_few_minutes(
        "directory_refresh", tasks.directory_refresh, settings.hiyoko_directory_refresh_minutes, settings
    )


def accounts_refresh_spec(settings: Settings) -> JobSpec:
    """The Accounts tab read again every HIYOKO_ACCOUNTS_REFRESH_MINUTES; at start each process
    reads it after the directory fill."""
    return every_few_minutes(
        "accounts_refresh", tasks.accounts_refresh, settings.hiyoko_accounts_refresh_minutes, settings
    )


def sheet_readback_spec(settings: Settings) -> JobSpec:
    """The Signals tab (and the Slack List) read back every HIYOKO_SHEET_READBACK_MINUTES (the
    store's conditional updates keep even two replicas at once from telling an edit twice)."""
    return every_few_minutes("sheet_readback", tasks.sheet_readback, settings.hiyoko_sheet_readback_minutes, settings)


def crm_sync_spec(settings: Settings) -> JobSpec:
    """The CRM polled for won/lost deals every HIYOKO_CRM_SYNC_MINUTES (a cursor in the database;
    each change applied once, however polls overlap)."""
    return every_few_minutes("crm_sync", tasks.crm_sync, settings.hiyoko_crm_sync_minutes, settings)


def hearing_train_spec(settings: Settings) -> JobSpec:
    """The team's hearing model retrained every HIYOKO_HEARING_TRAIN_HOURS (the newest row is used):
    on the clock, so every replica names the same slot; a day or more runs at 03:30, off hours."""
    hours = max(1, settings.hiyoko_hearing_train_hours)
    if hours < 24:
        trigger = CronTrigger(hour=f"*/{hours}", minute=30, timezone=settings.timezone)
    else:
        trigger = CronTrigger(day=f"*/{max(1, hours // 24)}", hour=3, minute=30, timezone=settings.timezone)
    return JobSpec("hearing_train", trigger, tasks.hearing_train, timedelta(0), f"every {hours} h", slot_per_fire=True)
