"""Charts as inline SVG with real, selectable text, drawn by matplotlib.

Each function takes plain, already published figures (suppressed values as
None), the report language and the caller's localised labels, and returns a
`Chart`: the `<svg>` element ready to inline in HTML5 (and for WeasyPrint),
a text alternative, and the same figures as a table to show beside it.
The caller owns the wording of titles and labels; this module owns the
layout, the colours and the number formats (all through
`reportgen.formatting`).

Speed: a build draws some 80 charts. matplotlib's tick machinery costs about
a millisecond per tick and its tight/constrained layouts draw a figure
several times, so margins here are computed from measured text, and axis
labels, grid lines and legends are drawn as plain texts and paths. A chart
takes about 15-30 ms of CPU.

Reproducible: the same input gives the same bytes. Element ids are derived
from the chart's key (unique on a page) and no date is written.
"""

from __future__ import annotations

import functools
import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import matplotlib
from matplotlib.rcsetup import cycler
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextToPath
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import ScaledTranslation

from reportgen import formatting
from reportgen.model import Month

# Okabe & Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/).
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

# The same sample type and the same region have the same colour in every report.
SAMPLE_TYPE_COLOURS = {
    "germline": OKABE_ITO["blue"],
    "somatic": OKABE_ITO["vermillion"],
    "rna": OKABE_ITO["bluish_green"],
}
REGION_COLOURS = {
    "hovedstaden": OKABE_ITO["blue"],
    "sjaelland": OKABE_ITO["bluish_green"],
    "syddanmark": OKABE_ITO["orange"],
    "midtjylland": OKABE_ITO["reddish_purple"],
    "nordjylland": OKABE_ITO["sky_blue"],
}
# Series that are not sample types take these, in order (yellow is too light on white).
SERIES_COLOURS = tuple(OKABE_ITO[c] for c in (
    "reddish_purple", "orange", "sky_blue", "black", "blue", "vermillion", "bluish_green"))
BAR_COLOUR = OKABE_ITO["blue"]
TARGET_COLOUR = OKABE_ITO["vermillion"]

TEXT_COLOUR = "#1a1a1a"  # 17:1 on white
AXIS_COLOUR = "#595959"  # 7:1 on white
GRID_COLOUR = "#d9d9d9"

FONT = "DejaVu Sans"  # ships with matplotlib; the site and the PDFs use it too
FONT_SIZE = 10.0  # points: axis labels
LABEL_SIZE = 9.0  # points: tick labels, value labels, legends

# Sizes in inches. 8 inches is ~800 px on a page and scales to ~16 cm on A4.
WIDTH = 8.0
HEIGHT = 3.6  # charts over time
EDGE = 0.08  # white around the drawing
GAP = 0.06  # between a label and what it labels
TICK = 0.05  # tick mark length
ROW = 0.30  # least height per bar in horizontal charts
WRAP = 40  # characters per line of a category label

_KEY = re.compile(r"[a-z][a-z0-9-]*\Z")

_RC = {
    "svg.fonttype": "none",  # text stays text: selectable, searchable, scalable
    "font.family": FONT,
    "font.size": FONT_SIZE,
    "text.color": TEXT_COLOUR,
    "text.parse_math": False,  # a "$" in a label is a dollar sign, not TeX
    "axes.edgecolor": AXIS_COLOUR,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "lines.solid_capstyle": "butt",
    "axes.prop_cycle": cycler(color=[BAR_COLOUR]),  # unused; a short cycle is cheaper to set up
}


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


# --------------------------------------------------------------------------
# Wording of the generated text alternatives: the kind of chart and its
# extremes. Everything domain-specific in them comes from the caller's labels.

_ALT = {
    "da": {
        "monthly": "Stablet søjlediagram: {y_label} pr. måned fra {first} til {last}, fordelt på {series}.",
        "monthly_peak": " Flest i {month}: {value}.",
        "bars": "Vandret søjlediagram: {x_label}.",
        "stacked": "Stablet vandret søjlediagram: {x_label}, fordelt på {series}.",
        "stacked_peak": " Flest i alt: {label}, {value}.",
        "yields": "Punktdiagram med 95\u00a0%-intervaller: {x_label}.",
        "extremes": " Højest: {high}, {high_value}; lavest: {low}, {low_value}.",
        "single": " {label}: {value}.",
        "missing": " {count} af {total} vises som {text}.",
        "target": "Kurve: {y_label} fra {first} til {last}, senest {value}; {target_label}: {target}.",
        "projection": " Stiplet: {projection_label} til {month}, {value}.",
    },
    "en": {
        "monthly": "Stacked bar chart: {y_label} per month from {first} to {last}, by {series}.",
        "monthly_peak": " Most in {month}: {value}.",
        "bars": "Horizontal bar chart: {x_label}.",
        "stacked": "Stacked horizontal bar chart: {x_label}, by {series}.",
        "stacked_peak": " Most in total: {label}, {value}.",
        "yields": "Dot chart with 95% intervals: {x_label}.",
        "extremes": " Highest: {high}, {high_value}; lowest: {low}, {low_value}.",
        "single": " {label}: {value}.",
        "missing": " {count} of {total} shown as {text}.",
        "target": "Line chart: {y_label} from {first} to {last}, latest {value}; {target_label}: {target}.",
        "projection": " Dashed: {projection_label} to {month}, {value}.",
    },
}


