"""Routing end to end: a share without an owner goes to the account's person in the category's
role, else the role's team member with the fewest open signals (ties to the longest waiting);
a chosen owner wins; the card and the owner's thread line say why; replicas agree."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import app
import cli
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import message_shortcut, modal_state, view_submission
from models.clock import FixedClock
from models.customers import normalize_customer
from models.routing import Account, Member, Reason, Role, parse_routing, pick
from models.signal import Category, SignalRecord
from settings import Settings
from store import ChangeRequest, Drop
from store.absences import AbsenceStore
from store.tables import AccountKeyRow, AccountRow
from tests.conftest import AE, CHANNEL, CSM, OTHER_AE, build, dispatch, make_settings, wait_for
from tests.directory import fill_directory
from tests.test_doctor import use_env
from tests.test_workflow_step import function_executed, inputs, results, send

CUSTOMER_CHANNEL = "CCUSTOMER1"
ACCOUNT_CSALES = "UACS"
TEAM = ("UCS1", "UCS2", "UCS3")
SAMPLE = "株式会社サンプル"
ROUTING = parse_routing("")


def add_account(
    hiyoko: app.Hiyoko, customer: str, aliases: list[str], *, ae: str | None, csales: str | None, channel: str | None
) -> None:
    """An Accounts row as engineer A's refresh stores it: the account and each spelling's key."""
    with hiyoko.db.transaction() as session:
        number = session.query(AccountRow).count() + 2
        row = AccountRow(
            row_number=number,
            customer=customer,
            customer_key=normalize_customer(customer),
            ae_id=ae,
            csales_id=csales,
            csm_id=CSM,
            channel_id=channel,
            crm_id="",
            updated_at=hiyoko.clock.now(),
        )
        session.add(row)
        session.flush()
        for key in {normalize_customer(name) for name in [customer, *aliases]}:
            session.add(AccountKeyRow(key=key, account_id=row.id))


def routed_settings(tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, url: str, **extra: Any) -> Settings:
    fake_slack.add_user(ACCOUNT_CSALES, "kimura", display_name="木村", locale="ja-JP")
    for number, user_id in enumerate(TEAM, start=1):
        fake_slack.add_user(user_id, f"cs{number}", display_name=f"CS{number}", locale="ja-JP")
    values: dict[str, Any] = {"hiyoko_team_csales": ",".join(TEAM), "hiyoko_team_ae": OTHER_AE, **extra}
    return make_settings(tmp_path, fake_slack, fake_sheets, database_url=url, **values)


@pytest.fixture
def routed(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str, clock: FixedClock
) -> Iterator[app.Hiyoko]:
    hiyoko = build(routed_settings(tmp_path, fake_slack, fake_sheets, database_url), clock)
    fill_directory(hiyoko)
    add_account(hiyoko, SAMPLE, ["Sample Holdings"], ae=AE, csales=ACCOUNT_CSALES, channel=CUSTOMER_CHANNEL)
    yield hiyoko
    hiyoko.db.dispose()


def share(hiyoko: app.Hiyoko, view_id: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("owner", None)
    response = dispatch(hiyoko, view_submission(CSM, modal_state(**fields), view_id=view_id))
    assert response.status == 200, response.body
    body: dict[str, Any] = json.loads(response.body) if response.body else {}
    return body


def only(hiyoko: app.Hiyoko) -> SignalRecord:
    [signal] = hiyoko.store.all()
    return signal


def reason_of(signal: SignalRecord) -> Reason | None:
    return Reason.from_json(signal.owner_reason)


# --- the rules, pure -------------------------------------------------------------------------


def test_pick_skips_an_away_person_and_ties_go_to_the_longest_waiting() -> None:
    account = Account(SAMPLE, ae="UAE", csales="UACS")
    early, late = datetime(2026, 11, 1, 9), datetime(2026, 11, 20, 9)
    team = [Member("UCS1", 1, late), Member("UCS2", 1, early), Member("UCS3", 2, None)]
    assert pick(Category.SEATS, account, ROUTING, team, frozenset()) == ("UACS", Reason("account", Role.CSALES))
    assert pick(Category.CROSS_SELL, account, ROUTING, team, frozenset()) == ("UAE", Reason("account", Role.AE))
    # The account's CSales is away: the team's least-loaded member, the one waiting longest.
    assert pick(Category.SEATS, account, ROUTING, team, frozenset({"UACS"})) == ("UCS2", Reason("team", Role.CSALES))
    # Never assigned counts as waiting longest.
    team = [Member("UCS1", 0, early), Member("UCS2", 0, None)]
    assert pick(Category.PLAN, None, ROUTING, team, frozenset())[0] == "UCS2"
    assert pick(Category.PLAN, None, ROUTING, team, frozenset({"UCS2"}))[0] == "UCS1"
    assert pick(Category.PLAN, None, ROUTING, team, frozenset({"UCS1", "UCS2"})) == (
        None,
        Reason("nobody", Role.CSALES),
    )


# --- the share -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "owner", "role"),
    [
        ("seats", ACCOUNT_CSALES, Role.CSALES),
        ("plan", ACCOUNT_CSALES, Role.CSALES),
        ("cross_sell", AE, Role.AE),
        ("other", ACCOUNT_CSALES, Role.CSALES),
    ],
)
def test_a_known_customer_goes_to_its_accounts_person_in_the_categorys_role(
    routed: app.Hiyoko, category: str, owner: str, role: Role
) -> None:
    assert share(routed, "V1", category=category) == {}
    signal = only(routed)
    assert (signal.owner_id, reason_of(signal)) == (owner, Reason("account", role))
    assert signal.owner_name == {AE: "田中", ACCOUNT_CSALES: "木村"}[owner]  # from the directory


@pytest.mark.parametrize("written", ["ｻﾝﾌﾟﾙ", "(株)サンプル", "SAMPLE HOLDINGS"])
def test_a_name_written_differently_or_an_alias_matches_the_account(routed: app.Hiyoko, written: str) -> None:
    assert share(routed, "V1", customer=written) == {}
    signal = only(routed)
    assert signal.customer == written  # kept as typed
    assert (signal.owner_id, reason_of(signal)) == (ACCOUNT_CSALES, Reason("account", Role.CSALES))


def test_an_unknown_customer_goes_to_the_least_loaded_team_member(routed: app.Hiyoko) -> None:
    # UCS1 already has two open signals, UCS2 one (chosen by hand); UCS3 none.
    for number, owner in enumerate(("UCS1", "UCS1", "UCS2"), start=1):
        assert share(routed, f"VPRE{number}", customer=f"既存{number}", owner=owner) == {}
    assert share(routed, "V1", customer="未知の会社") == {}
    first = routed.store.all()[-1]
    assert (first.owner_id, reason_of(first)) == ("UCS3", Reason("team", Role.CSALES))
    # UCS2 and UCS3 have one each now: the tie goes to UCS2, who was never handed one by turn.
    assert share(routed, "V2", customer="未知の会社2") == {}
    assert routed.store.all()[-1].owner_id == "UCS2"


def test_three_unknown_customers_in_a_row_spread_over_three_members(routed: app.Hiyoko) -> None:
    for number in range(3):
        assert share(routed, f"V{number}", customer=f"新規{number}", category="plan") == {}
    owners = [s.owner_id for s in routed.store.all()]
    assert sorted(owners) == sorted(TEAM)
    assert all(reason_of(s) == Reason("team", Role.CSALES) for s in routed.store.all())


def test_the_turn_is_remembered_so_a_closed_signal_does_not_bring_the_same_member_back(
    routed: app.Hiyoko, clock: FixedClock
) -> None:
    assert share(routed, "V1", customer="未知の会社") == {}
    first = only(routed)
    assert first.owner_id == "UCS1"  # all equal and never assigned: the first by id
    routed.store.change(
        first.number, ChangeRequest(Drop("重複"), "UCS1"), managers=frozenset(), today=date(2026, 11, 23)
    )
    # Loads are equal again (nobody has an open one); UCS1 had the last turn. A restart
    # (another build on the same database) changes nothing.
    again = build(routed.settings, clock)
    try:
        assert share(again, "V2", customer="未知の会社2") == {}
        assert again.store.all()[-1].owner_id == "UCS2"
    finally:
        again.db.dispose()


def test_a_known_customer_whose_person_is_away_goes_to_the_team(routed: app.Hiyoko) -> None:
    today = date(2026, 11, 23)
    AbsenceStore(routed.db).set_away(ACCOUNT_CSALES, today, date(2026, 11, 30), routed.clock.now())
    assert share(routed, "V1") == {}
    assert only(routed).owner_id in TEAM


def test_a_chosen_owner_always_wins(routed: app.Hiyoko) -> None:
    assert share(routed, "V1", owner=OTHER_AE) == {}
    signal = only(routed)
    assert (signal.owner_id, reason_of(signal)) == (OTHER_AE, Reason("chosen", by=CSM))


def test_nobody_to_route_to_asks_for_an_owner_and_stores_nothing(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str, clock: FixedClock
) -> None:
    hiyoko = build(make_settings(tmp_path, fake_slack, fake_sheets, database_url=database_url), clock)  # no teams
    try:
        fill_directory(hiyoko)
        body = share(hiyoko, "V1", customer="未知の会社")
        assert body == {
            "response_action": "errors",
            "errors": {"owner": "自動で割り当てられる人がいません — 担当を選んでください"},
        }
        body = share(hiyoko, "V2", customer="未知の会社", category="cross_sell")
        assert body["errors"] == {"owner": "自動で割り当てられる人がいません — 担当を選んでください"}
        assert hiyoko.store.all() == []
        assert hiyoko.outbox.counts() == {}
    finally:
        hiyoko.db.dispose()


def test_a_team_all_away_asks_for_an_owner(routed: app.Hiyoko) -> None:
    absences = AbsenceStore(routed.db)
    for user_id in TEAM:
        absences.set_away(user_id, date(2026, 11, 20), date(2026, 11, 30), routed.clock.now())
    body = share(routed, "V1", customer="未知の会社")
    assert set(body["errors"]) == {"owner"}
    assert routed.store.all() == []


def test_the_card_and_the_owners_thread_line_say_why(routed: app.Hiyoko, fake_slack: FakeSlack) -> None:
    assert share(routed, "V1") == {}  # the account's CSales
    assert share(routed, "V2", customer="未知の会社") == {}  # the team's turn
    assert share(routed, "V3", customer="別の会社", owner=OTHER_AE) == {}  # chosen
    stats = routed.relay.drain()
    assert stats.dead == 0 and stats.failed == 0
    cards = fake_slack.messages(CHANNEL)
    assert len(cards) == 3
    for card, why in zip(cards, ("アカウントのCSales", "CSalesチームの順番", "<@UCSM> が指名"), strict=True):
        assert why in json.dumps(card["blocks"], ensure_ascii=False), why
        [reply] = fake_slack.replies(CHANNEL, card["ts"])
        assert why in reply["text"], reply["text"]


def test_the_workflow_step_without_an_owner_is_routed(routed: app.Hiyoko, fake_slack: FakeSlack) -> None:
    stop = threading.Event()
    relay = routed.relay.start(stop)  # the step completes once the card is posted
    try:
        send(routed, function_executed(inputs(owner=None, category="席数追加", timing="", kind="卵")))
        [result] = results(fake_slack)
        assert result["ok"] is True, result
        signal = only(routed)
        assert (signal.owner_id, reason_of(signal)) == (ACCOUNT_CSALES, Reason("account", Role.CSALES))
        send(routed, function_executed(inputs(owner=None, customer="未知の会社", timing="", kind="卵"), "Fx0002"))
        assert results(fake_slack, 2)[-1]["ok"] is True
        assert routed.store.all()[-1].owner_id in TEAM
    finally:
        stop.set()
        routed.relay.wake()
        for thread in relay:
            thread.join(timeout=5)


def test_the_message_shortcut_in_a_customers_channel_prefills_the_customer(
    routed: app.Hiyoko, fake_slack: FakeSlack
) -> None:
    dispatch(routed, message_shortcut(CSM, CUSTOMER_CHANNEL, "1700000000.000100", "席を増やしたい"))
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[-1]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    assert blocks["customer"]["element"]["initial_value"] == SAMPLE
    assert blocks["owner"]["optional"] is True and "空欄なら" in blocks["owner"]["hint"]["text"]
    # Anywhere else the customer is left to the CSM.
    dispatch(routed, message_shortcut(CSM, CHANNEL, "1700000000.000200", "席を増やしたい"))
    view = wait_for(lambda: len(fake_slack.calls_to("views.open")) >= 2 and fake_slack.calls_to("views.open"))[-1]
    view = json.loads(view["view"]) if isinstance(view["view"], str) else view["view"]
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    assert "initial_value" not in blocks["customer"]["element"]


# --- replicas --------------------------------------------------------------------------------


def test_two_replicas_routing_at_once_agree(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, postgres_url: str, clock: FixedClock
) -> None:
    """Two processes' worth of hiyoko on one PostgreSQL schema, 20 shares at once from threads:
    the team's loads differ by at most one and nobody is skipped."""
    settings = routed_settings(tmp_path, fake_slack, fake_sheets, postgres_url)
    replicas = [build(settings, clock), build(settings, clock)]
    try:
        for replica in replicas:
            fill_directory(replica)
        start = threading.Barrier(20)
        answers: list[dict[str, Any]] = []

        def one(number: int) -> None:
            start.wait()
            answers.append(share(replicas[number % 2], f"VR{number}", customer=f"新規顧客{number}"))

        threads = [threading.Thread(target=one, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert answers == [{}] * 20
        loads = Counter(s.owner_id for s in replicas[0].store.all())
        assert set(loads) == set(TEAM), loads
        assert max(loads.values()) - min(loads.values()) <= 1, loads
    finally:
        for replica in replicas:
            replica.db.dispose()


def test_import_rows_without_an_owner_are_routed(
    routed: app.Hiyoko, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = ["タイムスタンプ", "投稿者", "顧客名", "種別", "カテゴリ", "お客様の言葉", "時期", "担当"]
    rows = [
        ["2025-01-10 10:00", "佐藤", "ｻﾝﾌﾟﾙ", "卵", "席数追加", "もっと席がほしい", "", ""],
        ["2025-01-11 10:00", "佐藤", "未知の会社", "卵", "プランアップ", "上位プランを検討", "", ""],
        ["2025-01-12 10:00", "佐藤", "別の会社", "卵", "その他", "担当は決まっている", "", "田中"],
    ]
    path = tmp_path / "old.csv"
    path.write_text("\n".join(",".join(row) for row in [header, *rows]) + "\n", encoding="utf-8")
    use_env(monkeypatch, tmp_path, routed.settings)
    code = cli.main(["import", str(path)])
    output = capsys.readouterr().out
    assert code == 0, output
    owners = [(s.customer, s.owner_id, reason_of(s)) for s in routed.store.all()]
    assert owners[0] == ("ｻﾝﾌﾟﾙ", ACCOUNT_CSALES, Reason("account", Role.CSALES))
    assert owners[1][1] in TEAM and owners[1][2] == Reason("team", Role.CSALES)
    assert owners[2] == ("別の会社", AE, Reason("chosen", by=CSM))


def test_a_team_given_as_a_user_group_routes_to_its_members_and_skips_the_deactivated(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, database_url: str, clock: FixedClock
) -> None:
    settings = routed_settings(
        tmp_path, fake_slack, fake_sheets, database_url, hiyoko_team_csales="SCSALES", hiyoko_team_ae=""
    )
    hiyoko = build(settings, clock)
    try:
        fill_directory(hiyoko)
        hiyoko.users.directory.set_group("SCSALES", ["UGONE", "UCS2", "UCS3"])  # UGONE is deactivated
        for number in range(4):
            assert share(hiyoko, f"V{number}", customer=f"新規{number}") == {}
        assert Counter(s.owner_id for s in hiyoko.store.all()) == {"UCS2": 2, "UCS3": 2}
    finally:
        hiyoko.db.dispose()
