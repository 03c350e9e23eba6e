"""Who may change a signal, and the managers setting that widens it."""

from __future__ import annotations

import re

# Slack ids are upper-case; a lower-case or otherwise mangled id would silently match nobody,
# so the setting is refused instead of leaving a manager without rights.
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
_GROUP_ID = re.compile(r"^S[A-Z0-9]+$")


def may_change(user_id: str, *, owner_id: str, submitter_id: str, managers: frozenset[str]) -> bool:
    """The owner, the submitter and managers may change a signal; nobody else."""
    if not user_id:  # an unknown actor never matches an unset owner or submitter
        return False
    return user_id in (owner_id, submitter_id) or user_id in managers


def parse_managers(setting: str) -> tuple[frozenset[str], str | None]:
    """HIYOKO_MANAGERS = comma-separated user ids (U…/W…) and at most one user-group id (S…).

    Returns (user ids, group id or None). Raises ValueError naming the bad entry for anything else
    (e.g. a name like '@sato', a channel id 'C…', two groups). Blank entries (a trailing comma) are
    skipped; the same id twice is harmless.
    """
    users: set[str] = set()
    group: str | None = None
    for part in setting.split(","):
        entry = part.strip()
        if not entry:
            continue
        if _USER_ID.match(entry):
            users.add(entry)
        elif _GROUP_ID.match(entry):
            if group is not None and group != entry:
                raise ValueError(f"at most one user group (S…) is allowed, got {group!r} and {entry!r}")
            group = entry
        else:
            raise ValueError(f"{entry!r} is not a Slack user id (U…/W…) or user-group id (S…)")
    return frozenset(users), group
