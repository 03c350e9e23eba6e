"""The suggestion DM: the customer's message quoted (fetched when the DM is sent, never stored),
its link, what was heard, and Share / Dismiss (and a note on the open signal of that category).
Its buttons give way to the dismiss choice, then to who decided. Pure."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import mrkdwn
from i18n import t
from models.signal import format_signal_id
from models.text import escape_link, escape_mrkdwn, fit, slack_to_plain
from store.suggestions import Suggestion

SHARE_ID = "suggestion_share"
DISMISS_ID = "suggestion_dismiss"
NOTE_ID = "suggestion_note"
NOT_HINT_ID = "suggestion_not_hint"
KNOWN_ID = "suggestion_known"
ACTIONS_BLOCK = "suggestion_actions"
SUGGESTION_EVENT = "hiyoko_suggestion"  # the DM's metadata: a retried delivery finds its own post
QUOTE_MAX = 1500


def quote(message_text: str) -> str:
    """A customer's message as a block quote: plain text (mentions and links spelled out), escaped
    so it can never ping or format, cut to QUOTE_MAX."""
    plain = fit(escape_mrkdwn(slack_to_plain(message_text)), QUOTE_MAX)
    return "\n".join(f"> {line}" if line else ">" for line in plain.splitlines() or [""])


def heard_line(suggestion: Suggestion, lang: str) -> str:
    timing = t("suggest.timing", lang, timing=suggestion.timing.isoformat()) if suggestion.timing else ""
    return t(
        "suggest.heard",
        lang,
        kind=t(f"kind.{suggestion.kind}.short", lang),
        category=t(f"category.{suggestion.category}", lang),
        timing=timing,
        evidence=escape_mrkdwn(fit(suggestion.evidence, 100)),
    )


def _button(action_id: str, text: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "value": value,
        "text": {"type": "plain_text", "text": fit(text, 75), "emoji": True},
    }
    if style:
        element["style"] = style
    return element


def suggestion_message(
    suggestion: Suggestion, message_text: str | None, link: str, lang: str
) -> tuple[str, list[dict[str, Any]]]:
    """The DM (`message_text` None: the message could not be read now)."""
    customer = escape_mrkdwn(fit(suggestion.customer, 100))
    title = t("suggest.title", lang, customer=customer)
    said = (
        t("suggest.said_by", lang, who=f"<@{suggestion.speaker_id}>", link=escape_link(link))
        if link
        else t("suggest.said_by_nolink", lang, who=f"<@{suggestion.speaker_id}>")
    )
    body = quote(message_text) if message_text is not None else t("suggest.unreadable", lang)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "block_id": "suggestion_title", "text": mrkdwn(title)},
        {"type": "section", "block_id": "suggestion_quote", "text": mrkdwn(body)},
        {"type": "context", "block_id": "suggestion_source", "elements": [mrkdwn(said)]},
        {"type": "context", "block_id": "suggestion_heard", "elements": [mrkdwn(heard_line(suggestion, lang))]},
    ]
    value = str(suggestion.id)
    buttons = [_button(SHARE_ID, t("suggest.share", lang), value, "primary")]
    if suggestion.signal_number:
        signal_id = format_signal_id(suggestion.signal_number)
        blocks.append(
            {
                "type": "section",
                "block_id": "suggestion_note_offer",
                "text": mrkdwn(t("suggest.note_offer", lang, customer=customer, id=signal_id)),
            }
        )
        buttons.append(_button(NOTE_ID, t("suggest.note", lang, id=signal_id), value))
    buttons.append(_button(DISMISS_ID, t("suggest.dismiss", lang), value))
    blocks.append({"type": "actions", "block_id": ACTIONS_BLOCK, "elements": buttons})
    return title, blocks


def _without_actions(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in blocks if b.get("block_id") not in (ACTIONS_BLOCK, "suggestion_decided")]


def dismiss_choice(blocks: list[dict[str, Any]], suggestion_id: int, lang: str) -> list[dict[str, Any]]:
    """The DM as shown (its blocks as the click carried them), its buttons now the two reasons."""
    value = str(suggestion_id)
    return [
        *_without_actions(blocks),
        {"type": "section", "block_id": "suggestion_decided", "text": mrkdwn(t("suggest.dismiss_question", lang))},
        {
            "type": "actions",
            "block_id": ACTIONS_BLOCK,
            "elements": [
                _button(NOT_HINT_ID, t("suggest.not_hint", lang), value),
                _button(KNOWN_ID, t("suggest.known", lang), value),
            ],
        },
    ]


def decided_blocks(
    blocks: list[dict[str, Any]], state: str, who: str, lang: str, signal_number: int | None = None
) -> list[dict[str, Any]]:
    """The DM as shown, its buttons replaced by who decided what."""
    signal_id = format_signal_id(signal_number) if signal_number else ""
    line = t(f"suggest.decided.{state}", lang, who=who, id=signal_id)
    return [
        *_without_actions(blocks),
        {"type": "context", "block_id": "suggestion_decided", "elements": [mrkdwn(line)]},
    ]
