"""The share modal (callback_id `signal_submit`); block ids are the spec's contract."""

from __future__ import annotations

import json
from typing import Any

from i18n import t
from models.signal import CUSTOMER_MAX, SIZE_MAX, SOURCE_MAX, SUMMARY_MAX, Category, Kind

CALLBACK_ID = "signal_submit"


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _text(text), "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": _text(label),
        "element": {**element, "action_id": block_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = _text(hint)
    return block


def _plain_input(lang: str, field: str, limit: int, initial: str = "", *, multiline: bool = False,
                 placeholder: bool = True) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "max_length": limit, "multiline": multiline}
    if placeholder:
        element["placeholder"] = _text(t(f"field.{field}.placeholder", lang))
    if initial:
        element["initial_value"] = initial[:limit]
    return element


def share_modal(lang: str, *, summary: str = "", source: str = "") -> dict[str, Any]:
    """The modal; the message shortcut prefills the summary and the source."""
    kinds = [_option(t(f"kind.{kind.value}", lang), kind.value) for kind in Kind]
    categories = [_option(t(f"category.{c.value}", lang), c.value) for c in Category]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _text(t("modal.title", lang)),
        "submit": _text(t("modal.submit", lang)),
        "close": _text(t("modal.cancel", lang)),
        "private_metadata": json.dumps({"lang": lang}),
        "blocks": [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": t("modal.intro", lang)}]},
            _input("customer", t("field.customer", lang), _plain_input(lang, "customer", CUSTOMER_MAX)),
            _input("kind", t("field.kind", lang),
                   {"type": "radio_buttons", "options": kinds, "initial_option": kinds[0]}),
            _input("category", t("field.category", lang), {"type": "static_select", "options": categories}),
            _input("summary", t("field.summary", lang),
                   _plain_input(lang, "summary", SUMMARY_MAX, summary, multiline=True)),
            _input("timing", t("field.timing", lang), {"type": "datepicker"}, optional=True,
                   hint=t("field.timing.hint", lang)),
            _input("owner", t("field.owner", lang), {"type": "users_select"}),
            _input("size", t("field.size", lang), _plain_input(lang, "size", SIZE_MAX), optional=True),
            _input("source", t("field.source", lang), _plain_input(lang, "source", SOURCE_MAX, source),
                   optional=True),
        ],
    }


def language_of_view(view: dict[str, Any], default: str) -> str:
    """The language the modal was opened in (kept in its private_metadata)."""
    try:
        lang = json.loads(view.get("private_metadata") or "{}").get("lang")
    except (ValueError, AttributeError):
        lang = None
    return lang if lang in ("ja", "en") else default
