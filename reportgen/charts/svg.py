"""SVG finishing: matplotlib's SVG document made an element to inline in HTML5."""

from __future__ import annotations

import functools
import io
import re
from html import escape

from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.figure import Figure
from matplotlib.textpath import TextToPath


_TEXT_TO_PATH = TextToPath()


@functools.lru_cache(maxsize=8192)
def _text_metrics(s: str, prop, ismath) -> tuple[float, float, float]:
    return _TEXT_TO_PATH.get_text_width_height_descent(s, prop, ismath)


class _Renderer(RendererSVG):
    """matplotlib's SVG renderer, measuring each text once per process.

    matplotlib caches a text's measure per renderer, and a new renderer draws each
    chart, so the same tick labels and legends were measured again on every chart.
    The measure depends only on the text and its font (`TextToPath`, unhinted).
    """

    def get_text_width_height_descent(self, s, prop, ismath):
        return _text_metrics(s, prop.copy(), ismath)


def render(fig: Figure) -> str:
    """The figure as an SVG document: what FigureCanvasSVG.print_svg writes, with `_Renderer`."""
    buf = io.StringIO()
    FigureCanvasSVG(fig)  # the figure's canvas, as print_svg's
    dpi = fig.dpi
    fig.dpi = 72
    width, height = fig.get_size_inches()
    renderer = MixedModeRenderer(
        fig, width, height, dpi,
        _Renderer(width * 72, height * 72, buf, image_dpi=dpi,
                  metadata={"Date": None, "Creator": None, "Format": None, "Type": None}))
    fig.draw(renderer)
    renderer.finalize()
    fig.dpi = dpi  # as it was: a figure may be drawn again (frame.reusing_figures)
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


def finish(raw: str, key: str, title: str, alt: str) -> str:
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
