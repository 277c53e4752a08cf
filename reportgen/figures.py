"""Derived figures: pure arithmetic on the validated model.

Nothing here reads files, renders or rounds for display. Every figure is
computed from the monthly rows of the group files and the settings in
`reportgen.yaml`; consolidated and national figures are always sums of the
group figures, never typed.

These are *raw* figures. Person counts (patients, diagnosed) must pass through
`reportgen.suppression` before anyone sees them; a renderer should read the
published figures from there, not these.

Periods
    ``since_start``: every month from the month of `in_operation_since`
    through the month of `statistics.as_of`.
    ``latest_12_months``: the 12 calendar months ending with the month of
    `as_of` (fewer if the group started later).

Months in operation (the exposure used for expected patients and annual
rates): every calendar month counts by the fraction of its days that lie
between `in_operation_since` and `as_of`, both inclusive. A group that starts
on 14 March 2022 with data cut off on 31 May 2024 has operated
18/31 + 26 = 26.58 months.

Privacy by type: monthly series (`MonthlyActivity`) carry analyses and genome
equivalents only, never person counts, because monthly cells are too small
to publish.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from reportgen.model import CATEGORIES, SAMPLE_TYPES, Analyses, Config, Group, Month, MonthlyRow, Project

SINCE_START = "since_start"
LATEST_12_MONTHS = "latest_12_months"
WINDOWS = (SINCE_START, LATEST_12_MONTHS)
LATEST_MONTHS = 12
PER_INHABITANTS = 100_000
# Two-sided 95 % quantile of the standard normal distribution.
Z_95 = 1.959963984540054

NO_ANALYSES = Analyses(0, 0, 0)


def add_analyses(a: Analyses, b: Analyses) -> Analyses:
    """Analyses of two cells together, sample type by sample type."""
    return Analyses(a.germline + b.germline, a.somatic + b.somatic, a.rna + b.rna)


def genome_equivalents(analyses: Analyses, weights: Mapping[str, int]) -> int:
    """Analyses weighted by sample type with the weights from `reportgen.yaml`."""
    return sum(weights[sample_type] * count for sample_type, count in analyses.by_type().items())


# --- diagnostic yield ---------------------------------------------------------


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion (95 % by default), without continuity correction."""
    if trials <= 0:
        raise ValueError(f"a proportion needs at least one trial, got {trials}")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must lie in 0..{trials}, got {successes}")
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half_width = z / denominator * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    # The bounds are exactly 0 and 1 at the extremes; say so instead of trusting float noise.
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == trials else min(1.0, centre + half_width)
    return low, high


@dataclass(frozen=True)
class DiagnosticYield:
    """Share of patients with a clinically relevant finding, with its 95 % Wilson interval."""

    diagnosed: int
    patients: int
    proportion: float
    ci_low: float
    ci_high: float


def diagnostic_yield(diagnosed: int, patients: int) -> DiagnosticYield | None:
    """diagnosed / patients with a 95 % Wilson interval; None when there are no patients."""
    if patients == 0:
        return None
    low, high = wilson_interval(diagnosed, patients)
    return DiagnosticYield(diagnosed, patients, diagnosed / patients, low, high)


# --- counts -------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """One cell in all three units: patients, analyses (and genome equivalents), diagnosed."""

    patients: int = 0
    diagnosed: int = 0
    analyses: Analyses = NO_ANALYSES
    genome_equivalents: int = 0

    @property
    def analyses_total(self) -> int:
        return self.analyses.total

    @property
    def diagnostic_yield(self) -> DiagnosticYield | None:
        return diagnostic_yield(self.diagnosed, self.patients)

    def __add__(self, other: Counts) -> Counts:
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(
            self.patients + other.patients,
            self.diagnosed + other.diagnosed,
            add_analyses(self.analyses, other.analyses),
            self.genome_equivalents + other.genome_equivalents,
        )


NO_COUNTS = Counts()


