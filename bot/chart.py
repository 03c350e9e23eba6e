"""The digest's chart: signals per week by kind, as a PNG (matplotlib, no screen needed)."""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache

import matplotlib

matplotlib.use("Agg")  # render to memory; the server has no display

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from i18n import t

EGG_COLOUR, CHICK_COLOUR = "#f2d16b", "#f28c28"
CJK_FONTS = ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "Hiragino Sans", "Yu Gothic", "TakaoGothic")


@cache
def _cjk_font() -> str | None:
    """A font that has Japanese glyphs, if this machine has one."""
    for name in CJK_FONTS:
        try:
            font_manager.findfont(name, fallback_to_default=False)
        except ValueError:
            continue
        return name
    return None


def weekly_chart(weeks: list[tuple[datetime, int, int]], lang: str) -> tuple[bytes, int]:
    """A grouped bar chart (eggs and chicks per week); returns the PNG and the number of bars.

    Without a Japanese font the labels fall back to English (the numbers are the same)."""
    font = _cjk_font()
    if lang == "ja" and font is None:
        lang = "en"
    with matplotlib.rc_context({"font.family": [font, "DejaVu Sans"]} if font else {}):
        return _draw(weeks, lang)


def _draw(weeks: list[tuple[datetime, int, int]], lang: str) -> tuple[bytes, int]:
    figure = Figure(figsize=(8, 3.6), dpi=100)
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    width = 0.4
    eggs = axes.bar(
        [p - width / 2 for p in positions],
        [w[1] for w in weeks],
        width,
        color=EGG_COLOUR,
        label=t("digest.chart_egg", lang),
    )
    chicks = axes.bar(
        [p + width / 2 for p in positions],
        [w[2] for w in weeks],
        width,
        color=CHICK_COLOUR,
        label=t("digest.chart_chick", lang),
    )
    axes.set_xticks(positions, [w[0].strftime("%m/%d") for w in weeks], rotation=45, fontsize=8)
    axes.set_title(t("digest.chart_title", lang))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue(), len(eggs.patches) + len(chicks.patches)
