"""Global and message shortcuts: both open the share modal."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.modal import share_modal
from bot.deps import BotDeps
from models.signal import SOURCE_MAX, SUMMARY_MAX
from models.text import slack_to_plain

log = logging.getLogger(__name__)


def open_share_modal(client: WebClient, deps: BotDeps, trigger_id: str, user_id: str, *, summary: str = "",
                     source: str = "") -> None:
    """Open the share modal in the user's language (shortcuts, /hiyoko, App Home)."""
    view = share_modal(deps.language_for(user_id), summary=summary, source=source)
    client.views_open(trigger_id=trigger_id, view=view)


def register(app: App, deps: BotDeps) -> None:
    def share_signal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_share_modal(client, deps, body["trigger_id"], body["user"]["id"])

    def share_signal_from_message(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        message = body.get("message") or {}
        summary = slack_to_plain(message.get("text") or "")[:SUMMARY_MAX]
        channel = (body.get("channel") or {}).get("id")
        source = ""
        if channel and message.get("ts"):
            try:
                source = client.chat_getPermalink(channel=channel, message_ts=message["ts"])["permalink"]
            except SlackApiError as error:  # e.g. a DM the bot cannot see: share without the link
                log.info("no permalink for %s/%s: %s", channel, message.get("ts"), error.response.get("error"))
        open_share_modal(client, deps, body["trigger_id"], body["user"]["id"], summary=summary,
                         source=source[:SOURCE_MAX])

    app.shortcut("share_signal")(share_signal)
    app.shortcut("share_signal_from_message")(share_signal_from_message)
