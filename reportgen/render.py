"""Rendering: the published figures and texts of one document -> one HTML page.

The same HTML serves the website and the PDF (print CSS does the rest), so
the two media cannot disagree. Templates autoescape and use StrictUndefined;
Markdown is sanitised in markdown_text; every count goes through `count`,
which knows only published values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from . import charts, formatting
from .editions import edition_changes, new_editions
from .footnotes import Footnotes
from .i18n import Strings
from .markdown_text import render_markdown
from .model import SAMPLE_TYPES, Group, Project, Text
from .paths import PACKAGE_TEMPLATES, templates_dir  # noqa: F401  (re-exported)
from .suppression import Published, PublishedCounts, PublishedProject


@dataclass(frozen=True)
class Document:
    """One report: a group's, a category's consolidated report, or the index."""

    kind: str  # group | consolidated | index
    key: str  # group id | category | "index"

    @property
    def html_name(self) -> str:
        return f"{self.key}.html"

    @property
    def pdf_name(self) -> str:
        return f"{self.key}.pdf"


def documents(project: Project, include_drafts: bool) -> list[Document]:
    """Every document of the project that this build publishes."""
    docs = [Document("group", g.id) for g in project.groups if include_drafts or g.edition.status == "approved"]
    for category in ("rare", "cancer"):
        report = project.consolidated.get(category)
        if not project.groups_in(category):
            continue  # nothing to consolidate: the texts wait for the category's first group
        if report is not None and (include_drafts or report.edition.status == "approved"):
            docs.append(Document("consolidated", category))
    docs.append(Document("index", "index"))
    return docs


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

    def __init__(self, project: Project, lang: str, as_of: dt.date | None, medium: str = "web"):
        self.medium = medium  # web | print
        self.project = project
        self.config = project.config
        self.lang = lang
        self.default = project.config.default_language
        self.notes = Footnotes(project.config, lang, as_of=as_of)
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
        return "fodnote" if self.lang == "da" else "footnote"

    def unit(self, key: str) -> Markup:
        """A unit's label with its footnote, e.g. 'Patienter¹'."""
        return Markup("{}{}").format(self.unit_label(key), self.fn(key))

    def unit_label(self, key: str) -> str:
        return self.config.unit_label(key, self.lang)

    # figures
    @staticmethod
    def _shown(value, format_value) -> str:
        """A published figure's marker ('<5', 'x', '–'), or its value formatted; '–' where none exists."""
        if isinstance(value, Published):
            if value.value is None:
                return value.marker
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
        y = counts.diagnostic_yield
        if y.proportion.value is None:
            return y.proportion.marker
        if y.ci_low.value is None or y.ci_high.value is None:
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


# --- context builders ---------------------------------------------------------


def _region_name(project: Project, key: str) -> str:
    return project.config.regions[key].name


def group_charts(project: Project, published: PublishedProject, group: Group, lang: str) -> list[charts.Chart]:
    pub = published.group(group.id)
    t = Strings(lang, project.config.default_language)
    monthly = pub.monthly
    if not monthly:
        return []
    regions = pub.latest_12_months.by_region
    return [
        charts.monthly_analyses(
            "monthly-analyses", t.chart_monthly_title, [m.month for m in monthly],
            {s: [getattr(m.analyses, s) for m in monthly] for s in SAMPLE_TYPES},
            {s: t[s] for s in SAMPLE_TYPES}, lang, project.config.unit_label("analyses", lang), row_header=t.month),
        charts.horizontal_bars(
            "regional-rates", t.chart_regions_title, [_region_name(project, r.region) for r in regions],
            [r.patients_per_100k_per_year.value for r in regions], lang, t.per_100k_per_year,
            colours=[charts.REGION_COLOURS.get(r.region, "#1f4e79") for r in regions],
            missing_text=_missing_text(regions), row_header=t.region),
    ]


def group_context(project: Project, published: PublishedProject, group: Group, page: Page, t: Strings) -> dict:
    return {
        "group": group,
        "pub": published.group(group.id),
        "indications": {i.code: i for i in group.indications},
        "region_name": lambda key: _region_name(project, key),
        # None without an archived earlier edition (templates/edition_changes.html)
        "edition_changes": edition_changes(group, published.group(group.id).since_start.total, project.config),
    }


def _missing_text(regions) -> str:
    markers = {r.patients_per_100k_per_year.marker for r in regions if r.patients_per_100k_per_year.value is None}
    return next(iter(markers)) if len(markers) == 1 else "x"


def consolidated_charts(project: Project, published: PublishedProject, category: str,
                        lang: str) -> list[charts.Chart]:
    pub = published.category(category)
    groups = project.groups_in(category)
    t = Strings(lang, project.config.default_language)
    names = [g.name.get(lang, project.config.default_language)[0] for g in groups]
    parts = {p.key: p for p in pub.since_start.parts}
    return [
        charts.stacked_horizontal_bars(
            "group-analyses", t.chart_groups_title, names,
            {s: [getattr(parts[g.id].counts.analyses, s) for g in groups] for s in SAMPLE_TYPES},
            {s: t[s] for s in SAMPLE_TYPES}, lang, project.config.unit_label("analyses", lang), row_header=t.group),
        charts.yields_with_intervals(
            "group-yields", t.chart_yields_title, names,
            [_yield_point(parts[g.id].counts) for g in groups], lang, t.diagnostic_yield, "x",
            row_header=t.group),
    ]


