"""The weekly digest's numbers, computed from plain rows (pure: easy to check by hand)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

AGE_BUCKETS = ((0, 7, "0-7"), (8, 30, "8-30"), (31, 90, "31-90"), (91, None, "91+"))
CHART_WEEKS = 12
TOP = 5
LOAD_TOP = 10  # owners listed with their open signals (most first)


class SignalFacts(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def submitter_id(self) -> str: ...
    @property
    def owner_id(self) -> str: ...
    @property
    def last_activity_at(self) -> datetime: ...
    @property
    def nudge_count(self) -> int: ...


class EventFacts(Protocol):
    @property
    def signal_number(self) -> int: ...
    @property
    def action(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def to_kind(self) -> str | None: ...


@dataclass(frozen=True)
class Digest:
    """Everything the weekly digest says. Rates are None when there is nothing to divide by."""

    start: datetime  # the week: [start, end)
    end: datetime
    new_eggs: int
    new_chicks: int
    hatched: int
    won: int
    lost: int
    open_eggs_by_age: dict[str, int]
    open_chicks_by_age: dict[str, int]
    hatch_rate: float | None  # of the signals shared as eggs, the share that hatched
    median_days_to_hatch: float | None  # egg shared → first hatch
    win_rate: float | None  # of the signals closed won or lost (an egg won unhatched too), the share won
    egg_share: float | None  # of all signals, the share shared as eggs
    top_submitters: list[tuple[str, int]]  # signals shared in the chart's 12 weeks
    stale_owners: list[tuple[str, int]]  # open eggs untouched for the stale period, per owner
    unanswered: list[tuple[int, str, int]]  # (signal, owner, nudges) for eggs nudged M+ times unanswered
    weekly: list[tuple[datetime, int, int]]  # (week start, eggs shared, chicks shared), oldest first
    hatched_weekly: list[int] = field(default_factory=list)  # eggs hatched in each of `weekly`'s weeks
    open_by_owner: list[tuple[str, int]] = field(default_factory=list)  # the load: most open signals first
    away: list[tuple[str, date]] = field(default_factory=list)  # who is away now or soon, and until when


def _bucket(days: int) -> str:
    for low, high, name in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return name
    raise AssertionError(days)  # pragma: no cover - the buckets cover every day count


def compute_digest(
    signals: Sequence[SignalFacts],
    events: Iterable[EventFacts],
    now: datetime,
    *,
    stale_days: int,
    unanswered_after: int,
    away: Sequence[tuple[str, date, date]] = (),
) -> Digest:
    start, end = now - timedelta(days=7), now
    first_kind: dict[int, str] = {}
    first_hatch: dict[int, datetime] = {}
    this_week: Counter[str] = Counter()
    chart_start = end - timedelta(weeks=CHART_WEEKS)
    hatched_per_week: Counter[int] = Counter()
    for event in events:
        if event.action == "submitted":
            first_kind.setdefault(event.signal_number, event.to_kind or "egg")
        if event.action == "hatch":
            first_hatch.setdefault(event.signal_number, event.at)
            if chart_start <= event.at < end:
                hatched_per_week[int((event.at - chart_start) / timedelta(weeks=1))] += 1
        if start <= event.at < end:
            this_week["new_" + (event.to_kind or "egg") if event.action == "submitted" else event.action] += 1

    by_number = {s.number: s for s in signals}
    shared_as_eggs = [n for n, kind in first_kind.items() if kind == "egg"]
    hatched_eggs = [n for n in shared_as_eggs if n in first_hatch]
    days_to_hatch = [
        (first_hatch[n] - by_number[n].created_at).total_seconds() / 86400 for n in hatched_eggs if n in by_number
    ]
    # A win is a win whether or not the egg hatched first: the customer bought.
    closed = [s for s in signals if s.status in ("won", "lost")]

    ages: dict[str, Counter[str]] = {"egg": Counter(), "chick": Counter()}
    stale: Counter[str] = Counter()
    load: Counter[str] = Counter()
    unanswered = []
    for signal in signals:
        if signal.status != "open":
            continue
        load[signal.owner_id] += 1
        ages[signal.kind][_bucket((now - signal.created_at).days)] += 1
        if signal.kind == "egg" and now - signal.last_activity_at >= timedelta(days=stale_days):
            stale[signal.owner_id] += 1
        if signal.kind == "egg" and signal.nudge_count >= unanswered_after:
            unanswered.append((signal.number, signal.owner_id, signal.nudge_count))

    per_week: dict[str, Counter[int]] = {"egg": Counter(), "chick": Counter()}
    submitters: Counter[str] = Counter()
    for signal in signals:
        if chart_start <= signal.created_at < end:
            week = int((signal.created_at - chart_start) / timedelta(weeks=1))
            per_week[first_kind.get(signal.number, signal.kind)][week] += 1
            submitters[signal.submitter_id] += 1

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return Digest(
        start=start,
        end=end,
        new_eggs=this_week["new_egg"],
        new_chicks=this_week["new_chick"],
        hatched=this_week["hatch"],
        won=this_week["win"],
        lost=this_week["lose"],
        open_eggs_by_age={name: ages["egg"][name] for _, _, name in AGE_BUCKETS},
        open_chicks_by_age={name: ages["chick"][name] for _, _, name in AGE_BUCKETS},
        hatch_rate=share(len(hatched_eggs), len(shared_as_eggs)),
        median_days_to_hatch=statistics.median(days_to_hatch) if days_to_hatch else None,
        win_rate=share(sum(s.status == "won" for s in closed), len(closed)),
        egg_share=share(len(shared_as_eggs), len(first_kind)),
        top_submitters=sorted(submitters.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP],
        stale_owners=sorted(stale.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP],
        unanswered=sorted(unanswered, key=lambda u: (-u[2], u[0])),
        weekly=[
            (chart_start + timedelta(weeks=i), per_week["egg"][i], per_week["chick"][i]) for i in range(CHART_WEEKS)
        ],
        hatched_weekly=[hatched_per_week[i] for i in range(CHART_WEEKS)],
        open_by_owner=sorted(load.items(), key=lambda kv: (-kv[1], kv[0]))[:LOAD_TOP],
        away=[(user, until) for user, _, until in sorted(away, key=lambda a: (a[2], a[0]))],
    )
