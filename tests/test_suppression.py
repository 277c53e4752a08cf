"""Small-count suppression, attacked by readers written here, independently of the production code.

The attacker is an exhaustive search over integer solutions of the published
sums (split a domain in two, prune what interval reasoning rules out). For
each hidden count it asks how far the count can go down and up within
`min_range - 1` of its value: if no two solutions put it `min_range` values
apart, the count is narrowed too far and the test fails. The sums are
written from the published figures as a reader sees them (`reader_system`),
not taken from the production model; the attackers are an outsider, each
region (which knows its own counts, and every count made of its patients
alone) and each group's network (its own group's counts).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from factories import make_config, make_group, make_project, row
from reportgen.figures import project_figures
from reportgen.model import CATEGORIES, Month
from packagehelpers import suppress_small_counts
from reportgen.suppression import Published, Status, publish_figures
from reportgen.suppression_values import HIDDEN, rounding_interval

# Examples per property; REPORTGEN_HYPOTHESIS_SCALE=20 runs twenty times as many (a deeper, slower search).
SCALE = float(os.environ.get("REPORTGEN_HYPOTHESIS_SCALE", "1"))


def fast(max_examples: int) -> settings:
    return settings(
        max_examples=max(1, int(max_examples * SCALE)), deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


# --- the attacker ----------------------------------------------------------------


def solution_exists(domains: dict, equalities: list, at_most: list) -> bool:
    """Is there an integer assignment within `domains` (finite) meeting every sum?

    equalities: (left, right) lists of names with sum(left) == sum(right);
    at_most: (left, right) with sum(left) <= sum(right). Exhaustive: split a
    domain in two and search both halves, pruning with interval reasoning; a
    question that takes the search over SEARCH_BUDGET nodes goes to HiGHS.
    """
    names = list(domains)
    index = {name: i for i, name in enumerate(names)}
    rows = []  # (terms [(variable, +-1)], equal): sum(c * x) <= 0, and >= 0 when equal
    for constraints, equal in ((equalities, True), (at_most, False)):
        for left, right in constraints:
            rows.append(([(index[k], 1) for k in left] + [(index[k], -1) for k in right], equal))
    touching = [[] for _ in names]
    for r, (terms, _) in enumerate(rows):
        for v, _ in terms:
            touching[v].append(r)

    def tighten(lo, hi) -> bool:
        """Narrow lo/hi in place; False if some domain runs empty."""
        queue, queued = list(range(len(rows))), [True] * len(rows)
        while queue:
            r = queue.pop()
            queued[r] = False
            terms, equal = rows[r]
            low = sum(lo[v] if c > 0 else -hi[v] for v, c in terms)  # least possible sum
            high = sum(hi[v] if c > 0 else -lo[v] for v, c in terms)
            if low > 0 or (equal and high < 0):
                return False
            for v, c in terms:
                own_low = lo[v] if c > 0 else -hi[v]
                own_high = hi[v] if c > 0 else -lo[v]
                # sum <= 0: c*x <= -(low - own_low);  sum >= 0 (equal): c*x >= -(high - own_high)
                cap_high = -(low - own_low)
                cap_low = -(high - own_high) if equal else None
                new_lo, new_hi = lo[v], hi[v]
                if c > 0:
                    new_hi = min(new_hi, cap_high)
                    if cap_low is not None:
                        new_lo = max(new_lo, cap_low)
                else:
                    new_lo = max(new_lo, -cap_high)
                    if cap_low is not None:
                        new_hi = min(new_hi, -cap_low)
                if new_lo > new_hi:
                    return False
                if (new_lo, new_hi) != (lo[v], hi[v]):
                    lo[v], hi[v] = new_lo, new_hi
                    for other in touching[v]:
                        if not queued[other]:
                            queued[other] = True
                            queue.append(other)
        return True

    nodes = [0]

    def search(lo, hi) -> bool:
        nodes[0] += 1
        if nodes[0] > SEARCH_BUDGET:
            raise _OverBudget
        if not tighten(lo, hi):
            return False
        open_ = [v for v in range(len(names)) if lo[v] < hi[v]]
        if not open_:
            return True
        v = min(open_, key=lambda v: hi[v] - lo[v])
        middle = (lo[v] + hi[v]) // 2
        for a, b in ((lo[v], middle), (middle + 1, hi[v])):
            lo2, hi2 = list(lo), list(hi)
            lo2[v], hi2[v] = a, b
            if search(lo2, hi2):
                return True
        return False

    try:
        return search([domains[n][0] for n in names], [domains[n][1] for n in names])
    except _OverBudget:  # a hard corner for splitting: ask an integer-programming solver the same question
        return _integer_solution_exists(names, domains, rows)


SEARCH_BUDGET = 20_000  # nodes of the split-and-prune search before the solver takes the question


class _OverBudget(Exception):
    pass


def _integer_solution_exists(names: list, domains: dict, rows: list) -> bool:
    """The same question to HiGHS as a feasibility program: whole numbers within the domains, every sum
    (`rows`, as written above) met. Exact, and still independent of the production code's model."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n = len(names)
    h.addVars(n, [float(domains[name][0]) for name in names], [float(domains[name][1]) for name in names])
    h.changeColsIntegrality(n, list(range(n)), [highspy.HighsVarType.kInteger] * n)
    for terms, equal in rows:
        h.addRow(0.0 if equal else -highspy.kHighsInf, 0.0, len(terms),
                 [v for v, _ in terms], [float(c) for _, c in terms])
    h.run()
    status = h.getModelStatus()
    assert status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible), status
    return status == highspy.HighsModelStatus.kOptimal


