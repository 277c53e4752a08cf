"""Rendering: the published figures and texts of one document -> one HTML page.

The same HTML serves the website and the PDF (print CSS does the rest), so
the two media cannot disagree. Templates autoescape and use StrictUndefined;
Markdown is sanitised in markdown_text; every count goes through `count`,
which knows only published values. A page is rendered from its document's
view (documents.py) alone: what the page shows is what its fingerprint covers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup, escape

from . import formatting
from .documents import ChartSpec, published_documents
from .documents import Document as Document_
from .documents import document as make_document
from .messages import N_, catalogue
from .footnotes import Footnotes
from .i18n import Strings
from .markdown_text import render_markdown
from .model import Config, Project, Text
from .paths import PACKAGE_TEMPLATES, templates_dir  # noqa: F401  (re-exported)
from .suppression import Published, PublishedCounts, PublishedProject

if TYPE_CHECKING:  # matplotlib is imported only when a chart must be drawn
    from . import charts as charts_module


@lru_cache(maxsize=4)
def environment(directory: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


class Page:
    """What the templates call: formatting in the page's language, footnotes, texts."""

    def __init__(self, config: Config, lang: str, as_of: dt.date | None, medium: str = "web"):
        self.medium = medium  # web | print
        self.config = config
        self.lang = lang
        self.default = config.default_language
        self.notes = Footnotes(config, lang, as_of=as_of)
        self._printed: set[str] = set()

    # footnotes
    def fn(self, key: str) -> Markup:
        """A footnote reference; its first use also carries the note itself, for print."""
        number = self.notes.ref(key)
        # On the web the call links to the list of notes; in print, to the note at the foot of its page.
        ref = Markup('<sup class="fn-ref"><a href="#fn-{n}" aria-label="{label} {n}">{n}</a></sup>').format(
            n=number, label=self.t_footnote)
        if self.medium == "web" or key in self._printed:
            return ref
        self._printed.add(key)
        entry = next(e for e in self.notes.entries() if e.key == key)
        lang_attr = Markup(' lang="{}"').format(entry.lang) if entry.lang != self.lang else ""
        return ref + Markup('<span class="fn-print" data-number="{n}" id="fn-{n}"{lang}>{text}</span>').format(
            n=number, lang=lang_attr, text=entry.text)

    @property
    def t_footnote(self) -> str:
        return catalogue(self.lang).gettext(N_("footnote"))

    def unit(self, key: str) -> Markup:
        """A unit's label with its footnote, e.g. 'Patienter¹'."""
        return Markup("{}{}").format(self.unit_label(key), self.fn(key))

    def unit_label(self, key: str) -> str:
        return self.config.unit_label(key, self.lang)

    # figures
    def _shown(self, value, format_value) -> str:
        """A published figure's marker ('<5', 'x', '–'), or its value formatted; '–' where none exists."""
        if isinstance(value, Published):
            if value.value is None:
                return value.marker
            if value.is_rounded:  # "≈2.670" with the note saying it is rounded
                return Markup("{}{}{}").format(value.marker, format_value(value.value), self.fn("rounded"))
            value = value.value
        return "–" if value is None else format_value(value)

    def count(self, value) -> str:
        """A count as published: a number in the page's language, or its marker ('<5', 'x')."""
        return self._shown(value, lambda v: formatting.number(v, self.lang))

    def number(self, value, decimals: int = 1) -> str:
        return self._shown(value, lambda v: formatting.number(v, self.lang, decimals))

    def percent(self, value, decimals: int = 1) -> str:
        return self._shown(value, lambda v: formatting.percent(v, self.lang, decimals))

    def yield_text(self, counts: PublishedCounts) -> str:
        """'31,2 % (28,0–34,6 %)', or the marker when hidden."""
        return self.yield_text_of(counts.diagnostic_yield)

    def yield_text_of(self, y) -> str:
        """A published share with its interval (a `PublishedYield`): '31,2 % (28,0–34,6 %)', or its marker."""
        if y.proportion.value is None:
            return y.proportion.marker
        if y.ci_low.value is None or y.ci_high.value is None or y.proportion.is_rounded:
            return self.percent(y.proportion)
        interval = formatting.interval(y.ci_low.value, y.ci_high.value, self.lang)
        return Markup('{} <span class="ci">({})</span>').format(self.percent(y.proportion), interval)

    def date(self, day: dt.date) -> str:
        return formatting.date(day, self.lang)

    def month(self, month) -> str:
        return formatting.month(month, self.lang)

    # texts
    def text(self, text: Text) -> Markup:
        """A plain text (a title, a name) in the page's language, marked if in another."""
        value, lang = text.get(self.lang, self.default)
        if lang != self.lang:
            return Markup('<span lang="{}">{}</span>').format(lang, value)
        return escape(value)

    def default_language(self, value: str) -> Markup:
        """A plain string the project writes in its default language (a network's name), marked as such."""
        if self.lang != self.default:
            return Markup('<span lang="{}">{}</span>').format(self.default, value)
        return escape(value)

    def plain(self, text: Text) -> str:
        return text.get(self.lang, self.default)[0]

    def markdown(self, text: Text | None) -> Markup:
        """Markdown in the page's language, sanitised; wrapped with its language if it falls back."""
        if text is None:
            return Markup("")
        value, lang = text.get(self.lang, self.default)
        html = render_markdown(value)
        if lang != self.lang:
            return Markup('<div lang="{}">{}</div>').format(lang, html)
        return html


