"""A local fake of the Slack Web API that speaks the real wire format.

Point the real ``slack_sdk.WebClient(token=..., base_url=fake.url)`` at it::

    with FakeSlack().start() as fake:
        fake.add_channel("C1", "general")
        client = WebClient(token="xoxb-test-token", base_url=fake.url)
        client.chat_postMessage(channel="C1", text="hi")
        assert fake.messages("C1")[0]["text"] == "hi"

Standard library only; the server runs on 127.0.0.1 in a daemon thread.
"""

from __future__ import annotations

import base64
import copy
import email.parser
import itertools
import json
import math
import re
import secrets
import threading
import time
import traceback
import unicodedata
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

__all__ = ["DEFAULT_SCOPES", "Call", "FakeSlack", "SlackError"]

DEFAULT_SCOPES: tuple[str, ...] = (
    "app_mentions:read",
    "channels:history",
    "channels:join",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "lists:read",
    "lists:write",
    "mpim:history",
    "mpim:write",
    "usergroups:read",
    "users:read",
    "users:read.email",
)

TEAM_ID = "T0001"
BOT_ID = "B0001"
APP_ID = "A0001"

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_CHARS = 40_000
MAX_VIEW_TITLE_CHARS = 24
MAX_CALLBACK_ID_CHARS = 255
MAX_BLOCK_ID_CHARS = 255
MAX_PRIVATE_METADATA_CHARS = 3000
MAX_TEXT_OBJECT_CHARS = 3000  # a text object's text: 1 to 3000 characters
MAX_OPTION_TEXT_CHARS = 75
MAX_OPTION_VALUE_CHARS = 150
MAX_OPTIONS = {"radio_buttons": 10, "checkboxes": 10, "overflow": 5, "static_select": 100, "multi_static_select": 100}
TRIGGER_TTL_SECONDS = 3.0  # "trigger_id expires in 3 seconds" and can be exchanged once

KNOWN_BLOCK_TYPES = frozenset(
    {
        "actions",
        "call",
        "context",
        "context_actions",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
    }
)

_HISTORY_SCOPES = ("channels:history", "groups:history", "im:history", "mpim:history")
_READ_SCOPES = ("channels:read", "groups:read", "im:read", "mpim:read")

# API method -> scopes of which the token needs at least one (empty: no scope needed).
ACCEPTED_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.getPermalink": (),
    "conversations.history": _HISTORY_SCOPES,
    "conversations.replies": _HISTORY_SCOPES,
    "conversations.info": _READ_SCOPES,
    "conversations.join": ("channels:join",),
    "conversations.open": ("im:write", "mpim:write"),
    "users.info": ("users:read",),
    "users.lookupByEmail": ("users:read.email",),
    "users.list": ("users:read",),
    "usergroups.users.list": ("usergroups:read",),
    "views.open": (),
    "views.update": (),
    "views.push": (),
    "views.publish": (),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "functions.completeSuccess": (),
    "functions.completeError": (),
    "slackLists.create": ("lists:write",),
    "slackLists.items.create": ("lists:write",),
    "slackLists.items.update": ("lists:write",),
    "slackLists.items.list": ("lists:read",),
}

# Slack's documented tiers: create and items.list are Tier 2 (20+ a minute), item writes Tier 3 (50+).
_LISTS_TIER2 = frozenset({"slackLists.create", "slackLists.items.list"})
_LIST_COLUMN_TYPES = frozenset({"text", "rich_text", "select", "date", "user", "number", "checkbox", "link"})
# The typed key a written cell carries, by column type (the docs' samples: text takes rich_text).
_LIST_VALUE_KEY_OF = {
    "text": "rich_text",
    "rich_text": "rich_text",
    "select": "select",
    "date": "date",
    "user": "user",
    "number": "number",
    "checkbox": "checkbox",
    "link": "link",
}
_LIST_VALUE_KEYS = frozenset(_LIST_VALUE_KEY_OF.values())


def _rich_text(text: str) -> list[dict[str, Any]]:
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return [{"type": "rich_text", "elements": [section]}]


def _plain_rich_text(blocks: Any) -> str:
    """The plain text of rich_text blocks (the `text` Slack shows for a text cell)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("text", "link") and isinstance(node.get("text") or node.get("url"), str):
                out.append(str(node.get("text") or node.get("url")))
            for child in node.get("elements", []) or []:
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(blocks)
    return "".join(out)


JsonDict = dict[str, Any]


class SlackError(Exception):
    """Raised inside a method handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class Call:
    """One HTTP request received by the fake."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]


@dataclass
class _Fault:
    kind: Literal["status", "ratelimit", "hang"]
    remaining: int
    method: str | None
    status: int = 500
    retry_after: int = 1
    seconds: float = 0.0


@dataclass
class _Message:
    ts: str
    channel: str
    text: str
    blocks: list[JsonDict] | None
    thread_ts: str | None
    metadata: JsonDict | None
    user: str
    attachments: list[Any] | None = None
    edited_ts: str | None = None
    user_team: str | None = None  # a person's message: their workspace (another one for Slack Connect)


@dataclass
class _Channel:
    id: str
    name: str
    is_member: bool
    is_private: bool
    created: int = field(default_factory=lambda: 1_700_000_000)


@dataclass
class _Upload:
    file_id: str
    filename: str
    length: int
    alt_txt: str | None
    snippet_type: str | None
    content: bytes | None = None


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _arg_str(args: JsonDict, name: str) -> str | None:
    """Return an argument as a string (None when absent or empty)."""
    value = args.get(name)
    if _blank(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _arg_bool(args: JsonDict, name: str) -> bool:
    """Interpret Slack's boolean argument spellings ("1", "true", true)."""
    value = args.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    return isinstance(value, str) and value.strip().lower() in {"1", "true", "yes"}


def _arg_json(args: JsonDict, name: str) -> Any:
    """Return an argument parsed from JSON text, or as given when already structured.

    Raises ValueError when the text is not valid JSON.
    """
    value = args.get(name)
    if isinstance(value, str):
        if value.strip() == "":
            return None
        return json.loads(value)
    return value


def _arg_int(args: JsonDict, name: str, default: int) -> int:
    value = args.get(name)
    if _blank(value):
        return default
    try:
        return int(str(value))
    except ValueError:
        return default


