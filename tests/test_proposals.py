"""A person's edit of hiyoko's own columns (Status, Owner, Timing) becomes a proposal: hiyoko puts
its value back at the next sync and asks in the thread; Confirm / Discard through signed clicks."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from app import Hiyoko
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import action_submission, block_action, input_values, modal_state, view_submission
from store.proposals import ProposalStore, propose
from store.tables import ProposalRow
from tests.conftest import AE, CHANNEL, CSM, OTHER_AE, SPREADSHEET, dispatch, wait_for
from tests.directory import fill_directory, filled_directory  # noqa: F401 (an autouse fixture)

STRANGER = "USTRANGER"
STATUS, TIMING = 2, 6  # the Signals tab's columns C and G


def shared(hiyoko: Hiyoko, fake_slack: FakeSlack, **fields: Any) -> dict[str, Any]:
    body = dispatch(hiyoko, view_submission(CSM, modal_state(**fields), view_id="V1"))
    assert body.status == 200 and not body.body
    hiyoko.relay.drain()
    return fake_slack.messages(CHANNEL)[-1]


def proposed(hiyoko: Hiyoko, field: str, text: str, number: int = 1) -> bool:
    with hiyoko.db.transaction() as session:
        return propose(session, number=number, source="sheet", field=field, text=text, now=hiyoko.clock.now())


def question(fake_slack: FakeSlack, card: dict[str, Any]) -> dict[str, Any]:
    return fake_slack.replies(CHANNEL, card["ts"])[-1]


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e["value"])
        for b in message.get("blocks") or []
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def click(hiyoko: Hiyoko, user: str, action_id: str, message: dict[str, Any]) -> None:
    [value] = [v for a, v in buttons(message) if a == action_id]
    assert dispatch(hiyoko, block_action(user, action_id, value, message_ts=message["ts"])).status == 200


def proposal_states(hiyoko: Hiyoko) -> list[tuple[str, str, str]]:
    with hiyoko.db.read() as session:
        return [(p.field, p.value, p.state) for p in session.query(ProposalRow).order_by(ProposalRow.id)]


def told(fake_slack: FakeSlack, user: str, count: int) -> str:
    wait_for(lambda: len([e for e in fake_slack.ephemerals if e["user"] == user]) >= count)
    return str([e for e in fake_slack.ephemerals if e["user"] == user][count - 1]["text"])


def test_a_status_typed_in_the_sheet_is_put_back_and_asked(
    hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    card = shared(hiyoko, fake_slack)
    fake_sheets.set_values(SPREADSHEET, "Signals", [["受注"]], start="C2")
    assert proposed(hiyoko, "status", "受注")
    hiyoko.relay.drain()
    assert fake_sheets.values(SPREADSHEET, "Signals")[1][STATUS] == "進行中"  # hiyoko's own value back
    asked = question(fake_slack, card)
    assert asked["text"] == "シートで「受注」に変更されました — 確定しますか?"
    assert buttons(asked) == [("proposal_confirm", "1"), ("proposal_discard", "1")]
    assert len(fake_slack.replies(CHANNEL, card["ts"])) == 2  # the owner's notice, the question
    assert [e.action for e in hiyoko.store.events(1)] == ["submitted", "sheet_proposal"]
    assert fake_sheets.values(SPREADSHEET, "History")[-1][3] == "シートでの変更の提案"
    assert hiyoko.store.get(1).status.value == "open"  # type: ignore[union-attr]


def test_the_owner_confirms_won_the_signal_is_won_and_the_question_says_who(
    hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    card = shared(hiyoko, fake_slack)
    assert proposed(hiyoko, "status", "ＷＯＮ")  # either language, any width or case
    hiyoko.relay.drain()
    asked = question(fake_slack, card)
    click(hiyoko, AE, "proposal_confirm", asked)
    wait_for(lambda: hiyoko.store.get(1).status.value == "won")  # type: ignore[union-attr]
    assert [e.action for e in hiyoko.store.events(1)][-1] == "win"
    assert proposal_states(hiyoko) == [("status", "won", "confirmed")]
    hiyoko.relay.drain()
    redrawn = fake_slack.messages(CHANNEL)[0]
    assert redrawn["edited"] and "signal_reopen" in json.dumps(redrawn["blocks"])
    decided = wait_for(
        lambda: [r for r in fake_slack.replies(CHANNEL, card["ts"]) if r["ts"] == asked["ts"] and r.get("edited")]
    )
    assert "<@UAE> さんが確定しました" in decided[0]["text"] and buttons(decided[0]) == []
    assert fake_sheets.values(SPREADSHEET, "Signals")[1][STATUS] == "受注"
    # A second click on the decided proposal is answered privately, and changes nothing.
    click(hiyoko, CSM, "proposal_confirm", asked)
    assert told(fake_slack, CSM, 1) == "この提案は <@UAE> さんがすでに確定しています。"
    assert [e.action for e in hiyoko.store.events(1)].count("win") == 1


def test_lost_confirmed_asks_the_reason_in_the_usual_modal(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    card = shared(hiyoko, fake_slack)
    assert proposed(hiyoko, "status", "失注")
    hiyoko.relay.drain()
    asked = question(fake_slack, card)
    click(hiyoko, CSM, "proposal_confirm", asked)
    views = wait_for(lambda: fake_slack.calls_to("views.open"))
    view = views[-1]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert "reason" in json.dumps(view["blocks"])
    assert proposal_states(hiyoko) == [("status", "lost", "pending")]  # nothing decided before the reason
    response = dispatch(hiyoko, action_submission(CSM, view, input_values(reason=" ")))
    assert json.loads(response.body)["errors"] == {"reason": "理由を入れてください。"}
    response = dispatch(hiyoko, action_submission(CSM, view, input_values(reason="予算が凍結")))
    assert response.status == 200 and not response.body
    signal = hiyoko.store.get(1)
    assert signal and signal.status.value == "lost" and signal.close_reason == "予算が凍結"
    wait_for(lambda: proposal_states(hiyoko) == [("status", "lost", "confirmed")])


def test_dropped_in_either_language_opens_the_drop_modal(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    card = shared(hiyoko, fake_slack)
    assert proposed(hiyoko, "status", "見送り")
    hiyoko.relay.drain()
    click(hiyoko, AE, "proposal_confirm", question(fake_slack, card))
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[-1]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert json.loads(view["private_metadata"])["action"] == "drop"


def test_a_stranger_is_refused_and_nothing_changes(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    fake_slack.add_user(STRANGER, "stranger", display_name="通りすがり")
    fill_directory(hiyoko)
    card = shared(hiyoko, fake_slack)
    assert proposed(hiyoko, "status", "Won")
    hiyoko.relay.drain()
    asked = question(fake_slack, card)
    click(hiyoko, STRANGER, "proposal_confirm", asked)
    refusal = told(fake_slack, STRANGER, 1)
    assert "@田中" in refusal and "@佐藤" in refusal
    click(hiyoko, STRANGER, "proposal_discard", asked)
    told(fake_slack, STRANGER, 2)
    assert hiyoko.store.get(1).status.value == "open"  # type: ignore[union-attr]
    assert proposal_states(hiyoko) == [("status", "won", "pending")]
    assert buttons(question(fake_slack, card))


def test_discard_keeps_the_signal_and_says_who(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    card = shared(hiyoko, fake_slack)
    assert proposed(hiyoko, "status", "won")
    hiyoko.relay.drain()
    asked = question(fake_slack, card)
    click(hiyoko, CSM, "proposal_discard", asked)
    wait_for(lambda: proposal_states(hiyoko) == [("status", "won", "discarded")])
    assert hiyoko.store.get(1).status.value == "open"  # type: ignore[union-attr]
    decided = wait_for(lambda: [r for r in fake_slack.replies(CHANNEL, card["ts"]) if r.get("edited")])
    assert "<@UCSM> さんが取り消しました" in decided[0]["text"]
    click(hiyoko, AE, "proposal_confirm", asked)
    assert told(fake_slack, AE, 1) == "この提案は <@UCSM> さんがすでに取り消しています。"


def test_an_owner_by_name_email_or_id_is_proposed_and_confirm_reassigns(
    hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    fake_slack.add_user("UMAIL", "yamada", display_name="山田", email="Yamada@example.com")
    fill_directory(hiyoko)
    card = shared(hiyoko, fake_slack)
    assert proposed(hiyoko, "owner", "jo smith")
    assert proposed(hiyoko, "owner", "yamada@example.com")  # supersedes the pending one
    assert proposed(hiyoko, "owner", "UAE2")
    assert proposal_states(hiyoko) == [
        ("owner", OTHER_AE, "discarded"),
        ("owner", "UMAIL", "discarded"),
        ("owner", OTHER_AE, "pending"),
    ]
    hiyoko.relay.drain()
    asked = question(fake_slack, card)
    assert asked["text"] == "シートで担当が「<@UAE2>」に変更されました — 確定しますか?"
    assert fake_sheets.values(SPREADSHEET, "Signals")[1][12] == AE
    click(hiyoko, AE, "proposal_confirm", asked)
    wait_for(lambda: hiyoko.store.get(1).owner_id == OTHER_AE)  # type: ignore[union-attr]
    assert hiyoko.store.get(1).owner_name == "Jo Smith"  # type: ignore[union-attr]
    hiyoko.relay.drain()
    assert fake_sheets.values(SPREADSHEET, "Signals")[1][12] == OTHER_AE


def test_a_timing_on_a_chick_edits_it_and_on_an_egg_hatches_it(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    card = shared(hiyoko, fake_slack, kind="chick", timing="2027-01-15")
    assert not proposed(hiyoko, "timing", "2027-01-15")  # what hiyoko wrote
    assert proposed(hiyoko, "timing", "2027年5月")
    hiyoko.relay.drain()
    asked = question(fake_slack, card)
    assert asked["text"] == "シートで想定時期が「2027-05-01」に変更されました — 確定しますか?"
    click(hiyoko, CSM, "proposal_confirm", asked)
    wait_for(lambda: hiyoko.store.get(1).timing == date(2027, 5, 1))  # type: ignore[union-attr]
    assert [e.action for e in hiyoko.store.events(1)][-1] == "edit"

    egg = dispatch(hiyoko, view_submission(CSM, modal_state(customer="別の会社"), view_id="V2"))
    assert egg.status == 200
    hiyoko.relay.drain()
    egg_card = fake_slack.messages(CHANNEL)[-1]
    assert proposed(hiyoko, "timing", "2027-04-01", number=2)
    hiyoko.relay.drain()
    click(hiyoko, AE, "proposal_confirm", question(fake_slack, egg_card))
    wait_for(lambda: hiyoko.store.get(2).kind.value == "chick")  # type: ignore[union-attr]
    assert hiyoko.store.get(2).timing == date(2027, 4, 1)  # type: ignore[union-attr]


def test_unreadable_or_current_values_and_repeats_propose_nothing(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    card = shared(hiyoko, fake_slack)
    assert not proposed(hiyoko, "status", "たぶん来月")
    assert not proposed(hiyoko, "status", "進行中")  # the current state
    assert not proposed(hiyoko, "status", "")
    assert not proposed(hiyoko, "owner", "誰か知らない人")
    assert not proposed(hiyoko, "owner", "田中")  # the owner already
    assert not proposed(hiyoko, "timing", "そのうち何とか")
    assert not proposed(hiyoko, "colour", "red")
    assert not proposed(hiyoko, "status", "Won", number=99)
    assert proposed(hiyoko, "status", "Won")
    assert not proposed(hiyoko, "status", "受注")  # the same edit seen again
    hiyoko.relay.drain()
    assert proposal_states(hiyoko) == [("status", "won", "pending")]
    assert [r for r in fake_slack.replies(CHANNEL, card["ts"]) if buttons(r)] == [question(fake_slack, card)]
    assert ProposalStore(hiyoko.db, hiyoko.clock).pending(1)[0].value == "won"


def test_two_decisions_at_once_make_one(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    """The store decides once under the signal's lock: the later click is told who came first."""
    shared(hiyoko, fake_slack)
    assert proposed(hiyoko, "status", "Won")
    proposals = ProposalStore(hiyoko.db, hiyoko.clock)
    assert proposals.decide(1, "USTRANGER", True, frozenset()).outcome == "denied"
    assert proposals.decide(1, "UBOSS", False, frozenset({"UBOSS"})).outcome == "decided"  # a manager
    later = proposals.decide(1, AE, True, frozenset())
    assert later.outcome == "already" and later.proposal and later.proposal.decided_by == "UBOSS"
    assert proposal_states(hiyoko) == [("status", "won", "discarded")]


def test_a_status_changed_in_the_slack_list_is_asked_and_the_item_put_back(
    hiyoko: Hiyoko, fake_slack: FakeSlack
) -> None:
    card = shared(hiyoko, fake_slack)
    with hiyoko.db.transaction() as session:
        assert propose(session, number=1, source="list", field="status", text="Won", now=hiyoko.clock.now())
    assert {row.target for row in hiyoko.outbox.rows() if row.state == "pending"} >= {"sync_sheet", "sync_list"}
    hiyoko.relay.drain()
    assert question(fake_slack, card)["text"] == "Slackリストで「受注」に変更されました — 確定しますか?"
