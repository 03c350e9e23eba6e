"""The CRM hand-off end to end (issue 15): the real Bolt app, the relay and its CRM lane, and the
gateways with the real client libraries against the local fakes of HubSpot and Salesforce.

A hatch makes one deal however the CRM fails or the relay dies; won/lost travel both ways once;
nothing loops."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, MutableMapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import cli
from app import Hiyoko, asgi, start_directory_fill
from cli.doctor import FAIL, OK, Doctor, render
from fakes.hubspot_api import FakeHubSpot
from fakes.process import app_env, free_port, post_signed, running_app
from fakes.salesforce_api import FakeSalesforce, rsa_key_pair
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import interactive_body, modal_state, view_submission
from jobs import tasks
from jobs.crm import draft_of
from jobs.relay import CRM_LANE
from models.accounts import AccountRecord
from models.clock import FixedClock
from models.crm import CRM_ACTOR, outcome_of, owed_at_share, owed_on_change, parse_amount
from models.lifecycle import Action
from models.routing import Account
from models.signal import Kind, Status
from settings import Settings
from store import Target
from store.accounts import AccountStore
from tests.conftest import AE, CHANNEL, CSM, build, dispatch, make_settings, wait_for
from tests.directory import fill_directory
from tests.test_doctor import use_env
from tests.test_lifecycle_flow import click, opened, shared, submit_modal, thread_texts

AE_EMAIL = "tanaka@example.com"
PUBLIC_URL = "https://hiyoko.example.com"
CUSTOMER = "株式会社サンプル"


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def fake_hubspot(clock: FixedClock) -> Iterator[FakeHubSpot]:
    with FakeHubSpot() as fake:
        fake.clock = lambda: clock.now().timestamp()  # webhook timestamps on the test's clock
        yield fake


def hubspot_app(
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    fake_hubspot: FakeHubSpot,
    database_url: str,
    clock: FixedClock,
    **extra: Any,
) -> Hiyoko:
    fake_slack.add_user(AE, "tanaka", display_name="田中", real_name="田中 一郎", email=AE_EMAIL)
    settings = make_settings(
        tmp_path,
        fake_slack,
        fake_sheets,
        database_url=database_url,
        hiyoko_crm="hubspot",
        hubspot_access_token=fake_hubspot.token,
        hubspot_api_url=fake_hubspot.url,
        hubspot_client_secret=fake_hubspot.client_secret,
        hiyoko_public_url=PUBLIC_URL,
        **extra,
    )
    return fill_directory(build(settings, clock))


@pytest.fixture
def hiyoko_hs(
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    fake_hubspot: FakeHubSpot,
    database_url: str,
    clock: FixedClock,
) -> Iterator[Hiyoko]:
    built = hubspot_app(tmp_path, fake_slack, fake_sheets, fake_hubspot, database_url, clock)
    yield built
    built.db.dispose()


# --- helpers ----------------------------------------------------------------------------------


def hatch(hiyoko: Hiyoko, fake_slack: FakeSlack, timing: str = "2027-04-01", views: int = 1) -> None:
    """The owner hatches S-000001 through the card's button and the timing modal."""
    click(hiyoko, AE, "signal_hatch")
    assert submit_modal(hiyoko, AE, opened(fake_slack, views), timing=timing) == {}


def act(hiyoko: Hiyoko, action_id: str, action: str) -> None:
    """The owner clicks a card button; waits for the change (Bolt runs the listener after the ack)."""
    count = actions_of(hiyoko).count(action)
    click(hiyoko, AE, action_id)
    wait_for(lambda: actions_of(hiyoko).count(action) > count)


def hatched(hiyoko: Hiyoko, fake_slack: FakeSlack, **fields: Any) -> dict[str, Any]:
    """An egg shared and delivered, then hatched (not yet delivered); returns its card."""
    card = shared(hiyoko, fake_slack, **fields)
    hatch(hiyoko, fake_slack)
    return card


def crm_rows(hiyoko: Hiyoko, state: str | None = None) -> list[Any]:
    return [r for r in hiyoko.outbox.rows() if r.target == Target.CRM_DEAL.value and state in (None, r.state)]


def deal_writes(fake: FakeHubSpot) -> int:
    """Requests that create or change a deal."""
    return (
        fake.calls_to("POST", "/crm/v3/objects/deals")
        - fake.calls_to("POST", "/crm/v3/objects/deals/search")
        + fake.calls_to("PATCH", "/crm/v3/objects/deals")
    )


