"""The card's "Open in HubSpot/Salesforce" button: a link Slack opens itself. Slack still tells the
app about the click, and an unanswered action shows the user an error, so it is acknowledged."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.blocks.card import OPEN_CRM_ID


def on_open_crm(ack: Ack) -> None:
    """Nothing to do: the browser opens the deal."""
    ack()


def register(app: App) -> None:
    app.action(OPEN_CRM_ID)(on_open_crm)