def _alt(lang: str, name: str, **values: object) -> str:
    try:
        phrases = _ALT[lang]
    except KeyError:
        raise ValueError(
            f"unsupported report language {lang!r}; expected one of: {', '.join(_ALT)}"
        ) from None
    return phrases[name].format(**values)


# --------------------------------------------------------------------------
# The charts


def monthly_analyses(
    key: str,
    title: str,
    months: Sequence[Month],
    series: dict[str, Sequence[int]],
    series_labels: dict[str, str],
    lang: str,
    y_label: str,
    *,
    row_header: str = "",
    alt: str | None = None,
) -> Chart:
    """Stacked bars per month, one segment per sample type (germline, somatic, rna).

    `months` must be consecutive for the bars to sit at their months; a month
    missing from the list is a gap. `row_header` heads the table's month column.
    """
    _check_key(key)
    _check_lengths(len(months), series)
    if not months:
        raise ValueError(f"chart {key!r}: no months to draw")
    keys = list(series)
    colours = _series_colours(keys)
    totals = [sum(series[k][i] for k in keys) for i in range(len(months))]
    ticks, top = _value_ticks(max(totals), integer=True)
    tick_labels = _number_labels(ticks, lang)
    xs = [m.index for m in months]
    month_ticks = _month_ticks(xs[0], xs[-1])
    band = _top_band(y_label, [(series_labels[k], _Swatch(c)) for k, c in zip(keys, colours)])

    with _style(key):
        frame = _Frame(WIDTH, HEIGHT, left=_max_width(tick_labels) + TICK + GAP,
                       bottom=TICK + GAP + _line_height(LABEL_SIZE), top=band.height)
        frame.ax.set_xlim(xs[0] - 0.6, max(xs[-1], xs[0] + 5) + 0.6)
        frame.y_value_axis(ticks, tick_labels, top)
        frame.x_month_axis(month_ticks, [formatting.month_short(Month.from_index(i), lang)
                                         for i in month_ticks])
        bottoms = [0] * len(months)
        for k, colour in zip(keys, colours):
            values = series[k]
            frame.bars([(x - 0.4, b, x + 0.4, b + v) for x, b, v in zip(xs, bottoms, values) if v],
                       colour, separated=len(months) <= 48)
            bottoms = [b + v for b, v in zip(bottoms, values)]
        frame.top_band(band)
        svg = _render(frame.fig)

    if alt is None:
        peak = max(range(len(months)), key=lambda i: (totals[i], -i))
        alt = _alt(lang, "monthly", y_label=y_label, first=formatting.month(months[0], lang),
                   last=formatting.month(months[-1], lang),
                   series=formatting.and_list([series_labels[k] for k in keys], lang)) + _alt(
            lang, "monthly_peak", month=formatting.month(months[peak], lang),
            value=formatting.number(totals[peak], lang))
    table = ChartTable(
        caption=title,
        header=(row_header, *(series_labels[k] for k in keys)),
        rows=tuple(
            (formatting.month(m, lang), *(formatting.number(series[k][i], lang) for k in keys))
            for i, m in enumerate(months)
        ),
    )
    return Chart(key, title, _finish(svg, key, title, alt), alt, table)


def horizontal_bars(
    key: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    lang: str,
    x_label: str,
    colours: Sequence[str] | None = None,
    value_decimals: int = 1,
    missing_text: str = "<5",
    *,
    row_header: str = "",
    alt: str | None = None,
) -> Chart:
    """One bar per label, top to bottom, its value written at its end.

    None (a suppressed figure) is drawn as no bar, with `missing_text` in its
    place. `colours` gives each bar its colour (e.g. `REGION_COLOURS`).
    """
    _check_key(key)
    _check_lengths(len(labels), {"values": values, **({"colours": colours} if colours else {})})
    if not labels:
        raise ValueError(f"chart {key!r}: no labels to draw")
    ticks, top = _value_ticks(max((v for v in values if v is not None), default=0),
                              integer=False)
    tick_labels = _number_labels(ticks, lang)
    value_texts = [missing_text if v is None else formatting.number(v, lang, value_decimals)
                   for v in values]
    wrapped = [_wrap(label) for label in labels]
    colours = list(colours) if colours else [BAR_COLOUR] * len(values)

    with _style(key):
        frame = _Frame.for_rows(wrapped, left=_max_width(wrapped) + GAP,
                                bottom=_x_axis_height(x_label),
                                right=_max_width(value_texts) + GAP)
        frame.x_value_axis(ticks, tick_labels, top, x_label)
        frame.y_category_axis(wrapped)
        shown = [(y, v, c) for y, (v, c) in enumerate(zip(values, colours)) if v is not None]
        frame.bars([(0, y - 0.35, v, y + 0.35) for y, v, _ in shown], [c for *_, c in shown])
        for y, (value, text) in enumerate(zip(values, value_texts)):
            frame.value_label(value or 0, y, text)
        svg = _render(frame.fig)

    if alt is None:
        alt = (_alt(lang, "bars", x_label=x_label) + _extremes(lang, labels, values, value_texts)
               + _missing(lang, values, missing_text))
    table = ChartTable(caption=title, header=(row_header, x_label),
                       rows=tuple(zip(labels, value_texts)))
    return Chart(key, title, _finish(svg, key, title, alt), alt, table)