def sum_counts(counts: Iterable[Counts]) -> Counts:
    """The sum of several cells."""
    total = NO_COUNTS
    for c in counts:
        total = total + c
    return total


def count_rows(rows: Iterable[MonthlyRow], weights: Mapping[str, int]) -> Counts:
    """Counts of a set of monthly rows; genome equivalents from the summed analyses."""
    patients = diagnosed = 0
    by_type = dict.fromkeys(SAMPLE_TYPES, 0)
    for row in rows:
        patients += row.patients
        diagnosed += row.diagnosed
        for sample_type, n in row.analyses.by_type().items():
            by_type[sample_type] += n
    analyses = Analyses(**by_type)
    return Counts(patients, diagnosed, analyses, genome_equivalents(analyses, weights))


@dataclass(frozen=True)
class Activity:
    """Analyses and genome equivalents only: what may be shown for cells too small for person counts."""

    analyses: Analyses = NO_ANALYSES
    genome_equivalents: int = 0

    @property
    def analyses_total(self) -> int:
        return self.analyses.total


@dataclass(frozen=True)
class MonthlyActivity:
    """One month of a monthly series. Deliberately without patients or diagnosed."""

    month: Month
    analyses: Analyses
    genome_equivalents: int

    @property
    def analyses_total(self) -> int:
        return self.analyses.total


# --- periods ------------------------------------------------------------------


def months_in_operation(start: dt.date, end: dt.date) -> float:
    """Months from `start` through `end` (both inclusive), each month counted by its share of days inside.

    0.0 when `end` is before `start`.
    """
    if end < start:
        return 0.0
    total = Fraction(0)
    for index in range(Month.of(start).index, Month.of(end).index + 1):
        month = Month.from_index(index)
        days = calendar.monthrange(month.year, month.month)[1]
        first = max(start, month.first_day())
        last = min(end, dt.date(month.year, month.month, days))
        total += Fraction((last - first).days + 1, days)
    # Fractions keep the sum exact (whole months add up to whole numbers).
    return float(total)


def latest_window_start(in_operation_since: dt.date, as_of: dt.date) -> dt.date:
    """First day of the latest-12-months window: the later of its first month and the start of operation."""
    first = Month.from_index(Month.of(as_of).index - (LATEST_MONTHS - 1))
    return max(in_operation_since, first.first_day())


def expected_patients(per_year: int | None, months: float) -> float | None:
    """Expected patients pro rata: `per_year` × months in operation / 12; None when no expectation is set."""
    if per_year is None:
        return None
    return per_year * months / 12


def per_100k(count: int | float, population: int) -> float | None:
    """A count per 100,000 inhabitants; None for an empty population."""
    if population <= 0:
        return None
    return count * PER_INHABITANTS / population


def annualised(value: float | None, months: float | None) -> float | None:
    """A value over `months` months scaled to 12 months; None when there were no months."""
    if value is None or not months:
        return None
    return value * 12 / months


# --- group figures ------------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    year: int
    counts: Counts


@dataclass(frozen=True)
class RegionFigures:
    """A region's counts and its patients per 100,000 inhabitants.

    `patients_per_100k` is over the whole period; `patients_per_100k_per_year`
    is that rate per 12 months in operation (for consolidated figures: the sum
    of the groups' annual rates).
    """

    region: str
    population: int
    counts: Counts
    patients_per_100k: float | None
    patients_per_100k_per_year: float | None


@dataclass(frozen=True)
class IndicationFigures:
    """An indication's counts and the patients expected pro rata over the period."""

    code: str
    counts: Counts
    expected_patients: float | None

    @property
    def patients_vs_expected(self) -> float | None:
        """Actual patients / expected patients; None without a positive expectation."""
        if not self.expected_patients:
            return None
        return self.counts.patients / self.expected_patients


