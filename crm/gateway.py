"""What hiyoko asks of a CRM, whichever it is: one Protocol, two gateways (HubSpot, Salesforce).

A deal (HubSpot) or opportunity (Salesforce) carries the signal id (`hiyoko_signal_id`,
`Hiyoko_Signal_Id__c`) and is searched by it before any create: a retried or repeated hand-off
finds the deal it made instead of making a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol

Outcome = Literal["open", "won", "lost"]


@dataclass(frozen=True)
class DealDraft:
    """A signal as the CRM should see it."""

    signal_id: str  # S-000123
    name: str  # {customer} · {category} (S-000123)
    amount: Decimal | None  # from the signal's size when it is a number
    close_date: date | None  # from the timing
    owner_email: str | None  # the owner's Slack e-mail, matched to a CRM user
    company_crm_id: str | None  # the Accounts tab's CRM ID
    company_name: str  # matched exactly when there is no CRM ID
    permalink: str  # the card
    outcome: Outcome  # the stage to put it in: open → the pipeline's first stage


@dataclass(frozen=True)
class DealRef:
    """A deal as the CRM holds it after an upsert."""

    crm_id: str
    url: str  # its page, for the card's "Open in …" link
    created: bool  # False when the search found it (a retry, a replayed hand-off)
    owner_found: bool
    company_found: bool


@dataclass(frozen=True)
class DealChange:
    """A deal whose stage the CRM says changed (a webhook, a poll)."""

    key: str  # unique per change, to hear it once (a webhook event id, "sf:{id}:{SystemModstamp}")
    crm_id: str
    signal_id: str | None  # from the deal's property, when the change carries it
    outcome: Outcome
    at: datetime


@dataclass(frozen=True)
class Check:
    """One line of `hiyoko doctor`."""

    ok: bool
    what: str  # e.g. "HubSpot token", "pipeline default and its stages"
    detail: str  # what was found, or what to do


class CrmError(Exception):
    """The CRM refused or failed; `retry_after` when it said how long to wait."""

    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent  # retrying will not help (bad field, missing permission)


class CrmGateway(Protocol):
    name: str  # "HubSpot" | "Salesforce", as the card and thread lines say it

    def upsert(self, draft: DealDraft) -> DealRef:
        """Find the deal by signal id, else create it; either way its fields and stage follow the draft."""
        ...

    def set_outcome(self, crm_id: str, outcome: Outcome) -> None:
        """Move the deal to the pipeline's won, lost or first open stage."""
        ...

    def changes_since(self, cursor: str) -> tuple[list[DealChange], str]:
        """Deals whose stage changed after `cursor` ("" = from now), and the next cursor (polling)."""
        ...

    def check(self) -> list[Check]:
        """Login, permissions, pipeline and stages, the signal-id field: for `hiyoko doctor`."""
        ...

    def warm_up(self) -> None:
        """Read once what later calls need (a login, the pipeline's stages), at start and in the
        background: the first webhook after a restart then asks the CRM nothing before answering."""
        ...
