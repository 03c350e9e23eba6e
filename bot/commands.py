"""/hiyoko: no argument opens the share modal; `help`, `mine`, `list [egg|chick] [customer]`,
`show S-000123`, `away [FROM] UNTIL`, `back` answer ephemerally, ten signals a page (Slack allows
50 blocks a message)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import hearing
from bot.blocks.card import actor_of, card
from bot.blocks.rows import signal_row
from bot.blocks.text import mrkdwn
from bot.deps import BotDeps, deps_of
from bot.shortcuts import open_share_modal
from i18n import t
from models.crm import CRM_NAMES
from models.signal import Kind, SignalRecord, parse_signal_id
from models.text import clean_text, escape_mrkdwn, fit

PAGE = 10
PAGE_ACTION = "hiyoko_page"
HISTORY_LINES = 15


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def _query(words: list[str]) -> dict[str, Any]:
    """`list [egg|chick] [customer words…]` → what to search."""
    kind = words[0] if words and words[0] in ("egg", "chick") else None
    return {"q": "list", "kind": kind, "text": " ".join(words[1:] if kind else words)[:200]}


class Answers:
    """Builds the ephemeral answers; the same code serves the command and its page buttons."""

    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps

    def help(self, lang: str) -> dict[str, Any]:
        text = (
            t("command.help", lang, channel=self.deps.settings.signals_channel_id or "")
            + "\n"
            + t("command.help_more", lang)
            + "\n"
            + t("command.help_away", lang)
            + "\n"
            + t("hearing.help", lang)
        )
        return {"text": text, "blocks": [_section(text)]}

    def page(self, query: dict[str, Any], user_id: str, lang: str, offset: int) -> dict[str, Any]:
        if query["q"] == "mine":
            owned, shared = self.deps.store.open_for(user_id)
            everything = owned + shared
            items, total, title = everything[offset : offset + PAGE], len(everything), t("command.mine", lang)
        else:
            kind = Kind(query["kind"]) if query.get("kind") else None
            items, total = self.deps.store.search(kind=kind, text=query.get("text") or "", offset=offset, limit=PAGE)
            title = t("command.list", lang)
            if kind:
                title += f" {kind.emoji}"
            if query.get("text"):
                title += f" “{escape_mrkdwn(query['text'])}”"
        if not items:
            text = t("command.empty", lang, title=title)
            return {"text": text, "blocks": [_section(text)]}
        head = t("command.page", lang, title=title, total=total, first=offset + 1, last=offset + len(items))
        blocks = [_section(head)]
        for signal in items:
            blocks += signal_row(signal, lang, self.deps.today(), self.deps.settings.timezone, with_actions=False)
        nav = []
        if offset > 0:
            nav.append(self._button(t("command.prev", lang), query, max(0, offset - PAGE), "prev"))
        if offset + len(items) < total:
            nav.append(self._button(t("command.next", lang), query, offset + PAGE, "next"))
        if nav:
            blocks.append({"type": "actions", "elements": nav})
        return {"text": head, "blocks": blocks}

    @staticmethod
    def _button(text: str, query: dict[str, Any], offset: int, which: str) -> dict[str, Any]:
        return {
            "type": "button",
            "action_id": f"{PAGE_ACTION}_{which}",
            "text": {"type": "plain_text", "text": text},
            "value": json.dumps({**query, "offset": offset}, ensure_ascii=False),
        }

    def show(self, signal: SignalRecord, lang: str) -> dict[str, Any]:
        events = self.deps.store.events(signal.number)
        crm_name = CRM_NAMES.get(self.deps.settings.hiyoko_crm or "", "")  # labels the link to its deal
        text, blocks = card(signal, lang, self.deps.settings.timezone, events[-1] if events else None, crm_name)
        lines = [t("command.history", lang)]
        for event in events[-HISTORY_LINES:]:
            note = f": {escape_mrkdwn(fit(event.note.replace(chr(10), ' '), 100))}" if event.note else ""
            lines.append(
                t(
                    "command.history_line",
                    lang,
                    when=event.at.astimezone(self.deps.settings.timezone).strftime("%Y-%m-%d %H:%M"),
                    action=t(f"action.{event.action}", lang),
                    actor=actor_of(event, lang),
                    note=note,
                )
            )
        return {"text": text, "blocks": [*blocks, _section("\n".join(lines))]}


def _day(word: str) -> date | None:
    try:
        return date.fromisoformat(word)
    except ValueError:
        return None


def away(deps: BotDeps, user: str, words: list[str], lang: str) -> str:
    """`away UNTIL` or `away FROM UNTIL` (ISO dates, both included; FROM defaults to today)."""
    today = deps.today()
    if len(words) not in (1, 2):
        return t("away.usage", lang)
    days = [_day(word) for word in words]
    if None in days:
        bad = next(word for word, day in zip(words, days, strict=True) if day is None)
        return t("away.bad_date", lang, date=escape_mrkdwn(fit(bad, 40)))
    start, until = (today, days[0]) if len(days) == 1 else (days[0], days[1])
    assert start is not None and until is not None
    if until < today:
        return t("away.past", lang, until=until.isoformat())
    if until < start:
        return t("away.before_start", lang, start=start.isoformat(), until=until.isoformat())
    deps.absences.set_away(user, start, until, deps.clock.now())
    return t("away.set", lang, start=start.isoformat(), until=until.isoformat())


def back(deps: BotDeps, user: str, lang: str) -> str:
    return t("away.back" if deps.absences.back(user) else "away.not_away", lang)


def hiyoko(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """/hiyoko [help|mine|list …|show …]: the share modal, or an answer in the ack."""
    deps = deps_of(context)
    answers = Answers(deps)
    words = clean_text(command.get("text") or "").split()
    user = command["user_id"]
    if not words:
        ack()
        open_share_modal(client, deps, command["trigger_id"], user)
        return
    lang = deps.language_for(user)
    verb, rest = words[0].lower(), words[1:]
    if verb == "mine":
        answer = answers.page({"q": "mine"}, user, lang, 0)
    elif verb == "list":
        answer = answers.page(_query(rest), user, lang, 0)
    elif verb == "show":
        number = parse_signal_id(rest[0]) if rest else None
        signal = deps.store.get(number) if number else None
        if signal:
            answer = answers.show(signal, lang)
        else:
            text = t("signal.not_found", lang, id=escape_mrkdwn(rest[0])) if rest else t("command.show_usage", lang)
            answer = {"text": text}
    elif verb == "away":
        answer = {"text": away(deps, user, rest, lang)}
    elif verb == "back":
        answer = {"text": back(deps, user, lang)}
    elif verb == "watch":
        answer = {"text": hearing.watch(deps, command.get("channel_id") or "", user, rest, lang)}
    elif verb == "unwatch":
        answer = {"text": hearing.unwatch(deps, command.get("channel_id") or "", lang)}
    else:
        answer = answers.help(lang)
    # Answered in the ack itself: an ephemeral reply only the caller sees, in any channel.
    ack(response_type="ephemeral", **answer)


def turn_page(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """The previous/next buttons under a page of /hiyoko mine or list."""
    ack()
    deps = deps_of(context)
    query = json.loads(action["value"])
    user = body["user"]["id"]
    answer = Answers(deps).page(query, user, deps.language_for(user), int(query.pop("offset", 0)))
    respond(replace_original=True, response_type="ephemeral", **answer)


def register(app: App) -> None:
    app.command("/hiyoko")(hiyoko)
    app.action(f"{PAGE_ACTION}_next")(turn_page)
    app.action(f"{PAGE_ACTION}_prev")(turn_page)
