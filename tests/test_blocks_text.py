"""No user text in any Block Kit hiyoko builds can ping a channel or be parsed into a link: every
mrkdwn text object is verbatim, and typed `@here`-style words are broken (pure builders, no app)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.blocks.action_modals import action_modal, message_modal
from bot.blocks.card import card, event_line, owner_notice
from bot.blocks.messages import DM_BUTTONS, direct_message
from bot.blocks.modal import duplicate_warning, share_modal
from bot.blocks.rows import signal_row
from bot.blocks.text import mrkdwn, text_or_link
from models.lifecycle import Action
from models.signal import Category, EventRecord, Kind, SignalRecord, Status
from models.text import escape_mrkdwn, has_special_mention

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
HOSTILE = "@channel ＠Here @everyone #general https://evil.example"
SIGNAL = SignalRecord(
    number=7,
    customer=f"株式会社 {HOSTILE}",
    kind=Kind.CHICK,
    category=Category.SEATS,
    status=Status.LOST,
    summary=f"他の工場でも\n{HOSTILE}",
    timing=date(2027, 4, 1),
    size=HOSTILE,
    source=HOSTILE,
    submitter_id="UCSM",
    submitter_name="@here",
    owner_id="UAE",
    owner_name="@channel",
    close_reason=HOSTILE,
    created_at=NOW,
    updated_at=NOW,
    hatched_at=NOW,
    closed_at=NOW,
    card_channel="C1",
    card_ts="1.0",
    card_permalink="https://hiyoko-test.slack.com/archives/C1/p10",
)
EVENT = EventRecord(
    id=1,
    signal_number=7,
    action="lose",
    actor_id="UAE",
    actor_name="@here",
    at=NOW,
    from_kind=Kind.CHICK,
    to_kind=Kind.CHICK,
    from_status=Status.OPEN,
    to_status=Status.LOST,
    note=HOSTILE,
    detail={},
)


def _mrkdwn_objects(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == "mrkdwn" else []
        return found + [o for value in node.values() for o in _mrkdwn_objects(value)]
    if isinstance(node, list):
        return [o for item in node for o in _mrkdwn_objects(item)]
    return []


def _surfaces(lang: str) -> list[tuple[str, Any]]:
    text, blocks = card(SIGNAL, lang, TOKYO, EVENT)
    surfaces: list[tuple[str, Any]] = [
        ("card", blocks),
        ("card text", text),
        ("owner notice", owner_notice(SIGNAL, lang)),
        ("event line", event_line(EVENT, lang)),
        ("row", signal_row(SIGNAL, lang, date(2026, 11, 23), TOKYO)),
        ("share modal", share_modal(lang, summary=HOSTILE, source=HOSTILE)),
        ("duplicates", duplicate_warning(lang, HOSTILE, [SIGNAL], date(2026, 11, 23), TOKYO)),
        ("message modal", message_modal(escape_mrkdwn(HOSTILE), lang)),
    ]
    for kind in DM_BUTTONS:
        dm_text, dm_blocks = direct_message(kind, SIGNAL, lang, date(2026, 11, 23), TOKYO, 30)
        surfaces += [(f"dm {kind}", dm_blocks), (f"dm {kind} text", dm_text)]
    surfaces += [
        (f"modal {a.value}", action_modal(a, SIGNAL, lang, "C1"))
        for a in (Action.HATCH, Action.LOSE, Action.REASSIGN, Action.EDIT, Action.NOTE)
    ]
    return surfaces


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_mrkdwn_text_object_is_verbatim(lang: str) -> None:
    for name, surface in _surfaces(lang):
        for text_object in _mrkdwn_objects(surface):
            assert text_object.get("verbatim") is True, (name, text_object)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_typed_special_mentions_reach_no_surface(lang: str) -> None:
    for name, surface in _surfaces(lang):
        texts = [surface] if isinstance(surface, str) else [o["text"] for o in _mrkdwn_objects(surface)]
        for text in texts:
            assert not has_special_mention(text), (name, text)
            assert "<!" not in text, (name, text)
    _, blocks = card(SIGNAL, lang, TOKYO)
    rendered = json.dumps(blocks, ensure_ascii=False)
    assert "<@UAE>" in rendered and "<@UCSM>" in rendered  # hiyoko's own mentions are kept


def test_mrkdwn_and_links() -> None:
    assert mrkdwn("a" * 3001) == {"type": "mrkdwn", "text": "a" * 2999 + "…", "verbatim": True}
    assert text_or_link("https://x.example/a?b=1&c=2") == "<https://x.example/a?b=1&amp;c=2>"
    assert text_or_link("see https://x.example") == "see https://x.example"
    assert text_or_link("https://x.example|<!here>") == "https://x.example|&lt;!here&gt;"
