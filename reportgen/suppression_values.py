"""The published-value vocabulary: what a person count may look like once it leaves reportgen.

A renderer reads `Published` values only. They hold the published value or a
marker, never the raw count, unless the caller asked for an internal,
unpublished build with ``unsafe_raw=True``:

* the count itself;
* ``"<5"`` (built from `min_count`): a count from 1 to ``min_count - 1``;
* ``"x"``: a count hidden so that no one can work out a ``"<5"`` (or another
  hidden count) from the published figures; also a yield or rate computed
  from a hidden count;
* a rounded count, ``"≈120"``: a headline figure (a national, category or
  group total) that protecting a hidden count would otherwise have hidden,
  rounded to ``privacy.rounding_base`` (or, where that cannot protect it, to
  a multiple of it, `WIDER_ROUNDINGS`); yields computed from it are computed
  from the rounded counts and marked as rounded too;
* ``"–"``: no value exists (the yield of 0 patients).

Which figure gets which is decided in `reportgen.suppression`; the reasons
are in `reportgen.suppression_engine` and `reportgen.audit`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from reportgen.figures import Activity, MonthlyActivity, TargetProjection
from reportgen.messages import _
from reportgen.model import Analyses, Month

PERSON_MEASURES = ("patients", "diagnosed")
SECONDARY_MARKER = "x"
UNDEFINED_MARKER = "–"
ROUNDED_MARKER = "≈"
# Where rounding a headline figure to privacy.rounding_base cannot protect a count, it is rounded to the
# nearest of these multiples of the base that can (e.g. 10, 25 or 50 for a base of 5); it is never hidden.
WIDER_ROUNDINGS = (2, 5, 10)


def primary_marker(min_count: int) -> str:
    """The text shown for a count from 1 to min_count - 1, e.g. "<5"."""
    return f"<{min_count}"


def rounded(raw: int, base: int) -> int:
    """`raw` rounded to the nearest multiple of `base`, halves up (a reader knows the rule)."""
    return (raw + base // 2) // base * base


def rounding_interval(raw: int, base: int) -> tuple[int, int]:
    """Every whole number that rounds to what `raw` rounds to: what a reader learns from a rounded count."""
    r = rounded(raw, base)
    return max(0, r - base // 2), r + (base - 1) - base // 2


class Status(Enum):
    """Why a published figure shows what it shows."""

    PUBLISHED = "published"  # the value itself
    PRIMARY = "primary"  # a count from 1 to min_count - 1: "<5"
    SECONDARY = "secondary"  # hidden so that another hidden count cannot be worked out: "x"
    WITHHELD = "withheld"  # hidden, any count from 0 (a "<5" that had to be hidden too): "x"
    ROUNDED = "rounded"  # a headline count rounded to privacy.rounding_base: "≈120"
    DERIVED = "derived"  # a yield or rate computed from a hidden count: "x"
    UNDEFINED = "undefined"  # no value exists, e.g. the yield of 0 patients: "–"


HIDDEN = (Status.PRIMARY, Status.SECONDARY, Status.WITHHELD)


@dataclass(frozen=True)
class Published:
    """A figure as it may be published: the value, or a marker in its place.

    `value` is None whenever the figure is hidden or undefined; the raw figure
    is then not in this object at all, except in an internal build made with
    ``unsafe_raw=True``, where `unsafe_raw` holds it. A rounded figure has the
    rounded value and the marker "≈".
    """

    value: int | float | None
    status: Status
    marker: str = ""
    unsafe_raw: int | float | None = field(default=None, repr=False, compare=False)
    base: int | None = field(default=None, repr=False, compare=False)  # a rounded count's rounding base

    @property
    def is_suppressed(self) -> bool:
        """True if a value exists but is not shown (rounded figures are shown)."""
        return self.status not in (Status.PUBLISHED, Status.UNDEFINED, Status.ROUNDED)

    @property
    def is_rounded(self) -> bool:
        return self.status is Status.ROUNDED

    @property
    def text(self) -> str:
        """The published value as plain text, or its marker ("<5", "x", "–"); "≈120" when rounded."""
        if self.value is None:
            return self.marker
        return f"{self.marker}{self.value}"

    def __str__(self) -> str:
        return self.text


def published(raw, status: Status, min_count: int, unsafe_raw: bool = False, rounding_base: int = 1) -> Published:
    """The published form of a raw count of a given status."""
    kept = raw if unsafe_raw else None
    if status is Status.PUBLISHED:
        return Published(raw, status, "", kept)
    if status is Status.ROUNDED:
        return Published(rounded(raw, rounding_base), status, ROUNDED_MARKER, kept, rounding_base)
    if status is Status.PRIMARY:
        return Published(None, status, primary_marker(min_count), kept)
    if status is Status.UNDEFINED:
        return Published(None, status, UNDEFINED_MARKER, kept)
    return Published(None, status, SECONDARY_MARKER, kept)


def derived(raw: float | None, sources: Iterable[Status], min_count: int, unsafe_raw: bool = False,
            rounded_value: float | None = None) -> Published:
    """A yield, rate or ratio: shown only if every count it is computed from is shown.

    If one of them is rounded, `rounded_value` (the figure computed from the
    rounded counts) is shown instead, marked as rounded.
    """
    sources = tuple(sources)
    if any(s not in (Status.PUBLISHED, Status.ROUNDED) for s in sources):
        return published(raw, Status.DERIVED, min_count, unsafe_raw)
    if raw is None:
        return published(None, Status.UNDEFINED, min_count, unsafe_raw)
    if Status.ROUNDED in sources:
        if rounded_value is None:
            return published(raw, Status.DERIVED, min_count, unsafe_raw)
        return Published(rounded_value, Status.ROUNDED, ROUNDED_MARKER, raw if unsafe_raw else None)
    return published(raw, Status.PUBLISHED, min_count, unsafe_raw)


# --- the published figures of a project ------------------------------------


@dataclass(frozen=True)
class PublishedYield:
    """Diagnostic yield with its 95 % Wilson interval, each shown only if both counts are."""

    proportion: Published
    ci_low: Published
    ci_high: Published


@dataclass(frozen=True)
class PublishedCounts:
    """One cell as published: person counts suppressed; analyses and genome equivalents as they are."""

    patients: Published
    diagnosed: Published
    analyses: Analyses
    genome_equivalents: int
    diagnostic_yield: PublishedYield

    @property
    def analyses_total(self) -> int:
        return self.analyses.total


@dataclass(frozen=True)
class PublishedYear:
    year: int
    counts: PublishedCounts


@dataclass(frozen=True)
class PublishedRegion:
    """A region's published counts and patients per 100,000 inhabitants (hidden with the count)."""

    region: str
    population: int
    counts: PublishedCounts
    patients_per_100k: Published
    patients_per_100k_per_year: Published


