"""The documents of the site, each a type that knows what it shows.

A document (a group's report, a category's consolidated report, the index)
answers the files it makes, what it costs to render, its template, its
charts, its PDF metadata and, above all, its *view*: a frozen value holding
exactly the inputs it shows. The page is rendered from the view alone, and
the view's digest is the document's fingerprint, so a document is rendered
again exactly when something it shows has changed. A consolidated report
shows, of each of its groups, the name, network, edition dates and key
figures, never the summary or the cases: editing those renders the group's
own report, not the consolidated one.

This module imports no renderer: a build plans with it before it knows
whether anything needs Jinja2, matplotlib or WeasyPrint.

It is one module of some 500 lines because each kind of document sits next to
the view it renders from, so what a page shows is read in one place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, ClassVar

from .i18n import Strings
from .model import SAMPLE_TYPES, Config, Consolidated, Edition, Group, Project, Text

SITE_DIR = "site"
PDF_DIR = "pdf"


# --- charts, by the data they draw ------------------------------------------------


@dataclass(frozen=True)
class ChartSpec:
    """One chart as a call of a function of `reportgen.charts` with plain data.

    Its key is a digest of the call, so a chart drawn once is never drawn again for the
    same data (see render.draw_charts). Region colours are named by region, as the colour
    table lives with matplotlib.
    """

    function: str
    args: tuple
    kwargs: tuple[tuple[str, Any], ...]
    region_colours: tuple[str, ...] | None = None

    @cached_property
    def key(self) -> str:
        return hashlib.sha256(repr((self.function, self.args, self.kwargs, self.region_colours))
                              .encode("utf-8")).hexdigest()

    @property
    def chart_key(self) -> str:
        """The chart's key on its page, e.g. 'monthly-analyses'."""
        return self.args[0]

    def draw(self):
        from . import charts

        kwargs = dict(self.kwargs)
        if self.region_colours is not None:
            kwargs["colours"] = [charts.REGION_COLOURS.get(r, "#1f4e79") for r in self.region_colours]
        return getattr(charts, self.function)(*self.args, **kwargs)


# The published figures of a project are large and, in a preview, the same object from one
# edit to the next while the figures do not change: their text is computed once.
_REPRS: dict[int, tuple[object, str]] = {}


def _repr(value) -> str:
    kept = _REPRS.get(id(value))
    if kept is not None and kept[0] is value:
        return kept[1]
    if len(_REPRS) > 1000:
        _REPRS.clear()
    text = repr(value)
    _REPRS[id(value)] = (value, text)
    return text


def _spec(function: str, *args, region_colours=None, **kwargs) -> ChartSpec:
    return ChartSpec(function, args, tuple(sorted(kwargs.items())), region_colours)


# --- what a consolidated report and the index show of a group --------------------------


@dataclass(frozen=True)
class Window:
    """A period's totals: all a key-figures table of a group shows."""

    total: Any  # PublishedCounts


@dataclass(frozen=True)
class GroupMention:
    """A group as other documents show it: named, linked, dated and its key figures.

    Its summary, indications, cases, perspectives and monthly rows are not here: no
    document but the group's own report shows them.
    """

    id: str
    category: str
    name: Text
    network: str
    in_operation_since: dt.date
    example_data: bool
    edition_date: dt.date
    previous_edition_date: dt.date | None
    as_of: dt.date
    since_start: Window
    latest_12_months: Window

    @classmethod
    def of(cls, group: Group, published) -> GroupMention:
        pub = published.group(group.id)
        previous = group.previous_edition
        return cls(group.id, group.category, group.name, group.network, group.in_operation_since,
                   group.example_data, group.edition.date, previous.edition.date if previous else None,
                   pub.as_of, Window(pub.since_start.total), Window(pub.latest_12_months.total))


@dataclass(frozen=True)
class GroupCard:
    """A group as the index shows it: its name, linked, and its totals since the start."""

    id: str
    category: str
    name: Text
    example_data: bool
    since_start: Window

    @classmethod
    def of(cls, group: Group, published) -> GroupCard:
        return cls(group.id, group.category, group.name, group.example_data,
                   Window(published.group(group.id).since_start.total))


@dataclass(frozen=True)
class NewEdition:
    """A group with an archived earlier edition, as the consolidated report lists it."""

    group: GroupMention
    date: dt.date
    previous_date: dt.date


# --- views: exactly what a document shows ------------------------------------------------


@dataclass(frozen=True)
class GroupView:
    group: Group
    pub: Any  # PublishedGroup
    published_keys: frozenset[str]
    outcomes: Any = None  # PublishedGroupOutcomes: answers, turnaround and clinical effect
    equity: Any = None  # equity.RegionalEquity: the funnel plots, from published counts
    previous: Any = None  # PublishedCounts of the previous edition's totals since start, if there is one


