"""Persistence: tables, migrations, the use cases that change signals, the outbox and its claims."""

from store.db import Database, upgrade_database
from store.outbox import Delivery, Outbox, Target
from store.signals import ChangeRequest, ChangeResult, Edits, NotFound, NotPermitted, SignalStore, SubmitResult

__all__ = [
    "ChangeRequest", "ChangeResult", "Database", "Delivery", "Edits", "NotFound", "NotPermitted", "Outbox",
    "SignalStore", "SubmitResult", "Target", "upgrade_database",
]
