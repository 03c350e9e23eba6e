"""Who a Slack user is (name, locale, bot or person), from users.info, cached for a while."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from models.validation import Problem

log = logging.getLogger(__name__)

CACHE_SECONDS = 600


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str  # what people call them: display name, else real name, else handle
    locale: str | None
    is_bot: bool
    deleted: bool


def owner_problem(directory: UserDirectory, user_id: str) -> Problem | None:
    """Why this user cannot own a signal (unknown, a bot, deactivated), or None."""
    try:
        user = directory.lookup(user_id)
    except (SlackApiError, OSError) as error:
        # Slack is having trouble: the picker only offers real members, so trust it.
        log.warning("could not check user %s: %s", user_id, error)
        return None
    if user is None:
        return Problem("error.unknown_user")
    if user.is_bot:
        return Problem("error.bot_user")
    if user.deleted:
        return Problem("error.deactivated_user")
    return None


class UserDirectory:
    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._cache: dict[str, tuple[float, SlackUser | None]] = {}
        self._lock = threading.Lock()

    def lookup(self, user_id: str) -> SlackUser | None:
        """The user, or None when Slack says there is no such user.

        Other Slack failures raise SlackApiError: the caller decides whether to go on without.
        """
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(user_id)
        if cached and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            user = self.client.users_info(user=user_id, include_locale=True)["user"]
        except SlackApiError as error:
            if error.response.get("error") in ("user_not_found", "users_not_found"):
                found = None
            else:
                raise
        else:
            profile = user.get("profile") or {}
            found = SlackUser(
                id=user["id"],
                name=profile.get("display_name") or profile.get("real_name") or user.get("real_name")
                or user.get("name") or user_id,
                locale=user.get("locale"),
                is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
                deleted=bool(user.get("deleted")),
            )
        with self._lock:
            self._cache[user_id] = (now, found)
        return found

    def name_of(self, user_id: str, fallback: str = "") -> str:
        """A display name, or the fallback when Slack cannot tell us right now."""
        try:
            user = self.lookup(user_id)
        except (SlackApiError, OSError):
            return fallback or user_id
        return user.name if user else fallback or user_id

    def locale_of(self, user_id: str) -> str | None:
        try:
            user = self.lookup(user_id)
        except (SlackApiError, OSError):
            return None
        return user.locale if user else None