def stacked_horizontal_bars(
    key: str,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[int]],
    series_labels: dict[str, str],
    lang: str,
    x_label: str,
    *,
    row_header: str = "",
    alt: str | None = None,
) -> Chart:
    """One stacked bar per label, one segment per series (e.g. analyses by sample type)."""
    _check_key(key)
    _check_lengths(len(labels), series)
    if not labels:
        raise ValueError(f"chart {key!r}: no labels to draw")
    keys = list(series)
    colours = _series_colours(keys)
    totals = [sum(series[k][i] for k in keys) for i in range(len(labels))]
    ticks, top = _value_ticks(max(totals, default=0), integer=True)
    tick_labels = _number_labels(ticks, lang)
    wrapped = [_wrap(label) for label in labels]
    band = _top_band("", [(series_labels[k], _Swatch(c)) for k, c in zip(keys, colours)])

    with _style(key):
        frame = _Frame.for_rows(wrapped, left=_max_width(wrapped) + GAP,
                                bottom=_x_axis_height(x_label), top=band.height)
        frame.x_value_axis(ticks, tick_labels, top, x_label)
        frame.y_category_axis(wrapped)
        lefts = [0] * len(labels)
        for k, colour in zip(keys, colours):
            values = series[k]
            frame.bars([(a, y - 0.35, a + v, y + 0.35)
                        for y, (a, v) in enumerate(zip(lefts, values)) if v], colour,
                       separated=True)
            lefts = [a + v for a, v in zip(lefts, values)]
        frame.top_band(band)
        svg = _render(frame.fig)

    if alt is None:
        alt = _alt(lang, "stacked", x_label=x_label,
                   series=formatting.and_list([series_labels[k] for k in keys], lang))
        if labels:
            peak = max(range(len(labels)), key=lambda i: (totals[i], -i))
            alt += _alt(lang, "stacked_peak", label=labels[peak],
                        value=formatting.number(totals[peak], lang))
    table = ChartTable(
        caption=title,
        header=(row_header, *(series_labels[k] for k in keys)),
        rows=tuple(
            (label, *(formatting.number(series[k][i], lang) for k in keys))
            for i, label in enumerate(labels)
        ),
    )
    return Chart(key, title, _finish(svg, key, title, alt), alt, table)


def yields_with_intervals(
    key: str,
    title: str,
    labels: Sequence[str],
    points: Sequence[tuple[float, float, float] | None],
    lang: str,
    x_label: str,
    missing_text: str,
    *,
    row_header: str = "",
    alt: str | None = None,
) -> Chart:
    """Per label a dot (the estimate) and a whisker (its 95% interval), as percentages.

    `points` are (estimate, low, high) fractions; None (a suppressed figure)
    is drawn as `missing_text`. The table cell reads "25,0 % (20,0–31,0 %)".
    """
    _check_key(key)
    _check_lengths(len(labels), {"points": points})
    if not labels:
        raise ValueError(f"chart {key!r}: no labels to draw")
    for label, point in zip(labels, points):
        if point is not None and not point[1] <= point[0] <= point[2]:
            raise ValueError(f"chart {key!r}: {label!r}: the estimate {point[0]} lies outside "
                             f"its interval {point[1]}–{point[2]}")
    ticks, top = _value_ticks(max((p[2] for p in points if p is not None), default=0.0),
                              integer=False, limit=1.0)
    decimals = _decimals([t * 100 for t in ticks])
    tick_labels = [formatting.percent(t, lang, decimals) for t in ticks]
    point_texts = [missing_text if p is None else formatting.percent(p[0], lang) for p in points]
    wrapped = [_wrap(label) for label in labels]

    with _style(key):
        frame = _Frame.for_rows(wrapped, left=_max_width(wrapped) + GAP,
                                bottom=_x_axis_height(x_label),
                                right=_max_width(point_texts) + GAP)
        frame.x_value_axis(ticks, tick_labels, top, x_label)
        frame.y_category_axis(wrapped)
        shown = [(y, p) for y, p in enumerate(points) if p is not None]
        frame.intervals([(y, p[1], p[2]) for y, p in shown])
        frame.dots([p[0] for _, p in shown], [y for y, _ in shown])
        for y, (point, text) in enumerate(zip(points, point_texts)):
            frame.value_label(0 if point is None else point[2], y, text)
        svg = _render(frame.fig)

    cells = [
        missing_text if p is None
        else f"{formatting.percent(p[0], lang)} ({formatting.interval(p[1], p[2], lang)})"
        for p in points
    ]
    if alt is None:
        estimates = [None if p is None else p[0] for p in points]
        alt = (_alt(lang, "yields", x_label=x_label) + _extremes(lang, labels, estimates, cells)
               + _missing(lang, points, missing_text))
    table = ChartTable(caption=title, header=(row_header, x_label), rows=tuple(zip(labels, cells)))
    return Chart(key, title, _finish(svg, key, title, alt), alt, table)


