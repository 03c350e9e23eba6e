"""The thread line that asks whether to make a person's edit of hiyoko's columns (with Confirm /
Discard), and the line that replaces its buttons once someone decided."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import mrkdwn
from i18n import t
from models.signal import EventRecord
from models.text import escape_mrkdwn, fit

PROPOSAL_EVENT = "sheet_proposal"
CONFIRM_ID = "proposal_confirm"
DISCARD_ID = "proposal_discard"
PROPOSAL_BLOCK = "proposal_actions"


def shown_value(field: str, value: str, lang: str) -> str:
    """The proposed value as people read it: a status label, a mention, a date."""
    if field == "status":
        return t(f"status.{value}", lang)
    if field == "owner":
        return f"<@{escape_mrkdwn(value)}>"
    return escape_mrkdwn(value)


def question(field: str, value: str, source: str, lang: str) -> str:
    """ "シートで「受注」に変更されました — 確定しますか?" for one proposal."""
    return fit(
        t(
            f"proposal.asked.{field if field in ('status', 'owner', 'timing') else 'status'}",
            lang,
            source=t(f"proposal.source.{source if source in ('sheet', 'list') else 'sheet'}", lang),
            value=shown_value(field, value, lang),
        ),
        2900,
    )


def proposal_text(event: EventRecord, lang: str) -> str:
    detail = event.detail
    return question(detail.get("field", "status"), detail.get("value", ""), detail.get("source", "sheet"), lang)


def proposal_message(event: EventRecord, lang: str) -> tuple[str, list[dict[str, Any]]]:
    """The question and its two buttons (value: the proposal id)."""
    text = proposal_text(event, lang)
    proposal = event.detail.get("proposal", "")

    def button(action_id: str, label: str, style: str | None) -> dict[str, Any]:
        element: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "value": proposal,
            "text": {"type": "plain_text", "text": t(label, lang), "emoji": True},
        }
        if style:
            element["style"] = style
        return element

    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": mrkdwn(text, 3000)},
        {
            "type": "actions",
            "block_id": PROPOSAL_BLOCK,
            "elements": [
                button(CONFIRM_ID, "proposal.confirm", "primary"),
                button(DISCARD_ID, "proposal.discard", None),
            ],
        },
    ]
    return text, blocks


def decided_message(question: str, key: str, who: str, lang: str) -> tuple[str, list[dict[str, Any]]]:
    """The question again without its buttons, and who decided (`key`: confirmed_by or discarded_by)."""
    line = t(f"proposal.{key}", lang, who=who)
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(question, 3000)}] if question else []
    blocks.append({"type": "context", "elements": [mrkdwn(line, 3000)]})
    return f"{question}\n{line}".strip(), blocks
