"""Routing in the store: who owns a signal nobody chose an owner for, decided inside the caller's
transaction from what the database knows (accounts, absences, deactivated users, open signals,
team turns) by models.routing.pick, and the chosen team member's turn recorded in the same
transaction.

Replicas agree: on PostgreSQL each role's routing takes a transaction-scoped advisory lock before
it reads counts and turns, so two processes routing at once see each other's choice; SQLite
writers are already serialised (BEGIN IMMEDIATE)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from models.permissions import parse_managers
from models.routing import Member, Reason, Role, parse_routing, pick
from models.signal import Category, Status
from settings import Settings
from store.absences import away_on
from store.accounts import account_for
from store.tables import SignalRow, TeamTurnRow, UserGroupRow, UserRow


@dataclass(frozen=True)
class RouteRequest:
    """What the share needs to route an empty owner: the rules, the teams and the day."""

    routing: Mapping[Category, Role]
    teams: Mapping[Role, frozenset[str]] = field(default_factory=dict)
    today: date | None = None  # None: the day of `now` (UTC) is used


class NobodyToRoute(Exception):
    """No account person and no available team member for this signal: someone must pick."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.role.value if reason.role else "")
        self.reason = reason


def teams_of(settings: Settings) -> dict[Role, frozenset[str]]:
    """HIYOKO_TEAM_CSALES / HIYOKO_TEAM_AE as given: user ids and at most one group id (S…)."""
    teams: dict[Role, frozenset[str]] = {}
    for role, setting in ((Role.CSALES, settings.hiyoko_team_csales), (Role.AE, settings.hiyoko_team_ae)):
        ids, group = parse_managers(setting)
        teams[role] = ids | ({group} if group else set())
    return teams


def route_request_of(settings: Settings, today: date | None = None) -> RouteRequest:
    """The routing inputs the settings describe (HIYOKO_ROUTING and the teams)."""
    return RouteRequest(parse_routing(settings.hiyoko_routing), teams_of(settings), today)


def lock_key(role: Role) -> int:
    """A stable signed 64-bit key for pg_advisory_xact_lock, the same in every process."""
    digest = hashlib.blake2b(f"route:{role.value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _members(session: Session, ids: frozenset[str]) -> set[str]:
    """The team's user ids; a group id (S…) stands for its members as the directory knows them."""
    members = {i for i in ids if not i.startswith("S")}
    groups = [i for i in ids if i.startswith("S")]
    if groups:
        for row in session.scalars(select(UserGroupRow).where(UserGroupRow.group_id.in_(groups))):
            members.update(json.loads(row.members or "[]"))
    return members


def _deactivated(session: Session, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    rows = session.scalars(select(UserRow.user_id).where(UserRow.user_id.in_(ids), UserRow.deleted.is_(True)))
    return set(rows)


def route(
    session: Session,
    *,
    category: Category,
    customer: str,
    routing: Mapping[Category, Role],
    teams: Mapping[Role, frozenset[str]],
    today: date,
    now: datetime,
    exclude: frozenset[str] = frozenset(),
) -> tuple[str | None, Reason]:
    """The owner of a new (or re-routed) signal and why, inside the caller's transaction.

    The account's person in the category's role, unless away, deactivated or excluded; else the
    role's team member with the fewest open signals, ties to whoever was handed one longest ago,
    whose turn is recorded now. (None, Reason("nobody")) when nobody is available."""
    role = routing[category]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(role)})
    account = account_for(session, customer) if customer else None
    members = _members(session, teams.get(role, frozenset()))
    person = account.person(role) if account else None
    people = members | ({person} if person else set())
    unavailable = frozenset(away_on(session, today)) | _deactivated(session, people) | exclude
    if person and person not in unavailable:
        return pick(category, account, routing, [], unavailable)
    candidates = sorted(members - unavailable)
    counts: dict[str, int] = {}
    turns: dict[str, datetime | None] = {}
    if candidates:
        counts = dict(
            session.execute(
                select(SignalRow.owner_id, func.count())
                .where(SignalRow.status == Status.OPEN.value, SignalRow.owner_id.in_(candidates))
                .group_by(SignalRow.owner_id)
            ).all()
        )
        turns = dict(
            session.execute(
                select(TeamTurnRow.user_id, TeamTurnRow.last_assigned_at).where(
                    TeamTurnRow.role == role.value, TeamTurnRow.user_id.in_(candidates)
                )
            ).all()
        )
    team = [Member(m, counts.get(m, 0), turns.get(m)) for m in candidates]
    owner, reason = pick(category, account, routing, team, unavailable)
    if owner is not None and reason.why == "team":
        turn = session.get(TeamTurnRow, (role.value, owner))
        if turn is None:
            session.add(TeamTurnRow(role=role.value, user_id=owner, last_assigned_at=now))
        else:
            turn.last_assigned_at = now
        session.flush()
    return owner, reason


def owner_name(session: Session, user_id: str) -> str:
    """The routed owner's name as the directory knows it, else the id (filled in later)."""
    name = session.scalar(select(UserRow.name).where(UserRow.user_id == user_id))
    return name or user_id