def target_progress(
    key: str,
    title: str,
    months: Sequence[Month],
    cumulative: Sequence[float],
    target: float,
    projection: Sequence[tuple[Month, float]] | None,
    lang: str,
    y_label: str,
    target_label: str,
    projection_label: str,
    *,
    row_header: str = "",
    alt: str | None = None,
) -> Chart:
    """A cumulative figure per month against a target (a horizontal line), with an
    optional dashed projection continuing from the last month.

    The legend names the solid line with `y_label`. The table lists every
    month, actual and projected, and its caption states the target.
    """
    _check_key(key)
    _check_lengths(len(months), {"cumulative": cumulative})
    if not months:
        raise ValueError(f"chart {key!r}: no months to draw")
    xs = [m.index for m in months]
    ahead = [(m.index, v) for m, v in (projection or ()) if m.index > xs[-1]]
    highest = max([target, *cumulative, *(v for _, v in ahead)])
    ticks, top = _value_ticks(highest * 1.04, integer=True)
    tick_labels = _number_labels(ticks, lang)
    last_x = ahead[-1][0] if ahead else xs[-1]
    month_ticks = _month_ticks(xs[0], last_x)
    solid = _Stroke(BAR_COLOUR, 2.2, "-")
    dashed = _Stroke(BAR_COLOUR, 2.2, (0, (2.5, 1.5)))
    target_stroke = _Stroke(TARGET_COLOUR, 1.6, (0, (5, 1.5, 1, 1.5)))
    band = _top_band("", [(y_label, solid), *([(projection_label, dashed)] if ahead else []),
                          (target_label, target_stroke)])

    with _style(key):
        frame = _Frame(WIDTH, HEIGHT, left=_max_width(tick_labels) + TICK + GAP,
                       bottom=TICK + GAP + _line_height(LABEL_SIZE), top=band.height)
        frame.ax.set_xlim(xs[0] - 0.5, last_x + 0.5)
        frame.y_value_axis(ticks, tick_labels, top)
        frame.x_month_axis(month_ticks, [formatting.month_short(Month.from_index(i), lang)
                                         for i in month_ticks])
        frame.line([xs[0] - 0.5, last_x + 0.5], [target, target], target_stroke)
        if ahead:
            frame.line([xs[-1], *(x for x, _ in ahead)], [cumulative[-1], *(v for _, v in ahead)],
                       dashed)
        frame.line(xs, cumulative, solid)
        frame.top_band(band)
        svg = _render(frame.fig)

    if alt is None:
        alt = _alt(lang, "target", y_label=y_label, first=formatting.month(months[0], lang),
                   last=formatting.month(months[-1], lang),
                   value=formatting.number(cumulative[-1], lang), target_label=target_label,
                   target=formatting.number(target, lang))
        if ahead:
            alt += _alt(lang, "projection", projection_label=projection_label,
                        month=formatting.month(Month.from_index(ahead[-1][0]), lang),
                        value=formatting.number(ahead[-1][1], lang))
    actual = dict(zip(xs, cumulative))
    projected = dict(ahead)
    table = ChartTable(
        caption=f"{title} ({target_label}: {formatting.number(target, lang)})",
        header=(row_header, y_label, *([projection_label] if ahead else [])),
        rows=tuple(
            (formatting.month(Month.from_index(i), lang),
             formatting.number(actual[i], lang) if i in actual else "",
             *([formatting.number(projected[i], lang) if i in projected else ""] if ahead else []))
            for i in sorted(actual.keys() | projected.keys())
        ),
    )
    return Chart(key, title, _finish(svg, key, title, alt), alt, table)


# --------------------------------------------------------------------------
# Input checks: these are programming errors, not the user's, so plain ValueError.


