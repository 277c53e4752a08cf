"""The layout primitives: a figure with one plotting area and cheap axis decorations,
and the band above it holding the y-axis label and the legend.

Ticks, grid lines and legends are drawn as plain paths and texts, placed by
measured margins (see `measure`), never by matplotlib's layout engines.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.transforms import ScaledTranslation

from .measure import line_height, max_width, text_width, x_axis_height
from .style import (
    AXIS_COLOUR,
    BAR_COLOUR,
    EDGE,
    FONT_SIZE,
    GAP,
    GRID_COLOUR,
    HEIGHT,
    LABEL_SIZE,
    ROW,
    TEXT_COLOUR,
    TICK,
    WIDTH,
)

@dataclass(frozen=True)
class Swatch:
    colour: str


@dataclass(frozen=True)
class Stroke:
    colour: str
    width: float
    style: object  # a matplotlib line style


_HANDLE = 0.24  # legend handle width, inches
_HANDLE_GAP = 0.06
_ENTRY_GAP = 0.22
_ROW_HEIGHT = line_height(LABEL_SIZE) * 1.15


@dataclass(frozen=True)
class TopBand:
    """What goes above the plot: the y-axis label top left, the legend on its
    line (right-aligned) when there is room, else in rows under it."""

    y_label: str
    entries: tuple[tuple[str, Swatch | Stroke], ...]
    rows: tuple[tuple[int, ...], ...]
    beside: bool
    height: float


def _entry_width(label: str) -> float:
    return _HANDLE + _HANDLE_GAP + text_width(label)


def plan_top_band(y_label: str, entries: Sequence[tuple[str, Swatch | Stroke]]) -> TopBand:
    entries = tuple(entries) if len(entries) > 1 else ()  # one series needs no legend
    label_height = line_height(FONT_SIZE) if y_label else 0.0
    widths = [_entry_width(label) for label, _ in entries]
    full = WIDTH - 2 * EDGE
    beside_room = full - (text_width(y_label, FONT_SIZE) + 0.3 if y_label else 0.0)
    if not entries:
        return TopBand(y_label, (), (), False, max(label_height + GAP, 0.12))
    if sum(widths) + _ENTRY_GAP * (len(widths) - 1) <= beside_room:
        return TopBand(y_label, entries, (tuple(range(len(entries))),), True,
                        max(label_height, _ROW_HEIGHT) + GAP)
    rows: list[list[int]] = [[]]
    used = 0.0
    for i, width in enumerate(widths):
        if rows[-1] and used + _ENTRY_GAP + width > full:
            rows.append([])
            used = 0.0
        used += (_ENTRY_GAP if rows[-1] else 0.0) + width
        rows[-1].append(i)
    return TopBand(y_label, entries, tuple(map(tuple, rows)), False,
                    label_height + len(rows) * _ROW_HEIGHT + GAP)


class Frame:
    """A figure with one plotting area placed by margins in inches.

    Ticks, grid lines and legends are drawn as plain paths and texts: a
    fraction of the cost of matplotlib's Tick and Legend objects. All bars of
    one colour are one path, all grid lines one path.
    """

    def __init__(self, width: float, height: float, *, left: float, bottom: float,
                 top: float = 0.12, right: float = 0.2):
        self.width, self.height = width, height
        x0, y0 = EDGE + left, EDGE + bottom
        self.plot_width = width - EDGE - right - x0
        self.plot_height = height - EDGE - top - y0
        rect = (x0 / width, y0 / height, self.plot_width / width, self.plot_height / height)
        reused = _take_figure()
        if reused is None:
            self.fig = Figure(figsize=(width, height), layout=None)
            self.ax = self.fig.add_axes(rect)
            # Ticks are drawn by the methods below; matplotlib's axes stay hidden (the
            # spines, separate artists, still show).
            self.ax.xaxis.set_visible(False)
            self.ax.yaxis.set_visible(False)
            self.ax.set_autoscale_on(False)
        else:
            self.fig, self.ax = reused
            self.fig.set_size_inches(width, height, forward=False)
            self.ax.set_position(rect)
        _in_use(self)

    @classmethod
    def for_rows(cls, labels: Sequence[str], *, left: float, bottom: float,
                 top: float = 0.12, right: float = 0.2) -> Frame:
        """A frame tall enough for one bar per label."""
        lines = max((label.count("\n") + 1 for label in labels), default=1)
        row = max(ROW, lines * line_height(LABEL_SIZE) + 0.08)
        height = 2 * EDGE + top + bottom + max(len(labels), 1) * row
        return cls(WIDTH, height, left=left, bottom=bottom, top=top, right=right)

    @classmethod
    def over_months(cls, x_range: tuple[float, float], ticks, tick_labels, top_value, months: Sequence[int],
                    month_labels: Sequence[str], *, top: float) -> Frame:
        """A chart over time: a value axis on the left, labelled months along the bottom."""
        frame = cls(WIDTH, HEIGHT, left=max_width(tick_labels) + TICK + GAP,
                    bottom=TICK + GAP + line_height(LABEL_SIZE), top=top)
        frame.ax.set_xlim(*x_range)
        frame.y_value_axis(ticks, tick_labels, top_value)
        frame.x_month_axis(months, month_labels)
        return frame

    @classmethod
    def by_category(cls, wrapped: Sequence[str], ticks, tick_labels, top_value, x_label: str, *,
                    top: float = 0.12, right: float = 0.2) -> Frame:
        """A horizontal chart: one row per (wrapped) label down the left, a value axis along the bottom."""
        frame = cls.for_rows(wrapped, left=max_width(wrapped) + GAP, bottom=x_axis_height(x_label), top=top,
                             right=right)
        frame.x_value_axis(ticks, tick_labels, top_value, x_label)
        frame.y_category_axis(wrapped)
        return frame

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
                             0, -(TICK + 2 * GAP + line_height(LABEL_SIZE))))

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

    def stacks(self, positions, columns, colours: Sequence[str], half: float, *, horizontal: bool,
               separated: bool) -> None:
        """Stacked bars: at each position, one segment per column of values, in `colours`, bottom (or
        left) first; each bar `2 * half` wide. A zero draws no segment."""
        base = [0] * len(positions)
        for values, colour in zip(columns, colours):
            if horizontal:
                boxes = [(b, p - half, b + v, p + half) for p, b, v in zip(positions, base, values) if v]
            else:
                boxes = [(p - half, b, p + half, b + v) for p, b, v in zip(positions, base, values) if v]
            self.bars(boxes, colour, separated=separated)
            base = [b + v for b, v in zip(base, values)]

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

    def line(self, xs, ys, stroke: Stroke) -> None:
        self.ax.add_line(Line2D(xs, ys, color=stroke.colour, linewidth=stroke.width,
                                linestyle=stroke.style, solid_joinstyle="round", zorder=3))

    def value_label(self, x, y, text) -> None:
        """A value written just right of (x, y)."""
        self._text(x, y, text, self.ax.transData + self._offset(GAP, 0), ha="left",
                   va="center")

    # the band above the plot

    def top_band(self, band: TopBand) -> None:
        fig, inches = self.fig, self.fig.dpi_scale_trans
        top = self.height - EDGE
        label_height = line_height(FONT_SIZE) if band.y_label else 0.0
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
                if isinstance(handle, Swatch):
                    fig.add_artist(Rectangle((x, y - 0.055), _HANDLE, 0.11, transform=inches,
                                             facecolor=handle.colour, edgecolor="none"))
                else:
                    fig.add_artist(Line2D([x, x + _HANDLE], [y, y], transform=inches,
                                          color=handle.colour, linewidth=handle.width,
                                          linestyle=handle.style))
                fig.text(x + _HANDLE + _HANDLE_GAP, y, label, transform=inches,
                         fontsize=LABEL_SIZE, color=TEXT_COLOUR, ha="left", va="center")
                x += width + _ENTRY_GAP


# --- figures used again --------------------------------------------------------------------
#
# Most of a chart's cost was setting up a new matplotlib Axes (its ticks, spines, transforms)
# for every chart. While `reusing_figures` is active, a chart's figure and axes are emptied
# afterwards and the next chart takes them: the same size, position, limits and artists give
# the same SVG as a new figure (the charts' golden files check this).

_pool = threading.local()


@contextmanager
def reusing_figures():
    """Frames made inside take a figure emptied by an earlier one (made under the same style);
    on leaving, every frame's figure is emptied and kept for the next."""
    if getattr(_pool, "frames", None) is not None:  # already reusing (nested)
        yield
        return
    _pool.frames = []
    try:
        yield
    finally:
        frames, _pool.frames = _pool.frames, None
        spares = _pool.__dict__.setdefault("spares", [])
        for frame in frames:
            _empty(frame.fig, frame.ax)
            spares.append((frame.fig, frame.ax))
        del spares[4:]


def _take_figure():
    if getattr(_pool, "frames", None) is None:
        return None
    spares = getattr(_pool, "spares", None)
    return spares.pop() if spares else None


def _in_use(frame: Frame) -> None:
    frames = getattr(_pool, "frames", None)
    if frames is not None:
        frames.append(frame)


def _empty(fig: Figure, ax) -> None:
    """Remove what the chart drew: the axes' artists, the figure's texts and legend handles;
    the limits back to a new axes' (0, 1)."""
    for artist in [*ax.artists, *ax.collections, *ax.images, *ax.lines, *ax.patches, *ax.tables, *ax.texts]:
        artist.remove()
    for artist in [*fig.texts, *fig.artists]:
        artist.remove()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.relim()


def _path(vertices, codes) -> Path:
    path = Path(vertices, codes)
    path.should_simplify = False  # simplification may merge the separate pieces
    return path