def reader_domain(status: Status, raw: int, min_count: int, cap: int, base: int = 5) -> tuple[int, int]:
    """What the marker alone tells a reader (cap: what the published analyses allow)."""
    if status is Status.PUBLISHED:
        return raw, raw
    if status is Status.ROUNDED:
        low, high = rounding_interval(raw, base)
        return low, min(high, cap)
    if status is Status.PRIMARY:
        return 1, min(min_count - 1, cap)
    assert status in (Status.SECONDARY, Status.WITHHELD)
    return 0, cap  # "x": any count


def narrowed_cells(raw: dict, status: dict, min_count: int, equalities: list, at_most: list, *,
                   caps: dict | None = None, known: set = frozenset(), min_range: int = 3) -> list:
    """Hidden counts (not in `known`) that no two solutions put min_range values apart."""
    caps = caps or {}
    default_cap = max(raw.values(), default=0) + 2 * min_count + 10
    status, bases = status if isinstance(status, tuple) else (status, {})
    domains = {name: (raw[name], raw[name]) if name in known else
               reader_domain(status[name], raw[name], min_count, caps.get(name, default_cap), bases.get(name, 5))
               for name in raw}
    assert all(lo <= raw[n] <= hi for n, (lo, hi) in domains.items())
    # The true values are one solution; a model they break would make every cell look narrowed.
    assert all(sum(raw[k] for k in left) == sum(raw[k] for k in right) for left, right in equalities)
    assert all(sum(raw[k] for k in left) <= sum(raw[k] for k in right) for left, right in at_most)
    narrowed = []
    for name, value in raw.items():
        if status[name] not in HIDDEN or name in known:
            continue
        lo, hi = domains[name]

        def feasible(v):
            return lo <= v <= hi and solution_exists({**domains, name: (v, v)}, equalities, at_most)

        low = next((v for v in range(value - min_range + 1, value) if feasible(v)), value)
        high = next((v for v in range(value + min_range - 1, value, -1) if feasible(v)), value)
        if high - low + 1 < min_range:
            narrowed.append(name)
    return narrowed


# --- one table -----------------------------------------------------------------------


cell_values = st.one_of(st.integers(0, 6), st.integers(0, 30))


@fast(100)
@given(st.lists(cell_values, min_size=1, max_size=6))
def test_no_hidden_cell_of_a_column_can_be_narrowed(cells):
    column = suppress_small_counts(dict(enumerate(cells)), 5)
    raw = {i: v for i, v in enumerate(cells)} | {"total": sum(cells)}
    status = {i: p.status for i, p in column.cells} | {"total": column.total.status}
    assert narrowed_cells(raw, status, 5, [(list(range(len(cells))), ["total"])], []) == []
    for (i, p), value in zip(column.cells, cells):
        if p.status is Status.PUBLISHED:
            assert p.value == value
        if value == 0:
            assert p.status is Status.PUBLISHED  # zero is never hidden: it protects no one
        if 0 < value < 5:
            assert p.status in (Status.PRIMARY, Status.WITHHELD)


@pytest.mark.parametrize(
    "cells, expected_cells, expected_total",
    [
        ([12, 7], ["12", "7"], "19"),
        ([0, 0, 0], ["0", "0", "0"], "0"),
        ([3, 10, 20], ["<5", "x", "20"], "33"),  # 3 = 33 - 10 - 20 without the x
        ([4], ["<5"], "<5"),
    ],
)
def test_suppress_small_counts(cells, expected_cells, expected_total):
    column = suppress_small_counts(dict(enumerate(cells)), 5)
    assert ([p.text for _, p in column.cells], column.total.text) == (expected_cells, expected_total)