def link_buttons(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    card = fake_slack.messages(CHANNEL)[0]
    [actions] = [b for b in card["blocks"] if b["type"] == "actions"]
    return [e for e in actions["elements"] if e.get("action_id") == "signal_open_crm"]


def post_webhook(hiyoko: Hiyoko, body: bytes, headers: dict[str, str]) -> int:
    """POST /crm/hubspot through the app's real ASGI app (Starlette), as uvicorn would call it."""
    app = asgi(hiyoko)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/crm/hubspot",
        "raw_path": b"/crm/hubspot",
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in {**headers, "host": "10.0.0.5:3000"}.items()],
        "server": ("10.0.0.5", 3000),
        "client": ("10.0.0.9", 51000),
    }
    sent: list[MutableMapping[str, Any]] = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return int(next(m["status"] for m in sent if m["type"] == "http.response.start"))


def signed(fake: FakeHubSpot, events: list[dict[str, Any]], **kwargs: Any) -> tuple[bytes, dict[str, str]]:
    return fake.signed_webhook(f"{PUBLIC_URL}/crm/hubspot", events, **kwargs)


def actions_of(hiyoko: Hiyoko, number: int = 1) -> list[str]:
    return [e.action for e in hiyoko.store.events(number)]


# --- to the CRM -------------------------------------------------------------------------------


def test_a_hatch_makes_one_hubspot_deal_with_its_fields_and_the_card_links_it(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot
) -> None:
    owner = fake_hubspot.add_owner(AE_EMAIL, "一郎", "田中")
    company = fake_hubspot.add_company("サンプル工業")  # another name: found by the Accounts tab's CRM ID
    AccountStore(hiyoko_hs.db).replace_all(
        [AccountRecord(2, Account(CUSTOMER, ae=AE, crm_id=company))], hiyoko_hs.clock.now()
    )
    card = shared(hiyoko_hs, fake_slack, size="120万円")
    assert fake_hubspot.deal_list() == [] and crm_rows(hiyoko_hs) == []  # an egg is no deal
    hatch(hiyoko_hs, fake_slack)
    assert [r.state for r in crm_rows(hiyoko_hs)] == ["pending"]  # written with the hatch
    hiyoko_hs.relay.drain()

    [deal] = fake_hubspot.deal_list()
    props = deal["properties"]
    assert props["dealname"] == f"{CUSTOMER} · 席数追加 (S-000001)"
    assert props["hiyoko_signal_id"] == "S-000001"
    assert props["amount"] == "1200000"
    assert props["closedate"].startswith("2027-04-01")
    assert props["hubspot_owner_id"] == owner
    assert props["pipeline"] == "default" and props["dealstage"] == "appointmentscheduled"
    assert (deal["id"], company) in fake_hubspot.associations
    signal = hiyoko_hs.store.get(1)
    assert signal is not None and signal.crm_url and signal.crm_url.endswith(f"/deal/{deal['id']}")
    assert thread_texts(fake_slack, card)[-1] == "🤝 HubSpotに商談を作りました"
    [link] = link_buttons(fake_slack)
    assert link["url"] == signal.crm_url and link["text"]["text"] == "HubSpotで開く"
    assert actions_of(hiyoko_hs)[-1] == "crm_deal"

    writes = deal_writes(fake_hubspot)
    hiyoko_hs.relay.drain()
    assert deal_writes(fake_hubspot) == writes and len(fake_hubspot.deal_list()) == 1


def test_no_company_found_is_said_in_the_thread(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot
) -> None:
    card = hatched(hiyoko_hs, fake_slack, size="50席")
    hiyoko_hs.relay.drain()
    [deal] = fake_hubspot.deal_list()
    assert "amount" not in deal["properties"] or not deal["properties"]["amount"]  # seats are no amount
    line = thread_texts(fake_slack, card)[-1]
    assert line.startswith("🤝 HubSpotに商談を作りました")
    assert "顧客 株式会社サンプル に当たる会社がHubSpotに見つからなかった" in line
    assert "担当者は未設定" in line  # no HubSpot owner has the AE's e-mail


def test_the_crm_answering_500_then_200_makes_one_deal(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot, clock: FixedClock
) -> None:
    shared(hiyoko_hs, fake_slack)
    hatch(hiyoko_hs, fake_slack)
    fake_hubspot.fail_next(1, 500)
    stats = hiyoko_hs.relay.drain()
    assert stats.failed == 1 and fake_hubspot.deal_list() == []
    [row] = crm_rows(hiyoko_hs)
    assert row.state == "pending" and "500" in row.last_error
    clock.advance(minutes=1)
    hiyoko_hs.relay.drain()
    assert len(fake_hubspot.deal_list()) == 1 and [r.state for r in crm_rows(hiyoko_hs)] == ["done"]


