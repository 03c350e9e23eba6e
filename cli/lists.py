"""`hiyoko lists create`: make the Slack List that mirrors the signals, with hiyoko's columns.

Lists need a paid plan and the `lists:write` scope; either missing is said in one line.
"""

from __future__ import annotations

import argparse

from slack_sdk.errors import SlackApiError

from bot.slack_client import slack_client
from i18n import t
from ops.startup import CommandError, load_settings
from sheets.slack_list import schema

# What Slack answers a workspace that has no Lists (free plan), by the docs' common errors and
# slackLists.access.* ("Lists is disabled on user's team").
_NO_LISTS = frozenset({"paid_only", "paid_teams_only", "team_not_allowed", "lists_disabled_user_team"})


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lists = commands.add_parser("lists", help="the Slack List that mirrors the signals")
    sub = lists.add_subparsers(dest="lists_command", required=True)
    create = sub.add_parser("create", help="make a Slack List with hiyoko's columns and print its id")
    create.add_argument("--name", help="the list's name (default: hiyoko signals, in HIYOKO_LANGUAGE)")
    create.set_defaults(func=cmd_create)


def cmd_create(args: argparse.Namespace) -> int:
    settings = load_settings()
    lang = settings.hiyoko_language
    client = slack_client(settings)
    try:
        answer = client.api_call(
            "slackLists.create", json={"name": args.name or t("lists.name", lang), "schema": schema(lang)}
        )
    except SlackApiError as error:
        code = str(error.response.get("error") or error.response.status_code)
        if code == "missing_scope":
            raise CommandError(
                t("lists.error.missing_scope", lang, needed=error.response.get("needed") or "lists:write")
            ) from None
        if code in _NO_LISTS:
            raise CommandError(t("lists.error.paid_only", lang, error=code)) from None
        raise CommandError(t("lists.error.other", lang, error=code)) from None
    print(t("lists.created", lang, list_id=answer["list_id"]))
    return 0
