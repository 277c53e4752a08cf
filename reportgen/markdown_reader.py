"""Markdown read back as a reader gets it, for the checks: the visible text and every address.

The checks judge links and identifiers on what the pages will show, not on
the source: a number split by emphasis or a link hidden in a reference
definition inside a quote look different in the source and on the page.
The dialect is the renderer's (`markdown_text`); tests/test_edges.py holds
the two to the same HTML.
"""

from __future__ import annotations

import html.parser
from dataclasses import dataclass
from functools import lru_cache

import markdown


@lru_cache(maxsize=1)
def _converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=["sane_lists"], output_format="html")


def markdown_html(text: str) -> str:
    """Markdown source -> the HTML Markdown makes of it (before the renderer sanitises it)."""
    converter = _converter()
    converter.reset()
    return converter.convert(text)


@dataclass(frozen=True)
class ReaderView:
    """A Markdown text as a reader gets it: the visible text and every address in it."""

    text: str  # the visible text; blocks separated by line breaks
    links: tuple[str, ...]  # every link address (href), in document order
    images: tuple[str, ...]  # every image address (src), in document order


_BLOCKS = {"p", "li", "ul", "ol", "blockquote", "pre", "hr", "br", "h1", "h2", "h3", "h4", "h5", "h6",
           "table", "tr", "td", "th", "div", "dl", "dt", "dd"}


class _Reader(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "a" and values.get("href") is not None:
            self.links.append(values["href"])
        if tag == "img":
            self.images.append(values.get("src") or "")
            self.parts.append(values.get("alt") or "")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


@lru_cache(maxsize=4096)
def reader_view(text: str) -> ReaderView:
    """What the renderer makes of `text`, read back: visible text, links and images.

    May raise RecursionError for absurdly deep nesting; textchecks bounds the depth first.
    """
    reader = _Reader()
    reader.feed(markdown_html(text))
    reader.close()
    return ReaderView("".join(reader.parts), tuple(reader.links), tuple(reader.images))
