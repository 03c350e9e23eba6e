"""Slack: listeners (one module per surface, each with register), blocks and delivery."""

from __future__ import annotations

from slack_bolt import App

from bot import actions, commands, events, home, shortcuts, views, workflow
from bot.deps import BotDeps


def register(app: App, deps: BotDeps) -> None:
    """Attach every listener to the Bolt app."""
    shortcuts.register(app, deps)
    views.register(app, deps)
    commands.register(app, deps)
    home.register(app, deps)
    actions.register(app, deps)
    workflow.register(app, deps)
    events.register(app, deps)