@dataclass(frozen=True)
class ConsolidatedView:
    report: Consolidated
    pub: Any  # PublishedCategory
    groups: tuple[GroupMention, ...]
    published_keys: frozenset[str]
    outcomes: Any = None  # PublishedAggregateOutcomes of the category
    equities: tuple = ()  # (group id, equity.RegionalEquity) of each group


@dataclass(frozen=True)
class IndexView:
    national: Any  # PublishedNational
    groups: tuple[GroupCard, ...]
    consolidated_titles: tuple[tuple[str, Text], ...]
    published_keys: frozenset[str]
    outcomes: Any = None  # PublishedAggregateOutcomes of the nation


def _group_outcomes(published, group_id: str):
    """A group's published answers and effects, and its regions' funnels (or None, None)."""
    if getattr(published, "outcomes", None) is None:
        return None, None
    return published.outcomes.group(group_id), published.equities[group_id]


def _effect_context(config: Config) -> dict:
    from .clinical import EffectView

    return {"ce": EffectView(config)}


@dataclass(frozen=True)
class Head:
    """What base.html shows of a document besides its content."""

    as_of: dt.date | None
    title: str
    description: str
    example_data: bool
    draft: bool
    own_texts: Any  # whose missing translations the page notes


# --- the documents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One page of the site (and, if printed, one PDF)."""

    key: str
    kind: ClassVar[str] = ""
    template: ClassVar[str] = ""
    printed: ClassVar[bool] = True  # also a PDF

    @property
    def job_key(self) -> str:
        return f"{self.kind}:{self.key}"

    @property
    def html_name(self) -> str:
        return f"{self.key}.html"

    @property
    def pdf_name(self) -> str:
        return f"{self.key}.pdf"

    def outputs(self, languages, default_lang: str, formats) -> list[str]:
        """The files this document makes, relative to the output folder."""
        paths = []
        if "html" in formats:
            for lang in languages:
                prefix = "" if lang == default_lang else f"{lang}/"
                paths.append(f"{SITE_DIR}/{prefix}{self.html_name}")
        if "pdf" in formats and self.printed:
            paths.append(f"{PDF_DIR}/{self.pdf_name}")
            if "html" in formats:
                paths.append(f"{SITE_DIR}/pdf/{self.pdf_name}")
        return paths

    def needs_pdf(self, formats) -> bool:
        return "pdf" in formats and self.printed

    # Each kind answers these.
    def cost(self, project: Project) -> int:
        raise NotImplementedError

    def view(self, project: Project, published, published_keys: frozenset[str]):
        raise NotImplementedError

    def fingerprint_text(self, view, file_digest) -> str:
        """The text whose digest says whether the document must be rendered again."""
        return repr(view)

    def head(self, view, config: Config, lang: str, t: Strings) -> Head:
        raise NotImplementedError

    def context(self, view, config: Config) -> dict:
        raise NotImplementedError

    def charts(self, view, config: Config, lang: str) -> list[ChartSpec]:
        raise NotImplementedError

    def pdf_metadata(self, view, config: Config, lang: str):
        raise NotImplementedError

    def data_files(self, view, config: Config) -> dict[str, bytes]:
        """Its open data, relative to the site folder (only a group's report has its own)."""
        return {}


def _name(text: Text, config: Config, lang: str) -> str:
    return text.get(lang, config.default_language)[0]


def _region_namer(config: Config):
    return lambda key: config.regions[key].name


def _metadata(config: Config, lang: str, title: str, subject: str, keywords: tuple, edition: Edition):
    from .pdf import PdfMetadata, source_date

    return PdfMetadata(title=title, author=config.publisher, subject=subject, keywords=keywords,
                       lang=lang, created=source_date(edition.date))


