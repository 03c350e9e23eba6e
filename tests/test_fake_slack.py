"""Tests for the FakeSlack Web API fake, driven through the real slack_sdk WebClient."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from fakes.slack_api import FakeSlack

TOKEN = "xoxb-test-token"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """WebClient honours *_proxy env vars even for 127.0.0.1; keep requests local."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    # The per-channel post limit has its own tests below; these post freely.
    with FakeSlack(channel_rate=None).start() as f:
        f.add_user("U1", "taro", real_name="Taro Yamada", display_name="taro", email="taro@example.com")
        f.add_user("U2", "alice", email="alice@example.com", locale="en-US", tz="America/New_York")
        f.add_channel("C1", "general")
        f.add_channel("C2", "outside", bot_is_member=False)
        f.add_usergroup("S1", ["U1", "U2"])
        yield f


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.url)


def _error(exc: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(exc.value.response["error"])


def test_post_reply_update_history_with_metadata_and_pagination(fake: FakeSlack, client: WebClient) -> None:
    meta = {"event_type": "task_created", "event_payload": {"id": "42"}}
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    parent = client.chat_postMessage(channel="C1", text="hello", blocks=blocks, metadata=meta)
    assert parent["channel"] == "C1"
    assert parent["message"]["metadata"] == meta
    reply = client.chat_postMessage(channel="C1", text="in thread", thread_ts=parent["ts"])
    assert reply["message"]["thread_ts"] == parent["ts"]
    updated = client.chat_update(channel="C1", ts=parent["ts"], text="hello (edited)")
    assert updated["message"]["edited"]["user"] == "UBOT"
    second = client.chat_postMessage(channel="C1", text="second")
    third = client.chat_postMessage(channel="C1", text="third")
    assert parent["ts"] < reply["ts"] < second["ts"] < third["ts"]

    top = fake.messages("C1")
    assert [m["text"] for m in top] == ["hello (edited)", "second", "third"]
    assert top[0]["blocks"] == blocks and top[0]["metadata"] == meta and top[0]["edited"] is True
    assert top[1]["thread_ts"] is None and top[1]["user"] == "UBOT"
    assert [r["text"] for r in fake.replies("C1", parent["ts"])] == ["in thread"]

    page1 = client.conversations_history(channel="C1", limit=2, include_all_metadata=True)
    assert [m["text"] for m in page1["messages"]] == ["third", "second"]
    assert page1["has_more"] is True
    cursor = page1["response_metadata"]["next_cursor"]
    page2 = client.conversations_history(channel="C1", limit=2, cursor=cursor, include_all_metadata=True)
    assert [m["text"] for m in page2["messages"]] == ["hello (edited)"]
    assert page2["has_more"] is False and page2["messages"][0]["metadata"] == meta
    assert page2["messages"][0]["reply_count"] == 1
    plain = client.conversations_history(channel="C1", oldest=second["ts"], inclusive=True)
    assert [m["text"] for m in plain["messages"]] == ["third", "second"]
    no_meta = client.conversations_history(channel="C1")
    assert all("metadata" not in m for m in no_meta["messages"])

    thread = client.conversations_replies(channel="C1", ts=parent["ts"], include_all_metadata=True)
    assert [m["text"] for m in thread["messages"]] == ["hello (edited)", "in thread"]
    assert thread["messages"][0]["metadata"] == meta

    link = client.chat_getPermalink(channel="C1", message_ts=reply["ts"])["permalink"]
    ts_digits = reply["ts"].replace(".", "")
    assert link == f"https://hiyoko-test.slack.com/archives/C1/p{ts_digits}?thread_ts={parent['ts']}&cid=C1"

    with pytest.raises(SlackApiError) as exc:
        client.chat_update(channel="C1", ts="1.000000", text="x")
    assert _error(exc) == "message_not_found"
    assert len(fake.calls_to("chat.postMessage")) == 4


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_message_validation(client: WebClient) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"channel": "C1"}, "no_text"),
        ({"channel": "C404", "text": "x"}, "channel_not_found"),
        ({"channel": "C2", "text": "x"}, "not_in_channel"),
        ({"channel": "C1", "blocks": [{"type": "bogus"}]}, "invalid_blocks"),
        ({"channel": "C1", "blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        ({"channel": "C1", "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": "C1", "text": "x", "metadata": {"event_type": "t"}}, "invalid_metadata_schema"),
    ]
    for kwargs, error in cases:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(**kwargs)
        assert _error(exc) == error, kwargs
    # DM to a user id lands in a D-channel, and the fake resolves the user id too.
    dm = client.chat_postMessage(channel="U1", text="psst")
    assert dm["channel"].startswith("D")


def test_users_usergroups_and_headers(fake: FakeSlack, client: WebClient) -> None:
    user = client.users_info(user="U2", include_locale=True)
    assert user["user"]["locale"] == "en-US"
    assert user["user"]["tz"] == "America/New_York"
    assert user["user"]["profile"]["email"] == "alice@example.com"
    assert "locale" not in client.users_info(user="U1")["user"]
    assert client.users_lookupByEmail(email="taro@example.com")["user"]["id"] == "U1"
    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U1", "U2"]
    failing: list[tuple[Callable[[], Any], str]] = [
        (lambda: client.users_info(user="U404"), "user_not_found"),
        (lambda: client.users_lookupByEmail(email="nobody@example.com"), "users_not_found"),
        (lambda: client.usergroups_users_list(usergroup="S404"), "no_such_subteam"),
    ]
    for call, error in failing:
        with pytest.raises(SlackApiError) as exc:
            call()
        assert _error(exc) == error

    auth = client.auth_test()
    assert auth["user_id"] == "UBOT" and auth["team_id"] == "T0001" and auth["bot_id"] == "B0001"
    assert "chat:write" in auth.headers["x-oauth-scopes"].split(",")
    assert "x-accepted-oauth-scopes" in auth.headers
    info = client.conversations_info(channel="C2")["channel"]
    assert info["is_member"] is False and info["name"] == "outside"


def test_views_validation_and_lifecycle(fake: FakeSlack, client: WebClient) -> None:
    view = {
        "type": "modal",
        "callback_id": "settings",
        "external_id": "ext-1",
        "title": {"type": "plain_text", "text": "Settings"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Name"},
                "element": {"type": "plain_text_input", "action_id": "name"},
            }
        ],
    }
    with pytest.raises(SlackApiError) as exc:
        client.views_open(
            trigger_id=fake.new_trigger_id(), view={**view, "title": {"type": "plain_text", "text": "x" * 25}}
        )
    assert _error(exc) == "invalid_arguments"
    assert "[json-pointer:/view/title/text]" in exc.value.response["response_metadata"]["messages"][0]
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id="", view=view)
    assert _error(exc) == "invalid_trigger_id"

    opened = client.views_open(trigger_id=fake.new_trigger_id(), view=view)["view"]
    assert opened["id"].startswith("V") and opened["hash"]
    updated = client.views_update(external_id="ext-1", view={**view, "private_metadata": "p"})["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as exc:
        client.views_update(view_id="V404", view=view)
    assert _error(exc) == "not_found"
    assert [v["callback_id"] for v in fake.views] == ["settings", "settings"]

    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "home"}}]}
    client.views_publish(user_id="U1", view=home)
    assert fake.home_views["U1"]["type"] == "home"
    with pytest.raises(SlackApiError) as exc:
        client.views_publish(user_id="U1", view={**home, "blocks": [{"type": "divider"}] * 101})
    assert _error(exc) == "invalid_arguments"


