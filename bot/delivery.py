"""Delivering a signal to Slack, idempotently: the card and the owner's thread reply.

A delivery can be cut off after Slack accepted a message but before we stored its ts. So a
retried delivery first looks in the channel (or the thread) for a message carrying the signal's
metadata and adopts it, instead of posting a second one.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.card import CARD_EVENT, EVENT_LINE, OWNER_NOTICE_EVENT, card, event_line, metadata, owner_notice
from models.signal import EventRecord, SignalRecord
from store import SignalStore

log = logging.getLogger(__name__)
HISTORY_PAGES = 5  # how far back a retry looks for its own message (200 messages a page)


class CardNotPosted(Exception):
    """The thread reply waits for its card."""


class SlackDelivery:
    def __init__(self, client: WebClient, store: SignalStore, channel: str, lang: str, zone: ZoneInfo) -> None:
        self.client = client
        self.store = store
        self.channel = channel
        self.lang = lang
        self.zone = zone

    def post_card(self, signal: SignalRecord, retried: bool) -> None:
        """Post the card once; later calls (replays, changes) update it in place."""
        events = self.store.events(signal.number)
        text, blocks = card(signal, self.lang, self.zone, events[-1] if events else None)
        channel, ts = signal.card_channel, signal.card_ts
        if ts is None and retried:
            ts = self._find(self.channel, CARD_EVENT, signal, since=signal.created_at)
            channel = self.channel if ts else None
        if channel and ts:
            self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks,
                                    metadata=metadata(CARD_EVENT, signal))
        else:
            posted = self.client.chat_postMessage(
                channel=self.channel, text=text, blocks=blocks, metadata=metadata(CARD_EVENT, signal),
                unfurl_links=False, unfurl_media=False,
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
        if retried and self._find(signal.card_channel, OWNER_NOTICE_EVENT, signal, thread_ts=signal.card_ts):
            return
        self.client.chat_postMessage(
            channel=signal.card_channel, thread_ts=signal.card_ts, text=owner_notice(signal, self.lang),
            metadata=metadata(OWNER_NOTICE_EVENT, signal),
        )

    def thread_line(self, signal: SignalRecord, event: EventRecord, retried: bool) -> None:
        """One line in the card's thread for one change; a reassignment mentions the new owner."""
        if not signal.card_channel or not signal.card_ts:
            raise CardNotPosted(signal.id)
        meta = {"event_type": EVENT_LINE, "event_payload": {"signal_id": signal.id, "event_id": event.public_id}}
        if retried and self._find(signal.card_channel, EVENT_LINE, signal, thread_ts=signal.card_ts,
                                  event_id=event.public_id):
            return
        self.client.chat_postMessage(channel=signal.card_channel, thread_ts=signal.card_ts,
                                     text=event_line(event, self.lang), metadata=meta)

    def _find(self, channel: str, event_type: str, signal: SignalRecord, *, since: Any = None,
              thread_ts: str | None = None, event_id: str | None = None) -> str | None:
        """The ts of a message we posted earlier for this signal, if any."""
        cursor = None
        for _ in range(HISTORY_PAGES):
            try:
                if thread_ts:
                    page = self.client.conversations_replies(
                        channel=channel, ts=thread_ts, include_all_metadata=True, limit=200, cursor=cursor)
                else:
                    oldest = (since - timedelta(minutes=5)).timestamp() if since else None
                    page = self.client.conversations_history(
                        channel=channel, oldest=str(oldest) if oldest else None, include_all_metadata=True,
                        limit=200, cursor=cursor)
            except SlackApiError as error:
                log.warning("could not look for an earlier post of %s: %s", signal.id, error.response.get("error"))
                raise
            for message in page.get("messages") or []:
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if (meta.get("event_type") == event_type and payload.get("signal_id") == signal.id
                        and payload.get("event_id") == event_id):
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return None
