"""When a customer says it will happen (SPEC "Timing as heard"): the first day of the month meant,
read in a message's (normalised: NFKC, lower-case) text against the day it was written.

A bare month (4月から, in March, by April) is its next occurrence on or after the message's month;
来月/next month +1, 再来月 +2; 来週 the month a week later falls in; 来期/来年度/next fiscal year the
next 1 April; 下期 1 October of the current fiscal year; 年明け 1 January; GW明け 1 May; お盆明け
1 August; after the summer 1 September; next quarter / Q3 calendar quarters (Q3 = July); 3月末までに
March. A timing that belongs to something else — the next meeting, when budgets are set — is not one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class HeardTiming:
    month: date  # the first day of the month meant
    phrase: str  # as written (normalised)
    start: int  # offset in the text read
    end: int


# English words are bounded by ASCII letters only: "next quarterくらい" still says "next quarter".
_B = r"(?:(?<![a-z0-9])(?=[a-z0-9])|(?<=[a-z0-9])(?![a-z0-9]))"


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace(r"\b", _B))


def _month_on_or_after(month: int, on: date) -> date:
    return date(on.year if month >= on.month else on.year + 1, month, 1)


def _shift(on: date, months: int) -> date:
    index = on.month - 1 + months
    return date(on.year + index // 12, index % 12 + 1, 1)


def _fiscal_start(on: date) -> int:
    """The calendar year the message's fiscal year (April to March) started in."""
    return on.year if on.month >= 4 else on.year - 1


