"""Slack events that keep the user directory fresh between refreshes: a member's profile changed
or someone joined (user_change, team_join), and the managers' or a team's user group changed
(subteam_members_changed, subteam_updated). A member deactivated hands their open signals on
(store/rerouting.py). Events are acked before these run, so they may ask Slack when they must."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk.errors import SlackApiError

from bot.deps import BotDeps, deps_of
from bot.users import user_from_slack
from store.rerouting import Rerouting
from store.routing import route_request_of

log = logging.getLogger(__name__)


def user_changed(event: dict[str, Any], context: BoltContext) -> None:
    """user_change, team_join: the member as Slack now describes them."""
    directory = deps_of(context).users.directory
    user = event.get("user")
    if not (isinstance(user, dict) and user.get("id")):
        return
    found = user_from_slack(user)
    known = directory.get(found.id)
    if "locale" not in user and known is not None:  # events may leave the locale out: keep ours
        found = replace(found, locale=known.locale)
    directory.upsert([found])
    if found.deleted:
        reroute_departed(found.id, context)


def reroute_departed(user_id: str, context: BoltContext) -> None:
    """A deactivated member's open signals go to whoever the routing rules name now (the event is
    acked already; this is database work only — the relay tells Slack)."""
    deps = deps_of(context)
    moved = Rerouting(deps.store.db, deps.clock).departed(
        user_id, route_request_of(deps.settings), deps.today(), deps.managers()
    )
    if moved:
        log.info(
            "%s deactivated: %d open signal(s) rerouted, %d left for the managers",
            user_id,
            sum(1 for m in moved if m.new_owner),
            sum(1 for m in moved if not m.new_owner),
        )
        deps.on_change()


def _kept(deps: BotDeps) -> frozenset[str]:
    """The user groups the directory keeps: the managers' and the teams' (routing reads them)."""
    return deps.team_groups() | ({deps.managers_group} if deps.managers_group else set())


def members_changed(event: dict[str, Any], context: BoltContext) -> None:
    deps = deps_of(context)
    group = event.get("subteam_id") or ""
    if group not in _kept(deps):
        return  # only the managers' and the teams' groups decide anything here
    added, removed = event.get("added_users") or [], event.get("removed_users") or []
    if deps.users.directory.change_group(group, added, removed):
        return
    try:  # never read yet: read it whole rather than keep only the change
        deps.users.refresh_group(group)
    except SlackApiError as error:
        log.warning("could not read user group %s: %s", group, error.response.get("error"))


def group_updated(event: dict[str, Any], context: BoltContext) -> None:
    deps = deps_of(context)
    subteam = event.get("subteam") or {}
    if subteam.get("id") in _kept(deps) and isinstance(subteam.get("users"), list):
        deps.users.directory.set_group(subteam["id"], subteam["users"])


def register(app: App) -> None:
    app.event("user_change")(user_changed)
    app.event("team_join")(user_changed)
    app.event("subteam_members_changed")(members_changed)
    app.event("subteam_updated")(group_updated)
