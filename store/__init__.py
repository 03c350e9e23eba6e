"""Persistence: tables, migrations, the use cases that change signals, the outbox and its claims."""

from store.db import Database, upgrade_database
from store.outbox import Delivery, Outbox, Target
from store.signals import SignalStore, SubmitResult

__all__ = ["Database", "Delivery", "Outbox", "SignalStore", "SubmitResult", "Target", "upgrade_database"]
