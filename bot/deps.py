"""What the listeners need, handed in by the composition root (app.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from slack_bolt import BoltContext

from bot.listening import Listening
from bot.users import UserDirectory
from i18n import Lang, language_of
from models.clock import Clock
from models.permissions import parse_managers
from settings import Settings
from store import SignalStore
from store.absences import AbsenceStore
from store.suggestions import SuggestionStore


@dataclass
class BotDeps:
    settings: Settings
    clock: Clock
    store: SignalStore
    users: UserDirectory
    on_change: Callable[[], None]  # wakes the relay after a commit
    # Hearing (issue 13): the channels listened to and the detector, kept in memory.
    listening: Listening = field(init=False)

    def __post_init__(self) -> None:
        self.listening = Listening(self.suggestions, self.settings)

    @property
    def suggestions(self) -> SuggestionStore:
        """Hints heard in customer channels, and the channels listened to."""
        return SuggestionStore(self.store.db, self.clock)

    @property
    def absences(self) -> AbsenceStore:
        """`/hiyoko away` and `back`: kept in the signals' database."""
        return AbsenceStore(self.store.db)

    def today(self) -> date:
        return self.clock.now().astimezone(self.settings.timezone).date()

    def language_for(self, user_id: str) -> Lang:
        """The user's Slack locale as the directory knows it, else HIYOKO_LANGUAGE."""
        return language_of(self.users.locale_of(user_id), self.settings.hiyoko_language)

    @property
    def channel_language(self) -> Lang:
        """Channel posts are read by everyone: they use HIYOKO_LANGUAGE."""
        return self.settings.hiyoko_language

    @property
    def managers_group(self) -> str | None:
        return parse_managers(self.settings.hiyoko_managers)[1]

    def managers(self) -> frozenset[str]:
        """HIYOKO_MANAGERS: its user ids plus its user group's members as the directory knows them
        (filled at start and on a timer, kept fresh by subteam events; never asks Slack)."""
        ids, group = parse_managers(self.settings.hiyoko_managers)
        if group is None:
            return ids
        return ids | (self.users.directory.group_members(group) or frozenset())

    def team_groups(self) -> frozenset[str]:
        """The user groups named in HIYOKO_TEAM_CSALES / HIYOKO_TEAM_AE (kept in the directory)."""
        return team_groups(self.settings)


def team_groups(settings: Settings) -> frozenset[str]:
    groups = (parse_managers(value)[1] for value in (settings.hiyoko_team_csales, settings.hiyoko_team_ae))
    return frozenset(g for g in groups if g)


DEPS_KEY = "deps"  # where bot.register's middleware puts the BotDeps in each request's context


def deps_of(context: BoltContext) -> BotDeps:
    """The BotDeps that bot.register's global middleware put into this request's context."""
    deps = context.get(DEPS_KEY)
    if not isinstance(deps, BotDeps):
        raise LookupError("no BotDeps in the Bolt context: was bot.register(app, deps) called?")
    return deps
