"""Markdown to safe HTML: rendered by Markdown, then cleaned by nh3 with an allowlist.

The loader already refuses raw HTML and unsafe links, judged on the same
Markdown (`markdown_reader`, whose dialect equals this one: a test holds
them together); the sanitiser is the second wall, so that a gap in one
check never becomes script in a page.
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "ul", "ol", "li", "strong", "em", "a", "code", "pre", "blockquote", "br", "hr",
    "h3", "h4", "h5", "h6", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"https", "http", "mailto"}

_HEADING = re.compile(r"<(/?)h([1-6])>")


@lru_cache(maxsize=1)
def _converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=["sane_lists"], output_format="html")


def _demote_headings(html: str) -> str:
    """Headings in a text sit below the section's h2, so '#' becomes h3 and so on."""
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}>", html)


def markdown_html(text: str) -> str:
    """Markdown source -> the HTML Markdown makes of it, before sanitising."""
    converter = _converter()
    converter.reset()
    return converter.convert(text)


def render_markdown(text: str) -> Markup:
    """Markdown source -> sanitised HTML, safe to insert into an autoescaped template."""
    clean = nh3.clean(
        _demote_headings(markdown_html(text)),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)
