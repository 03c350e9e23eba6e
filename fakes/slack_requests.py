"""Signed Slack requests, built the way Slack sends them, for driving the real Bolt app."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"
TEAM = {"id": "T0001", "domain": "hiyoko-test"}


def unissued_trigger_id() -> str:
    """A well-formed trigger id no fake issued: views.open with it fails as `invalid_trigger_id`."""
    return f"{int(time.time())}.{time.monotonic_ns()}.unissued"


# Where the payloads below take their trigger ids: the `fake_slack` fixture installs its
# FakeSlack.new_trigger_id, so a modal opens only as Slack allows (once, within 3 s).
trigger_source: Callable[[], str] = unissued_trigger_id


def trigger_id() -> str:
    return trigger_source()


def sign(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack adds: a request timestamp and the v0 HMAC signature of the body."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": ts,
        "x-slack-signature": signature or "",
    }


def interactive_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


def bolt_request(body: str, **sign_kwargs: Any) -> BoltRequest:
    return BoltRequest(body=body, headers={k: [v] for k, v in sign(body, **sign_kwargs).items()})


def user(user_id: str, name: str = "user") -> dict[str, str]:
    return {"id": user_id, "username": name, "name": name, "team_id": TEAM["id"]}


def global_shortcut(user_id: str, callback_id: str = "share_signal") -> dict[str, Any]:
    return {
        "type": "shortcut",
        "token": "legacy",
        "action_ts": f"{time.time():.6f}",
        "team": TEAM,
        "user": user(user_id),
        "callback_id": callback_id,
        "trigger_id": trigger_id(),
    }


def message_shortcut(user_id: str, channel: str, message_ts: str, text: str) -> dict[str, Any]:
    return {
        "type": "message_action",
        "token": "legacy",
        "action_ts": f"{time.time():.6f}",
        "team": TEAM,
        "user": user(user_id),
        "channel": {"id": channel, "name": "general"},
        "callback_id": "share_signal_from_message",
        "trigger_id": trigger_id(),
        "message_ts": message_ts,
        "message": {"type": "message", "user": "UCUSTOMERVOICE", "ts": message_ts, "text": text},
        "response_url": "https://hooks.slack.com/actions/T0001/1/abc",
    }


def modal_state(
    *,
    customer: str | None = "株式会社サンプル",
    kind: str | None = "egg",
    category: str | None = "seats",
    summary: str | None = "他の工場でも使いたいとのこと",
    timing: str | None = None,
    owner: str | None = "UAE",
    size: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """`view.state.values` as Slack sends it for the share modal (action_id == block_id)."""

    def text(value: str | None) -> dict[str, Any]:
        return {"type": "plain_text_input", "value": value}

    def choice(kind_: str, value: str | None) -> dict[str, Any]:
        return {"type": kind_, "selected_option": {"value": value} if value else None}

    return {
        "customer": {"customer": text(customer)},
        "kind": {"kind": choice("radio_buttons", kind)},
        "category": {"category": choice("static_select", category)},
        "summary": {"summary": text(summary)},
        "timing": {"timing": {"type": "datepicker", "selected_date": timing}},
        "owner": {"owner": {"type": "users_select", "selected_user": owner}},
        "size": {"size": text(size)},
        "source": {"source": text(source)},
    }


def view_submission(
    user_id: str,
    values: dict[str, Any],
    *,
    view_id: str = "V0001",
    lang: str = "ja",
    callback_id: str = "signal_submit",
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": TEAM,
        "user": user(user_id, "sato"),
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": trigger_id(),
        "view": {
            "id": view_id,
            "team_id": TEAM["id"],
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": json.dumps({"lang": lang}),
            "hash": "h",
            "state": {"values": values},
        },
        "response_urls": [],
    }


def slash_command(user_id: str, text: str = "", *, channel: str = "CSIGNALS") -> str:
    """A slash command body (form-encoded, not a JSON payload), typed in `channel`."""
    return urlencode(
        {
            "token": "legacy",
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": channel,
            "channel_name": "upsell",
            "user_id": user_id,
            "user_name": "sato",
            "command": "/hiyoko",
            "text": text,
            "response_url": "https://hooks.slack.com/commands/T0001/1/abc",
            "trigger_id": trigger_id(),
        }
    )


def block_action(
    user_id: str,
    action_id: str,
    value: str | None = None,
    *,
    selected: str | None = None,
    channel: str | None = "CSIGNALS",
    message_ts: str = "1.000001",
    response_url: str = "https://hooks.slack.com/actions/T0001/1/abc",
) -> dict[str, Any]:
    """A click on a button (value) or an overflow option (selected) in a message or, without a
    channel, on App Home."""
    action: dict[str, Any] = {"action_id": action_id, "block_id": "signal_actions", "action_ts": f"{time.time():.6f}"}
    if selected is not None:
        action.update(type="overflow", selected_option={"text": {"type": "plain_text", "text": "x"}, "value": selected})
    else:
        action.update(type="button", value=value, text={"type": "plain_text", "text": "x"})
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": TEAM,
        "user": user(user_id),
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": trigger_id(),
        "actions": [action],
    }
    if channel:
        payload.update(
            container={"type": "message", "message_ts": message_ts, "channel_id": channel},
            channel={"id": channel, "name": "upsell"},
            message={"ts": message_ts, "text": ""},
            response_url=response_url,
        )
    else:
        payload.update(container={"type": "view", "view_id": "VHOME"}, view={"id": "VHOME", "type": "home"})
    return payload


def action_submission(
    user_id: str, view: dict[str, Any], values: dict[str, Any], *, view_id: str = "VACT"
) -> dict[str, Any]:
    """Submitting an action modal that the app opened (its callback id and private metadata)."""
    return {
        "type": "view_submission",
        "team": TEAM,
        "user": user(user_id),
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": trigger_id(),
        "view": {**view, "id": view_id, "state": {"values": values}},
    }


def input_values(**fields: Any) -> dict[str, Any]:
    """`view.state.values` for inputs whose action_id equals their block_id."""
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("timing",):
            values[name] = {name: {"type": "datepicker", "selected_date": value}}
        elif name in ("owner",):
            values[name] = {name: {"type": "users_select", "selected_user": value}}
        elif name in ("category",):
            values[name] = {name: {"type": "static_select", "selected_option": {"value": value}}}
        else:
            values[name] = {name: {"type": "plain_text_input", "value": value}}
    return values