@dataclass(frozen=True)
class PublishedIndication:
    """An indication's published counts against the patients expected pro rata (a public target)."""

    code: str
    counts: PublishedCounts
    expected_patients: float | None
    patients_vs_expected: Published


@dataclass(frozen=True)
class PublishedWindow:
    """A group's period (since start / latest 12 months) as published."""

    name: str
    first_month: Month | None
    last_month: Month | None
    months_in_operation: float | None
    total: PublishedCounts
    by_year: tuple[PublishedYear, ...]
    by_region: tuple[PublishedRegion, ...]
    by_indication: tuple[PublishedIndication, ...]


@dataclass(frozen=True)
class PublishedGroup:
    group_id: str
    category: str
    in_operation_since: dt.date
    as_of: dt.date
    since_start: PublishedWindow
    latest_12_months: PublishedWindow
    monthly: tuple[MonthlyActivity, ...]  # analyses and genome equivalents only

    def window(self, name: str) -> PublishedWindow:
        return getattr(self, name)


@dataclass(frozen=True)
class PublishedPart:
    """One line of a consolidated table: a group (in a category) or a category (nationally)."""

    key: str
    counts: PublishedCounts


@dataclass(frozen=True)
class PublishedAggregateWindow:
    """A consolidated period: person counts in total and by part; by region and year only activity.

    Person counts are not published by region or year here: with the groups'
    own breakdowns they would form a two-way table (see `reportgen.suppression`).
    """

    name: str
    first_month: Month | None
    last_month: Month | None
    total: PublishedCounts
    parts: tuple[PublishedPart, ...]
    by_region: tuple[tuple[str, Activity], ...]
    by_year: tuple[tuple[int, Activity], ...]


@dataclass(frozen=True)
class PublishedCategory:
    category: str
    as_of: dt.date | None
    as_of_earliest: dt.date | None
    since_start: PublishedAggregateWindow  # parts: one per group
    latest_12_months: PublishedAggregateWindow
    monthly: tuple[MonthlyActivity, ...]

    def window(self, name: str) -> PublishedAggregateWindow:
        return getattr(self, name)


@dataclass(frozen=True)
class PublishedNational:
    as_of: dt.date | None
    as_of_earliest: dt.date | None
    since_start: PublishedAggregateWindow  # parts: one per category
    latest_12_months: PublishedAggregateWindow
    monthly: tuple[MonthlyActivity, ...]
    target: TargetProjection  # genome equivalents only: nothing to suppress

    def window(self, name: str) -> PublishedAggregateWindow:
        return getattr(self, name)


@dataclass(frozen=True)
class PublishedProject:
    """Every figure the reports and open data may show, suppressed consistently across all documents."""

    min_count: int
    groups: tuple[PublishedGroup, ...]
    categories: tuple[PublishedCategory, ...]
    national: PublishedNational
    unsafe_raw: bool = False  # True only for an internal, unpublished build
    rounding_base: int = 1
    # Archived editions' totals since start, by (group id, edition date), as they may be shown now.
    editions: dict = field(default_factory=dict, compare=False)
    # The reader's model and the chosen pattern, for `reportgen.audit` (never rendered).
    protection: object = field(default=None, repr=False, compare=False)
    outcomes: object = None  # suppression_outcomes.PublishedOutcomes: answers, turnaround and clinical effect
    # equity.RegionalEquity of each group by id: its regions' funnels, from the published counts above
    equities: dict = field(default_factory=dict, compare=False)

    def group(self, group_id: str) -> PublishedGroup:
        for g in self.groups:
            if g.group_id == group_id:
                return g
        raise KeyError(group_id)

    def edition(self, group_id: str, date: dt.date) -> PublishedCounts:
        return self.editions[(group_id, date)]

    def category(self, category: str) -> PublishedCategory:
        for c in self.categories:
            if c.category == category:
                return c
        raise KeyError(category)


def attacker_words(name: str) -> str:
    """A reader of the protection model ("an outsider", "region X", "the network of G") in the words of the
    messages that name it."""
    if name == "an outsider":
        return _("an outsider")
    if name.startswith("region "):
        return _("region {region}").format(region=name.removeprefix("region "))
    if name.startswith("the network of "):
        return _("the network of {group}").format(group=name.removeprefix("the network of "))
    return name