@dataclass(frozen=True)
class GroupReport(Document):
    kind: ClassVar[str] = "group"
    template: ClassVar[str] = "group.html"

    def cost(self, project: Project) -> int:
        return 1000 + len(project.group(self.key).statistics.monthly)

    def view(self, project: Project, published, published_keys: frozenset[str]) -> GroupView:
        group = project.group(self.key)
        previous = group.previous_edition
        return GroupView(group, published.group(self.key), published_keys,
                         *_group_outcomes(published, self.key),
                         previous=None if previous is None else published.edition(self.key, previous.edition.date))

    def fingerprint_text(self, view: GroupView, file_digest) -> str:
        """The group without its monthly rows (most of the file, and most of a repr's time): the
        digest of the file stands for them. Its published figures are in full."""
        group = view.group
        without_rows = replace(group, path=None, statistics=replace(group.statistics, monthly=()))
        return "\0".join([file_digest(group.path), repr(without_rows), _repr(view.pub),
                          repr(sorted(view.published_keys)), _repr(view.outcomes), repr(view.equity)])

    def head(self, view: GroupView, config: Config, lang: str, t: Strings) -> Head:
        group = view.group
        title = _name(group.name, config, lang)
        return Head(group.statistics.as_of, title, f"{t.status_report}: {title}", group.example_data,
                    group.edition.status == "draft", group)

    def context(self, view: GroupView, config: Config) -> dict:
        from .changes import edition_changes

        group = view.group
        return {
            "group": group,
            "pub": view.pub,
            "indications": {i.code: i for i in group.indications},
            "region_name": _region_namer(config),
            # None without an archived earlier edition (templates/edition_changes.html)
            "edition_changes": edition_changes(group, view.pub.since_start.total, view.previous, config),
            "pub_outcomes": view.outcomes,  # templates/clinical_effect.html
            "equity": view.equity,
            **_effect_context(config),
        }

    def charts(self, view: GroupView, config: Config, lang: str) -> list[ChartSpec]:
        pub = view.pub
        t = Strings(lang, config.default_language)
        monthly = pub.monthly
        if not monthly:
            return []
        regions = pub.latest_12_months.by_region
        rates = [r.patients_per_100k_per_year for r in regions]
        markers = {r.marker for r in rates if r.value is None}
        specs = [
            _spec("monthly_analyses", "monthly-analyses", t.chart_monthly_title, [m.month for m in monthly],
                  {s: [getattr(m.analyses, s) for m in monthly] for s in SAMPLE_TYPES},
                  {s: t[s] for s in SAMPLE_TYPES}, lang, config.unit_label("analyses", lang),
                  row_header=t.month),
        ]
        funnels = []
        if view.equity is not None:
            from .clinical import funnel_chart_calls

            funnels = [_spec("funnel_plot", *args, **kwargs)
                       for args, kwargs in funnel_chart_calls(config, view.equity, lang)]
        if not any(f.chart_key == "funnel-rates" for f in funnels):  # else the funnel replaces a bare ranking
            specs.append(
                _spec("horizontal_bars", "regional-rates", t.chart_regions_title,
                      [config.regions[r.region].name for r in regions], [r.value for r in rates], lang,
                      t.per_100k_per_year, region_colours=tuple(r.region for r in regions),
                      missing_text=next(iter(markers)) if len(markers) == 1 else "x", row_header=t.region))
        return specs + funnels

    def data_files(self, view: GroupView, config: Config) -> dict[str, bytes]:
        from . import opendata

        group, pub = view.group, view.pub
        outcomes = view.outcomes
        return {f"{opendata.DATA_DIR}/{self.key}.json":
                opendata.to_json(opendata.group_document(group, pub, config, outcomes)).encode("utf-8"),
                f"{opendata.DATA_DIR}/{self.key}.csv":
                opendata.group_csv(group, pub, config, outcomes).encode("utf-8")}

    def pdf_metadata(self, view: GroupView, config: Config, lang: str):
        t = Strings(lang, config.default_language)
        group = view.group
        name = _name(group.name, config, lang)
        return _metadata(config, lang, f"{t.status_report}: {name}", f"{t.report_title_prefix} {name.lower()}",
                         ("WGS", name, group.network), group.edition)


@dataclass(frozen=True)
class ConsolidatedReport(Document):
    kind: ClassVar[str] = "consolidated"
    template: ClassVar[str] = "consolidated.html"

    def cost(self, project: Project) -> int:
        return 10**9 + len(project.groups_in(self.key))

    def view(self, project: Project, published, published_keys: frozenset[str]) -> ConsolidatedView:
        groups = tuple(GroupMention.of(g, published) for g in project.groups_in(self.key))
        report = replace(project.consolidated[self.key], path=None)
        outcomes = published.outcomes.category(self.key) if getattr(published, "outcomes", None) else None
        equities = tuple((g.id, _group_outcomes(published, g.id)[1]) for g in project.groups_in(self.key))
        return ConsolidatedView(report, published.category(self.key), groups, published_keys, outcomes, equities)

    def fingerprint_text(self, view: ConsolidatedView, file_digest) -> str:
        return "\0".join([repr(view.report), _repr(view.pub), repr(view.groups), repr(sorted(view.published_keys)),
                          _repr(view.outcomes), repr(view.equities)])

    def head(self, view: ConsolidatedView, config: Config, lang: str, t: Strings) -> Head:
        title = _name(view.report.title, config, lang)
        return Head(view.pub.as_of, title, title, any(g.example_data for g in view.groups),
                    view.report.edition.status == "draft", view.report)

    def context(self, view: ConsolidatedView, config: Config) -> dict:
        return {
            "report": view.report,
            "pub": view.pub,
            "groups": view.groups,
            "group_pub": {g.id: g for g in view.groups},
            "region_name": _region_namer(config),
            "new_editions": tuple(NewEdition(g, g.edition_date, g.previous_edition_date)
                                  for g in view.groups if g.previous_edition_date is not None),
            "agg_outcomes": view.outcomes,  # templates/clinical_effect.html
            "equities": dict(view.equities),
            "groups_by_id": {g.id: g for g in view.groups},
            **_effect_context(config),
        }

    def charts(self, view: ConsolidatedView, config: Config, lang: str) -> list[ChartSpec]:
        t = Strings(lang, config.default_language)
        groups = view.groups
        names = [_name(g.name, config, lang) for g in groups]
        parts = {p.key: p for p in view.pub.since_start.parts}
        return [
            _spec("stacked_horizontal_bars", "group-analyses", t.chart_groups_title, names,
                  {s: [getattr(parts[g.id].counts.analyses, s) for g in groups] for s in SAMPLE_TYPES},
                  {s: t[s] for s in SAMPLE_TYPES}, lang, config.unit_label("analyses", lang), row_header=t.group),
            _spec("yields_with_intervals", "group-yields", t.chart_yields_title, names,
                  [_yield_point(parts[g.id].counts) for g in groups], lang, t.diagnostic_yield, "x",
                  row_header=t.group),
        ]

    def pdf_metadata(self, view: ConsolidatedView, config: Config, lang: str):
        t = Strings(lang, config.default_language)
        subject = t["category_" + self.key]
        return _metadata(config, lang, _name(view.report.title, config, lang), subject,
                         ("WGS", t.consolidated_report, subject), view.report.edition)