def test_raw_values_stay_out_of_published_objects_unless_asked_for():
    safe = suppress_small_counts({"a": 3, "b": 10, "c": 20}, 5)
    assert all(p.unsafe_raw is None for _, p in safe.cells)
    assert "3" not in repr(safe.cell("a")) and "10" not in repr(safe.cell("b"))
    internal = suppress_small_counts({"a": 3, "b": 10, "c": 20}, 5, unsafe_raw=True)
    assert [p.unsafe_raw for _, p in internal.cells] == [3, 10, 20]
    assert [p.text for _, p in internal.cells] == ["<5", "x", "20"]  # the view itself is unchanged
    assert internal.cell("c") == Published(20, Status.PUBLISHED)


# --- the whole project ----------------------------------------------------------------------

SMALL_REGIONS = {"hovedstaden": ("Region Hovedstaden", 1_911_067), "sjaelland": ("Region Sjælland", 852_953), "nordjylland": ("Region Nordjylland", 593_135)}


@st.composite
def small_projects(draw):
    min_count = 5
    config = make_config(regions=SMALL_REGIONS, min_count=min_count)
    as_of = dt.date(2024, 5, 31)
    groups = []
    for index in range(draw(st.integers(1, 3))):
        since = draw(st.sampled_from([dt.date(2022, 11, 1), dt.date(2023, 3, 15), dt.date(2023, 9, 1)]))
        months = [Month.from_index(i) for i in range(Month.of(since).index, Month.of(as_of).index + 1)]
        codes = ["I1", "I2"][: draw(st.integers(1, 2))]
        keys = draw(st.lists(st.tuples(st.sampled_from(months), st.sampled_from(list(SMALL_REGIONS)), st.sampled_from(codes)),
                             unique=True, max_size=5))
        rows = []
        for month, region, code in keys:
            patients = draw(st.one_of(st.integers(0, 4), st.integers(0, 15)))
            rows.append(row(str(month), region, code, patients, germline=patients + 1, diagnosed=draw(st.integers(0, patients))))
        groups.append(make_group(f"g{index}", category=draw(st.sampled_from(CATEGORIES)), since=since, as_of=as_of,
                                 indications=tuple((c, 40) for c in codes), rows=tuple(rows)))
    return make_project(groups, config)


def reader_system(published):
    """Every published person count of a project, and the sums a reader knows hold between them.

    Written from what the reports show and the calendar, as a reader would:
    each breakdown adds up to its total; the groups add up to their category
    and the categories to the nation; the latest 12 months are part of the
    months since start; they hold the cut-off year so far and maybe the end
    of the year before; and diagnosed <= patients in every set of months.
    """
    values: dict = {}
    status: dict = {}
    bases: dict = {}  # a rounded count's rounding base (privacy.rounding_base or a multiple of it)
    caps: dict = {}  # patients <= analyses, which are always published; so diagnosed too
    equalities: list = []
    at_most: list = []
    P, D = "patients", "diagnosed"

    def add(name, counts):
        for measure in (P, D):
            figure = getattr(counts, measure)
            values[(measure, *name)] = figure.unsafe_raw
            status[(measure, *name)] = figure.status
            bases[(measure, *name)] = figure.base or 5
            caps[(measure, *name)] = counts.analyses.total

    def equal(total, parts):
        for m in (P, D):
            equalities.append(([(m, *total)], [(m, *p) for p in parts]))

    def below(smaller, larger, measures=(P, D)):
        for m in measures:
            at_most.append(([(m, *s) for s in smaller], [(m, *l) for l in larger]))

    def fewer_diagnosed(plus, minus):
        """diagnosed <= patients for the months sum(plus) - sum(minus)."""
        at_most.append(([(D, *n) for n in plus] + [(P, *n) for n in minus], [(P, *n) for n in plus] + [(D, *n) for n in minus]))

    for g in published.groups:
        cells = {}
        for w in ("since_start", "latest_12_months"):
            window = g.window(w)
            cells[w] = [(g.group_id, w, "total")]
            add(cells[w][0], window.total)
            for kind, items, attr in (("year", window.by_year, "year"), ("region", window.by_region, "region"),
                                      ("indication", window.by_indication, "code")):
                parts = [(g.group_id, w, kind, getattr(item, attr)) for item in items]
                for part, item in zip(parts, items):
                    add(part, item.counts)
                    fewer_diagnosed([part], [])
                if parts:  # the latest 12 months are not split by year
                    equal(cells[w][0], parts)
                if kind != "year":
                    cells[w] += parts
            fewer_diagnosed([cells[w][0]], [])
        window_start = max(g.in_operation_since, Month.from_index(Month.of(g.as_of).index - 11).first_day())
        covered = window_start == g.in_operation_since
        for since, latest in zip(cells["since_start"], cells["latest_12_months"]):
            below([latest], [since])  # the earlier months are >= 0 ...
            fewer_diagnosed([since], [latest])  # ... with diagnosed <= patients among them
            if covered:
                below([since], [latest])
        latest = (g.group_id, "latest_12_months", "total")
        this_year = (g.group_id, "since_start", "year", g.as_of.year)
        year_before = (g.group_id, "since_start", "year", g.as_of.year - 1)
        if window_start.year == g.as_of.year:
            equal(latest, [this_year])
        else:
            below([this_year], [latest])  # the late part of the year before is >= 0 ...
            fewer_diagnosed([latest], [this_year])
            below([latest], [this_year, year_before])  # ... and so is the early part
            fewer_diagnosed([year_before, this_year], [latest])
            if covered:
                below([this_year, year_before], [latest])
    for c in published.categories:
        for w in ("since_start", "latest_12_months"):
            window = c.window(w)
            add(("category", c.category, w), window.total)
            for part in window.parts:
                assert part.counts == published.group(part.key).window(w).total  # the same figure in both reports
            equal(("category", c.category, w), [(p.key, w, "total") for p in window.parts])
    for w in ("since_start", "latest_12_months"):
        add(("national", w), published.national.window(w).total)
        equal(("national", w), [("category", c.category, w) for c in published.categories])
    return values, (status, bases), equalities, at_most, caps


