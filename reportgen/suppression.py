"""Small-count suppression: the only way person counts leave the process.

Person counts (patients, diagnosed) are published per year, region,
indication, group, category and in totals, never monthly. Rules:

* Primary suppression: a count from 1 to ``min_count - 1`` is shown as
  ``"<5"`` (the text is built from `min_count`). Zero stays 0.
* Secondary suppression: where a reader could work out a primary-suppressed
  count from the published figures (a total minus the other cells), more
  cells are hidden, shown as ``"x"``. Showing them as "<5" would be a lie.
* If hiding more cells of a breakdown cannot help (say 4 patients in 4
  regions, one each, with the total shown as "<5"), the whole breakdown is
  withheld: every cell, zeros included, shown as "x". The total stays.
* Yields and rates derived from a hidden count are hidden too (``"x"``).

What a reader is assumed to know (the "attacker" this module defends
against): every published value; that "<5" means 1..min_count-1; that "x"
means a hidden count of at least `min_count` (secondary cells are never zero
or small), or any count >= 0 where a "<5" had to be hidden too (a withheld
breakdown, a concealed total); that every breakdown adds up to its total; that
a category's total is the sum of its groups' totals and the nation's the sum
of the categories; that the months since start are the latest 12 months plus
the earlier ones, cell by cell (the same cells when a group has run 12 months
or less); how the latest 12 months overlap the calendar years; and that
diagnosed <= patients in every cell of every set of months. This is modelled
as linear sums over the published cells and a few auxiliary, never published
ones (earlier months; patients not diagnosed), and the reader narrows every
hidden cell to an interval by propagating bounds through the sums until
nothing changes. Suppression goes on until no hidden non-zero count is
narrowed to a single value. Bounds propagation is not complete in general;
`tests/test_suppression.py` attacks the published figures with an exact
search and finds nothing on random projects, which is evidence, not proof.

Not in the model, on purpose: exactly published analyses bound patients from
above (patients <= analyses; a region with 1 analysis and "<5" patients has
1 patient), and consolidated person counts are published by group and
category only, not by region or year, because a groups x regions table with
both margins published is a two-way table that this scheme does not protect.

A renderer reads `Published` values only. They hold the published value or
a marker, never the raw count, unless the caller asked for an internal,
unpublished build with ``unsafe_raw=True``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from reportgen.figures import (
    LATEST_12_MONTHS,
    SINCE_START,
    WINDOWS,
    Activity,
    Counts,
    GroupFigures,
    MonthlyActivity,
    ProjectFigures,
    TargetProjection,
    WindowFigures,
    project_figures,
)
from reportgen.model import Analyses, Config, Month, Project
from reportgen.outcomes import CASCADE as CASCADE_KEY
from reportgen.outcomes import (
    AggregateOutcomes,
    AnswerCounts,
    EffectCounts,
    ProjectOutcomes,
    project_outcomes,
)

PERSON_MEASURES = ("patients", "diagnosed")
SECONDARY_MARKER = "x"
UNDEFINED_MARKER = "–"
_INF = math.inf


def primary_marker(min_count: int) -> str:
    """The text shown for a count from 1 to min_count - 1, e.g. "<5"."""
    return f"<{min_count}"


class Status(Enum):
    """Why a published figure shows what it shows."""

    PUBLISHED = "published"  # the value itself
    PRIMARY = "primary"  # a count from 1 to min_count - 1: "<5"
    SECONDARY = "secondary"  # hidden so that a primary cell cannot be worked out: "x"
    WITHHELD = "withheld"  # in a breakdown withheld as a whole: "x"
    DERIVED = "derived"  # a yield or rate computed from a hidden count: "x"
    UNDEFINED = "undefined"  # no value exists, e.g. the yield of 0 patients: "–"


@dataclass(frozen=True)
class Published:
    """A figure as it may be published: the value, or a marker in its place.

    `value` is None whenever the figure is hidden or undefined; the raw figure
    is then not in this object at all, except in an internal build made with
    ``unsafe_raw=True``, where `unsafe_raw` holds it.
    """

    value: int | float | None
    status: Status
    marker: str = ""
    unsafe_raw: int | float | None = field(default=None, repr=False, compare=False)

    @property
    def is_suppressed(self) -> bool:
        """True if a value exists but is not shown."""
        return self.status not in (Status.PUBLISHED, Status.UNDEFINED)

    @property
    def text(self) -> str:
        """The published value as plain text, or its marker ("<5", "x", "–")."""
        return self.marker if self.value is None else str(self.value)

    def __str__(self) -> str:
        return self.text


def _published(raw, status: Status, min_count: int, unsafe_raw: bool) -> Published:
    kept = raw if unsafe_raw else None
    if status is Status.PUBLISHED:
        return Published(raw, status, "", kept)
    if status is Status.PRIMARY:
        return Published(None, status, primary_marker(min_count), kept)
    if status is Status.UNDEFINED:
        return Published(None, status, UNDEFINED_MARKER, kept)
    return Published(None, status, SECONDARY_MARKER, kept)


def _derived(raw: float | None, sources: Iterable[Status], min_count: int, unsafe_raw: bool) -> Published:
    """A yield, rate or ratio: shown only if every count it is computed from is shown."""
    if any(s is not Status.PUBLISHED for s in sources):
        return _published(raw, Status.DERIVED, min_count, unsafe_raw)
    if raw is None:
        return _published(None, Status.UNDEFINED, min_count, unsafe_raw)
    return _published(raw, Status.PUBLISHED, min_count, unsafe_raw)


# --- the linked cells and their suppression -----------------------------------


class UnprotectableError(RuntimeError):
    """Internal: no further suppression could protect a cell (never expected; a bug if raised)."""


BREAKDOWN = "breakdown"  # a published table whose parts belong to it alone; may be withheld as a whole
CONSOLIDATED = "consolidated"  # a published table whose parts are other tables' totals
RELATION = "relation"  # a sum a reader knows holds, often through auxiliary (never published) cells
CONSOLIDATED_RELATION = "consolidated relation"  # a relation that follows from consolidated tables


class LinkedCells:
    """Person counts and the linear relations between them that a reader can use.

    Add cells, then tables (total = sum of parts); `suppress()` returns each
    published cell's `Status`. Auxiliary cells are quantities a reader may
    reason about but that are never published (e.g. patients not diagnosed,
    so that diagnosed <= patients becomes patients = diagnosed + that): they
    are at least 0 and otherwise unknown. The result depends only on the
    cells, values and tables and the order they were added in.
    """

    def __init__(self, min_count: int):
        if min_count < 1:
            raise ValueError(f"min_count must be at least 1, got {min_count}")
        self.min_count = min_count
        self._ids: dict[Hashable, int] = {}
        self._keys: list[Hashable] = []
        self._raw: list[int] = []
        self._aux: list[bool] = []
        self._tables: list[tuple[int, tuple[int, ...], str]] = []
        self._cell_tables: list[list[int]] = []  # published tables (breakdowns, consolidated) of each cell
        self._cell_relations: list[list[int]] = []  # relation sums (indices into _le) of each cell
        self._le: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        self._cell_le: list[list[int]] = []
        self._consolidated_le: set[int] = set()
        self._equal: dict[int, list[int]] | None = None  # built on first use, after all cells are added
        self._frozen_status: dict[Hashable, Status] = {}
        self._frozen: set[int] = set()

    # building

    def add_cell(self, key: Hashable, raw: int, *, aux: bool = False) -> None:
        """A count that will be published (or hidden) under `key`; `aux` for one that is never published."""
        if key in self._ids:
            raise ValueError(f"cell {key!r} added twice")
        if raw < 0:
            raise ValueError(f"cell {key!r} has a negative count {raw}")
        self._ids[key] = len(self._keys)
        self._keys.append(key)
        self._raw.append(raw)
        self._aux.append(aux)
        self._cell_tables.append([])
        self._cell_relations.append([])
        self._cell_le.append([])

    def add_table(self, total: Hashable, parts: Sequence[Hashable], *, kind: str = BREAKDOWN) -> None:
        """`total` = sum of `parts`: a published table (BREAKDOWN, CONSOLIDATED) or a RELATION.

        A CONSOLIDATED_RELATION is a relation that holds because of consolidated
        tables (such as their mirror in auxiliary cells).
        """
        t = self._ids[total]
        ps = tuple(self._ids[p] for p in parts)
        if sum(self._raw[p] for p in ps) != self._raw[t]:
            raise ValueError(f"parts of {total!r} do not add up to it")
        if kind not in (BREAKDOWN, CONSOLIDATED, RELATION, CONSOLIDATED_RELATION):
            raise ValueError(f"unknown kind of table {kind!r}")
        le = (self._add_le((t,), ps), self._add_le(ps, (t,)))
        if kind in (CONSOLIDATED, CONSOLIDATED_RELATION):
            self._consolidated_le.update(le)
        if kind in (RELATION, CONSOLIDATED_RELATION):
            for c in (t, *ps):
                self._cell_relations[c].extend(le)
            return
        index = len(self._tables)
        self._tables.append((t, ps, kind))
        for c in (t, *ps):
            self._cell_tables[c].append(index)

    def _add_le(self, a: tuple[int, ...], b: tuple[int, ...]) -> int:
        index = len(self._le)
        self._le.append((a, b))
        for c in (*a, *b):
            self._cell_le[c].append(index)
        return index

    # the reader's view

    def bounds(self, status: Mapping[Hashable, Status]) -> dict[Hashable, tuple[int, float]]:
        """What a reader can narrow each published cell to (lower, upper; upper may be inf)."""
        lo, hi = self._bounds([Status.WITHHELD if aux else status[k] for k, aux in zip(self._keys, self._aux)])
        return {k: (lo[i], hi[i]) for i, k in enumerate(self._keys) if not self._aux[i]}

    def _domain(self, raw: int, status: Status) -> tuple[int, float]:
        """What a reader knows of one cell from its own text alone."""
        if status is Status.PUBLISHED:
            return raw, raw
        if status is Status.PRIMARY:
            return 1, self.min_count - 1
        if status is Status.SECONDARY:
            return self.min_count, _INF
        return 0, _INF  # WITHHELD, and auxiliary cells

    def _bounds(self, status: list[Status], skip: set[int] = frozenset()) -> tuple[list, list]:
        lo: list = []
        hi: list = []
        for raw, s in zip(self._raw, status):
            low, high = self._domain(raw, s)
            lo.append(low)
            hi.append(high)
        self._propagate(lo, hi, skip)
        return lo, hi

    def _propagate(self, lo: list, hi: list, skip: set[int] = frozenset()) -> None:
        """Narrow the bounds through every sum (but those in `skip`) until nothing changes."""
        queue = deque(i for i in range(len(self._le)) if i not in skip)
        queued = [i not in skip for i in range(len(self._le))]
        # Bounds only narrow and stay integral, so this ends; the cap guards against slow creeping.
        budget = 200 * max(1, len(self._le))
        while queue and budget:
            budget -= 1
            i = queue.popleft()
            queued[i] = False
            for c in self._narrow(self._le[i], lo, hi):
                for j in self._cell_le[c]:
                    if not queued[j] and j not in skip:
                        queued[j] = True
                        queue.append(j)

    @staticmethod
    def _narrow(constraint, lo, hi) -> list[int]:
        """Apply sum(a) <= sum(b) once: upper bounds on a, lower bounds on b."""
        a, b = constraint
        changed = []
        sum_lo_a = sum(lo[i] for i in a)
        finite_hi_b = 0
        infinite_b = 0
        for i in b:
            if hi[i] == _INF:
                infinite_b += 1
            else:
                finite_hi_b += hi[i]
        if infinite_b == 0:
            cap = finite_hi_b - sum_lo_a
            for i in a:
                new = cap + lo[i]
                if new < hi[i]:
                    hi[i] = new
                    changed.append(i)
        if infinite_b <= 1:
            for i in b:
                if hi[i] == _INF:
                    rest = finite_hi_b
                elif infinite_b == 0:
                    rest = finite_hi_b - hi[i]
                else:
                    continue
                new = sum_lo_a - rest
                if new > lo[i]:
                    lo[i] = new
                    changed.append(i)
        return changed

    def _table_pinned(self, table: int, status: list[Status]) -> list[int]:
        """Hidden non-zero cells of one published table that its own sum alone gives away."""
        total, parts, _ = self._tables[table]
        cells = (total, *parts)
        lo: dict[int, float] = {}
        hi: dict[int, float] = {}
        for i in cells:
            lo[i], hi[i] = self._domain(self._raw[i], status[i])
        down, up = (total,), parts
        for _ in range(100):  # one sum settles in a few rounds
            if not (self._narrow((down, up), lo, hi) + self._narrow((up, down), lo, hi)):
                break
        return [i for i in cells if self._hidden(i, status) and lo[i] == hi[i]]

    def _hidden(self, i: int, status: list[Status]) -> bool:
        """A published cell whose non-zero count is not shown."""
        return not self._aux[i] and status[i] is not Status.PUBLISHED and self._raw[i] > 0

    # suppression

    def freeze(self, statuses: Mapping[Hashable, Status]) -> None:
        """Fix the status of some cells (decided earlier): `suppress` will neither hide nor show them
        otherwise, nor any cell known to be equal to one of them."""
        self._frozen_status = {k: s for k, s in statuses.items() if k in self._ids}
        self._frozen = {self._ids[k] for k in self._frozen_status}

    def _is_frozen(self, i: int) -> bool:
        return bool(self._frozen) and any(j in self._frozen for j in self._equal_cells(i))

    def suppress(self) -> dict[Hashable, Status]:
        """Primary, then secondary suppression until no hidden non-zero count can be worked out.

        1. Each breakdown on its own: hide its smallest published non-zero
           parts until none of its hidden cells follows from its sum; if no
           part is left, withhold the breakdown. Its total is never hidden
           here, so a group's own report keeps its total.
        2. Each consolidated table (a category by group, the nation by
           category), bottom up: if a hidden part follows from the sum, hide
           the table's total (then the nation's), not another group's total,
           which would spread into that group's report.
        3. Check everything together, with all relations; wherever a hidden
           count can still be worked out, hide one more cell and check again.
        """
        m = self.min_count
        status = [
            Status.WITHHELD if aux else Status.PRIMARY if 0 < raw < m else Status.PUBLISHED
            for raw, aux in zip(self._raw, self._aux)
        ]
        for key, fixed in self._frozen_status.items():
            for j in self._equal_cells(self._ids[key]):  # a cell equal to a decided one shares its status
                if not self._aux[j]:
                    status[j] = fixed
        withheld: set[int] = set()
        for t, (_, parts, kind) in enumerate(self._tables):
            if kind == BREAKDOWN and not any(self._is_frozen(p) for p in parts):
                self._protect_breakdown(t, status, withheld)
        self._protect_consolidated(status)
        while True:
            pinned = self._first_pinned(status)
            if pinned is None:
                return {k: s for k, s, aux in zip(self._keys, status, self._aux) if not aux}
            self._protect(pinned, status, withheld)

    def _protect_breakdown(self, t: int, status: list[Status], withheld: set[int]) -> None:
        """Step 1 for one breakdown: its smallest published non-zero parts, or all of it."""
        _, parts, _ = self._tables[t]
        while self._table_pinned(t, status):
            hideable = [p for p in parts if status[p] is Status.PUBLISHED and self._raw[p] > 0
                        and not self._is_frozen(p)]
            if not hideable:
                self._apply(("withhold", t), status, withheld)
                return
            self._set(status, min(hideable, key=lambda p: (self._raw[p], p)), Status.SECONDARY)

    def _protect_consolidated(self, status: list[Status]) -> None:
        """Step 2: where a consolidated table gives a part away, hide the totals above it, lowest first."""
        up = {}  # part -> the consolidated table it is a part of
        for t, (_, parts, kind) in enumerate(self._tables):
            if kind == CONSOLIDATED:
                up.update(dict.fromkeys(parts, t))
        left_to_step_3: set[int] = set()
        while True:
            lo, hi = self._bounds(status)
            pinned = next(
                (i for i in up if i not in left_to_step_3 and self._hidden(i, status) and lo[i] == hi[i]), None
            )
            if pinned is None:
                return
            lo, hi = self._bounds(status, skip=self._consolidated_le)
            if lo[pinned] == hi[pinned]:  # given away without the consolidated tables: not theirs to fix
                left_to_step_3.add(pinned)
                continue
            cell = pinned
            while cell in up:
                total = self._tables[up[cell]][0]
                if status[total] in (Status.PUBLISHED, Status.PRIMARY) and self._raw[total] > 0 \
                        and not self._is_frozen(total):
                    self._conceal(total, status)
                    break
                cell = total
            else:
                left_to_step_3.add(pinned)  # every total above is hidden already

    def _conceal(self, i: int, status: list[Status]) -> None:
        """Hide a cell: "x" meaning at least min_count if it is that large, else "x" meaning any count."""
        self._set(status, i, Status.SECONDARY if self._raw[i] >= self.min_count else Status.WITHHELD)

    def _set(self, status: list[Status], i: int, new: Status) -> None:
        """Give cell `i` and every cell equal to it (e.g. both periods of a young group) one status."""
        for j in self._equal_cells(i):
            if not self._aux[j] and j not in self._frozen:
                status[j] = new

    def _equal_cells(self, i: int) -> list[int]:
        if self._equal is None:
            # A sum with a single non-zero part makes its total and that part the same number under two
            # names (a group's only indication, a category with one group): hiding one must hide the other.
            parent = list(range(len(self._keys)))

            def root(x: int) -> int:
                while parent[x] != x:
                    parent[x] = parent[parent[x]]
                    x = parent[x]
                return x

            for a, b in self._le:
                if len(a) == 1:
                    nonzero = [x for x in b if self._raw[x] > 0]
                    if len(nonzero) == 1:
                        parent[root(a[0])] = root(nonzero[0])
            classes: dict[int, list[int]] = {}
            for x in range(len(self._keys)):
                classes.setdefault(root(x), []).append(x)
            self._equal = {x: members for members in classes.values() for x in members}
        return self._equal[i]

    def _first_pinned(self, status: list[Status]) -> int | None:
        lo, hi = self._bounds(status)
        for i, raw in enumerate(self._raw):
            if not lo[i] <= raw <= hi[i]:  # the true values always fit: anything else is a bug here
                raise AssertionError(f"bounds {lo[i]}..{hi[i]} exclude the value of {self._keys[i]!r}")
            if self._hidden(i, status) and lo[i] == hi[i]:
                return i
        return None

    def _protect(self, cell: int, status: list[Status], withheld: set[int]) -> None:
        """Hide one more cell (or withhold one breakdown) so that `cell` can no longer be worked out."""
        actions = self._actions(cell, status, withheld)
        if not actions:
            raise UnprotectableError(f"cannot protect {self._keys[cell]!r}")
        # Prefer the first action (smallest, most local) that frees the cell on its own; else take the
        # first and go on, which adds one hidden cell per round and so ends.
        for action in actions:
            trial = list(status)
            self._apply(action, trial, set(withheld))
            lo, hi = self._bounds(trial)
            if lo[cell] < hi[cell]:
                self._apply(action, status, withheld)
                return
        self._apply(actions[0], status, withheld)

    def _apply(self, action, status: list[Status], withheld: set[int]) -> None:
        kind, index = action
        if kind == "suppress":
            self._set(status, index, Status.SECONDARY)
        elif kind == "conceal":
            self._conceal(index, status)
        else:
            withheld.add(index)
            for p in self._tables[index][1]:
                self._set(status, p, Status.WITHHELD)

    def _related(self, cell: int) -> set[int]:
        """Cells a relation ties to `cell`, directly or through one auxiliary cell."""
        near = {i for x in self._cell_relations[cell] for i in (*self._le[x][0], *self._le[x][1])}
        through = {
            i for a in near if self._aux[a] for x in self._cell_relations[a] for i in (*self._le[x][0], *self._le[x][1])
        }
        return near | through

    def _actions(self, cell: int, status: list[Status], withheld: set[int]) -> list[tuple[str, int]]:
        def can_hide(i: int) -> bool:
            # Only non-zero published cells: a hidden "x" must mean "at least min_count".
            return (i != cell and not self._aux[i] and status[i] is Status.PUBLISHED and self._raw[i] > 0
                    and not self._is_frozen(i))

        def local(i: int) -> bool:  # in one published table at most, so hiding it changes one table only
            return len(self._cell_tables[i]) <= 1

        same = self._equal_cells(cell)
        in_tables = {i for c in same for t in self._cell_tables[c] for i in (self._tables[t][0], *self._tables[t][1])}
        in_tables -= set(same)
        related = set().union(*(self._related(c) for c in same)) - set(same)
        by_size = lambda i: (self._raw[i], i)  # noqa: E731
        first = sorted((i for i in in_tables if can_hide(i) and local(i)), key=by_size)
        second = sorted((i for i in related - in_tables if can_hide(i) and local(i)), key=by_size)
        breakdowns = [
            t for c in same for t in self._cell_tables[c]
            if self._tables[t][2] == BREAKDOWN and c in self._tables[t][1] and t not in withheld
            and not any(self._is_frozen(p) for p in self._tables[t][1])
        ]
        shared = sorted(
            (i for i in in_tables | related if can_hide(i) and not local(i)),
            key=lambda i: (len(self._cell_tables[i]), self._raw[i], i),
        )
        # Last resort: hide a "<5" cell as "x" too, so that a reader no longer knows it is at least 1.
        concealable = sorted(
            (i for i in in_tables | related | {cell} if not self._aux[i] and status[i] is Status.PRIMARY
             and not self._is_frozen(i)),
            key=by_size,
        )
        # Trials cost a propagation each; a few of each kind are plenty.
        return (
            [("suppress", i) for i in first[:6]]
            + [("suppress", i) for i in second[:6]]
            + [("withhold", t) for t in breakdowns]
            + [("suppress", i) for i in shared[:6]]
            + [("conceal", i) for i in concealable[:6]]
        )


# --- published figures of the project ----------------------------------------


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
    own breakdowns they would form a two-way table (see the module docstring).
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
    outcomes: PublishedOutcomes | None = None  # answers, turnaround and clinical effect

    def group(self, group_id: str) -> PublishedGroup:
        for g in self.groups:
            if g.group_id == group_id:
                return g
        raise KeyError(group_id)

    def category(self, category: str) -> PublishedCategory:
        for c in self.categories:
            if c.category == category:
                return c
        raise KeyError(category)


def _group_key(group_id: str, dimension: str, member=None) -> tuple:
    return ("group", group_id, dimension, member)


def _category_key(category: str) -> tuple:
    return ("category", category, "total", None)


_NATIONAL_KEY = ("national", None, "total", None)


EARLIER = "earlier"  # months since start before the latest 12 months (never published)
LATE_IN_YEAR_BEFORE = "late_in_year_before"  # months of the year before the cut-off year inside the latest 12 months
EARLY_IN_YEAR_BEFORE = "early_in_year_before"  # and before them


class _Model:
    """The reader's model of a project: every cell (published or auxiliary) and every sum between them.

    A cell is a (period, place) slot, counted in patients and in diagnosed.
    The exact structure a reader knows: the published breakdowns and
    consolidated tables; since start = earlier months + latest 12 months,
    cell by cell; the latest 12 months = the cut-off year so far + the late
    part of the year before; and diagnosed <= patients in every slot,
    modelled as patients = diagnosed + an auxiliary "not diagnosed" count
    that obeys the same sums.
    """

    def __init__(self):
        self.slots: dict[tuple, tuple[int, int, bool]] = {}  # slot -> (patients, diagnosed, auxiliary)
        self.tables: list[tuple[tuple, tuple[tuple, ...], str]] = []

    def add(self, slot: tuple, patients: int, diagnosed: int, aux: bool = False) -> tuple:
        self.slots[slot] = (patients, diagnosed, aux)
        return slot

    def difference(self, slot: tuple, whole: tuple, part: tuple) -> tuple:
        """An auxiliary slot holding `whole` - `part`."""
        (p1, d1, _), (p2, d2, _) = self.slots[whole], self.slots[part]
        return self.add(slot, p1 - p2, d1 - d2, aux=True)

    def table(self, total: tuple, parts: Sequence[tuple], kind: str) -> None:
        if parts:
            self.tables.append((total, tuple(parts), kind))


def _add_group(model: _Model, g: GroupFigures) -> None:
    gid = g.group_id
    places = {}
    for w in WINDOWS:
        win = g.window(w)
        total = model.add((w, _group_key(gid, "total")), win.total.patients, win.total.diagnosed)
        places[w] = [total]
        for dimension, items, attribute in (
            ("year", win.by_year, "year"),
            ("region", win.by_region, "region"),
            ("indication", win.by_indication, "code"),
        ):
            parts = [
                model.add((w, _group_key(gid, dimension, getattr(i, attribute))), i.counts.patients, i.counts.diagnosed)
                for i in items
            ]
            model.table(total, parts, BREAKDOWN)
            if dimension != "year":
                places[w].extend(parts)

    # Since start = earlier months + latest 12 months, slot by slot.
    covered = g.covers_whole_operation_in_latest_window
    earlier_total = None
    if covered:
        for since, latest in zip(places[SINCE_START], places[LATEST_12_MONTHS]):
            model.table(since, [latest], RELATION)
    else:
        earlier = []
        for since, latest in zip(places[SINCE_START], places[LATEST_12_MONTHS]):
            slot = model.difference((EARLIER, since[1]), since, latest)
            model.table(since, [latest, slot], RELATION)
            earlier.append(slot)
        earlier_total = earlier[0]
        n_regions = len(g.since_start.by_region)
        model.table(earlier_total, earlier[1 : 1 + n_regions], RELATION)
        model.table(earlier_total, earlier[1 + n_regions :], RELATION)

    # The latest 12 months hold January to the cut-off month of the cut-off year, and possibly
    # the end of the year before.
    year = g.as_of.year
    latest_total = (LATEST_12_MONTHS, _group_key(gid, "total"))
    this_year = (SINCE_START, _group_key(gid, "year", year))
    year_before = (SINCE_START, _group_key(gid, "year", year - 1))
    first = g.latest_12_months.first_month
    earlier_years = [(SINCE_START, _group_key(gid, "year", y.year)) for y in g.since_start.by_year if y.year < year - 1]
    if first is not None and first.year == year:
        model.table(latest_total, [this_year], RELATION)
        if earlier_total is not None:
            model.table(earlier_total, [*earlier_years, year_before] if year_before in model.slots else earlier_years, RELATION)
    else:
        late = model.difference((LATE_IN_YEAR_BEFORE, _group_key(gid, "year_part")), latest_total, this_year)
        model.table(latest_total, [this_year, late], RELATION)
        if covered:
            model.table(year_before, [late], RELATION)
        else:
            early = model.difference((EARLY_IN_YEAR_BEFORE, _group_key(gid, "year_part")), year_before, late)
            model.table(year_before, [early, late], RELATION)
            model.table(earlier_total, [*earlier_years, early], RELATION)


def _model(figures: ProjectFigures) -> _Model:
    model = _Model()
    for g in figures.groups:
        _add_group(model, g)
    for w in WINDOWS:
        for c in figures.categories:
            total = c.window(w).total
            model.add((w, _category_key(c.category)), total.patients, total.diagnosed)
            model.table((w, _category_key(c.category)), [(w, _group_key(g.group_id, "total")) for g in c.groups], CONSOLIDATED)
        total = figures.national.window(w).total
        model.add((w, _NATIONAL_KEY), total.patients, total.diagnosed)
        model.table((w, _NATIONAL_KEY), [(w, _category_key(c.category)) for c in figures.categories], CONSOLIDATED)
    # The earlier months add up too. A reader can subtract a consolidated table of the latest 12 months
    # from the one since start; spelling the difference out lets the bounds see what the subtraction shows.
    national_earlier = []
    for c in figures.categories:
        since, latest = (SINCE_START, _category_key(c.category)), (LATEST_12_MONTHS, _category_key(c.category))
        parts = [(EARLIER, _group_key(g.group_id, "total")) for g in c.groups if not g.covers_whole_operation_in_latest_window]
        if parts:
            earlier = model.difference((EARLIER, _category_key(c.category)), since, latest)
            model.table(since, [latest, earlier], RELATION)
            model.table(earlier, parts, CONSOLIDATED_RELATION)
            national_earlier.append(earlier)
        else:
            model.table(since, [latest], RELATION)
    since, latest = (SINCE_START, _NATIONAL_KEY), (LATEST_12_MONTHS, _NATIONAL_KEY)
    if national_earlier:
        earlier = model.difference((EARLIER, _NATIONAL_KEY), since, latest)
        model.table(since, [latest, earlier], RELATION)
        model.table(earlier, national_earlier, CONSOLIDATED_RELATION)
    else:
        model.table(since, [latest], RELATION)
    return model


def suppression_status(figures: ProjectFigures, min_count: int,
                       outcomes: ProjectOutcomes | None = None) -> dict[tuple, Status]:
    """Status of every published person count, keyed by (measure, period, place).

    With `outcomes`, the answers and effects counts join the same cells and sums
    (see `_add_outcome_cells`), so they are protected together with the rest.
    """
    if outcomes is not None:
        # Patients and diagnosed are decided first, as without the answers and effects; those then
        # join with these statuses fixed, so a new figure can never hide an established one.
        base = suppression_status(figures, min_count)
    model = _model(figures)
    linked = LinkedCells(min_count)
    for slot, (patients, diagnosed, aux) in model.slots.items():
        linked.add_cell(("patients", *slot), patients, aux=aux)
        linked.add_cell(("diagnosed", *slot), diagnosed, aux=aux)
        linked.add_cell(("not_diagnosed", *slot), patients - diagnosed, aux=True)
    for total, parts, kind in model.tables:
        for measure in PERSON_MEASURES:
            linked.add_table((measure, *total), [(measure, *p) for p in parts], kind=kind)
        mirror = CONSOLIDATED_RELATION if kind in (CONSOLIDATED, CONSOLIDATED_RELATION) else RELATION
        linked.add_table(("not_diagnosed", *total), [("not_diagnosed", *p) for p in parts], kind=mirror)
    for slot in model.slots:
        linked.add_table(("patients", *slot), [("diagnosed", *slot), ("not_diagnosed", *slot)], kind=RELATION)
    if outcomes is not None:
        _add_outcome_cells(linked, figures, outcomes)
        linked.freeze(base)
    return linked.suppress()


class _Publisher:
    def __init__(self, status: Mapping[tuple, Status], min_count: int, unsafe_raw: bool):
        self.status = status
        self.min_count = min_count
        self.unsafe_raw = unsafe_raw

    def _statuses(self, window: str, place: tuple) -> tuple[Status, Status]:
        return self.status[("patients", window, place)], self.status[("diagnosed", window, place)]

    def counts(self, window: str, place: tuple, counts: Counts) -> PublishedCounts:
        p_status, d_status = self._statuses(window, place)
        m, unsafe = self.min_count, self.unsafe_raw
        y = counts.diagnostic_yield
        sources = (p_status, d_status)
        return PublishedCounts(
            patients=_published(counts.patients, p_status, m, unsafe),
            diagnosed=_published(counts.diagnosed, d_status, m, unsafe),
            analyses=counts.analyses,
            genome_equivalents=counts.genome_equivalents,
            diagnostic_yield=PublishedYield(
                _derived(None if y is None else y.proportion, sources, m, unsafe),
                _derived(None if y is None else y.ci_low, sources, m, unsafe),
                _derived(None if y is None else y.ci_high, sources, m, unsafe),
            ),
        )

    def derived(self, raw, *keys: tuple) -> Published:
        """A figure computed from the counts under `keys`: shown only if all of them are."""
        return _derived(raw, (self.status[k] for k in keys), self.min_count, self.unsafe_raw)

    def cell(self, key: tuple, raw: int) -> Published:
        return _published(raw, self.status[key], self.min_count, self.unsafe_raw)

    def patients_derived(self, window: str, place: tuple, raw: float | None) -> Published:
        return _derived(raw, (self._statuses(window, place)[0],), self.min_count, self.unsafe_raw)

    def group(self, g: GroupFigures) -> PublishedGroup:
        return PublishedGroup(
            group_id=g.group_id,
            category=g.category,
            in_operation_since=g.in_operation_since,
            as_of=g.as_of,
            since_start=self.group_window(g.group_id, g.since_start),
            latest_12_months=self.group_window(g.group_id, g.latest_12_months),
            monthly=g.monthly,
        )

    def group_window(self, group_id: str, win: WindowFigures) -> PublishedWindow:
        w = win.name

        def place(dimension, member=None):
            return _group_key(group_id, dimension, member)

        return PublishedWindow(
            name=w,
            first_month=win.first_month,
            last_month=win.last_month,
            months_in_operation=win.months_in_operation,
            total=self.counts(w, place("total"), win.total),
            by_year=tuple(
                PublishedYear(y.year, self.counts(w, place("year", y.year), y.counts)) for y in win.by_year
            ),
            by_region=tuple(
                PublishedRegion(
                    r.region,
                    r.population,
                    self.counts(w, place("region", r.region), r.counts),
                    self.patients_derived(w, place("region", r.region), r.patients_per_100k),
                    self.patients_derived(w, place("region", r.region), r.patients_per_100k_per_year),
                )
                for r in win.by_region
            ),
            by_indication=tuple(
                PublishedIndication(
                    i.code,
                    self.counts(w, place("indication", i.code), i.counts),
                    i.expected_patients,
                    self.patients_derived(w, place("indication", i.code), i.patients_vs_expected),
                )
                for i in win.by_indication
            ),
        )

    def aggregate_window(self, place: tuple, win: WindowFigures, parts) -> PublishedAggregateWindow:
        w = win.name
        return PublishedAggregateWindow(
            name=w,
            first_month=win.first_month,
            last_month=win.last_month,
            total=self.counts(w, place, win.total),
            parts=tuple(PublishedPart(key, self.counts(w, part_place, counts)) for key, part_place, counts in parts),
            by_region=tuple((r.region, Activity(r.counts.analyses, r.counts.genome_equivalents)) for r in win.by_region),
            by_year=tuple((y.year, Activity(y.counts.analyses, y.counts.genome_equivalents)) for y in win.by_year),
        )


def publish_figures(figures: ProjectFigures, config: Config, *, unsafe_raw: bool = False,
                    outcomes: ProjectOutcomes | None = None) -> PublishedProject:
    """Turn raw figures into published figures, suppressed consistently across all 19 reports.

    With ``unsafe_raw=True`` (an internal, unpublished build only) every
    `Published` also carries its raw value in `unsafe_raw`. With `outcomes`,
    the answers and effects are published too, under the same protection.
    """
    min_count = config.min_count
    publisher = _Publisher(suppression_status(figures, min_count, outcomes), min_count, unsafe_raw)
    categories = []
    for c in figures.categories:
        windows = {
            w: publisher.aggregate_window(
                _category_key(c.category),
                c.window(w),
                [(g.group_id, _group_key(g.group_id, "total"), g.window(w).total) for g in c.groups],
            )
            for w in WINDOWS
        }
        categories.append(
            PublishedCategory(c.category, c.as_of, c.as_of_earliest, windows[SINCE_START], windows[LATEST_12_MONTHS], c.monthly)
        )
    n = figures.national
    national_windows = {
        w: publisher.aggregate_window(
            _NATIONAL_KEY,
            n.window(w),
            [(c.category, _category_key(c.category), c.window(w).total) for c in n.categories],
        )
        for w in WINDOWS
    }
    national = PublishedNational(
        n.as_of, n.as_of_earliest, national_windows[SINCE_START], national_windows[LATEST_12_MONTHS], n.monthly, n.target
    )
    return PublishedProject(
        min_count=min_count,
        groups=tuple(publisher.group(g) for g in figures.groups),
        categories=tuple(categories),
        national=national,
        unsafe_raw=unsafe_raw,
        outcomes=None if outcomes is None else _publish_outcomes(publisher, outcomes, tuple(config.effects)),
    )


def publish_project(project: Project, *, unsafe_raw: bool = False) -> PublishedProject:
    """Raw figures of `project`, published (see `publish_figures`), answers and effects included."""
    return publish_figures(project_figures(project), project.config, unsafe_raw=unsafe_raw,
                           outcomes=project_outcomes(project))


# --- answers, turnaround and clinical effect ------------------------------------
#
# The person counts of `reportgen.outcomes` join the same linked cells as
# patients and diagnosed, with the sums a reader knows about them:
#
#   patients   = answered + pending + unrecorded          (every place since start)
#   answered   = diagnosed_answered + (answered, not diagnosed)
#   diagnosed  = diagnosed_answered + (diagnosed in unrecorded rows)
#   unrecorded >= diagnosed in unrecorded rows
#   answered   = binned + (answered without bins);  binned = within_target + (binned, beyond the target)
#   diagnosed in a year = followed_up of that year + (not followed up)
#   followed_up = consequence + (followed up without it), for every consequence
#
# and every measure adds up over a group's years, regions and indications, and
# over the groups of a category and the categories of the nation. Auxiliary
# (never published) cells are in parentheses. Answers are published since
# start only; effects by year and in total.

# Protected counts: answered and the diagnosed among them. Pending, not recorded, binned and within the
# target describe the service (how far answers have come and how fast), not a person's health: they are
# auxiliary cells here, so the reader's sums include them, and are shown only where every count they
# follow from (patients, answered) is shown, which then gives them away anyway.
ANSWER_MEASURES = ("answered", "diagnosed_answered")
_ANSWER_AUX = ("pending", "unrecorded", "binned", "within_target", "answered_not_diagnosed", "diagnosed_unrecorded", "unrecorded_not_diagnosed", "answered_unbinned",
               "binned_beyond_target")


def _answer_values(a: AnswerCounts, diagnosed: int) -> dict[str, int]:
    diagnosed_unrecorded = diagnosed - a.diagnosed_answered
    return {
        "answered": a.answered, "pending": a.pending, "unrecorded": a.unrecorded,
        "diagnosed_answered": a.diagnosed_answered, "binned": a.binned, "within_target": a.within_target,
        "answered_not_diagnosed": a.answered - a.diagnosed_answered, "diagnosed_unrecorded": diagnosed_unrecorded,
        "unrecorded_not_diagnosed": a.unrecorded - diagnosed_unrecorded, "answered_unbinned": a.answered - a.binned,
        "binned_beyond_target": a.binned - a.within_target,
    }


_ANSWER_SUMS = (
    ("patients", ("answered", "pending", "unrecorded")),
    ("answered", ("diagnosed_answered", "answered_not_diagnosed")),
    ("diagnosed", ("diagnosed_answered", "diagnosed_unrecorded")),
    ("unrecorded", ("diagnosed_unrecorded", "unrecorded_not_diagnosed")),
    ("answered", ("binned", "answered_unbinned")),
    ("binned", ("within_target", "binned_beyond_target")),
)


def _effect_values(e: EffectCounts, keys: Sequence[str]) -> dict[str, int]:
    values = {"followed_up": e.followed_up, "relatives_tested": e.relatives_tested}
    for k in keys:
        values[f"consequence:{k}"] = e.consequence(k)
        values[f"followed_up_without:{k}"] = e.followed_up - e.consequence(k)
    return values


def _add_outcome_cells(linked: LinkedCells, figures: ProjectFigures, outcomes: ProjectOutcomes) -> None:
    """The answers and effects cells and their sums (see the comment above), added to `linked`."""
    keys = outcomes.consequences
    published_effects = ("followed_up", "relatives_tested", *(f"consequence:{k}" for k in keys))

    def add(place: tuple, values: dict[str, int], published: Sequence[str]) -> None:
        for measure, raw in values.items():
            linked.add_cell((measure, SINCE_START, place), raw, aux=measure not in published)

    def table(total: tuple, parts: Sequence[tuple], measures: Iterable[str], published: Sequence[str],
              consolidated: bool) -> None:
        if not parts:
            return
        for measure in measures:
            if consolidated:
                kind = CONSOLIDATED if measure in published else CONSOLIDATED_RELATION
            else:
                kind = BREAKDOWN if measure in published else RELATION
            linked.add_table((measure, SINCE_START, total), [(measure, SINCE_START, p) for p in parts], kind=kind)

    def answer_sums(place: tuple) -> None:
        for total, parts in _ANSWER_SUMS:
            linked.add_table((total, SINCE_START, place), [(p, SINCE_START, place) for p in parts], kind=RELATION)

    answer_measures = (*ANSWER_MEASURES, *_ANSWER_AUX)
    for g in outcomes.groups:
        gf = figures.group(g.group_id)
        win = gf.since_start
        gid = g.group_id
        total = _group_key(gid, "total")
        add(total, _answer_values(g.answers, win.total.diagnosed), ANSWER_MEASURES)
        answer_sums(total)
        for dimension, items, diagnosed in (
            ("year", g.by_year, {y.year: y.counts.diagnosed for y in win.by_year}),
            ("region", g.by_region, {r.region: r.counts.diagnosed for r in win.by_region}),
            ("indication", [(i.code, i.answers) for i in g.by_indication],
             {i.code: i.counts.diagnosed for i in win.by_indication}),
        ):
            places = []
            for member, answers in items:
                place = _group_key(gid, dimension, member)
                add(place, _answer_values(answers, diagnosed[member]), ANSWER_MEASURES)
                answer_sums(place)
                places.append(place)
            table(total, places, answer_measures, ANSWER_MEASURES, consolidated=False)
        if not g.records_effects:
            continue
        add(_group_key(gid, "effects"), _effect_values(g.effects, keys), published_effects)
        year_places = []
        for year, effects in g.effects_by_year:
            place = _group_key(gid, "effects_year", year)
            add(place, _effect_values(effects, keys), published_effects)
            diagnosed = win.year(year).counts.diagnosed
            linked.add_cell(("not_followed_up", SINCE_START, place), diagnosed - effects.followed_up, aux=True)
            linked.add_table(("diagnosed", SINCE_START, _group_key(gid, "year", year)),
                             [("followed_up", SINCE_START, place), ("not_followed_up", SINCE_START, place)],
                             kind=RELATION)
            year_places.append(place)
        effect_measures = tuple(_effect_values(g.effects, keys))
        table(_group_key(gid, "effects"), year_places, effect_measures, published_effects, consolidated=False)
        for k in keys:
            for place in (_group_key(gid, "effects"), *year_places):
                linked.add_table(("followed_up", SINCE_START, place),
                                 [(f"consequence:{k}", SINCE_START, place),
                                  (f"followed_up_without:{k}", SINCE_START, place)], kind=RELATION)

    def aggregate(place: tuple, agg: AggregateOutcomes, diagnosed: int, part_places: Sequence[tuple],
                  effect_parts: Sequence[tuple]) -> None:
        add(place, _answer_values(agg.answers, diagnosed), ANSWER_MEASURES)
        answer_sums(place)
        table(place, part_places, answer_measures, ANSWER_MEASURES, consolidated=True)
        add(("effects", *place[1:]), _effect_values(agg.effects, keys), published_effects)
        effect_measures = tuple(_effect_values(agg.effects, keys))
        table(("effects", *place[1:]), effect_parts, effect_measures, published_effects, consolidated=True)

    for c in outcomes.categories:
        members = [g for g in outcomes.groups if g.category == c.key]
        aggregate(_category_key(c.key), c, figures.category(c.key).since_start.total.diagnosed,
                  [_group_key(g.group_id, "total") for g in members],
                  [_group_key(g.group_id, "effects") for g in members if g.records_effects])
    aggregate(_NATIONAL_KEY, outcomes.national, figures.national.since_start.total.diagnosed,
              [_category_key(c.key) for c in outcomes.categories],
              [("effects", *_category_key(c.key)[1:]) for c in outcomes.categories])


@dataclass(frozen=True)
class PublishedAnswers:
    """Answers in one place as published (see `reportgen.outcomes.AnswerCounts`).

    `median_bin` is the key of the bin that holds the median answer ('56',
    'later'); it and the shares are hidden with the counts they come from.
    """

    answered: Published
    pending: Published
    unrecorded: Published
    diagnosed_answered: Published
    binned: Published
    within_target: Published
    yield_on_answered: PublishedYield
    share_within_target: Published
    median_bin: Published
    recorded_share: Published  # (answered + pending) / patients: how complete the record is

    @property
    def records(self) -> bool:
        """True when answers are recorded here (or may be: hidden counts count as recorded)."""
        return not (self.answered.value == 0 and self.pending.value == 0)


@dataclass(frozen=True)
class PublishedIndicationAnswers:
    code: str
    answers: PublishedAnswers
    expected_yield: float | None  # from the approved recommendation: public


@dataclass(frozen=True)
class PublishedConsequence:
    key: str
    count: Published
    share: PublishedYield  # of the followed-up patients, with a 95 % Wilson interval


@dataclass(frozen=True)
class PublishedEffects:
    """Effects in one place as published: followed up, each consequence, relatives tested."""

    entries: int
    followed_up: Published
    consequences: tuple[PublishedConsequence, ...]
    relatives_tested: Published
    relatives_per_cascade_patient: Published

    def consequence(self, key: str) -> PublishedConsequence:
        for c in self.consequences:
            if c.key == key:
                return c
        raise KeyError(key)


@dataclass(frozen=True)
class PublishedGroupOutcomes:
    group_id: str
    target_days: int | None
    answers: PublishedAnswers
    by_year: tuple[tuple[int, PublishedAnswers], ...]
    by_region: tuple[tuple[str, PublishedAnswers], ...]
    by_indication: tuple[PublishedIndicationAnswers, ...]
    effects: PublishedEffects | None  # None: the group has no effects entries
    effects_by_year: tuple[tuple[int, PublishedEffects], ...]
    diagnosed_in_effect_years: Published  # the diagnosed patients the followed-up ones are among


@dataclass(frozen=True)
class PublishedAggregateOutcomes:
    key: str
    answers: PublishedAnswers
    effects: PublishedEffects
    parts: tuple[tuple[str, PublishedAnswers, PublishedEffects | None], ...]


@dataclass(frozen=True)
class PublishedOutcomes:
    groups: tuple[PublishedGroupOutcomes, ...]
    categories: tuple[PublishedAggregateOutcomes, ...]
    national: PublishedAggregateOutcomes

    def group(self, group_id: str) -> PublishedGroupOutcomes:
        for g in self.groups:
            if g.group_id == group_id:
                return g
        raise KeyError(group_id)

    def category(self, category: str) -> PublishedAggregateOutcomes:
        for c in self.categories:
            if c.key == category:
                return c
        raise KeyError(category)


def _publish_answers(p: _Publisher, place: tuple, a: AnswerCounts) -> PublishedAnswers:
    def key(measure):
        return (measure, SINCE_START, place)

    y = a.yield_on_answered
    sources = (key("diagnosed_answered"), key("answered"))
    counts = (key("answered"), key("patients"))  # what pending, not recorded and the turnaround follow from
    return PublishedAnswers(
        answered=p.cell(key("answered"), a.answered),
        pending=p.derived(a.pending, *counts),
        unrecorded=p.derived(a.unrecorded, *counts),
        diagnosed_answered=p.cell(key("diagnosed_answered"), a.diagnosed_answered),
        binned=p.derived(a.binned, *counts),
        within_target=p.derived(a.within_target, *counts),
        yield_on_answered=PublishedYield(*(p.derived(None if y is None else v, *sources)
                                           for v in ((y.proportion, y.ci_low, y.ci_high) if y else (0, 0, 0)))),
        share_within_target=p.derived(a.share_within_target, *counts),
        median_bin=p.derived(a.median_bin, *counts),
        recorded_share=p.derived(a.recorded / a.patients if a.patients else None, *counts),
    )


def _publish_effects(p: _Publisher, place: tuple, e: EffectCounts, keys: Sequence[str]) -> PublishedEffects:
    def key(measure):
        return (measure, SINCE_START, place)

    consequences = []
    for k in keys:
        share = e.share(k)
        sources = (key(f"consequence:{k}"), key("followed_up"))
        consequences.append(PublishedConsequence(
            k, p.cell(key(f"consequence:{k}"), e.consequence(k)),
            PublishedYield(*(p.derived(None if share is None else v, *sources)
                             for v in ((share.proportion, share.ci_low, share.ci_high) if share else (0, 0, 0))))))
    cascade = (key(f"consequence:{CASCADE_KEY}"),) if CASCADE_KEY in keys else ()
    return PublishedEffects(
        entries=e.entries,
        followed_up=p.cell(key("followed_up"), e.followed_up),
        consequences=tuple(consequences),
        relatives_tested=p.cell(key("relatives_tested"), e.relatives_tested),
        relatives_per_cascade_patient=p.derived(e.relatives_per_cascade_patient if cascade else None,
                                                key("relatives_tested"), *cascade),
    )


def _publish_outcomes(p: _Publisher, outcomes: ProjectOutcomes, keys: Sequence[str]) -> PublishedOutcomes:
    groups = []
    for g in outcomes.groups:
        gid = g.group_id
        effects = None
        if g.records_effects:
            effects = _publish_effects(p, _group_key(gid, "effects"), g.effects, keys)
        years_with_effects = [y for y, _ in g.effects_by_year]
        groups.append(PublishedGroupOutcomes(
            group_id=gid,
            target_days=g.target_days,
            answers=_publish_answers(p, _group_key(gid, "total"), g.answers),
            by_year=tuple((y, _publish_answers(p, _group_key(gid, "year", y), a)) for y, a in g.by_year),
            by_region=tuple((r, _publish_answers(p, _group_key(gid, "region", r), a)) for r, a in g.by_region),
            by_indication=tuple(PublishedIndicationAnswers(
                i.code, _publish_answers(p, _group_key(gid, "indication", i.code), i.answers), i.expected_yield)
                for i in g.by_indication),
            effects=effects,
            effects_by_year=tuple((y, _publish_effects(p, _group_key(gid, "effects_year", y), e, keys))
                                  for y, e in g.effects_by_year),
            diagnosed_in_effect_years=p.derived(
                g.diagnosed_in_effect_years,
                *(("diagnosed", SINCE_START, _group_key(gid, "year", y)) for y in years_with_effects)),
        ))
    by_group = {g.group_id: g for g in outcomes.groups}

    def aggregate(place: tuple, agg: AggregateOutcomes, part_place) -> PublishedAggregateOutcomes:
        parts = []
        for key, answers, effects in agg.parts:
            a_place = part_place(key)
            records = by_group[key].records_effects if key in by_group else True
            e_place = ("effects", *a_place[1:]) if key not in by_group else _group_key(key, "effects")
            parts.append((key, _publish_answers(p, a_place, answers),
                          _publish_effects(p, e_place, effects, keys) if records else None))
        return PublishedAggregateOutcomes(agg.key, _publish_answers(p, place, agg.answers),
                                          _publish_effects(p, ("effects", *place[1:]), agg.effects, keys),
                                          tuple(parts))

    categories = tuple(aggregate(_category_key(c.key), c, lambda k: _group_key(k, "total"))
                       for c in outcomes.categories)
    national = aggregate(_NATIONAL_KEY, outcomes.national, _category_key)
    return PublishedOutcomes(tuple(groups), categories, national)
