"""Reading the dates people write: a signal's timing ("2027/4/1", "2027-04", "2027年4月", "4月頃",
"来年3月", "10月中旬", "April 2027") and a sheet's timestamp ("2024/04/01 10:23:45", "4/1/2024 9:05:00").

Forms without a day stand for the 1st of the month (上旬 the 1st, 中旬 the 11th, 下旬 the 21st,
末 the last day). A month without a year is the next such month on or after the reference date's
month (for an imported row: its timestamp); 来年/今年/再来年 count from the reference's year;
来年度/来期 is the next Japanese fiscal year, which starts on 1 April.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from models.words import fold, squash


class Unreadable(ValueError):
    """The text is not a date we can read."""


@dataclass(frozen=True)
class Timing:
    day: date
    precise: bool  # False when the text named only a month (or a year): the day stands for "around then"


# Words that say "nobody knows yet": an empty timing, not an unreadable one.
UNKNOWN = frozenset(squash(word) for word in (
    "未定", "不明", "未確定", "未", "なし", "無し", "未定です", "そのうち", "いつか", "時期未定", "tbd", "tba",
    "unknown", "n/a", "na", "none", "-", "ー", "―", "—", "?",
))  # fmt: skip

_MONTHS = (
    {name: number for number, name in enumerate(calendar.month_name) if name}
    | {name: number for number, name in enumerate(calendar.month_abbr) if name}
    | {"sept": 9}
)
_MONTHS = {name.casefold(): number for name, number in _MONTHS.items()}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"

# Where in the month: 上旬/early → 1st, 中旬/mid → 11th, 下旬/late → 21st, 末/end of → the last day.
_PART = re.compile(
    r"(上旬|初旬|初め|はじめ|頭|早々|中旬|下旬|末|\bearly\b|\bbeginning of\b|\bmid\b-?|\blate\b"
    r"|\bend of\b)"
)
_PART_DAY = {
    "上旬": 1,
    "初旬": 1,
    "初め": 1,
    "はじめ": 1,
    "頭": 1,
    "早々": 1,
    "early": 1,
    "beginning of": 1,
    "中旬": 11,
    "mid": 11,
    "mid-": 11,
    "下旬": 21,
    "late": 21,
    "末": 31,
    "end of": 31,
}
# Hedges that only say "around": 4月頃, 2027年4月ごろ予定, around April, 4〜6月 (the first month).
_HEDGE = re.compile(
    r"(頃|ごろ|ころ|予定|目途|めど|目処|見込み|見込|以降|くらい|ぐらい|位|あたり|辺り|前後"
    r"|から|より|まで|かも|かな|たぶん|多分|中|内|に|の|\bmaybe\b|\bprobably\b|\baround\b|\babout\b"
    r"|\bapprox(?:imately)?\.?|\bcirca\b|\bca\.|\bfrom\b|\bby\b|\bin\b|\bexpected\b)"
)
_RANGE = re.compile(r"(\d{1,2})\s*[~〜\-]\s*\d{1,2}\s*月")


def _day(year: int, month: int, day: int) -> date:
    try:
        if day == 31:
            day = min(day, calendar.monthrange(year, month)[1])
        return date(year, month, day)
    except (ValueError, calendar.IllegalMonthError) as error:
        raise Unreadable(str(error)) from None


def _next_month_on_or_after(month: int, reference: date) -> int:
    """The year of the next `month` on or after the reference's month."""
    return reference.year if month >= reference.month else reference.year + 1


def _fiscal_year_start(reference: date, offset: int) -> date:
    """1 April of the Japanese fiscal year `offset` years after the reference's."""
    current = reference.year if reference.month >= 4 else reference.year - 1
    return date(current + offset, 4, 1)


_RELATIVE_YEAR = {"今年": 0, "本年": 0, "来年": 1, "翌年": 1, "再来年": 2}
_RELATIVE_MONTH = {"今月": 0, "来月": 1, "翌月": 1, "再来月": 2}
_FISCAL = {"来年度": 1, "来期": 1, "翌年度": 1, "再来年度": 2}
_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)?"


