"""The Accounts tab as last read, kept in the database so routing on the ack path reads only it.

`replace_all` swaps every account and key in one transaction: a reader sees the old list or the
new one, never half of each. Customers are found by models.customers.normalize_customer of the
name as typed, through account_keys (the customer's own key and each alias's).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from models.accounts import AccountRecord
from models.customers import normalize_customer
from models.routing import Account
from store.db import Database
from store.tables import AccountKeyRow, AccountRow

# PostgreSQL: replicas refreshing at the same moment (each reads the tab at start) take turns,
# or the second would insert keys the first has just inserted.
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"hiyoko:accounts").digest()[:8], "big", signed=True)


def _account(row: AccountRow) -> Account:
    return Account(row.customer, row.ae_id, row.csales_id, row.csm_id, row.channel_id, row.crm_id)


def account_for(session: Session, customer: str) -> Account | None:
    """The account whose name or alias is this customer however written; None when unknown."""
    key = normalize_customer(customer)
    if not key:
        return None
    row = session.scalar(
        select(AccountRow)
        .join(AccountKeyRow, AccountKeyRow.account_id == AccountRow.id)
        .where(AccountKeyRow.key == key)
    )
    return _account(row) if row else None


def account_for_channel(session: Session, channel_id: str) -> Account | None:
    """The account whose Channel is this one (the first row naming it)."""
    row = session.scalar(
        select(AccountRow).where(AccountRow.channel_id == channel_id).order_by(AccountRow.row_number).limit(1)
    )
    return _account(row) if row else None


class AccountStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def replace_all(self, rows: list[AccountRecord], now: datetime) -> int:
        """Every account and key rewritten at once; a key two records share goes to the first.
        Returns how many accounts are kept. When nothing changed since the last read (the usual
        refresh), nothing is written: on SQLite a write would hold back the shares' writes."""
        plan = _plan(rows)
        with self.db.read() as session:
            if _stored(session) == [_signature(record, main, keys) for record, main, keys in plan]:
                return len(plan)
        with self.db.transaction() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            session.execute(delete(AccountKeyRow))
            session.execute(delete(AccountRow))
            kept: list[tuple[AccountRow, list[str]]] = []
            for record, main, keys in plan:
                account = record.account
                row = AccountRow(
                    row_number=record.row_number,
                    customer=account.customer,
                    customer_key=main,
                    ae_id=account.ae,
                    csales_id=account.csales,
                    csm_id=account.csm,
                    channel_id=account.channel,
                    crm_id=account.crm_id,
                    products=json.dumps(list(record.products), ensure_ascii=False),
                    plan=record.plan,
                    updated_at=now,
                )
                kept.append((row, keys))
            session.add_all([row for row, _ in kept])
            session.flush()  # the ids, for the keys
            keys_rows = [{"key": key, "account_id": row.id} for row, keys in kept for key in keys]
            if keys_rows:
                session.execute(insert(AccountKeyRow), keys_rows)
            return len(kept)

    def find(self, customer: str) -> Account | None:
        with self.db.read() as session:
            return account_for(session, customer)

    def for_channel(self, channel_id: str) -> Account | None:
        with self.db.read() as session:
            return account_for_channel(session, channel_id)

    def count(self) -> int:
        with self.db.read() as session:
            return session.scalar(select(func.count()).select_from(AccountRow)) or 0


Signature = tuple[int, str, str, str | None, str | None, str | None, str | None, str, tuple[str, ...], str, str]


def _plan(rows: list[AccountRecord]) -> list[tuple[AccountRecord, str, list[str]]]:
    """(record, customer key, its keys) for each record kept: the first to claim a key has it."""
    taken: set[str] = set()
    plan = []
    for record in rows:
        main = normalize_customer(record.account.customer)
        keys = [key for key in record.keys if key not in taken]
        if main in taken or not keys:
            continue
        taken.update(keys)
        plan.append((record, main, keys))
    return plan


def _signature(record: AccountRecord, main: str, keys: list[str]) -> Signature:
    a = record.account
    return (
        record.row_number, a.customer, main, a.ae, a.csales, a.csm, a.channel, a.crm_id, tuple(sorted(keys)),
        json.dumps(list(record.products), ensure_ascii=False), record.plan,
    )  # fmt: skip


def _stored(session: Session) -> list[Signature]:
    keys: dict[int, list[str]] = {}
    for key, account_id in session.execute(select(AccountKeyRow.key, AccountKeyRow.account_id)):
        keys.setdefault(account_id, []).append(key)
    return [
        (r.row_number, r.customer, r.customer_key, r.ae_id, r.csales_id, r.csm_id, r.channel_id, r.crm_id,
         tuple(sorted(keys.get(r.id, []))), r.products, r.plan)
        for r in session.scalars(select(AccountRow).order_by(AccountRow.id))
    ]  # fmt: skip
