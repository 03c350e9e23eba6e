"""The first capability end to end: shortcut → modal → submit → card, thread, database, sheet."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from app import Hiyoko
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import (
    bolt_request,
    global_shortcut,
    message_shortcut,
    modal_state,
    slash_command,
    view_submission,
)
from store import ChangeRequest, Note, NotPermitted, Win
from tests.conftest import AE, CHANNEL, CSM, SPREADSHEET, dispatch, wait_for
from tests.directory import fill_directory, filled_directory  # noqa: F401 (an autouse fixture)

CONTRACT_BLOCKS = {"customer", "kind", "category", "summary", "timing", "owner", "size", "source"}


def submit(hiyoko: Hiyoko, view_id: str = "V1", **fields: Any) -> dict[str, Any]:
    response = dispatch(hiyoko, view_submission(CSM, modal_state(**fields), view_id=view_id))
    assert response.status == 200
    body: dict[str, Any] = json.loads(response.body) if response.body else {}
    return body


def opened_view(fake_slack: FakeSlack) -> dict[str, Any]:
    call = wait_for(lambda: fake_slack.calls_to("views.open"))[-1]
    view = call["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_global_shortcut_opens_the_modal_with_contract_ids(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    response = dispatch(hiyoko, global_shortcut(CSM))
    assert response.status == 200
    view = opened_view(fake_slack)
    assert view["callback_id"] == "signal_submit"
    input_ids = {block["block_id"] for block in view["blocks"] if block["type"] == "input"}
    assert input_ids == CONTRACT_BLOCKS
    assert view["title"]["text"] == "アップセル予兆を共有"  # the CSM's Slack locale is ja-JP
    optional = {block["block_id"] for block in view["blocks"] if block.get("optional")}
    assert optional == {"timing", "owner", "size", "source"}  # an empty owner is routed
    View(**view).validate_json()  # slack_sdk's own Block Kit limits


def test_modal_follows_the_users_locale(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    dispatch(hiyoko, global_shortcut("UAE2"))  # en-US
    assert opened_view(fake_slack)["title"]["text"] == "Share upsell signal"


def test_message_shortcut_prefills_summary_and_permalink(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    posted = hiyoko.client.chat_postMessage(channel=CHANNEL, text="seed")
    text = "<@U999> said &lt;they&gt; want it at <https://example.com|the other plant> 🏭\n来年4月ごろ"
    dispatch(hiyoko, message_shortcut(CSM, CHANNEL, posted["ts"], text))
    view = opened_view(fake_slack)
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    summary = blocks["summary"]["element"]["initial_value"]
    assert summary == "@U999 said <they> want it at the other plant (https://example.com) 🏭\n来年4月ごろ"
    assert blocks["source"]["element"]["initial_value"].startswith("https://hiyoko-test.slack.com/archives/CSIGNALS/p")


def test_slash_command_without_argument_opens_the_modal(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    response = hiyoko.bolt.dispatch(bolt_request(slash_command(CSM)))
    assert response.status == 200
    assert opened_view(fake_slack)["callback_id"] == "signal_submit"


def test_slash_command_help_answers_ephemerally(hiyoko: Hiyoko) -> None:
    response = hiyoko.bolt.dispatch(bolt_request(slash_command(CSM, "help")))
    body = json.loads(response.body)
    assert body["response_type"] == "ephemeral"
    assert "/hiyoko" in body["text"] and "<#CSIGNALS>" in body["text"]


def errors_of(body: dict[str, Any]) -> dict[str, str]:
    assert body.get("response_action") == "errors", body
    return dict(body["errors"])


def test_chick_needs_a_timing(hiyoko: Hiyoko) -> None:
    errors = errors_of(submit(hiyoko, kind="chick", timing=None))
    assert errors == {"timing": "🐣ひよこには想定時期が必要です。時期が未定なら🥚卵を選んでください。"}


def test_timing_in_the_past_is_refused_today_is_fine(hiyoko: Hiyoko) -> None:
    errors = errors_of(submit(hiyoko, kind="chick", timing="2026-11-22"))
    assert errors == {"timing": "過去の日付は指定できません(今日は2026-11-23)。"}
    assert submit(hiyoko, kind="chick", timing="2026-11-23") == {}


def test_empty_customer_and_summary_are_refused(hiyoko: Hiyoko) -> None:
    errors = errors_of(submit(hiyoko, customer="   ", summary=""))
    assert set(errors) == {"customer", "summary"}
    assert errors["customer"] == "入力してください。"


def test_over_long_text_is_refused_with_the_limit(hiyoko: Hiyoko) -> None:
    errors = errors_of(submit(hiyoko, summary="あ" * 2001, customer="x" * 151, size="9" * 101, source="s" * 501))
    assert errors["summary"] == "2000文字以内で入力してください(現在2001文字)。"
    assert "150" in errors["customer"] and "100" in errors["size"] and "500" in errors["source"]


def test_errors_follow_the_modal_language(hiyoko: Hiyoko) -> None:
    payload = view_submission(CSM, modal_state(customer=""), lang="en")
    body = json.loads(dispatch(hiyoko, payload).body)
    assert body["errors"] == {"customer": "Please fill this in."}


def test_owner_must_be_a_real_active_person(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    assert "ボット" in errors_of(submit(hiyoko, owner="UROBOT"))["owner"]
    assert "無効化" in errors_of(submit(hiyoko, owner="UGONE"))["owner"]
    # Someone the directory does not know is checked with Slack after the ack (issue 10): the
    # signal is kept and the CSM is told, in a DM, to pick another owner.
    assert submit(hiyoko, owner="UNOBODY") == {}
    hiyoko.relay.drain()
    [dm] = fake_slack.messages(CSM)
    assert "見つかりません" in dm["text"] and "S-000001" in dm["text"]


def test_missing_choices_are_refused_on_their_field(hiyoko: Hiyoko) -> None:
    errors = errors_of(submit(hiyoko, kind=None, category="platinum", owner=None))
    assert set(errors) == {"kind", "category"}  # an empty owner is routed (tests/test_routing.py)


def test_refused_submissions_store_nothing(hiyoko: Hiyoko) -> None:
    submit(hiyoko, customer="")
    assert hiyoko.store.all() == []
    assert hiyoko.outbox.counts() == {}


def test_valid_submit_closes_modal_and_delivers_everywhere(
    hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    body = submit(
        hiyoko,
        customer="株式会社サンプル",
        kind="chick",
        category="plan",
        timing="2027-04-01",
        summary="4月から全社展開したい",
        size="200席",
        source="定例MTG",
    )
    assert body == {}  # an empty ack closes the modal

    [signal] = hiyoko.store.all()
    assert signal.id == "S-000001"
    assert (signal.submitter_id, signal.owner_id, signal.submitter_name, signal.owner_name) == (CSM, AE, "佐藤", "田中")
    assert [e.action for e in hiyoko.store.events(signal.number)] == ["submitted"]
    assert sorted(r.target for r in hiyoko.outbox.rows()) == [
        "notify_owner",
        "post_card",
        "publish_home",
        "publish_home",
        "sync_history",
        "sync_sheet",
    ]

    stats = hiyoko.relay.drain()
    assert stats.dead == 0 and stats.failed == 0

    [card] = fake_slack.messages(CHANNEL)
    rendered = json.dumps(card["blocks"], ensure_ascii=False)
    for expected in (
        "🐣 株式会社サンプル",
        "プランアップ",
        "2027-04-01",
        "200席",
        "4月から全社展開したい",
        "<@UCSM>",
        "<@UAE>",
        "S-000001",
        "定例MTG",
    ):
        assert expected in rendered, expected
    assert card["metadata"]["event_payload"] == {"signal_id": "S-000001"}
    for block in card["blocks"]:
        Block.parse(block).validate_json()  # type: ignore[union-attr]

    [reply] = fake_slack.replies(CHANNEL, card["ts"])
    assert "<@UAE>" in reply["text"] and "<@UCSM>" in reply["text"]

    stored = hiyoko.store.get(signal.number)
    assert stored is not None and stored.card_ts == card["ts"] and stored.card_permalink

    rows = fake_sheets.values(SPREADSHEET, "Signals")
    assert rows[0][0] == "ID" and len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=False))
    assert row["ID"] == "S-000001"
    assert row["顧客名"] == "株式会社サンプル" and row["想定時期"] == "2027-04-01"
    assert row["Slackリンク"] == stored.card_permalink
    assert fake_sheets.cell(SPREADSHEET, "Signals", "G2").kind == "date"  # a real date for charts


def test_japanese_emoji_and_multiline_round_trip_exactly(
    hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    summary = "「来期は𠮷野家の全店舗で使いたい」🐣🎉\n\n  二行目:半角ｶﾅ・全角ＡＢＣ\n三行目 👨‍👩‍👧"
    submit(hiyoko, customer="ＡＢＣ商事 🏢", summary=summary)
    hiyoko.relay.drain()
    [signal] = hiyoko.store.all()
    assert signal.summary == summary.strip() and signal.customer == "ＡＢＣ商事 🏢"
    row = fake_sheets.values(SPREADSHEET, "Signals")[1]
    assert row[3] == "ＡＢＣ商事 🏢" and row[5] == summary.strip()
    card = fake_slack.messages(CHANNEL)[0]
    assert "𠮷野家" in json.dumps(card["blocks"], ensure_ascii=False)


def test_mentions_and_formulas_typed_by_users_are_neutralised(
    hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    submit(
        hiyoko,
        customer='=HYPERLINK("http://evil","x")',
        summary="<!channel> <@UAE2> & <!here|here>",
        size="+1-2",
        source="@SUM(A1)",
    )
    hiyoko.relay.drain()
    card = fake_slack.messages(CHANNEL)[0]
    everything = json.dumps(card["blocks"], ensure_ascii=False) + card["text"]
    assert "<!channel>" not in everything and "<@UAE2>" not in everything and "<!here" not in everything
    assert "&lt;!channel&gt; &lt;@UAE2&gt; &amp; &lt;!here|here&gt;" in everything
    reply = fake_slack.replies(CHANNEL, card["ts"])[0]["text"]
    assert "<!" not in reply
    for a1 in ("D2", "F2", "H2", "I2"):
        cell = fake_sheets.cell(SPREADSHEET, "Signals", a1)
        assert cell.kind == "string", (a1, cell)
    assert fake_sheets.values(SPREADSHEET, "Signals")[1][3] == '=HYPERLINK("http://evil","x")'


def test_the_same_view_submitted_twice_makes_one_signal(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    submit(hiyoko, view_id="VSAME")
    submit(hiyoko, view_id="VSAME")
    hiyoko.relay.drain()
    assert len(hiyoko.store.all()) == 1
    assert len(fake_slack.messages(CHANNEL)) == 1


def test_ids_increase_and_every_signal_gets_its_own_row(
    hiyoko: Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    for index in range(3):
        submit(hiyoko, view_id=f"V{index}", customer=f"顧客{index}")
    hiyoko.relay.drain()
    assert [s.id for s in hiyoko.store.all()] == ["S-000001", "S-000002", "S-000003"]
    assert [row[0] for row in fake_sheets.values(SPREADSHEET, "Signals")] == ["ID", "S-000001", "S-000002", "S-000003"]
    assert len(fake_slack.messages(CHANNEL)) == 3


def test_app_home_shows_a_share_button(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    event = {
        "type": "event_callback",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "event_id": "Ev1",
        "event_time": 1,
        "event": {"type": "app_home_opened", "user": CSM, "channel": "D1", "tab": "home"},
    }
    response = hiyoko.bolt.dispatch(
        bolt_request(json.dumps(event)).__class__(
            body=json.dumps(event), headers={k: [v] for k, v in _json_headers(json.dumps(event)).items()}
        )
    )
    assert response.status == 200
    home = wait_for(lambda: fake_slack.home_views.get(CSM))
    buttons = [e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons[0]["action_id"] == "open_share_modal"


def _json_headers(body: str) -> dict[str, str]:
    from fakes.slack_requests import sign

    return {**sign(body), "content-type": "application/json"}


# --- the server decides, and nothing slow before the answer (issue 10) -----------------------


def note_on(hiyoko: Hiyoko, target: str, view_id: str, user: str = CSM, **fields: Any) -> dict[str, Any]:
    """A submission whose duplicate choice says `note:<target>`, as a crafted client could send it."""
    values = modal_state(**fields)
    values["duplicate"] = {"duplicate": {"type": "radio_buttons", "selected_option": {"value": f"note:{target}"}}}
    response = dispatch(hiyoko, view_submission(user, values, view_id=view_id))
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


def test_a_crafted_note_on_a_won_signal_is_refused_on_the_field(hiyoko: Hiyoko) -> None:
    submit(hiyoko, view_id="V1")
    hiyoko.store.change(1, ChangeRequest(Win(), AE), managers=frozenset(), today=hiyoko.clock.now().date())
    body = note_on(hiyoko, "S-000001", "V2", summary="もう一度")  # the CSM shared it, but it is won
    assert set(errors_of(body)) == {"duplicate"} and "S-000001" in body["errors"]["duplicate"]
    assert [e.action for e in hiyoko.store.events(1)] == ["submitted", "win"]


def test_a_crafted_note_on_another_customers_signal_is_refused(hiyoko: Hiyoko) -> None:
    assert dispatch(hiyoko, view_submission(AE, modal_state(customer="他社", owner=AE), view_id="V1")).status == 200
    body = note_on(hiyoko, "S-000001", "V2", customer="株式会社サンプル")  # not a duplicate, not the CSM's
    assert set(errors_of(body)) == {"duplicate"}
    body = note_on(hiyoko, "S-999999", "V3")
    assert set(errors_of(body)) == {"duplicate"}
    assert [e.action for e in hiyoko.store.events(1)] == ["submitted"] and len(hiyoko.store.all()) == 1


def test_a_note_on_a_shown_duplicate_or_on_ones_own_signal_is_added(hiyoko: Hiyoko) -> None:
    assert dispatch(hiyoko, view_submission(AE, modal_state(owner=AE), view_id="V1")).status == 200
    assert note_on(hiyoko, "S-000001", "V2")["response_action"] == "update"  # shown to the CSM as a duplicate
    submit(hiyoko, view_id="V3", customer="別会社")
    assert note_on(hiyoko, "S-000002", "V4", customer="まったく別")["response_action"] == "update"  # theirs
    assert [e.action for e in hiyoko.store.events(1)] == ["submitted", "note"]
    assert [e.action for e in hiyoko.store.events(2)] == ["submitted", "note"]


def test_shortcuts_and_the_command_open_the_modal_while_slack_is_slow(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    fake_slack.add_user("ULATE", "late", locale="en-US")  # joined after the directory was filled
    posted = hiyoko.client.chat_postMessage(channel=CHANNEL, text="seed")
    for method in ("users.info", "chat.getPermalink", "usergroups.users.list"):
        fake_slack.hang_next(3, seconds=4, method=method)
    started = time.monotonic()
    dispatch(hiyoko, global_shortcut("ULATE"))
    dispatch(hiyoko, message_shortcut("ULATE", CHANNEL, posted["ts"], "来年から全社で"))
    hiyoko.bolt.dispatch(bolt_request(slash_command("ULATE")))
    wait_for(lambda: len(fake_slack.calls_to("views.open")) == 3, timeout=6)
    assert time.monotonic() - started < 1.5
    fake_slack.reset_faults()


def test_the_store_adds_a_duplicate_note_only_to_an_open_signal(hiyoko: Hiyoko) -> None:
    """Checked again in the transaction: the signal may have been closed since the modal was read."""
    submit(hiyoko, view_id="V1")
    today = hiyoko.clock.now().date()
    hiyoko.store.change(1, ChangeRequest(Win(), AE), managers=frozenset(), today=today)
    for anyone in (True, False):
        with pytest.raises(NotPermitted):
            hiyoko.store.change(
                1,
                ChangeRequest(Note("x"), CSM),
                managers=frozenset(),
                today=today,
                anyone_may_note=anyone,
                open_only=True,
            )
    assert [e.action for e in hiyoko.store.events(1)] == ["submitted", "win"]
