"""Hearing eggs, the Slack side (issue 13): real signed `message` events through the Bolt app, the
relay's DM, its buttons, /hiyoko watch and unwatch, and the team's model retrained."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.request import BoltRequest
from sqlalchemy import select

from app import Hiyoko
from bot.delivery import Pacer
from bot.listening import Listening
from bot.suggestions import SuggestionDelivery
from cli.doctor import MANIFEST, manifest_scopes
from fakes.sheets_api import FakeSheets
from fakes.slack_api import DEFAULT_SCOPES, FakeSlack
from fakes.slack_requests import (
    TEAM,
    action_submission,
    block_action,
    bolt_request,
    modal_state,
    sign,
    slash_command,
    view_submission,
)
from hearing.detector import Detector
from hearing.learning import features
from models.accounts import AccountRecord, read_accounts
from models.clock import FixedClock
from models.routing import Account
from store.accounts import AccountStore
from store.directory import DirectoryUser, PeopleIndex
from store.suggestions import KNOWN, NOT_HINT, NOTED, PENDING, SHARED, NewSuggestion, SuggestionStore
from store.tables import HearingModelRow, SuggestionRow
from tests.conftest import AE, CSM, OTHER_AE, build, dispatch, make_settings, wait_for
from tests.test_accounts import run_cli

CUSTOMER_CHANNEL = "CSAMPLE"
OTHER_CHANNEL = "COTHERCO"
QUIET_CHANNEL = "CRANDOM"  # nobody listens here
CUSTOMER = "株式会社サンプル"
GUEST = "WGUEST01"  # a Slack Connect user from the customer's own workspace
GUEST_TEAM = "TCUSTOMER"
HINT = "来年は他の工場でもユーザーを追加したいと考えています"
NOT_A_HINT = "先月分の請求書を再送していただけますか"
LONG_HINT = (
    "いつもお世話になっております。先日の件ありがとうございました。\n"
    "来年は他の工場でもユーザーを追加したいと考えています。詳しくは改めてご相談させてください。"
)


@pytest.fixture(autouse=True)
def customer_channels(fake_slack: FakeSlack) -> None:
    fake_slack.add_user(GUEST, "yamada-guest", display_name="山田 (サンプル社)")
    fake_slack.add_user("USTRANGER", "stranger", locale="en-US")
    fake_slack.add_channel(CUSTOMER_CHANNEL, "ext-sample", is_private=True)
    fake_slack.add_channel(OTHER_CHANNEL, "ext-other")
    fake_slack.add_channel(QUIET_CHANNEL, "random")


def with_accounts(hiyoko: Hiyoko, *records: AccountRecord) -> None:
    AccountStore(hiyoko.db).replace_all(list(records), hiyoko.clock.now())


def sample_account(csm: str | None = CSM) -> AccountRecord:
    return AccountRecord(2, Account(CUSTOMER, ae=AE, csm=csm, channel=CUSTOMER_CHANNEL), products=("ゲンバチェック",))


def event_body(event: dict[str, Any], event_id: str) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM["id"],
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        },
        ensure_ascii=False,
    )


def deliver_event(hiyoko: Hiyoko, event: dict[str, Any], event_id: str | None = None, retry: int = 0) -> str:
    """Send one event as Slack does (signed; a retry carries X-Slack-Retry-Num); returns its id."""
    event_id = event_id or f"Ev{time.monotonic_ns()}"
    body = event_body(event, event_id)
    headers = {**sign(body), "content-type": "application/json"}
    if retry:
        headers.update({"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"})
    response = hiyoko.bolt.dispatch(BoltRequest(body=body, headers={k: [v] for k, v in headers.items()}))
    assert response.status == 200
    return event_id


def settle(hiyoko: Hiyoko) -> None:
    """Wait until every listener Bolt started after its ack has finished: every worker of its pool
    must be free to meet at one barrier."""
    executor = hiyoko.bolt._listener_runner.listener_executor
    workers: int = executor._max_workers  # type: ignore[attr-defined]
    barrier = threading.Barrier(workers)
    for future in [executor.submit(barrier.wait, 5) for _ in range(workers)]:
        future.result(timeout=10)


def say(hiyoko: Hiyoko, fake: FakeSlack, text: str, channel: str = CUSTOMER_CHANNEL, **kwargs: Any) -> str:
    """A person says `text` in a channel; the event is handled and the relay drained. Returns the ts."""
    event = fake.say(channel, kwargs.pop("user", GUEST), text, team=kwargs.pop("team", GUEST_TEAM), **kwargs)
    deliver_event(hiyoko, event)
    settle(hiyoko)
    hiyoko.relay.drain()
    return str(event["ts"])


def suggestions(hiyoko: Hiyoko) -> list[SuggestionRow]:
    with hiyoko.db.read() as session:
        rows = list(session.scalars(select(SuggestionRow).order_by(SuggestionRow.id)))
        session.expunge_all()
        return rows


def dms(fake: FakeSlack, user: str = CSM) -> list[dict[str, Any]]:
    return [m for m in fake.messages(user) if (m.get("metadata") or {}).get("event_type") == "hiyoko_suggestion"]


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """action_id → value of every button in a message."""
    return {
        element["action_id"]: element.get("value", "")
        for block in message.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
    }


def click(hiyoko: Hiyoko, fake: FakeSlack, user: str, action_id: str, dm: dict[str, Any]) -> None:
    """A click on a button of the DM, with the DM as Slack sends it in the payload."""
    payload = block_action(
        user,
        action_id,
        buttons(dm)[action_id],
        channel=dm["channel"],
        message_ts=dm["ts"],
        response_url=fake.response_url(f"{action_id}-{user}"),
    )
    payload["message"] = {"ts": dm["ts"], "text": dm["text"], "blocks": dm["blocks"]}
    assert dispatch(hiyoko, payload).status == 200
    settle(hiyoko)


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks"), ensure_ascii=False)


def views(fake: FakeSlack, method: str) -> list[dict[str, Any]]:
    return [json.loads(c["view"]) if isinstance(c["view"], str) else c["view"] for c in fake.calls_to(method)]


def heard_category(text: str, hiyoko: Hiyoko) -> str:
    heard = Detector().hear(text, hiyoko.clock.now().date())
    assert heard.hint and heard.category is not None
    return heard.category.value


# --- the DM --------------------------------------------------------------------------------------


def test_a_hint_in_an_accounts_channel_gets_the_csm_one_dm_with_both_buttons(
    hiyoko: Hiyoko, fake_slack: FakeSlack
) -> None:
    with_accounts(hiyoko, sample_account())
    ts = say(hiyoko, fake_slack, LONG_HINT)
    [dm] = dms(fake_slack)
    [row] = suggestions(hiyoko)
    assert {"suggestion_share", "suggestion_dismiss"} <= set(buttons(dm))
    assert "suggestion_note" not in buttons(dm)
    assert buttons(dm)["suggestion_share"] == str(row.id)
    shown = text_of(dm)
    assert "> 来年は他の工場でも" in shown and CUSTOMER in shown  # quoted, as Slack has it at delivery
    assert row.permalink.endswith(f"/archives/{CUSTOMER_CHANNEL}/p{ts.replace('.', '')}")
    assert row.permalink in shown
    assert row.recipient_id == CSM and row.speaker_id == GUEST and row.state == PENDING
    assert row.customer == CUSTOMER and row.evidence and row.evidence in shown
    # What is kept: no message text (the link, the detection, its evidence phrase, hashed words).
    columns = [c.key for c in SuggestionRow.__table__.columns if c.key != "evidence"]
    stored = json.dumps([getattr(row, c) for c in columns], default=str, ensure_ascii=False)
    assert not any(part in stored for part in ("お世話", "工場", "ユーザー", "相談"))
    assert row.evidence in LONG_HINT and len(row.evidence) <= 60 and "お世話" not in row.evidence
    assert all(isinstance(f, int) for f in json.loads(row.features)) and json.loads(row.features)


def test_a_customer_message_that_is_no_hint_and_messages_that_are_not_people_speaking_make_nothing(
    hiyoko: Hiyoko, fake_slack: FakeSlack
) -> None:
    with_accounts(hiyoko, sample_account())
    say(hiyoko, fake_slack, NOT_A_HINT)
    base: dict[str, Any] = {"type": "message", "channel": CUSTOMER_CHANNEL, "text": HINT, "team": TEAM["id"]}
    others: list[dict[str, Any]] = [
        {**base, "subtype": "bot_message", "bot_id": "B0OTHER", "ts": "1764000000.000100"},
        {**base, "user": "UROBOT", "bot_id": "B0OTHER", "ts": "1764000000.000200"},  # a bot user
        {**base, "user": "UBOT", "ts": "1764000000.000300"},  # hiyoko itself
        {**base, "subtype": "channel_join", "user": GUEST, "ts": "1764000000.000400"},
        {
            **base,
            "subtype": "message_changed",
            "hidden": True,
            "ts": "1764000000.000500",
            "message": {"type": "message", "user": GUEST, "text": HINT, "ts": "1764000000.000001"},
            "previous_message": {"type": "message", "user": GUEST, "text": "…", "ts": "1764000000.000001"},
        },
    ]
    for event in others:
        deliver_event(hiyoko, event)
    settle(hiyoko)
    hiyoko.relay.drain()
    assert suggestions(hiyoko) == [] and dms(fake_slack) == []
    # A reply also sent to the channel is someone speaking.
    event = fake_slack.say(CUSTOMER_CHANNEL, GUEST, HINT, team=GUEST_TEAM)
    deliver_event(hiyoko, {**event, "subtype": "thread_broadcast"})
    settle(hiyoko)
    hiyoko.relay.drain()
    assert len(dms(fake_slack)) == 1


def test_an_unwatched_channel_is_not_listened_to(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    with_accounts(hiyoko, sample_account())
    say(hiyoko, fake_slack, HINT, channel=QUIET_CHANNEL)
    assert suggestions(hiyoko) == [] and dms(fake_slack) == []


def test_a_retried_event_or_a_second_delivery_makes_one_dm(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    with_accounts(hiyoko, sample_account())
    event = fake_slack.say(CUSTOMER_CHANNEL, GUEST, HINT, team=GUEST_TEAM)
    event_id = deliver_event(hiyoko, event)
    deliver_event(hiyoko, event, event_id, retry=1)  # Slack did not see our ack in time
    deliver_event(hiyoko, event, event_id, retry=2)
    deliver_event(hiyoko, event)  # the same message under another event id
    settle(hiyoko)
    hiyoko.relay.drain()
    assert len(suggestions(hiyoko)) == 1
    assert len(dms(fake_slack)) == 1


def test_the_quiet_period_holds_a_second_hint_for_14_days(
    hiyoko: Hiyoko, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    with_accounts(hiyoko, sample_account())
    say(hiyoko, fake_slack, HINT)
    [first] = dms(fake_slack)
    click(hiyoko, fake_slack, CSM, "suggestion_dismiss", first)
    dm = fake_slack.messages(CSM)[0]
    click(hiyoko, fake_slack, CSM, "suggestion_not_hint", dm)  # dismissed counts for the quiet period too
    clock.advance(days=13, hours=23)
    say(hiyoko, fake_slack, HINT)
    assert len(dms(fake_slack)) == 1 and len(suggestions(hiyoko)) == 1
    clock.advance(days=1, hours=2)  # day 15
    say(hiyoko, fake_slack, HINT)
    assert len(dms(fake_slack)) == 2 and len(suggestions(hiyoko)) == 2


def test_hearing_off_hears_nothing(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str, clock: FixedClock
) -> None:
    settings = make_settings(tmp_path, fake_slack, fake_sheets, database_url=database_url, hiyoko_hearing="off")
    hiyoko = build(settings, clock)
    try:
        with_accounts(hiyoko, sample_account())
        say(hiyoko, fake_slack, HINT)
        assert suggestions(hiyoko) == [] and dms(fake_slack) == []
    finally:
        hiyoko.db.dispose()


def test_what_was_heard_before_hearing_was_turned_off_is_not_sent(
    hiyoko: Hiyoko, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    with_accounts(hiyoko, sample_account())
    event = fake_slack.say(CUSTOMER_CHANNEL, GUEST, HINT, team=GUEST_TEAM)
    deliver_event(hiyoko, event)  # heard and queued, not yet sent
    settle(hiyoko)
    assert len(suggestions(hiyoko)) == 1
    turned_off = build(hiyoko.settings.model_copy(update={"hiyoko_hearing": "off"}), clock)  # the restart
    try:
        turned_off.relay.drain()
        assert dms(fake_slack) == []
    finally:
        turned_off.db.dispose()


def test_a_channel_without_a_csm_tells_nobody(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    with_accounts(hiyoko, sample_account(csm=None))
    say(hiyoko, fake_slack, HINT)
    assert suggestions(hiyoko) == [] and dms(fake_slack) == []


# --- the buttons ---------------------------------------------------------------------------------


def test_share_opens_the_modal_prefilled_and_the_signal_links_the_message(
    hiyoko: Hiyoko, fake_slack: FakeSlack
) -> None:
    with_accounts(hiyoko, sample_account())
    say(hiyoko, fake_slack, HINT)
    [dm] = dms(fake_slack)
    [row] = suggestions(hiyoko)
    click(hiyoko, fake_slack, CSM, "suggestion_share", dm)
    [opened] = views(fake_slack, "views.open")
    [filled] = wait_for(lambda: views(fake_slack, "views.update"))

    def initial(view: dict[str, Any], block_id: str) -> Any:
        element = next(b for b in view["blocks"] if b.get("block_id") == block_id)["element"]
        return (
            element.get("initial_value")
            or element.get("initial_option", {}).get("value")
            or element.get("initial_date")
        )

    # Opened at once from local data; the message's text is filled in after.
    assert initial(opened, "customer") == CUSTOMER
    assert initial(opened, "kind") == row.kind and initial(opened, "category") == row.category
    assert initial(opened, "source") == row.permalink
    assert not initial(opened, "summary")
    assert initial(filled, "summary") == HINT and initial(filled, "source") == row.permalink
    values = modal_state(
        customer=CUSTOMER, kind=row.kind, category=row.category, summary=HINT, owner=AE, source=row.permalink
    )
    if row.timing:
        values["timing"]["timing"]["selected_date"] = row.timing.isoformat()
    answer = dispatch(hiyoko, action_submission(CSM, filled, values, view_id="VSHARE"))
    assert answer.status == 200 and not answer.body
    settle(hiyoko)
    signal = hiyoko.store.get(1)
    assert signal is not None and signal.source == row.permalink and signal.summary == HINT
    [shared] = suggestions(hiyoko)
    assert shared.state == SHARED and shared.signal_number == 1 and shared.decided_by == CSM
    updated = fake_slack.messages(CSM)[0]
    assert "suggestion_share" not in buttons(updated) and "S-000001" in text_of(updated)


def test_dismiss_asks_why_and_records_who_decided(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    with_accounts(hiyoko, sample_account())
    say(hiyoko, fake_slack, HINT)
    [dm] = dms(fake_slack)
    click(hiyoko, fake_slack, CSM, "suggestion_dismiss", dm)
    asking = fake_slack.messages(CSM)[0]
    assert set(buttons(asking)) == {"suggestion_not_hint", "suggestion_known"}
    assert f"> {HINT}" in text_of(asking)  # the quote stays
    click(hiyoko, fake_slack, CSM, "suggestion_known", asking)
    [row] = suggestions(hiyoko)
    assert row.state == KNOWN and row.decided_by == CSM
    decided = fake_slack.messages(CSM)[0]
    assert buttons(decided) == {} and f"<@{CSM}>" in text_of(decided)
    # A late second click is answered privately and changes nothing.
    click(hiyoko, fake_slack, CSM, "suggestion_not_hint", asking)
    assert suggestions(hiyoko)[0].state == KNOWN
    assert fake_slack.responses[-1]["response_type"] == "ephemeral"


def test_someone_who_is_not_the_recipient_is_refused(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    with_accounts(hiyoko, sample_account())
    say(hiyoko, fake_slack, HINT)
    [dm] = dms(fake_slack)
    for action in ("suggestion_share", "suggestion_dismiss"):
        click(hiyoko, fake_slack, "USTRANGER", action, dm)
    dm_now = fake_slack.messages(CSM)[0]
    click(hiyoko, fake_slack, "USTRANGER", "suggestion_dismiss", dm_now)
    payload = block_action("USTRANGER", "suggestion_not_hint", str(suggestions(hiyoko)[0].id), channel=dm["channel"],
                           message_ts=dm["ts"], response_url=fake_slack.response_url("forged"))  # fmt: skip
    assert dispatch(hiyoko, payload).status == 200
    settle(hiyoko)
    assert [r["name"] for r in fake_slack.responses if "suggestion" in r["name"] or r["name"] == "forged"]
    assert all("<@UCSM>" in r["text"] for r in fake_slack.responses)
    assert fake_slack.calls_to("views.open") == [] and fake_slack.calls_to("chat.update") == []
    assert suggestions(hiyoko)[0].state == PENDING
    # The store checks again, under the row's lock (a click racing a change of recipient).
    store = SuggestionStore(hiyoko.db, hiyoko.clock)
    assert store.decide(suggestions(hiyoko)[0].id, "USTRANGER", NOT_HINT, frozenset()).outcome == "denied"
    assert store.decide(suggestions(hiyoko)[0].id, "UBOSS", NOT_HINT, frozenset({"UBOSS"})).outcome == "decided"


def test_the_note_is_offered_when_the_customer_has_an_open_signal_and_lands_on_it(
    hiyoko: Hiyoko, fake_slack: FakeSlack
) -> None:
    with_accounts(hiyoko, sample_account())
    category = heard_category(HINT, hiyoko)
    shared = view_submission(AE, modal_state(customer=CUSTOMER, category=category, summary="他拠点展開の話あり"))
    assert dispatch(hiyoko, shared).status == 200
    say(hiyoko, fake_slack, HINT)
    [dm] = dms(fake_slack)
    assert set(buttons(dm)) == {"suggestion_share", "suggestion_note", "suggestion_dismiss"}
    assert "S-000001" in text_of(dm)
    click(hiyoko, fake_slack, CSM, "suggestion_note", dm)
    [row] = suggestions(hiyoko)
    assert row.state == NOTED and row.signal_number == 1
    notes = [e for e in hiyoko.store.events(1) if e.action == "note"]
    assert len(notes) == 1 and HINT in notes[0].note and row.permalink in notes[0].note
    click(hiyoko, fake_slack, CSM, "suggestion_note", dm)  # twice: one note
    assert len([e for e in hiyoko.store.events(1) if e.action == "note"]) == 1


# --- /hiyoko watch and unwatch -------------------------------------------------------------------


def command(hiyoko: Hiyoko, text: str, channel: str, user: str = OTHER_AE) -> str:
    response = hiyoko.bolt.dispatch(bolt_request(slash_command(user, text, channel=channel)))
    assert response.status == 200
    return str(json.loads(response.body)["text"])


def test_watch_listens_to_a_channel_and_tells_whoever_ran_it(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    answer = command(hiyoko, "watch", OTHER_CHANNEL)
    assert "/hiyoko watch" in answer  # no Accounts row names it: asks for the customer
    say(hiyoko, fake_slack, HINT, channel=OTHER_CHANNEL)
    assert dms(fake_slack, OTHER_AE) == []
    answer = command(hiyoko, "watch アザー工業", OTHER_CHANNEL)
    assert "アザー工業" in answer and f"<@{OTHER_AE}>" in answer
    say(hiyoko, fake_slack, HINT, channel=OTHER_CHANNEL)
    [dm] = dms(fake_slack, OTHER_AE)
    assert "アザー工業" in text_of(dm)
    answer = command(hiyoko, "unwatch", OTHER_CHANNEL)
    assert answer.startswith("🔕") or "No longer" in answer
    say(hiyoko, fake_slack, "別件ですが、来月から席を増やしたいです", channel=OTHER_CHANNEL)
    assert len(dms(fake_slack, OTHER_AE)) == 1
    assert command(hiyoko, "unwatch", OTHER_CHANNEL) != answer  # not watched any more


def test_watch_in_an_accounts_channel_needs_no_customer_and_its_csm_hears(
    hiyoko: Hiyoko, fake_slack: FakeSlack
) -> None:
    with_accounts(hiyoko, sample_account())
    answer = command(hiyoko, "watch", CUSTOMER_CHANNEL)
    assert CUSTOMER in answer and f"<@{CSM}>" in answer
    answer = command(hiyoko, "unwatch", CUSTOMER_CHANNEL)
    assert "Accounts" in answer  # still listened to: the tab names it
    say(hiyoko, fake_slack, HINT)
    assert len(dms(fake_slack, CSM)) == 1


# --- the team's model ----------------------------------------------------------------------------


def test_hearing_train_stores_a_model_the_listener_then_uses(
    hiyoko: Hiyoko, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    store = SuggestionStore(hiyoko.db, clock)
    said = [("ユーザーを増やしたい", True), ("請求書の宛名を変えたい", False)]
    for n in range(24):
        text, hint = said[n % 2]
        outcome, row = store.record(
            NewSuggestion(f"Ev{n}", "CX", f"1.{n:06d}", GUEST, f"顧客{n}", f"顧客{n}", CSM, "egg", "seats", None,
                          0.6, "増やす", "ja", features(f"{text} {n}")),
            14,
        )  # fmt: skip
        assert outcome == "suggested" and row is not None
        assert store.decide(row.id, CSM, SHARED if hint else NOT_HINT, frozenset()).outcome == "decided"
    result = hiyoko.scheduler.run("hearing_train", clock.now())
    assert result.ran and "model" in " ".join(result.lines)
    with hiyoko.db.read() as session:
        [model] = session.scalars(select(HearingModelRow))
        assert model.examples == 24
    listening = Listening(store, hiyoko.settings)
    in_use = listening.detector().model
    assert in_use is not None and in_use.examples == 24


def test_the_fake_reads_a_persons_message_back_as_slack_does(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    event = fake_slack.say(CUSTOMER_CHANNEL, GUEST, HINT, team=GUEST_TEAM)
    page = hiyoko.client.conversations_history(
        channel=CUSTOMER_CHANNEL, oldest=event["ts"], latest=event["ts"], inclusive=True, limit=1
    )
    [message] = page["messages"]
    assert message["user"] == GUEST and message["user_team"] == GUEST_TEAM and "bot_id" not in message
    assert message["text"] == HINT and page["has_more"] is False
    fake_slack.add_channel("CNOTIN", "not-in", bot_is_member=False)
    with pytest.raises(Exception, match="not_in_channel"):
        hiyoko.client.conversations_history(channel="CNOTIN", limit=1)
    with pytest.raises(Exception, match="channel_not_found"):
        hiyoko.client.conversations_history(channel="CNOWHERE", limit=1)
    assert event["channel_type"] == "group" and datetime.fromtimestamp(float(event["ts"]))


# --- doctor and accounts check: channels hiyoko cannot hear --------------------------------------


def test_doctor_and_accounts_check_name_a_listened_channel_hiyoko_is_not_in(
    hiyoko: Hiyoko,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_slack.scopes = sorted(set(DEFAULT_SCOPES) | set(manifest_scopes(MANIFEST)))
    fake_slack.add_channel("CNOTIN", "ext-notin", bot_is_member=False)
    settings = hiyoko.settings.model_copy(update={"hiyoko_language": "en"})
    store = SuggestionStore(hiyoko.db, hiyoko.clock)
    store.watch(OTHER_CHANNEL, "アザー工業", OTHER_AE)
    code, out = run_cli(monkeypatch, tmp_path, settings, capsys, "doctor")
    assert "✅ 👂 1 channel(s) listened to; hiyoko is a member of each." in out.splitlines()
    store.watch("CNOTIN", "ノットイン社", OTHER_AE)
    code, out = run_cli(monkeypatch, tmp_path, settings, capsys, "doctor")
    lines = out.splitlines()
    at = lines.index("❌ 👂 CNOTIN (ノットイン社): hiyoko is not a member, so it hears nothing there")
    assert lines[at + 1] == "   → In Slack, open that channel and send “/invite @hiyoko”."
    assert code == 1
    code, out = run_cli(monkeypatch, tmp_path, settings, capsys, "accounts", "check")
    assert "👂 CNOTIN (ノットイン社): hiyoko is not a member, so it hears nothing there" in out
    assert "OTHER" not in out.replace(OTHER_AE, "")  # the channel hiyoko is in is not named


# --- what the customer already has, a thread reply, a manager ------------------------------------


def test_the_accounts_products_and_plan_columns_are_read_and_tell_the_detector_what_is_owned(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str, clock: FixedClock
) -> None:
    header = ["顧客名", "CSM", "チャンネル", "製品", "プラン"]
    row = [CUSTOMER, CSM, CUSTOMER_CHANNEL, "ゲンバチェック、 GenbaCam,", "スタンダード"]
    reading = read_accounts([header, row], PeopleIndex([DirectoryUser(CSM, "佐藤")]))
    [record] = reading.records
    assert record.products == ("ゲンバチェック", "GenbaCam") and record.plan == "スタンダード"
    settings = make_settings(
        tmp_path,
        fake_slack,
        fake_sheets,
        database_url=database_url,
        hiyoko_products="ゲンバチェック|GenbaCheck;ゲンバカメラ|GenbaCam",
        hiyoko_plans="スタンダード|Standard;プロ|Pro",
    )
    hiyoko = build(settings, clock)
    try:
        on_pro = AccountRecord(3, Account("アザー工業", csm=CSM, channel=OTHER_CHANNEL), plan="プロ")
        with_accounts(hiyoko, record, on_pro)
        say(hiyoko, fake_slack, "プロプランにしたいです", channel=OTHER_CHANNEL)  # they have it already
        assert suggestions(hiyoko) == []
        say(hiyoko, fake_slack, "プロプランにしたいです")
        [heard] = suggestions(hiyoko)
        assert heard.customer == CUSTOMER and heard.category == "plan"
    finally:
        hiyoko.db.dispose()


def test_a_thread_reply_is_quoted_from_its_thread_and_a_manager_may_decide(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str, clock: FixedClock
) -> None:
    settings = make_settings(tmp_path, fake_slack, fake_sheets, database_url=database_url, hiyoko_managers="UBOSS")
    fake_slack.add_user("UBOSS", "boss")
    hiyoko = build(settings, clock)
    try:
        with_accounts(hiyoko, sample_account())
        parent = fake_slack.say(CUSTOMER_CHANNEL, CSM, "来月のご契約更新についてご相談です", team=TEAM["id"])
        say(hiyoko, fake_slack, HINT, thread_ts=parent["ts"])
        [dm] = dms(fake_slack)
        [row] = suggestions(hiyoko)
        assert f"thread_ts={parent['ts']}" in row.permalink
        assert f"> {HINT}" in text_of(dm)  # read with conversations.replies: history holds no replies
        click(hiyoko, fake_slack, "UBOSS", "suggestion_dismiss", dm)
        click(hiyoko, fake_slack, "UBOSS", "suggestion_not_hint", fake_slack.messages(CSM)[0])
        [row] = suggestions(hiyoko)
        assert row.state == NOT_HINT and row.decided_by == "UBOSS"
        assert "<@UBOSS>" in text_of(fake_slack.messages(CSM)[0])
    finally:
        hiyoko.db.dispose()


def test_a_retried_delivery_finds_its_dm_and_a_deleted_message_is_not_quoted(
    hiyoko: Hiyoko, fake_slack: FakeSlack
) -> None:
    with_accounts(hiyoko, sample_account())
    event = fake_slack.say(CUSTOMER_CHANNEL, GUEST, HINT, team=GUEST_TEAM)
    deliver_event(hiyoko, event)
    settle(hiyoko)
    hiyoko.client.chat_delete(channel=CUSTOMER_CHANNEL, ts=event["ts"])  # gone before the relay ran
    hiyoko.relay.drain()
    [dm] = dms(fake_slack)
    assert f"> {HINT}" not in text_of(dm) and "読めませんでした" in text_of(dm)  # said, not quoted
    assert "suggestion_share" in buttons(dm)
    [row] = suggestions(hiyoko)
    delivery = SuggestionDelivery(hiyoko.client, SuggestionStore(hiyoko.db, hiyoko.clock), hiyoko.users, "ja", Pacer(0))
    delivery.deliver(row.id, retried=True)  # cut off after Slack took the post: found, not sent again
    assert len(dms(fake_slack)) == 1


def test_jobs_run_hearing_train_from_the_command_line(
    hiyoko: Hiyoko, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_cli(monkeypatch, tmp_path, hiyoko.settings, capsys, "jobs", "run", "hearing_train")
    assert code == 0 and "hearing_train: 0 example(s), 0 hint(s) — too few to learn from" in out
    code, out = run_cli(monkeypatch, tmp_path, hiyoko.settings, capsys, "jobs", "list")
    assert code == 0 and "hearing_train | every 24 h |" in out


def test_the_channels_in_memory_are_read_again_once_stale(hiyoko: Hiyoko) -> None:
    now = [100.0]
    store = SuggestionStore(hiyoko.db, hiyoko.clock)
    listening = Listening(store, hiyoko.settings, refresh_seconds=60, monotonic=lambda: now[0])
    assert not listening.listens_to(OTHER_CHANNEL)
    store.watch(OTHER_CHANNEL, "アザー工業", OTHER_AE)  # another process (an Accounts refresh, say)
    now[0] += 59
    assert not listening.listens_to(OTHER_CHANNEL)  # memory: no database read per event
    now[0] += 1
    assert listening.listens_to(OTHER_CHANNEL)


def test_two_deliveries_of_one_message_at_once_record_one_suggestion(hiyoko: Hiyoko) -> None:
    """Slack may deliver a message twice at the same moment (a retry racing the first try): the
    unique (channel, ts) and event id keep one; the other finds it or meets the constraint."""
    store = SuggestionStore(hiyoko.db, hiyoko.clock)
    for attempt in range(10):
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def record(
            customer: str,
            event_id: str,
            ts: str = f"9.{attempt:06d}",
            start: threading.Barrier = start,
            outcomes: list[str] = outcomes,
        ) -> None:
            new = NewSuggestion(
                event_id,
                "CRACE",
                ts,
                GUEST,
                customer,
                customer,
                CSM,
                "egg",
                "seats",
                None,
                0.9,
                "増やしたい",
                "ja",
                [1, 2],
            )
            start.wait()
            outcomes.append(store.record(new, 14)[0])  # fmt: skip

        # Different customers (no shared lock), one message: only the unique constraint decides.
        threads = [threading.Thread(target=record, args=(f"顧客A{attempt}", f"EvA{attempt}")),
                   threading.Thread(target=record, args=(f"顧客B{attempt}", f"EvB{attempt}"))]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["seen", "suggested"]
    assert len(suggestions(hiyoko)) == 10