def test_hubspot_429_waits_as_told(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot, clock: FixedClock
) -> None:
    hatched(hiyoko_hs, fake_slack)
    fake_hubspot.fail_next(1, 429)
    hiyoko_hs.relay.drain()
    clock.advance(seconds=5)  # past any backoff of a first failure, not past HubSpot's ten-second window
    hiyoko_hs.relay.drain()
    assert fake_hubspot.deal_list() == []
    clock.advance(seconds=6)
    hiyoko_hs.relay.drain()
    assert len(fake_hubspot.deal_list()) == 1


def test_a_permanent_refusal_is_a_dead_letter_at_once_with_the_admin_alert(
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    fake_hubspot: FakeHubSpot,
    database_url: str,
    clock: FixedClock,
) -> None:
    fake_slack.add_channel("CADMIN", "hiyoko-admins")
    hiyoko = hubspot_app(
        tmp_path, fake_slack, fake_sheets, fake_hubspot, database_url, clock, hiyoko_admin_channel_id="CADMIN"
    )
    try:
        fake_hubspot.scopes.discard("crm.objects.deals.write")
        hatched(hiyoko, fake_slack)
        hiyoko.relay.drain()
        [row] = crm_rows(hiyoko)
        assert row.state == "dead" and row.attempts == 1 and "403" in row.last_error
        [alert] = fake_slack.messages("CADMIN")
        assert "crm_deal" in alert["text"] and "S-000001" in alert["text"]
    finally:
        hiyoko.db.dispose()


def test_a_relay_dying_mid_call_makes_one_deal(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot, clock: FixedClock
) -> None:
    card = hatched(hiyoko_hs, fake_slack)
    hiyoko_hs.relay.run_once(((Target.POST_CARD, Target.THREAD_LINE, Target.NOTIFY_OWNER),))
    # The first relay claims the row and calls HubSpot, which makes the deal; then it dies
    # before it can record anything.
    [claimed] = hiyoko_hs.outbox.claim(clock.now(), targets=[Target.CRM_DEAL])
    assert hiyoko_hs.crm is not None
    source = hiyoko_hs.crm.store.source(1)
    assert source is not None
    hiyoko_hs.crm.gateway.upsert(draft_of(source, "open", "ja"))
    assert len(fake_hubspot.deal_list()) == 1
    assert hiyoko_hs.relay.drain().by_target.get(Target.CRM_DEAL.value) is None  # still leased to the dead one
    clock.advance(seconds=hiyoko_hs.outbox.lease.total_seconds() + 1)
    hiyoko_hs.relay.drain()  # another relay
    [deal] = fake_hubspot.deal_list()
    signal = hiyoko_hs.store.get(1)
    assert signal is not None and signal.crm_url and signal.crm_url.endswith(deal["id"])
    assert [r.state for r in crm_rows(hiyoko_hs)] == ["done"] and claimed.attempts == 1
    assert thread_texts(fake_slack, card)[-1].startswith("🤝 HubSpotに商談を作りました")


def test_a_relay_whose_lease_was_taken_over_never_calls_the_crm(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot, clock: FixedClock
) -> None:
    hatched(hiyoko_hs, fake_slack)
    hiyoko_hs.relay.run_once(((Target.POST_CARD, Target.THREAD_LINE, Target.NOTIFY_OWNER),))
    [stalled] = hiyoko_hs.outbox.claim(clock.now(), targets=[Target.CRM_DEAL])
    clock.advance(seconds=hiyoko_hs.outbox.lease.total_seconds() + 1)
    [taken] = hiyoko_hs.outbox.claim(clock.now(), targets=[Target.CRM_DEAL])  # another relay
    calls = len(fake_hubspot.calls)
    stats = hiyoko_hs.relay._deliver_to_crm([stalled])  # the stalled relay wakes up
    assert fake_hubspot.calls[calls:] == [] and stats.delivered == 0
    assert hiyoko_hs.outbox.owned([taken], clock.now()) == {taken.id}


def test_the_crm_down_for_ten_minutes_loses_nothing(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot, clock: FixedClock
) -> None:
    shared(hiyoko_hs, fake_slack)
    fake_hubspot.down()
    hatch(hiyoko_hs, fake_slack)
    for _ in range(20):  # ten minutes of drains, every 30 s
        hiyoko_hs.relay.drain()
        clock.advance(seconds=30)
    [row] = crm_rows(hiyoko_hs)
    assert row.state == "pending" and row.attempts >= 3 and fake_hubspot.deal_list() == []
    fake_hubspot.up()
    for _ in range(40):  # the next attempt is at most the capped backoff away
        hiyoko_hs.relay.drain()
        if fake_hubspot.deal_list():
            break
        clock.advance(seconds=30)
    assert len(fake_hubspot.deal_list()) == 1
    assert [r.state for r in crm_rows(hiyoko_hs)] == ["done"]
    assert hiyoko_hs.outbox.counts().get("dead", 0) == 0