def _yield_point(counts):
    y = counts.diagnostic_yield
    if None in (y.proportion.value, y.ci_low.value, y.ci_high.value):
        return None
    return (y.proportion.value, y.ci_low.value, y.ci_high.value)


@dataclass(frozen=True)
class IndexPage(Document):
    kind: ClassVar[str] = "index"
    template: ClassVar[str] = "index.html"
    printed: ClassVar[bool] = False

    def cost(self, project: Project) -> int:
        return 0

    def view(self, project: Project, published, published_keys: frozenset[str]) -> IndexView:
        titles = tuple((c, r.title) for c, r in sorted(project.consolidated.items()))
        return IndexView(published.national, tuple(GroupCard.of(g, published) for g in project.groups),
                         titles, published_keys,
                         published.outcomes.national if getattr(published, "outcomes", None) else None)

    def fingerprint_text(self, view: IndexView, file_digest) -> str:
        return "\0".join([_repr(view.national), repr(view.groups), repr(view.consolidated_titles),
                          repr(sorted(view.published_keys)), _repr(view.outcomes)])

    def head(self, view: IndexView, config: Config, lang: str, t: Strings) -> Head:
        title = _name(config.title, config, lang)
        return Head(view.national.as_of, title, title, any(g.example_data for g in view.groups), False, None)

    def context(self, view: IndexView, config: Config) -> dict:
        categories = []
        for category in ("rare", "cancer"):
            groups = tuple(g for g in view.groups if g.category == category)
            if groups:
                categories.append((category, groups))
        return {
            "national": view.national,
            "target": view.national.target,
            "categories": categories,
            "group_pub": {g.id: g for g in view.groups},
            "consolidated": {c: _Titled(title) for c, title in view.consolidated_titles},
            "national_outcomes": view.outcomes,  # templates/clinical_effect.html
            **_effect_context(config),
        }

    def charts(self, view: IndexView, config: Config, lang: str) -> list[ChartSpec]:
        national = view.national
        target = national.target
        t = Strings(lang, config.default_language)
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
        return [_spec("target_progress", "national-target", t.chart_target_title,
                      [m.month for m in national.monthly], cumulative, target.target, projection, lang,
                      config.unit_label("genome_equivalents", lang), t.target_line, t.projection,
                      row_header=t.month)]


@dataclass(frozen=True)
class _Titled:
    title: Text


KINDS: dict[str, type[Document]] = {cls.kind: cls for cls in (GroupReport, ConsolidatedReport, IndexPage)}


def document(kind: str, key: str) -> Document:
    """The document of a kind ('group', 'consolidated', 'index') and key."""
    return KINDS[kind](key)


def published_documents(project: Project, include_drafts: bool) -> list[Document]:
    """Every document of the project that this build publishes."""
    docs: list[Document] = [GroupReport(g.id) for g in project.groups
                            if include_drafts or g.edition.status == "approved"]
    for category in ("rare", "cancer"):
        report = project.consolidated.get(category)
        if not project.groups_in(category):
            continue  # nothing to consolidate: the texts wait for the category's first group
        if report is not None and (include_drafts or report.edition.status == "approved"):
            docs.append(ConsolidatedReport(category))
    docs.append(IndexPage("index"))
    return docs


__all__ = ["ChartSpec", "ConsolidatedReport", "Document", "GroupMention", "GroupReport", "IndexPage",
           "KINDS", "document", "published_documents"]