def _next_quarter(on: date) -> date:
    return _shift(date(on.year, (on.month - 1) // 3 * 3 + 1, 1), 3)


_EN_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
# Month names that are also everyday words ("we may", "march on") need a preposition before them.
_PLAIN_MONTHS = "|".join(
    name for name in sorted(_EN_MONTHS, key=len, reverse=True) if len(name) > 3 and name not in ("may", "march")
)
_ALL_MONTHS = "|".join(sorted(_EN_MONTHS, key=len, reverse=True))
_BEFORE_MONTH = (
    r"(?:in|by|from|until|till|starting|start of|beginning of|early|mid|mid-|late|end of|after|before|around"
    r"|since|this|next|for|during|of)"
)
_Q_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_QUARTER_MONTH = {1: 1, 2: 4, 3: 7, 4: 10}

Reader = Callable[[re.Match[str], date], date | None]


def _ja_month(match: re.Match[str], on: date) -> date | None:
    month = int(match["month"])
    if not 1 <= month <= 12:
        return None
    if match["year"]:
        return date(int(match["year"]), month, 1)
    if match["rel"]:
        return date(on.year + {"今年": 0, "本年": 0, "来年": 1, "翌年": 1, "再来年": 2}[match["rel"]], month, 1)
    return _month_on_or_after(month, on)


def _en_month(match: re.Match[str], on: date) -> date | None:
    month = _EN_MONTHS[match["name"]]
    if match["year"]:
        return date(int(match["year"]), month, 1)
    if match["next"] and month <= on.month:
        return date(on.year + 1, month, 1)
    return _month_on_or_after(month, on)


def _quarter(number: int, on: date) -> date:
    return _month_on_or_after(_QUARTER_MONTH[number], on)


_READERS: list[tuple[re.Pattern[str], Reader]] = [
    (
        _re(
            r"(?:(?P<year>20\d\d)\s*[年/\-.]\s*|(?P<rel>再来年|来年|翌年|今年|本年)度?\s*の?\s*)?"
            r"(?<![\d.,/:ヶかカケ个])(?P<month>\d{1,2})\s*月(?!\s*[間額次例曜謝])"
        ),
        _ja_month,
    ),
    (_re(r"再来月"), lambda m, on: _shift(on, 2)),
    (_re(r"来月|翌月"), lambda m, on: _shift(on, 1)),
    (_re(r"今月(?:中|内|末)"), lambda m, on: _shift(on, 0)),
    (_re(r"再来週"), lambda m, on: _shift(on + timedelta(days=14), 0)),
    (_re(r"来週"), lambda m, on: _shift(on + timedelta(days=7), 0)),
    (
        _re(r"(?:来年度|来期|次期|次年度|翌年度|新年度)(?:の?(?:下期|下半期))?"),
        lambda m, on: date(_fiscal_start(on) + 1, 10 if ("下" in m[0]) else 4, 1),
    ),
    (_re(r"(?:今期の?)?(?:下期|下半期)"), lambda m, on: date(_fiscal_start(on), 10, 1)),
    (_re(r"年明け|年始|新年早々"), lambda m, on: _month_on_or_after(1, on)),
    (_re(r"年度末|期末"), lambda m, on: _month_on_or_after(3, on)),
    (_re(r"(?:gw|ゴールデンウィーク|ゴールデンウイーク)明け"), lambda m, on: _month_on_or_after(5, on)),
    (_re(r"お?盆明け|お盆休み明け"), lambda m, on: _month_on_or_after(8, on)),
    (_re(r"夏(?:休み)?明け|夏以降|夏が(?:終わ|明け)"), lambda m, on: _month_on_or_after(9, on)),
    (
        _re(r"第\s*([1-4一二三四])\s*四半期"),
        lambda m, on: _quarter("0一二三四".index(m[1]) if not m[1].isdigit() else int(m[1]), on),
    ),
    (_re(r"(?:次の|来)四半期"), lambda m, on: _next_quarter(on)),
    # English
    (
        _re(
            rf"(?:(?P<next>next)\s+|{_BEFORE_MONTH}\s+(?:the\s+)?(?:(?:start|beginning|end|middle)\s+of\s+)?)"
            rf"(?P<name>{_ALL_MONTHS})\b\.?(?:\s*,?\s*(?P<year>20\d\d))?"
        ),
        _en_month,
    ),
    (
        _re(rf"\b(?P<next>)(?P<name>{_PLAIN_MONTHS})\b(?:\s*,?\s*(?P<year>20\d\d))?"),
        _en_month,
    ),
    (_re(r"\b(?P<next>)(?P<name>may|march)\s*,?\s*(?P<year>20\d\d)"), _en_month),
    (
        _re(r"\bthe month after next\b|\bin two months\b"),
        lambda m, on: _shift(on, 2),
    ),
    (_re(r"\bnext month\b"), lambda m, on: _shift(on, 1)),
    (_re(r"\bthis month\b"), lambda m, on: _shift(on, 0)),
    (_re(r"\bnext week\b"), lambda m, on: _shift(on + timedelta(days=7), 0)),
    (
        _re(r"\bnext (?:fiscal|financial) year\b|\bnext fy\b|\bnew fiscal year\b|\bfy ?20(\d\d)\b"),
        lambda m, on: date(2000 + int(m[1]), 4, 1) if m[1] else date(_fiscal_start(on) + 1, 4, 1),
    ),
    (
        _re(r"\b(?:second half|h2) of (?:the|this) fiscal year\b"),
        lambda m, on: date(_fiscal_start(on), 10, 1),
    ),
    (
        _re(r"\bafter (?:the )?new year\b|\bin the new year\b|\bearly next year\b|\bstart of next year\b"),
        lambda m, on: _month_on_or_after(1, on),
    ),
    (
        _re(r"\bafter (?:the )?golden week\b|\bafter gw\b"),
        lambda m, on: _month_on_or_after(5, on),
    ),
    (_re(r"\bafter (?:the )?obon\b"), lambda m, on: _month_on_or_after(8, on)),
    (_re(r"\bafter (?:the )?summer\b"), lambda m, on: _month_on_or_after(9, on)),
    (_re(r"\bnext quarter\b"), lambda m, on: _next_quarter(on)),
    (
        _re(r"\bq([1-4])\b|\b([1-4])q\b"),
        lambda m, on: _quarter(int(m[1] or m[2]), on),
    ),
    (
        _re(r"\b(first|second|third|fourth|1st|2nd|3rd|4th) quarter\b"),
        lambda m, on: _quarter(_Q_WORDS[m[1]], on),
    ),
]

# What a said time may belong to instead of the expansion: a meeting, a reply, the budget.
_ELSEWHERE_AFTER = _re(
    r"^\s*(?:[のにでは、,]|頃|ごろ|中|中に|以降|くらい)*\s*(?:の|に|で|は|にも)?\s*(?:の[一-龥ァ-ヶー]{1,3}?)?(?:お|ご)?"
    r"(?:定例|月例|例会|朝礼|会合|打ち?合わ?せ|会議|ミーティング|mtg|面談|訪問|商談|説明会|デモ|勉強会|面会|電話|連絡|返信|回答|返事"
    r"|相談|伺|お伺い|話し?合い|お話|稟議|決算|棚卸|監査|点検|更新日|契約更新|不在|休み|お休み|休暇|出張)"
)
_BUDGET_AROUND = _re(r"予算\s*(?:が|を|は)?\s*(?:決ま|確定|組|出|通|承認|策定|編成)")
_ELSEWHERE_EN = _re(
    r"\b(?:meeting|call|sync|catch[- ]?up|check[- ]in|demo|visit|qbr|review|discuss|talk|chat|get back|reply|respond"
    r"|follow up|budget|budgets)\b"
)
_EN_BEFORE_AT = _re(r"\b(?:meeting|call|sync|catch[- ]?up|check[- ]in|demo|visit|qbr|review)\s+(?:on|in)?\s*$")


_BUDGET_EN = _re(r"\bbudget")
_EN_MEETING_AFTER = _re(r"\W*(?:'s|’s)?\s*(?:meeting|call|sync|catch[- ]?up|check[- ]in|demo|visit|qbr|review)\b")
_EN_TALK_BEFORE = _re(
    r"\b(?:discuss|talk|chat|meet|call|catch up|get back to you|follow up|reply|circle back|i'm out|i am out"
    r"|i'll be out|be away|be off|on leave|on vacation|on holiday|ooo)\b[^,.;]*$"
)


def _belongs_elsewhere(text: str, start: int, end: int) -> bool:
    after = text[end : end + 16]
    if _ELSEWHERE_AFTER.match(after):
        return True
    clause_start = max(text.rfind(p, 0, start) for p in "。!?\n")
    clause_end = min((i for p in "。!?\n" if (i := text.find(p, end)) != -1), default=len(text))
    clause = text[clause_start + 1 : clause_end]
    if _BUDGET_AROUND.search(clause) and not re.search(r"予算\s*(?:が|を)?\s*(?:取|確保)", clause):
        return True
    if re.search(r"[a-z]", text[start:end]):
        window = text[max(clause_start + 1, start - 30) : min(clause_end, end + 20)]
        if _BUDGET_EN.search(window) or _EN_BEFORE_AT.search(text[max(0, start - 25) : start]):
            return True
        if _EN_MEETING_AFTER.match(text[end : min(clause_end, end + 20)]):
            return True
        if _EN_TALK_BEFORE.search(text[max(clause_start + 1, start - 35) : start]):
            return True
    return False


def all_timings(text: str, on: date) -> list[tuple[HeardTiming, bool]]:
    """Every time said in the (normalised) text, in order, each with whether it belongs to the
    expansion (False: the next meeting, the budget)."""
    found: list[tuple[HeardTiming, bool]] = []
    taken: list[tuple[int, int]] = []
    for pattern, read in _READERS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            month = read(match, on)
            if month is None:
                continue
            taken.append((start, end))
            found.append((HeardTiming(month, match[0].strip(), start, end), not _belongs_elsewhere(text, start, end)))
    return sorted(found, key=lambda item: item[0].start)


def heard_timing(text: str, on: date) -> HeardTiming | None:
    """The first time said that belongs to the expansion, or None."""
    return next((timing for timing, own in all_timings(text, on) if own), None)