def test_crm_on_share_hands_chicks_over_at_share_and_eggs_when_they_hatch(
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    fake_hubspot: FakeHubSpot,
    database_url: str,
    clock: FixedClock,
) -> None:
    hiyoko = hubspot_app(tmp_path, fake_slack, fake_sheets, fake_hubspot, database_url, clock, hiyoko_crm_on="share")
    try:
        body = dispatch(hiyoko, view_submission(CSM, modal_state(kind="chick", timing="2027-01-15"), view_id="VCHICK"))
        assert body.status == 200
        hiyoko.relay.run_once((CRM_LANE,))  # the CRM lane first: the deal waits for the card's permalink
        assert fake_hubspot.deal_list() == [] and [r.attempts for r in crm_rows(hiyoko)] == [0]
        hiyoko.relay.drain()  # the card
        clock.advance(seconds=2)
        hiyoko.relay.drain()
        [deal] = fake_hubspot.deal_list()
        signal = hiyoko.store.get(1)
        assert deal["properties"]["hiyoko_signal_id"] == "S-000001"
        assert signal is not None and deal["properties"]["description"] == signal.card_permalink
        shared(hiyoko, fake_slack, customer="エッグ物産")
        assert len(fake_hubspot.deal_list()) == 1  # an egg waits for its hatch
        click(hiyoko, AE, "signal_hatch", value="S-000002")
        assert submit_modal(hiyoko, AE, opened(fake_slack, 1), timing="2027-02-01") == {}
        hiyoko.relay.drain()
        assert [d["properties"]["hiyoko_signal_id"] for d in fake_hubspot.deal_list()] == ["S-000001", "S-000002"]
    finally:
        hiyoko.db.dispose()


def test_without_a_crm_nothing_is_handed_off(hiyoko: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot) -> None:
    fill_directory(hiyoko)
    hatched(hiyoko, fake_slack)
    hiyoko.relay.drain()
    assert crm_rows(hiyoko) == [] and fake_hubspot.calls == [] and link_buttons(fake_slack) == []


# --- both ways ----------------------------------------------------------------------------------


def test_won_in_slack_moves_the_deal_and_reopen_moves_it_back(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot
) -> None:
    hatched(hiyoko_hs, fake_slack)
    hiyoko_hs.relay.drain()
    act(hiyoko_hs, "signal_won", "win")
    hiyoko_hs.relay.drain()
    [deal] = fake_hubspot.deal_list()
    assert deal["properties"]["dealstage"] == "closedwon"
    act(hiyoko_hs, "signal_reopen", "reopen")
    hiyoko_hs.relay.drain()
    assert fake_hubspot.deal_list()[0]["properties"]["dealstage"] == "appointmentscheduled"


def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot, clock: FixedClock
) -> None:
    hatched(hiyoko_hs, fake_slack)
    hiyoko_hs.relay.drain()
    [deal] = fake_hubspot.deal_list()
    event = fake_hubspot.move_deal(deal["id"], "closedwon")
    for body, headers in (
        signed(fake_hubspot, [event], secret="not-the-secret"),
        signed(fake_hubspot, [event], timestamp_ms=int((clock.now() - timedelta(minutes=6)).timestamp() * 1000)),
        (json.dumps([event]).encode(), {"Content-Type": "application/json"}),
    ):
        assert post_webhook(hiyoko_hs, body, headers) == 401
    body, headers = signed(fake_hubspot, [event])
    assert post_webhook(hiyoko_hs, body + b" ", headers) == 401  # the body is not what was signed
    signal = hiyoko_hs.store.get(1)
    assert signal is not None and signal.status.value == "open"
    assert "win" not in actions_of(hiyoko_hs)


def test_won_in_hubspot_closes_the_signal_once_and_nothing_goes_back(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot
) -> None:
    card = hatched(hiyoko_hs, fake_slack)
    hiyoko_hs.relay.drain()
    [deal] = fake_hubspot.deal_list()
    writes, rows = deal_writes(fake_hubspot), len(crm_rows(hiyoko_hs))
    event = fake_hubspot.move_deal(deal["id"], "closedwon")
    body, headers = signed(fake_hubspot, [event])
    assert post_webhook(hiyoko_hs, body, headers) == 200
    assert post_webhook(hiyoko_hs, body, headers) == 200  # HubSpot retries the same batch
    hiyoko_hs.relay.drain()
    signal = hiyoko_hs.store.get(1)
    assert signal is not None and signal.status.value == "won"
    assert actions_of(hiyoko_hs).count("win") == 1
    assert thread_texts(fake_slack, card)[-1] == "🎉 HubSpotで受注になりました"
    assert len(crm_rows(hiyoko_hs)) == rows  # a change made by the CRM owes the CRM nothing
    assert deal_writes(fake_hubspot) == writes  # and nothing went back
    # A second event for the same stage (another subscription, a replay with a new id): no change.
    again = fake_hubspot.move_deal(deal["id"], "closedwon")
    assert post_webhook(hiyoko_hs, *signed(fake_hubspot, [again])) == 200
    assert actions_of(hiyoko_hs).count("win") == 1


