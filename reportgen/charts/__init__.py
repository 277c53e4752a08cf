"""Charts as inline SVG with real, selectable text, drawn by matplotlib.

Each chart function takes plain, already published figures (suppressed values
as None), the report language and the caller's localised labels, and returns a
`Chart`: the `<svg>` element ready to inline in HTML5 (and for WeasyPrint),
a text alternative, and the same figures as a table to show beside it.
The caller owns the wording of titles and labels; this package owns the
layout, the colours and the number formats (all through
`reportgen.formatting`).

The package, one job per module: `kinds` (the chart kinds, each one function
on the skeleton in `base`: check, frame, draw, SVG, text alternative, table),
`frame` (the layout primitives), `measure` (text widths and ticks), `style`
(colours, fonts, sizes), `svg` (finishing matplotlib's SVG for inlining) and
`wording` (the words of the text alternatives).

Speed: a build draws some 80 charts. matplotlib's tick machinery costs about
a millisecond per tick and its tight/constrained layouts draw a figure
several times, so margins here are computed from measured text, and axis
labels, grid lines and legends are drawn as plain texts and paths. A chart
takes about 15-30 ms of CPU.

Reproducible: the same input gives the same bytes. Element ids are derived
from the chart's key (unique on a page) and no date is written.
"""

from __future__ import annotations

from .base import Chart, ChartTable
from .kinds import funnel_plot, horizontal_bars, monthly_analyses, stacked_horizontal_bars, target_progress, yields_with_intervals
from .style import (
    BAR_COLOUR,
    OKABE_ITO,
    REGION_COLOURS,
    SAMPLE_TYPE_COLOURS,
    SERIES_COLOURS,
    TARGET_COLOUR,
)

__all__ = [
    "BAR_COLOUR", "OKABE_ITO", "REGION_COLOURS", "SAMPLE_TYPE_COLOURS", "SERIES_COLOURS", "TARGET_COLOUR",
    "Chart", "ChartTable", "funnel_plot", "horizontal_bars", "monthly_analyses", "stacked_horizontal_bars", "target_progress",
    "yields_with_intervals",
]