def test_rate_limited_then_retried(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []

    class _Clock:
        @staticmethod
        def sleep(seconds: float) -> None:
            sleeps.append(seconds)

    monkeypatch.setattr(builtin_handlers, "time", _Clock)  # honour Retry-After without waiting
    client = WebClient(token=TOKEN, base_url=fake.url, retry_handlers=[RateLimitErrorRetryHandler()])
    fake.rate_limit_next(1, retry_after=3, method="chat.postMessage")
    resp = client.chat_postMessage(channel="C1", text="after 429")
    assert resp["ok"] is True
    assert len(fake.calls_to("chat.postMessage")) == 2
    assert len(sleeps) == 1 and 3 <= sleeps[0] < 4
    assert [m["text"] for m in fake.messages("C1")] == ["after 429"]


def test_server_error_raises(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next(1, status=500)
    with pytest.raises(SlackApiError) as exc:
        client.auth_test()
    assert exc.value.response.status_code == 500
    assert client.auth_test()["ok"] is True  # fault consumed
    fake.fail_next(5, status=503, method="users.info")
    fake.reset_faults()
    assert client.users_info(user="U1")["ok"] is True


def test_hang_makes_client_time_out(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.url, timeout=1)
    fake.hang_next(1, seconds=5, method="chat.postMessage")
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C1", text="slow")
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_files_upload_v2(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="report")
    resp = client.files_upload_v2(
        channel="C1",
        thread_ts=parent["ts"],
        content=b"PNG...",
        filename="x.png",
        initial_comment="here you go",
    )
    assert resp["file"]["name"] == "x.png"
    [upload] = fake.uploads
    assert upload["content"] == b"PNG..."
    assert upload["filename"] == "x.png" and upload["title"] == "x.png"
    assert upload["channel_id"] == "C1" and upload["thread_ts"] == parent["ts"]
    assert upload["initial_comment"] == "here you go"
    assert json.loads(fake.calls_to("files.completeUploadExternal")[0]["files"])[0]["id"] == resp["file"]["id"]


def test_functions_complete(fake: FakeSlack, client: WebClient) -> None:
    client.functions_completeSuccess(function_execution_id="Fx1", outputs={"answer": "42"})
    client.functions_completeError(function_execution_id="Fx2", error="boom")
    assert fake.function_results == [
        {"function_execution_id": "Fx1", "outputs": {"answer": "42"}, "ok": True},
        {"function_execution_id": "Fx2", "error": "boom", "ok": False},
    ]


def test_auth_errors_and_unknown_method(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as exc:
        WebClient(token="xoxb-wrong", base_url=fake.url).auth_test()
    assert _error(exc) == "invalid_auth"
    with pytest.raises(SlackApiError) as exc:
        WebClient(base_url=fake.url).auth_test()
    assert _error(exc) == "not_authed"
    with pytest.raises(SlackApiError) as exc:
        WebClient(token=TOKEN, base_url=fake.url).api_call("nope.nothing")
    assert _error(exc) == "unknown_method"
    assert fake.calls[0].headers["Authorization"] == "Bearer xoxb-wrong"


def test_missing_scope() -> None:
    with FakeSlack(scopes=["chat:write"]) as fake:
        fake.add_user("U1", "taro")
        client = WebClient(token=TOKEN, base_url=fake.url)
        with pytest.raises(SlackApiError) as exc:
            client.users_info(user="U1")
        assert _error(exc) == "missing_scope"
        assert exc.value.response.headers["x-oauth-scopes"] == "chat:write"


MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "T"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
}


def test_trigger_ids_are_single_use_and_die_after_three_seconds(fake: FakeSlack, client: WebClient) -> None:
    def error_of(call: Callable[[], Any]) -> str:
        with pytest.raises(SlackApiError) as exc:
            call()
        return _error(exc)

    fresh = fake.new_trigger_id()
    assert client.views_open(trigger_id=fresh, view=MODAL)["ok"]
    assert error_of(lambda: client.views_open(trigger_id=fresh, view=MODAL)) == "exchanged_trigger_id"
    assert error_of(lambda: client.views_push(trigger_id=fresh, view=MODAL)) == "exchanged_trigger_id"
    assert error_of(lambda: client.views_open(trigger_id="12345.98765.abcd2358fdea", view=MODAL)) == (
        "invalid_trigger_id"
    )
    assert error_of(lambda: client.views_push(trigger_id=fake.new_trigger_id(age=3.2), view=MODAL)) == (
        "expired_trigger_id"
    )
    assert client.views_push(trigger_id=fake.new_trigger_id(age=2.8), view=MODAL)["ok"]
    # A refused view does not spend the trigger.
    kept = fake.new_trigger_id()
    assert (
        error_of(
            lambda: client.views_open(
                trigger_id=kept,
                view={**MODAL, "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}]},
            )
        )
        == "invalid_arguments"
    )
    assert client.views_open(trigger_id=kept, view=MODAL)["ok"]
    assert [v["type"] for v in fake.views] == ["modal"] * 3


def test_chat_post_message_is_held_to_one_a_second_per_channel() -> None:
    """Slack's real limit (the default): a short burst, then about one a second, per channel."""
    with FakeSlack().start() as fake:
        fake.add_channel("C1", "general")
        fake.add_channel("C2", "other")
        client = WebClient(token=TOKEN, base_url=fake.url)
        for n in range(fake.channel_burst):
            client.chat_postMessage(channel="C1", text=f"burst {n}")
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C1", text="one too many")
        assert exc.value.response.status_code == 429 and _error(exc) == "ratelimited"
        assert exc.value.response.headers["Retry-After"] == "1"
        client.chat_postMessage(channel="C2", text="another channel has its own allowance")
        client.chat_update(channel="C1", ts=fake.messages("C1")[0]["ts"], text="updates are not posts")
        time.sleep(1.05)
        client.chat_postMessage(channel="C1", text="a second later")
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C1", text="but not two")
        assert [m["text"] for m in fake.messages("C1")][-1] == "a second later"
        assert len(fake.messages("C1")) == fake.channel_burst + 1


def test_the_post_limit_scales_for_tests_and_benches() -> None:
    with FakeSlack(channel_rate=20.0, channel_burst=1).start() as fake:
        fake.add_channel("C1", "general")
        client = WebClient(token=TOKEN, base_url=fake.url)
        client.chat_postMessage(channel="C1", text="first")
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel="C1", text="too soon")
        assert exc.value.response.headers["Retry-After"] == "1"  # whole seconds, as Slack sends
        time.sleep(0.06)
        client.chat_postMessage(channel="C1", text="a twentieth of a second later")


def _text_block(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@pytest.mark.parametrize(
    ("block", "why"),
    [
        (_text_block("x" * 3001), "text over 3000"),
        ({"type": "section", "text": {"type": "mrkdwn", "text": ""}}, "empty text"),
        ({"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}, "header over 150"),
        ({"type": "context", "elements": [{"type": "mrkdwn", "text": "x" * 3001}]}, "context element over 3000"),
        ({"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}, "eleven fields"),
        (
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "action_id": "a", "value": "v", "text": {"type": "plain_text", "text": "x" * 76}}
                ],
            },
            "button over 75",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "overflow",
                        "action_id": "o",
                        "options": [
                            {"text": {"type": "plain_text", "text": "x" * 76}, "value": "v"},
                            {"text": {"type": "plain_text", "text": "y"}, "value": "w"},
                        ],
                    }
                ],
            },
            "option over 75",
        ),
        (
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "overflow",
                        "action_id": "o",
                        "options": [{"text": {"type": "plain_text", "text": "x"}, "value": "v" * 151}] * 2,
                    }
                ],
            },
            "value over 150",
        ),
    ],
)
def test_invalid_blocks_are_refused_as_slack_does(
    fake: FakeSlack, client: WebClient, block: dict[str, Any], why: str
) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="t", blocks=[block])
    assert _error(exc) == "invalid_blocks", why
    assert exc.value.response["response_metadata"]["messages"], why
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=fake.new_trigger_id(), view={**MODAL, "blocks": [block]})
    assert _error(exc) == "invalid_arguments", why
    assert fake.messages("C1") == [] and fake.views == []