def test_reopened_in_slack_after_won_in_hubspot_moves_the_deal_back(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot
) -> None:
    hatched(hiyoko_hs, fake_slack)
    hiyoko_hs.relay.drain()
    [deal] = fake_hubspot.deal_list()
    assert post_webhook(hiyoko_hs, *signed(fake_hubspot, [fake_hubspot.move_deal(deal["id"], "closedwon")])) == 200
    hiyoko_hs.relay.drain()
    act(hiyoko_hs, "signal_reopen", "reopen")  # the CRM said won: the signal's open again is news to it
    hiyoko_hs.relay.drain()
    assert fake_hubspot.deal_list()[0]["properties"]["dealstage"] == "appointmentscheduled"


def test_a_late_echo_of_our_own_stage_change_does_not_undo_a_newer_one_in_slack(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot, clock: FixedClock
) -> None:
    hatched(hiyoko_hs, fake_slack)
    hiyoko_hs.relay.drain()
    [deal] = fake_hubspot.deal_list()
    clock.advance(minutes=1)
    act(hiyoko_hs, "signal_won", "win")
    hiyoko_hs.relay.drain()  # HubSpot: closedwon, and its webhook for that change is on its way
    echo = fake_hubspot.move_deal(deal["id"], "closedwon", change_source="INTEGRATION")
    clock.advance(minutes=1)
    act(hiyoko_hs, "signal_reopen", "reopen")
    hiyoko_hs.relay.drain()
    assert post_webhook(hiyoko_hs, *signed(fake_hubspot, [echo])) == 200  # arrives late
    signal = hiyoko_hs.store.get(1)
    assert signal is not None and signal.status.value == "open"
    assert fake_hubspot.deal_list()[0]["properties"]["dealstage"] == "appointmentscheduled"


def test_lost_in_hubspot_loses_the_signal_with_the_crm_as_reason(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot
) -> None:
    card = hatched(hiyoko_hs, fake_slack)
    hiyoko_hs.relay.drain()
    [deal] = fake_hubspot.deal_list()
    assert post_webhook(hiyoko_hs, *signed(fake_hubspot, [fake_hubspot.move_deal(deal["id"], "closedlost")])) == 200
    hiyoko_hs.relay.drain()
    signal = hiyoko_hs.store.get(1)
    assert signal is not None and signal.status.value == "lost" and signal.close_reason == "HubSpotで失注"
    assert thread_texts(fake_slack, card)[-1] == "🥀 HubSpotで失注になりました"


def test_a_webhook_that_cannot_be_recorded_is_answered_500_and_heard_when_sent_again(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot, clock: FixedClock
) -> None:
    hatched(hiyoko_hs, fake_slack)
    hiyoko_hs.relay.drain()
    [deal] = fake_hubspot.deal_list()
    event = fake_hubspot.move_deal(deal["id"], "closedwon")
    restarted = build(hiyoko_hs.settings, clock)  # a fresh process: the pipeline's stages not read yet
    try:
        fake_hubspot.down()
        assert post_webhook(restarted, *signed(fake_hubspot, [event])) == 500
        assert "win" not in actions_of(restarted)
        fake_hubspot.up()
        assert post_webhook(restarted, *signed(fake_hubspot, [event])) == 200  # HubSpot's retry
        assert actions_of(restarted).count("win") == 1
    finally:
        restarted.db.dispose()


def test_a_process_warms_its_crm_up_at_start_so_a_webhook_asks_hubspot_nothing(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot, clock: FixedClock
) -> None:
    hatched(hiyoko_hs, fake_slack)
    hiyoko_hs.relay.drain()
    [deal] = fake_hubspot.deal_list()
    event = fake_hubspot.move_deal(deal["id"], "closedwon")
    restarted = build(hiyoko_hs.settings, clock)
    try:
        start_directory_fill(restarted).join(timeout=10)  # what serve() starts in the background
        before = len(fake_hubspot.calls)
        assert post_webhook(restarted, *signed(fake_hubspot, [event])) == 200
        assert fake_hubspot.calls[before:] == []  # the pipeline's stages were read at start
        assert actions_of(restarted).count("win") == 1
    finally:
        restarted.db.dispose()


