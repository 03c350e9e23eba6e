"""The scheduled jobs as plain functions of (context, clock time, dry run, slot). Each returns one
line per message it queued (or, in a dry run, would queue). Sending goes through the outbox relay."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from slack_sdk.errors import SlackApiError

from bot.deps import team_groups
from bot.slack_client import slack_client
from bot.users import UserDirectory
from crm.factory import gateway_of
from crm.gateway import CrmError, CrmGateway
from hearing.learning import Example, features, train
from i18n import t
from jobs.crm import CrmHandOff, crm_store
from models.calendar import WorkCalendar
from models.clock import FixedClock, SystemClock
from models.metrics import compute_digest
from models.payloads import DigestPayload, DirectMessagePayload
from models.permissions import parse_managers
from settings import Settings
from sheets.accounts import load_accounts
from sheets.readback import SheetReadback
from sheets.slack_list import SlackList, read_back
from store.absences import AbsenceStore
from store.accounts import AccountStore
from store.db import Database
from store.directory import Directory
from store.hearing import save_model
from store.list_items import ListItemStore
from store.readback import ReadbackStore
from store.schedule import JobStore, SlotClaim
from store.suggestions import SuggestionStore

log = logging.getLogger(__name__)


# A chick's reminder is due K business days before its timing: never more than this many
# calendar days (weekends, and the longest Japanese holiday run) ahead.
def _reminder_horizon(business_days: int) -> timedelta:
    return timedelta(days=business_days * 2 + 14)


@dataclass
class JobContext:
    settings: Settings
    jobs: JobStore
    calendar: WorkCalendar
    relay_drain: Callable[[], str] | None = None  # `relay` needs Slack; the others only the database
    directory_refresh: Callable[[], str] | None = None  # issue 10: users.list into the user directory
    crm_gateway: CrmGateway | None = None  # issue 15: the app's gateway (else crm_sync builds one)


def make_context(
    settings: Settings,
    jobs: JobStore,
    relay_drain: Callable[[], str] | None = None,
    directory_refresh: Callable[[], str] | None = None,
) -> JobContext:
    calendar = WorkCalendar(
        settings.timezone,
        settings.hiyoko_work_start,
        settings.hiyoko_work_end,
        settings.hiyoko_holidays,
        settings.closures,
    )
    return JobContext(settings, jobs, calendar, relay_drain, directory_refresh)


def _outside_hours(ctx: JobContext, now: datetime) -> list[str] | None:
    if ctx.calendar.is_working_time(now):
        return None
    when = ctx.calendar.next_working_moment(now).strftime("%Y-%m-%d %H:%M")
    return [t("jobs.outside_hours", ctx.settings.hiyoko_language, next=when)]


def nudge_stale_eggs(
    ctx: JobContext, now: datetime, dry_run: bool, slot: str = "", claim: SlotClaim | None = None
) -> list[str]:
    """Open eggs with no event for N days: a DM to the owner, the submitter in copy. Once per period."""
    waiting = _outside_hours(ctx, now)
    if waiting is not None:
        return waiting
    days = ctx.settings.hiyoko_stale_egg_days
    today = now.astimezone(ctx.calendar.zone).date()  # an owner away today is nudged once back
    eggs = {egg.number: egg for egg in ctx.jobs.stale_eggs(now, days, today)}
    payloads = {
        number: DirectMessagePayload("stale_egg", (egg.owner_id, egg.submitter_id), stale_days=days)
        for number, egg in eggs.items()
    }
    nudged = sorted(eggs) if dry_run else ctx.jobs.nudge(payloads, now, days, today)
    return [f"stale_egg {eggs[n].id} → {eggs[n].owner_id} (cc {eggs[n].submitter_id})" for n in nudged]


def remind_chicks(
    ctx: JobContext, now: datetime, dry_run: bool, slot: str = "", claim: SlotClaim | None = None
) -> list[str]:
    """K business days before a chick's timing, remind its owner; once the timing has passed and
    it is still open, one overdue nudge (with Won / Lost / Back to egg)."""
    waiting = _outside_hours(ctx, now)
    if waiting is not None:
        return waiting
    today = now.astimezone(ctx.calendar.zone).date()
    ahead = ctx.settings.hiyoko_remind_business_days
    due: dict[str, list[tuple[int, date, DirectMessagePayload]]] = {"reminded_for": [], "overdue_for": []}
    lines: dict[int, str] = {}
    for chick, reminded_for, overdue_for in ctx.jobs.open_chicks(today + _reminder_horizon(ahead), today):
        timing = chick.timing
        assert timing is not None
        if timing < today:
            kind, column, sent_for = "overdue_chick", "overdue_for", overdue_for
        elif ctx.calendar.business_days_before(timing, ahead) <= today:
            kind, column, sent_for = "remind_chick", "reminded_for", reminded_for
        else:
            continue
        if sent_for == timing:
            continue  # already told, for this timing
        payload = DirectMessagePayload(kind, (chick.owner_id,), timing=timing)
        due[column].append((chick.number, timing, payload))
        lines[chick.number] = f"{kind} {chick.id} ({timing.isoformat()}) → {chick.owner_id}"
    if dry_run:
        return list(lines.values())
    sent = {n for column, items in due.items() for n in ctx.jobs.mark_chicks(column, items, now, today)}
    return [line for number, line in lines.items() if number in sent]


def weekly_digest(
    ctx: JobContext, now: datetime, dry_run: bool, slot: str = "", claim: SlotClaim | None = None
) -> list[str]:
    """The week's numbers and a chart, to the managers' channel. The message and the slot's
    finish mark commit together (see JobStore.queue_digest)."""
    settings = ctx.settings
    digest = compute_digest(
        ctx.jobs.digest_signals(),
        ctx.jobs.digest_events(),
        now,
        stale_days=settings.hiyoko_stale_egg_days,
        unanswered_after=settings.hiyoko_unanswered_nudges,
        away=AbsenceStore(ctx.jobs.db).current(now.astimezone(ctx.calendar.zone).date()),
    )
    zone = ctx.calendar.zone
    local = dataclasses.replace(
        digest,
        start=digest.start.astimezone(zone),
        end=digest.end.astimezone(zone),
        weekly=[(when.astimezone(zone), eggs, chicks) for when, eggs, chicks in digest.weekly],
    )
    payload = DigestPayload(
        local, slot or now.isoformat(), settings.hiyoko_stale_egg_days, settings.hiyoko_unanswered_nudges
    )
    line = (
        f"digest {local.start.date().isoformat()}–{local.end.date().isoformat()} → {settings.digest_channel}: "
        f"new eggs {digest.new_eggs}, new chicks {digest.new_chicks}, hatched {digest.hatched}, "
        f"won {digest.won}, lost {digest.lost}"
    )
    if not dry_run:
        ctx.jobs.queue_digest(payload, now, claim)
    return [line]


def relay(ctx: JobContext, now: datetime, dry_run: bool, slot: str = "", claim: SlotClaim | None = None) -> list[str]:
    """Deliver what the outbox owes now (the running app does this continuously)."""
    if dry_run or ctx.relay_drain is None:
        return ["relay: " + ("dry run" if dry_run else "no Slack client")]
    return [ctx.relay_drain()]


# --- issue 10: the user directory ---------------------------------------------------------


def directory_refresh(
    ctx: JobContext, now: datetime, dry_run: bool, slot: str = "", claim: SlotClaim | None = None
) -> list[str]:
    """Read every Slack member (users.list) and the managers' group into the user directory."""
    if dry_run:
        return ["directory_refresh: users.list into the user directory"]
    if ctx.directory_refresh is not None:
        return [ctx.directory_refresh()]
    # `hiyoko jobs run directory_refresh` builds no app: a Slack client and the directory will do.
    users = UserDirectory(slack_client(ctx.settings), Directory(ctx.jobs.db, SystemClock()))
    count = users.refresh(parse_managers(ctx.settings.hiyoko_managers)[1], team_groups(ctx.settings))
    return [f"directory_refresh: {count} user(s)"]


