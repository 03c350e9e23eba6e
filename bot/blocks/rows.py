"""One signal as a compact row (App Home, /hiyoko answers), with the same actions as its card."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks.card import actions
from bot.blocks.text import mrkdwn
from i18n import t
from models.signal import SignalRecord
from models.text import escape_mrkdwn, fit

SUMMARY_PREVIEW = 120


def age_days(signal: SignalRecord, today: date, zone: Any) -> int:
    return max(0, (today - signal.created_at.astimezone(zone).date()).days)


def signal_row(
    signal: SignalRecord, lang: str, today: date, zone: Any, *, with_actions: bool = True
) -> list[dict[str, Any]]:
    """A section naming the signal (linked to its card), and its action overflow/buttons."""
    link = f"<{signal.card_permalink}|{signal.id}>" if signal.card_permalink else signal.id
    text = t(
        "row.signal",
        lang,
        link=link,
        emoji=signal.kind.emoji,
        customer=escape_mrkdwn(signal.customer),
        category=t(f"category.{signal.category.value}", lang),
        age=age_days(signal, today, zone),
        timing=signal.timing.isoformat() if signal.timing else t("card.no_timing", lang),
        owner=signal.owner_id,
        submitter=signal.submitter_id,
    )
    summary = escape_mrkdwn(signal.summary.replace("\n", " "))
    if len(summary) > SUMMARY_PREVIEW:
        summary = fit(summary, SUMMARY_PREVIEW)
    text += "\n" + t("row.summary", lang, summary=summary)
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(text)}]
    if with_actions:
        row_actions = actions(signal, lang)
        row_actions.pop("block_id")  # several rows on one surface: block ids must stay unique
        blocks.append(row_actions)
    return blocks
