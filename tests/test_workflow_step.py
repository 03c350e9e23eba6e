"""The Workflow Builder step: a signed `function_executed` event through the real Bolt app → card,
thread, sheet row and functions.completeSuccess; bad inputs → completeError and nothing stored;
a retried event → one signal."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt.request import BoltRequest

import app
import bot.workflow
from bot.workflow import CALLBACK_ID, INPUTS, OUTPUTS, read_inputs
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import TEAM, sign
from models.clock import FixedClock
from models.signal import Category, Kind
from models.words import parse_category, parse_kind
from settings import Settings
from tests.conftest import AE, CHANNEL, CSM, SPREADSHEET, build, make_settings, wait_for

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[1] / "manifest.yml").read_text(encoding="utf-8"))


def function_executed(inputs: dict[str, Any], execution_id: str = "Fx0001") -> dict[str, Any]:
    """The event as Slack sends it: the step's definition, its inputs, a just-in-time token."""
    step = MANIFEST["functions"][CALLBACK_ID]

    def parameters(kind: str) -> list[dict[str, Any]]:
        return [{"name": name, **spec} for name, spec in step[kind].items()]

    return {
        "token": "legacy",
        "team_id": TEAM["id"],
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": f"Ev{execution_id}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM["id"],
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event": {
            "type": "function_executed",
            "function": {
                "id": "Fn0001",
                "callback_id": CALLBACK_ID,
                "title": step["title"],
                "description": step["description"],
                "type": "app",
                "app_id": "A0001",
                "input_parameters": parameters("input_parameters"),
                "output_parameters": parameters("output_parameters"),
                "date_created": 1_700_000_000,
                "date_updated": 1_700_000_000,
                "date_deleted": 0,
            },
            "inputs": inputs,
            "function_execution_id": execution_id,
            "workflow_execution_id": f"Wx{execution_id}",
            "event_ts": f"{time.time():.6f}",
            "bot_access_token": f"xwfp-1-{execution_id}",
        },
    }


def send(hiyoko: app.Hiyoko, event: dict[str, Any]) -> None:
    body = json.dumps(event, ensure_ascii=False)
    headers = {**sign(body), "content-type": "application/json"}
    response = hiyoko.bolt.dispatch(BoltRequest(body=body, headers={k: [v] for k, v in headers.items()}))
    assert response.status == 200, response.body


def inputs(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "customer": "株式会社サンプル",
        "kind": "🐣",
        "category": "プランアップ",
        "summary": "4月から全社展開したい",
        "timing": "2027-04-01",
        "owner": AE,
        "submitter": CSM,
        "size": "200席",
        "source": "Workflow: 定例MTG",
    }
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


@pytest.fixture
def running(hiyoko: app.Hiyoko) -> Iterator[app.Hiyoko]:
    """hiyoko with its relay running, as `hiyoko run` has it."""
    stop = threading.Event()
    threads = hiyoko.relay.start(stop)
    yield hiyoko
    stop.set()
    hiyoko.relay.wake()
    for thread in threads:  # before the fakes stop, so no late call fails after the test
        thread.join(timeout=5)


def results(fake_slack: FakeSlack, count: int = 1) -> list[dict[str, Any]]:
    return list(wait_for(lambda: fake_slack.function_results if len(fake_slack.function_results) >= count else None))


def test_manifest_declares_the_step_as_the_spec_says() -> None:
    step = MANIFEST["functions"][CALLBACK_ID]
    assert tuple(step["input_parameters"]) == INPUTS
    assert tuple(step["output_parameters"]) == OUTPUTS
    assert step["input_parameters"]["owner"]["type"] == "slack#/types/user_id"
    assert step["input_parameters"]["submitter"]["type"] == "slack#/types/user_id"
    required = {name for name, spec in step["input_parameters"].items() if spec.get("is_required")}
    # timing stays optional: an egg has none, and a form's empty field must not stop the workflow;
    # an empty owner is routed (tests/test_routing.py).
    assert required == {"customer", "kind", "category", "summary", "submitter"}
    assert MANIFEST["settings"]["org_deploy_enabled"] is True  # Slack's condition for custom steps