@dataclass(frozen=True)
class WindowFigures:
    """Figures of one period: the total and its breakdowns.

    `by_year` is filled only for ``since_start`` (a calendar-year split of a
    rolling window is not meaningful); `by_indication` only for groups.
    `months_in_operation` is None for consolidated figures, whose groups
    started at different times.
    """

    name: str
    first_month: Month | None
    last_month: Month | None
    months_in_operation: float | None
    total: Counts
    by_year: tuple[YearFigures, ...]
    by_region: tuple[RegionFigures, ...]
    by_indication: tuple[IndicationFigures, ...] = ()

    def region(self, key: str) -> RegionFigures:
        return _find(self.by_region, "region", key)

    def indication(self, code: str) -> IndicationFigures:
        return _find(self.by_indication, "code", code)

    def year(self, year: int) -> YearFigures:
        return _find(self.by_year, "year", year)


@dataclass(frozen=True)
class GroupFigures:
    """All raw figures of one patient group."""

    group_id: str
    category: str
    in_operation_since: dt.date
    as_of: dt.date
    since_start: WindowFigures
    latest_12_months: WindowFigures
    monthly: tuple[MonthlyActivity, ...]

    def window(self, name: str) -> WindowFigures:
        return getattr(self, name)

    @property
    def covers_whole_operation_in_latest_window(self) -> bool:
        """True when the group has operated 12 months or less, so both periods hold the same rows."""
        return latest_window_start(self.in_operation_since, self.as_of) == self.in_operation_since


def _find(items, attribute, key):
    for item in items:
        if getattr(item, attribute) == key:
            return item
    raise KeyError(key)


def _group_window(
    name: str, group: Group, config: Config, start: dt.date, rows: Sequence[MonthlyRow], with_years: bool
) -> WindowFigures:
    weights = config.weights
    as_of = group.statistics.as_of
    months = months_in_operation(start, as_of)
    by_region = []
    for key, region in config.regions.items():
        counts = count_rows((r for r in rows if r.region == key), weights)
        rate = per_100k(counts.patients, region.population)
        by_region.append(RegionFigures(key, region.population, counts, rate, annualised(rate, months)))
    by_indication = tuple(
        IndicationFigures(
            ind.code,
            count_rows((r for r in rows if r.indication == ind.code), weights),
            expected_patients(ind.expected_patients_per_year, months),
        )
        for ind in group.indications
    )
    by_year: tuple[YearFigures, ...] = ()
    if with_years:
        by_year = tuple(
            YearFigures(year, count_rows((r for r in rows if r.month.year == year), weights))
            for year in range(start.year, as_of.year + 1)
        )
    return WindowFigures(
        name=name,
        first_month=Month.of(start),
        last_month=Month.of(as_of),
        months_in_operation=months,
        total=count_rows(rows, weights),
        by_year=by_year,
        by_region=tuple(by_region),
        by_indication=by_indication,
    )


def group_figures(group: Group, config: Config) -> GroupFigures:
    """Raw figures of one group, since start and for the latest 12 months, with its monthly series."""
    as_of = group.statistics.as_of
    first, last = Month.of(group.in_operation_since), Month.of(as_of)
    # The loader guarantees every row lies in [first, last]; filtering keeps this function total anyway.
    rows = tuple(r for r in group.statistics.monthly if first <= r.month <= last)
    latest_start = latest_window_start(group.in_operation_since, as_of)
    latest_rows = tuple(r for r in rows if r.month >= Month.of(latest_start))
    monthly = tuple(
        _monthly_activity(Month.from_index(i), (r for r in rows if r.month.index == i), config.weights)
        for i in range(first.index, last.index + 1)
    )
    return GroupFigures(
        group_id=group.id,
        category=group.category,
        in_operation_since=group.in_operation_since,
        as_of=as_of,
        since_start=_group_window(SINCE_START, group, config, group.in_operation_since, rows, with_years=True),
        latest_12_months=_group_window(LATEST_12_MONTHS, group, config, latest_start, latest_rows, with_years=False),
        monthly=monthly,
    )


