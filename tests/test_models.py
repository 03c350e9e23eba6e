"""The pure domain: validation of a draft, text escaping for Slack and sheets, signal ids and kinds."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from models.signal import Category, Kind, SignalDraft, format_signal_id, parse_signal_id
from models.text import escape_mrkdwn, fit, has_special_mention, slack_to_plain
from models.validation import Problem, validate_draft

TODAY = date(2026, 11, 23)
YESTERDAY = TODAY - timedelta(days=1)
NEXT_YEAR = date(2027, 4, 1)

EGG = SignalDraft(
    customer="株式会社サンプル",
    kind=Kind.EGG,
    category=Category.SEATS,
    summary="他の工場でも使いたい",
    timing=None,
    owner_id="UAE",
)
CHICK = replace(EGG, kind=Kind.CHICK, timing=NEXT_YEAR)

REQUIRED = Problem("error.required")


def too_long(limit: int) -> Problem:
    return Problem("error.too_long", {"limit": limit, "length": limit + 1})


# --- validate_draft ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        pytest.param(EGG, {}, id="egg-without-timing-ok"),
        pytest.param(CHICK, {}, id="chick-with-future-timing-ok"),
        pytest.param(replace(CHICK, timing=TODAY), {}, id="chick-timing-today-ok"),
        pytest.param(replace(EGG, timing=TODAY), {}, id="egg-may-have-timing-today"),
        pytest.param(replace(EGG, timing=NEXT_YEAR), {}, id="egg-may-have-future-timing"),
        pytest.param(replace(EGG, customer=""), {"customer": REQUIRED}, id="empty-customer"),
        pytest.param(replace(EGG, summary=""), {"summary": REQUIRED}, id="empty-summary"),
        pytest.param(
            replace(EGG, customer="", summary=""), {"customer": REQUIRED, "summary": REQUIRED}, id="both-empty"
        ),
        pytest.param(
            replace(EGG, kind=Kind.CHICK, timing=None),
            {"timing": Problem("error.chick_needs_timing")},
            id="chick-without-timing",
        ),
        pytest.param(
            replace(CHICK, timing=YESTERDAY),
            {"timing": Problem("error.timing_past", {"today": "2026-11-23"})},
            id="chick-timing-yesterday",
        ),
        pytest.param(
            replace(EGG, timing=YESTERDAY),
            {"timing": Problem("error.timing_past", {"today": "2026-11-23"})},
            id="egg-timing-yesterday",
        ),
        pytest.param(
            replace(EGG, kind=Kind.CHICK, timing=None, customer="", summary="x" * 2001, size="x" * 101),
            {
                "customer": REQUIRED,
                "summary": too_long(2000),
                "size": too_long(100),
                "timing": Problem("error.chick_needs_timing"),
            },
            id="several-problems-per-field",
        ),
        pytest.param(
            replace(EGG, customer="x" * 151, source="x" * 501, timing=YESTERDAY),
            {
                "customer": too_long(150),
                "source": too_long(500),
                "timing": Problem("error.timing_past", {"today": "2026-11-23"}),
            },
            id="too-long-and-past",
        ),
    ],
)
def test_validate_draft(draft: SignalDraft, expected: dict[str, Problem]) -> None:
    assert validate_draft(draft, TODAY) == expected


# The limits are part of the contract (README: customer 150, summary 2,000, size 100, source 500).
@pytest.mark.parametrize(
    ("field", "limit"),
    [("customer", 150), ("summary", 2000), ("size", 100), ("source", 500)],
)
@pytest.mark.parametrize("char", ["x", "顧"], ids=["ascii", "japanese"])
def test_length_limits(field: str, limit: int, char: str) -> None:
    at: dict[str, Any] = {field: char * limit}
    over: dict[str, Any] = {field: char * (limit + 1)}
    at_limit, over_limit = replace(EGG, **at), replace(EGG, **over)

    assert validate_draft(at_limit, TODAY) == {}
    assert validate_draft(over_limit, TODAY) == {field: too_long(limit)}


# --- escape_mrkdwn -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here> please", "&lt;!here&gt; please"),
        ("<@U1>", "&lt;@U1&gt;"),
        ("<https://evil.example|click>", "&lt;https://evil.example|click&gt;"),
        ("A & B", "A &amp; B"),
        ("&amp;", "&amp;amp;"),
        ("&lt;b&gt;", "&amp;lt;b&amp;gt;"),
        ("他の工場でも使いたい 🐣", "他の工場でも使いたい 🐣"),
        pytest.param("*bold* _it_ ~st~ `code`", "＊bold＊ ＿it＿ ～st～ ｀code｀", id="marks-cannot-format"),
        pytest.param("sato_h a*b 3*4=12 田中_太郎", "sato_h a*b 3*4=12 田中_太郎", id="marks-inside-words-stay"),
        pytest.param("> quote\nnext\n  >x", "＞ quote\nnext\n  ＞x", id="no-quote"),
        ("", ""),
        pytest.param("@channel 見て", "@\u2060channel 見て", id="plain-channel"),
        pytest.param("@here", "@\u2060here", id="plain-here"),
        pytest.param("hi @Everyone!", "hi @\u2060Everyone!", id="plain-everyone-any-case"),
        pytest.param("@HERE @here", "@\u2060HERE @\u2060here", id="every-occurrence"),
        pytest.param("＠channel", "＠\u2060channel", id="full-width-at"),
        pytest.param("＠ｈｅｒｅ", "＠\u2060ｈｅｒｅ", id="all-full-width"),
        pytest.param("営業@here", "営業@\u2060here", id="after-japanese"),
        pytest.param("(@channel)", "(@\u2060channel)", id="after-punctuation"),
        pytest.param("sato@here.co.jp", "sato@here.co.jp", id="email-untouched"),
        pytest.param("@chan nel @sato", "@chan nel @sato", id="other-words-untouched"),
        pytest.param("<@here> & @here", "&lt;@\u2060here&gt; &amp; @\u2060here", id="with-entities"),
    ],
)
def test_escape_mrkdwn(text: str, expected: str) -> None:
    assert escape_mrkdwn(text) == expected
    assert not has_special_mention(escape_mrkdwn(text))


# --- fit -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("escaped", "limit", "expected"),
    [
        pytest.param("abc", 10, "abc", id="short-untouched"),
        pytest.param("abcde", 5, "abcde", id="exactly-at-limit-untouched"),
        pytest.param("abcdefghij", 5, "abcd…", id="cut-adds-ellipsis"),
        pytest.param("abcdefghij", 1, "…", id="limit-one"),
        pytest.param("aaa&amp;bbbbbbbbbb", 6, "aaa…", id="no-cut-inside-amp"),
        pytest.param("aaa&amp;bbbbbbbbbb", 8, "aaa…", id="no-cut-inside-amp-late"),
        pytest.param("aaa&amp;bbbbbbbbbb", 9, "aaa&amp;…", id="amp-kept-whole"),
        pytest.param("ab&lt;cdefgh", 5, "ab…", id="no-cut-inside-lt"),
        pytest.param("ab&lt;cdefgh", 7, "ab&lt;…", id="lt-kept-whole"),
        pytest.param("&lt;&lt;&lt;", 6, "&lt;…", id="second-entity-dropped"),
        pytest.param("顧客の声" * 10, 4, "顧客の…", id="japanese"),
    ],
)
def test_fit(escaped: str, limit: int, expected: str) -> None:
    assert fit(escaped, limit) == expected


_ENTITY = re.compile(r"&(amp|lt|gt);")


@pytest.mark.parametrize(
    "text",
    ["<!channel> & <@U1> & more", "&&&&&&&&&&&&", "<<<>>>", "plain text with no entity at all", "顧客 & <営業>" * 5],
)
def test_fit_never_breaks_an_entity_nor_exceeds_the_limit(text: str) -> None:
    escaped = escape_mrkdwn(text)
    for limit in range(1, len(escaped) + 2):
        result = fit(escaped, limit)
        assert len(result) <= limit, (limit, result)
        if result == escaped:
            continue
        assert result.endswith("…"), (limit, result)
        kept = result[:-1]
        assert escaped.startswith(kept), (limit, result)
        # Every "&" left is the start of a whole entity: what remains unescapes back to a prefix of the text.
        assert _ENTITY.sub("", kept).count("&") == 0, (limit, result)
        assert text.startswith(slack_to_plain(kept)), (limit, result)


# --- slack_to_plain ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("<@U1>", "@U1", id="user"),
        pytest.param("<@U1|sato>", "@sato", id="user-with-label"),
        pytest.param("<#C1>", "#C1", id="channel"),
        pytest.param("<#C1|general>", "#general", id="channel-with-label"),
        pytest.param("<!here>", "@here", id="here"),
        pytest.param("<!channel> hi", "@channel hi", id="channel-broadcast"),
        pytest.param("<!subteam^S123|@team>", "@team", id="subteam"),
        pytest.param("<!subteam^S123>", "@S123", id="subteam-without-label"),
        pytest.param("<!here|@here>", "@here", id="legacy-here-label"),
        pytest.param("<!date^1392734382^{date_pretty}|Feb 18>", "Feb 18", id="date"),
        pytest.param("<https://example.com>", "https://example.com", id="link"),
        pytest.param("<https://example.com|Example>", "Example (https://example.com)", id="link-with-label"),
        pytest.param("<https://example.com|https://example.com>", "https://example.com", id="link-label-same"),
        pytest.param("A &amp; B &lt;tag&gt;", "A & B <tag>", id="entities"),
        pytest.param("&amp;lt;", "&lt;", id="entities-unescaped-once"),
        pytest.param("他の工場でも使いたい 🐣", "他の工場でも使いたい 🐣", id="japanese"),
        pytest.param(
            "<@U1> さんが「<https://x.example/doc|資料>」を共有 &amp; 確認",
            "@U1 さんが「資料 (https://x.example/doc)」を共有 & 確認",
            id="mixed",
        ),
        pytest.param("", "", id="empty"),
    ],
)
def test_slack_to_plain(text: str, expected: str) -> None:
    assert slack_to_plain(text) == expected


# --- signal ids and kinds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"),
    [(1, "S-000001"), (123, "S-000123"), (999_999, "S-999999"), (1_000_000, "S-1000000"), (1_234_567, "S-1234567")],
)
def test_signal_id_round_trip(number: int, text: str) -> None:
    assert format_signal_id(number) == text
    assert parse_signal_id(text) == number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("s-000123", 123),
        ("  S-000123  ", 123),
        ("\tS-000123\n", 123),
        (" s-1234567 ", 1_234_567),
    ],
)
def test_parse_signal_id_forgives_case_and_spaces(text: str, expected: int) -> None:
    assert parse_signal_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "S-",
        "S-00123",
        "000123",
        "X-000123",
        "S-000123x",
        "S 000123",
        "S-00012a",
        "SS-000123",
        "S--000123",
        "S-000123 S-000124",
        "signal S-000123",
    ],
)
def test_parse_signal_id_refuses_garbage(text: str) -> None:
    assert parse_signal_id(text) is None


@pytest.mark.parametrize(("kind", "emoji"), [(Kind.EGG, "🥚"), (Kind.CHICK, "🐣")])
def test_kind_emoji(kind: Kind, emoji: str) -> None:
    assert kind.emoji == emoji


def test_kind_values() -> None:
    assert [kind.value for kind in Kind] == ["egg", "chick"]


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("  二行\r\n目\rです  ", "二行\n目\nです"),
        ("a\x00b\x07c\x1b[31md\x7f", "abc[31md"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("🐣\u200b", "🐣\u200b"),  # invisible but not a control character: kept as typed
    ],
)
def test_clean_text_drops_control_characters_only(raw: str, kept: str) -> None:
    from models.text import clean_text

    assert clean_text(raw) == kept