def _check_key(key: str) -> None:
    if not _KEY.match(key):
        raise ValueError(f"chart key {key!r}: expected lower-case letters, digits and '-', "
                         "starting with a letter (it becomes part of element ids)")


def _check_lengths(expected: int, columns: dict[str, Sequence[object]]) -> None:
    for name, column in columns.items():
        if len(column) != expected:
            raise ValueError(f"{name!r} has {len(column)} values; expected {expected}, "
                             "one for each label or month")


# --------------------------------------------------------------------------
# Text alternatives


def _extremes(lang, labels, values, texts) -> str:
    shown = [i for i, v in enumerate(values) if v is not None]
    if not shown:
        return ""
    if len(shown) == 1:
        return _alt(lang, "single", label=labels[shown[0]], value=texts[shown[0]])
    high = max(shown, key=lambda i: (values[i], -i))
    low = min(shown, key=lambda i: (values[i], i))
    return _alt(lang, "extremes", high=labels[high], high_value=texts[high],
                low=labels[low], low_value=texts[low])


def _missing(lang, values, missing_text) -> str:
    count = sum(v is None for v in values)
    if not count:
        return ""
    return _alt(lang, "missing", count=formatting.number(count, lang),
                total=formatting.number(len(values), lang), text=missing_text)


# --------------------------------------------------------------------------
# Measuring text


_TEXT_TO_PATH = TextToPath()


@functools.lru_cache(maxsize=8)
def _font(size: float) -> FontProperties:
    return FontProperties(family=FONT, size=size)


@functools.lru_cache(maxsize=4096)
def _text_width(text: str, size: float = LABEL_SIZE) -> float:
    """Width in inches of `text` (its longest line) in the chart font."""
    return max(_TEXT_TO_PATH.get_text_width_height_descent(line, _font(size), ismath=False)[0]
               for line in text.split("\n")) / 72


def _line_height(size: float) -> float:
    return size * 1.2 / 72  # matplotlib's line spacing


def _max_width(texts: Sequence[str], size: float = LABEL_SIZE) -> float:
    return max((_text_width(t, size) for t in texts), default=0.0)


def _x_axis_height(x_label: str) -> float:
    height = TICK + GAP + _line_height(LABEL_SIZE)
    if x_label:
        height += GAP + _line_height(FONT_SIZE)
    return height


def _wrap(label: str) -> str:
    """A category label in lines of about `WRAP` characters; at most two lines
    unless a label is very long, so rows stay low."""
    for width in (WRAP, WRAP + 10, WRAP + 20):
        lines = textwrap.wrap(label, width, break_long_words=False)
        if len(lines) <= 2:
            break
    return "\n".join(lines) or label


# --------------------------------------------------------------------------
# Ticks


def _value_ticks(highest: float, *, integer: bool,
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


def _decimals(values: Sequence[float]) -> int:
    """Fewest decimals that show every tick exactly (2.5 needs one, 20 none)."""
    for decimals in range(4):
        if all(abs(round(v, decimals) - v) < 1e-9 for v in values):
            return decimals
    return 4


def _number_labels(ticks: Sequence[float], lang: str) -> list[str]:
    decimals = _decimals(ticks)
    return [formatting.number(t, lang, decimals) for t in ticks]


def _month_ticks(first: int, last: int) -> list[int]:
    """Month indexes to label: at most ten, on round months (January, July…)."""
    span = last - first + 1
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60, 120) if span / s <= 10), 240)
    return [i for i in range(first, last + 1) if i % step == 0] or [first]


def _series_colours(keys: Sequence[str]) -> list[str]:
    others = iter(c for c in SERIES_COLOURS if c not in SAMPLE_TYPE_COLOURS.values())
    return [SAMPLE_TYPE_COLOURS.get(k) or next(others, AXIS_COLOUR) for k in keys]


# --------------------------------------------------------------------------
# Legend above the plot


@dataclass(frozen=True)
class _Swatch:
    colour: str


@dataclass(frozen=True)
class _Stroke:
    colour: str
    width: float
    style: object  # a matplotlib line style


_HANDLE = 0.24  # legend handle width, inches
_HANDLE_GAP = 0.06
_ENTRY_GAP = 0.22
_ROW_HEIGHT = _line_height(LABEL_SIZE) * 1.15


@dataclass(frozen=True)
class _TopBand:
    """What goes above the plot: the y-axis label top left, the legend on its
    line (right-aligned) when there is room, else in rows under it."""

    y_label: str
    entries: tuple[tuple[str, _Swatch | _Stroke], ...]
    rows: tuple[tuple[int, ...], ...]
    beside: bool
    height: float


def _entry_width(label: str) -> float:
    return _HANDLE + _HANDLE_GAP + _text_width(label)