# --- issue 12: the Accounts tab -------------------------------------------------------------


def refresh_accounts(settings: Settings, db: Database, now: datetime) -> str:
    """Read the Accounts tab (one Sheets read), resolve its people through the user directory and
    keep its usable rows in the database. A tab whose header has no Customer column keeps the
    accounts last read (a header deleted by mistake must not unroute everyone)."""
    tab, reading = load_accounts(settings, db)
    if reading.problems:
        log.warning(
            "Accounts tab: %d problem(s) in %d row(s); run `hiyoko accounts check`",
            len(reading.problems),
            len(reading.bad_rows),
        )
    if not reading.header_ok:
        return f"accounts_refresh: {tab.where} has no Customer column; the accounts last read stay"
    count = AccountStore(db).replace_all(reading.records, now)
    return f"accounts_refresh: {count} account(s), {len(reading.problems)} problem(s)"


def accounts_refresh(
    ctx: JobContext, now: datetime, dry_run: bool, slot: str = "", claim: SlotClaim | None = None
) -> list[str]:
    """Read the Accounts tab again (every HIYOKO_ACCOUNTS_REFRESH_MINUTES) into the database."""
    if dry_run:
        return [f"accounts_refresh: the {ctx.settings.hiyoko_accounts_tab} tab into the database"]
    return [refresh_accounts(ctx.settings, ctx.jobs.db, now)]


