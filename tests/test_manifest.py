"""manifest.yml: valid against Slack's manifest schema, and declares what the code listens for."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "manifest.yml"
# Kept in the repository (with its licence) so a bare clone can run this test.
SCHEMA = Path(__file__).resolve().parent / "specs" / "slack-manifest.schema.1.0.0.json"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _errors(validator: Any, instance: dict[str, Any]) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(instance)]


def test_schema_is_draft_07(validator: Any) -> None:
    assert isinstance(validator, jsonschema.Draft7Validator)


def test_manifest_is_valid(validator: Any, manifest: dict[str, Any]) -> None:
    assert _errors(validator, manifest) == []


@pytest.mark.parametrize(
    ("name", "valid"),
    [("x" * 24, True), ("x" * 25, False), ("ア" * 24, True), ("ア" * 25, False)],
)
def test_schema_is_really_applied(validator: Any, manifest: dict[str, Any], name: str, valid: bool) -> None:
    changed = copy.deepcopy(manifest)
    changed["features"]["shortcuts"][0]["name"] = name
    errors = _errors(validator, changed)
    if valid:
        assert errors == []
    else:
        assert errors, "a 25-character shortcut name must be refused"
        assert all(error.startswith("$.features.shortcuts[0].name") for error in errors), errors


def test_schema_refuses_unknown_keys(validator: Any, manifest: dict[str, Any]) -> None:
    changed = copy.deepcopy(manifest)
    changed["settings"]["socket_mode"] = True  # a typo of socket_mode_enabled
    assert _errors(validator, changed)


def _shortcut(manifest: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [shortcut for shortcut in manifest["features"]["shortcuts"] if shortcut["type"] == kind]
    assert len(found) == 1, found
    return found[0]


def test_global_shortcut(manifest: dict[str, Any]) -> None:
    assert _shortcut(manifest, "global")["callback_id"] == "share_signal"


def test_message_shortcut(manifest: dict[str, Any]) -> None:
    assert _shortcut(manifest, "message")["callback_id"] == "share_signal_from_message"


def test_slash_command(manifest: dict[str, Any]) -> None:
    assert [command["command"] for command in manifest["features"]["slash_commands"]] == ["/hiyoko"]


def test_interactivity_and_socket_mode(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True


def test_app_home(manifest: dict[str, Any]) -> None:
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]


def test_bot_scopes(manifest: dict[str, Any]) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # channels:history / groups:history: the relay reads history to find its own earlier posts.
    required = {"chat:write", "commands", "users:read", "channels:history", "groups:history"}
    assert required <= scopes, sorted(required - scopes)


_REGISTRATION = re.compile(r"""\bapp\.(shortcut|command|event)\(\s*(["'])(.+?)\2""")


def _registered() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"shortcut": set(), "command": set(), "event": set()}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for what, _, name in _REGISTRATION.findall(path.read_text(encoding="utf-8")):
            found[what].add(name)
    return found


def test_manifest_declares_what_the_bot_listens_for(manifest: dict[str, Any]) -> None:
    registered = _registered()
    assert registered["shortcut"], "the scanner found no app.shortcut(...) registration"
    assert {shortcut["callback_id"] for shortcut in manifest["features"]["shortcuts"]} == registered["shortcut"]
    assert {command["command"] for command in manifest["features"]["slash_commands"]} == registered["command"]
    # `message.channels` and `message.groups` both arrive as the `message` event.
    declared = {event.split(".")[0] for event in manifest["settings"]["event_subscriptions"]["bot_events"]}
    assert registered["event"] <= declared
