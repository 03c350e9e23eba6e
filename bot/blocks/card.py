"""The signal's card in the channel and the lines in its thread. All user text is escaped."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from i18n import t
from models.signal import SignalRecord
from models.text import escape_mrkdwn, fit

SECTION_MAX = 3000
FIELD_MAX = 2000
HEADER_MAX = 150
CARD_EVENT = "hiyoko_signal_card"
OWNER_NOTICE_EVENT = "hiyoko_owner_notified"


def _mention(user_id: str) -> str:
    return f"<@{user_id}>"


def _field(label: str, value: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": fit(f"*{label}*\n{value}", FIELD_MAX)}


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def metadata(event_type: str, signal: SignalRecord) -> dict[str, Any]:
    """Message metadata that lets a retried delivery find what it already posted."""
    return {"event_type": event_type, "event_payload": {"signal_id": signal.id}}


def card(signal: SignalRecord, lang: str, zone: ZoneInfo) -> tuple[str, list[dict[str, Any]]]:
    """The notification text and the blocks of a signal's card."""
    none = t("card.none", lang)
    customer = escape_mrkdwn(signal.customer)
    title = f"{signal.kind.emoji} {signal.customer}"
    quoted = "\n".join(f">{line}" for line in escape_mrkdwn(signal.summary).split("\n"))
    context = t("card.shared_at", lang, id=signal.id, when=_when(signal.created_at, zone))
    if signal.source:
        context += f" · {t('field.source', lang)}: {escape_mrkdwn(signal.source)}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": fit(title, HEADER_MAX), "emoji": True}},
        {
            "type": "section",
            "fields": [
                _field(t("field.kind", lang), t(f"kind.{signal.kind.value}", lang)),
                _field(t("field.category", lang), t(f"category.{signal.category.value}", lang)),
                _field(t("field.timing", lang),
                       signal.timing.isoformat() if signal.timing else t("card.no_timing", lang)),
                _field(t("field.size", lang), escape_mrkdwn(signal.size) or none),
                _field(t("field.owner", lang), _mention(signal.owner_id)),
                _field(t("field.submitter", lang), _mention(signal.submitter_id)),
                _field(t("field.status", lang), t(f"status.{signal.status.value}", lang)),
            ],
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": fit(quoted, SECTION_MAX)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": fit(context, SECTION_MAX)}]},
    ]
    text = t("card.fallback", lang, emoji=signal.kind.emoji, customer=customer, id=signal.id)
    return text, blocks


def owner_notice(signal: SignalRecord, lang: str) -> str:
    """The thread reply that pings the owner (and credits the submitter)."""
    return t(
        "thread.assigned",
        lang,
        owner=_mention(signal.owner_id),
        submitter=_mention(signal.submitter_id),
        emoji=signal.kind.emoji,
        kind=t(f"kind.{signal.kind.value}.short", lang),
        customer=escape_mrkdwn(signal.customer),
    )