def test_a_webhook_for_a_deal_being_recorded_is_asked_again_and_then_applied(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot, clock: FixedClock
) -> None:
    hatched(hiyoko_hs, fake_slack)
    hiyoko_hs.relay.run_once(((Target.POST_CARD, Target.THREAD_LINE, Target.NOTIFY_OWNER),))
    # A relay has made the deal in HubSpot but not yet recorded its id when a rep wins it there.
    hiyoko_hs.outbox.claim(clock.now(), targets=[Target.CRM_DEAL])
    assert hiyoko_hs.crm is not None
    source = hiyoko_hs.crm.store.source(1)
    assert source is not None
    hiyoko_hs.crm.gateway.upsert(draft_of(source, "open", "ja"))
    [deal] = fake_hubspot.deal_list()
    event = fake_hubspot.move_deal(deal["id"], "closedwon")
    assert post_webhook(hiyoko_hs, *signed(fake_hubspot, [event])) == 503  # send it again, please
    clock.advance(seconds=hiyoko_hs.outbox.lease.total_seconds() + 1)
    hiyoko_hs.relay.drain()  # the deal's id recorded
    assert post_webhook(hiyoko_hs, *signed(fake_hubspot, [event])) == 200  # HubSpot's retry
    signal = hiyoko_hs.store.get(1)
    assert signal is not None and signal.status.value == "won" and actions_of(hiyoko_hs).count("win") == 1


def test_a_webhook_for_an_unknown_deal_is_ignored(
    hiyoko_hs: Hiyoko, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot
) -> None:
    hatched(hiyoko_hs, fake_slack)
    hiyoko_hs.relay.drain()
    event = {**fake_hubspot.move_deal(fake_hubspot.deal_list()[0]["id"], "closedwon"), "objectId": 123}
    assert post_webhook(hiyoko_hs, *signed(fake_hubspot, [event])) == 200
    assert "win" not in actions_of(hiyoko_hs)


# --- Salesforce -------------------------------------------------------------------------------


@pytest.fixture
def fake_salesforce(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSalesforce]:
    private, public = rsa_key_pair()
    (tmp_path / "salesforce.key").write_bytes(private)
    with FakeSalesforce(public_key_pem=public) as fake:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_file))  # the fake's own CA, as an admin would
        yield fake


def salesforce_app(
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    fake: FakeSalesforce,
    database_url: str,
    clock: FixedClock,
    *,
    jwt: bool = True,
) -> Hiyoko:
    fake_slack.add_user(AE, "tanaka", display_name="田中", real_name="田中 一郎", email=AE_EMAIL)
    login: dict[str, Any] = (
        {"salesforce_private_key_file": tmp_path / "salesforce.key"}
        if jwt
        else {
            "salesforce_consumer_secret": fake.consumer_secret,
            "salesforce_password": fake.password,
            "salesforce_security_token": fake.security_token,
        }
    )
    settings = make_settings(
        tmp_path,
        fake_slack,
        fake_sheets,
        database_url=database_url,
        hiyoko_crm="salesforce",
        salesforce_login_url=fake.url,
        salesforce_consumer_key=fake.consumer_key,
        salesforce_username=fake.username,
        **login,
    )
    return fill_directory(build(settings, clock))


def test_a_hatch_makes_one_salesforce_opportunity_and_the_card_links_it(
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    fake_salesforce: FakeSalesforce,
    database_url: str,
    clock: FixedClock,
) -> None:
    hiyoko = salesforce_app(tmp_path, fake_slack, fake_sheets, fake_salesforce, database_url, clock)
    try:
        owner = fake_salesforce.add_user(AE_EMAIL, "田中 一郎")
        account = fake_salesforce.add_account("サンプル工業")
        AccountStore(hiyoko.db).replace_all([AccountRecord(2, Account(CUSTOMER, ae=AE, crm_id=account))], clock.now())
        card = shared(hiyoko, fake_slack, size="¥500k")
        hatch(hiyoko, fake_slack)
        hiyoko.relay.drain()
        [opportunity] = fake_salesforce.opportunities()
        assert opportunity["Name"] == f"{CUSTOMER} · 席数追加 (S-000001)"
        assert opportunity["Hiyoko_Signal_Id__c"] == "S-000001"
        assert float(opportunity["Amount"]) == 500_000 and str(opportunity["CloseDate"]) == "2027-04-01"
        assert opportunity["OwnerId"] == owner and opportunity["AccountId"] == account
        assert opportunity["StageName"] == "Prospecting"
        assert fake_salesforce.grants and set(fake_salesforce.grants) == {"jwt"}
        assert thread_texts(fake_slack, card)[-1] == "🤝 Salesforceに商談を作りました"
        [link] = link_buttons(fake_slack)
        assert link["text"]["text"] == "Salesforceで開く" and opportunity["Id"] in link["url"]
        calls = len(fake_salesforce.calls)
        hiyoko.relay.drain()
        assert len(fake_salesforce.calls) == calls
    finally:
        hiyoko.db.dispose()


