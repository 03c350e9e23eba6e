"""Persistence: tables, migrations, the use cases that change signals, the outbox and its claims."""

from store.db import Database, upgrade_database
from store.outbox import Delivery, Outbox, Target
from store.routing import NobodyToRoute, RouteRequest
from store.signals import (
    BackToEgg,
    ChangeRequest,
    ChangeResult,
    Drop,
    Edit,
    Edits,
    Hatch,
    LifecycleChange,
    Lose,
    Note,
    NotFound,
    NotPermitted,
    Reassign,
    Reopen,
    SignalStore,
    Snooze,
    SubmitResult,
    Win,
)

__all__ = [
    "BackToEgg",
    "ChangeRequest",
    "ChangeResult",
    "Database",
    "Delivery",
    "Drop",
    "Edit",
    "Edits",
    "Hatch",
    "LifecycleChange",
    "Lose",
    "NobodyToRoute",
    "NotFound",
    "NotPermitted",
    "Note",
    "Outbox",
    "Reassign",
    "Reopen",
    "RouteRequest",
    "SignalStore",
    "Snooze",
    "SubmitResult",
    "Target",
    "Win",
    "upgrade_database",
]
