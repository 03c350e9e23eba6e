"""The signal's life in Slack: every action through signed requests, checked in the card, the
thread, the database, the sheet row and the History tab."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from app import Hiyoko
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import (
    action_submission,
    block_action,
    input_values,
    modal_state,
    view_submission,
)
from models.clock import FixedClock
from tests.conftest import AE, CHANNEL, CSM, OTHER_AE, SPREADSHEET, build, dispatch, make_settings, wait_for
from tests.directory import fill_directory, filled_directory  # noqa: F401 (an autouse fixture)

STRANGER = "USTRANGER"


def shared(hiyoko: Hiyoko, fake_slack: FakeSlack, **fields: Any) -> dict[str, Any]:
    """Share one signal and deliver it; returns its card as the fake Slack holds it."""
    fake_slack.add_user(STRANGER, "stranger", display_name="通りすがり")
    body = dispatch(hiyoko, view_submission(CSM, modal_state(**fields), view_id=f"V{len(hiyoko.store.all())}"))
    assert body.status == 200 and not body.body
    hiyoko.relay.drain()
    return fake_slack.messages(CHANNEL)[-1]


def click(hiyoko: Hiyoko, user: str, action_id: str, value: str = "S-000001", **kwargs: Any) -> None:
    assert dispatch(hiyoko, block_action(user, action_id, value, **kwargs)).status == 200


def events(hiyoko: Hiyoko, number: int = 1) -> list[str]:
    return [e.action for e in hiyoko.store.events(number)]


def opened(fake_slack: FakeSlack, count: int) -> dict[str, Any]:
    views = wait_for(lambda: len(fake_slack.calls_to("views.open")) >= count and fake_slack.calls_to("views.open"))
    view = views[count - 1]["view"]
    return json.loads(view) if isinstance(view, str) else view


def submit_modal(hiyoko: Hiyoko, user: str, view: dict[str, Any], **fields: Any) -> dict[str, Any]:
    response = dispatch(hiyoko, action_submission(user, view, input_values(**fields)))
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


def card_now(fake_slack: FakeSlack) -> dict[str, Any]:
    return fake_slack.messages(CHANNEL)[0]


def buttons(card: dict[str, Any]) -> list[str]:
    [block] = [b for b in card["blocks"] if b["type"] == "actions"]
    return [e["action_id"] for e in block["elements"]]


def thread_texts(fake_slack: FakeSlack, card: dict[str, Any]) -> list[str]:
    return [r["text"] for r in fake_slack.replies(CHANNEL, card["ts"])]


def test_an_egg_card_offers_hatch_first(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    card = shared(hiyoko, fake_slack)
    assert buttons(card) == ["signal_hatch", "signal_won", "signal_lost", "signal_drop", "signal_more"]
    [actions] = [b for b in card["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["value"] == "S-000001" and actions["elements"][0]["style"] == "primary"


def test_hatch_asks_the_timing_then_updates_everything(
    hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock
) -> None:
    card = shared(hiyoko, fake_slack)
    click(hiyoko, AE, "signal_hatch")
    view = opened(fake_slack, 1)
    assert view["callback_id"] == "signal_action_submit"
    assert submit_modal(hiyoko, AE, view, timing="2026-11-01")["errors"] == {
        "timing": "過去の日付は指定できません(今日は2026-11-23)。"
    }
    assert submit_modal(hiyoko, AE, view, timing=None)["errors"] == {"timing": "時期を入れてください。"}
    clock.advance(hours=1)
    assert submit_modal(hiyoko, AE, view, timing="2027-04-01", note="予算が通ったとのこと") == {}

    signal = hiyoko.store.get(1)
    assert signal and signal.kind.value == "chick" and signal.timing and signal.timing.isoformat() == "2027-04-01"
    assert events(hiyoko) == ["submitted", "hatch"]
    hiyoko.relay.drain()
    updated = card_now(fake_slack)
    assert updated["edited"] and updated["ts"] == card["ts"] and len(fake_slack.messages(CHANNEL)) == 1
    rendered = json.dumps(updated["blocks"], ensure_ascii=False)
    assert "🐣 株式会社サンプル" in rendered and "2027-04-01" in rendered and "<@UAE>" in rendered
    assert buttons(updated) == ["signal_won", "signal_lost", "signal_drop", "signal_more"]
    line = thread_texts(fake_slack, card)[-1]
    assert line.startswith("🐣 <@UAE> さんが孵化させました — 時期 2027-04-01") and "予算が通ったとのこと" in line
    rows = fake_sheets.values(SPREADSHEET, "Signals")
    assert len(rows) == 2 and rows[1][1] == "🐣 ひよこ" and rows[1][6] == "2027-04-01"
    history = fake_sheets.values(SPREADSHEET, "History")
    assert [r[0] for r in history] == ["イベントID", "E-000001", "E-000002"]
    assert history[2][1] == "S-000001" and history[2][3] == "孵化 🐣" and history[2][5] == AE


def test_won_lost_drop_reopen_and_back_to_egg(hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets) -> None:
    card = shared(hiyoko, fake_slack, kind="chick", timing="2027-01-15")
    click(hiyoko, CSM, "signal_more", selected="back_to_egg:S-000001")
    wait_for(lambda: events(hiyoko) == ["submitted", "back_to_egg"])
    assert hiyoko.store.get(1).timing is None  # type: ignore[union-attr]
    click(hiyoko, AE, "signal_won")
    wait_for(lambda: events(hiyoko)[-1] == "win")
    click(hiyoko, AE, "signal_reopen")
    wait_for(lambda: events(hiyoko)[-1] == "reopen")
    click(hiyoko, AE, "signal_lost")
    view = opened(fake_slack, 1)
    assert submit_modal(hiyoko, AE, view, reason="  ")["errors"] == {"reason": "理由を入れてください。"}
    assert submit_modal(hiyoko, AE, view, reason="競合が半額を提示") == {}
    signal = hiyoko.store.get(1)
    assert signal and signal.status.value == "lost" and signal.close_reason == "競合が半額を提示"
    click(hiyoko, AE, "signal_reopen")
    wait_for(lambda: events(hiyoko)[-1] == "reopen")
    click(hiyoko, AE, "signal_drop")
    assert submit_modal(hiyoko, AE, opened(fake_slack, 2), reason="担当者退職で立ち消え") == {}
    hiyoko.relay.drain()
    assert events(hiyoko) == ["submitted", "back_to_egg", "win", "reopen", "lose", "reopen", "drop"]
    lines = thread_texts(fake_slack, card)
    assert len(lines) == 1 + 6  # the owner notice, then one line per change
    assert "🥀" in lines[4] and "競合が半額を提示" in lines[4] and "🗑️" in lines[6]
    assert buttons(card_now(fake_slack)) == ["signal_reopen", "signal_more"]
    assert len(fake_sheets.values(SPREADSHEET, "History")) == 1 + 7
    assert fake_sheets.values(SPREADSHEET, "Signals")[1][2] == "取り下げ"


def test_strangers_are_refused_and_nothing_is_written(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    shared(hiyoko, fake_slack)
    rows_before = len(hiyoko.outbox.rows())
    click(hiyoko, STRANGER, "signal_won")
    click(hiyoko, STRANGER, "signal_hatch")
    ephemerals = wait_for(
        lambda: len(fake_slack.calls_to("chat.postEphemeral")) == 2 and fake_slack.calls_to("chat.postEphemeral")
    )
    assert all(e["user"] == STRANGER and e["channel"] == CHANNEL for e in ephemerals)
    assert "担当(@田中 さん)、共有者(@佐藤 さん)とマネージャーだけ" in ephemerals[0]["text"]
    assert not fake_slack.calls_to("views.open")  # no modal for someone who could not submit it
    assert events(hiyoko) == ["submitted"] and len(hiyoko.outbox.rows()) == rows_before


def test_a_stale_modal_from_a_stranger_is_refused_at_submit(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    shared(hiyoko, fake_slack)
    click(hiyoko, AE, "signal_more", selected="note:S-000001")
    view = opened(fake_slack, 1)
    body = submit_modal(hiyoko, STRANGER, view, note="横から失礼")
    assert "マネージャーだけ" in body["errors"]["note"]
    assert events(hiyoko) == ["submitted"]


def test_managers_by_id_and_by_user_group_may_act(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock
) -> None:
    fake_slack.add_user("UBOSS", "boss")
    fake_slack.add_user("UGROUPIE", "groupie")
    fake_slack.add_usergroup("SMGRS", ["UGROUPIE"])
    settings = make_settings(tmp_path, fake_slack, fake_sheets, hiyoko_managers="UBOSS,SMGRS")
    hiyoko = fill_directory(build(settings, clock))
    shared(hiyoko, fake_slack)
    click(hiyoko, "UGROUPIE", "signal_more", selected="note:S-000001")
    assert submit_modal(hiyoko, "UGROUPIE", opened(fake_slack, 1), note="来週フォロー") == {}
    click(hiyoko, "UBOSS", "signal_won")
    wait_for(lambda: events(hiyoko) == ["submitted", "note", "win"])


def test_a_double_click_makes_one_transition(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    shared(hiyoko, fake_slack)
    barrier = threading.Barrier(2)

    def won(user: str) -> None:
        barrier.wait()
        click(hiyoko, user, "signal_won")

    threads = [threading.Thread(target=won, args=(user,)) for user in (AE, CSM)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [refusal] = wait_for(lambda: fake_slack.calls_to("chat.postEphemeral"))
    assert events(hiyoko) == ["submitted", "win"]
    winner = hiyoko.store.events(1)[-1].actor_id
    loser = CSM if winner == AE else AE
    assert refusal["user"] == loser
    assert refusal["text"] == f"S-000001 はすでに @{'田中' if winner == AE else '佐藤'} さんが「受注」にしています。"


def test_invalid_transitions_are_refused_with_a_message(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    shared(hiyoko, fake_slack)
    click(hiyoko, AE, "signal_hatch")
    stale = opened(fake_slack, 1)  # an old hatch modal, still open …
    click(hiyoko, CSM, "signal_hatch")
    assert submit_modal(hiyoko, CSM, opened(fake_slack, 2), timing="2027-03-01") == {}
    body = submit_modal(hiyoko, AE, stale, timing="2027-05-01")  # … submitted after someone hatched it
    assert body["errors"] == {"timing": "S-000001 はすでに @佐藤 さんが孵化させています(🐣ひよこです)。"}
    click(hiyoko, AE, "signal_won")
    wait_for(lambda: events(hiyoko)[-1] == "win")
    click(hiyoko, AE, "signal_won")  # win a closed signal
    [refusal] = wait_for(lambda: fake_slack.calls_to("chat.postEphemeral"))
    assert "すでに" in refusal["text"] and "受注" in refusal["text"]
    assert events(hiyoko) == ["submitted", "hatch", "win"]


def test_reassign_notifies_the_new_owner_and_refreshes_both_homes(
    hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    card = shared(hiyoko, fake_slack)
    click(hiyoko, CSM, "signal_more", selected="reassign:S-000001")
    view = opened(fake_slack, 1)
    assert submit_modal(hiyoko, CSM, view, owner=AE)["errors"] == {"owner": "今の担当とは別の人を選んでください。"}
    assert "ボット" in submit_modal(hiyoko, CSM, view, owner="UROBOT")["errors"]["owner"]
    assert submit_modal(hiyoko, CSM, view, owner=OTHER_AE) == {}
    homes_before = len(fake_slack.calls_to("views.publish"))
    hiyoko.relay.drain()
    line = thread_texts(fake_slack, card)[-1]
    assert "<@UAE>" in line and line.count("<@UAE2>") == 2  # "from @old to @new … over to you, @new"
    signal = hiyoko.store.get(1)
    assert signal and signal.owner_id == OTHER_AE and signal.owner_name == "Jo Smith"
    published = {c["user_id"] for c in fake_slack.calls_to("views.publish")[homes_before:]}
    assert {AE, OTHER_AE, CSM} <= published
    new_home = json.dumps(fake_slack.home_views[OTHER_AE], ensure_ascii=False)
    assert "S-000001" in new_home and "Signals you own" in new_home  # Jo's Slack locale is English
    assert "S-000001" not in json.dumps(fake_slack.home_views[AE], ensure_ascii=False)
    assert fake_sheets.values(SPREADSHEET, "Signals")[1][11] == "Jo Smith"


def test_edit_and_note(hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets) -> None:
    card = shared(hiyoko, fake_slack)
    click(hiyoko, AE, "signal_more", selected="edit:S-000001")
    view = opened(fake_slack, 1)
    initial = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert initial["customer"] == "株式会社サンプル"
    too_long = submit_modal(hiyoko, AE, view, customer="x" * 151, category="plan", summary="s", size="", timing=None)
    assert "150" in too_long["errors"]["customer"]
    assert (
        submit_modal(
            hiyoko,
            AE,
            view,
            customer="株式会社サンプル",
            category="plan",
            summary="全社に広げたい <!channel>",
            size="300席",
            timing=None,
        )
        == {}
    )
    click(hiyoko, AE, "signal_more", selected="note:S-000001")
    assert submit_modal(hiyoko, AE, opened(fake_slack, 2), note='=HYPERLINK("x")') == {}
    hiyoko.relay.drain()
    signal = hiyoko.store.get(1)
    assert signal and signal.category.value == "plan" and signal.size == "300席"
    lines = thread_texts(fake_slack, card)
    assert lines[-2] == "✏️ <@UAE> さんが編集しました(カテゴリ、内容、規模)"
    assert lines[-1] == '📝 <@UAE> さんのメモ: =HYPERLINK("x")'
    assert "<!channel>" not in json.dumps(card_now(fake_slack)["blocks"])
    assert fake_sheets.cell(SPREADSHEET, "History", "I4").kind == "string"


def test_actions_from_app_home_refuse_in_a_modal(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    shared(hiyoko, fake_slack)
    click(hiyoko, STRANGER, "signal_won", channel=None)
    view = opened(fake_slack, 1)
    assert "マネージャーだけ" in json.dumps(view, ensure_ascii=False)
    click(hiyoko, AE, "signal_won", channel=None)
    wait_for(lambda: events(hiyoko)[-1] == "win")