def attackers(project, values):
    """Each attacker's name and the counts it knows: a region's own, and a group network's own."""
    rows = [(g.id, g.category, r) for g in project.groups for r in g.statistics.monthly]

    def in_window(gid, window, month):
        if window == "since_start":
            return True
        g = project.group(gid)
        as_of = g.statistics.as_of
        return month >= Month.of(max(g.in_operation_since, Month.from_index(Month.of(as_of).index - 11).first_day()))

    def contributors(name):
        measure, *place = name
        if place[0] in ("category", "national"):
            window = place[-1]
            chosen = [x for x in rows if (place[0] == "national" or x[1] == place[1]) and in_window(x[0], window, x[2].month)]
        else:
            gid, window, kind, *member = place
            chosen = [x for x in rows if x[0] == gid and in_window(gid, window, x[2].month)
                      and (kind == "total" or (kind == "year" and x[2].month.year == member[0])
                           or (kind == "region" and x[2].region == member[0])
                           or (kind == "indication" and x[2].indication == member[0]))]
        return {(x[0], x[2].region) for x in chosen if getattr(x[2], measure)}

    who = {name: contributors(name) for name in values}
    yield "an outsider", set()
    for region in project.config.regions:
        own = {n for n, c in who.items() if (len(n) > 4 and n[3] == "region" and n[4] == region)
               or (c and all(r == region for _, r in c))}
        yield f"region {region}", own
    for g in project.groups:
        yield f"the network of {g.id}", {n for n, c in who.items() if n[1] == g.id or (c and all(x == g.id for x, _ in c))}


