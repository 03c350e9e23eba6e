"""JSON logs, one object a line, carrying the request id and the signal id of the work at hand,
with Slack tokens and secrets blotted out wherever they might slip into a message."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
signal_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("signal_id", default=None)

# Every Slack token family: bot/user/app-level (xoxb-, xoxp-, xapp-…), refresh (xoxe-), rotating
# (`xoxe.xoxp-1-…`), browser session (xoxc-, and xoxd- cookies, often URL-encoded: hence `%`).
_SECRETS = re.compile(r"\b(?:xox[a-z](?:\.xox[a-z])?|xapp|xwfp)-[A-Za-z0-9%_-]+")
_KEY_VALUE = re.compile(
    r"(?i)((?:signing_secret|client_secret|password|private_key|token)[\"']?\s*[:=]\s*[\"']?)"
    r"([^\s\"',}]+)"
)


def redact(text: str) -> str:
    """Blot out Slack tokens and `secret=…`-style values."""
    return _KEY_VALUE.sub(r"\1[redacted]", _SECRETS.sub("[redacted]", text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, var in (("request_id", request_id), ("signal_id", signal_id)):
            value = var.get()
            if value:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Plain-text lines, redacted as a whole: a token can hide in the message, in an exception's
    message or in a traceback's source lines, and each of those is formatted here."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure(json_lines: bool, level: int = logging.INFO) -> None:
    """Logs to stderr: JSON lines for the running app, plain text for one-off commands."""
    handler = logging.StreamHandler(sys.stderr)
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


P = ParamSpec("P")
T = TypeVar("T")


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool that carries the caller's context (the request id) into its threads, which a
    plain pool does not: Bolt runs listeners in one after the HTTP request's thread acked."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)  # type: ignore[arg-type]
