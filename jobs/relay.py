"""The relay: delivers the outbox to Slack and the sheet, with retries, until done or dead.

Two lanes run side by side so a slow or rate-limited Slack never holds up the sheet, and the
other way round. The sheet lane writes every due row of a claim in one batched upsert. With a
CRM configured (HIYOKO_CRM), a third lane hands signals to it (jobs/crm.py), so a slow CRM holds
up neither Slack nor the sheet.

Delivery is fenced: while a lane works through a claim, a heartbeat renews its lease (every third
of it), and right before each Slack call or sheet write the lane checks it still holds the row —
a relay that stalled past its lease (or a second relay in a CLI process) never posts a row that
another relay took over. Posts to one channel are paced (Slack allows about one a second).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from slack_sdk.errors import SlackApiError

from bot.delivery import CardNotPosted, SlackDelivery
from crm.gateway import CrmError
from jobs.crm import WaitForCard
from jobs.heartbeat import Heartbeat
from models.clock import Clock
from models.payloads import AdminAlertPayload, DigestPayload, DirectMessagePayload, SuggestionPayload
from models.signal import SignalRecord, format_signal_id
from ops.logs import signal_id as log_signal_id
from sheets import SheetSync
from store import Delivery, Outbox, SignalStore, Target

log = logging.getLogger(__name__)

SLACK_LANE = (
    Target.POST_CARD,
    Target.NOTIFY_OWNER,
    Target.THREAD_LINE,
    Target.PUBLISH_HOME,
    Target.DIRECT_MESSAGE,
    Target.DIGEST,
    Target.ADMIN_ALERT,
    Target.CHECK_OWNER,
    Target.SYNC_LIST,  # a Slack API call (slackLists.items.*), paced by Slack's 429s like the rest
    Target.SUGGEST,  # a hint heard in a customer channel, DMed to its CSM (issue 13)
)
ABOUT_NO_SIGNAL = frozenset({Target.DIGEST, Target.ADMIN_ALERT, Target.SUGGEST})
HEARTBEAT_STALE_SECONDS = 60.0  # a lane silent this long is reported dead by /healthz
SHEET_LANE = (Target.SYNC_SHEET, Target.SYNC_HISTORY)
CRM_LANE = (Target.CRM_DEAL,)
CRM_BATCH = 10  # rows per claim in the CRM lane
# The CRM lane's work: make the CRM agree with one signal; asks the fence right before calling.
CrmDeliver = Callable[[int, Callable[[], bool]], bool]
WAIT_FOR_CARD = timedelta(seconds=2)
IDLE_POLL_SECONDS = 1.0


@dataclass
class RelayStats:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    by_target: dict[str, int] = field(default_factory=dict)

    def add(self, other: RelayStats) -> None:
        self.delivered += other.delivered
        self.failed += other.failed
        self.dead += other.dead
        for key, value in other.by_target.items():
            self.by_target[key] = self.by_target.get(key, 0) + value


def _describe(error: Exception) -> tuple[str, float | None]:
    """A short reason for the log and the outbox row, and Slack's Retry-After if it sent one."""
    if isinstance(error, SlackApiError):
        response = error.response
        retry_after = response.headers.get("Retry-After") or response.headers.get("retry-after")
        return (f"slack {response.status_code} {response.get('error')}", float(retry_after) if retry_after else None)
    return f"{type(error).__name__}: {error}"[:500], None