def test_too_many_blocks_and_options(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="t", blocks=[_text_block("x")] * 51)
    assert _error(exc) == "invalid_blocks"

    def radio(count: int) -> dict[str, Any]:
        options = [{"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in range(count)]
        return {
            **MODAL,
            "submit": {"type": "plain_text", "text": "OK"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": "r",
                    "label": {"type": "plain_text", "text": "pick"},
                    "element": {"type": "radio_buttons", "action_id": "r", "options": options},
                }
            ],
        }

    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=fake.new_trigger_id(), view=radio(11))
    assert _error(exc) == "invalid_arguments"
    assert client.views_open(trigger_id=fake.new_trigger_id(), view=radio(10))["ok"]
    home = {"type": "home", "close": {"type": "plain_text", "text": "x"}, "blocks": [_text_block("home")]}
    with pytest.raises(SlackApiError) as exc:
        client.views_publish(user_id="U1", view=home)  # slack_sdk's View: a home tab has no close button
    assert _error(exc) == "invalid_arguments"


def test_plain_special_mentions_outside_verbatim_text_are_recorded(fake: FakeSlack, client: WebClient) -> None:
    harmless = [
        _text_block("<!here> we wrote ourselves, <@U1>, sato@here.co.jp, @\u2060channel, @hereford?"),
        {"type": "section", "text": {"type": "mrkdwn", "text": "@here typed", "verbatim": True}},
        {"type": "header", "text": {"type": "plain_text", "text": "@channel in plain text"}},
    ]
    client.chat_postMessage(channel="C1", text="fine", blocks=harmless)
    assert fake.ping_violations == []
    client.chat_postMessage(channel="C1", text="a", blocks=[_text_block("ping @Channel")])
    client.chat_postMessage(channel="C1", text="@here in the fallback")
    wide = {"type": "context", "elements": [{"type": "mrkdwn", "text": "＠ｅｖｅｒｙｏｎｅ"}]}
    client.chat_postEphemeral(channel="C1", user="U1", text="b", blocks=[wide])
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [_text_block("(@here)")]})
    assert [(v["method"], v["where"]) for v in fake.ping_violations] == [
        ("chat.postMessage", "/blocks/0/text"),
        ("chat.postMessage", "/text"),
        ("chat.postEphemeral", "/blocks/0/elements/0"),
        ("views (home)", "/view/blocks/0/text"),
    ]


