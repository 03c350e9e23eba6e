"""Delivering a signal to Slack, idempotently: the card and the owner's thread reply.

A delivery can be cut off after Slack accepted a message but before we stored its ts. So a
retried delivery first looks in the channel (or the thread) for a message carrying the signal's
metadata and adopts it, instead of posting a second one.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.card import CARD_EVENT, EVENT_LINE, OWNER_NOTICE_EVENT, card, event_line, metadata, owner_notice
from bot.blocks.messages import DIGEST_EVENT, DM_EVENT, digest_message, direct_message
from bot.blocks.proposal import PROPOSAL_EVENT, proposal_message
from bot.chart import digest_chart
from i18n import t
from models.clock import Clock, SystemClock
from models.payloads import AdminAlertPayload, DigestPayload, DirectMessagePayload
from models.signal import EventRecord, SignalRecord, format_signal_id
from models.text import escape_mrkdwn
from store import SignalStore

log = logging.getLogger(__name__)
HISTORY_PAGES = 5  # how far back a retry looks for its own message (200 messages a page)
LOOK_BACK = timedelta(days=2)  # a retried message cannot be older than its outbox row's retries


class CardNotPosted(Exception):
    """The thread reply waits for its card."""


class SlackDelivery:
    def __init__(
        self,
        client: WebClient,
        store: SignalStore,
        channel: str,
        lang: str,
        zone: ZoneInfo,
        *,
        digest_channel: str | None = None,
        admin_channel: str | None = None,
        clock: Clock | None = None,
        channel_interval: float = 1.0,
        crm_name: str = "",
    ) -> None:
        self.crm_name = crm_name  # labels the card's link to its deal ("HubSpot"), issue 15
        self.admin_channel = admin_channel
        self.client = client
        self.store = store
        self.channel = channel
        self.digest_channel = digest_channel or channel
        self.lang = lang
        self.zone = zone
        self.clock = clock or SystemClock()
        self.pacer = Pacer(channel_interval)  # every post to a channel: cards, thread lines, DMs

    def clock_now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    def post_card(self, signal: SignalRecord, retried: bool) -> None:
        """Post the card once; later calls (replays, changes) update it in place."""
        text, blocks = card(signal, self.lang, self.zone, self.store.last_event(signal.number), self.crm_name)
        channel, ts = signal.card_channel, signal.card_ts
        if ts is None and retried:
            ts = self._find(self.channel, CARD_EVENT, {"signal_id": signal.id}, since=signal.created_at)
            channel = self.channel if ts else None
        if channel and ts:
            self.client.chat_update(
                channel=channel, ts=ts, text=text, blocks=blocks, metadata=metadata(CARD_EVENT, signal)
            )
        else:
            posted = self.client.chat_postMessage(
                channel=self.channel,
                text=text,
                blocks=blocks,
                metadata=metadata(CARD_EVENT, signal),
                unfurl_links=False,
                unfurl_media=False,
            )
            channel, ts = posted["channel"], posted["ts"]
            self.store.set_card(signal.number, channel, ts, None)
        if not signal.card_permalink or signal.card_ts != ts:
            permalink = self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
            self.store.set_card(signal.number, channel, ts, permalink)

    def notify_owner(self, signal: SignalRecord, retried: bool) -> None:
        """Reply in the card's thread, mentioning the owner so they get notified."""
        if not signal.card_channel or not signal.card_ts:
            raise CardNotPosted(signal.id)
        if retried and self._find(
            signal.card_channel, OWNER_NOTICE_EVENT, {"signal_id": signal.id}, thread_ts=signal.card_ts
        ):
            return
        self.client.chat_postMessage(
            channel=signal.card_channel,
            thread_ts=signal.card_ts,
            text=owner_notice(signal, self.lang),
            metadata=metadata(OWNER_NOTICE_EVENT, signal),
        )

    def thread_line(self, signal: SignalRecord, event: EventRecord, retried: bool) -> None:
        """One line in the card's thread for one change; a reassignment mentions the new owner."""
        if not signal.card_channel or not signal.card_ts:
            raise CardNotPosted(signal.id)
        key = {"signal_id": signal.id, "event_id": event.public_id}
        meta = {"event_type": EVENT_LINE, "event_payload": key}
        if retried and self._find(signal.card_channel, EVENT_LINE, key, thread_ts=signal.card_ts):
            return
        if event.action == PROPOSAL_EVENT:  # a person's edit of hiyoko's columns: asked, with buttons
            text, blocks = proposal_message(event, self.lang)
            self.client.chat_postMessage(
                channel=signal.card_channel, thread_ts=signal.card_ts, text=text, blocks=blocks, metadata=meta
            )
            return
        self.client.chat_postMessage(
            channel=signal.card_channel, thread_ts=signal.card_ts, text=event_line(event, self.lang), metadata=meta
        )

    def direct_message(self, signal: SignalRecord, payload: DirectMessagePayload, key: str, retried: bool) -> None:
        """A nudge or reminder, in a DM to the owner (a group DM with the submitter in copy)."""
        users = ",".join(dict.fromkeys(payload.users))
        channel = self.client.conversations_open(users=users)["channel"]["id"]
        found = {"signal_id": signal.id, "key": key}
        meta = {"event_type": DM_EVENT, "event_payload": found}
        if retried and self._find(channel, DM_EVENT, found, since=self.clock_now()):
            return
        text, blocks = direct_message(payload.kind, signal, self.lang, self.today(), self.zone, payload.stale_days)
        self.pacer.wait(channel)
        self.client.chat_postMessage(channel=channel, text=text, blocks=blocks, metadata=meta)

    def digest(self, payload: DigestPayload, retried: bool) -> None:
        """The weekly digest in the managers' channel, and its chart in the digest's thread."""
        key = {"slot": payload.slot}
        meta = {"event_type": DIGEST_EVENT, "event_payload": key}
        ts = self._find(self.digest_channel, DIGEST_EVENT, key, since=self.clock_now()) if retried else None
        if ts is None:
            text, blocks = digest_message(payload, self.lang)
            ts = self.client.chat_postMessage(channel=self.digest_channel, text=text, blocks=blocks, metadata=meta)[
                "ts"
            ]
        png, _ = digest_chart(payload.digest, self.lang)
        self.client.files_upload_v2(
            channel=self.digest_channel,
            thread_ts=ts,
            content=png,
            filename=f"hiyoko-{payload.slot[:10]}.png",
            title=t("digest.chart_title", self.lang),
            initial_comment=t("digest.chart_comment", self.lang),
        )

    def _find(
        self,
        channel: str,
        event_type: str,
        key: dict[str, str],
        *,
        since: datetime | None = None,
        thread_ts: str | None = None,
    ) -> str | None:
        """The ts of a message we posted earlier whose metadata carries `key`, if any."""
        cursor = None
        for _ in range(HISTORY_PAGES):
            try:
                if thread_ts:
                    page = self.client.conversations_replies(
                        channel=channel, ts=thread_ts, include_all_metadata=True, limit=200, cursor=cursor
                    )
                else:
                    oldest = (since - LOOK_BACK).timestamp() if since else None
                    page = self.client.conversations_history(
                        channel=channel,
                        oldest=str(oldest) if oldest else None,
                        include_all_metadata=True,
                        limit=200,
                        cursor=cursor,
                    )
            except SlackApiError as error:
                log.warning("could not look for an earlier post %s: %s", key, error.response.get("error"))
                raise
            for message in page.get("messages") or []:
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == event_type and all(payload.get(k) == v for k, v in key.items()):
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return None

    def admin_alert(self, alert: AdminAlertPayload) -> None:
        """Tell the admins a delivery gave up: what, why, the fix, and what to run to retry it."""
        if not self.admin_channel:
            return
        signal = format_signal_id(alert.signal) if alert.signal else "—"
        error = alert.error
        text = t(
            "ops.dead_letter",
            self.lang,
            id=alert.outbox_id,
            target=alert.target,
            signal=signal,
            attempts=alert.attempts,
            error=escape_mrkdwn(error),
        )
        chain = alert.chain
        if chain:
            text += "\n" + t("ops.chain", self.lang, count=len(chain), rows=", ".join(f"#{i}" for i in chain))
        channel = self.digest_channel if alert.target == "digest" else self.channel
        text += "\n→ " + t(f"ops.fix.{slack_error(error)}", self.lang, channel=channel, id=alert.outbox_id)
        self.client.chat_postMessage(channel=self.admin_channel, text=text)


FIXABLE = (
    "not_in_channel",
    "channel_not_found",
    "is_archived",
    "invalid_auth",
    "token_revoked",
    "account_inactive",
    "missing_scope",
)


def slack_error(reason: str) -> str:
    """The Slack error code in a dead row's reason ("slack 200 not_in_channel"), if it is one whose
    fix we can name; else "other"."""
    words = reason.split()
    code = words[2] if len(words) >= 3 and words[0] == "slack" else ""
    if code in ("token_revoked", "account_inactive"):
        return "invalid_auth"
    return code if code in FIXABLE else "other"


class Pacer:
    """Slack allows about one message per second per channel: space a burst of posts out (per
    process; a second replica's posts are spaced by Slack's 429 and slack_sdk's retry)."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str) -> None:
        with self._lock:
            now = time.monotonic()
            ready = self._last.get(channel, 0.0) + self.interval
            self._last[channel] = max(now, ready)
        if ready > now:
            time.sleep(ready - now)
