"""The CRM hand-off's moving part (issue 15): the relay's CRM lane hands a signal to the CRM, and
the changes the CRM tells back (webhook, poll) are applied to the signals.

One outbox row (Target.CRM_DEAL, coalesced) stands for "make the CRM agree with the signal now":
no deal yet → `upsert` (the gateway searches by the signal id before it creates, so a retry or a
relay that died mid-call finds the deal instead of making a second one); a deal whose agreed
outcome differs from the signal's → `set_outcome`; else nothing to say.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable

from crm.gateway import CrmGateway, DealChange, DealDraft
from i18n import t
from models.clock import Clock
from models.crm import Outcome, close_date, parse_amount
from settings import Settings
from store.crm import CrmStore, DealSource
from store.db import Database
from store.signals import SignalStore

log = logging.getLogger(__name__)


class NoSuchSignal(Exception):
    """The outbox row names a signal that does not exist."""


class WaitForCard(Exception):
    """The signal's card is not posted yet: the deal should carry its permalink (a chick handed
    over at share time), so the row waits for it without counting a try."""


def deal_name(source: DealSource, lang: str) -> str:
    """`{customer} · {category} (S-000123)`, the category in the team's language."""
    signal = source.signal
    return f"{signal.customer} · {t(f'category.{signal.category.value}', lang)} ({signal.id})"


def draft_of(source: DealSource, outcome: Outcome, lang: str) -> DealDraft:
    """The deal the CRM should hold for this signal."""
    signal = source.signal
    return DealDraft(
        signal_id=signal.id,
        name=deal_name(source, lang),
        amount=parse_amount(signal.size),
        close_date=close_date(signal.timing),
        owner_email=source.owner_email,
        company_crm_id=source.company_crm_id,
        company_name=signal.customer,
        permalink=signal.card_permalink or "",
        outcome=outcome,
    )


class CrmHandOff:
    """One CRM gateway and the signals' side of it."""

    def __init__(self, gateway: CrmGateway, store: CrmStore, lang: str) -> None:
        self.gateway = gateway
        self.store = store
        self.lang = lang

    def deliver(self, number: int, still_mine: Callable[[], bool]) -> bool:
        """Make the CRM agree with signal `number` (one CRM_DEAL row). `still_mine` is asked right
        before the CRM is called (the relay's fence); False from it sends nothing and returns
        False. Raises crm.gateway.CrmError as the CRM answered."""
        source = self.store.source(number)
        if source is None:
            raise NoSuchSignal(f"signal {number} does not exist")
        wanted = source.outcome
        if source.crm_id is None and source.card_coming:
            raise WaitForCard(source.signal.id)
        if source.crm_id is None:
            draft = draft_of(source, wanted, self.lang)
            if not still_mine():
                return False
            ref = self.gateway.upsert(draft)
            self.store.record_deal(
                number, ref.crm_id, ref.url, wanted, company_found=ref.company_found, owner_found=ref.owner_found
            )
        elif source.crm_outcome != wanted:
            if not still_mine():
                return False
            self.gateway.set_outcome(source.crm_id, wanted)
            self.store.record_outcome(number, wanted)
        return True

    def apply(self, changes: Iterable[DealChange]) -> Counter[str]:
        """Changes the CRM told (a webhook's events, a poll's page): each applied once."""
        return apply_changes(self.store, changes)

    def sync(self, cursor_name: str) -> str:
        """One poll (`crm_sync`): the deals changed since the stored cursor, applied; then the
        cursor moves on (only after, so a poll that dies is read again)."""
        cursor = self.store.cursor(cursor_name)
        changes, next_cursor = self.gateway.changes_since(cursor)
        outcomes = self.apply(changes)
        self.store.set_cursor(cursor_name, next_cursor)
        told = ", ".join(f"{what} {count}" for what, count in sorted(outcomes.items())) or "no change"
        return f"crm_sync: {self.gateway.name}: {told}"


def apply_changes(store: CrmStore, changes: Iterable[DealChange]) -> Counter[str]:
    """Apply each change through the store; counts of "applied", "seen", "unknown", "matching"."""
    outcomes: Counter[str] = Counter()
    for change in changes:
        what = store.apply(change.key, change.crm_id, change.signal_id, change.outcome, change.at)
        outcomes[what] += 1
        if what == "applied":
            log.info("CRM %s: deal %s is %s", store.crm_name, change.crm_id, change.outcome)
    return outcomes


def crm_store(settings: Settings, db: Database, clock: Clock, crm_name: str) -> CrmStore:
    """The signals' side of the CRM, with a SignalStore that owes what the app's does."""
    signals = SignalStore(db, clock, slack_list=bool(settings.hiyoko_slack_list_id), crm_on=settings.hiyoko_crm_on)
    return CrmStore(db, clock, signals, crm_name, settings.hiyoko_language)
