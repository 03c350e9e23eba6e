"""The user directory: Slack users and the managers' group members, kept in the database so that
what Slack needs answered within 3 seconds never waits for Slack itself. Filled by users.list and
kept fresh by events (bot/users.py, bot/events.py); this module only reads and writes rows."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.accounts import person_key
from models.clock import Clock
from store.db import Database
from store.tables import UserGroupRow, UserRow


@dataclass(frozen=True)
class DirectoryUser:
    id: str
    name: str  # what people call them: display name, else real name, else handle
    real_name: str = ""
    email: str = ""
    locale: str | None = None
    is_bot: bool = False
    deleted: bool = False


def _user(row: UserRow) -> DirectoryUser:
    return DirectoryUser(row.user_id, row.name, row.real_name, row.email, row.locale, row.is_bot, row.deleted)


class PeopleIndex:
    """The directory looked up by id, by e-mail (case-insensitive) and by display or real name
    (as models.accounts.person_key compares them): the lookups the Accounts tab needs."""

    def __init__(self, users: Iterable[DirectoryUser]) -> None:
        self._ids: dict[str, DirectoryUser] = {}
        self._emails: dict[str, list[DirectoryUser]] = {}
        self._names: dict[str, list[DirectoryUser]] = {}
        for user in users:
            self._ids[user.id] = user
            if user.email:
                self._emails.setdefault(user.email.casefold(), []).append(user)
            for key in {person_key(user.name), person_key(user.real_name)} - {""}:
                self._names.setdefault(key, []).append(user)

    def by_id(self, user_id: str) -> DirectoryUser | None:
        return self._ids.get(user_id)

    def by_email(self, email: str) -> list[DirectoryUser]:
        return list(self._emails.get(email.strip().casefold(), []))

    def by_name(self, name: str) -> list[DirectoryUser]:
        return list(self._names.get(person_key(name), []))


class Directory:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def get(self, user_id: str) -> DirectoryUser | None:
        with self.db.read() as session:
            row = session.get(UserRow, user_id)
            return _user(row) if row else None

    def get_many(self, user_ids: Iterable[str]) -> dict[str, DirectoryUser]:
        wanted = sorted(set(user_ids))
        if not wanted:
            return {}
        with self.db.read() as session:
            rows = session.scalars(select(UserRow).where(UserRow.user_id.in_(wanted)))
            return {row.user_id: _user(row) for row in rows}

    def people(self) -> PeopleIndex:
        """Every user, in memory, for resolving many person cells at once (one query)."""
        with self.db.read() as session:
            return PeopleIndex(_user(row) for row in session.scalars(select(UserRow)))

    def count(self) -> int:
        with self.db.read() as session:
            return session.scalar(select(func.count()).select_from(UserRow)) or 0

    def upsert(self, users: Iterable[DirectoryUser]) -> int:
        """Insert or update users; an insert-or-update in one statement, so replicas refreshing at
        the same time never collide on the primary key."""
        rows = [
            {
                "user_id": u.id,
                "name": u.name,
                "real_name": u.real_name,
                "email": u.email,
                "locale": u.locale,
                "is_bot": u.is_bot,
                "deleted": u.deleted,
                "updated_at": self.clock.now(),
            }
            for u in {u.id: u for u in users}.values()
        ]
        if not rows:
            return 0
        with self.db.transaction() as session:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            statement = insert(UserRow).values(rows)
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=[UserRow.user_id],
                    set_={name: statement.excluded[name] for name in rows[0] if name != "user_id"},
                )
            )
        return len(rows)

    # --- user groups -----------------------------------------------------------------------

    def group_members(self, group_id: str) -> frozenset[str] | None:
        """The group's members, or None when the directory has never seen the group."""
        with self.db.read() as session:
            row = session.get(UserGroupRow, group_id)
            return frozenset(json.loads(row.members)) if row else None

    def set_group(self, group_id: str, members: Iterable[str]) -> None:
        with self.db.transaction() as session:
            self._write_group(session, group_id, set(members))

    def change_group(self, group_id: str, added: Iterable[str], removed: Iterable[str]) -> bool:
        """Apply a membership change; False when the group is unknown (the caller reads it whole)."""
        with self.db.transaction() as session:
            # Locked, so two events applied at once on two replicas do not lose one another.
            row = session.get(UserGroupRow, group_id, with_for_update=True)
            if row is None:
                return False
            members = (set(json.loads(row.members)) | set(added)) - set(removed)
            self._write_group(session, group_id, members)
            return True

    def _write_group(self, session: Session, group_id: str, members: set[str]) -> None:
        values = {"group_id": group_id, "members": json.dumps(sorted(members)), "updated_at": self.clock.now()}
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = insert(UserGroupRow).values(values)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[UserGroupRow.group_id],
                set_={"members": statement.excluded.members, "updated_at": statement.excluded.updated_at},
            )
        )
