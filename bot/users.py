"""Who a Slack user is (name, locale, bot or person), from the user directory in the database.

Anything answering Slack within its 3 seconds (acks, views.open after a click) reads only the
directory (`lookup`, `name_of`, `locale_of`): a slow Slack must never make us miss that window.
Work done after the ack may ask Slack (`fetch`) and keeps the answer in the directory. The
directory is filled by users.list at start and on a timer, and kept fresh by events.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from models.validation import Problem
from store.directory import Directory, DirectoryUser

PAGE_SIZE = 200  # users.list page: Slack recommends no more than 200


def user_from_slack(user: dict[str, Any]) -> DirectoryUser:
    """A directory entry from a Slack user object (users.info, users.list, user_change, team_join)."""
    profile = user.get("profile") or {}
    user_id = str(user["id"])
    return DirectoryUser(
        id=user_id,
        name=str(
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or user_id
        ),
        real_name=str(profile.get("real_name") or user.get("real_name") or ""),
        email=str(profile.get("email") or ""),
        locale=user.get("locale"),
        is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
        deleted=bool(user.get("deleted")),
    )


def problem_of(user: DirectoryUser | None) -> Problem | None:
    """Why this user cannot own a signal (unknown, a bot, deactivated), or None."""
    if user is None:
        return Problem("error.unknown_user")
    if user.is_bot:
        return Problem("error.bot_user")
    if user.deleted:
        return Problem("error.deactivated_user")
    return None


class UserDirectory:
    def __init__(self, client: WebClient, directory: Directory) -> None:
        self.client = client
        self.directory = directory

    # --- the ack path: the database only ----------------------------------------------------

    def lookup(self, user_id: str) -> DirectoryUser | None:
        """The user as the directory knows them, or None when it does not (yet). Never asks Slack."""
        return self.directory.get(user_id)

    def name_of(self, user_id: str, fallback: str = "") -> str:
        """A display name; the fallback (else the raw id) for a user the directory does not know."""
        user = self.lookup(user_id)
        return user.name if user else fallback or user_id

    def locale_of(self, user_id: str) -> str | None:
        user = self.lookup(user_id)
        return user.locale if user else None

    # --- after the ack: may ask Slack ------------------------------------------------------

    def fetch(self, user_id: str) -> DirectoryUser | None:
        """Ask Slack (users.info) and keep the answer; None when Slack has no such user.

        Other Slack failures raise SlackApiError: the caller decides whether to retry."""
        try:
            user = self.client.users_info(user=user_id, include_locale=True)["user"]
        except SlackApiError as error:
            if error.response.get("error") in ("user_not_found", "users_not_found"):
                return None
            raise
        found = user_from_slack(user)
        self.directory.upsert([found])
        return found

    def lookup_or_fetch(self, user_id: str) -> DirectoryUser | None:
        """The directory's answer, else Slack's (for work that runs after the ack)."""
        return self.lookup(user_id) or self.fetch(user_id)

    def refresh(self, managers_group: str | None = None, team_groups: Iterable[str] = ()) -> int:
        """Read every member (users.list, 200 a page) into the directory, the managers' group and
        the teams' groups (HIYOKO_TEAM_CSALES / HIYOKO_TEAM_AE), which routing reads.

        Each page is written as it arrives, so a refresh cut short still keeps what it read."""
        count, cursor = 0, ""
        while True:
            more = {"cursor": cursor} if cursor else {}
            page = self.client.users_list(limit=PAGE_SIZE, include_locale=True, **more)
            count += self.directory.upsert(user_from_slack(member) for member in page.get("members") or [])
            cursor = ((page.get("response_metadata") or {}).get("next_cursor")) or ""
            if not cursor:
                break
        for group in dict.fromkeys([managers_group or "", *team_groups]):
            if group:
                self.refresh_group(group)
        return count

    def refresh_group(self, group_id: str) -> frozenset[str]:
        members = frozenset(self.client.usergroups_users_list(usergroup=group_id)["users"])
        self.directory.set_group(group_id, members)
        return members
