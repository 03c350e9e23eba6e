"""App Home: what hiyoko is and a button to share a signal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.shortcuts import open_share_modal
from i18n import t

OPEN_SHARE_MODAL = "open_share_modal"  # action_id of the App Home button


def home_view(lang: str) -> dict[str, Any]:
    return {
        "type": "home",
        "blocks": [
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
        ],
    }


def register(app: App, deps: BotDeps) -> None:
    def app_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        client.views_publish(user_id=user, view=home_view(deps.language_for(user)))

    def share_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_share_modal(client, deps, body["trigger_id"], body["user"]["id"])

    app.event("app_home_opened")(app_home_opened)
    app.action(OPEN_SHARE_MODAL)(share_button)
