"""The digest's chart, as a PNG (matplotlib, no screen needed): signals shared per week by kind
with the eggs hatched each week, and beside it the open eggs and chicks by age.

The labels are Japanese on any machine: the font comes with a Python package (matplotlib-fontja
bundles IPAex Gothic), registered with matplotlib's font manager on first use."""

from __future__ import annotations

import importlib.util
import io
from datetime import datetime
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # render to memory; the server has no display

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from i18n import t
from models.metrics import Digest

EGG_COLOUR, CHICK_COLOUR, HATCH_COLOUR = "#f2d16b", "#f28c28", "#6b8e23"
FONT_PACKAGE, FONT_FILE = "matplotlib_fontja", "fonts/ipaexg.ttf"


@cache
def font_file() -> Path:
    """The bundled Japanese font's file. Found without importing the package, whose import would
    change matplotlib's defaults for the whole process."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{FONT_PACKAGE} is not installed: pip install {FONT_PACKAGE.replace('_', '-')}")
    return Path(next(iter(spec.submodule_search_locations))) / FONT_FILE


@cache
def font_name() -> str:
    """The bundled font, registered with matplotlib's font manager; returns its family name."""
    path = font_file()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def weekly_chart(
    weeks: list[tuple[datetime, int, int]],
    lang: str,
    hatched: list[int] | None = None,
    ages: tuple[dict[str, int], dict[str, int]] | None = None,
) -> tuple[bytes, int]:
    """Grouped bars (eggs and chicks shared per week) with the eggs hatched per week as a line, and,
    given `ages`, a second panel of open eggs and chicks by age. Returns the PNG and the number of
    weekly bars."""
    with matplotlib.rc_context({"font.family": [font_name(), "DejaVu Sans"]}):
        return _draw(weeks, lang, hatched, ages)


def digest_chart(digest: Digest, lang: str) -> tuple[bytes, int]:
    """The digest's chart from its numbers."""
    return weekly_chart(
        digest.weekly, lang, digest.hatched_weekly or None, (digest.open_eggs_by_age, digest.open_chicks_by_age)
    )


def _draw(
    weeks: list[tuple[datetime, int, int]],
    lang: str,
    hatched: list[int] | None,
    ages: tuple[dict[str, int], dict[str, int]] | None,
) -> tuple[bytes, int]:
    figure = Figure(figsize=(11, 3.8) if ages else (8, 3.6), dpi=100)
    grid = figure.add_gridspec(1, 3) if ages else None
    axes = figure.add_subplot(grid[0, :2]) if grid is not None else figure.add_subplot()
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
    if hatched is not None and len(hatched) == len(weeks):
        axes.plot(positions, hatched, color=HATCH_COLOUR, marker="o", label=t("digest.chart_hatched", lang))
    axes.set_xticks(positions, [w[0].strftime("%m/%d") for w in weeks], rotation=45, fontsize=8)
    axes.set_title(t("digest.chart_title", lang))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend()
    if ages and grid is not None:
        egg_ages, chick_ages = ages
        buckets = list(dict.fromkeys([*egg_ages, *chick_ages]))
        panel = figure.add_subplot(grid[0, 2])
        rows = list(range(len(buckets)))
        panel.barh(
            [r - width / 2 for r in rows],
            [egg_ages.get(b, 0) for b in buckets],
            width,
            color=EGG_COLOUR,
            label=t("digest.chart_egg", lang),
        )
        panel.barh(
            [r + width / 2 for r in rows],
            [chick_ages.get(b, 0) for b in buckets],
            width,
            color=CHICK_COLOUR,
            label=t("digest.chart_chick", lang),
        )
        panel.set_yticks(rows, [f"{b}{t('digest.chart_days', lang)}" for b in buckets], fontsize=8)
        panel.invert_yaxis()  # youngest on top
        panel.set_title(t("digest.chart_ages_title", lang))
        panel.xaxis.set_major_locator(MaxNLocator(integer=True))
        panel.legend(fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue(), len(eggs.patches) + len(chicks.patches)