# --- charts, at the call site: drawn once per data --------------------------------------


def draw_charts(specs: list[ChartSpec], store=None) -> dict[str, charts_module.Chart]:
    """The charts of `specs` by their key on the page. With a `store` (cache.ChartStore), a
    chart already drawn for the same data is taken from it, and matplotlib is not even imported."""
    drawn = {}
    for spec in specs:
        chart = store.get(spec) if store is not None else None
        if chart is None:
            chart = spec.draw()
            if store is not None:
                store.put(spec, chart)
        drawn[spec.chart_key] = chart
    return drawn


# --- one page -----------------------------------------------------------------------------


def _has_missing_language(value, lang: str) -> bool:
    """True if a text of `value` (a group, a report) is not written in `lang` and so falls back."""
    if isinstance(value, Text):
        return lang not in value.by_lang
    if isinstance(value, tuple):
        return any(_has_missing_language(v, lang) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(_has_missing_language(getattr(value, f.name), lang) for f in dataclasses.fields(value)
                   if f.name != "statistics")  # rows hold no texts, and there are many
    return False


def render_page(document: Document, view, config: Config, lang: str, *, root: str, lang_prefix: str,
                other_languages: list[dict], pdf_available: bool, templates: Path, medium: str = "web",
                chart_map: dict | None = None) -> str:
    """The HTML of one document in one language, for the web or for print, from its view alone."""
    if chart_map is None:
        chart_map = draw_charts(document.charts(view, config, lang))
    t = Strings(lang, config.default_language)
    head = document.head(view, config, lang, t)
    page = Page(config, lang, head.as_of, medium)
    context = document.context(view, config)
    context.update(
        lang=lang,
        medium=medium,
        charts=chart_map,
        t=t,
        p=page,
        root=root,
        lang_prefix=lang_prefix,
        other_languages=other_languages,
        site_title=page.plain(config.title),
        publisher=config.publisher,
        accessibility_statement=config.accessibility_statement,
        pdf_available=pdf_available,
        document=document,
        published_keys=view.published_keys,
        page={"title": head.title, "description": head.description, "example_data": head.example_data,
              "draft": head.draft,
              "texts_in_other_language": _has_missing_language(head.own_texts, lang)},
    )
    return environment(templates).get_template(document.template).render(context)


# --- for callers that hold a project rather than a view -------------------------------------


def Document(kind: str, key: str) -> Document_:  # noqa: N802 - stands for the former class
    """The document of a kind ('group', 'consolidated', 'index') and key."""
    return make_document(kind, key)


def documents(project: Project, include_drafts: bool) -> list[Document_]:
    return published_documents(project, include_drafts)


def published_keys(project: Project, include_drafts: bool) -> frozenset[str]:
    return frozenset(d.key for d in published_documents(project, include_drafts))


def document_charts(project: Project, published: PublishedProject, document: Document_, lang: str,
                    include_drafts: bool = False) -> dict:
    view = document.view(project, published, published_keys(project, include_drafts))
    return draw_charts(document.charts(view, project.config, lang))


def render_document(project: Project, published: PublishedProject, document: Document_, lang: str, *,
                    root: str, lang_prefix: str, other_languages: list[dict], pdf_available: bool,
                    templates: Path, medium: str = "web", chart_map: dict | None = None,
                    include_drafts: bool = False) -> str:
    """The HTML of one document of a loaded project (`include_drafts` must be the build's:
    pages link only to the reports this build publishes)."""
    view = document.view(project, published, published_keys(project, include_drafts))
    return render_page(document, view, project.config, lang, root=root, lang_prefix=lang_prefix,
                       other_languages=other_languages, pdf_available=pdf_available, templates=templates,
                       medium=medium, chart_map=chart_map)
