"""Edges of the scheduled work that a default configuration hides: a snooze shorter or longer
than the stale period, the digest's median over several samples, and an egg won without hatching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app import Hiyoko
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from models.clock import FixedClock
from models.metrics import compute_digest
from models.signal import Category, Kind, SignalDraft
from store import ChangeRequest, Note, Snooze
from tests.conftest import AE, CSM, build, make_settings

TOKYO = ZoneInfo("Asia/Tokyo")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


def built(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str, snooze_days: int
) -> Hiyoko:
    settings = make_settings(
        tmp_path,
        fake_slack,
        fake_sheets,
        database_url=database_url,
        hiyoko_stale_egg_days=30,
        hiyoko_snooze_days=snooze_days,
    )
    return build(settings, FixedClock(at("2026-09-01T10:00")))


def nudge(hiyoko: Hiyoko, when: str) -> list[str]:
    hiyoko.clock.at = at(when)  # type: ignore[attr-defined]
    return hiyoko.scheduler.run("nudge_stale_eggs", at(when)).lines


def snoozed_egg(hiyoko: Hiyoko) -> int:
    """An egg shared on 2026-09-01, nudged on day 30 (2026-10-01), snoozed by its owner that day."""
    draft = SignalDraft(
        customer="株式会社サンプル",
        kind=Kind.EGG,
        category=Category.SEATS,
        summary="もっと使いたい",
        timing=None,
        owner_id=AE,
    )
    number = hiyoko.store.submit(
        draft,
        submitter_id=CSM,
        submitter_name="佐藤",
        owner_name="田中",
        created_at=at("2026-09-01T10:00"),
        submission_key="seed",
    ).signal.number
    assert nudge(hiyoko, "2026-10-01T10:00") == ["stale_egg S-000001 → UAE (cc UCSM)"]
    days = hiyoko.settings.hiyoko_snooze_days
    hiyoko.store.change(
        number,
        ChangeRequest(Snooze(at("2026-10-01T10:00") + timedelta(days)), AE),
        managers=frozenset(),
        today=date(2026, 10, 1),
    )
    return number


def test_a_short_snooze_ends_after_its_own_days_not_the_stale_period(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str
) -> None:
    hiyoko = built(tmp_path, fake_slack, fake_sheets, database_url, snooze_days=7)
    try:
        snoozed_egg(hiyoko)
        assert nudge(hiyoko, "2026-10-07T10:00") == []  # day 6 of the snooze
        assert nudge(hiyoko, "2026-10-08T10:00") == ["stale_egg S-000001 → UAE (cc UCSM)"]  # it ended
        assert nudge(hiyoko, "2026-10-09T10:00") == []  # once, then a whole stale period again
    finally:
        hiyoko.db.dispose()


def test_a_long_snooze_holds_past_the_stale_period(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str
) -> None:
    hiyoko = built(tmp_path, fake_slack, fake_sheets, database_url, snooze_days=60)
    try:
        snoozed_egg(hiyoko)
        assert nudge(hiyoko, "2026-11-02T10:00") == []  # 32 days: stale, but still snoozed
        assert nudge(hiyoko, "2026-11-27T10:00") == []  # day 57
        assert nudge(hiyoko, "2026-11-30T10:00") == ["stale_egg S-000001 → UAE (cc UCSM)"]  # day 60
    finally:
        hiyoko.db.dispose()


def test_a_note_during_a_snooze_still_counts_as_activity(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str
) -> None:
    hiyoko = built(tmp_path, fake_slack, fake_sheets, database_url, snooze_days=7)
    try:
        number = snoozed_egg(hiyoko)
        hiyoko.clock.at = at("2026-10-05T10:00")  # type: ignore[attr-defined]
        hiyoko.store.change(
            number, ChangeRequest(Note("来週また話す"), AE), managers=frozenset(), today=date(2026, 10, 5)
        )
        assert nudge(hiyoko, "2026-10-08T10:00") == []  # the egg was touched three days ago
        assert nudge(hiyoko, "2026-11-04T10:00") == ["stale_egg S-000001 → UAE (cc UCSM)"]  # 30 days after it
    finally:
        hiyoko.db.dispose()


# --- the digest's numbers, by hand ------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    number: int
    kind: str
    status: str
    created_at: datetime
    submitter_id: str = CSM
    owner_id: str = AE
    last_activity_at: datetime = datetime(2027, 2, 28, 10, 0, tzinfo=TOKYO)
    nudge_count: int = 0


@dataclass(frozen=True)
class Event:
    signal_number: int
    action: str
    at: datetime
    to_kind: str | None


NOW = at("2027-03-01T09:00")
DAY0 = at("2027-01-04T10:00")


def digest_of(signals: list[Row], events: list[Event]) -> object:
    return compute_digest(signals, events, NOW, stale_days=30, unanswered_after=2)


@pytest.mark.parametrize(("hatch_days", "median"), [([2, 9, 4], 4.0), ([2, 9, 4, 20], 6.5), ([5], 5.0)])
def test_median_days_to_hatch_over_several_eggs(hatch_days: list[int], median: float) -> None:
    signals = [Row(n, "chick", "open", DAY0) for n in range(1, len(hatch_days) + 1)]
    events = [Event(n, "submitted", DAY0, "egg") for n in range(1, len(hatch_days) + 1)]
    events += [Event(n, "hatch", DAY0 + timedelta(days=d), "chick") for n, d in enumerate(hatch_days, start=1)]
    digest = digest_of(signals, events)
    assert digest.median_days_to_hatch == median  # type: ignore[attr-defined]
    assert digest.hatch_rate == 1.0  # type: ignore[attr-defined]


def test_the_win_rate_counts_an_egg_won_without_hatching() -> None:
    # 1: egg won straight away (the customer bought before anyone knew when); 2: chick won;
    # 3: chick lost; 4: egg lost. Won ÷ (won + lost) = 2 ÷ 4, whatever the kind at closing.
    signals = [
        Row(1, "egg", "won", DAY0),
        Row(2, "chick", "won", DAY0),
        Row(3, "chick", "lost", DAY0),
        Row(4, "egg", "lost", DAY0),
    ]
    events = [
        Event(1, "submitted", DAY0, "egg"),
        Event(2, "submitted", DAY0, "chick"),
        Event(3, "submitted", DAY0, "chick"),
        Event(4, "submitted", DAY0, "egg"),
        Event(1, "win", NOW - timedelta(days=1), "egg"),
        Event(2, "win", NOW - timedelta(days=2), "chick"),
        Event(3, "lose", NOW - timedelta(days=3), "chick"),
        Event(4, "lose", NOW - timedelta(days=3), "egg"),
    ]
    digest = digest_of(signals, events)
    assert digest.won == 2 and digest.lost == 2  # type: ignore[attr-defined]
    assert digest.win_rate == 0.5  # type: ignore[attr-defined]
    assert digest.hatch_rate == 0.0  # type: ignore[attr-defined]  # neither egg hatched