def _monthly_activity(month: Month, rows: Iterable[MonthlyRow], weights: Mapping[str, int]) -> MonthlyActivity:
    counts = count_rows(rows, weights)
    return MonthlyActivity(month, counts.analyses, counts.genome_equivalents)


# --- consolidated and national figures ----------------------------------------


def _sum_windows(name: str, windows: Sequence[WindowFigures], config: Config) -> WindowFigures:
    """A consolidated period: the sum of the groups' own periods (each to its own cut-off)."""
    years = sorted({y.year for w in windows for y in w.by_year})
    by_region = []
    for key, region in config.regions.items():
        parts = [w.region(key) for w in windows]
        counts = sum_counts(p.counts for p in parts)
        # Annual rates add up group by group, as each group's rate is over its own months in operation.
        per_year = sum(p.patients_per_100k_per_year or 0.0 for p in parts)
        by_region.append(
            RegionFigures(key, region.population, counts, per_100k(counts.patients, region.population), per_year)
        )
    firsts = [w.first_month for w in windows if w.first_month is not None]
    lasts = [w.last_month for w in windows if w.last_month is not None]
    return WindowFigures(
        name=name,
        first_month=min(firsts) if firsts else None,
        last_month=max(lasts) if lasts else None,
        months_in_operation=None,
        total=sum_counts(w.total for w in windows),
        by_year=tuple(
            YearFigures(year, sum_counts(y.counts for w in windows for y in w.by_year if y.year == year))
            for year in years
        ),
        by_region=tuple(by_region),
    )


def _sum_monthly(series: Iterable[Sequence[MonthlyActivity]], weights: Mapping[str, int]) -> tuple[MonthlyActivity, ...]:
    """Month-by-month sum of several series, gap-free from the earliest to the latest month."""
    by_month: dict[int, Analyses] = {}
    for s in series:
        for m in s:
            by_month[m.month.index] = add_analyses(by_month.get(m.month.index, NO_ANALYSES), m.analyses)
    if not by_month:
        return ()
    result = []
    for index in range(min(by_month), max(by_month) + 1):
        analyses = by_month.get(index, NO_ANALYSES)
        result.append(MonthlyActivity(Month.from_index(index), analyses, genome_equivalents(analyses, weights)))
    return tuple(result)


@dataclass(frozen=True)
class CategoryFigures:
    """Consolidated figures of one category (rare | cancer), summed from its groups.

    `as_of` is the latest cut-off among the groups and `as_of_earliest` the
    earliest; they differ only if the groups' statistics were cut off on
    different days (then every group counts to its own cut-off).
    """

    category: str
    groups: tuple[GroupFigures, ...]
    as_of: dt.date | None
    as_of_earliest: dt.date | None
    since_start: WindowFigures
    latest_12_months: WindowFigures
    monthly: tuple[MonthlyActivity, ...]

    def window(self, name: str) -> WindowFigures:
        return getattr(self, name)

    def group(self, group_id: str) -> GroupFigures:
        return _find(self.groups, "group_id", group_id)


@dataclass(frozen=True)
class TargetProjection:
    """National genome equivalents against the national target.

    `per_month` is the genome equivalents of the latest 12 months divided by
    12. `reached_in` is the month the target was reached (if
    `already_reached`) or, at `per_month`, will be reached: the first month
    whose cumulative total meets the target, counting from the month after
    the cut-off. None if the target is not reached and the rate is 0.
    """

    target: int
    genome_equivalents: int
    remaining: int
    share_of_target: float
    per_month: float
    already_reached: bool
    reached_in: Month | None


