"""What an outbox row carries for the messages a job or the relay decided to send, typed.

Each payload is a frozen value with `to_json()` (what the outbox stores) and `from_json()` (what
the relay reads back at the seam to bot/delivery). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from models.metrics import Digest


@dataclass(frozen=True)
class DirectMessagePayload:
    """A nudge or reminder about one signal: `kind` is "stale_egg", "remind_chick" or "overdue_chick"."""

    kind: str
    users: tuple[str, ...]  # the owner first; the submitter in copy for a stale egg
    stale_days: int = 0  # a stale egg: the period it went untouched
    timing: date | None = None  # a chick: the timing it was reminded for

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "users": list(self.users)}
        if self.stale_days:
            data["stale_days"] = self.stale_days
        if self.timing is not None:
            data["timing"] = self.timing.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DirectMessagePayload:
        timing = data.get("timing")
        return cls(
            str(data["kind"]),
            tuple(str(u) for u in data["users"]),
            int(data.get("stale_days", 0)),
            date.fromisoformat(timing) if timing else None,
        )


@dataclass(frozen=True)
class DigestPayload:
    """The weekly digest as queued: its numbers (times already in the team's zone) and the
    settings it was computed with."""

    digest: Digest
    slot: str  # the schedule slot (or the clock time of a manual run): the message's idempotency key
    stale_days: int
    unanswered_after: int

    def to_json(self) -> dict[str, Any]:
        d = self.digest
        return {
            "start": d.start.isoformat(),
            "end": d.end.isoformat(),
            "new_eggs": d.new_eggs,
            "new_chicks": d.new_chicks,
            "hatched": d.hatched,
            "won": d.won,
            "lost": d.lost,
            "open_eggs_by_age": dict(d.open_eggs_by_age),
            "open_chicks_by_age": dict(d.open_chicks_by_age),
            "hatch_rate": d.hatch_rate,
            "median_days_to_hatch": d.median_days_to_hatch,
            "win_rate": d.win_rate,
            "egg_share": d.egg_share,
            "top_submitters": [list(p) for p in d.top_submitters],
            "stale_owners": [list(p) for p in d.stale_owners],
            "unanswered": [list(u) for u in d.unanswered],
            "weekly": [[when.isoformat(), eggs, chicks] for when, eggs, chicks in d.weekly],
            "hatched_weekly": list(d.hatched_weekly),
            "open_by_owner": [list(p) for p in d.open_by_owner],
            "away": [[user, until.isoformat()] for user, until in d.away],
            "slot": self.slot,
            "stale_days": self.stale_days,
            "unanswered_after": self.unanswered_after,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DigestPayload:
        def rate(name: str) -> float | None:
            value = data.get(name)
            return None if value is None else float(value)

        digest = Digest(
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            new_eggs=int(data["new_eggs"]),
            new_chicks=int(data["new_chicks"]),
            hatched=int(data["hatched"]),
            won=int(data["won"]),
            lost=int(data["lost"]),
            open_eggs_by_age={str(k): int(v) for k, v in data["open_eggs_by_age"].items()},
            open_chicks_by_age={str(k): int(v) for k, v in data["open_chicks_by_age"].items()},
            hatch_rate=rate("hatch_rate"),
            median_days_to_hatch=rate("median_days_to_hatch"),
            # A digest queued before the rename carries "chick_win_rate".
            win_rate=rate("win_rate" if "win_rate" in data else "chick_win_rate"),
            egg_share=rate("egg_share"),
            top_submitters=[(str(user), int(count)) for user, count in data["top_submitters"]],
            stale_owners=[(str(user), int(count)) for user, count in data["stale_owners"]],
            unanswered=[(int(number), str(owner), int(count)) for number, owner, count in data["unanswered"]],
            weekly=[(datetime.fromisoformat(when), int(eggs), int(chicks)) for when, eggs, chicks in data["weekly"]],
            # A digest queued before issue 12 carries none of these.
            hatched_weekly=[int(n) for n in data.get("hatched_weekly") or []],
            open_by_owner=[(str(user), int(count)) for user, count in data.get("open_by_owner") or []],
            away=[(str(user), date.fromisoformat(until)) for user, until in data.get("away") or []],
        )
        return cls(digest, str(data["slot"]), int(data["stale_days"]), int(data["unanswered_after"]))


@dataclass(frozen=True)
class AdminAlertPayload:
    """A delivery gave up (a dead letter): which row, what it was, how often it tried, why, and
    the thread rows that died with it (a card's chain). The fix is named from `error` when sent."""

    outbox_id: int
    target: str
    attempts: int
    signal: int | None
    error: str
    chain: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "outbox_id": self.outbox_id,
            "target": self.target,
            "attempts": self.attempts,
            "signal": self.signal,
            "error": self.error,
            "chain": list(self.chain),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AdminAlertPayload:
        signal = data.get("signal")
        return cls(
            int(data["outbox_id"]),
            str(data["target"]),
            int(data["attempts"]),
            int(signal) if signal else None,
            str(data.get("error", "")),
            tuple(int(i) for i in data.get("chain") or ()),
        )


@dataclass(frozen=True)
class SuggestionPayload:
    """A hint heard in a customer channel, to DM its recipient (the suggestion row says the rest)."""

    suggestion: int

    def to_json(self) -> dict[str, Any]:
        return {"suggestion": self.suggestion}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SuggestionPayload:
        return cls(int(data["suggestion"]))


OutboxPayload = DirectMessagePayload | DigestPayload | AdminAlertPayload | SuggestionPayload
