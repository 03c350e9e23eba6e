"""The CRM hand-off's rules, pure: when a signal owes the CRM a deal, what outcome it stands for,
and how its size and timing read as a deal's amount and close date (issue 15)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

from models.lifecycle import Action
from models.signal import Kind, Status

Outcome = Literal["open", "won", "lost"]
CrmOn = Literal["hatch", "share"]

# The actor of a change that came from the CRM (a webhook, a poll): such a change is never sent
# back to the CRM, and the card and thread name the CRM instead of a Slack user.
CRM_ACTOR = "crm"

# HIYOKO_CRM → the name people see ("Open in HubSpot").
CRM_NAMES = {"hubspot": "HubSpot", "salesforce": "Salesforce"}

# Lifecycle actions in Slack that move an existing deal's stage.
STAGE_ACTIONS = frozenset({Action.WIN, Action.LOSE, Action.DROP, Action.REOPEN})


def outcome_of(status: Status) -> Outcome:
    """The deal stage a signal's status stands for (a dropped signal is a lost deal)."""
    if status is Status.WON:
        return "won"
    if status in (Status.LOST, Status.DROPPED):
        return "lost"
    return "open"


def owed_at_share(crm_on: CrmOn | None, kind: Kind) -> bool:
    """A new signal owes a deal only with HIYOKO_CRM_ON=share, and only a chick."""
    return crm_on == "share" and kind is Kind.CHICK


def owed_on_change(crm_on: CrmOn | None, action: Action, actor_id: str, *, has_deal: bool) -> bool:
    """A change owes the CRM: a hatch (either mode), or a stage move of a signal that has a deal —
    unless the change came from the CRM itself (no loop)."""
    if crm_on is None or actor_id == CRM_ACTOR:
        return False
    return action is Action.HATCH or (action in STAGE_ACTIONS and has_deal)


_MULTIPLIERS = {
    "": Decimal(1),
    "k": Decimal(1_000),
    "千": Decimal(1_000),
    "m": Decimal(1_000_000),
    "百万": Decimal(1_000_000),
    "万": Decimal(10_000),
    "億": Decimal(100_000_000),
}
_AMOUNT = re.compile(
    r"(?P<currency>[¥$€£])?\s*(?P<number>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d+))?\s*"
    r"(?P<unit>k|m|千|百万|万|億)?\s*(?:円|yen|jpy|usd|eur)?",
    re.IGNORECASE,
)


def parse_amount(size: str) -> Decimal | None:
    """An amount when the whole `size` is one: "120万円", "1,200,000", "¥500k", "$10k", "3.5百万円".
    Anything else ("50席", "約100万", "100-200万") is None: a guessed amount would mislead the forecast."""
    text = unicodedata.normalize("NFKC", size).strip().replace(" ", "")
    match = _AMOUNT.fullmatch(text)
    if not match or not text:
        return None
    whole = match["number"].replace(",", "")
    try:
        value = Decimal(f"{whole}.{match['fraction']}" if match["fraction"] else whole)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    unit = (match["unit"] or "").lower()
    amount = value * _MULTIPLIERS[unit]
    if amount == amount.to_integral_value():
        amount = amount.quantize(Decimal(1))
    return amount if amount > 0 else None


def close_date(timing: date | None) -> date | None:
    """The deal's close date: the chick's timing (a day standing for "around then")."""
    return timing
