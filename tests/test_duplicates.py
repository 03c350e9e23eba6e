"""The duplicate warning: same customer (written differently) and category, still open."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.views import View

from app import Hiyoko
from fakes.slack_api import FakeSlack
from fakes.slack_requests import modal_state, view_submission
from tests.conftest import CHANNEL, CSM, OTHER_AE, dispatch


def submit(
    hiyoko: Hiyoko, view_id: str, user: str = CSM, duplicate: str | None = None, **fields: Any
) -> dict[str, Any]:
    values = modal_state(**fields)
    if duplicate is not None:
        values["duplicate"] = {"duplicate": {"type": "radio_buttons", "selected_option": {"value": duplicate}}}
    response = dispatch(hiyoko, view_submission(user, values, view_id=view_id))
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


@pytest.fixture
def first(hiyoko: Hiyoko) -> None:
    assert submit(hiyoko, "V1", customer="株式会社サンプル", category="seats") == {}
    hiyoko.relay.drain()


@pytest.mark.parametrize("spelling", ["ｻﾝﾌﾟﾙ", "サンプル 株式会社", "（株）サンプル", "㈱サンプル", "  サンプル　"])
def test_the_same_customer_written_differently_is_warned(hiyoko: Hiyoko, first: None, spelling: str) -> None:
    body = submit(hiyoko, "V2", customer=spelling, category="seats", summary="また席が足りないそう")
    assert body["response_action"] == "update"
    view = body["view"]
    View(**view).validate_json()
    warning = json.dumps(view["blocks"][0], ensure_ascii=False)
    assert "S-000001" in warning and "https://hiyoko-test.slack.com/archives/CSIGNALS/p" in warning
    [choice] = [b for b in view["blocks"] if b.get("block_id") == "duplicate"]
    assert [o["value"] for o in choice["element"]["options"]] == ["new", "note:S-000001"]
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["customer"]["initial_value"] == spelling.strip()  # what they typed is kept
    assert inputs["summary"]["initial_value"] == "また席が足りないそう"
    assert inputs["owner"]["initial_user"] == "UAE"
    assert len(hiyoko.store.all()) == 1


def test_share_anyway_makes_a_new_signal(hiyoko: Hiyoko, first: None) -> None:
    assert submit(hiyoko, "V2", customer="サンプル", duplicate="new") == {}
    assert [s.id for s in hiyoko.store.all()] == ["S-000001", "S-000002"]


def test_adding_as_a_note_goes_to_the_existing_signals_thread(
    hiyoko: Hiyoko, fake_slack: FakeSlack, first: None
) -> None:
    body = submit(
        hiyoko,
        "V2",
        user=OTHER_AE,
        customer="サンプル",
        summary="別部署も興味あり",
        size="20席",
        duplicate="note:S-000001",
    )
    assert body["response_action"] == "update" and "S-000001" in json.dumps(body["view"], ensure_ascii=False)
    assert len(hiyoko.store.all()) == 1
    [note] = [e for e in hiyoko.store.events(1) if e.action == "note"]
    assert note.actor_id == OTHER_AE and note.note == "別部署も興味あり\n20席"
    hiyoko.relay.drain()
    card = fake_slack.messages(CHANNEL)[0]
    assert "別部署も興味あり" in fake_slack.replies(CHANNEL, card["ts"])[-1]["text"]


@pytest.mark.parametrize(
    ("customer", "category"), [("サンプル", "plan"), ("サンプル食品", "seats"), ("Sample", "seats")]
)
def test_other_customers_or_categories_are_not_warned(
    hiyoko: Hiyoko, first: None, customer: str, category: str
) -> None:
    assert submit(hiyoko, "V2", customer=customer, category=category) == {}


def test_closed_signals_are_not_duplicates(hiyoko: Hiyoko, first: None) -> None:
    from store import ChangeRequest, Win

    hiyoko.store.change(1, ChangeRequest(Win(), "UAE"), managers=frozenset(), today=hiyoko.clock.now().date())
    assert submit(hiyoko, "V2", customer="サンプル") == {}
