"""Direct messages of scheduled work (stale-egg nudge, chick reminder, overdue chick) and the
weekly digest. Pure: numbers and signals in, Block Kit out."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.card import button
from bot.blocks.rows import signal_row
from bot.blocks.text import mrkdwn
from i18n import t
from models.lifecycle import Action
from models.payloads import DigestPayload
from models.signal import SignalRecord, format_signal_id
from models.text import fit

DM_EVENT = "hiyoko_dm"
DIGEST_EVENT = "hiyoko_digest"
# What each kind of direct message offers.
DM_BUTTONS = {
    "stale_egg": (Action.HATCH, Action.SNOOZE, Action.DROP),
    "remind_chick": (),
    "overdue_chick": (Action.WIN, Action.LOSE, Action.BACK_TO_EGG),
    "owner_left": (),  # to the managers: its owner was deactivated and nobody could take it over
}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def direct_message(
    kind: str, signal: SignalRecord, lang: str, today: date, zone: ZoneInfo, stale_days: int
) -> tuple[str, list[dict[str, Any]]]:
    """The text and blocks of one nudge or reminder about one signal."""
    text = t(
        f"dm.{kind}",
        lang,
        owner=f"<@{signal.owner_id}>",
        submitter=f"<@{signal.submitter_id}>",
        days=stale_days,
        timing=signal.timing.isoformat() if signal.timing else "",
    )
    blocks = [_section(text), *signal_row(signal, lang, today, zone, with_actions=False)]
    actions = [button(action, signal, lang, primary=index == 0) for index, action in enumerate(DM_BUTTONS[kind])]
    if actions:
        blocks.append({"type": "actions", "elements": actions})
    return text, blocks


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _people(pairs: list[tuple[str, int]], lang: str) -> str:
    return " · ".join(f"<@{user}> {count}" for user, count in pairs) or t("digest.none", lang)


def load_line(pairs: list[tuple[str, int]], lang: str) -> str:
    """Open signals per owner, most first: "@a 5件 · @b 3件"."""
    return " · ".join(t("load.person", lang, user=user, count=count) for user, count in pairs) or t("load.none", lang)


def away_line(people: list[tuple[str, date]], lang: str) -> str:
    """Who is away and until when: "@a (until 2026-12-28)"."""
    return " · ".join(t("away.person", lang, user=user, until=until.isoformat()) for user, until in people) or t(
        "load.none", lang
    )


def digest_message(payload: DigestPayload, lang: str) -> tuple[str, list[dict[str, Any]]]:
    """The digest from its numbers (a job computed them; the outbox carried them as JSON)."""
    numbers = payload.digest
    title = t("digest.title", lang, start=numbers.start.date().isoformat(), end=numbers.end.date().isoformat())

    def ages(buckets: dict[str, int]) -> str:
        return " · ".join(f"{name}: {count}" for name, count in buckets.items())

    median = numbers.median_days_to_hatch
    unanswered = " · ".join(
        f"{format_signal_id(number)} (<@{owner}>, {count})" for number, owner, count in numbers.unanswered
    )
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": fit(title, 150), "emoji": True}},
        _section(
            t(
                "digest.week",
                lang,
                new_eggs=numbers.new_eggs,
                new_chicks=numbers.new_chicks,
                hatched=numbers.hatched,
                won=numbers.won,
                lost=numbers.lost,
            )
        ),
        _section(t("digest.ages", lang, eggs=ages(numbers.open_eggs_by_age), chicks=ages(numbers.open_chicks_by_age))),
        _section(
            t(
                "digest.rates",
                lang,
                hatch_rate=_percent(numbers.hatch_rate),
                median_days="—" if median is None else f"{median:.1f}",
                win_rate=_percent(numbers.win_rate),
                egg_share=_percent(numbers.egg_share),
            )
        ),
        _section(t("digest.submitters", lang, people=_people(numbers.top_submitters, lang))),
        _section(t("digest.stale", lang, days=payload.stale_days, people=_people(numbers.stale_owners, lang))),
        _section(
            t("digest.unanswered", lang, count=payload.unanswered_after, items=unanswered or t("digest.none", lang))
        ),
        _section(t("digest.load", lang, people=load_line(numbers.open_by_owner, lang))),
        _section(t("digest.away", lang, people=away_line(numbers.away, lang))),
    ]
    return title, blocks