def test_valid_inputs_share_the_signal_and_complete_with_its_outputs(
    running: app.Hiyoko, fake_slack: FakeSlack, fake_sheets: FakeSheets
) -> None:
    send(running, function_executed(inputs()))
    [result] = results(fake_slack)
    assert result["ok"] is True and result["function_execution_id"] == "Fx0001"
    [signal] = running.store.all()
    assert result["outputs"] == {"signal_id": "S-000001", "permalink": signal.card_permalink}
    assert signal.card_permalink and signal.card_permalink.startswith(
        "https://hiyoko-test.slack.com/archives/CSIGNALS/p"
    )
    assert (signal.customer, signal.kind, signal.category, signal.timing) == (
        "株式会社サンプル",
        Kind.CHICK,
        Category.PLAN,
        date(2027, 4, 1),
    )
    assert (signal.owner_id, signal.submitter_id, signal.owner_name, signal.submitter_name) == (AE, CSM, "田中", "佐藤")
    assert (signal.size, signal.source) == ("200席", "Workflow: 定例MTG")

    [card] = fake_slack.messages(CHANNEL)
    assert card["metadata"]["event_payload"] == {"signal_id": "S-000001"}
    [reply] = wait_for(lambda: fake_slack.replies(CHANNEL, card["ts"]))
    assert "<@UAE>" in reply["text"] and "<@UCSM>" in reply["text"]
    # The row is written at once and again when the permalink is known (its last column).
    rows = wait_for(
        lambda: (r := fake_sheets.values(SPREADSHEET, "Signals")) and len(r) == 2 and len(r[1]) == len(r[0]) and r
    )
    row = dict(zip(rows[0], rows[1], strict=False))
    assert (row["ID"], row["顧客名"]) == ("S-000001", "株式会社サンプル")
    assert row["Slackリンク"] == signal.card_permalink
    # The step's completion went out with the workflow's own token, not the bot token.
    [call] = [c for c in fake_slack.calls if c.method == "functions.completeSuccess"]
    assert call.headers.get("Authorization") == "Bearer xwfp-1-Fx0001"


@pytest.mark.parametrize(
    ("kind", "category", "timing", "expected"),
    [
        ("egg", "seats", "", (Kind.EGG, Category.SEATS, None)),
        ("卵", "席数追加", "", (Kind.EGG, Category.SEATS, None)),
        ("🥚", "More seats", "未定", (Kind.EGG, Category.SEATS, None)),
        ("ひよこ", "Cross-sell", "2027年4月", (Kind.CHICK, Category.CROSS_SELL, date(2027, 4, 1))),
        ("chick", "クロスセル", "2027/4/15", (Kind.CHICK, Category.CROSS_SELL, date(2027, 4, 15))),
        ("🐣 ひよこ(時期あり)", "Plan upgrade", "4月頃", (Kind.CHICK, Category.PLAN, date(2027, 4, 1))),
        ("Chick", "その他", "来年3月", (Kind.CHICK, Category.OTHER, date(2027, 3, 1))),
        ("EGG", "other", None, (Kind.EGG, Category.OTHER, None)),
    ],
)
def test_what_people_type_in_forms(
    kind: str, category: str, timing: str | None, expected: tuple[Kind, Category, date | None]
) -> None:
    draft, problems = read_inputs(inputs(kind=kind, category=category, timing=timing), date(2026, 11, 23))
    assert problems == {} and draft is not None
    assert (draft.kind, draft.category, draft.timing) == expected


def test_a_month_only_timing_in_this_month_means_today() -> None:
    draft, _ = read_inputs(inputs(timing="11月頃"), date(2026, 11, 23))
    assert draft is not None and draft.timing == date(2026, 11, 23)


def test_kind_and_category_words_come_from_the_catalog_in_both_languages() -> None:
    from i18n import t

    for lang in ("ja", "en"):
        for value in Kind:
            assert parse_kind(t(f"kind.{value.value}", lang)) is value
            assert parse_kind(t(f"kind.{value.value}.short", lang)) is value
        for category in Category:
            assert parse_category(t(f"category.{category.value}", lang)) is category


