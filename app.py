"""Composition root: Settings -> database, Slack client, sheet, Bolt app, relay. `python app.py` is
`hiyoko run`: it checks the settings and the database, configures the logs, builds and serves."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from starlette.applications import Starlette

import bot
from bot.crm_webhook import hubspot_route
from bot.delivery import SlackDelivery
from bot.deps import BotDeps, team_groups
from bot.home import HomePublisher
from bot.http import create_asgi
from bot.owner_check import OwnerCheck
from bot.slack_client import slack_client
from bot.suggestions import SuggestionDelivery
from bot.users import UserDirectory
from crm.factory import gateway_of
from crm.gateway import CrmError, CrmGateway, DealChange
from crm.hubspot import HubSpotGateway
from i18n import t
from jobs.crm import CrmHandOff, crm_store
from jobs.relay import Relay
from jobs.tasks import make_context, refresh_accounts
from jobs.timer import Scheduler
from models.clock import Clock, SystemClock
from models.permissions import parse_managers
from models.signal import SignalRecord
from ops import logs
from ops.logs import ContextExecutor
from ops.metrics import Metrics
from ops.startup import CommandError, exit_code, load_settings, open_database
from settings import Settings
from sheets import SheetSync, SheetTable, open_tables
from sheets.slack_list import SlackList
from store import Database, Outbox, SignalStore
from store.directory import Directory
from store.list_items import ListItemStore
from store.schedule import JobStore

log = logging.getLogger("hiyoko")
LISTENER_THREADS = 32


@dataclass
class Hiyoko:
    """Every part of a running hiyoko, wired together."""

    settings: Settings
    clock: Clock
    db: Database
    store: SignalStore
    outbox: Outbox
    client: WebClient
    sheet: SheetSync
    relay: Relay
    bolt: App
    scheduler: Scheduler
    metrics: Metrics
    users: UserDirectory
    crm: CrmHandOff | None = None  # HIYOKO_CRM: the hand-off to HubSpot or Salesforce (issue 15)

    def health(self) -> dict[str, Any]:
        """What /healthz reports: the database, the relay, the backlog and the dead letters."""
        database = self.db.ping()
        relay = self.relay.alive()
        counts = self.outbox.counts() if database else {}
        oldest = self.outbox.oldest_pending() if database else None
        return {
            "ok": database and relay,
            "database": "up" if database else "down",
            "relay": "alive" if relay else "stopped",
            "outbox_backlog": counts.get("pending", 0),
            "outbox_oldest_seconds": round((self.clock.now() - oldest).total_seconds(), 1) if oldest else 0,
            "dead_letters": counts.get("dead", 0),
        }


@dataclass
class Delivery:
    """What delivers the outbox — to Slack, the sheet, App Homes — without the Bolt app: the app
    runs it in the background, `hiyoko import` once after it stores the rows."""

    outbox: Outbox
    sheet: SheetSync
    users: UserDirectory
    deps: BotDeps
    relay: Relay


def delivery(
    settings: Settings,
    clock: Clock,
    db: Database,
    store: SignalStore,
    client: WebClient,
    *,
    tables: tuple[SheetTable, SheetTable] | None = None,
    metrics: Metrics | None = None,
    crm: CrmHandOff | None = None,
) -> Delivery:
    """The outbox, the sheet and the relay over them, from parts (and the CRM's lane, given one)."""
    outbox = Outbox(
        db,
        settings.hiyoko_outbox_max_attempts,
        alert_admins=bool(settings.hiyoko_admin_channel_id),
        lease=timedelta(seconds=settings.hiyoko_outbox_lease_seconds),
    )
    lang = settings.hiyoko_language
    sheet = SheetSync(tables or open_tables(settings), lang, settings.timezone)
    channel = settings.signals_channel_id or ""
    # The listeners wake the relay after each commit; the relay publishes App Homes with the
    # listeners' view of the world. (The lambda binds `relay` once it exists.)
    users = UserDirectory(client, Directory(db, clock))
    deps = BotDeps(settings, clock, store, users, on_change=lambda: relay.wake())
    slack = SlackDelivery(
        client,
        store,
        channel,
        lang,
        settings.timezone,
        digest_channel=settings.digest_channel,
        admin_channel=settings.hiyoko_admin_channel_id,
        clock=clock,
        channel_interval=settings.hiyoko_slack_channel_interval,
        crm_name=crm.gateway.name if crm else "",
    )
    relay = Relay(
        outbox,
        store,
        slack,
        sheet,
        clock,
        publish_home=HomePublisher(client, deps),
        on_delivery=metrics.delivered if metrics else None,
        check_owner=OwnerCheck(client, users, store, settings),
        sync_list=slack_list(settings, clock, db, client),
        crm=crm.deliver if crm else None,
        suggest=SuggestionDelivery(
            client, deps.suggestions, users, lang, slack.pacer, hearing=settings.hearing
        ).deliver,
    )
    return Delivery(outbox, sheet, users, deps, relay)


def slack_list(
    settings: Settings, clock: Clock, db: Database, client: WebClient
) -> Callable[[SignalRecord], str] | None:
    """The Slack List's upsert of one signal, when HIYOKO_SLACK_LIST_ID is set."""
    if not settings.hiyoko_slack_list_id:
        return None
    items = ListItemStore(db, clock)
    return SlackList(client, items, settings.hiyoko_slack_list_id, settings.hiyoko_language, settings.timezone).sync


def build(
    settings: Settings, *, clock: Clock | None = None, tables: tuple[SheetTable, SheetTable] | None = None
) -> Hiyoko:
    """Wire the app from settings. Tests hand in a fixed clock; nothing here reads globals."""
    clock = clock or SystemClock()
    db = Database(settings.database_url)
    gateway = gateway_of(settings)
    crm_on = settings.hiyoko_crm_on if gateway else None
    store = SignalStore(db, clock, slack_list=bool(settings.hiyoko_slack_list_id), crm_on=crm_on)
    crm = crm_hand_off(settings, clock, db, gateway)
    metrics = Metrics()
    client = slack_client(settings)
    parts = delivery(settings, clock, db, store, client, tables=tables, metrics=metrics, crm=crm)
    outbox, sheet, users, deps, relay = parts.outbox, parts.sheet, parts.users, parts.deps, parts.relay
    bolt = App(
        client=client,
        # Bolt's default is 5 workers, and a listener waiting in that queue past 3 s is answered
        # "unhandled" even though it runs later. Submissions are short: let more run at once.
        # The executor carries the request id into the listener's thread, for the logs.
        listener_executor=ContextExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        # Socket Mode has no 3-second HTTP window to keep; HTTP mode acks first (Bolt's default).
        process_before_response=False,
    )
    bot.register(bolt, deps)
    jobs = JobStore(db)

    def refresh() -> str:  # the directory_refresh job
        return f"directory_refresh: {users.refresh(deps.managers_group, deps.team_groups())} user(s)"

    context = make_context(settings, jobs, relay_drain=lambda: str(relay.drain()), directory_refresh=refresh)
    context.crm_gateway = gateway
    scheduler = Scheduler(
        context, clock, on_run=lambda job, outcome: metrics.job_runs.labels(job=job, outcome=outcome).inc()
    )
    metrics.watch_database(store, outbox, jobs, clock)
    return Hiyoko(settings, clock, db, store, outbox, client, sheet, relay, bolt, scheduler, metrics, users, crm)


def crm_hand_off(settings: Settings, clock: Clock, db: Database, gateway: CrmGateway | None) -> CrmHandOff | None:
    """The CRM hand-off when HIYOKO_CRM names a CRM (issue 15)."""
    if gateway is None:
        return None
    return CrmHandOff(gateway, crm_store(settings, db, clock, gateway.name), settings.hiyoko_language)


def asgi(hiyoko: Hiyoko) -> Starlette:
    """HTTP mode's app: Slack's events, /healthz, /metrics, and HubSpot's webhook when HubSpot is
    the CRM and HUBSPOT_CLIENT_SECRET is set."""
    settings = hiyoko.settings
    routes = []
    crm = hiyoko.crm
    if crm is not None and isinstance(crm.gateway, HubSpotGateway) and settings.hubspot_client_secret:

        def apply(changes: list[DealChange]) -> Counter[str]:
            outcomes = crm.apply(changes)
            hiyoko.relay.wake()  # the thread lines, the card, the sheet
            return outcomes

        routes.append(
            hubspot_route(
                settings.hubspot_client_secret,
                settings.hiyoko_public_url,
                crm.gateway.changes_of,
                apply,
                hiyoko.clock.now,
                settings.hiyoko_max_body_bytes,
            )
        )
    return create_asgi(hiyoko.bolt, hiyoko.health, hiyoko.metrics, settings.hiyoko_max_body_bytes, routes)


def serve(hiyoko: Hiyoko) -> None:
    """Run until interrupted: the relay in the background, Slack in the foreground."""
    stop = threading.Event()
    hiyoko.db.warm_up()
    start_directory_fill(hiyoko)
    hiyoko.relay.start(stop)
    hiyoko.scheduler.start()
    settings = hiyoko.settings
    try:
        if settings.socket_mode:
            # Only Socket Mode needs the WebSocket adapter (and its client library).
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("hiyoko running in Socket Mode")
            SocketModeHandler(hiyoko.bolt, settings.slack_app_token).start()  # type: ignore[no-untyped-call]
        else:
            import uvicorn  # only HTTP mode needs the server

            log.info(
                "hiyoko listening on %s:%s (POST /slack/events, GET /healthz, GET /metrics%s)",
                settings.hiyoko_host,
                settings.port,
                ", POST /crm/hubspot" if settings.hiyoko_crm == "hubspot" and settings.hubspot_client_secret else "",
            )
            uvicorn.run(asgi(hiyoko), host=settings.hiyoko_host, port=settings.port, log_level="info", access_log=False)
    finally:
        hiyoko.scheduler.shutdown()
        stop.set()
        hiyoko.relay.wake()


def start_directory_fill(hiyoko: Hiyoko) -> threading.Thread:
    """Fill the user directory (users.list, the managers' group) in the background: Slack and the
    HTTP server start at once, and until the fill lands an unknown user is checked after the ack.
    Then read the Accounts tab, whose people resolve through the directory just filled, and warm
    the CRM gateway up."""

    def fill() -> None:
        try:
            count = hiyoko.users.refresh(
                parse_managers(hiyoko.settings.hiyoko_managers)[1], team_groups(hiyoko.settings)
            )
            log.info("user directory filled: %d user(s)", count)
        except Exception:  # the timer and the events fill it later; the app runs without it
            log.exception("could not fill the user directory at start")
        try:  # then the Accounts tab, so its people resolve against a filled directory
            log.info("%s", refresh_accounts(hiyoko.settings, hiyoko.db, hiyoko.clock.now()))
        except Exception:  # the accounts_refresh job reads it again; routing falls to the teams
            log.exception("could not read the Accounts tab at start")
        if hiyoko.crm is not None:
            try:  # the login and the pipeline's stages, before the first webhook or hand-off needs them
                hiyoko.crm.gateway.warm_up()
            except Exception:  # the first call that needs them reads them then
                log.exception("could not reach %s at start", hiyoko.crm.gateway.name)

    thread = threading.Thread(target=fill, name="directory-fill", daemon=True)
    thread.start()
    return thread


def run(settings: Settings) -> None:
    """`hiyoko run`: refuse to start without the settings it needs (said in both languages:
    whoever installs the app may not read the default one), configure the logs, check the
    database is migrated (SQLite: migrate it), then build and serve until interrupted."""
    missing = settings.missing_for_run() + settings.missing_for_crm()
    if missing:
        names = ", ".join(missing)
        languages = dict.fromkeys([settings.hiyoko_language, "en", "ja"])
        raise CommandError("\n\n".join(t("cli.missing_settings", lang, names=names) for lang in languages))
    logs.configure(json_lines=settings.hiyoko_log_format == "json")
    open_database(settings).dispose()
    try:
        hiyoko = build(settings)
    except (BoltError, SlackApiError) as error:
        raise CommandError(f"Slack refused the bot token or could not be reached: {error}") from None
    except CrmError as error:  # e.g. SALESFORCE_PRIVATE_KEY_FILE unreadable
        raise CommandError(f"HIYOKO_CRM={settings.hiyoko_crm}: {error}") from None
    serve(hiyoko)


def start() -> int:
    """Load the settings (one line per bad one) and run; 0 once interrupted."""
    run(load_settings())
    return 0


def main() -> None:
    """`python app.py` is `hiyoko run`: the same checks, messages and exit codes."""
    logs.configure(json_lines=False)  # run switches to JSON lines (HIYOKO_LOG_FORMAT)
    raise SystemExit(exit_code(start))


if __name__ == "__main__":
    main()
