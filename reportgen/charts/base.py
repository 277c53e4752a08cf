"""What a chart is, and the one skeleton every chart kind follows.

A chart kind checks its input, then `draw_chart` sets the style, lets the kind
draw on a `Frame`, writes the SVG, and puts it together with the text
alternative and the table. A new kind is one function in `kinds` (and its test).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .. import formatting
from .frame import Frame, reusing_figures
from .style import style
from .svg import finish, render

_KEY = re.compile(r"[a-z][a-z0-9-]*\Z")


@dataclass(frozen=True)
class ChartTable:
    """A chart's figures as a table: every cell already formatted for the language."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    """A chart to inline in a page, with its text alternative and data table."""

    key: str  # unique on a page, e.g. "monthly-analyses"
    title: str
    svg: str  # the <svg>…</svg> element, ready to inline
    alt: str  # one or two sentences describing what the chart shows
    table: ChartTable


# Input checks: these are programming errors, not the user's, so plain ValueError.


def check_input(key: str, count: int, columns: dict[str, Sequence[object]], what: str) -> None:
    """The key makes valid element ids, every column has `count` values, and there is something to draw."""
    if not _KEY.match(key):
        raise ValueError(f"chart key {key!r}: expected lower-case letters, digits and '-', "
                         "starting with a letter (it becomes part of element ids)")
    for name, column in columns.items():
        if len(column) != count:
            raise ValueError(f"{name!r} has {len(column)} values; expected {count}, "
                             "one for each label or month")
    if not count:
        raise ValueError(f"chart {key!r}: no {what} to draw")


def draw_chart(key: str, title: str, draw: Callable[[], Frame], alt: str | None,
               describe: Callable[[], str], table: ChartTable) -> Chart:
    """The chart `draw` draws, as inline SVG; its text alternative is `alt`, or else what `describe` says."""
    with style(key), reusing_figures():
        svg = render(draw().fig)
    if alt is None:
        alt = describe()
    return Chart(key, title, finish(svg, key, title, alt), alt, table)


def series_table(title: str, row_header: str, row_labels: Sequence[str], series: dict[str, Sequence[int]],
                 series_labels: dict[str, str], lang: str) -> ChartTable:
    """One row per label, one column per series, counts formatted for the language."""
    keys = list(series)
    return ChartTable(
        caption=title,
        header=(row_header, *(series_labels[k] for k in keys)),
        rows=tuple(
            (label, *(formatting.number(series[k][i], lang) for k in keys))
            for i, label in enumerate(row_labels)
        ),
    )
