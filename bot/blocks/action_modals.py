"""Small modals for lifecycle actions that need input: hatch, lost, drop, reassign, edit, note."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks.modal import _input, _option, _plain_input, _text
from bot.blocks.text import mrkdwn
from i18n import t
from models.lifecycle import Action
from models.signal import CUSTOMER_MAX, SIZE_MAX, SUMMARY_MAX, Category, SignalRecord
from models.text import fit

CALLBACK_ID = "signal_action_submit"
NOTE_MAX = SUMMARY_MAX
TITLES = {
    Action.HATCH: "modal.hatch.title",
    Action.LOSE: "modal.lose.title",
    Action.DROP: "modal.drop.title",
    Action.REASSIGN: "modal.reassign.title",
    Action.EDIT: "modal.edit.title",
    Action.NOTE: "modal.note.title",
}
# The block where a refusal about the signal's state shows (every modal has it first).
FIRST_INPUT = {
    Action.HATCH: "timing",
    Action.LOSE: "reason",
    Action.DROP: "reason",
    Action.REASSIGN: "owner",
    Action.EDIT: "customer",
    Action.NOTE: "note",
}


def _note(lang: str, *, required: bool) -> dict[str, Any]:
    element = {"type": "plain_text_input", "multiline": True, "max_length": NOTE_MAX}
    label = t("field.note" if required else "field.note.optional", lang)
    return _input("note", label, element, optional=not required)


def action_modal(action: Action, signal: SignalRecord, lang: str, channel: str | None) -> dict[str, Any]:
    """The modal asking what `action` needs; private_metadata carries the signal and the action."""
    customer = fit(signal.customer, 100)
    blocks: list[dict[str, Any]] = []
    match action:
        case Action.HATCH:
            blocks = [
                {"type": "section", "text": _text(t("modal.hatch.intro", lang, id=signal.id, customer=customer))},
                _input("timing", t("field.timing", lang), {"type": "datepicker"}),
                _note(lang, required=False),
            ]
        case Action.LOSE | Action.DROP:
            blocks = [
                {"type": "section", "text": _text(t("modal.reason.intro", lang, id=signal.id, customer=customer))},
                _input(
                    "reason",
                    t("field.reason", lang),
                    {"type": "plain_text_input", "multiline": True, "max_length": NOTE_MAX},
                ),
            ]
        case Action.REASSIGN:
            blocks = [
                _input("owner", t("field.new_owner", lang), {"type": "users_select", "initial_user": signal.owner_id}),
                _note(lang, required=False),
            ]
        case Action.EDIT:
            categories = [_option(t(f"category.{c.value}", lang), c.value) for c in Category]
            timing: dict[str, Any] = {"type": "datepicker"}
            if signal.timing:
                timing["initial_date"] = signal.timing.isoformat()
            blocks = [
                _input(
                    "customer", t("field.customer", lang), _plain_input(lang, "customer", CUSTOMER_MAX, signal.customer)
                ),
                _input(
                    "category",
                    t("field.category", lang),
                    {
                        "type": "static_select",
                        "options": categories,
                        "initial_option": categories[list(Category).index(signal.category)],
                    },
                ),
                _input(
                    "summary",
                    t("field.summary", lang),
                    _plain_input(lang, "summary", SUMMARY_MAX, signal.summary, multiline=True),
                ),
                _input("size", t("field.size", lang), _plain_input(lang, "size", SIZE_MAX, signal.size), optional=True),
                _input("timing", t("field.timing", lang), timing, optional=True, hint=t("field.timing.hint", lang)),
            ]
        case Action.NOTE:
            blocks = [_note(lang, required=True)]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _text(t(TITLES[action], lang)),
        "submit": _text(t("modal.save", lang)),
        "close": _text(t("modal.cancel", lang)),
        "private_metadata": json.dumps(
            {"signal": signal.number, "action": action.value, "lang": lang, "channel": channel}
        ),
        "blocks": blocks,
    }


def message_modal(text: str, lang: str) -> dict[str, Any]:
    """A modal that only says something (a refusal where no ephemeral message can go, e.g. App Home)."""
    return {
        "type": "modal",
        "title": _text("hiyoko"),
        "close": _text(t("modal.close", lang)),
        "blocks": [{"type": "section", "text": mrkdwn(text)}],
    }
