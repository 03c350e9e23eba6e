"""Who owns a signal nobody chose an owner for: pure rules, given what the store knows.

The category's role (HIYOKO_ROUTING) names the account's person; when the account names nobody
in that role, the person is away or gone, or the customer is unknown, the role's team takes it:
the member with the fewest open signals, ties to whoever was handed one longest ago.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from models.signal import Category

DEFAULT_ROUTING = "seats=csales,plan=csales,cross_sell=ae,other=csales"


class Role(StrEnum):
    AE = "ae"
    CSALES = "csales"
    CSM = "csm"


def parse_routing(text: str) -> dict[Category, Role]:
    """`seats=csales,plan=csales,cross_sell=ae,other=csales` → a role for every category.
    Raises ValueError naming the bad part; a category left out keeps its default."""
    routing = {Category(k): Role(v) for k, v in (p.split("=") for p in DEFAULT_ROUTING.split(","))}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        category, sep, role = (x.strip() for x in part.partition("="))
        if not sep or category not in {c.value for c in Category} or role not in {r.value for r in Role}:
            raise ValueError(
                f"{part!r}: write category=role, categories {', '.join(c.value for c in Category)}, "
                f"roles {', '.join(r.value for r in Role)}"
            )
        routing[Category(category)] = Role(role)
    return routing


@dataclass(frozen=True)
class Account:
    """One usable row of the Accounts tab; people are Slack user ids (resolved when read)."""

    customer: str
    ae: str | None = None
    csales: str | None = None
    csm: str | None = None
    channel: str | None = None
    crm_id: str = ""

    def person(self, role: Role) -> str | None:
        return {Role.AE: self.ae, Role.CSALES: self.csales, Role.CSM: self.csm}[role]


Why = Literal["account", "team", "chosen", "rerouted", "nobody"]


@dataclass(frozen=True)
class Reason:
    """Why the owner has the signal; kept on the signal as JSON and told on the card and thread."""

    why: Why
    role: Role | None = None
    by: str | None = None  # who chose (chosen) or what moved it (rerouted: the previous owner)

    def to_json(self) -> str:
        return json.dumps({"why": self.why, "role": self.role.value if self.role else None, "by": self.by})

    @classmethod
    def from_json(cls, text: str) -> Reason | None:
        if not text:
            return None
        data = json.loads(text)
        return cls(data["why"], Role(data["role"]) if data.get("role") else None, data.get("by"))


@dataclass(frozen=True)
class Member:
    """A team member as the store sees them now."""

    user_id: str
    open_signals: int
    last_assigned_at: datetime | None


def pick(
    category: Category,
    account: Account | None,
    routing: Mapping[Category, Role],
    team: Iterable[Member],
    unavailable: frozenset[str],
) -> tuple[str | None, Reason]:
    """The owner for a signal of this category and account, and why. `unavailable`: people away
    today or deactivated. None (with why "nobody") when the role's team has no one available."""
    role = routing[category]
    person = account.person(role) if account else None
    if person and person not in unavailable:
        return person, Reason("account", role)
    candidates = [m for m in team if m.user_id not in unavailable]
    if not candidates:
        return None, Reason("nobody", role)
    never = datetime.min.replace(tzinfo=None)
    chosen = min(
        candidates,
        key=lambda m: (m.open_signals, (m.last_assigned_at or never).replace(tzinfo=None), m.user_id),
    )
    return chosen.user_id, Reason("team", role)
