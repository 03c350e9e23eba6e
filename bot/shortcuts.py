"""Global and message shortcuts: both open the share modal, from local data only (a trigger_id
is dead 3 seconds after the click, whatever Slack answers by then)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.blocks.modal import share_modal
from bot.deps import BotDeps, deps_of
from models.signal import CUSTOMER_MAX, SOURCE_MAX, SUMMARY_MAX
from models.text import slack_to_plain
from store.accounts import account_for_channel

log = logging.getLogger(__name__)


def open_share_modal(
    client: WebClient,
    deps: BotDeps,
    trigger_id: str,
    user_id: str,
    *,
    summary: str = "",
    source: str = "",
    customer: str = "",
) -> None:
    """Open the share modal in the user's language (shortcuts, /hiyoko, App Home)."""
    view = share_modal(deps.language_for(user_id), summary=summary, source=source, customer=customer)
    client.views_open(trigger_id=trigger_id, view=view)


def permalink(body: dict[str, Any]) -> str | None:
    """The message's link, built as Slack builds it, from the payload alone: chat.getPermalink
    before views.open could outlive the trigger_id (3 seconds) when Slack is slow."""
    domain = (body.get("team") or {}).get("domain")
    channel = (body.get("channel") or {}).get("id")
    ts = (body.get("message") or {}).get("ts") or body.get("message_ts")
    if not (domain and channel and ts):
        return None
    link = f"https://{quote(domain)}.slack.com/archives/{quote(channel)}/p{str(ts).replace('.', '')}"
    thread = (body.get("message") or {}).get("thread_ts")
    if thread and thread != ts:
        link += f"?thread_ts={quote(str(thread))}&cid={quote(channel)}"
    return link


def share_signal(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    open_share_modal(client, deps_of(context), body["trigger_id"], body["user"]["id"])


def share_signal_from_message(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    message = body.get("message") or {}
    summary = slack_to_plain(message.get("text") or "")[:SUMMARY_MAX]
    source = permalink(body) or ""
    deps = deps_of(context)
    open_share_modal(
        client,
        deps,
        body["trigger_id"],
        body["user"]["id"],
        summary=summary,
        source=source[:SOURCE_MAX],
        customer=customer_of_channel(deps, (body.get("channel") or {}).get("id") or ""),
    )


def customer_of_channel(deps: BotDeps, channel_id: str) -> str:
    """The customer whose channel (the Accounts tab's `Channel`) the message is in, else "":
    one database read, before views.open."""
    if not channel_id:
        return ""
    try:
        with deps.store.db.read() as session:
            account = account_for_channel(session, channel_id)
    except SQLAlchemyError:
        log.exception("could not read the account of channel %s", channel_id)
        return ""
    return account.customer[:CUSTOMER_MAX] if account else ""


def register(app: App) -> None:
    app.shortcut("share_signal")(share_signal)
    app.shortcut("share_signal_from_message")(share_signal_from_message)