def target_projection(
    target: int,
    monthly: Sequence[MonthlyActivity],
    genome_equivalents_latest_12_months: int,
    as_of: dt.date | None,
) -> TargetProjection:
    """Where the genome equivalents stand against `target` and when it is reached at the recent rate."""
    reached = sum(m.genome_equivalents for m in monthly)
    remaining = max(0, target - reached)
    per_month = genome_equivalents_latest_12_months / LATEST_MONTHS
    if reached >= target:
        cumulative, reached_in = 0, None
        for m in monthly:
            cumulative += m.genome_equivalents
            if cumulative >= target:
                reached_in = m.month
                break
        return TargetProjection(target, reached, 0, _share(reached, target), per_month, True, reached_in)
    reached_in = None
    if genome_equivalents_latest_12_months > 0 and as_of is not None:
        # Whole months needed at the rate, in exact integer arithmetic: ceil(remaining / (ge12 / 12)).
        months_needed = -(-remaining * LATEST_MONTHS // genome_equivalents_latest_12_months)
        index = Month.of(as_of).index + months_needed
        reached_in = Month.from_index(index) if index < 10_000 * 12 else None  # past year 9999: no month to name
    return TargetProjection(target, reached, remaining, _share(reached, target), per_month, False, reached_in)


def _share(value: int, target: int) -> float:
    return value / target if target > 0 else math.inf


@dataclass(frozen=True)
class NationalFigures:
    """National figures: the sum of both categories, and the genome equivalents against the target."""

    categories: tuple[CategoryFigures, ...]
    as_of: dt.date | None
    as_of_earliest: dt.date | None
    since_start: WindowFigures
    latest_12_months: WindowFigures
    monthly: tuple[MonthlyActivity, ...]
    target: TargetProjection

    def window(self, name: str) -> WindowFigures:
        return getattr(self, name)

    def category(self, category: str) -> CategoryFigures:
        return _find(self.categories, "category", category)


@dataclass(frozen=True)
class ProjectFigures:
    """Raw figures of every group, both categories and the nation."""

    groups: tuple[GroupFigures, ...]
    categories: tuple[CategoryFigures, ...]
    national: NationalFigures

    def group(self, group_id: str) -> GroupFigures:
        return _find(self.groups, "group_id", group_id)

    def category(self, category: str) -> CategoryFigures:
        return _find(self.categories, "category", category)


def category_figures(category: str, groups: Sequence[GroupFigures], config: Config) -> CategoryFigures:
    """Consolidated figures of `category`, summed from those of `groups` that belong to it."""
    members = tuple(g for g in groups if g.category == category)
    cut_offs = [g.as_of for g in members]
    return CategoryFigures(
        category=category,
        groups=members,
        as_of=max(cut_offs, default=None),
        as_of_earliest=min(cut_offs, default=None),
        since_start=_sum_windows(SINCE_START, [g.since_start for g in members], config),
        latest_12_months=_sum_windows(LATEST_12_MONTHS, [g.latest_12_months for g in members], config),
        monthly=_sum_monthly((g.monthly for g in members), config.weights),
    )


def national_figures(categories: Sequence[CategoryFigures], config: Config) -> NationalFigures:
    """National figures, summed from the categories, with the genome equivalents against the target."""
    cut_offs = [c.as_of for c in categories if c.as_of is not None]
    earliest = [c.as_of_earliest for c in categories if c.as_of_earliest is not None]
    since_start = _sum_windows(SINCE_START, [c.since_start for c in categories], config)
    latest = _sum_windows(LATEST_12_MONTHS, [c.latest_12_months for c in categories], config)
    monthly = _sum_monthly((c.monthly for c in categories), config.weights)
    as_of = max(cut_offs, default=None)
    target = target_projection(
        config.national_target_genome_equivalents,
        monthly,
        latest.total.genome_equivalents,
        as_of,
    )
    return NationalFigures(
        categories=tuple(categories),
        as_of=as_of,
        as_of_earliest=min(earliest, default=None),
        since_start=since_start,
        latest_12_months=latest,
        monthly=monthly,
        target=target,
    )


def project_figures(project: Project) -> ProjectFigures:
    """Raw figures of the whole project: every group, each category and the nation."""
    groups = tuple(group_figures(g, project.config) for g in project.groups)
    categories = tuple(category_figures(c, groups, project.config) for c in CATEGORIES)
    return ProjectFigures(groups, categories, national_figures(categories, project.config))