def test_salesforce_doing_the_work_then_answering_500_makes_one_opportunity(
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    fake_salesforce: FakeSalesforce,
    database_url: str,
    clock: FixedClock,
) -> None:
    hiyoko = salesforce_app(tmp_path, fake_slack, fake_sheets, fake_salesforce, database_url, clock, jwt=False)
    try:
        hatched(hiyoko, fake_slack)
        fake_salesforce.fail_next(1, 500, after=True, method="PATCH")  # the upsert's answer is lost
        assert hiyoko.relay.drain().failed == 1
        assert len(fake_salesforce.opportunities()) == 1
        clock.advance(minutes=1)
        hiyoko.relay.drain()
        assert len(fake_salesforce.opportunities()) == 1 and [r.state for r in crm_rows(hiyoko)] == ["done"]
    finally:
        hiyoko.db.dispose()


def test_won_in_salesforce_is_polled_and_closes_the_signal_once(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_sheets: FakeSheets,
    fake_salesforce: FakeSalesforce,
    database_url: str,
    clock: FixedClock,
) -> None:
    hiyoko = salesforce_app(tmp_path, fake_slack, fake_sheets, fake_salesforce, database_url, clock, jwt=False)
    try:
        card = hatched(hiyoko, fake_slack)
        hiyoko.relay.drain()
        assert hiyoko.scheduler.run("crm_sync").ran  # the first poll only marks where it starts
        assert hiyoko.crm is not None
        before = hiyoko.crm.store.cursor("salesforce")
        assert before
        [opportunity] = fake_salesforce.opportunities()
        fake_salesforce.set_stage(opportunity["Id"], "Closed Won")
        clock.advance(minutes=5)
        use_env(monkeypatch, tmp_path, hiyoko.settings)  # `hiyoko jobs run crm_sync`, as an operator would
        assert cli.main(["jobs", "run", "crm_sync"]) == 0
        assert "crm_sync: Salesforce: applied 1" in capsys.readouterr().out
        hiyoko.crm.store.set_cursor("salesforce", before)  # a second replica's poll, overlapping
        assert tasks.crm_sync(hiyoko.scheduler.ctx, clock.now(), False) == ["crm_sync: Salesforce: seen 1"]
        clock.advance(days=365)  # the CLI queued its thread line on the wall clock, ahead of the test's
        hiyoko.relay.drain()
        signal = hiyoko.store.get(1)
        assert signal is not None and signal.status.value == "won"
        assert actions_of(hiyoko).count("win") == 1
        assert thread_texts(fake_slack, card)[-1] == "🎉 Salesforceで受注になりました"
        patches = [c for c in fake_salesforce.calls if c[0] == "PATCH"]
        hiyoko.relay.drain()
        assert [c for c in fake_salesforce.calls if c[0] == "PATCH"] == patches  # nothing went back

        # Reopened in Slack; before the relay tells Salesforce, a rep edits the (still won)
        # opportunity: the poll sees it changed, but "won" is what was agreed — no news.
        act(hiyoko, "signal_reopen", "reopen")
        fake_salesforce.clock = lambda: clock.now().timestamp() + 60  # the edit comes after the reopen
        fake_salesforce.set_stage(opportunity["Id"], "Closed Won")
        assert tasks.crm_sync(hiyoko.scheduler.ctx, clock.now(), False) == ["crm_sync: Salesforce: stale 1"]
        hiyoko.relay.drain()
        signal = hiyoko.store.get(1)
        assert signal is not None and signal.status.value == "open"
        assert fake_salesforce.opportunities()[0]["StageName"] == "Prospecting"
    finally:
        hiyoko.db.dispose()


# --- hiyoko doctor ----------------------------------------------------------------------------


def test_doctor_prints_each_crm_check_and_fails_when_one_fails(hiyoko_hs: Hiyoko, fake_hubspot: FakeHubSpot) -> None:
    doctor = Doctor(hiyoko_hs.settings, "en")
    lines = doctor.crm_checks()
    text = render(lines, "en")
    assert [c.status for c in lines] == [OK] * 6, text
    assert "HubSpot token: portal 62515" in text and "pipeline default and its stages" in text
    fake_hubspot.scopes.discard("crm.objects.owners.read")
    lines = doctor.crm_checks()
    [failed] = [c for c in lines if c.status == FAIL]
    assert "crm.objects.owners.read" in failed.text and "403" in failed.fix


def test_doctor_names_the_crm_settings_that_are_missing(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, hiyoko_crm="salesforce", salesforce_username="a@example.com")  # type: ignore[call-arg]
    [line] = Doctor(settings, "en").crm_checks()
    assert line.status == FAIL and "SALESFORCE_CONSUMER_KEY" in line.text and "SALESFORCE_PRIVATE_KEY_FILE" in line.text
    assert Doctor(Settings(_env_file=None), "en").crm_checks() == []  # type: ignore[call-arg]