# --- Slack Lists ------------------------------------------------------------------------------

_LIST_SCHEMA: list[dict[str, Any]] = [
    {"key": "task", "name": "Task", "type": "text", "is_primary_column": True},
    {"key": "due", "name": "Due", "type": "date"},
    {
        "key": "state",
        "name": "State",
        "type": "select",
        "options": {"choices": [{"value": "todo", "label": "To do"}, {"value": "done", "label": "Done"}]},
    },
    {"key": "who", "name": "Who", "type": "user"},
]


def _rich(text: str) -> list[dict[str, Any]]:
    return [
        {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}
    ]


def _columns(client: WebClient, list_id: str) -> dict[str, str]:
    answer = client.api_call("slackLists.items.list", json={"list_id": list_id, "include_list": True})
    return {c["key"]: c["id"] for c in answer["list"]["list_metadata"]["schema"]}


def test_lists_create_items_update_and_list_in_the_documented_format(fake: FakeSlack, client: WebClient) -> None:
    made = client.api_call("slackLists.create", json={"name": "Tasks", "schema": _LIST_SCHEMA})
    list_id = made["list_id"]
    assert list_id.startswith("F") and [c["key"] for c in made["list_metadata"]["schema"]] == [
        "task",
        "due",
        "state",
        "who",
    ]
    col = _columns(client, list_id)
    item = client.api_call(
        "slackLists.items.create",
        json={
            "list_id": list_id,
            "initial_fields": [
                {"column_id": col["task"], "rich_text": _rich("Write docs")},
                {"column_id": col["state"], "select": ["todo"]},
                {"column_id": col["who"], "user": ["U1"]},
                {"column_id": col["due"], "date": ["2026-12-24"]},
            ],
        },
    )["item"]
    assert item["id"].startswith("Rec") and item["list_id"] == list_id
    texts = {f["key"]: f["text"] for f in item["fields"]}
    assert texts == {"task": "Write docs", "due": "2026-12-24", "state": "To do", "who": "U1"}
    client.api_call(
        "slackLists.items.update",
        json={"list_id": list_id, "cells": [{"row_id": item["id"], "column_id": col["state"], "select": ["done"]}]},
    )
    assert fake.list_cell(list_id, item["id"], "state") == "Done"
    fake.edit_list_cell(list_id, item["id"], "task", "Write better docs")  # a person types
    [listed] = client.api_call("slackLists.items.list", json={"list_id": list_id})["items"]
    assert {f["key"]: f["text"] for f in listed["fields"]}["task"] == "Write better docs"

    for _ in range(3):
        client.api_call("slackLists.items.create", json={"list_id": list_id})
    first = client.api_call("slackLists.items.list", json={"list_id": list_id, "limit": 3})
    cursor = first["response_metadata"]["next_cursor"]
    assert len(first["items"]) == 3 and cursor
    rest = client.api_call("slackLists.items.list", json={"list_id": list_id, "limit": 3, "cursor": cursor})
    assert len(rest["items"]) == 1 and rest["response_metadata"]["next_cursor"] == ""


