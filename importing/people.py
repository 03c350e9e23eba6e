"""Who a name or an e-mail in an old sheet is: resolved against Slack, cached for one run.

An e-mail goes to `users.lookupByEmail`; a Slack id (`U…`, `<@U…>`) is taken as it is; anything
else is a name, compared (NFKC, case and spaces ignored, a leading @ and a trailing さん/様 dropped)
with every member's display name, real name and handle from `users.list`, read once a run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from models.words import fold

PAGE_SIZE = 200
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_USER_ID = re.compile(r"[UW][A-Z0-9]{6,}")
_HONORIFIC = re.compile(r"(さん|様|さま|くん|君|氏|殿)$")


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    is_bot: bool
    deleted: bool


class NotResolved(Exception):
    """No one, or more than one person, answers to this text. `key`/`params` word the reason."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def person_of(user: dict[str, Any]) -> Person:
    profile = user.get("profile") or {}
    return Person(
        id=str(user["id"]),
        name=profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or str(user["id"]),
        is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
        deleted=bool(user.get("deleted")),
    )


def name_key(text: str) -> str:
    """How names compare: NFKC, case-folded, without spaces, a leading @ or a trailing honorific."""
    key = re.sub(r"\s+", "", fold(text)).lstrip("@")
    return _HONORIFIC.sub("", key) or key


class People:
    """Resolves people for one import run; every answer (found or not) is cached."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._answers: dict[str, Person | NotResolved] = {}
        self._by_name: dict[str, list[Person]] | None = None
        self._by_id: dict[str, Person] = {}

    def resolve(self, text: str) -> Person:
        """The person `text` names. Raises NotResolved, or SlackApiError when Slack refuses us."""
        key = fold(text)
        if key not in self._answers:
            try:
                self._answers[key] = self._resolve(text.strip())
            except NotResolved as refusal:
                self._answers[key] = refusal
        answer = self._answers[key]
        if isinstance(answer, NotResolved):
            raise answer
        return answer

    def _resolve(self, text: str) -> Person:
        mention = _MENTION.fullmatch(text)
        if mention or _USER_ID.fullmatch(text):
            return self._by_user_id(mention[1] if mention else text)
        email = _EMAIL.search(text)
        if email:
            return self._by_email(email[0])
        return self._by_display_name(text)

    def _by_user_id(self, user_id: str) -> Person:
        self._directory()
        if user_id in self._by_id:
            return self._by_id[user_id]
        raise NotResolved("import.reason.user_not_found", who=user_id)

    def _by_email(self, email: str) -> Person:
        try:
            user = self.client.users_lookupByEmail(email=email)["user"]
        except SlackApiError as error:
            if error.response.get("error") in ("users_not_found", "user_not_found"):
                raise NotResolved("import.reason.user_not_found", who=email) from None
            raise
        return person_of(user)

    def _by_display_name(self, text: str) -> Person:
        matches = self._directory().get(name_key(text), [])
        if not matches:
            raise NotResolved("import.reason.user_not_found", who=text)
        if len(matches) > 1:
            # Two people may share a display name; a former colleague does not make it ambiguous.
            active = [person for person in matches if not person.deleted and not person.is_bot]
            if len(active) == 1:
                return active[0]
            raise NotResolved("import.reason.user_ambiguous", who=text, count=len(matches))
        return matches[0]

    def _directory(self) -> dict[str, list[Person]]:
        """Every member by each of their names (users.list, every page), read once."""
        if self._by_name is not None:
            return self._by_name
        by_name: dict[str, list[Person]] = {}
        cursor: str | None = None
        while True:
            page = self.client.users_list(limit=PAGE_SIZE, cursor=cursor)
            for user in page.get("members") or []:
                person = person_of(user)
                self._by_id[person.id] = person
                profile = user.get("profile") or {}
                names = {profile.get("display_name"), profile.get("real_name"), user.get("real_name"), user.get("name")}
                for key in {name_key(name) for name in names if name}:
                    by_name.setdefault(key, []).append(person)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        self._by_name = by_name
        return by_name
