"""A listener is a plain module-level function: imported and called alone, with what Bolt would
hand it by name (ack, body, view, context), no Bolt app and no HTTP request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.deps import DEPS_KEY, BotDeps, deps_of
from bot.users import UserDirectory
from bot.views import submit
from fakes.slack_api import FakeSlack
from fakes.slack_requests import modal_state, view_submission
from models.clock import FixedClock
from models.signal import Kind
from store import Database, SignalStore, upgrade_database
from store.directory import Directory
from tests.conftest import AE, CSM, make_settings


class Recorder:
    """Stands in for Bolt's ack (or any callable a listener is handed): remembers each call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@pytest.fixture
def woken() -> Recorder:
    """BotDeps.on_change: wakes the relay after a commit."""
    return Recorder()


@pytest.fixture
def deps(tmp_path: Path, fake_slack: FakeSlack, clock: FixedClock, woken: Recorder) -> Iterator[BotDeps]:
    settings = make_settings(tmp_path, fake_slack, None)
    db = Database(settings.database_url)
    upgrade_database(db.engine)
    client = WebClient(token=settings.slack_bot_token, base_url=fake_slack.url)
    yield BotDeps(settings, clock, SignalStore(db, clock), UserDirectory(client, Directory(db, clock)), on_change=woken)
    db.dispose()


def context_with(deps: BotDeps) -> BoltContext:
    context = BoltContext()
    context[DEPS_KEY] = deps
    return context


def test_the_share_modal_submit_stores_the_signal_when_called_alone(deps: BotDeps, woken: Recorder) -> None:
    payload = view_submission(CSM, modal_state())
    ack = Recorder()
    submit(ack=cast(Ack, ack), body=payload, view=payload["view"], context=context_with(deps))
    assert ack.calls == [{}]  # a plain ack: the modal closes
    [signal] = deps.store.all()
    assert (signal.customer, signal.kind, signal.submitter_id, signal.owner_id) == (
        "株式会社サンプル",
        Kind.EGG,
        CSM,
        AE,
    )
    assert woken.calls == [{}]  # the relay was woken once


def test_the_share_modal_submit_answers_errors_in_its_ack_when_called_alone(deps: BotDeps, woken: Recorder) -> None:
    payload = view_submission(CSM, modal_state(customer=""))
    ack = Recorder()
    submit(ack=cast(Ack, ack), body=payload, view=payload["view"], context=context_with(deps))
    [answer] = ack.calls
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {"customer"}
    assert deps.store.all() == [] and woken.calls == []


def test_a_context_without_deps_is_named() -> None:
    with pytest.raises(LookupError, match=r"bot\.register"):
        deps_of(BoltContext())
