"""Slack events that keep the user directory fresh between refreshes: a member's profile changed
or someone joined (user_change, team_join), and the managers' user group changed
(subteam_members_changed, subteam_updated). Events are acked before these run, so they may ask
Slack when they must."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk.errors import SlackApiError

from bot.deps import deps_of
from bot.users import user_from_slack

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


def members_changed(event: dict[str, Any], context: BoltContext) -> None:
    deps = deps_of(context)
    group = event.get("subteam_id") or ""
    if group != deps.managers_group:
        return  # only the managers' group decides anything here
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
    if subteam.get("id") == deps.managers_group and isinstance(subteam.get("users"), list):
        deps.users.directory.set_group(subteam["id"], subteam["users"])


def register(app: App) -> None:
    app.event("user_change")(user_changed)
    app.event("team_join")(user_changed)
    app.event("subteam_members_changed")(members_changed)
    app.event("subteam_updated")(group_updated)
