"""Slack: listeners (one module per surface, each with register), blocks and delivery.

Every listener is a module-level function that Bolt calls with what it asks for by name (`ack`,
`body`, `client`, `context`, …); the one global middleware below puts the BotDeps into each
request's `context`, where `bot.deps.deps_of(context)` reads it back.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltContext

from bot import actions, commands, crm_link, events, hearing, home, proposals, shortcuts, suggestions, views, workflow
from bot.deps import DEPS_KEY, BotDeps


def register(app: App, deps: BotDeps) -> None:
    """Hand `deps` to every listener through the context, and attach every listener."""

    def provide_deps(context: BoltContext, next_: Callable[[], None]) -> None:
        context[DEPS_KEY] = deps
        next_()

    app.use(provide_deps)
    shortcuts.register(app)
    views.register(app)
    commands.register(app)
    home.register(app)
    actions.register(app)
    proposals.register(app)
    workflow.register(app)
    events.register(app)
    hearing.register(app)
    suggestions.register(app)
    crm_link.register(app)