def _top_band(y_label: str, entries: Sequence[tuple[str, _Swatch | _Stroke]]) -> _TopBand:
    entries = tuple(entries) if len(entries) > 1 else ()  # one series needs no legend
    label_height = _line_height(FONT_SIZE) if y_label else 0.0
    widths = [_entry_width(label) for label, _ in entries]
    full = WIDTH - 2 * EDGE
    beside_room = full - (_text_width(y_label, FONT_SIZE) + 0.3 if y_label else 0.0)
    if not entries:
        return _TopBand(y_label, (), (), False, max(label_height + GAP, 0.12))
    if sum(widths) + _ENTRY_GAP * (len(widths) - 1) <= beside_room:
        return _TopBand(y_label, entries, (tuple(range(len(entries))),), True,
                        max(label_height, _ROW_HEIGHT) + GAP)
    rows: list[list[int]] = [[]]
    used = 0.0
    for i, width in enumerate(widths):
        if rows[-1] and used + _ENTRY_GAP + width > full:
            rows.append([])
            used = 0.0
        used += (_ENTRY_GAP if rows[-1] else 0.0) + width
        rows[-1].append(i)
    return _TopBand(y_label, entries, tuple(map(tuple, rows)), False,
                    label_height + len(rows) * _ROW_HEIGHT + GAP)


# --------------------------------------------------------------------------
# A figure with one plotting area and cheap axis decorations


