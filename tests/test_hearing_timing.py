"""SPEC "Timing as heard": each rule, resolved against the message's date, and timings that belong
to something else (the next meeting, the budget) that make no chick."""

from __future__ import annotations

from datetime import date

import pytest

from hearing.timing import all_timings, heard_timing

DEC = date(2026, 12, 1)  # fiscal year 2026 (April 2026 to March 2027)
FEB = date(2027, 2, 15)  # fiscal year 2026, late
MAY = date(2026, 5, 20)  # fiscal year 2026, early


@pytest.mark.parametrize(
    ("text", "on", "month"),
    [
        # a bare month: its next occurrence on or after the message's month
        ("4月から", DEC, date(2027, 4, 1)),
        ("12月中に", DEC, date(2026, 12, 1)),
        ("11月ごろ", DEC, date(2027, 11, 1)),
        ("in march", DEC, date(2027, 3, 1)),
        ("by april", MAY, date(2027, 4, 1)),
        ("starting june", MAY, date(2026, 6, 1)),
        ("来年4月", DEC, date(2027, 4, 1)),
        ("2027年6月", DEC, date(2027, 6, 1)),
        # 来月 +1, 再来月 +2 (across the year's end)
        ("来月", DEC, date(2027, 1, 1)),
        ("next month", DEC, date(2027, 1, 1)),
        ("再来月", DEC, date(2027, 2, 1)),
        ("the month after next", DEC, date(2027, 2, 1)),
        # 来週: the month a week later falls in
        ("来週", date(2026, 12, 28), date(2027, 1, 1)),
        ("next week", date(2026, 12, 10), date(2026, 12, 1)),
        # 来期/来年度/next fiscal year: the next 1 April
        ("来期", DEC, date(2027, 4, 1)),
        ("来年度", FEB, date(2027, 4, 1)),
        ("来年度", MAY, date(2027, 4, 1)),
        ("next fiscal year", DEC, date(2027, 4, 1)),
        # 下期: 1 October of the current fiscal year
        ("下期", MAY, date(2026, 10, 1)),
        ("下期", FEB, date(2026, 10, 1)),
        # 年明け 1 January, GW明け 1 May, お盆明け 1 August, after the summer 1 September
        ("年明け", DEC, date(2027, 1, 1)),
        ("after the new year", DEC, date(2027, 1, 1)),
        ("gw明け", DEC, date(2027, 5, 1)),
        ("お盆明け", MAY, date(2026, 8, 1)),
        ("after the summer", MAY, date(2026, 9, 1)),
        ("after the summer", DEC, date(2027, 9, 1)),
        # calendar quarters: next quarter, Q3 = July
        ("next quarter", DEC, date(2027, 1, 1)),
        ("next quarter", MAY, date(2026, 7, 1)),
        ("q3", DEC, date(2027, 7, 1)),
        ("第3四半期", MAY, date(2026, 7, 1)),
        ("third quarter", DEC, date(2027, 7, 1)),
        # 3月末までに: March
        ("3月末までに", DEC, date(2027, 3, 1)),
        ("by the end of march", DEC, date(2027, 3, 1)),
        # the budget a wish is paid from is its timing; when budgets are set is not (below)
        ("来年度の予算でプロプランを申請する予定です", DEC, date(2027, 4, 1)),
        # next to Japanese text without a space
        ("id追加したい、next quarterくらいで", DEC, date(2027, 1, 1)),
    ],
)
def test_each_rule(text: str, on: date, month: date) -> None:
    heard = heard_timing(text, on)
    assert heard is not None and heard.month == month


@pytest.mark.parametrize(
    "text",
    [
        "来週の定例で相談させてください",
        "4月に予算が決まったら増やしたい",
        "let's discuss it at the meeting next month",
        "we can talk about seats next week",
        "budgets are set in april, so we'll know then",
        "we may add more people",  # "may" is not May
        "3ヶ月ほど使ってみて",  # a duration, not March
        "来年は他の工場でも",  # a year alone is no month
    ],
)
def test_a_time_that_belongs_to_something_else_is_no_timing(text: str) -> None:
    assert heard_timing(text, DEC) is None


def test_the_first_timing_that_belongs_to_the_expansion_is_taken() -> None:
    text = "来月からidを増やしたいので、来週の定例で相談させてください"
    timings = all_timings(text, DEC)
    assert [(t.phrase, own) for t, own in timings] == [("来月", True), ("来週", False)]
    heard = heard_timing(text, DEC)
    assert heard is not None and heard.month == date(2027, 1, 1)
