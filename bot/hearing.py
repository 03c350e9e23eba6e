"""Hearing eggs (issue 13): every `message` event of a channel listened to is read by the detector;
a hint becomes a suggestion (store/suggestions.py) that the relay DMs to the account's CSM.

Bolt acks each event before this runs. Most of a workspace's messages are in channels nobody
watches: they cost one set lookup (bot/listening.py). Only new messages by people are read — not
edits, joins or other subtypes, not bots, not hiyoko — and their text is never stored.
`/hiyoko watch [customer]` and `/hiyoko unwatch` (bot/commands.py) answer through this module.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import BotDeps, deps_of
from hearing.detector import Owned
from hearing.learning import features
from i18n import t
from models.text import escape_mrkdwn, fit
from store.suggestions import NewSuggestion, NoCustomer

log = logging.getLogger(__name__)
# A reply also sent to the channel, and a message with a file, are still someone speaking.
SPOKEN_SUBTYPES = frozenset({"thread_broadcast", "file_share"})


def _day_of(ts: str, deps: BotDeps) -> date:
    """The day the message was written, in the team's zone (timings resolve against it)."""
    try:
        moment = datetime.fromtimestamp(float(ts), UTC)
    except (ValueError, OverflowError):
        return deps.today()
    return moment.astimezone(deps.settings.timezone).date()


def heard_message(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """A `message` event (message.channels, message.groups)."""
    deps = deps_of(context)
    if not deps.settings.hearing:
        return
    subtype = event.get("subtype")
    if subtype and subtype not in SPOKEN_SUBTYPES:
        return  # edits (message_changed), deletions, joins, bot_message, …
    user = event.get("user") or ""
    if not user or event.get("bot_id") or event.get("bot_profile") or user == context.bot_user_id:
        return
    channel, ts = event.get("channel") or "", event.get("ts") or ""
    if not (channel and ts) or not deps.listening.listens_to(channel):
        return
    listened = deps.suggestions.listened(channel)
    if listened is None:
        return
    text = event.get("text") or ""
    heard = deps.listening.detector().hear(text, _day_of(ts, deps), Owned(listened.products, listened.plan))
    if not heard.hint or heard.kind is None or heard.category is None:
        return
    if not listened.recipient_id:
        log.info("hint heard in %s (%s) but nobody to tell: no CSM and nobody ran watch", channel, listened.customer)
        return
    outcome, suggestion = deps.suggestions.record(
        NewSuggestion(
            event_id=str(body.get("event_id") or "") or None,
            channel_id=channel,
            message_ts=ts,
            speaker_id=user,
            customer=listened.customer,
            customer_key=listened.customer_key,
            recipient_id=listened.recipient_id,
            kind=heard.kind.value,
            category=heard.category.value,
            timing=heard.timing,
            score=heard.score,
            evidence=heard.evidence,
            language=heard.language,
            features=features(text),
        ),
        deps.settings.hiyoko_suggest_quiet_days,
    )
    if suggestion is not None:
        log.info(
            "suggestion #%d: %s heard in %s → %s", suggestion.id, heard.category.value, channel, suggestion.recipient_id
        )
        deps.on_change()
    else:
        log.info("hint heard in %s (%s, %s): %s", channel, listened.customer, heard.category.value, outcome)


def watch(deps: BotDeps, channel_id: str, user_id: str, words: list[str], lang: str) -> str:
    """`/hiyoko watch [customer]` in a customer's channel: the answer (only the caller sees it)."""
    if not channel_id or channel_id[0] not in "CG":
        return t("hearing.watch.not_a_channel", lang)
    customer = fit(" ".join(words), 150)
    try:
        listened = deps.suggestions.watch(channel_id, customer, user_id)
    except NoCustomer:
        return t("hearing.watch.no_customer", lang)
    deps.listening.refresh()
    answer = t(
        "hearing.watch.done",
        lang,
        customer=escape_mrkdwn(fit(listened.customer, 100)),
        recipient=f"<@{listened.recipient_id or user_id}>",
    )
    return answer if deps.settings.hearing else f"{answer}\n{t('hearing.watch.off', lang)}"


def unwatch(deps: BotDeps, channel_id: str, lang: str) -> str:
    """`/hiyoko unwatch`: stop listening, unless the Accounts tab names the channel."""
    removed = deps.suggestions.unwatch(channel_id)
    deps.listening.refresh()
    if deps.suggestions.listened(channel_id) is not None:
        return t("hearing.unwatch.account", lang)
    return t("hearing.unwatch.done" if removed else "hearing.unwatch.not_watched", lang)


def unheard_channels(client: WebClient, listened: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(channel, customer, "not_member" | "not_found") for each channel listened to that hiyoko
    cannot hear (one conversations.info each; Slack sends no message events of a channel the bot
    is not in). Other Slack errors raise SlackApiError."""
    unheard = []
    for channel, customer in listened:
        try:
            info = client.conversations_info(channel=channel)["channel"]
        except SlackApiError as error:
            if error.response.get("error") != "channel_not_found":
                raise
            unheard.append((channel, customer, "not_found"))
            continue
        if not info.get("is_member"):
            unheard.append((channel, customer, "not_member"))
    return unheard


def register(app: App) -> None:
    app.event("message")(heard_message)
