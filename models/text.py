"""Making user text safe for Slack mrkdwn and for spreadsheets, and reading Slack's text back."""

from __future__ import annotations

import re

# Control characters no person means to type (NUL, escape sequences, bell…), which PostgreSQL
# cannot even store (NUL). Line breaks and tabs stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """User text as hiyoko keeps it: trimmed, CRLF as LF, without invisible control characters."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


# A typed `@channel`, `@here` or `@everyone` (any case, ASCII or full-width) is a broadcast
# wherever Slack parses mentions automatically (top-level `text`, non-verbatim mrkdwn). An e-mail
# address (`sato@here.co.jp`) is left whole; Japanese right before the `@` is not an address.
_SPECIAL_MENTION = re.compile(r"(?<![A-Za-z0-9._%+-])([@＠])(?=(?:channel|here|everyone))", re.IGNORECASE)
WORD_JOINER = "\u2060"  # invisible, and it keeps the word whole, so nothing reads differently


def _fold_wide(text: str) -> str:
    """Full-width ASCII (ｃｈａｎｎｅｌ) as ASCII, one character for one, so positions stay put."""
    return "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in text)


# mrkdwn has no escape for its formatting marks. A `*`, `_` or `~` that could open or close bold,
# italic or strike (not inside a word: `sato_h`, `a*b` stay) becomes its full-width twin, as does
# every backtick (code) and a `>` that starts a line (a quote): the text reads the same, unformatted.
_MARK = re.compile(r"(?<!\w)[*_~]|[*_~](?!\w)|`")
_WIDE_MARK = {"*": "＊", "_": "＿", "~": "～", "`": "｀"}
_QUOTE = re.compile(r"^(\s*)&gt;", re.MULTILINE)


def escape_link(url: str) -> str:
    """A web address for `<url>` / `<url|label>`: only Slack's three reserved characters escaped."""
    return url.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_mrkdwn(text: str) -> str:
    """User text as mrkdwn that shows exactly what was typed: Slack's three reserved characters
    escaped (a typed `<!channel>` or `<@U1>` pings nobody), typed `@channel`/`@here`/`@everyone`
    broken with a word joiner after the `@`, and no formatting marks left that could format."""
    escaped = escape_link(text)
    escaped = _QUOTE.sub(r"\1＞", _MARK.sub(lambda m: _WIDE_MARK[m.group()], escaped))
    folded = _fold_wide(escaped)
    cuts = [m.end(1) for m in _SPECIAL_MENTION.finditer(folded)]
    for cut in reversed(cuts):
        escaped = escaped[:cut] + WORD_JOINER + escaped[cut:]
    return escaped


def has_special_mention(text: str) -> bool:
    """Whether Slack's automatic parsing would turn something in `text` into a broadcast."""
    return _SPECIAL_MENTION.search(_fold_wide(text)) is not None


def fit(escaped: str, limit: int) -> str:
    """Shorten already-escaped text to `limit` characters without cutting an `&amp;`-style entity."""
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


_SLACK_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def slack_to_plain(text: str) -> str:
    """Turn a message's mrkdwn (`<@U1>`, `<!here>`, `<https://x|label>`, `&amp;`) into plain text."""

    def replace(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        sigil = target[0]
        if sigil in "@#":
            name = label or target[1:]
            return name if name.startswith(sigil) else sigil + name
        if sigil == "!":
            command, _, argument = target[1:].partition("^")
            if command == "date":  # <!date^1392734382^{date}|Feb 18> reads as its fallback text
                return label or argument
            name = label or argument or command
            return name if name.startswith("@") else "@" + name
        return f"{label} ({target})" if label and label != target else target

    plain = _SLACK_LINK.sub(replace, text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
