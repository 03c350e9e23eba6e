"""What the listeners need, handed in by the composition root (app.py)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from slack_sdk.errors import SlackApiError

from bot.users import UserDirectory
from i18n import Lang, language_of
from models.clock import Clock
from models.permissions import parse_managers
from settings import Settings
from store import SignalStore

log = logging.getLogger(__name__)
GROUP_CACHE_SECONDS = 300


@dataclass
class BotDeps:
    settings: Settings
    clock: Clock
    store: SignalStore
    users: UserDirectory
    on_change: Callable[[], None]  # wakes the relay after a commit
    _group: tuple[float, frozenset[str]] = field(default=(0.0, frozenset()), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def today(self) -> date:
        return self.clock.now().astimezone(self.settings.timezone).date()

    def language_for(self, user_id: str) -> Lang:
        """The user's Slack locale when known, else HIYOKO_LANGUAGE."""
        return language_of(self.users.locale_of(user_id), self.settings.hiyoko_language)

    @property
    def channel_language(self) -> Lang:
        """Channel posts are read by everyone: they use HIYOKO_LANGUAGE."""
        return self.settings.hiyoko_language

    def managers(self) -> frozenset[str]:
        """HIYOKO_MANAGERS: its user ids plus the members of its user group (cached for 5 min)."""
        ids, group = parse_managers(self.settings.hiyoko_managers)
        if group is None:
            return ids
        with self._lock:
            fetched_at, members = self._group
        if time.monotonic() - fetched_at > GROUP_CACHE_SECONDS or not fetched_at:
            try:
                members = frozenset(self.users.client.usergroups_users_list(usergroup=group)["users"])
            except SlackApiError as error:  # keep the last known members rather than lock managers out
                log.warning("could not read user group %s: %s", group, error.response.get("error"))
            else:
                with self._lock:
                    self._group = (time.monotonic(), members)
        return ids | members