@settings(max_examples=max(1, int(15 * SCALE)), deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # shrinking a project takes minutes
@given(small_projects())
def test_no_attacker_narrows_a_hidden_count_of_a_project(project):
    figures = project_figures(project)
    published = publish_figures(figures, project.config, unsafe_raw=True,
                                rows={g.id: g.statistics.monthly for g in project.groups})
    values, status, equalities, at_most, caps = reader_system(published)
    for name, known in attackers(project, values):
        assert narrowed_cells(values, status, 5, equalities, at_most, caps=caps, known=known) == [], name
    # The internal build hides exactly what the public one hides.
    public = publish_figures(figures, project.config, rows={g.id: g.statistics.monthly for g in project.groups})
    assert [g.since_start.total.patients.status for g in public.groups] == [g.since_start.total.patients.status for g in published.groups]


def all_counts(published):
    for g in published.groups:
        for w in ("since_start", "latest_12_months"):
            window = g.window(w)
            yield window.total
            yield from (y.counts for y in window.by_year)
            yield from (r.counts for r in window.by_region)
            yield from (i.counts for i in window.by_indication)
    for aggregate in (*published.categories, published.national):
        for w in ("since_start", "latest_12_months"):
            yield aggregate.window(w).total
            yield from (p.counts for p in aggregate.window(w).parts)


@fast(40)
@given(small_projects())
def test_figures_derived_from_hidden_counts_are_hidden(project):
    published = publish_figures(project_figures(project), project.config, unsafe_raw=True,
                                rows={g.id: g.statistics.monthly for g in project.groups})
    m = project.config.min_count
    for counts in all_counts(published):
        shown = counts.patients.status is Status.PUBLISHED and counts.diagnosed.status is Status.PUBLISHED
        for figure in (counts.diagnostic_yield.proportion, counts.diagnostic_yield.ci_low, counts.diagnostic_yield.ci_high):
            rounded = Status.ROUNDED in (counts.patients.status, counts.diagnosed.status)
            if rounded and counts.patients.status in (Status.PUBLISHED, Status.ROUNDED) and \
                    counts.diagnosed.status in (Status.PUBLISHED, Status.ROUNDED):
                assert figure.status is Status.ROUNDED or counts.patients.value == 0
            elif not shown:
                assert (figure.status, figure.value, figure.marker) == (Status.DERIVED, None, "x")
            elif counts.patients.value == 0:
                assert (figure.status, figure.value, figure.marker) == (Status.UNDEFINED, None, "–")
            else:
                assert figure.status is Status.PUBLISHED and figure.value is not None
        for figure in (counts.patients, counts.diagnosed):
            if figure.unsafe_raw == 0:
                assert figure.status is Status.PUBLISHED and figure.value == 0
            if figure.status is Status.PRIMARY:
                assert 0 < figure.unsafe_raw < m and figure.text == f"<{m}"
    for g in published.groups:
        for w in ("since_start", "latest_12_months"):
            for r in g.window(w).by_region:
                for rate in (r.patients_per_100k, r.patients_per_100k_per_year):
                    assert (rate.status is Status.PUBLISHED) == (r.counts.patients.status is Status.PUBLISHED)
            for i in g.window(w).by_indication:
                assert (i.patients_vs_expected.status is Status.DERIVED) == (i.counts.patients.status is not Status.PUBLISHED)


def test_published_project_has_no_raw_values_by_default():
    rows = (row("2024-05", "hovedstaden", "I1", patients=3, germline=3, diagnosed=1),
            row("2024-05", "sjaelland", "I1", patients=40, germline=40, diagnosed=10))
    project = make_project([make_group("a", rows=rows)])
    published = publish_figures(project_figures(project), project.config)
    assert published.unsafe_raw is False
    for counts in all_counts(published):
        for figure in (counts.patients, counts.diagnosed, counts.diagnostic_yield.proportion):
            assert figure.unsafe_raw is None
            if figure.is_suppressed:
                assert figure.value is None
    hovedstaden = published.group("a").since_start.by_region[0]
    assert hovedstaden.counts.patients.text == "<5" and hovedstaden.patients_per_100k.text == "x"


def test_a_tiny_group_rounds_the_category_and_national_totals_not_another_group():
    # Group "b" has 3 patients in all; the rare total would give it away: the totals above it are rounded.
    rows_a = (row("2024-05", "hovedstaden", "I1", patients=40, germline=40, diagnosed=10),
              row("2024-05", "sjaelland", "I1", patients=12, germline=40, diagnosed=10))
    rows_b = (row("2024-05", "sjaelland", "I1", patients=3, germline=3, diagnosed=1),
              row("2024-05", "nordjylland", "I1", patients=1, germline=3, diagnosed=0))
    rows_c = (row("2024-05", "nordjylland", "I1", patients=30, germline=30, diagnosed=9),
              row("2024-05", "hovedstaden", "I1", patients=30, germline=30, diagnosed=9))
    project = make_project([make_group("a", rows=rows_a), make_group("b", rows=rows_b),
                            make_group("c", category="cancer", rows=rows_c)])
    published = publish_figures(project_figures(project), project.config,
                                rows={g.id: g.statistics.monthly for g in project.groups})
    rare = published.category("rare").since_start
    assert [p.counts.patients.text for p in rare.parts][0] == "52"  # another group's own total stays
    assert rare.parts[1].counts.patients.is_suppressed
    assert rare.total.patients.is_rounded or rare.total.patients.is_suppressed
    assert published.group("a").since_start.total.patients.text == "52"