class _Frame:
    """A figure with one plotting area placed by margins in inches.

    Ticks, grid lines and legends are drawn as plain paths and texts: a
    fraction of the cost of matplotlib's Tick and Legend objects. All bars of
    one colour are one path, all grid lines one path.
    """

    def __init__(self, width: float, height: float, *, left: float, bottom: float,
                 top: float = 0.12, right: float = 0.2):
        self.width, self.height = width, height
        self.fig = Figure(figsize=(width, height), layout=None)
        x0, y0 = EDGE + left, EDGE + bottom
        self.plot_width = width - EDGE - right - x0
        self.plot_height = height - EDGE - top - y0
        self.ax = self.fig.add_axes((x0 / width, y0 / height,
                                     self.plot_width / width, self.plot_height / height))
        # Ticks are drawn by the methods below; matplotlib's axes stay hidden (the
        # spines, separate artists, still show).
        self.ax.xaxis.set_visible(False)
        self.ax.yaxis.set_visible(False)
        self.ax.set_autoscale_on(False)

    @classmethod
    def for_rows(cls, labels: Sequence[str], *, left: float, bottom: float,
                 top: float = 0.12, right: float = 0.2) -> _Frame:
        """A frame tall enough for one bar per label."""
        lines = max((label.count("\n") + 1 for label in labels), default=1)
        row = max(ROW, lines * _line_height(LABEL_SIZE) + 0.08)
        height = 2 * EDGE + top + bottom + max(len(labels), 1) * row
        return cls(WIDTH, height, left=left, bottom=bottom, top=top, right=right)

    def _offset(self, dx: float, dy: float):
        return ScaledTranslation(dx, dy, self.fig.dpi_scale_trans)

    def _lines(self, segments, transform, colour, width, *, clip=True, zorder=1.5):
        """Straight lines ((x0, y0), (x1, y1)) as one SVG path."""
        if not segments:
            return
        vertices = [point for segment in segments for point in segment]
        codes = [Path.MOVETO, Path.LINETO] * len(segments)
        lines = PathPatch(_path(vertices, codes), fill=False, edgecolor=colour, linewidth=width,
                          capstyle="butt", transform=transform, zorder=zorder)
        self.ax.add_artist(lines)
        lines.set_clip_on(clip)

    def _text(self, x, y, text, transform, **kwargs):
        self.ax.text(x, y, text, transform=transform, fontsize=LABEL_SIZE, color=TEXT_COLOUR,
                     **kwargs)

    # axes

    def x_value_axis(self, ticks, labels, top, x_label: str) -> None:
        """Value axis along the bottom: grid lines, tick marks, labels and the axis label."""
        ax = self.ax
        ax.set_xlim(0, top)
        along = ax.get_xaxis_transform()  # x in data, y in axes fractions
        self._lines([[(t, 0), (t, 1)] for t in ticks if t > 0], along, GRID_COLOUR, 0.8,
                    zorder=0.5)
        mark = TICK / self.plot_height
        self._lines([[(t, 0), (t, -mark)] for t in ticks], along, AXIS_COLOUR, 0.8, clip=False)
        below = along + self._offset(0, -(TICK + GAP))
        for t, label in zip(ticks, labels):
            self._text(t, 0, label, below, ha="center", va="top")
        if x_label:
            self.ax.text(0.5, 0, x_label, fontsize=FONT_SIZE, color=TEXT_COLOUR, ha="center",
                         va="top", transform=ax.transAxes + self._offset(
                             0, -(TICK + 2 * GAP + _line_height(LABEL_SIZE))))

    def y_value_axis(self, ticks, labels, top) -> None:
        """Value axis on the left: grid lines, tick marks and labels."""
        ax = self.ax
        ax.set_ylim(0, top)
        across = ax.get_yaxis_transform()  # x in axes fractions, y in data
        self._lines([[(0, t), (1, t)] for t in ticks if t > 0], across, GRID_COLOUR, 0.8,
                    zorder=0.5)
        mark = TICK / self.plot_width
        self._lines([[(0, t), (-mark, t)] for t in ticks], across, AXIS_COLOUR, 0.8, clip=False)
        left = across + self._offset(-(TICK + GAP), 0)
        for t, label in zip(ticks, labels):
            self._text(0, t, label, left, ha="right", va="center_baseline")

    def x_month_axis(self, months: Sequence[int], labels: Sequence[str]) -> None:
        """Month labels with tick marks along the bottom (x already limited)."""
        along = self.ax.get_xaxis_transform()
        mark = TICK / self.plot_height
        self._lines([[(m, 0), (m, -mark)] for m in months], along, AXIS_COLOUR, 0.8, clip=False)
        below = along + self._offset(0, -(TICK + GAP))
        for m, label in zip(months, labels):
            self._text(m, 0, label, below, ha="center", va="top")

    def y_category_axis(self, labels: Sequence[str]) -> None:
        """Labels top to bottom in the order given, one per bar."""
        self.ax.set_ylim(len(labels) - 0.5, -0.5)
        left = self.ax.get_yaxis_transform() + self._offset(-GAP, 0)
        for y, label in enumerate(labels):
            self._text(0, y, label, left, ha="right", va="center", multialignment="right")

    # data

    def bars(self, boxes, colours: str | Sequence[str], *, separated: bool = False) -> None:
        """Rectangles (x0, y0, x1, y1) in data units, one colour each or one for all,
        drawn as one SVG path per colour; `separated` draws thin white borders so
        stacked segments stay apart."""
        if isinstance(colours, str):
            colours = [colours] * len(boxes)
        by_colour: dict[str, list] = {}
        for box, colour in zip(boxes, colours):
            by_colour.setdefault(colour, []).append(box)
        for colour, group in by_colour.items():
            vertices = [corner for x0, y0, x1, y1 in group
                        for corner in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
            codes = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY] * len(group)
            self.ax.add_artist(PathPatch(
                _path(vertices, codes), facecolor=colour,
                edgecolor="white" if separated else "none", linewidth=0.5 if separated else 0,
                joinstyle="miter", transform=self.ax.transData, zorder=2))

    def intervals(self, whiskers) -> None:
        """Horizontal whiskers (y, low, high) with end caps."""
        if not whiskers:
            return
        transform = self.ax.transData
        # Not clipped: a cap at the axis's end would be cut in half.
        self._lines([[(lo, y), (hi, y)] for y, lo, hi in whiskers], transform, BAR_COLOUR, 1.6,
                    zorder=2, clip=False)
        self._lines([[(x, y - 0.18), (x, y + 0.18)] for y, lo, hi in whiskers for x in (lo, hi)],
                    transform, BAR_COLOUR, 1.6, zorder=2, clip=False)

    def dots(self, xs, ys) -> None:
        self.ax.add_line(Line2D(xs, ys, linestyle="none", marker="o", markersize=6.5,
                                color=BAR_COLOUR, markeredgecolor="white", markeredgewidth=0.8,
                                zorder=3))

    def line(self, xs, ys, stroke: _Stroke) -> None:
        self.ax.add_line(Line2D(xs, ys, color=stroke.colour, linewidth=stroke.width,
                                linestyle=stroke.style, solid_joinstyle="round", zorder=3))

    def value_label(self, x, y, text) -> None:
        """A value written just right of (x, y)."""
        self._text(x, y, text, self.ax.transData + self._offset(GAP, 0), ha="left",
                   va="center")

    # the band above the plot

    def top_band(self, band: _TopBand) -> None:
        fig, inches = self.fig, self.fig.dpi_scale_trans
        top = self.height - EDGE
        label_height = _line_height(FONT_SIZE) if band.y_label else 0.0
        first_line = top - max(label_height, _ROW_HEIGHT if band.beside else 0) / 2
        if band.y_label:
            fig.text(EDGE, first_line, band.y_label, transform=inches, fontsize=FONT_SIZE,
                     color=TEXT_COLOUR, ha="left", va="center")
        for r, row in enumerate(band.rows):
            widths = [_entry_width(band.entries[i][0]) for i in row]
            if band.beside:
                x = self.width - EDGE - sum(widths) - _ENTRY_GAP * (len(row) - 1)
                y = first_line
            else:
                x = EDGE
                y = top - label_height - (r + 0.5) * _ROW_HEIGHT
            for i, width in zip(row, widths):
                label, handle = band.entries[i]
                if isinstance(handle, _Swatch):
                    fig.add_artist(Rectangle((x, y - 0.055), _HANDLE, 0.11, transform=inches,
                                             facecolor=handle.colour, edgecolor="none"))
                else:
                    fig.add_artist(Line2D([x, x + _HANDLE], [y, y], transform=inches,
                                          color=handle.colour, linewidth=handle.width,
                                          linestyle=handle.style))
                fig.text(x + _HANDLE + _HANDLE_GAP, y, label, transform=inches,
                         fontsize=LABEL_SIZE, color=TEXT_COLOUR, ha="left", va="center")
                x += width + _ENTRY_GAP


