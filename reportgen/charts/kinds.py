"""The chart kinds. Each checks its input, plans its margins from measured text,
draws on a `Frame`, and gives its table and text alternative (see `base.draw_chart`).

Each function takes plain, already published figures (suppressed values as
None), the report language and the caller's localised labels.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import formatting
from ..model import Month
from .base import Chart, ChartTable, check_input, draw_chart, series_table
from .frame import Frame, Stroke, Swatch, plan_top_band
from .measure import (
    fewest_decimals,
    max_width,
    month_ticks,
    number_labels,
    series_colours,
    value_ticks,
    wrap_label,
    x_axis_height,
)
from .style import BAR_COLOUR, GAP, HEIGHT, TARGET_COLOUR, TICK, WIDTH
from .wording import (
    describe_bars,
    describe_funnel,
    describe_monthly,
    describe_stacked,
    describe_target,
    describe_yields,
)


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
    check_input(key, len(months), series, "months")
    keys, colours, totals, legend = _stack(series, series_labels, len(months))
    ticks, top = value_ticks(max(totals), integer=True)
    tick_labels = number_labels(ticks, lang)
    xs = [m.index for m in months]
    labelled = month_ticks(xs[0], xs[-1])
    band = plan_top_band(y_label, legend)

    def draw() -> Frame:
        frame = Frame.over_months((xs[0] - 0.6, max(xs[-1], xs[0] + 5) + 0.6), ticks, tick_labels, top, labelled,
                                  _month_labels(labelled, lang), top=band.height)
        frame.stacks(xs, [series[k] for k in keys], colours, 0.4, horizontal=False, separated=len(months) <= 48)
        frame.top_band(band)
        return frame

    table = series_table(title, row_header, [formatting.month(m, lang) for m in months], series,
                         series_labels, lang)
    return draw_chart(key, title, draw, alt, lambda: describe_monthly(
        lang, y_label, months, [series_labels[k] for k in keys], totals), table)


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
    check_input(key, len(labels), {"values": values, **({"colours": colours} if colours else {})}, "labels")
    ticks, top = value_ticks(max((v for v in values if v is not None), default=0), integer=False)
    tick_labels = number_labels(ticks, lang)
    value_texts = [missing_text if v is None else formatting.number(v, lang, value_decimals) for v in values]
    wrapped = [wrap_label(label) for label in labels]
    colours = list(colours) if colours else [BAR_COLOUR] * len(values)

    def draw() -> Frame:
        frame = Frame.by_category(wrapped, ticks, tick_labels, top, x_label, right=max_width(value_texts) + GAP)
        shown = [(y, v, c) for y, (v, c) in enumerate(zip(values, colours)) if v is not None]
        frame.bars([(0, y - 0.35, v, y + 0.35) for y, v, _ in shown], [c for *_, c in shown])
        for y, (value, text) in enumerate(zip(values, value_texts)):
            frame.value_label(value or 0, y, text)
        return frame

    table = ChartTable(caption=title, header=(row_header, x_label), rows=tuple(zip(labels, value_texts)))
    return draw_chart(key, title, draw, alt, lambda: describe_bars(
        lang, x_label, labels, values, value_texts, missing_text), table)


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
    check_input(key, len(labels), series, "labels")
    keys, colours, totals, legend = _stack(series, series_labels, len(labels))
    ticks, top = value_ticks(max(totals, default=0), integer=True)
    tick_labels = number_labels(ticks, lang)
    wrapped = [wrap_label(label) for label in labels]
    band = plan_top_band("", legend)

    def draw() -> Frame:
        frame = Frame.by_category(wrapped, ticks, tick_labels, top, x_label, top=band.height)
        frame.stacks(range(len(labels)), [series[k] for k in keys], colours, 0.35, horizontal=True, separated=True)
        frame.top_band(band)
        return frame

    table = series_table(title, row_header, labels, series, series_labels, lang)
    return draw_chart(key, title, draw, alt, lambda: describe_stacked(
        lang, x_label, labels, [series_labels[k] for k in keys], totals), table)


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
    check_input(key, len(labels), {"points": points}, "labels")
    for label, point in zip(labels, points):
        if point is not None and not point[1] <= point[0] <= point[2]:
            raise ValueError(f"chart {key!r}: {label!r}: the estimate {point[0]} lies outside "
                             f"its interval {point[1]}–{point[2]}")
    ticks, top = value_ticks(max((p[2] for p in points if p is not None), default=0.0), integer=False,
                             limit=1.0)
    decimals = fewest_decimals([t * 100 for t in ticks])
    tick_labels = [formatting.percent(t, lang, decimals) for t in ticks]
    point_texts = [missing_text if p is None else formatting.percent(p[0], lang) for p in points]
    wrapped = [wrap_label(label) for label in labels]

    def draw() -> Frame:
        frame = Frame.by_category(wrapped, ticks, tick_labels, top, x_label, right=max_width(point_texts) + GAP)
        shown = [(y, p) for y, p in enumerate(points) if p is not None]
        frame.intervals([(y, p[1], p[2]) for y, p in shown])
        frame.dots([p[0] for _, p in shown], [y for y, _ in shown])
        for y, (point, text) in enumerate(zip(points, point_texts)):
            frame.value_label(0 if point is None else point[2], y, text)
        return frame

    cells = [missing_text if p is None
             else f"{formatting.percent(p[0], lang)} ({formatting.interval(p[1], p[2], lang)})" for p in points]
    table = ChartTable(caption=title, header=(row_header, x_label), rows=tuple(zip(labels, cells)))
    return draw_chart(key, title, draw, alt, lambda: describe_yields(
        lang, x_label, labels, points, cells, missing_text), table)


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
    check_input(key, len(months), {"cumulative": cumulative}, "months")
    xs = [m.index for m in months]
    ahead = [(m.index, v) for m, v in (projection or ()) if m.index > xs[-1]]
    ticks, top = value_ticks(max([target, *cumulative, *(v for _, v in ahead)]) * 1.04, integer=True)
    tick_labels = number_labels(ticks, lang)
    last_x = ahead[-1][0] if ahead else xs[-1]
    labelled = month_ticks(xs[0], last_x)
    solid = Stroke(BAR_COLOUR, 2.2, "-")
    dashed = Stroke(BAR_COLOUR, 2.2, (0, (2.5, 1.5)))
    target_stroke = Stroke(TARGET_COLOUR, 1.6, (0, (5, 1.5, 1, 1.5)))
    band = plan_top_band("", [(y_label, solid), *([(projection_label, dashed)] if ahead else []),
                              (target_label, target_stroke)])

    def draw() -> Frame:
        frame = Frame.over_months((xs[0] - 0.5, last_x + 0.5), ticks, tick_labels, top, labelled,
                                  _month_labels(labelled, lang), top=band.height)
        frame.line([xs[0] - 0.5, last_x + 0.5], [target, target], target_stroke)
        if ahead:
            frame.line([xs[-1], *(x for x, _ in ahead)], [cumulative[-1], *(v for _, v in ahead)], dashed)
        frame.line(xs, cumulative, solid)
        frame.top_band(band)
        return frame

    table = _target_table(title, row_header, dict(zip(xs, cumulative)), dict(ahead), target, y_label,
                          target_label, projection_label, lang)
    return draw_chart(key, title, draw, alt, lambda: describe_target(
        lang, y_label, months, cumulative, target, target_label, projection_label, ahead), table)


def _target_table(title, row_header, actual: dict[int, float], projected: dict[int, float], target,
                  y_label, target_label, projection_label, lang) -> ChartTable:
    """Every month, actual and projected (by month index); the caption states the target."""
    return ChartTable(
        caption=f"{title} ({target_label}: {formatting.number(target, lang)})",
        header=(row_header, y_label, *([projection_label] if projected else [])),
        rows=tuple(
            (formatting.month(Month.from_index(i), lang),
             formatting.number(actual[i], lang) if i in actual else "",
             *([formatting.number(projected[i], lang) if i in projected else ""] if projected else []))
            for i in sorted(actual.keys() | projected.keys())
        ),
    )


def funnel_plot(
    key: str,
    title: str,
    labels: Sequence[str],
    sizes: Sequence[float],
    values: Sequence[float],
    verdicts: Sequence[str],
    flagged: Sequence[bool],
    centre: float,
    curve: Sequence[tuple[float, float, float, float, float]],
    lang: str,
    x_label: str,
    y_label: str,
    legend: tuple[str, str, str],
    *,
    percent: bool = False,
    size_decimals: int = 0,
    row_header: str = "",
    verdict_header: str = "",
    missing: Sequence[str] = (),
    alt: str | None = None,
) -> Chart:
    """A funnel plot: each label's value (a dot, named) against its size, around `centre` (a line),
    between control limits that narrow as the size grows (95 % dashed, 99.8 % dotted).

    `curve` gives the limits as (size, low 95, high 95, low 99.8, high 99.8);
    `verdicts` the words for each label's place (within, above, below the
    limits), shown in the table, and `flagged` which are outside; `legend` names the centre line and the two
    limits; `missing` names labels whose figures are hidden (left out).
    Values are fractions shown as percentages when `percent`.
    """
    check_input(key, len(labels), {"sizes": sizes, "values": values, "verdicts": verdicts, "flagged": flagged},
                "labels")
    fmt = (lambda v: formatting.percent(v, lang)) if percent else (lambda v: formatting.number(v, lang, 1))
    highest = max([*values, centre]) * 1.5
    ticks, top = value_ticks(highest, integer=False, **({"limit": 1.0} if percent else {}))
    if percent:
        tick_labels = [formatting.percent(t, lang, fewest_decimals([t * 100 for t in ticks])) for t in ticks]
    else:
        tick_labels = number_labels(ticks, lang)
    x_ticks, x_top = value_ticks(max(sizes) * 1.15, integer=True)
    x_tick_labels = number_labels(x_ticks, lang)
    centre_stroke = Stroke(BAR_COLOUR, 1.6, "-")
    limit95 = Stroke(TARGET_COLOUR, 1.2, (0, (4, 2)))
    limit998 = Stroke(TARGET_COLOUR, 1.2, (0, (1, 1.5)))
    band = plan_top_band(y_label, [(legend[0], centre_stroke), (legend[1], limit95), (legend[2], limit998)])
    short = [wrap_label(label.removeprefix("Region ")) for label in labels]

    def draw() -> Frame:
        frame = Frame(WIDTH, HEIGHT, left=max_width(tick_labels) + TICK + GAP, bottom=x_axis_height(x_label),
                      top=band.height, right=max_width(short) + 2 * GAP)
        frame.x_value_axis(x_ticks, x_tick_labels, x_top, x_label)
        frame.y_value_axis(ticks, tick_labels, top)
        xs = [c[0] for c in curve]
        frame.line([0, x_top], [centre, centre], centre_stroke)
        for column, stroke in ((1, limit95), (2, limit95), (3, limit998), (4, limit998)):
            frame.line(xs, [c[column] for c in curve], stroke)
        frame.dots(list(sizes), list(values))
        for x, y, label in zip(sizes, values, short):
            frame.value_label(x, y, label.replace("\n", " "))
        frame.top_band(band)
        return frame

    table = ChartTable(
        caption=title,
        header=(row_header, x_label, y_label, verdict_header),
        rows=tuple((label, formatting.number(size, lang, size_decimals), fmt(value), verdict)
                   for label, size, value, verdict in zip(labels, sizes, values, verdicts)),
    )
    return draw_chart(key, title, draw, alt, lambda: describe_funnel(
        lang, y_label, fmt(centre), [f"{lab} ({v})" for lab, v, f in zip(labels, verdicts, flagged) if f], missing),
        table)


def _month_labels(months: Sequence[int], lang: str) -> list[str]:
    return [formatting.month_short(Month.from_index(i), lang) for i in months]


def _stack(series: dict[str, Sequence[int]], series_labels: dict[str, str], count: int):
    """Stacked series: their keys, colours, the total of each stack and the legend's entries."""
    keys = list(series)
    colours = series_colours(keys)
    totals = [sum(series[k][i] for k in keys) for i in range(count)]
    return keys, colours, totals, [(series_labels[k], Swatch(c)) for k, c in zip(keys, colours)]