def test_bad_inputs_fail_the_step_in_the_workspace_language_and_store_nothing(
    hiyoko: app.Hiyoko, fake_slack: FakeSlack
) -> None:
    send(
        hiyoko,
        function_executed(
            inputs(kind="たぶん", category="", timing="2020-01-01", owner="UROBOT", customer="  "), execution_id="FxBAD"
        ),
    )
    [result] = results(fake_slack)
    assert result["ok"] is False and result["function_execution_id"] == "FxBAD"
    error = result["error"]
    assert error.startswith("アップセル予兆を共有できませんでした — ")
    assert error.split(" — ", 1)[1].split(" / ") == [
        "顧客名: 入力してください。",
        "種別: 「たぶん」は読めません。egg/chick、卵/ひよこ、🥚/🐣 のどれかにしてください。",
        "カテゴリ: 入力してください。",
        "想定時期: 過去の日付は指定できません(今日は2026-11-23)。",
        "担当(営業): アプリやボットは担当にできません。人を選んでください。",
    ]
    assert hiyoko.store.all() == []
    assert hiyoko.outbox.counts() == {}


REFUSALS: list[tuple[dict[str, Any], str, str]] = [
    (
        {"kind": "chick", "timing": ""},
        "Expected timing",
        "A 🐣 chick needs an expected timing. If the timing is unknown, choose 🥚 egg.",
    ),
    ({"timing": "2026-11-22"}, "Expected timing", "The timing cannot be in the past (today is 2026-11-23)."),
    ({"timing": "Q3かな"}, "Expected timing", "“Q3かな” cannot be read as a date"),
    ({"owner": "UGONE"}, "Owner", "This user is deactivated. Please choose another owner."),
    ({"owner": "UROBOT"}, "Owner", "An app or bot cannot own a signal. Please choose a person."),
    ({"owner": None}, "Owner", "no one to route this to — pick an owner"),  # no account, no team
    ({"submitter": "UNOBODY"}, "Shared by", "This user could not be found."),
    ({"summary": "あ" * 2001}, "What the customer said", "Please keep this within 2000 characters (now 2001)."),
    ({"category": "platinum"}, "Category", "“platinum” cannot be read. Use seats, plan, cross_sell or other"),
]


def test_each_refusal_is_named_in_english_workspaces(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock
) -> None:
    settings: Settings = make_settings(tmp_path, fake_slack, fake_sheets, hiyoko_language="en")
    hiyoko = build(settings, clock)
    try:
        for number, (changes, field, message) in enumerate(REFUSALS, start=1):
            send(hiyoko, function_executed(inputs(**changes), execution_id=f"FxNO{number}"))
            result = results(fake_slack, number)[-1]
            assert result["ok"] is False and result["function_execution_id"] == f"FxNO{number}"
            assert result["error"].startswith("The upsell signal was not shared — ")
            assert f"{field}: {message}" in result["error"], (changes, result["error"])
        assert hiyoko.store.all() == []
        assert hiyoko.outbox.counts() == {}
    finally:
        hiyoko.db.dispose()


def test_a_retried_event_makes_one_signal(running: app.Hiyoko, fake_slack: FakeSlack) -> None:
    event = function_executed(inputs(kind="卵", timing=""), execution_id="FxRETRY")
    send(running, event)
    results(fake_slack, 1)
    send(running, event)  # Slack delivers it again (our ack was lost)
    second = results(fake_slack, 2)
    assert len(running.store.all()) == 1
    assert [r["outputs"]["signal_id"] for r in second] == ["S-000001", "S-000001"]
    assert len(fake_slack.messages(CHANNEL)) == 1


def test_a_card_that_cannot_be_posted_yet_still_completes_the_step(
    running: app.Hiyoko, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.workflow, "PERMALINK_WAIT_SECONDS", 0.2)
    fake_slack.fail_next(1000, status=500, method="chat.postMessage")
    send(running, function_executed(inputs(), execution_id="FxSLOW"))
    [result] = results(fake_slack)
    assert result["ok"] is True
    assert result["outputs"] == {
        "signal_id": "S-000001",
        "permalink": "https://hiyoko-test.slack.com/archives/CSIGNALS",
    }
    assert len(running.store.all()) == 1