def _path(vertices, codes) -> Path:
    path = Path(vertices, codes)
    path.should_simplify = False  # simplification may merge the separate pieces
    return path


# --------------------------------------------------------------------------
# SVG output


def _style(key: str):
    # svg.hashsalt is read when the SVG is written. Per chart, the hashed ids
    # (clip paths, markers) are stable between runs and differ between charts.
    # rc_context restores the global settings afterwards.
    return matplotlib.rc_context({**_RC, "svg.hashsalt": key})


def _render(fig: Figure) -> str:
    buf = io.StringIO()
    FigureCanvasSVG(fig).print_svg(
        buf, metadata={"Date": None, "Creator": None, "Format": None, "Type": None}
    )
    return buf.getvalue()


_ROOT = re.compile(r"<svg\b[^>]*>")
_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_ID = re.compile(r' id="([^"]*)"')
_REF = re.compile(r'(xlink:href="#|url\(#)([^")]*)')
_VIEWBOX = re.compile(r'viewBox="([^"]*)"')
_NO_ROTATION = re.compile(r' transform="rotate\(-?0 [^"]*\)"')
_STYLE = re.compile(r' style="([^"]*)"')
# CSS properties matplotlib writes that SVG also takes as presentation attributes.
_PRESENTATION = frozenset({
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset",
    "stroke-miterlimit", "opacity", "clip-path", "font-family", "font-size", "font-style",
    "font-weight", "font-stretch", "font-variant", "text-anchor", "dominant-baseline",
})


def _presentation_attributes(m: re.Match) -> str:
    """style="fill: #fff; stroke: none" -> fill="#fff" stroke="none".

    A page whose Content-Security-Policy forbids inline styles would ignore
    style attributes and draw every chart black; attributes are not styles.
    """
    declarations = [d.split(":", 1) for d in m.group(1).split(";") if d.strip()]
    if any(len(d) != 2 or d[0].strip() not in _PRESENTATION for d in declarations):
        return m.group()
    attributes = []
    for name, value in declarations:
        name, value = name.strip(), value.strip()
        if name == "font-family":
            value += ", sans-serif"  # as the site's CSS: never the browser's default serif
        attributes.append(f' {name}="{value}"')
    return "".join(attributes)


_DROP = re.compile(
    r"<metadata>.*?</metadata>\s*"
    r"|<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>\s*"
    r"|<!--.*?-->\s*",
    re.DOTALL,
)


def _finish(raw: str, key: str, title: str, alt: str) -> str:
    """Make matplotlib's SVG document an element to inline in HTML5.

    No XML declaration, DOCTYPE, metadata or style sheet; only ids that are
    referenced are kept, prefixed with the key; size left to CSS (viewBox
    only); a title and description, named by aria-labelledby, for assistive
    technology.
    """
    svg = _DROP.sub("", raw[raw.index("<svg"):])
    root = _ROOT.search(svg)
    view_box = _VIEWBOX.search(root.group()).group(1)
    body = svg[root.end():]

    referenced = {m.group(2) for m in _REF.finditer(body)}
    prefix = f"{key}-chart-"

    def fix_tag(m: re.Match) -> str:
        tag = _ID.sub(lambda i: f' id="{prefix}{i.group(1)}"' if i.group(1) in referenced else "",
                      m.group())
        tag = _NO_ROTATION.sub("", tag)
        tag = _STYLE.sub(_presentation_attributes, tag)
        return _REF.sub(lambda r: f"{r.group(1)}{prefix}{r.group(2)}", tag)

    body = _TAG.sub(fix_tag, body)
    title_id, desc_id = f"{key}-chart-title", f"{key}-chart-desc"
    # matplotlib's style sheet (round joins, butt caps) would apply to the whole
    # page once inlined; presentation attributes on the root are inherited instead.
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        f' viewBox="{view_box}" role="img" aria-labelledby="{title_id} {desc_id}"'
        f' stroke-linejoin="round" stroke-linecap="butt">\n'
        f' <title id="{title_id}">{escape(title, quote=False)}</title>\n'
        f' <desc id="{desc_id}">{escape(alt, quote=False)}</desc>'
    )
    return head + body.rstrip() + "\n"
