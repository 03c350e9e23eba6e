"""What a signal is: its kinds, categories, statuses, ids and the limits of its fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Kind(StrEnum):
    EGG = "egg"  # the customer wants more, timing unknown
    CHICK = "chick"  # the timing is known

    @property
    def emoji(self) -> str:
        return "🥚" if self is Kind.EGG else "🐣"


class Category(StrEnum):
    SEATS = "seats"
    PLAN = "plan"
    CROSS_SELL = "cross_sell"
    OTHER = "other"


class Status(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"
    DROPPED = "dropped"


# Limits of the modal's text fields. Slack's plain_text_input allows up to 3,000 characters;
# the summary stays below that so the card section (also 3,000) still fits after escaping.
CUSTOMER_MAX = 150
SUMMARY_MAX = 2000
SIZE_MAX = 100
SOURCE_MAX = 500

_ID_PATTERN = re.compile(r"^S-(\d{6,})$")


def format_signal_id(number: int) -> str:
    """The public id of a signal: `S-000123`. Stable and never reused."""
    return f"S-{number:06d}"


def parse_signal_id(text: str) -> int | None:
    """The number behind `S-000123` (case and surrounding space forgiven), or None."""
    match = _ID_PATTERN.match(text.strip().upper())
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class SignalDraft:
    """What a person submitted, before it is stored. Text is kept exactly as typed (trimmed)."""

    customer: str
    kind: Kind
    category: Category
    summary: str
    timing: date | None
    owner_id: str  # "" : routed when stored (store.routing)
    size: str = ""
    source: str = ""


@dataclass(frozen=True)
class SignalRecord:
    """A stored signal as the rest of the app sees it (no ORM, no session)."""

    number: int
    customer: str
    kind: Kind
    category: Category
    status: Status
    summary: str
    timing: date | None
    size: str
    source: str
    submitter_id: str
    submitter_name: str
    owner_id: str
    owner_name: str
    close_reason: str
    created_at: datetime
    updated_at: datetime
    hatched_at: datetime | None
    closed_at: datetime | None
    card_channel: str | None
    card_ts: str | None
    card_permalink: str | None
    # Why the owner has it: models.routing.Reason as JSON ("" for signals from before routing);
    # kept as text because models.routing builds on this module (Reason.from_json reads it).
    owner_reason: str = ""
    crm_url: str | None = None  # the deal's page in the CRM, once handed off (issue 15)

    @property
    def id(self) -> str:
        return format_signal_id(self.number)

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN


def format_event_id(number: int) -> str:
    """The public id of a history event: `E-000123` (the key of the History tab)."""
    return f"E-{number:06d}"


@dataclass(frozen=True)
class EventRecord:
    """One line of a signal's history: who did what, when, from which state to which."""

    id: int
    signal_number: int
    action: str  # "submitted" or a lifecycle Action value
    actor_id: str
    actor_name: str
    at: datetime
    from_kind: Kind | None
    to_kind: Kind | None
    from_status: Status | None
    to_status: Status | None
    note: str
    detail: dict[str, str]  # action specifics: timing, old/new owner, edited fields

    @property
    def public_id(self) -> str:
        return format_event_id(self.id)
