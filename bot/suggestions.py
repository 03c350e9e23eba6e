"""A hint heard in a customer channel, suggested to its recipient (issue 13): the DM the relay
sends (Target.SUGGEST) and its buttons.

The message text is not stored: the DM quotes it by reading it from Slack when it is sent, and
the Share and Note buttons read it again — the CSM's click shares it. Only the suggestion's
recipient or a manager decides (the store checks under the row's lock).

Share opens the share modal at once with local data only (customer, kind, category, timing, the
permalink as source): a trigger_id dies 3 seconds after the click and reading the message is a
Slack call that may be slow. The message text then fills the summary by views.update; if that
read fails the CSM types the summary, nothing else is lost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlparse

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.modal import share_modal
from bot.blocks.suggestion import (
    DISMISS_ID,
    KNOWN_ID,
    NOT_HINT_ID,
    NOTE_ID,
    SHARE_ID,
    SUGGESTION_EVENT,
    decided_blocks,
    dismiss_choice,
    suggestion_message,
)
from bot.delivery import Pacer
from bot.deps import BotDeps, deps_of
from bot.users import UserDirectory
from i18n import Lang, language_of, t
from models.lifecycle import Refused
from models.signal import CUSTOMER_MAX, SOURCE_MAX, SUMMARY_MAX, Category, Kind, SignalDraft, format_signal_id
from models.text import slack_to_plain
from store import ChangeRequest, Note, NotFound, NotPermitted
from store.suggestions import KNOWN, NOT_HINT, NOTED, PENDING, SHARED, Suggestion, SuggestionStore

log = logging.getLogger(__name__)
UNREADABLE = frozenset({"not_in_channel", "channel_not_found", "thread_not_found", "message_not_found"})


def message_text(client: WebClient, suggestion: Suggestion) -> str | None:
    """The heard message's text as Slack has it now; None when it is gone or hiyoko cannot read
    the channel. A thread reply (its permalink names the thread) is read from its thread."""
    ts = suggestion.message_ts
    thread = parse_qs(urlparse(suggestion.permalink).query).get("thread_ts", [""])[0]
    try:
        if thread and thread != ts:
            page = client.conversations_replies(
                channel=suggestion.channel_id, ts=thread, oldest=ts, latest=ts, inclusive=True, limit=2
            )
        else:
            page = client.conversations_history(
                channel=suggestion.channel_id, oldest=ts, latest=ts, inclusive=True, limit=1
            )
    except SlackApiError as error:
        if error.response.get("error") in UNREADABLE:
            log.info("suggestion #%d: message unreadable (%s)", suggestion.id, error.response.get("error"))
            return None
        raise
    for message in page.get("messages") or []:
        if message.get("ts") == ts:
            return str(message.get("text") or "")
    return None


class SuggestionDelivery:
    """Sends one suggestion's DM (the relay's Slack lane), once even when retried."""

    def __init__(
        self,
        client: WebClient,
        suggestions: SuggestionStore,
        users: UserDirectory,
        default_lang: str,
        pacer: Pacer,
        hearing: bool = True,
    ) -> None:
        self.hearing = hearing  # HIYOKO_HEARING=off also keeps back what was heard before it was set
        self.client = client
        self.suggestions = suggestions
        self.users = users
        self.default_lang = default_lang
        self.pacer = pacer

    def deliver(self, suggestion_id: int, retried: bool) -> None:
        suggestion = self.suggestions.get(suggestion_id)
        if suggestion is None or suggestion.state != PENDING:
            log.info("suggestion #%d is gone or decided already: no DM", suggestion_id)
            return
        if not self.hearing:
            log.info("suggestion #%d: HIYOKO_HEARING=off, no DM (it stays pending)", suggestion_id)
            return
        link = suggestion.permalink
        if not link:  # the listener does not ask Slack: the link is fetched here, once
            try:
                found = self.client.chat_getPermalink(channel=suggestion.channel_id, message_ts=suggestion.message_ts)
                link = str(found.get("permalink") or "")
            except SlackApiError as error:
                if error.response.get("error") not in UNREADABLE:
                    raise
            if link:
                self.suggestions.set_permalink(suggestion.id, link)
                suggestion = self.suggestions.get(suggestion_id) or suggestion
        text = message_text(self.client, suggestion)
        channel = self.client.conversations_open(users=suggestion.recipient_id)["channel"]["id"]
        key = {"suggestion": str(suggestion.id)}
        if retried and self._posted(channel, key):
            return
        lang = language_of(self.users.locale_of(suggestion.recipient_id), self.default_lang)
        title, blocks = suggestion_message(suggestion, text, link, lang)
        self.pacer.wait(channel)
        self.client.chat_postMessage(
            channel=channel, text=title, blocks=blocks, metadata={"event_type": SUGGESTION_EVENT, "event_payload": key}
        )

    def _posted(self, channel: str, key: dict[str, str]) -> bool:
        """Did an earlier try post this DM already? (Its metadata says which suggestion.)"""
        page = self.client.conversations_history(channel=channel, include_all_metadata=True, limit=100)
        for message in page.get("messages") or []:
            meta = message.get("metadata") or {}
            if meta.get("event_type") == SUGGESTION_EVENT and (meta.get("event_payload") or {}) == key:
                return True
        return False


# --- the buttons ---------------------------------------------------------------------------------


def _who(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "hiyoko"


def _refusal(deps: BotDeps, suggestion: Suggestion | None, user: str, lang: Lang) -> str | None:
    """Why this user may not decide this suggestion now, or None when they may."""
    if suggestion is None:
        return t("suggest.missing", lang)
    if user != suggestion.recipient_id and user not in deps.managers():
        return t("suggest.denied", lang, recipient=_who(suggestion.recipient_id))
    if suggestion.state != PENDING:
        return t(
            "suggest.already",
            lang,
            who=_who(suggestion.decided_by),
            state=t(f"suggest.state.{suggestion.state}", lang),
        )
    return None


def _clicked(deps: BotDeps, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> Suggestion | None:
    """The suggestion clicked, when the clicker may decide it; else they are told, privately."""
    user = body["user"]["id"]
    value = str(action.get("value") or "")
    suggestion = deps.suggestions.get(int(value)) if value.isdigit() else None
    refusal = _refusal(deps, suggestion, user, deps.language_for(user))
    if refusal is not None:
        respond(text=refusal, response_type="ephemeral", replace_original=False)
        return None
    return suggestion


def _dm_of(body: dict[str, Any]) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    """The DM clicked: its channel, ts and blocks as shown."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    message = body.get("message") or {}
    return channel, container.get("message_ts") or message.get("ts"), list(message.get("blocks") or [])


