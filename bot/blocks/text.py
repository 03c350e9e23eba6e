"""The one way Block Kit here writes mrkdwn text objects."""

from __future__ import annotations

import re
from typing import Any

from models.text import escape_link, escape_mrkdwn, fit

TEXT_MAX = 3000  # Slack's limit for a text object


def mrkdwn(text: str, limit: int = TEXT_MAX) -> dict[str, Any]:
    """A mrkdwn text object, always verbatim: Slack then parses no typed `@here`, channel name or
    URL on its own, while the `<@U…>` mentions and `<url|label>` links hiyoko writes still work
    (verbatim keeps "manual parsing strings"). `text` is already escaped; it is cut to `limit`."""
    return {"type": "mrkdwn", "text": fit(text, limit), "verbatim": True}


_URL = re.compile(r"https?://[^\s<>|]+")


def text_or_link(text: str) -> str:
    """User text, escaped; a bare web address becomes a link (verbatim text links nothing itself)."""
    return f"<{escape_link(text)}>" if _URL.fullmatch(text) else escape_mrkdwn(text)
