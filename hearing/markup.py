"""The speaker's own words in a raw Slack message: mentions, channel links, URLs, emoji, code and
quoted lines (someone else's words) taken out; a link's label kept."""

from __future__ import annotations

import html
import re

_CODE_BLOCK = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_QUOTE_LINE = re.compile(r"^\s*(?:>|&gt;).*$", re.MULTILINE)
_LABELLED_LINK = re.compile(r"<(?:https?|mailto|tel):[^|>]*\|([^>]*)>")
_ANGLE = re.compile(r"<[^>]*>")  # <@U…>, <#C…|x>, <!here>, <https://…>
_BARE_URL = re.compile(r"https?://\S+")
_EMOJI = re.compile(r":[a-z0-9_+\-']+(?:::skin-tone-\d)?:")


def speaker_text(raw: str) -> str:
    """What the person wrote themselves, without Slack markup (entities unescaped)."""
    text = _CODE_BLOCK.sub(" ", raw)
    text = _INLINE_CODE.sub(" ", text)
    text = _QUOTE_LINE.sub(" ", text)
    text = _LABELLED_LINK.sub(r"\1", text)
    text = _ANGLE.sub(" ", text)
    text = _BARE_URL.sub(" ", text)
    text = _EMOJI.sub(" ", text)
    text = html.unescape(text)
    return re.sub(r"[ \t\u3000]+", " ", text).strip()