def test_lists_errors(fake: FakeSlack, client: WebClient) -> None:
    list_id = fake.add_list("Tasks", _LIST_SCHEMA)
    col = _columns(client, list_id)
    item_id = client.api_call("slackLists.items.create", json={"list_id": list_id})["item"]["id"]

    def error(method: str, **args: Any) -> str:
        with pytest.raises(SlackApiError) as exc:
            client.api_call(method, json=args)
        return _error(exc)

    assert error("slackLists.items.list", list_id="FNOPE") == "list_not_found"
    assert error(
        "slackLists.items.create", list_id=list_id, initial_fields=[{"column_id": "ColX", "select": ["todo"]}]
    ) == ("invalid_column_id")
    assert error(
        "slackLists.items.create", list_id=list_id, initial_fields=[{"column_id": col["task"], "text": "x"}]
    ) == ("invalid_input_type")
    cell = {"row_id": item_id, "column_id": col["state"], "select": ["later"]}
    assert error("slackLists.items.update", list_id=list_id, cells=[cell]) == "invalid_option_id"
    cell = {"row_id": "RecNOPE", "column_id": col["state"], "select": ["done"]}
    assert error("slackLists.items.update", list_id=list_id, cells=[cell]) == "invalid_row_id"
    cell = {"row_id": item_id, "column_id": col["due"], "date": ["24/12/2026"]}
    assert error("slackLists.items.update", list_id=list_id, cells=[cell]) == "invalid_date"
    cell = {"row_id": item_id, "column_id": col["who"], "user": ["UNOBODY"]}
    assert error("slackLists.items.update", list_id=list_id, cells=[cell]) == "user_not_found"
    no_primary = [{"key": "a", "name": "A", "type": "date"}]
    assert error("slackLists.create", name="x", schema=no_primary) == "invalid_primary_column"
    fake.scopes = [s for s in fake.scopes if s != "lists:write"]
    assert error("slackLists.items.create", list_id=list_id) == "missing_scope"
    client.api_call("slackLists.items.list", json={"list_id": list_id})  # lists:read is enough to read
    fake.lists_enabled = False
    fake.scopes.append("lists:write")
    assert error("slackLists.create", name="x") == "paid_only"


def test_lists_rate_limits_per_method_and_tier() -> None:
    with FakeSlack(channel_rate=None, lists_tier2=2, lists_tier3=3).start() as fake:
        client = WebClient(token=TOKEN, base_url=fake.url)
        list_id = fake.add_list("Tasks", _LIST_SCHEMA)
        now = [1000.0]
        fake.monotonic = lambda: now[0]
        for _ in range(2):  # Tier 2: items.list
            client.api_call("slackLists.items.list", json={"list_id": list_id})
        with pytest.raises(SlackApiError) as exc:
            client.api_call("slackLists.items.list", json={"list_id": list_id})
        assert exc.value.response.status_code == 429 and _error(exc) == "ratelimited"
        assert int(exc.value.response.headers["Retry-After"]) == 60
        for _ in range(3):  # Tier 3: items.create, counted on its own
            client.api_call("slackLists.items.create", json={"list_id": list_id})
        with pytest.raises(SlackApiError):
            client.api_call("slackLists.items.create", json={"list_id": list_id})
        now[0] += 61
        client.api_call("slackLists.items.list", json={"list_id": list_id})
        client.api_call("slackLists.items.create", json={"list_id": list_id})
