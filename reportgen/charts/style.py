"""The look every chart shares: colours, fonts, sizes and matplotlib's settings."""

from __future__ import annotations

import matplotlib
from matplotlib.rcsetup import cycler


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

RC = {
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


def style(key: str):
    """matplotlib's settings while one chart is drawn.

    svg.hashsalt is read when the SVG is written. Per chart, the hashed ids
    (clip paths, markers) are stable between runs and differ between charts.
    rc_context restores the global settings afterwards.
    """
    return matplotlib.rc_context({**RC, "svg.hashsalt": key})
