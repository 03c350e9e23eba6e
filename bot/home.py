"""App Home: a share button, the user's open signals (as owner, as submitter; eggs and chicks
apart, oldest first, with ages and actions) and, for managers, the team's numbers, its load (open
signals per owner) and who is away."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks.messages import away_line, load_line
from bot.blocks.rows import signal_row
from bot.deps import BotDeps, deps_of
from bot.shortcuts import open_share_modal
from i18n import t
from models.metrics import LOAD_TOP
from models.signal import Kind, SignalRecord, Status
from store.rerouting import open_by_owner

OPEN_SHARE_MODAL = "open_share_modal"  # action_id of the App Home button
PER_LIST = 10  # rows per list; Slack allows 100 blocks in a Home view


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def _list(title: str, signals: list[SignalRecord], deps: BotDeps, lang: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}}]
    for kind, key in ((Kind.EGG, "home.eggs"), (Kind.CHICK, "home.chicks")):
        of_kind = [s for s in signals if s.kind is kind]
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": t(key, lang, count=len(of_kind))}]})
        if not of_kind:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": t("home.none", lang)}})
        for signal in of_kind[:PER_LIST]:
            blocks.extend(signal_row(signal, lang, deps.today(), deps.settings.timezone))
        if len(of_kind) > PER_LIST:
            blocks.append(
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": t("home.more", lang, count=len(of_kind) - PER_LIST)}],
                }
            )
    return blocks


def home_view(user_id: str, deps: BotDeps) -> dict[str, Any]:
    lang = deps.language_for(user_id)
    owned, shared = deps.store.open_for(user_id)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": t("home.title", lang), "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": t("home.intro", lang)}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": OPEN_SHARE_MODAL,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": t("home.share", lang), "emoji": True},
                }
            ],
        },
        {"type": "divider"},
        *_list(t("home.owned", lang), owned, deps, lang),
        {"type": "divider"},
        *_list(t("home.shared", lang), shared, deps, lang),
    ]
    if user_id in deps.managers():
        counts = deps.store.counts()
        by_status = {status: sum(n for (_, s), n in counts.items() if s == status.value) for status in Status}
        eggs_submitted, hatched = deps.store.hatch_stats()
        closed = by_status[Status.WON] + by_status[Status.LOST]
        blocks += [
            {"type": "divider"},
            {"type": "header", "text": {"type": "plain_text", "text": t("home.team", lang), "emoji": True}},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": t(
                        "home.team_counts",
                        lang,
                        eggs=counts.get((Kind.EGG.value, Status.OPEN.value), 0),
                        chicks=counts.get((Kind.CHICK.value, Status.OPEN.value), 0),
                        won=by_status[Status.WON],
                        lost=by_status[Status.LOST],
                        dropped=by_status[Status.DROPPED],
                        hatch_rate=_percent(hatched, eggs_submitted),
                        win_rate=_percent(by_status[Status.WON], closed),
                    ),
                },
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": t("home.load", lang, people=load_line(open_by_owner(deps.store.db, LOAD_TOP), lang))
                    + "\n"
                    + t(
                        "home.away",
                        lang,
                        people=away_line([(u, until) for u, _, until in deps.absences.current(deps.today())], lang),
                    ),
                },
            },
        ]
    return {"type": "home", "blocks": blocks}


class HomePublisher:
    """Publishes a user's App Home (the relay calls it after changes that concern the user)."""

    def __init__(self, client: WebClient, deps: BotDeps) -> None:
        self.client = client
        self.deps = deps

    def __call__(self, user_id: str) -> None:
        self.client.views_publish(user_id=user_id, view=home_view(user_id, self.deps))


def app_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    HomePublisher(client, deps_of(context))(event["user"])


def share_button(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    open_share_modal(client, deps_of(context), body["trigger_id"], body["user"]["id"])


def register(app: App) -> None:
    app.event("app_home_opened")(app_home_opened)
    app.action(OPEN_SHARE_MODAL)(share_button)