def _show_decided(
    client: WebClient, dm: tuple[str | None, str | None, list[dict[str, Any]]], suggestion: Suggestion, lang: str
) -> None:
    channel, ts, blocks = dm
    if not (channel and ts):
        return
    blocks = decided_blocks(blocks, suggestion.state, _who(suggestion.decided_by), lang, suggestion.signal_number)
    line = t(f"suggest.decided.{suggestion.state}", lang, who=_who(suggestion.decided_by), id="")
    client.chat_update(channel=channel, ts=ts, text=line, blocks=blocks)


def on_share(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Share: the share modal pre-filled, opened from local data first (see the module docstring),
    then its summary filled with the message as Slack has it now."""
    ack()
    deps = deps_of(context)
    suggestion = _clicked(deps, body, action, respond)
    if suggestion is None:
        return
    user = body["user"]["id"]
    lang = deps.language_for(user)
    channel, ts, _ = _dm_of(body)
    draft = SignalDraft(
        customer=suggestion.customer[:CUSTOMER_MAX],
        kind=Kind(suggestion.kind),
        category=Category(suggestion.category),
        summary="",
        timing=suggestion.timing,
        owner_id="",
        source=suggestion.permalink[:SOURCE_MAX],
    )
    metadata = {"suggestion": suggestion.id, "dm": [channel or "", ts or ""]}
    opened = client.views_open(trigger_id=body["trigger_id"], view=share_modal(lang, draft=draft, metadata=metadata))
    text = message_text(client, suggestion)
    if not text:
        return
    summary = slack_to_plain(text)[:SUMMARY_MAX]
    view = opened.get("view") or {}
    filled = share_modal(lang, draft=replace(draft, summary=summary), metadata=metadata)
    try:  # the hash: a modal the CSM already moved on from (submitted, replaced) is left alone
        client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=filled)
    except SlackApiError as error:
        log.info("suggestion #%d: summary not filled in (%s)", suggestion.id, error.response.get("error"))


def after_share(
    deps: BotDeps,
    client: WebClient | None,
    metadata: dict[str, Any],
    signal_number: int,
    user_id: str,
    state: str = SHARED,
) -> None:
    """The share modal opened from a suggestion made a signal (or a note on one, `state` noted):
    the suggestion is marked so and its DM says who did it (after the submission's ack)."""
    suggestion_id = metadata.get("suggestion")
    if not isinstance(suggestion_id, int):
        return
    decision = deps.suggestions.decide(suggestion_id, user_id, state, deps.managers(), signal_number=signal_number)
    if decision.outcome != "decided" or decision.suggestion is None:
        log.info("suggestion #%s not marked %s: %s", suggestion_id, state, decision.outcome)
        return
    dm = metadata.get("dm") or []
    if client is None or len(dm) != 2 or not all(dm):
        return
    try:
        page = client.conversations_history(channel=dm[0], oldest=dm[1], latest=dm[1], inclusive=True, limit=1)
        shown = next((m for m in page.get("messages") or [] if m.get("ts") == dm[1]), None)
        if shown is not None:
            _show_decided(
                client, (dm[0], dm[1], list(shown.get("blocks") or [])), decision.suggestion, deps.language_for(user_id)
            )
    except SlackApiError as error:
        log.info("suggestion #%s: DM not updated (%s)", suggestion_id, error.response.get("error"))


def on_dismiss(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Dismiss: the DM's buttons become the two reasons (not a hint, already known)."""
    ack()
    deps = deps_of(context)
    suggestion = _clicked(deps, body, action, respond)
    if suggestion is None:
        return
    channel, ts, blocks = _dm_of(body)
    if channel and ts:
        lang = deps.language_for(body["user"]["id"])
        client.chat_update(
            channel=channel,
            ts=ts,
            text=t("suggest.dismiss_question", lang),
            blocks=dismiss_choice(blocks, suggestion.id, lang),
        )


def _dismissed(state: str) -> Callable[..., None]:
    """The listener of one dismiss reason (not a hint, already known)."""

    def on_reason(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        ack()
        deps = deps_of(context)
        suggestion = _clicked(deps, body, action, respond)
        if suggestion is None:
            return
        user = body["user"]["id"]
        lang = deps.language_for(user)
        decision = deps.suggestions.decide(suggestion.id, user, state, deps.managers())
        if decision.outcome != "decided" or decision.suggestion is None:
            refusal = _refusal(deps, decision.suggestion, user, lang) or t("suggest.missing", lang)
            respond(text=refusal, response_type="ephemeral", replace_original=False)
            return
        _show_decided(client, _dm_of(body), decision.suggestion, lang)

    on_reason.__name__ = f"on_{state}"
    return on_reason


on_not_hint = _dismissed(NOT_HINT)
on_known = _dismissed(KNOWN)


def on_note(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Note on the open signal: the message (read now: the click shares it) and its link, added to
    the signal the DM named; the suggestion is decided first, so two clicks add one note."""
    ack()
    deps = deps_of(context)
    suggestion = _clicked(deps, body, action, respond)
    if suggestion is None or not suggestion.signal_number:
        return
    user = body["user"]["id"]
    lang = deps.language_for(user)
    signal_id = format_signal_id(suggestion.signal_number)
    decision = deps.suggestions.decide(suggestion.id, user, NOTED, deps.managers())
    if decision.outcome != "decided" or decision.suggestion is None:
        respond(
            text=_refusal(deps, decision.suggestion, user, lang) or t("suggest.missing", lang),
            response_type="ephemeral",
            replace_original=False,
        )
        return
    text = message_text(client, suggestion)
    if text is None:
        deps.suggestions.undo(suggestion.id)
        respond(text=t("suggest.unreadable", lang), response_type="ephemeral", replace_original=False)
        return
    note = "\n".join(part for part in (slack_to_plain(text), suggestion.permalink) if part)
    try:
        deps.store.change(
            suggestion.signal_number,
            ChangeRequest(Note(note), user, deps.users.name_of(user)),
            managers=deps.managers(),
            today=deps.today(),
            anyone_may_note=True,
            open_only=True,
        )
    except (NotFound, NotPermitted, Refused):
        deps.suggestions.undo(suggestion.id)
        respond(text=t("suggest.note_failed", lang, id=signal_id), response_type="ephemeral", replace_original=False)
        return
    deps.on_change()
    _show_decided(client, _dm_of(body), decision.suggestion, lang)


def suggestion_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """What a share modal opened from a suggestion carries in its private_metadata ({} if none)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) and isinstance(meta.get("suggestion"), int) else {}


def register(app: App) -> None:
    app.action(SHARE_ID)(on_share)
    app.action(DISMISS_ID)(on_dismiss)
    app.action(NOT_HINT_ID)(on_not_hint)
    app.action(KNOWN_ID)(on_known)
    app.action(NOTE_ID)(on_note)