# --- issue 14: sheet read-back --------------------------------------------------------------


def sheet_readback(
    ctx: JobContext, now: datetime, dry_run: bool, slot: str = "", claim: SlotClaim | None = None
) -> list[str]:
    """Read the Signals tab once (every HIYOKO_SHEET_READBACK_MINUTES): people's notes to the
    threads, edits of hiyoko's own cells to proposals. A 429 skips the poll and slows the next."""
    if dry_run:
        return [f"sheet_readback: the {ctx.settings.hiyoko_sheet_tab} tab's people's columns into the threads"]
    lines = [list_readback(ctx, now)] if ctx.settings.hiyoko_slack_list_id else []  # the Slack List (below)
    return [SheetReadback(ctx.settings, ReadbackStore(ctx.jobs.db, FixedClock(now))).poll(now), *lines]


# --- issue 14: the Slack List's read-back, part of sheet_readback when HIYOKO_SLACK_LIST_ID is set


def list_readback(ctx: JobContext, now: datetime) -> str:
    """Comment and Status of every list item, one items.list a page (Tier 2: ~20 a minute per
    workspace); a 429 or another Slack error skips this poll, the next one reads again."""
    settings, db, clock = ctx.settings, ctx.jobs.db, FixedClock(now)
    assert settings.hiyoko_slack_list_id
    items = ListItemStore(db, clock)
    slack_list = SlackList(
        slack_client(settings), items, settings.hiyoko_slack_list_id, settings.hiyoko_language, settings.timezone
    )
    try:
        return read_back(slack_list, ReadbackStore(db, clock))
    except SlackApiError as error:
        return f"slack list: skipped ({error.response.get('error') or error.response.status_code})"


# --- issue 15: outcomes from the CRM ---------------------------------------------------------


def crm_sync(
    ctx: JobContext, now: datetime, dry_run: bool, slot: str = "", claim: SlotClaim | None = None
) -> list[str]:
    """Deals won, lost or reopened in the CRM since the last poll (every HIYOKO_CRM_SYNC_MINUTES),
    applied to their signals once each. Salesforce is polled; HubSpot tells by webhook
    (POST /crm/hubspot), so its poll finds nothing. A CRM that fails skips this poll."""
    settings = ctx.settings
    if not settings.hiyoko_crm:
        return ["crm_sync: no CRM (HIYOKO_CRM is not set)"]
    if dry_run:
        return [f"crm_sync: deals changed in {settings.hiyoko_crm} since the last poll into their signals"]
    try:
        gateway = ctx.crm_gateway or gateway_of(settings)
        if gateway is None:
            return ["crm_sync: no CRM (HIYOKO_CRM is not set)"]
        store = crm_store(settings, ctx.jobs.db, FixedClock(now), gateway.name)
        return [CrmHandOff(gateway, store, settings.hiyoko_language).sync(settings.hiyoko_crm)]
    except CrmError as error:
        return [f"crm_sync: skipped ({error})"]


# --- issue 13: hearing eggs — the team's own model ----------------------------------------------


def hearing_train(
    ctx: JobContext, now: datetime, dry_run: bool, slot: str = "", claim: SlotClaim | None = None
) -> list[str]:
    """Retrain the team's hearing model (every HIYOKO_HEARING_TRAIN_HOURS) from decided suggestions
    (shared, noted, already known: a hint; not a hint: not) and the summaries of the team's own
    signals (each a hint); kept when there is enough to learn from. The listeners load it."""
    suggestions = SuggestionStore(ctx.jobs.db, FixedClock(now))
    examples = [Example(found, hint) for found, hint in suggestions.examples()]
    examples += [Example(features(summary), True) for summary in suggestions.signal_summaries()]
    hints = sum(1 for example in examples if example.hint)
    counted = f"{len(examples)} example(s), {hints} hint(s)"
    if dry_run:
        return [f"hearing_train: would train on {counted}"]
    model = train(examples)
    if model is None:
        return [f"hearing_train: {counted} — too few to learn from; the rules alone decide"]
    metrics = json.dumps({"examples": len(examples), "hints": hints, "weights": len(model.weights)})
    model_id = save_model(ctx.jobs.db, model.to_json(), model.examples, now, metrics)
    return [f"hearing_train: model #{model_id} from {counted}"]
