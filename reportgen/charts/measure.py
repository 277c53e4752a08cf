"""Measuring text and choosing ticks, so a chart's margins fit its labels without drawing twice."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Sequence

from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.ticker import MaxNLocator

from .. import formatting
from .style import AXIS_COLOUR, FONT, FONT_SIZE, GAP, LABEL_SIZE, SAMPLE_TYPE_COLOURS, SERIES_COLOURS, TICK, WRAP

_TEXT_TO_PATH = TextToPath()


@functools.lru_cache(maxsize=8)
def _font(size: float) -> FontProperties:
    return FontProperties(family=FONT, size=size)


@functools.lru_cache(maxsize=4096)
def text_width(text: str, size: float = LABEL_SIZE) -> float:
    """Width in inches of `text` (its longest line) in the chart font."""
    return max(_TEXT_TO_PATH.get_text_width_height_descent(line, _font(size), ismath=False)[0]
               for line in text.split("\n")) / 72


def line_height(size: float) -> float:
    return size * 1.2 / 72  # matplotlib's line spacing


def max_width(texts: Sequence[str], size: float = LABEL_SIZE) -> float:
    return max((text_width(t, size) for t in texts), default=0.0)


def x_axis_height(x_label: str) -> float:
    height = TICK + GAP + line_height(LABEL_SIZE)
    if x_label:
        height += GAP + line_height(FONT_SIZE)
    return height


def wrap_label(label: str) -> str:
    """A category label in lines of about `WRAP` characters; at most two lines
    unless a label is very long, so rows stay low."""
    for width in (WRAP, WRAP + 10, WRAP + 20):
        lines = textwrap.wrap(label, width, break_long_words=False)
        if len(lines) <= 2:
            break
    return "\n".join(lines) or label


# --- ticks -----------------------------------------------------------------


def value_ticks(highest: float, *, integer: bool,
                 limit: float | None = None) -> tuple[list[float], float]:
    """Round ticks from 0 to at least `highest`, and the axis's upper end."""
    if highest <= 0:
        highest = 1 if integer or limit is None else limit / 10
    locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=integer, min_n_ticks=3)
    ticks = [float(t) for t in locator.tick_values(0, highest) if t >= 0]
    top = next((t for t in ticks if t >= highest), ticks[-1])
    if limit is not None and top > limit >= highest:
        top = limit
    return [t for t in ticks if t <= top + 1e-12], top


def fewest_decimals(values: Sequence[float]) -> int:
    """Fewest decimals that show every tick exactly (2.5 needs one, 20 none)."""
    for decimals in range(4):
        if all(abs(round(v, decimals) - v) < 1e-9 for v in values):
            return decimals
    return 4


def number_labels(ticks: Sequence[float], lang: str) -> list[str]:
    decimals = fewest_decimals(ticks)
    return [formatting.number(t, lang, decimals) for t in ticks]


def month_ticks(first: int, last: int) -> list[int]:
    """Month indexes to label: at most ten, on round months (January, July…)."""
    span = last - first + 1
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60, 120) if span / s <= 10), 240)
    return [i for i in range(first, last + 1) if i % step == 0] or [first]


def series_colours(keys: Sequence[str]) -> list[str]:
    others = iter(c for c in SERIES_COLOURS if c not in SAMPLE_TYPE_COLOURS.values())
    return [SAMPLE_TYPE_COLOURS.get(k) or next(others, AXIS_COLOUR) for k in keys]
