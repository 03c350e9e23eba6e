"""The share modal (callback_id `signal_submit`); block ids are the spec's contract."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.blocks.text import mrkdwn
from i18n import t
from models.signal import CUSTOMER_MAX, SIZE_MAX, SOURCE_MAX, SUMMARY_MAX, Category, Kind, SignalDraft, SignalRecord
from models.text import escape_mrkdwn, fit

CALLBACK_ID = "signal_submit"
MAX_DUPLICATES = 9  # radio buttons allow 10 options: "share as new" and one per existing signal


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _text(text), "value": value}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
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


def _plain_input(
    lang: str, field: str, limit: int, initial: str = "", *, multiline: bool = False, placeholder: bool = True
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "max_length": limit, "multiline": multiline}
    if placeholder:
        element["placeholder"] = _text(t(f"field.{field}.placeholder", lang))
    if initial:
        element["initial_value"] = initial[:limit]
    return element


def share_modal(
    lang: str,
    *,
    summary: str = "",
    source: str = "",
    customer: str = "",
    draft: SignalDraft | None = None,
    warning: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The modal. The message shortcut prefills the summary and the source (and the customer, in a
    customer's channel); the duplicate warning
    re-shows a submitted draft with the warning blocks (and their choice) on top. `metadata`
    rides in private_metadata beside the language (a suggestion's id, issue 13)."""
    kinds = [_option(t(f"kind.{kind.value}", lang), kind.value) for kind in Kind]
    categories = [_option(t(f"category.{c.value}", lang), c.value) for c in Category]
    kind: dict[str, Any] = {"type": "radio_buttons", "options": kinds, "initial_option": kinds[0]}
    category: dict[str, Any] = {"type": "static_select", "options": categories}
    timing: dict[str, Any] = {"type": "datepicker"}
    owner: dict[str, Any] = {"type": "users_select"}
    size = ""
    if draft is not None:
        customer, summary, size, source = draft.customer, draft.summary, draft.size, draft.source
        kind["initial_option"] = kinds[list(Kind).index(draft.kind)]
        category["initial_option"] = categories[list(Category).index(draft.category)]
        if draft.owner_id:
            owner["initial_user"] = draft.owner_id
        if draft.timing:
            timing["initial_date"] = draft.timing.isoformat()
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _text(t("modal.title", lang)),
        "submit": _text(t("modal.submit", lang)),
        "close": _text(t("modal.cancel", lang)),
        "private_metadata": json.dumps({**(metadata or {}), "lang": lang}),
        "blocks": [
            *(warning or [{"type": "context", "elements": [mrkdwn(t("modal.intro", lang))]}]),
            _input("customer", t("field.customer", lang), _plain_input(lang, "customer", CUSTOMER_MAX, customer)),
            _input("kind", t("field.kind", lang), kind),
            _input("category", t("field.category", lang), category),
            _input(
                "summary", t("field.summary", lang), _plain_input(lang, "summary", SUMMARY_MAX, summary, multiline=True)
            ),
            _input("timing", t("field.timing", lang), timing, optional=True, hint=t("field.timing.hint", lang)),
            _input("owner", t("field.owner", lang), owner, optional=True, hint=t("field.owner.hint", lang)),
            _input("size", t("field.size", lang), _plain_input(lang, "size", SIZE_MAX, size), optional=True),
            _input("source", t("field.source", lang), _plain_input(lang, "source", SOURCE_MAX, source), optional=True),
        ],
    }


def duplicate_warning(
    lang: str, customer: str, duplicates: list[SignalRecord], today: date, zone: Any
) -> list[dict[str, Any]]:
    """Blocks that name the open signals this one may repeat, and ask what to do (block `duplicate`)."""
    lines = [t("duplicate.warning", lang, customer=escape_mrkdwn(fit(customer, 100)))]
    for signal in duplicates[:MAX_DUPLICATES]:
        params = {
            "id": signal.id,
            "emoji": signal.kind.emoji,
            "owner": signal.owner_id,
            "summary": escape_mrkdwn(fit(signal.summary.replace("\n", " "), 80)),
            "age": max(0, (today - signal.created_at.astimezone(zone).date()).days),
        }
        if signal.card_permalink:
            lines.append(t("duplicate.item", lang, link=signal.card_permalink, **params))
        else:
            lines.append(t("duplicate.item_nolink", lang, **params))
    choices = [_option(t("duplicate.new", lang), "new")] + [
        _option(t("duplicate.note", lang, id=s.id), f"note:{s.id}") for s in duplicates[:MAX_DUPLICATES]
    ]
    return [
        {"type": "section", "block_id": "duplicate_warning", "text": mrkdwn("\n".join(lines))},
        _input("duplicate", t("duplicate.choice", lang), {"type": "radio_buttons", "options": choices}),
        {"type": "divider"},
    ]


def language_of_view(view: dict[str, Any], default: str) -> str:
    """The language the modal was opened in (kept in its private_metadata)."""
    try:
        lang = json.loads(view.get("private_metadata") or "{}").get("lang")
    except (ValueError, AttributeError):
        lang = None
    return lang if lang in ("ja", "en") else default
