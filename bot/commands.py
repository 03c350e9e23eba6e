"""The /hiyoko slash command: with no argument it opens the share modal; `help` explains."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.shortcuts import open_share_modal
from i18n import t


def register(app: App, deps: BotDeps) -> None:
    def hiyoko(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        words = (command.get("text") or "").split()
        if not words:
            ack()
            open_share_modal(client, deps, command["trigger_id"], command["user_id"])
            return
        lang = deps.language_for(command["user_id"])
        # Answered in the ack itself: an ephemeral reply only the caller sees.
        ack(response_type="ephemeral", text=t("command.help", lang, channel=deps.settings.signals_channel_id or ""))

    app.command("/hiyoko")(hiyoko)