def test_doctor_says_won_and_lost_in_hubspot_cannot_come_back_without_the_webhook(
    hiyoko_hs: Hiyoko, fake_hubspot: FakeHubSpot
) -> None:
    for settings in (
        hiyoko_hs.settings.model_copy(update={"hubspot_client_secret": None}),
        hiyoko_hs.settings.model_copy(update={"slack_app_token": "xapp-1"}),  # Socket Mode: no HTTP server
    ):
        lines = Doctor(settings, "en").crm_checks()
        [failed] = [c for c in lines if c.status == FAIL]
        assert "will not come back" in failed.text and "/crm/hubspot" in failed.fix


# --- the pure rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "amount"),
    [
        ("120万円", "1200000"),
        ("1,200,000", "1200000"),
        ("¥500k", "500000"),
        ("$10k", "10000"),
        ("3.5百万円", "3500000"),
        ("１２０万円", "1200000"),  # full width, as typed on a Japanese keyboard
        ("2億", "200000000"),
        ("50席", None),
        ("約100万", None),
        ("100-200万", None),
        ("12,00", None),
        ("0", None),
        ("", None),
    ],
)
def test_an_amount_is_read_only_when_the_whole_size_is_one(size: str, amount: str | None) -> None:
    parsed = parse_amount(size)
    assert (str(parsed) if parsed is not None else None) == amount


def test_what_owes_the_crm() -> None:
    assert owed_at_share("share", Kind.CHICK) and not owed_at_share("share", Kind.EGG)
    assert not owed_at_share("hatch", Kind.CHICK) and not owed_at_share(None, Kind.CHICK)
    assert owed_on_change("hatch", Action.HATCH, AE, has_deal=False)
    assert owed_on_change("share", Action.HATCH, AE, has_deal=False)
    assert not owed_on_change(None, Action.HATCH, AE, has_deal=False)
    for action in (Action.WIN, Action.LOSE, Action.DROP, Action.REOPEN):
        assert owed_on_change("hatch", action, AE, has_deal=True)
        assert not owed_on_change("hatch", action, AE, has_deal=False)
        assert not owed_on_change("hatch", action, CRM_ACTOR, has_deal=True)  # no loop
    assert not owed_on_change("hatch", Action.EDIT, AE, has_deal=True)
    assert [outcome_of(s) for s in Status] == ["open", "won", "lost", "lost"]


# --- as an operator runs it ---------------------------------------------------------------------


def test_hiyoko_run_hands_a_chick_to_hubspot_and_hears_its_webhook(
    tmp_path: Path, fake_slack: FakeSlack, fake_hubspot: FakeHubSpot
) -> None:
    """`hiyoko run` in HTTP mode, on the wall clock: a chick shared with HIYOKO_CRM_ON=share becomes
    a deal; POST /crm/hubspot refuses a forged request and applies a signed one."""
    fake_hubspot.clock = time.time
    fake_slack.add_user(AE, "tanaka", display_name="田中", email=AE_EMAIL)
    env = app_env(
        slack_url=fake_slack.url,
        database_url=f"sqlite:///{tmp_path / 'e2e.db'}",
        channel=CHANNEL,
        port=free_port(),
        xlsx_path=tmp_path / "hiyoko.xlsx",
        HIYOKO_CRM="hubspot",
        HIYOKO_CRM_ON="share",
        HUBSPOT_ACCESS_TOKEN=fake_hubspot.token,
        HUBSPOT_API_URL=fake_hubspot.url,
        HUBSPOT_CLIENT_SECRET=fake_hubspot.client_secret,
    )
    with running_app(env, tmp_path, tmp_path / "app.log") as base:
        body = interactive_body(view_submission(CSM, modal_state(kind="chick", timing="2099-04-01"), view_id="VE2E"))
        assert post_signed(base, body)[0] == 200
        [deal] = wait_for(fake_hubspot.deal_list, timeout=20)
        event = fake_hubspot.move_deal(deal["id"], "closedwon")
        url = f"{base}/crm/hubspot"
        for forged in (fake_hubspot.signed_webhook(url, [event], secret="nope"), (b"[]", {})):
            assert post_crm(url, *forged) == 401
        # HubSpot sends again after a 503 (the deal's id may still be on its way to the database).
        wait_for(lambda: post_crm(url, *fake_hubspot.signed_webhook(url, [event])) == 200, 20)
        [card] = wait_for(lambda: fake_slack.messages(CHANNEL))
        wait_for(lambda: any("HubSpotで受注" in r["text"] for r in fake_slack.replies(CHANNEL, card["ts"])), 20)
    assert "Traceback" not in (tmp_path / "app.log").read_text()


def post_crm(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
