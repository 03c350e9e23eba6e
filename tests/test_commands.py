"""/hiyoko: help, mine, list with filters and pages, show; always ephemeral and within limits."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from app import Hiyoko
from fakes.slack_api import FakeSlack
from fakes.slack_requests import block_action, bolt_request, modal_state, slash_command, view_submission
from store import ChangeRequest, Drop, Note
from tests.conftest import AE, CSM, OTHER_AE, dispatch, wait_for
from tests.directory import fill_directory, filled_directory  # noqa: F401 (an autouse fixture)


def command(hiyoko: Hiyoko, text: str, user: str = CSM) -> dict[str, Any]:
    response = hiyoko.bolt.dispatch(bolt_request(slash_command(user, text)))
    assert response.status == 200
    body: dict[str, Any] = json.loads(response.body)
    assert body["response_type"] == "ephemeral"
    assert len(body.get("blocks") or []) <= 50 and len(body["text"]) <= 40_000
    for block in body.get("blocks") or []:
        Block.parse(block).validate_json()  # type: ignore[union-attr]
    return body


def share(hiyoko: Hiyoko, count: int, owner: str = AE, start: int = 0, **fields: Any) -> None:
    for index in range(start, start + count):
        state = modal_state(customer=fields.pop("customer", None) or f"顧客{index:03d}", owner=owner, **fields)
        assert dispatch(hiyoko, view_submission(CSM, state, view_id=f"V{index}")).status == 200


def ids_in(body: dict[str, Any]) -> list[str]:
    return re.findall(r"S-\d{6}", json.dumps(body["blocks"]))


def test_help_lists_every_subcommand(hiyoko: Hiyoko) -> None:
    text = command(hiyoko, "help")["text"]
    for word in ("/hiyoko mine", "/hiyoko list", "/hiyoko show S-000123", "<#CSIGNALS>"):
        assert word in text
    assert command(hiyoko, "whatever")["text"] == text


def test_mine_shows_what_i_own_and_what_i_shared(hiyoko: Hiyoko) -> None:
    share(hiyoko, 2, owner=AE)
    share(hiyoko, 1, owner=OTHER_AE, start=2)
    assert ids_in(command(hiyoko, "mine", user=AE)) == ["S-000001", "S-000002"]
    assert ids_in(command(hiyoko, "mine", user=CSM)) == ["S-000001", "S-000002", "S-000003"]
    assert "該当する予兆はありません" in command(hiyoko, "mine", user="UNOBODY")["text"]


def test_list_filters_by_kind_and_customer(hiyoko: Hiyoko) -> None:
    share(hiyoko, 1, customer="株式会社サンプル")
    share(hiyoko, 1, start=1, customer="ＡＢＣ商事", kind="chick", timing="2027-02-01")
    share(hiyoko, 1, start=2, customer="サンプル食品", kind="chick", timing="2027-03-01")
    assert ids_in(command(hiyoko, "list")) == ["S-000001", "S-000002", "S-000003"]
    assert ids_in(command(hiyoko, "list chick")) == ["S-000002", "S-000003"]
    assert ids_in(command(hiyoko, "list egg")) == ["S-000001"]
    assert ids_in(command(hiyoko, "list ｻﾝﾌﾟﾙ")) == ["S-000001", "S-000003"]
    assert ids_in(command(hiyoko, "list chick abc")) == ["S-000002"]
    hiyoko.store.change(1, ChangeRequest(Drop("x"), AE), managers=frozenset(), today=hiyoko.clock.now().date())
    assert ids_in(command(hiyoko, "list egg")) == []  # open signals only


def test_list_pages_past_fifty_results(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    share(hiyoko, 53)
    first = command(hiyoko, "list")
    assert ids_in(first) == [f"S-{n:06d}" for n in range(1, 11)]
    assert "53件中 1–10件目" in first["text"]
    seen = ids_in(first)
    page = first
    for number in range(2, 7):
        [nav] = [b for b in page["blocks"] if b["type"] == "actions"]
        [next_button] = [e for e in nav["elements"] if e["action_id"] == "hiyoko_page_next"]
        click = block_action(CSM, "hiyoko_page_next", next_button["value"], response_url=fake_slack.response_url())
        assert dispatch(hiyoko, click).status == 200
        page = wait_for(lambda: len(fake_slack.responses) == number - 1 and fake_slack.responses[-1])  # noqa: B023
        assert page["replace_original"] is True and page["response_type"] == "ephemeral"
        seen += ids_in(page)
    assert seen == [f"S-{n:06d}" for n in range(1, 54)]
    assert "53件中 51–53件目" in page["text"]
    nav_ids = [e["action_id"] for b in page["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert nav_ids == ["hiyoko_page_prev"]


def test_show_gives_the_card_and_its_history(hiyoko: Hiyoko) -> None:
    share(hiyoko, 1, summary="<!channel> 全社で使いたい")
    hiyoko.store.change(1, ChangeRequest(Note("来週訪問"), AE), managers=frozenset(), today=hiyoko.clock.now().date())
    body = command(hiyoko, "show s-000001")
    rendered = json.dumps(body["blocks"], ensure_ascii=False)
    assert "顧客000" in rendered and "来週訪問" in rendered and "<@UAE>" in rendered
    assert "<!channel>" not in rendered
    assert "S-000009 という予兆は見つかりません" in command(hiyoko, "show S-000009")["text"]
    assert "S-000123" in command(hiyoko, "show")["text"]


@pytest.mark.parametrize("text", ["show <!channel>", "list <!here> =1+1", "show " + "9" * 5000])
def test_hostile_arguments_get_a_plain_answer(hiyoko: Hiyoko, text: str) -> None:
    body = command(hiyoko, text)
    assert "<!channel>" not in json.dumps(body) and "<!here>" not in json.dumps(body)
