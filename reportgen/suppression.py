"""Small-count suppression of a project: the only way person counts leave the process.

Person counts (patients, diagnosed) are published per year, region,
indication, group, category and in totals, never monthly, and each group's
report shows its previous editions' totals beside its own. A count from 1 to
``min_count - 1`` is shown as "<5"; more counts are hidden ("x") where a
reader could otherwise work a hidden count out, or narrow it to fewer than
``privacy.min_range`` values. Yields and rates computed from a hidden count
are hidden too.

Whom this protects against (checked by `reportgen.audit`, exactly):

* an outsider who combines everything published: every report, language,
  chart, the open data and every archived edition's totals;
* a region, which knows its own counts in every table (it reported them);
* a group's network, which knows every count of its own group.

The headline figures stay readable: the national and category totals and each
group's own totals are never hidden to protect another count. Where nothing
else protects a count, one of them is published rounded to
``privacy.rounding_base`` and marked (see `suppression_values`).

The reader's model of the project (every published count and every relation
a reader knows) is built in `suppression_cells`; the choice is made in
`suppression_engine` and checked by `audit`.

"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from reportgen.equity import regional_equity
from reportgen.errors import InputError, Problem, relative_path
from reportgen.messages import _
from reportgen.figures import (
    LATEST_12_MONTHS,
    SINCE_START,
    WINDOWS,
    Activity,
    Counts,
    GroupFigures,
    ProjectFigures,
    WindowFigures,
    diagnostic_yield,
    genome_equivalents,
    project_figures,
)
from reportgen.model import ArchivedEdition, Config, Project, Text
from reportgen.outcomes import ProjectOutcomes, project_outcomes
from reportgen.suppression_cells import _NATIONAL_KEY, EDITION, _category_key, _group_key, cell_system
from reportgen.suppression_engine import CellSystem, Unprotectable
from reportgen.suppression_outcomes import (  # answers and effects, also importable from here
    PublishedAggregateOutcomes,
    PublishedAnswers,
    PublishedConsequence,
    PublishedEffects,
    PublishedGroupOutcomes,
    PublishedIndicationAnswers,
    PublishedOutcomes,
    add_outcome_cells,
    effects_group,
    effects_to_link,
    publish_outcomes,
)
from reportgen.suppression_values import (  # the vocabulary, also importable from here
    PERSON_MEASURES,
    ROUNDED_MARKER,
    SECONDARY_MARKER,
    UNDEFINED_MARKER,
    PublishedAggregateWindow,
    PublishedCategory,
    PublishedCounts,
    PublishedGroup,
    PublishedIndication,
    PublishedNational,
    PublishedPart,
    PublishedProject,
    PublishedRegion,
    PublishedWindow,
    PublishedYear,
    PublishedYield,
    Published,
    Status,
    derived,
    primary_marker,
    published,
)

__all__ = [
    "PERSON_MEASURES", "ROUNDED_MARKER", "SECONDARY_MARKER", "UNDEFINED_MARKER", "CellSystem", "Published",
    "PublishedAggregateWindow", "PublishedCategory", "PublishedCounts", "PublishedGroup",
    "PublishedIndication", "PublishedNational", "PublishedPart", "PublishedProject", "PublishedRegion",
    "PublishedWindow", "PublishedYear", "PublishedYield", "Status", "Unprotectable", "cell_system", "derived",
    "disclosure_error", "primary_marker", "publish_figures", "publish_inputs", "publish_project", "published", "published_yield",
    "suppression_status", "PublishedAggregateOutcomes", "PublishedAnswers", "PublishedConsequence",
    "PublishedEffects", "PublishedGroupOutcomes", "PublishedIndicationAnswers", "PublishedOutcomes",
]

def suppression_status(figures: ProjectFigures, config: Config,
                       editions: Mapping[str, Sequence[ArchivedEdition]] | None = None,
                       rows: Mapping[str, Sequence] | None = None,
                       outcomes: ProjectOutcomes | None = None,
                       choose: Callable[[CellSystem], list[Status]] | None = None) -> tuple[CellSystem, list[Status]]:
    """The reader's model and each of its cells' status; raises `Unprotectable` if no pattern protects.

    With `outcomes`, the answers and effects counts join the model (`suppression_outcomes`).
    `choose` (the build's store of earlier choices) may answer instead of `CellSystem.choose`.
    """
    choose = choose or CellSystem.choose
    linked: frozenset[str] = frozenset()
    while True:
        system = cell_system(figures, config, editions, rows)
        if outcomes is None:
            return system, choose(system)
        add_outcome_cells(system, figures, outcomes, linked)
        system.close_knowledge()
        try:
            status = choose(system)
        except Unprotectable as exc:
            # A bound no hiding can widen: the sum instead lets the diagnosed of those years be hidden.
            group = effects_group(exc.cell.key)
            if group is None or group in linked:
                raise
            linked |= {group}
            continue
        # A bound stands for a sum only where the counts it comes from are shown: else choose again with the sum.
        needed = effects_to_link(system, status, outcomes, linked)
        if needed == linked:
            return system, status
        linked = needed


class _Publisher:
    def __init__(self, system: CellSystem, status: list[Status], config: Config, unsafe_raw: bool):
        self.system, self.status = system, status
        self.min_count, self.base, self.unsafe_raw = config.min_count, config.rounding_base, unsafe_raw

    def _status(self, measure: str, window: str, place: tuple) -> Status:
        return self.status[self.system.index[(measure, window, place)]]

    def counts(self, window: str, place: tuple, counts: Counts) -> PublishedCounts:
        p_status, d_status = self._status("patients", window, place), self._status("diagnosed", window, place)
        m, unsafe = self.min_count, self.unsafe_raw
        index = self.system.index
        patients = published(counts.patients, p_status, m, unsafe, self.system.base(index[("patients", window, place)]))
        diagnosed = published(counts.diagnosed, d_status, m, unsafe,
                              self.system.base(index[("diagnosed", window, place)]))
        return PublishedCounts(patients=patients, diagnosed=diagnosed, analyses=counts.analyses,
                               genome_equivalents=counts.genome_equivalents,
                               diagnostic_yield=published_yield(counts.diagnosed, counts.patients, diagnosed,
                                                                patients, m, unsafe))

    def patients_derived(self, window: str, place: tuple, raw: float | None) -> Published:
        return derived(raw, (self._status("patients", window, place),), self.min_count, self.unsafe_raw)

    def group(self, g: GroupFigures) -> PublishedGroup:
        return PublishedGroup(group_id=g.group_id, category=g.category, in_operation_since=g.in_operation_since,
                              as_of=g.as_of, since_start=self.group_window(g.group_id, g.since_start),
                              latest_12_months=self.group_window(g.group_id, g.latest_12_months), monthly=g.monthly)

    def group_window(self, group_id: str, win: WindowFigures) -> PublishedWindow:
        w = win.name

        def place(dimension, member=None):
            return _group_key(group_id, dimension, member)

        return PublishedWindow(
            name=w, first_month=win.first_month, last_month=win.last_month,
            months_in_operation=win.months_in_operation, total=self.counts(w, place("total"), win.total),
            by_year=tuple(PublishedYear(y.year, self.counts(w, place("year", y.year), y.counts)) for y in win.by_year),
            by_region=tuple(
                PublishedRegion(r.region, r.population, self.counts(w, place("region", r.region), r.counts),
                                self.patients_derived(w, place("region", r.region), r.patients_per_100k),
                                self.patients_derived(w, place("region", r.region), r.patients_per_100k_per_year))
                for r in win.by_region),
            by_indication=tuple(
                PublishedIndication(i.code, self.counts(w, place("indication", i.code), i.counts), i.expected_patients,
                                    self.patients_derived(w, place("indication", i.code), i.patients_vs_expected))
                for i in win.by_indication),
        )

    def aggregate_window(self, place: tuple, win: WindowFigures, parts) -> PublishedAggregateWindow:
        w = win.name
        return PublishedAggregateWindow(
            name=w, first_month=win.first_month, last_month=win.last_month, total=self.counts(w, place, win.total),
            parts=tuple(PublishedPart(key, self.counts(w, part_place, counts)) for key, part_place, counts in parts),
            by_region=tuple((r.region, Activity(r.counts.analyses, r.counts.genome_equivalents)) for r in win.by_region),
            by_year=tuple((y.year, Activity(y.counts.analyses, y.counts.genome_equivalents)) for y in win.by_year),
        )


def published_yield(diagnosed: int, patients: int, shown_diagnosed: Published, shown_patients: Published,
                    min_count: int, unsafe_raw: bool = False) -> PublishedYield:
    """The yield and its interval, hidden with either count, and computed from the rounded counts if one is rounded."""
    y = diagnostic_yield(diagnosed, patients)
    sources = (shown_patients.status, shown_diagnosed.status)
    rounded_y = None
    if Status.ROUNDED in sources and shown_patients.value and shown_diagnosed.value is not None:
        rounded_y = diagnostic_yield(min(shown_diagnosed.value, shown_patients.value), shown_patients.value)
    parts = [derived(None if y is None else getattr(y, a), sources, min_count, unsafe_raw,
                     None if rounded_y is None else getattr(rounded_y, a)) for a in ("proportion", "ci_low", "ci_high")]
    return PublishedYield(*parts)


def publish_figures(figures: ProjectFigures, config: Config, *, unsafe_raw: bool = False,
                    editions: Mapping[str, Sequence[ArchivedEdition]] | None = None,
                    rows: Mapping[str, Sequence] | None = None,
                    outcomes: ProjectOutcomes | None = None,
                    choose: Callable[[CellSystem], list[Status]] | None = None) -> PublishedProject:
    """Turn raw figures into published figures, suppressed consistently across all 19 reports.

    `editions`: each group's archived editions, oldest first. With
    ``unsafe_raw=True`` (an internal, unpublished build only) every `Published`
    also carries its raw value in `unsafe_raw`. With `outcomes`, the answers
    and effects are published too, under the same protection. Raises `Unprotectable`.
    """
    system, status = suppression_status(figures, config, editions, rows, outcomes, choose)
    publisher = _Publisher(system, status, config, unsafe_raw)
    categories = []
    for c in figures.categories:
        windows = {w: publisher.aggregate_window(
            _category_key(c.category), c.window(w),
            [(g.group_id, _group_key(g.group_id, "total"), g.window(w).total) for g in c.groups]) for w in WINDOWS}
        categories.append(PublishedCategory(c.category, c.as_of, c.as_of_earliest, windows[SINCE_START],
                                            windows[LATEST_12_MONTHS], c.monthly))
    n = figures.national
    national_windows = {w: publisher.aggregate_window(
        _NATIONAL_KEY, n.window(w), [(c.category, _category_key(c.category), c.window(w).total) for c in n.categories])
        for w in WINDOWS}
    national = PublishedNational(n.as_of, n.as_of_earliest, national_windows[SINCE_START],
                                 national_windows[LATEST_12_MONTHS], n.monthly, n.target)
    archived = {}
    for group_id, eds in (editions or {}).items():
        for e in eds:
            c = e.since_start
            archived[(group_id, e.edition.date)] = publisher.counts(
                EDITION, _group_key(group_id, "total", e.edition.date),
                Counts(c.patients, c.diagnosed, c.analyses, genome_equivalents(c.analyses, config.weights)))
    groups = tuple(publisher.group(g) for g in figures.groups)
    published_outcomes = None if outcomes is None else publish_outcomes(
        system, status, outcomes, min_count=config.min_count, rounding_base=config.rounding_base,
        unsafe_raw=unsafe_raw)
    # Each group's funnels, once per publication (its report and its category's both show them)
    equities = {} if published_outcomes is None else {
        g.group_id: regional_equity(config, g, published_outcomes.group(g.group_id)) for g in groups}
    return PublishedProject(min_count=config.min_count, groups=groups, categories=tuple(categories),
                            national=national, unsafe_raw=unsafe_raw, rounding_base=config.rounding_base,
                            protection=(system, status), editions=archived, outcomes=published_outcomes,
                            equities=equities)


def publish_inputs(project: Project) -> Project:
    """The project as publishing reads it: `publish_project` reads nothing else.

    Only the texts no figure is computed from are left out (names, summaries, case
    texts, perspectives), so a new field is read (and keyed) by default. The build keeps
    the chosen pattern between builds under a digest of this project's repr
    (`build.published_key`): a figure-free edit reuses it, any other edit chooses again.
    Publishing something new of a project means reading it from here, never around it.
    """
    def texts_out(g):
        cases = tuple(replace(c, title=_NO_TEXT, text=_NO_TEXT) for c in g.cases)
        return replace(g, name=_NO_TEXT, network="", summary=_NO_TEXT, perspectives=_NO_TEXT, cases=cases,
                       allow_identifiers=(), path=None)

    return replace(project, root=Path("."), groups=tuple(texts_out(g) for g in project.groups), consolidated={})


_NO_TEXT = Text({})


def publish_project(project: Project, *, unsafe_raw: bool = False,
                    choose: Callable[[CellSystem], list[Status]] | None = None) -> PublishedProject:
    """Raw figures of `project`, answers and effects included, published (see `publish_figures`); an
    unprotectable count is a located error."""
    reads = publish_inputs(project)
    editions = {g.id: g.earlier_editions for g in reads.groups if g.earlier_editions}
    try:
        return publish_figures(project_figures(reads), reads.config, unsafe_raw=unsafe_raw, editions=editions,
                               rows={g.id: g.statistics.monthly for g in reads.groups},
                               outcomes=project_outcomes(reads), choose=choose)
    except Unprotectable as exc:
        raise disclosure_error(project, exc.cell, exc.attacker, exc.why) from None


def disclosure_error(project: Project, cell, attacker: str, why: str) -> InputError:
    """A located message naming the count, its table and why it cannot be published safely."""
    path = Path(project.root) / "reportgen.yaml"
    for g in project.groups:
        if g.id == cell.where and g.path is not None:
            path = g.path
    return InputError([Problem(relative_path(path, project.root), 1, 1,
                               _("publishing would disclose a small count ({label}): {why}; nothing was written "
                                 "(see 'privacy' in reportgen.yaml)").format(label=cell.label, why=why))])