def _patterns(reference: date) -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[date, bool]]]]:
    def inferred(month: int, day: int | None) -> tuple[date, bool]:
        return _day(_next_month_on_or_after(month, reference), month, day or 1), day is not None

    def shifted_month(offset: int) -> tuple[date, bool]:
        month_index = reference.month - 1 + offset
        return date(reference.year + month_index // 12, month_index % 12 + 1, 1), False

    def opt_int(text: str | None) -> int | None:
        return int(text) if text else None

    relative_years = "|".join(sorted(_RELATIVE_YEAR, key=len, reverse=True))
    return [
        (
            re.compile(r"(\d{4})[年/\-.](\d{1,2})[月/\-.](\d{1,2})日?" + _TIME),
            lambda m: (_day(int(m[1]), int(m[2]), int(m[3])), True),
        ),
        (re.compile(r"(\d{4})(\d{2})(\d{2})"), lambda m: (_day(int(m[1]), int(m[2]), int(m[3])), True)),
        (re.compile(r"(\d{4})[年/\-.](\d{1,2})月?"), lambda m: (_day(int(m[1]), int(m[2]), 1), False)),
        (
            re.compile(r"(\d{2})年(\d{1,2})月(?:(\d{1,2})日)?"),
            lambda m: (_day(2000 + int(m[1]), int(m[2]), opt_int(m[3]) or 1), m[3] is not None),
        ),
        (
            re.compile(rf"({relative_years})(\d{{1,2}})月(?:(\d{{1,2}})日)?"),
            lambda m: (_day(reference.year + _RELATIVE_YEAR[m[1]], int(m[2]), opt_int(m[3]) or 1), m[3] is not None),
        ),
        (re.compile(r"(\d{1,2})月(\d{1,2})日"), lambda m: inferred(int(m[1]), int(m[2]))),
        (re.compile(r"(\d{1,2})/(\d{1,2})"), lambda m: inferred(int(m[1]), int(m[2]))),
        (re.compile(r"(\d{1,2})月"), lambda m: inferred(int(m[1]), None)),
        (re.compile("|".join(_RELATIVE_MONTH)), lambda m: shifted_month(_RELATIVE_MONTH[m[0]])),
        (
            re.compile("|".join(sorted(_FISCAL, key=len, reverse=True))),
            lambda m: (_fiscal_year_start(reference, _FISCAL[m[0]]), False),
        ),
        (
            re.compile(r"来年|再来年|next year"),
            lambda m: (date(reference.year + (2 if m[0] == "再来年" else 1), 1, 1), False),
        ),
        (re.compile(r"next month"), lambda m: shifted_month(1)),
        (re.compile(r"(\d{4})年?"), lambda m: (_day(int(m[1]), 1, 1), False)),
        (
            re.compile(_MONTH + r" (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})"),
            lambda m: (_day(int(m[3]), _MONTHS[m[1]], int(m[2])), True),
        ),
        (
            re.compile(r"(\d{1,2}) " + _MONTH + r",? (\d{4})"),
            lambda m: (_day(int(m[3]), _MONTHS[m[2]], int(m[1])), True),
        ),
        (re.compile(_MONTH + r",? (\d{4})"), lambda m: (_day(int(m[2]), _MONTHS[m[1]], 1), False)),
        (re.compile(r"(\d{4}),? " + _MONTH), lambda m: (_day(int(m[1]), _MONTHS[m[2]], 1), False)),
        (re.compile(r"next " + _MONTH), lambda m: inferred(_MONTHS[m[1]], None)),
        (re.compile(_MONTH), lambda m: inferred(_MONTHS[m[1]], None)),
    ]


def excel_serial(value: float) -> datetime:
    """A spreadsheet serial number (days since 1899-12-30) as a naive datetime."""
    if not 1 <= value < 200_000:
        raise Unreadable(str(value))
    return datetime(1899, 12, 30) + timedelta(days=value)


def parse_timing(value: object, reference: date) -> Timing | None:
    """The timing a cell or an input names; None when it is empty or says "unknown".

    Raises Unreadable when there is text that is not a date we know how to read.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return Timing(value.date(), True)
    if isinstance(value, date):
        return Timing(value, True)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Timing(excel_serial(float(value)).date(), True)
    text = fold(str(value))
    if not text or squash(text) in UNKNOWN:
        return None
    part_day = None
    part = _PART.search(text)
    if part:
        part_day = _PART_DAY[part[1].strip()]
        text = text[: part.start()] + " " + text[part.end() :]
    text = _RANGE.sub(r"\1月", text)
    text = _HEDGE.sub(" ", text)
    text = re.sub(r"\s*([年月日/\-.])\s*", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip(" ,~〜")
    for pattern, build in _patterns(reference):
        match = pattern.fullmatch(text)
        if match:
            day, precise = build(match)
            if part_day and not precise:
                return Timing(_day(day.year, day.month, part_day), False)
            return Timing(day, precise)
    raise Unreadable(str(value))


_TIMESTAMP = re.compile(
    r"(\d{4})[年/\-.](\d{1,2})[月/\-.](\d{1,2})日?"
    r"(?:[ t]*(午前|午後|am|pm)?\s*(\d{1,2})[:時](\d{1,2})(?:[:分](\d{1,2}))?(?:\.\d+)?[秒分]?\s*(am|pm)?)?"
    r"\s*(z|[+-]\d{2}:?\d{2})?"
)
_US_TIMESTAMP = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?)?")


def _zone(text: str | None, default: ZoneInfo) -> timezone | ZoneInfo:
    if not text:
        return default
    if text == "z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _hour(hour: int, meridiem: str | None) -> int:
    if meridiem in ("午後", "pm") and hour < 12:
        return hour + 12
    if meridiem in ("午前", "am") and hour == 12:
        return 0
    return hour


def parse_timestamp(value: object, zone: ZoneInfo) -> datetime | None:
    """When a row was written: an aware datetime (naive values are in `zone`), or None if empty.

    Raises Unreadable for text that is not a timestamp."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial(float(value)).replace(microsecond=0, tzinfo=zone)
    text = fold(str(value))
    if not text:
        return None
    try:
        match = _TIMESTAMP.fullmatch(text)
        if match:
            year, month, day = int(match[1]), int(match[2]), int(match[3])
            hour = _hour(int(match[5] or 0), match[4] or match[8])
            return datetime(
                year, month, day, hour, int(match[6] or 0), int(match[7] or 0), tzinfo=_zone(match[9], zone)
            )
        match = _US_TIMESTAMP.fullmatch(text)
        if match:
            hour = _hour(int(match[4] or 0), match[7])
            return datetime(
                int(match[3]), int(match[1]), int(match[2]), hour, int(match[5] or 0), int(match[6] or 0), tzinfo=zone
            )
    except ValueError:
        pass
    raise Unreadable(str(value))