def _ts_decimal(value: str, error: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise SlackError(error) from None


def _encode_cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def _decode_cursor(cursor: str) -> Decimal:
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
    except ValueError:
        raise SlackError("invalid_cursor") from None
    prefix, _, ts = raw.partition(":")
    if prefix != "next_ts":
        raise SlackError("invalid_cursor")
    return _ts_decimal(ts, "invalid_cursor")


def _encode_user_cursor(user_id: str) -> str:
    return base64.b64encode(f"user:{user_id}".encode()).decode()


def _decode_user_cursor(cursor: str) -> str:
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
    except ValueError:
        raise SlackError("invalid_cursor") from None
    prefix, _, user_id = raw.partition(":")
    if prefix != "user" or not user_id:
        raise SlackError("invalid_cursor")
    return user_id


def _tz_offset(tz: str) -> int:
    try:
        offset = datetime.now(zoneinfo.ZoneInfo(tz)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds()) if offset is not None else 0


def _parse_multipart(content_type: str, body: bytes) -> list[Message]:
    """Split a multipart/form-data body into its parts."""
    raw = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body
    msg = email.parser.BytesParser().parsebytes(raw)
    parts = msg.get_payload()
    return [p for p in parts if isinstance(p, Message)] if isinstance(parts, list) else []


def _part_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _block_errors(blocks: Any, pointer: str, max_blocks: int) -> list[str]:
    """Validate a Block Kit array; return Slack-style error messages."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must be an array [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"[ERROR] no more than {max_blocks} items allowed [json-pointer:{pointer}]")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"{pointer}/{i}"
        if not isinstance(block, dict):
            errors.append(f"[ERROR] must be an object [json-pointer:{where}]")
            continue
        block_type = block.get("type")
        if block_type is None:
            errors.append(f"[ERROR] missing required field: type [json-pointer:{where}]")
        elif block_type not in KNOWN_BLOCK_TYPES:
            errors.append(f"[ERROR] unsupported type: {block_type} [json-pointer:{where}/type]")
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if len(block_id) > MAX_BLOCK_ID_CHARS:
                errors.append(
                    f"[ERROR] must be less than {MAX_BLOCK_ID_CHARS + 1} characters [json-pointer:{where}/block_id]"
                )
            if block_id in seen_ids:
                errors.append(f"[ERROR] duplicate block_id: {block_id} [json-pointer:{where}/block_id]")
            seen_ids.add(block_id)
        errors.extend(_sdk_block_errors(block, where))
        errors.extend(_element_errors(block, where))
    return errors


def _sdk_block_errors(block: JsonDict, where: str) -> list[str]:
    """What slack_sdk's Block Kit models refuse (lengths, counts, required fields); `to_dict`
    validates every nested object, `validate_json` only the block itself."""
    try:
        parsed = Block.parse(copy.deepcopy(block))
        if parsed is not None:  # None: a type slack_sdk does not model (checked above)
            parsed.to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as exc:
        return [f"[ERROR] {exc} [json-pointer:{where}]"]
    return []


def _element_errors(node: Any, where: str) -> list[str]:
    """Limits slack_sdk leaves out: empty or over-long text objects anywhere (a context element,
    an option), option text and value lengths, and how many options an element may hold."""
    errors: list[str] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            errors.extend(_element_errors(item, f"{where}/{i}"))
        return errors
    if not isinstance(node, dict):
        return errors
    if node.get("type") in ("plain_text", "mrkdwn") and "text" in node:
        text = node["text"]
        if not isinstance(text, str) or not text:
            errors.append(f"[ERROR] must be more than 0 characters [json-pointer:{where}/text]")
        elif len(text) > MAX_TEXT_OBJECT_CHARS:
            errors.append(
                f"[ERROR] must be less than {MAX_TEXT_OBJECT_CHARS + 1} characters [json-pointer:{where}/text]"
            )
    options = node.get("options")
    if isinstance(options, list):
        limit = MAX_OPTIONS.get(str(node.get("type")))
        if limit is not None and len(options) > limit:
            errors.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{where}/options]")
        for i, option in enumerate(options):
            if not isinstance(option, dict):
                continue
            text = option.get("text")
            if isinstance(text, dict) and len(str(text.get("text", ""))) > MAX_OPTION_TEXT_CHARS:
                errors.append(
                    f"[ERROR] must be less than {MAX_OPTION_TEXT_CHARS + 1} characters "
                    f"[json-pointer:{where}/options/{i}/text/text]"
                )
            if len(str(option.get("value", ""))) > MAX_OPTION_VALUE_CHARS:
                errors.append(
                    f"[ERROR] must be less than {MAX_OPTION_VALUE_CHARS + 1} characters "
                    f"[json-pointer:{where}/options/{i}/value]"
                )
    for key, value in node.items():
        if isinstance(value, (dict, list)):
            errors.extend(_element_errors(value, f"{where}/{key}"))
    return errors


# A broadcast Slack finds by itself in text it parses automatically: `@here`, `@channel`,
# `@everyone` (any case; full-width forms fold to ASCII) as a word of its own: not the end of an
# e-mail-like word, not the start of a longer name (`@hereford`).
_PLAIN_SPECIAL_MENTION = re.compile(r"(?<![A-Za-z0-9._%+-])@(?:channel|here|everyone)(?![A-Za-z0-9_-])", re.IGNORECASE)


def plain_special_mentions(text: str) -> list[str]:
    """The plain special mentions in `text` (NFKC folds ＠ＨＥＲＥ to @HERE, length for length here)."""
    return _PLAIN_SPECIAL_MENTION.findall(unicodedata.normalize("NFKC", text))


def ping_sites(node: Any, where: str) -> list[tuple[str, str]]:
    """(json pointer, text) of every non-verbatim mrkdwn text object with a plain special mention."""
    found: list[tuple[str, str]] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            found.extend(ping_sites(item, f"{where}/{i}"))
    elif isinstance(node, dict):
        text = node.get("text")
        if (
            node.get("type") == "mrkdwn"
            and node.get("verbatim") is not True
            and isinstance(text, str)
            and plain_special_mentions(text)
        ):
            found.append((where, text))
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                found.extend(ping_sites(value, f"{where}/{key}"))
    return found


def _text_object_errors(view: JsonDict, key: str, *, required: bool) -> list[str]:
    obj = view.get(key)
    pointer = f"/view/{key}"
    if obj is None:
        return [f"[ERROR] missing required field: {key} [json-pointer:/view]"] if required else []
    if not isinstance(obj, dict) or obj.get("type") != "plain_text" or not isinstance(obj.get("text"), str):
        return [f"[ERROR] must be a plain_text text object [json-pointer:{pointer}]"]
    if len(obj["text"]) > MAX_VIEW_TITLE_CHARS:
        return [f"[ERROR] must be less than {MAX_VIEW_TITLE_CHARS + 1} characters [json-pointer:{pointer}/text]"]
    return []


def _view_errors(view: Any, expected_type: str) -> list[str]:
    """Validate a modal or home view; return Slack-style error messages."""
    if not isinstance(view, dict):
        return ["[ERROR] must be an object [json-pointer:/view]"]
    errors: list[str] = []
    if view.get("type") != expected_type:
        errors.append(f"[ERROR] must be '{expected_type}' [json-pointer:/view/type]")
    if "blocks" not in view:
        errors.append("[ERROR] missing required field: blocks [json-pointer:/view]")
    else:
        errors.extend(_block_errors(view["blocks"], "/view/blocks", MAX_VIEW_BLOCKS))
    if expected_type == "modal":
        errors.extend(_text_object_errors(view, "title", required=True))
        errors.extend(_text_object_errors(view, "submit", required=False))
        errors.extend(_text_object_errors(view, "close", required=False))
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_input and view.get("submit") is None:
            errors.append("[ERROR] must provide a submit property when using input blocks [json-pointer:/view]")
    if not errors:
        try:
            View(**copy.deepcopy(view)).to_dict()
        except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as exc:
            errors.append(f"[ERROR] {exc} [json-pointer:/view]")
    for key, limit in (
        ("callback_id", MAX_CALLBACK_ID_CHARS),
        ("private_metadata", MAX_PRIVATE_METADATA_CHARS),
    ):
        value = view.get(key)
        if value is not None and not isinstance(value, str):
            errors.append(f"[ERROR] must be a string [json-pointer:/view/{key}]")
        elif isinstance(value, str) and len(value) > limit:
            errors.append(f"[ERROR] must be less than {limit + 1} characters [json-pointer:/view/{key}]")
    return errors


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeSlack

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: clients that time out leave broken sockets behind."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging."""


_MethodHandler = Callable[[JsonDict], JsonDict]


class FakeSlack:
    """In-process fake of the Slack Web API (see module docstring)."""

    def __init__(
        self,
        bot_token: str = "xoxb-test-token",
        scopes: Sequence[str] = DEFAULT_SCOPES,
        team: str = "hiyoko-test",
        bot_user_id: str = "UBOT",
        *,
        channel_rate: float | None = 1.0,
        channel_burst: int = 3,
        lists_tier2: int = 20,
        lists_tier3: int = 50,
        lists_enabled: bool = True,
    ) -> None:
        """``channel_rate`` posts a second per channel (None: no limit), ``channel_burst`` at once."""
        self.bot_token = bot_token
        self.scopes: list[str] = list(scopes)
        self.team = team
        self.bot_user_id = bot_user_id

        self.calls: list[Call] = []
        self.views: list[JsonDict] = []
        self.home_views: dict[str, JsonDict] = {}
        self.uploads: list[JsonDict] = []
        self.function_results: list[JsonDict] = []
        self.ephemerals: list[JsonDict] = []
        self.responses: list[JsonDict] = []  # bodies posted to response_url()
        self.ping_violations: list[JsonDict] = []  # plain @here & co. where Slack would broadcast
        self.channel_rate = channel_rate
        self.channel_burst = channel_burst
        self.monotonic: Callable[[], float] = time.monotonic
        """Clock of trigger ids and the per-channel post limit; replace to test them without waiting."""

        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._extra_tokens: set[str] = set()
        self._faults: list[_Fault] = []
        self._last_ts_us = 0
        self.clock: Callable[[], float] = time.time
        """Source of message timestamps; replace for deterministic ts values."""
        self._ids = itertools.count(1)

        self._users: dict[str, JsonDict] = {}
        self._channels: dict[str, _Channel] = {}
        self._dms: dict[str, str] = {}  # user id -> DM channel id
        self._usergroups: dict[str, list[str]] = {}
        self._messages: dict[str, list[_Message]] = {}
        self._views_by_id: dict[str, JsonDict] = {}
        self._pending_uploads: dict[str, _Upload] = {}
        self._triggers: dict[str, float] = {}  # trigger id -> when issued (monotonic)
        self._exchanged: set[str] = set()
        self._buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, at)
        self.lists_tier2 = lists_tier2  # Slack Lists calls a minute per Tier 2 method, then 429
        self.lists_tier3 = lists_tier3  # ... per Tier 3 method
        self.lists_enabled = lists_enabled  # False: a free workspace (Lists need a paid plan)
        self._lists: dict[str, JsonDict] = {}
        self._lists_calls: dict[str, list[float]] = {}  # method -> monotonic times in the last minute

        self._methods: dict[str, _MethodHandler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "users.list": self._users_list,
            "usergroups.users.list": self._usergroups_users_list,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_push,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "functions.completeSuccess": self._functions_complete_success,
            "functions.completeError": self._functions_complete_error,
            "slackLists.create": self._slack_lists_create,
            "slackLists.items.create": self._slack_lists_items_create,
            "slackLists.items.update": self._slack_lists_items_update,
            "slackLists.items.list": self._slack_lists_items_list,
        }

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes up requests held by ``hang_next``."""
        self._stopping.set()
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port (server must be started)."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started; call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``, with trailing slash."""
        return f"http://127.0.0.1:{self.port}/api/"

    # ------------------------------------------------------------------ seeding

    def add_token(self, token: str) -> None:
        """Accept another token (e.g. a user token) besides ``bot_token``."""
        with self._lock:
            self._extra_tokens.add(token)

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
        locale: str = "ja-JP",
        tz: str = "Asia/Tokyo",
        is_bot: bool = False,
        deleted: bool = False,
    ) -> None:
        """Register a workspace member."""
        with self._lock:
            self._users[user_id] = {
                "id": user_id,
                "name": name,
                "real_name": real_name if real_name is not None else name,
                "display_name": display_name if display_name is not None else "",
                "email": email,
                "locale": locale,
                "tz": tz,
                "is_bot": is_bot,
                "deleted": deleted,
            }

    def add_channel(self, channel_id: str, name: str, *, bot_is_member: bool = True, is_private: bool = False) -> None:
        """Register a conversation (C…/G… channel or D… DM)."""
        with self._lock:
            self._channels[channel_id] = _Channel(channel_id, name, bot_is_member, is_private)
            self._messages.setdefault(channel_id, [])

    def say(self, channel: str, user: str, text: str, *, thread_ts: str | None = None, team: str = TEAM_ID) -> JsonDict:
        """A person's message in a channel (`team`: their workspace, another for a Slack Connect
        user); returns the `message` event Slack would send for it (message.channels)."""
        with self._lock:
            msg = _Message(self._next_ts(), channel, text, None, thread_ts, None, user, user_team=team)
            self._messages.setdefault(channel, []).append(msg)
            event: JsonDict = {
                "type": "message",
                "channel": channel,
                "user": user,
                "text": text,
                "ts": msg.ts,
                "team": team,
                "user_team": team,
                "source_team": team,
                "channel_type": "group" if self._channels[channel].is_private else "channel",
                "event_ts": msg.ts,
            }
            if thread_ts is not None:
                event["thread_ts"] = thread_ts
            return event

    def add_usergroup(self, group_id: str, user_ids: list[str]) -> None:
        """Register a user group (subteam) and its members."""
        with self._lock:
            self._usergroups[group_id] = list(user_ids)

    def new_trigger_id(self, *, age: float = 0.0) -> str:
        """A trigger id as Slack puts in an interaction payload ("12345.98765.abcd2358fdea"),
        issued `age` seconds ago; views.open/push take it once, within 3 seconds."""
        with self._lock:
            trigger = f"{int(time.time())}.{next(self._ids)}.{secrets.token_hex(6)}"
            self._triggers[trigger] = self.monotonic() - age
            return trigger

    # ------------------------------------------------------------------ inspection

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Args of every call of one API method, in order."""
        with self._lock:
            return [c.args for c in self.calls if c.method == method]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Top-level messages of a channel (or a user's DM), oldest first."""
        with self._lock:
            cid = self._dms.get(channel, channel)
            return [self._public(m) for m in self._messages.get(cid, []) if m.thread_ts is None]

    def replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """Replies of one thread (without the parent), oldest first."""
        with self._lock:
            cid = self._dms.get(channel, channel)
            return [self._public(m) for m in self._messages.get(cid, []) if m.thread_ts == thread_ts]

    def _public(self, m: _Message) -> dict[str, Any]:
        return {
            "ts": m.ts,
            "channel": m.channel,
            "text": m.text,
            "blocks": copy.deepcopy(m.blocks),
            "thread_ts": m.thread_ts,
            "metadata": copy.deepcopy(m.metadata),
            "user": m.user,
            "edited": m.edited_ts is not None,
        }

    # ------------------------------------------------------------------ faults

    def fail_next(self, count: int, *, status: int = 500, method: str | None = None) -> None:
        """Answer the next ``count`` matching requests with HTTP ``status``."""
        with self._lock:
            self._faults.append(_Fault("status", count, method, status=status))

    def rate_limit_next(self, count: int, *, retry_after: int = 1, method: str | None = None) -> None:
        """Answer the next ``count`` matching requests with HTTP 429 + Retry-After."""
        with self._lock:
            self._faults.append(_Fault("ratelimit", count, method, retry_after=retry_after))

    def hang_next(self, count: int, *, seconds: float, method: str | None = None) -> None:
        """Delay the next ``count`` matching requests by ``seconds`` before answering."""
        with self._lock:
            self._faults.append(_Fault("hang", count, method, seconds=seconds))

    def reset_faults(self) -> None:
        """Drop all pending fault injections."""
        with self._lock:
            self._faults.clear()

    def _take_fault(self, method: str, kinds: tuple[str, ...]) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.kind in kinds and fault.remaining > 0 and fault.method in (None, method):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # ------------------------------------------------------------------ HTTP plumbing

    def _handle(self, req: _Handler) -> None:
        try:
            parts = urlsplit(req.path)
            length = int(req.headers.get("Content-Length") or 0)
            body = req.rfile.read(length) if length > 0 else b""
            if parts.path.startswith("/upload/"):
                self._handle_upload(req, parts.path.removeprefix("/upload/"), body)
                return
            if parts.path.startswith("/response/"):
                self._handle_response_url(req, parts.path.removeprefix("/response/"), body)
                return
            if not parts.path.startswith("/api/"):
                self._send(req, 404, b"not found", content_type="text/plain; charset=utf-8")
                return
            method = parts.path.removeprefix("/api/")
            self._handle_api(req, method, parts.query, body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _parse_args(self, req: _Handler, query: str, body: bytes) -> JsonDict:
        args: JsonDict = dict(parse_qsl(query, keep_blank_values=True))
        content_type = req.headers.get("Content-Type", "")
        mime = content_type.split(";")[0].strip().lower()
        if mime == "application/json" and body:
            try:
                parsed = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                parsed = None
            if isinstance(parsed, dict):
                args.update(parsed)
            else:
                args["_invalid_json"] = True
        elif mime == "multipart/form-data" and body:
            for part in _parse_multipart(content_type, body):
                name = part.get_param("name", header="content-disposition")
                if not isinstance(name, str):
                    continue
                data = _part_bytes(part)
                if part.get_filename() is not None:
                    args[name] = data
                else:
                    args[name] = data.decode("utf-8", errors="replace")
        elif body:
            args.update(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        return args

    def _handle_api(self, req: _Handler, method: str, query: str, body: bytes) -> None:
        args = self._parse_args(req, query, body)
        headers = {k: v for k, v in req.headers.items()}
        with self._lock:
            self.calls.append(Call(method=method, args=args, headers=headers))

        hang = self._take_fault(method, ("hang",))
        if hang is not None:
            self._stopping.wait(hang.seconds)

        fault = self._take_fault(method, ("status", "ratelimit"))
        if fault is not None and fault.kind == "ratelimit":
            payload = {"ok": False, "error": "ratelimited"}
            self._send_json(req, method, payload, status=429, extra={"Retry-After": str(fault.retry_after)})
            return
        if fault is not None:
            error = "fatal_error" if fault.status >= 500 else "request_failed"
            self._send_json(req, method, {"ok": False, "error": error}, status=fault.status)
            return

        try:
            payload = self._dispatch(method, args, req.headers.get("Authorization"))
        except Exception as exc:  # a bug in the fake: answer loudly instead of dropping the connection
            payload = {"ok": False, "error": "fatal_error", "fake_exception": traceback.format_exc()}
            payload["fake_exception_type"] = type(exc).__name__
        retry_after = payload.pop("_retry_after", None)
        if retry_after is not None:
            self._send_json(req, method, payload, status=429, extra={"Retry-After": str(retry_after)})
            return
        self._send_json(req, method, payload)

    def _dispatch(self, method: str, args: JsonDict, authorization: str | None) -> JsonDict:
        handler = self._methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        if args.get("_invalid_json"):
            return {"ok": False, "error": "invalid_json"}
        token = None
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        token = token or _arg_str(args, "token")
        if token is None:
            return {"ok": False, "error": "not_authed"}
        with self._lock:
            valid = token == self.bot_token or token in self._extra_tokens or token.startswith("xwfp-")
            if not valid:
                return {"ok": False, "error": "invalid_auth"}
            accepted = ACCEPTED_SCOPES.get(method, ())
            if accepted and not any(s in self.scopes for s in accepted):
                return {
                    "ok": False,
                    "error": "missing_scope",
                    "needed": accepted[0],
                    "provided": ",".join(self.scopes),
                }
            try:
                result = handler(args)
            except SlackError as err:
                return {"ok": False, "error": err.error, **err.extra}
        return {"ok": True, **result}

    def _send_json(
        self,
        req: _Handler,
        method: str,
        payload: JsonDict,
        *,
        status: int = 200,
        extra: dict[str, str] | None = None,
    ) -> None:
        headers = {
            "x-oauth-scopes": ",".join(self.scopes),
            "x-accepted-oauth-scopes": ",".join(ACCEPTED_SCOPES.get(method, ())),
            **(extra or {}),
        }
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(req, status, body, content_type="application/json; charset=utf-8", headers=headers)

    @staticmethod
    def _send(
        req: _Handler,
        status: int,
        body: bytes,
        *,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        req.send_response(status)
        req.send_header("Content-Type", content_type)
        req.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            req.send_header(name, value)
        req.end_headers()
        req.wfile.write(body)

    def response_url(self, name: str = "1") -> str:
        """A response_url (like hooks.slack.com/actions/…) that lands in ``responses``."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def _handle_response_url(self, req: _Handler, name: str, body: bytes) -> None:
        """Messages sent to a response_url: JSON bodies, answered "ok" like Slack's webhooks."""
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self._send(req, 400, b"invalid_payload", content_type="text/plain; charset=utf-8")
            return
        errors = _block_errors(payload.get("blocks"), "/blocks", 50) if "blocks" in payload else []
        if errors or not (payload.get("text") or payload.get("blocks")):
            self._send(req, 400, b"invalid_blocks" if errors else b"no_text", content_type="text/plain; charset=utf-8")
            return
        with self._lock:
            self._check_pings("response_url", payload.get("text"), payload.get("blocks"))
            self.responses.append({"name": name, **payload})
        self._send(req, 200, b"ok", content_type="text/plain; charset=utf-8")

    def _handle_upload(self, req: _Handler, file_id: str, body: bytes) -> None:
        """Accept the raw or multipart POST to an upload URL (not recorded in ``calls``)."""
        content_type = req.headers.get("Content-Type", "")
        data = body
        if content_type.lower().startswith("multipart/form-data"):
            parts = _parse_multipart(content_type, body)
            chosen = next((p for p in parts if p.get_filename() is not None), parts[0] if parts else None)
            data = _part_bytes(chosen) if chosen is not None else b""
        with self._lock:
            upload = self._pending_uploads.get(file_id)
            if upload is not None:
                upload.content = data
        if upload is None:
            self._send(req, 404, b"file not found", content_type="text/plain; charset=utf-8")
        else:
            self._send(req, 200, f"OK - {len(data)}".encode(), content_type="text/plain; charset=utf-8")

    # ------------------------------------------------------------------ helpers (call with lock held)

    def _next_ts(self) -> str:
        """A Slack ts ("1700000000.000100") from ``clock``, strictly increasing."""
        n = max(round(self.clock() * 1_000_000), self._last_ts_us + 1)
        self._last_ts_us = n
        return f"{n // 1_000_000}.{n % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    def _channel(self, args: JsonDict, name: str = "channel") -> _Channel:
        """Resolve a channel argument (a user id means the bot's DM with that user)."""
        cid = _arg_str(args, name)
        if cid is None:
            raise SlackError("channel_not_found")
        if cid in self._channels:
            return self._channels[cid]
        if cid in self._users:
            dm_id = self._dms.setdefault(cid, f"D{cid}")
            if dm_id not in self._channels:
                self.add_channel(dm_id, cid, bot_is_member=True, is_private=True)
            return self._channels[dm_id]
        raise SlackError("channel_not_found")

    def _member_channel(self, args: JsonDict, *, allow_public: bool = False) -> _Channel:
        channel = self._channel(args)
        if not channel.is_member and not (allow_public and not channel.is_private):
            raise SlackError("not_in_channel")
        return channel

    def _find_message(self, channel: str, ts: str | None) -> _Message | None:
        for m in self._messages.get(channel, []):
            if m.ts == ts:
                return m
        return None

    def _check_pings(self, method: str, text: Any, blocks: Any, pointer: str = "/blocks") -> None:
        """Record where a typed @here & co. would broadcast: top-level text (notifications and
        clients parse it) and non-verbatim mrkdwn (Slack's "automatic parsing")."""
        if isinstance(text, str) and plain_special_mentions(text):
            self.ping_violations.append({"method": method, "where": "/text", "text": text})
        for where, found in ping_sites(blocks, pointer):
            self.ping_violations.append({"method": method, "where": where, "text": found})

    def _take_post_token(self, channel_id: str) -> None:
        """Slack's chat.postMessage limit: about one message a second per channel, short bursts
        allowed (a token bucket); beyond it HTTP 429 with Retry-After, in whole seconds."""
        if self.channel_rate is None:
            return
        now = self.monotonic()
        tokens, at = self._buckets.get(channel_id, (float(self.channel_burst), now))
        tokens = min(float(self.channel_burst), tokens + (now - at) * self.channel_rate)
        if tokens < 1.0:
            self._buckets[channel_id] = (tokens, now)
            raise SlackError("ratelimited", _retry_after=max(1, math.ceil((1.0 - tokens) / self.channel_rate)))
        self._buckets[channel_id] = (tokens - 1.0, now)

    def _content(self, args: JsonDict, *, required: bool) -> tuple[str | None, list[JsonDict] | None]:
        """Validate text/blocks/attachments of a message; return (text, blocks)."""
        text = _arg_str(args, "text") or _arg_str(args, "markdown_text")
        try:
            blocks = _arg_json(args, "blocks")
        except ValueError:
            raise SlackError("invalid_blocks_format") from None
        if blocks is not None:
            if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
                raise SlackError("invalid_blocks_format")
            errors = _block_errors(blocks, "/blocks", MAX_MESSAGE_BLOCKS)
            if errors:
                raise SlackError("invalid_blocks", response_metadata={"messages": errors})
        try:
            attachments = _arg_json(args, "attachments")
        except ValueError:
            raise SlackError("invalid_attachments") from None
        if required and text is None and not blocks and not attachments:
            raise SlackError("no_text")
        if text is not None and len(text) > MAX_TEXT_CHARS:
            raise SlackError("msg_too_long")
        return text, blocks

    @staticmethod
    def _metadata(args: JsonDict) -> JsonDict | None:
        try:
            metadata = _arg_json(args, "metadata")
        except ValueError:
            raise SlackError("invalid_metadata_format") from None
        if metadata is None:
            return None
        if not isinstance(metadata, dict):
            raise SlackError("invalid_metadata_format")
        if not isinstance(metadata.get("event_type"), str) or not isinstance(metadata.get("event_payload"), dict):
            raise SlackError("invalid_metadata_schema")
        return metadata

    def _wire_message(self, m: _Message, *, include_metadata: bool = True) -> JsonDict:
        """A message as Slack's API returns it."""
        out: JsonDict = {"type": "message", "user": m.user, "bot_id": BOT_ID, "app_id": APP_ID, "team": TEAM_ID}
        if m.user_team is not None:  # a person wrote it (`say`): no bot_id, their own team
            out = {"type": "message", "user": m.user, "team": m.user_team, "user_team": m.user_team}
        out.update(text=m.text, ts=m.ts)
        if m.blocks is not None:
            out["blocks"] = copy.deepcopy(m.blocks)
        if m.attachments is not None:
            out["attachments"] = copy.deepcopy(m.attachments)
        if m.edited_ts is not None:
            out["edited"] = {"user": m.user, "ts": m.edited_ts}
        if m.thread_ts is not None:
            out["thread_ts"] = m.thread_ts
            out["parent_user_id"] = self.bot_user_id
        else:
            replies = [r for r in self._messages.get(m.channel, []) if r.thread_ts == m.ts]
            if replies:
                out.update(
                    thread_ts=m.ts,
                    reply_count=len(replies),
                    reply_users=sorted({r.user for r in replies}),
                    reply_users_count=len({r.user for r in replies}),
                    latest_reply=replies[-1].ts,
                )
        if include_metadata and m.metadata is not None:
            out["metadata"] = copy.deepcopy(m.metadata)
        return out

    @staticmethod
    def _window(args: JsonDict) -> Callable[[str], bool]:
        """Filter for ``oldest``/``latest``/``inclusive``."""
        oldest_s, latest_s = _arg_str(args, "oldest"), _arg_str(args, "latest")
        oldest = _ts_decimal(oldest_s, "invalid_ts_oldest") if oldest_s else None
        latest = _ts_decimal(latest_s, "invalid_ts_latest") if latest_s else None
        inclusive = _arg_bool(args, "inclusive")

        def keep(ts: str) -> bool:
            t = Decimal(ts)
            if oldest is not None and (t < oldest or (t == oldest and not inclusive)):
                return False
            return not (latest is not None and (t > latest or (t == latest and not inclusive)))

        return keep

    def _page(self, args: JsonDict, msgs: list[_Message], *, newest_first: bool, default_limit: int) -> JsonDict:
        """Apply cursor/limit pagination to an already ordered message list."""
        cursor = _arg_str(args, "cursor")
        if cursor is not None:
            start = _decode_cursor(cursor)
            msgs = [m for m in msgs if (Decimal(m.ts) <= start if newest_first else Decimal(m.ts) >= start)]
        limit = max(1, min(_arg_int(args, "limit", default_limit), 1000))
        page, rest = msgs[:limit], msgs[limit:]
        include_metadata = _arg_bool(args, "include_all_metadata")
        return {
            "messages": [self._wire_message(m, include_metadata=include_metadata) for m in page],
            "has_more": bool(rest),
            "response_metadata": {"next_cursor": _encode_cursor(rest[0].ts) if rest else ""},
        }

    def _user(self, user_id: str | None) -> JsonDict:
        if user_id is None or user_id not in self._users:
            raise SlackError("user_not_found")
        return self._users[user_id]

    def _wire_user(self, u: JsonDict, *, include_locale: bool) -> JsonDict:
        profile: JsonDict = {
            "real_name": u["real_name"],
            "real_name_normalized": u["real_name"],
            "display_name": u["display_name"],
            "display_name_normalized": u["display_name"],
            "team": TEAM_ID,
        }
        if u["email"] is not None and "users:read.email" in self.scopes:
            profile["email"] = u["email"]
        out: JsonDict = {
            "id": u["id"],
            "team_id": TEAM_ID,
            "name": u["name"],
            "deleted": u["deleted"],
            "real_name": u["real_name"],
            "tz": u["tz"],
            "tz_label": u["tz"],
            "tz_offset": _tz_offset(u["tz"]),
            "is_bot": u["is_bot"],
            "is_admin": False,
            "is_owner": False,
            "is_app_user": False,
            "updated": 1_700_000_000,
            "profile": profile,
        }
        if include_locale:
            out["locale"] = u["locale"]
        return out

    def _wire_channel(self, c: _Channel) -> JsonDict:
        is_im = c.id.startswith("D")
        return {
            "id": c.id,
            "name": c.name,
            "is_channel": not is_im,
            "is_group": False,
            "is_im": is_im,
            "is_private": c.is_private or is_im,
            "is_member": c.is_member,
            "is_archived": False,
            "is_general": False,
            "created": c.created,
            "context_team_id": TEAM_ID,
        }

    # ------------------------------------------------------------------ auth / chat

    def _auth_test(self, args: JsonDict) -> JsonDict:
        return {
            "url": f"https://{self.team}.slack.com/",
            "team": self.team,
            "user": "hiyoko",
            "team_id": TEAM_ID,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: JsonDict) -> JsonDict:
        channel = self._member_channel(args, allow_public="chat:write.public" in self.scopes)
        text, blocks = self._content(args, required=True)
        metadata = self._metadata(args)
        self._take_post_token(channel.id)
        self._check_pings("chat.postMessage", text, blocks)
        try:
            attachments = _arg_json(args, "attachments")
        except ValueError:
            attachments = None
        thread_ts = _arg_str(args, "thread_ts")
        if thread_ts is not None:
            parent = self._find_message(channel.id, thread_ts)
            if parent is not None and parent.thread_ts is not None:
                thread_ts = parent.thread_ts  # replying to a reply lands in the same thread
        msg = _Message(
            ts=self._next_ts(),
            channel=channel.id,
            text=text or "",
            blocks=blocks,
            thread_ts=thread_ts,
            metadata=metadata,
            user=self.bot_user_id,
            attachments=attachments if isinstance(attachments, list) else None,
        )
        self._messages.setdefault(channel.id, []).append(msg)
        return {"channel": channel.id, "ts": msg.ts, "message": self._wire_message(msg)}

    def _chat_update(self, args: JsonDict) -> JsonDict:
        channel = self._channel(args)
        ts = _arg_str(args, "ts")
        msg = self._find_message(channel.id, ts)
        if msg is None:
            raise SlackError("message_not_found")
        text, blocks = self._content(args, required=True)
        metadata = self._metadata(args)
        self._check_pings("chat.update", text, blocks)
        if text is not None:
            msg.text = text
        if "blocks" in args and not _blank(args["blocks"]):
            msg.blocks = blocks or None
        if metadata is not None:
            msg.metadata = metadata
        msg.edited_ts = self._next_ts()
        return {"channel": channel.id, "ts": msg.ts, "text": msg.text, "message": self._wire_message(msg)}

    def _chat_delete(self, args: JsonDict) -> JsonDict:
        channel = self._channel(args)
        msg = self._find_message(channel.id, _arg_str(args, "ts"))
        if msg is None:
            raise SlackError("message_not_found")
        self._messages[channel.id].remove(msg)
        return {"channel": channel.id, "ts": msg.ts}

    def _chat_post_ephemeral(self, args: JsonDict) -> JsonDict:
        channel = self._member_channel(args)
        user = self._user(_arg_str(args, "user"))
        text, blocks = self._content(args, required=True)
        self._check_pings("chat.postEphemeral", text, blocks)
        ts = self._next_ts()
        self.ephemerals.append(
            {
                "ts": ts,
                "channel": channel.id,
                "user": user["id"],
                "text": text or "",
                "blocks": blocks,
                "thread_ts": _arg_str(args, "thread_ts"),
            }
        )
        return {"message_ts": ts}

    def _chat_get_permalink(self, args: JsonDict) -> JsonDict:
        channel = self._channel(args)
        msg = self._find_message(channel.id, _arg_str(args, "message_ts"))
        if msg is None:
            raise SlackError("message_not_found")
        link = f"https://{self.team}.slack.com/archives/{channel.id}/p{msg.ts.replace('.', '')}"
        if msg.thread_ts is not None:
            link += f"?thread_ts={msg.thread_ts}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    # ------------------------------------------------------------------ conversations

    def _conversations_history(self, args: JsonDict) -> JsonDict:
        channel = self._member_channel(args)
        keep = self._window(args)
        msgs = [m for m in self._messages.get(channel.id, []) if m.thread_ts is None and keep(m.ts)]
        msgs.sort(key=lambda m: Decimal(m.ts), reverse=True)
        return self._page(args, msgs, newest_first=True, default_limit=100)

    def _conversations_replies(self, args: JsonDict) -> JsonDict:
        channel = self._member_channel(args)
        ts = _arg_str(args, "ts")
        if ts is None:
            raise SlackError(
                "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: ts"]}
            )
        target = self._find_message(channel.id, ts)
        if target is None:
            raise SlackError("thread_not_found")
        root = target.thread_ts or target.ts
        keep = self._window(args)
        msgs = [m for m in self._messages.get(channel.id, []) if (m.ts == root or m.thread_ts == root) and keep(m.ts)]
        msgs.sort(key=lambda m: Decimal(m.ts))
        return self._page(args, msgs, newest_first=False, default_limit=1000)

    def _conversations_info(self, args: JsonDict) -> JsonDict:
        return {"channel": self._wire_channel(self._channel(args))}

    def _conversations_open(self, args: JsonDict) -> JsonDict:
        """A DM with one user (D…) or a group DM with several (G…), the bot always in it."""
        users = [u.strip() for u in (_arg_str(args, "users") or "").split(",") if u.strip()]
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 8:
            raise SlackError("too_many_users")
        for user in users:
            if user not in self._users:
                raise SlackError("user_not_found")
        if len(users) == 1:
            return {"channel": {"id": self._channel({"channel": users[0]}).id}}
        key = ",".join(sorted(set(users)))
        group_id = self._dms.setdefault(key, f"G{len(self._dms):08X}")
        if group_id not in self._channels:
            self.add_channel(group_id, "mpdm-" + key, bot_is_member=True, is_private=True)
        return {"channel": {"id": group_id}}

    def _conversations_join(self, args: JsonDict) -> JsonDict:
        channel = self._channel(args)
        if channel.is_private:
            raise SlackError("method_not_supported_for_channel_type")
        already = channel.is_member
        channel.is_member = True
        result: JsonDict = {"channel": self._wire_channel(channel)}
        if already:
            result["warning"] = "already_in_channel"
        return result

    # ------------------------------------------------------------------ users

    def _users_info(self, args: JsonDict) -> JsonDict:
        user = self._user(_arg_str(args, "user"))
        return {"user": self._wire_user(user, include_locale=_arg_bool(args, "include_locale"))}

    def _users_lookup_by_email(self, args: JsonDict) -> JsonDict:
        email = (_arg_str(args, "email") or "").lower()
        for user in self._users.values():
            if email and (user["email"] or "").lower() == email:
                return {"user": self._wire_user(user, include_locale=False)}
        raise SlackError("users_not_found")

    def _users_list(self, args: JsonDict) -> JsonDict:
        """Members ordered by id, ``limit`` a page (default 100, at most 1000), with a cursor."""
        users = sorted(self._users.values(), key=lambda u: u["id"])
        cursor = _arg_str(args, "cursor")
        if cursor is not None:
            after = _decode_user_cursor(cursor)
            users = [u for u in users if u["id"] >= after]
        limit = max(1, min(_arg_int(args, "limit", 100) or 100, 1000))
        page, rest = users[:limit], users[limit:]
        include_locale = _arg_bool(args, "include_locale")
        return {
            "members": [self._wire_user(u, include_locale=include_locale) for u in page],
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": _encode_user_cursor(rest[0]["id"]) if rest else ""},
        }

    def _usergroups_users_list(self, args: JsonDict) -> JsonDict:
        group = _arg_str(args, "usergroup")
        if group is None or group not in self._usergroups:
            raise SlackError("no_such_subteam")
        return {"users": list(self._usergroups[group])}

    # ------------------------------------------------------------------ views

    def _parse_view(self, args: JsonDict, expected_type: str) -> JsonDict:
        if _blank(args.get("view")):
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: view"]},
            )
        try:
            view = _arg_json(args, "view")
        except ValueError:
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] failed to parse view JSON [json-pointer:/view]"]},
            ) from None
        errors = _view_errors(view, expected_type)
        if errors:
            raise SlackError("invalid_arguments", response_metadata={"messages": errors})
        assert isinstance(view, dict)
        self._check_pings(f"views ({expected_type})", None, view.get("blocks"), "/view/blocks")
        return copy.deepcopy(view)

    def _new_hash(self) -> str:
        return f"{int(time.time())}.{next(self._ids):08x}"

    def _store_view(self, view: JsonDict, *, view_id: str | None = None, root_id: str | None = None) -> JsonDict:
        vid = view_id or self._next_id("V")
        stored: JsonDict = {
            "callback_id": "",
            "private_metadata": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "state": {"values": {}},
            **view,
            "id": vid,
            "team_id": TEAM_ID,
            "hash": self._new_hash(),
            "root_view_id": root_id or vid,
            "previous_view_id": None,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
        }
        return stored

    def _exchange_trigger(self, args: JsonDict) -> None:
        """Slack's rules for a trigger id: one it issued, not exchanged before, at most 3 s old."""
        trigger = _arg_str(args, "trigger_id") or _arg_str(args, "interactivity_pointer")
        if trigger is None or trigger not in self._triggers:
            raise SlackError("invalid_trigger_id")
        if trigger in self._exchanged:
            raise SlackError("exchanged_trigger_id")
        if self.monotonic() - self._triggers[trigger] > TRIGGER_TTL_SECONDS:
            raise SlackError("expired_trigger_id")
        self._exchanged.add(trigger)

    def _views_open(self, args: JsonDict) -> JsonDict:
        view = self._parse_view(args, "modal")
        self._exchange_trigger(args)
        stored = self._store_view(view)
        self._views_by_id[stored["id"]] = stored
        self.views.append(stored)
        return {"view": copy.deepcopy(stored)}

    def _views_push(self, args: JsonDict) -> JsonDict:
        view = self._parse_view(args, "modal")
        self._exchange_trigger(args)
        stored = self._store_view(view)
        self._views_by_id[stored["id"]] = stored
        self.views.append(stored)
        return {"view": copy.deepcopy(stored)}

    def _views_update(self, args: JsonDict) -> JsonDict:
        view_id, external_id = _arg_str(args, "view_id"), _arg_str(args, "external_id")
        if view_id is None and external_id is None:
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] either view_id or external_id is required"]},
            )
        current = self._views_by_id.get(view_id) if view_id is not None else None
        if current is None and external_id is not None:
            current = next((v for v in self._views_by_id.values() if v.get("external_id") == external_id), None)
        if current is None:
            raise SlackError("not_found")
        given_hash = _arg_str(args, "hash")
        if given_hash is not None and given_hash != current["hash"]:
            raise SlackError("hash_conflict")
        view = self._parse_view(args, "modal")
        stored = self._store_view(view, view_id=current["id"], root_id=current["root_view_id"])
        self._views_by_id[stored["id"]] = stored
        self.views.append(stored)
        return {"view": copy.deepcopy(stored)}

    def _views_publish(self, args: JsonDict) -> JsonDict:
        user_id = _arg_str(args, "user_id")
        if user_id is None:
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: user_id"]},
            )
        current = self.home_views.get(user_id)
        given_hash = _arg_str(args, "hash")
        if current is not None and given_hash is not None and given_hash != current["hash"]:
            raise SlackError("hash_conflict")
        view = self._parse_view(args, "home")
        stored = self._store_view(view, view_id=current["id"] if current else None)
        self.home_views[user_id] = stored
        return {"view": copy.deepcopy(stored)}

    # ------------------------------------------------------------------ files

    def _files_get_upload_url(self, args: JsonDict) -> JsonDict:
        filename = _arg_str(args, "filename")
        length = _arg_int(args, "length", -1)
        if filename is None or length < 0:
            raise SlackError("invalid_arguments")
        file_id = self._next_id("F")
        self._pending_uploads[file_id] = _Upload(
            file_id=file_id,
            filename=filename,
            length=length,
            alt_txt=_arg_str(args, "alt_txt"),
            snippet_type=_arg_str(args, "snippet_type"),
        )
        return {"upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: JsonDict) -> JsonDict:
        try:
            files = _arg_json(args, "files")
        except ValueError:
            raise SlackError("invalid_arguments") from None
        if not isinstance(files, list) or not files or not all(isinstance(f, dict) for f in files):
            raise SlackError("invalid_arguments")
        channel_id = _arg_str(args, "channel_id")
        channels = _arg_str(args, "channels")
        if channel_id is not None:
            self._member_channel({"channel": channel_id})
        thread_ts = _arg_str(args, "thread_ts")
        initial_comment = _arg_str(args, "initial_comment")
        pending: list[tuple[_Upload, str]] = []
        for f in files:
            upload = self._pending_uploads.get(str(f.get("id")))
            if upload is None or upload.content is None:
                raise SlackError("file_not_found")
            pending.append((upload, str(f.get("title") or upload.filename)))
        out_files: list[JsonDict] = []
        for upload, title in pending:
            del self._pending_uploads[upload.file_id]
            content = upload.content or b""
            self.uploads.append(
                {
                    "file_id": upload.file_id,
                    "filename": upload.filename,
                    "title": title,
                    "channel_id": channel_id,
                    "channels": channels,
                    "thread_ts": thread_ts,
                    "initial_comment": initial_comment,
                    "alt_txt": upload.alt_txt,
                    "length": upload.length,
                    "content": content,
                }
            )
            out_files.append({"id": upload.file_id, "title": title, "name": upload.filename, "size": len(content)})
        return {"files": out_files}

    # ------------------------------------------------------------------ functions

    def _functions_complete_success(self, args: JsonDict) -> JsonDict:
        execution_id = _arg_str(args, "function_execution_id")
        if execution_id is None:
            raise SlackError("invalid_arguments")
        try:
            outputs = _arg_json(args, "outputs")
        except ValueError:
            raise SlackError("invalid_arguments") from None
        if not isinstance(outputs, dict):
            raise SlackError("invalid_arguments")
        self.function_results.append({"function_execution_id": execution_id, "outputs": outputs, "ok": True})
        return {}

    def _functions_complete_error(self, args: JsonDict) -> JsonDict:
        execution_id = _arg_str(args, "function_execution_id")
        error = _arg_str(args, "error")
        if execution_id is None or error is None:
            raise SlackError("invalid_arguments")
        self.function_results.append({"function_execution_id": execution_id, "error": error, "ok": False})
        return {}

    # ------------------------------------------------------------------ Slack Lists
    #
    # Modelled on docs.slack.dev/reference/methods/slackLists.*: a List is a file ("F…") with a
    # schema of columns (id "Col…", key, name, type, is_primary_column, options.choices for
    # selects); items ("Rec…") carry `fields`. Writes name cells by column_id with one typed
    # key each — text columns take `rich_text` blocks, selects `select: [value]`, users
    # `user: [ids]`, dates `date: ["YYYY-MM-DD"]`. Where the docs are silent the fake is narrow:
    # a cell with more than one typed key, or a type the column does not take, is
    # `invalid_input_type`; an unknown list is `list_not_found`; a workspace without Lists (a
    # free plan) answers every method with `paid_only` (the docs only say "paid plan", not the
    # error — paid_only is Slack's common error for paid-only methods).

    def add_list(self, name: str, schema: list[JsonDict]) -> str:
        """Make a List directly (as a person would in Slack); returns its id."""
        with self._lock:
            return self._make_list(name, schema)

    def list_items(self, list_id: str) -> list[JsonDict]:
        """A List's items as items.list would answer them (tests)."""
        with self._lock:
            return [self._item_view(self._lists[list_id], item) for item in self._lists[list_id]["items"]]

    def reset_list(self, list_id: str) -> None:
        """Delete every item of a List (tests)."""
        with self._lock:
            self._lists[list_id]["items"] = []

    def list_cell(self, list_id: str, item_id: str, key: str) -> str:
        """The text a person sees in one cell (a select shows its label)."""
        with self._lock:
            lst = self._lists[list_id]
            item = next(i for i in lst["items"] if i["id"] == item_id)
            found = next((f for f in self._item_view(lst, item)["fields"] if f["key"] == key), None)
            return "" if found is None else str(found["text"])

    def edit_list_cell(self, list_id: str, item_id: str, key: str, value: str, *, user: str = "UPERSON") -> None:
        """A person edits a cell in Slack: text for a text column, a choice's label for a select."""
        with self._lock:
            lst = self._lists[list_id]
            column = next(c for c in lst["schema"] if c["key"] == key)
            item = next(i for i in lst["items"] if i["id"] == item_id)
            if column["type"] == "select":
                choice = next(c for c in column["options"]["choices"] if c["label"] == value)
                item["cells"][column["id"]] = [choice["value"]]
            elif column["type"] in ("text", "rich_text"):
                item["cells"][column["id"]] = _rich_text(value) if value else None
            else:
                item["cells"][column["id"]] = [value] if value else None
            item["updated_by"] = user
            item["updated_timestamp"] = str(int(self.clock()))

    def _lists_limit(self, method: str) -> None:
        """Tier 2 (~20 a minute) or Tier 3 (~50) per method, over a sliding minute."""
        limit = self.lists_tier2 if method in _LISTS_TIER2 else self.lists_tier3
        now = self.monotonic()
        calls = [at for at in self._lists_calls.get(method, []) if now - at < 60.0]
        if len(calls) >= limit:
            self._lists_calls[method] = calls
            raise SlackError("ratelimited", _retry_after=max(1, math.ceil(60.0 - (now - calls[0]))))
        calls.append(now)
        self._lists_calls[method] = calls

    def _lists_gate(self, method: str, args: JsonDict) -> JsonDict:
        if not self.lists_enabled:
            raise SlackError("paid_only")
        self._lists_limit(method)
        list_id = _arg_str(args, "list_id")
        if method != "slackLists.create":
            if list_id is None or list_id not in self._lists:
                raise SlackError("list_not_found")
            return self._lists[list_id]
        return {}

    def _make_list(self, name: str, schema: list[JsonDict]) -> str:
        list_id = self._next_id("F")
        columns = []
        if not schema:
            schema = [{"key": "name", "name": "Name", "type": "text", "is_primary_column": True}]
        for column in schema:
            if not isinstance(column, dict) or not column.get("key") or not column.get("name"):
                raise SlackError("invalid_schema")
            if column.get("type") not in _LIST_COLUMN_TYPES:
                raise SlackError("invalid_column_type")
            choices = (column.get("options") or {}).get("choices")
            if column["type"] == "select" and not (
                isinstance(choices, list) and all(isinstance(c, dict) and c.get("value") for c in choices)
            ):
                raise SlackError("invalid_schema")
            columns.append({"id": self._next_id("Col"), **column})
        primaries = [c for c in columns if c.get("is_primary_column")]
        if len(primaries) != 1 or primaries[0]["type"] != "text":
            raise SlackError("invalid_primary_column")
        if len({c["key"] for c in columns}) != len(columns):
            raise SlackError("invalid_schema")
        self._lists[list_id] = {"id": list_id, "name": name, "schema": columns, "items": []}
        return list_id

    def _slack_lists_create(self, args: JsonDict) -> JsonDict:
        self._lists_gate("slackLists.create", args)
        name = _arg_str(args, "name")
        if name is None:
            raise SlackError("invalid_arguments")
        schema = args.get("schema") or []
        if isinstance(schema, str):
            schema = json.loads(schema)
        if not isinstance(schema, list):
            raise SlackError("invalid_schema")
        list_id = self._make_list(name, schema)
        return {"list_id": list_id, "list_metadata": {"schema": self._lists[list_id]["schema"]}}

    def _cell_value(self, lst: JsonDict, cell: Any) -> tuple[str, Any]:
        """Validate one written cell; returns (column id, stored value)."""
        if not isinstance(cell, dict) or not cell.get("column_id"):
            raise SlackError("column_id_not_provided")
        column = next((c for c in lst["schema"] if c["id"] == cell["column_id"]), None)
        if column is None:
            raise SlackError("invalid_column_id")
        typed = [k for k in cell if k in _LIST_VALUE_KEYS]
        if len(typed) != 1 or typed[0] != _LIST_VALUE_KEY_OF[column["type"]]:
            raise SlackError("invalid_input_type")
        value = cell[typed[0]]
        if not isinstance(value, list):
            raise SlackError("invalid_input_type")
        if typed[0] == "rich_text":
            if _block_errors(value, "/rich_text", 50) or any(b.get("type") != "rich_text" for b in value):
                raise SlackError("invalid_blocks")
        elif typed[0] == "select":
            allowed = {c["value"] for c in column["options"]["choices"]}
            if len(value) > 1 or any(v not in allowed for v in value):
                raise SlackError("invalid_option_id")
        elif typed[0] == "user":
            if any(u not in self._users for u in value):
                raise SlackError("user_not_found")
        elif typed[0] == "date":
            for day in value:
                try:
                    date.fromisoformat(str(day))
                except ValueError:
                    raise SlackError("invalid_date") from None
        return column["id"], value or None

    def _slack_lists_items_create(self, args: JsonDict) -> JsonDict:
        lst = self._lists_gate("slackLists.items.create", args)
        fields = args.get("initial_fields") or []
        if isinstance(fields, str):
            fields = json.loads(fields)
        if not isinstance(fields, list):
            raise SlackError("invalid_args")
        cells = dict(self._cell_value(lst, f) for f in fields)
        now = str(int(self.clock()))
        item = {
            "id": self._next_id("Rec"),
            "list_id": lst["id"],
            "date_created": int(self.clock()),
            "created_by": self.bot_user_id,
            "updated_by": self.bot_user_id,
            "updated_timestamp": now,
            "cells": cells,
        }
        lst["items"].append(item)
        return {"item": self._item_view(lst, item)}

    def _slack_lists_items_update(self, args: JsonDict) -> JsonDict:
        lst = self._lists_gate("slackLists.items.update", args)
        cells = args.get("cells")
        if isinstance(cells, str):
            cells = json.loads(cells)
        if not isinstance(cells, list) or not cells:
            raise SlackError("invalid_args")
        by_id = {i["id"]: i for i in lst["items"]}
        staged = []
        for cell in cells:  # all or nothing: validate every cell before writing any
            item = by_id.get(cell.get("row_id") if isinstance(cell, dict) else None)
            if item is None:
                raise SlackError("invalid_row_id")
            staged.append((item, *self._cell_value(lst, cell)))
        for item, column_id, value in staged:
            item["cells"][column_id] = value
            item["updated_by"] = self.bot_user_id
            item["updated_timestamp"] = str(int(self.clock()))
        return {}

    def _slack_lists_items_list(self, args: JsonDict) -> JsonDict:
        lst = self._lists_gate("slackLists.items.list", args)
        items = lst["items"]
        cursor = _arg_str(args, "cursor")
        start = 0
        if cursor is not None:
            try:
                prefix, _, offset = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
                start = int(offset)
            except ValueError:
                raise SlackError("invalid_cursor") from None
            if prefix != lst["id"]:
                raise SlackError("invalid_cursor")
        limit = max(1, min(_arg_int(args, "limit", 100) or 100, 1000))
        page = items[start : start + limit]
        more = start + limit < len(items)
        result: JsonDict = {
            "items": [self._item_view(lst, i) for i in page],
            "response_metadata": {
                "next_cursor": base64.b64encode(f"{lst['id']}:{start + limit}".encode()).decode() if more else ""
            },
        }
        if _arg_bool(args, "include_list"):
            result["list"] = {"id": lst["id"], "title": lst["name"], "list_metadata": {"schema": lst["schema"]}}
        return result

    def _item_view(self, lst: JsonDict, item: JsonDict) -> JsonDict:
        fields = []
        for column in lst["schema"]:
            value = item["cells"].get(column["id"])
            if value is None:
                continue
            key = _LIST_VALUE_KEY_OF[column["type"]]
            if key == "rich_text":
                text = _plain_rich_text(value)
            elif key == "select":
                labels = {c["value"]: c.get("label", c["value"]) for c in column["options"]["choices"]}
                text = ", ".join(labels[v] for v in value)
            else:
                text = ", ".join(str(v) for v in value)
            entry: JsonDict = {"key": column["key"], "column_id": column["id"], "value": value, "text": text}
            entry[key] = value
            fields.append(entry)
        view = {k: v for k, v in item.items() if k != "cells"}
        return {**view, "fields": fields}

    # ------------------------------------------------------------------ latency (bench)

    def delay_all(self, seconds: float) -> None:
        """Answer every later request ``seconds`` late (a slow Slack), until ``reset_faults``."""
        with self._lock:
            self._faults.append(_Fault("hang", 1 << 62, None, seconds=seconds))