class Relay:
    def __init__(
        self,
        outbox: Outbox,
        store: SignalStore,
        slack: SlackDelivery,
        sheet: SheetSync,
        clock: Clock,
        publish_home: Callable[[str], None],
        batch_size: int = 200,
        on_delivery: Callable[[str, str, int], None] | None = None,
        check_owner: Callable[[SignalRecord], None] | None = None,
        sync_list: Callable[[SignalRecord], object] | None = None,
        crm: CrmDeliver | None = None,
        suggest: Callable[[int, bool], None] | None = None,
    ) -> None:
        self.outbox = outbox
        self.suggest = suggest  # DMs one suggestion (its id, retried?): bot/suggestions.py (issue 13)
        self.crm = crm  # jobs.crm.CrmHandOff.deliver when HIYOKO_CRM is set
        self.sync_list = sync_list  # upserts the signal's Slack List item (HIYOKO_SLACK_LIST_ID)
        self.check_owner = check_owner  # looks up an owner the directory did not know at share time
        self.on_delivery = on_delivery  # metrics: (target, "delivered" | "failed" | "dead", count)
        self._beats: dict[str, float] = {}
        self.publish_home = publish_home
        self.store = store
        self.slack = slack
        self.sheet = sheet
        self.clock = clock
        self.batch_size = batch_size
        self._wakes: list[threading.Event] = []

    def wake(self) -> None:
        """Deliver now rather than at the next poll (called after a commit)."""
        for event in self._wakes:
            event.set()

    def run_once(self, lanes: tuple[tuple[Target, ...], ...] = (SLACK_LANE, SHEET_LANE, CRM_LANE)) -> RelayStats:
        """Deliver what is due in the given lanes; returns what happened."""
        stats = RelayStats()
        for lane in lanes:
            if lane == CRM_LANE and self.crm is None:
                continue  # no CRM configured: its rows wait for one
            # A CRM call can take seconds: small claims keep the lane going round (its heartbeat
            # for /healthz) and leave the rest to another replica's CRM lane.
            limit = min(self.batch_size, CRM_BATCH) if lane == CRM_LANE else self.batch_size
            claimed = self.outbox.claim(self.clock.now(), limit, lane)
            if not claimed:
                continue
            every = self.outbox.lease.total_seconds() / 3
            with Heartbeat(self._renewal(claimed[0].token), every, f"lease-{lane[0].value}"):
                if lane == SHEET_LANE:
                    stats.add(self._sync_sheet(claimed))
                elif lane == CRM_LANE:
                    stats.add(self._deliver_to_crm(claimed))
                else:
                    stats.add(self._deliver_to_slack(claimed))
        return stats

    def _renewal(self, token: str) -> Callable[[], int]:
        return lambda: self.outbox.renew(token, self.clock.now())

    def drain(self, max_rounds: int = 100) -> RelayStats:
        """Run until nothing is due now (tests, the CLI, shutdown)."""
        total = RelayStats()
        for _ in range(max_rounds):
            stats = self.run_once()
            total.add(stats)
            if stats.delivered + stats.failed + stats.dead == 0:
                break
        return total

    def _deliver_to_slack(self, claimed: list[Delivery]) -> RelayStats:
        stats = RelayStats()
        # Cards first, so a thread reply claimed in the same batch finds its card; thread lines
        # keep the order of their events.
        order = {
            Target.POST_CARD: 0,
            Target.NOTIFY_OWNER: 1,
            Target.THREAD_LINE: 1,
            Target.PUBLISH_HOME: 2,
            Target.DIRECT_MESSAGE: 3,
            Target.DIGEST: 3,
            Target.CHECK_OWNER: 3,
            Target.SYNC_LIST: 3,
            Target.SUGGEST: 3,
            Target.ADMIN_ALERT: 4,
        }
        for delivery in sorted(claimed, key=lambda d: (order[d.target], d.id)):
            signal = self.store.get(delivery.signal_number) if delivery.signal_number else None
            if signal is None and delivery.target not in ABOUT_NO_SIGNAL:
                self._fail(delivery, "signal does not exist", stats)
                continue
            channel = self._posts_to(delivery, signal)
            if channel:
                self.slack.pacer.wait(channel)
            if not self._still_mine([delivery]):
                continue
            token = log_signal_id.set(signal.id if signal else None)
            try:
                self._slack_one(delivery, signal)
            except CardNotPosted:
                if self.outbox.wait_for_card(delivery, self.clock.now(), WAIT_FOR_CARD):
                    stats.dead += 1
                    self._observe(delivery.target, "dead", 1)
                continue
            except Exception as error:  # any failure is retried later; nothing is dropped
                self._fail(delivery, error, stats)
                continue
            finally:
                log_signal_id.reset(token)
            self._count(stats, delivery.target, self.outbox.done([delivery], self.clock.now()))
        return stats

    def _posts_to(self, delivery: Delivery, signal: SignalRecord | None) -> str | None:
        """The channel a delivery is about to post a message to, for pacing (None: no post, or
        paced elsewhere — DMs are paced by SlackDelivery once their channel is opened)."""
        match delivery.target:
            case Target.POST_CARD:
                return None if signal is None or signal.card_ts else self.slack.channel
            case Target.NOTIFY_OWNER | Target.THREAD_LINE:
                return signal.card_channel if signal is not None else None
            case Target.DIGEST:
                return self.slack.digest_channel
            case Target.ADMIN_ALERT:
                return self.slack.admin_channel
        return None

    def _still_mine(self, deliveries: list[Delivery]) -> bool:
        """Does this relay still hold every one of these rows? Logged when it lost one."""
        held = self.outbox.owned(deliveries, self.clock.now())
        lost = [d.id for d in deliveries if d.id not in held]
        if lost:
            log.warning(
                "no longer held (lease taken over or run out, or dead with its card), not sending outbox %s",
                ", ".join(f"#{i}" for i in lost),
            )
        return not lost

    def _slack_one(self, delivery: Delivery, signal: SignalRecord | None) -> None:
        retried = delivery.attempts > 1
        if delivery.target is Target.DIGEST:
            self.slack.digest(DigestPayload.from_json(delivery.payload), retried)
            return
        if delivery.target is Target.ADMIN_ALERT:
            self.slack.admin_alert(AdminAlertPayload.from_json(delivery.payload))
            return
        if delivery.target is Target.SUGGEST:
            if self.suggest is not None:
                self.suggest(SuggestionPayload.from_json(delivery.payload).suggestion, retried)
            return
        assert signal is not None
        match delivery.target:
            case Target.POST_CARD:
                self.slack.post_card(signal, retried)
            case Target.NOTIFY_OWNER:
                self.slack.notify_owner(signal, retried)
            case Target.THREAD_LINE:
                [event] = self.store.events_by_id([delivery.event_id or 0])
                self.slack.thread_line(signal, event, retried)
            case Target.PUBLISH_HOME:
                self.publish_home(delivery.user_id or signal.owner_id)
            case Target.DIRECT_MESSAGE:
                message = DirectMessagePayload.from_json(delivery.payload)
                self.slack.direct_message(signal, message, f"outbox-{delivery.id}", retried)
            case Target.CHECK_OWNER:
                if self.check_owner is not None:
                    self.check_owner(signal)
            case Target.SYNC_LIST:
                if self.sync_list is not None:
                    self.sync_list(signal)

    def _deliver_to_crm(self, claimed: list[Delivery]) -> RelayStats:
        """One CRM call per row (an upsert or a stage move), each fenced: a relay whose lease was
        taken over never calls the CRM for that row. The CRM's hints decide the retry: its
        Retry-After, or a dead letter at once (with the admin alert) when retrying cannot help."""
        stats = RelayStats()
        assert self.crm is not None
        for delivery in claimed:
            if delivery.signal_number is None:
                self._fail(delivery, "a CRM row without a signal", stats)
                continue
            token = log_signal_id.set(format_signal_id(delivery.signal_number))
            try:
                sent = self.crm(delivery.signal_number, partial(self._still_mine, [delivery]))
            except WaitForCard:
                self.outbox.release(delivery, self.clock.now(), WAIT_FOR_CARD)
                continue
            except CrmError as error:
                reason = f"crm: {error}"[:500]
                dead = self.outbox.failed(
                    delivery, reason, self.clock.now(), retry_after=error.retry_after, permanent=error.permanent
                )
                stats.dead += dead
                stats.failed += not dead
                self._observe(delivery.target, "dead" if dead else "failed", 1)
                continue
            except Exception as error:  # the database, the network: retried with backoff
                self._fail(delivery, error, stats)
                continue
            finally:
                log_signal_id.reset(token)
            if sent:
                self._count(stats, delivery.target, self.outbox.done([delivery], self.clock.now()))
        return stats

    def _sync_sheet(self, claimed: list[Delivery]) -> RelayStats:
        """One batched upsert per tab; a failing tab fails (and retries) only its own rows."""
        stats = RelayStats()
        rows = [d for d in claimed if d.target is Target.SYNC_SHEET]
        history = [d for d in claimed if d.target is Target.SYNC_HISTORY]
        if rows:
            self._batch(
                rows,
                lambda held: self.sheet.write(self.store.get_many([d.signal_number for d in held if d.signal_number])),
                stats,
            )
        if history:
            self._batch(
                history,
                lambda held: self.sheet.write_history(self.store.events_by_id(d.event_id or 0 for d in held)),
                stats,
            )
        return stats

    def _batch(self, deliveries: list[Delivery], write: Callable[[list[Delivery]], object], stats: RelayStats) -> None:
        try:
            # One sheet writer at a time across processes (PostgreSQL: an advisory lock; SQLite: a
            # file lock): each places new rows after the last ID it reads inside the lock, so two at
            # once would write over each other's new rows.
            with self.outbox.db.exclusive(f"sheet:{deliveries[0].target.value}"):
                held = self.outbox.owned(deliveries, self.clock.now())
                if len(held) < len(deliveries):
                    log.warning(
                        "lease lost (taken over or expired), not writing outbox %s",
                        ", ".join(f"#{d.id}" for d in deliveries if d.id not in held),
                    )
                deliveries = [d for d in deliveries if d.id in held]
                if not deliveries:
                    return
                write(deliveries)
        except Exception as error:
            for delivery in deliveries:
                self._fail(delivery, error, stats)
            return
        self._count(stats, deliveries[0].target, self.outbox.done(deliveries, self.clock.now()))

    def _fail(self, delivery: Delivery, error: Exception | str, stats: RelayStats) -> None:
        reason, retry_after = _describe(error) if isinstance(error, Exception) else (error, None)
        if self.outbox.failed(delivery, reason, self.clock.now(), retry_after=retry_after):
            stats.dead += 1
            self._observe(delivery.target, "dead", 1)
        else:
            stats.failed += 1
            self._observe(delivery.target, "failed", 1)

    def _count(self, stats: RelayStats, target: Target, count: int) -> None:
        stats.delivered += count
        stats.by_target[target.value] = stats.by_target.get(target.value, 0) + count
        self._observe(target, "delivered", count)

    def _observe(self, target: Target, outcome: str, count: int) -> None:
        if self.on_delivery is not None:
            self.on_delivery(target.value, outcome, count)

    def alive(self) -> bool:
        """Both lanes are running and went round recently (for /healthz)."""
        now = time.monotonic()
        return bool(self._beats) and all(now - beat < HEARTBEAT_STALE_SECONDS for beat in self._beats.values())

    def start(self, stop: threading.Event) -> list[threading.Thread]:
        """Run the lanes (Slack, sheet, and the CRM's when one is set) in daemon threads until `stop` is set."""
        threads = []
        lanes = [("slack", SLACK_LANE), ("sheet", SHEET_LANE)] + ([("crm", CRM_LANE)] if self.crm else [])
        for name, lane in lanes:
            wake = threading.Event()
            self._wakes.append(wake)
            threads.append(
                threading.Thread(target=self._loop, args=(lane, wake, stop), name=f"relay-{name}", daemon=True)
            )
        for thread in threads:
            thread.start()
        return threads

    def _loop(self, lane: tuple[Target, ...], wake: threading.Event, stop: threading.Event) -> None:
        while not stop.is_set():
            self._beats[lane[0].value] = time.monotonic()
            try:
                stats = self.run_once((lane,))
            except Exception:  # the database is down or locked: keep the loop alive
                log.exception("relay round failed; retrying")
                stats = RelayStats()
            if stats.delivered + stats.failed + stats.dead == 0:
                wake.wait(IDLE_POLL_SECONDS)
                wake.clear()