def consolidated_context(project: Project, published: PublishedProject, category: str, page: Page,
                         t: Strings) -> dict:
    groups = project.groups_in(category)
    return {
        "report": project.consolidated[category],
        "pub": published.category(category),
        "groups": groups,
        "group_pub": {g.id: published.group(g.id) for g in groups},
        "region_name": lambda key: _region_name(project, key),
        "new_editions": new_editions(groups),  # templates/new_editions.html
    }


def _yield_point(counts: PublishedCounts):
    y = counts.diagnostic_yield
    if None in (y.proportion.value, y.ci_low.value, y.ci_high.value):
        return None
    return (y.proportion.value, y.ci_low.value, y.ci_high.value)


def index_charts(project: Project, published: PublishedProject, lang: str) -> list[charts.Chart]:
    national = published.national
    target = national.target
    t = Strings(lang, project.config.default_language)
    if not national.monthly:
        return []
    cumulative, total = [], 0
    for m in national.monthly:
        total += m.genome_equivalents
        cumulative.append(total)
    projection = None
    if target.reached_in is not None and not target.already_reached and target.per_month > 0:
        last = national.monthly[-1].month
        projection = [(last, float(total)), (target.reached_in, float(target.target))]
    return [charts.target_progress(
        "national-target", t.chart_target_title, [m.month for m in national.monthly], cumulative,
        target.target, projection, lang, project.config.unit_label("genome_equivalents", lang), t.target_line,
        t.projection, row_header=t.month)]


def document_charts(project: Project, published: PublishedProject, document: Document,
                    lang: str) -> dict[str, charts.Chart]:
    """The charts of one document in one language, made once for both the web page and the PDF."""
    if document.kind == "group":
        made = group_charts(project, published, project.group(document.key), lang)
    elif document.kind == "consolidated":
        made = consolidated_charts(project, published, document.key, lang)
    else:
        made = index_charts(project, published, lang)
    return {c.key: c for c in made}


def index_context(project: Project, published: PublishedProject, page: Page, t: Strings) -> dict:
    national = published.national
    target = national.target
    return {
        "national": national,
        "target": target,
        "categories": [(c, project.groups_in(c)) for c in ("rare", "cancer") if project.groups_in(c)],
        "group_pub": {g.id: published.group(g.id) for g in project.groups},
        "consolidated": project.consolidated,
    }


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


def render_document(project: Project, published: PublishedProject, document: Document, lang: str, *,
                    root: str, lang_prefix: str, other_languages: list[dict], pdf_available: bool,
                    templates: Path, medium: str = "web", chart_map: dict | None = None,
                    include_drafts: bool = False) -> str:
    """The HTML of one document in one language, for the web or for print.

    `include_drafts` must be the build's: pages link only to the reports this build publishes.
    """
    if chart_map is None:
        chart_map = document_charts(project, published, document, lang)
    t = Strings(lang, project.config.default_language)
    env = environment(templates)
    if document.kind == "group":
        group = project.group(document.key)
        page = Page(project, lang, group.statistics.as_of, medium)
        context = group_context(project, published, group, page, t)
        example, draft = group.example_data, group.edition.status == "draft"
        title = page.plain(group.name)
        description = f"{t.status_report}: {title}"
        template = "group.html"
        own_texts = group
    elif document.kind == "consolidated":
        report = project.consolidated[document.key]
        as_of = published.category(document.key).as_of
        page = Page(project, lang, as_of, medium)
        context = consolidated_context(project, published, document.key, page, t)
        example = any(g.example_data for g in project.groups_in(document.key))
        draft = report.edition.status == "draft"
        title = page.plain(report.title)
        description = title
        template = "consolidated.html"
        own_texts = report
    else:
        page = Page(project, lang, published.national.as_of, medium)
        context = index_context(project, published, page, t)
        example = any(g.example_data for g in project.groups)
        draft = False
        title = page.plain(project.config.title)
        description = title
        template = "index.html"
        own_texts = None
    context.update(
        lang=lang,
        medium=medium,
        charts=chart_map,
        t=t,
        p=page,
        root=root,
        lang_prefix=lang_prefix,
        other_languages=other_languages,
        site_title=page.plain(project.config.title),
        publisher=project.config.publisher,
        accessibility_statement=project.config.accessibility_statement,
        pdf_available=pdf_available,
        document=document,
        published_keys=frozenset(d.key for d in documents(project, include_drafts)),
        page={"title": title, "description": description, "example_data": example, "draft": draft,
              "texts_in_other_language": _has_missing_language(own_texts, lang)},
    )
    return env.get_template(template).render(context)
