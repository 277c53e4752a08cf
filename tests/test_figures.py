"""Derived figures: exact values on small groups, and sums that must hold at every level."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import make_config, make_group, make_project, row
from reportgen.figures import (
    Counts,
    MonthlyActivity,
    category_figures,
    diagnostic_yield,
    genome_equivalents,
    group_figures,
    months_in_operation,
    national_figures,
    project_figures,
    target_projection,
    wilson_interval,
)
from reportgen.model import CATEGORIES, SAMPLE_TYPES, Analyses, Month

CONFIG = make_config()

# since 2022-03-14, cut-off 2024-05-31; the latest 12 months are 2023-06..2024-05.
ROWS = (
    row("2022-03", "hovedstaden", "I1", patients=3, germline=5, diagnosed=1),
    row("2023-05", "sjaelland", "I1", patients=4, germline=4, somatic=2, diagnosed=2),
    row("2023-06", "sjaelland", "I2", patients=2, germline=2, rna=1, diagnosed=0),
    row("2024-05", "hovedstaden", "I2", patients=10, germline=12, somatic=1, rna=2, diagnosed=5),
)
MONTHS_SINCE_START = 18 / 31 + 26  # 18 of March 2022's 31 days, then April 2022 .. May 2024


def counts(patients, diagnosed, germline, somatic, rna, ge):
    return Counts(patients, diagnosed, Analyses(germline, somatic, rna), ge)


@pytest.fixture(scope="module")
def figures():
    return group_figures(make_group(rows=ROWS), CONFIG)


def test_totals_since_start(figures):
    assert figures.since_start.total == counts(19, 8, 23, 3, 3, 35)
    assert figures.since_start.first_month == Month(2022, 3)
    assert figures.since_start.last_month == Month(2024, 5)
    assert figures.since_start.months_in_operation == pytest.approx(MONTHS_SINCE_START, abs=1e-12)


def test_totals_latest_12_months_start_with_the_eleventh_month_before_the_cut_off(figures):
    latest = figures.latest_12_months
    assert latest.total == counts(12, 5, 14, 1, 3, 20)  # 2023-05 is outside, 2023-06 inside
    assert (latest.first_month, latest.last_month) == (Month(2023, 6), Month(2024, 5))
    assert latest.months_in_operation == 12.0
    assert latest.by_year == ()


@pytest.mark.parametrize(
    "year, expected",
    [(2022, counts(3, 1, 5, 0, 0, 5)), (2023, counts(6, 2, 6, 2, 1, 13)), (2024, counts(10, 5, 12, 1, 2, 17))],
)
def test_by_year(figures, year, expected):
    assert figures.since_start.year(year).counts == expected


@pytest.mark.parametrize(
    "region, expected",
    [
        ("hovedstaden", counts(13, 6, 17, 1, 2, 22)),
        ("sjaelland", counts(6, 2, 6, 2, 1, 13)),
        ("syddanmark", Counts()),
        ("midtjylland", Counts()),
        ("nordjylland", Counts()),
    ],
)
def test_by_region_lists_every_region_in_config_order(figures, region, expected):
    assert [r.region for r in figures.since_start.by_region] == list(CONFIG.regions)
    assert figures.since_start.region(region).counts == expected


def test_by_indication_with_expected_patients_pro_rata(figures):
    i1, i2 = figures.since_start.by_indication
    assert (i1.code, i1.counts) == ("I1", counts(7, 3, 9, 2, 0, 15))
    assert (i2.code, i2.counts) == ("I2", counts(12, 5, 14, 1, 3, 20))
    assert i1.expected_patients == pytest.approx(120 * MONTHS_SINCE_START / 12)
    assert i1.patients_vs_expected == pytest.approx(7 / (120 * MONTHS_SINCE_START / 12))
    assert i2.expected_patients is None and i2.patients_vs_expected is None
    latest_i1 = figures.latest_12_months.indication("I1")
    assert latest_i1.expected_patients == pytest.approx(120.0)
    assert latest_i1.counts.patients == 0 and latest_i1.patients_vs_expected == 0.0


def test_regional_rates_since_start_and_per_year(figures):
    h = figures.since_start.region("hovedstaden")
    assert h.population == 1_911_067
    assert h.patients_per_100k == pytest.approx(13 * 100_000 / 1_911_067)
    assert h.patients_per_100k_per_year == pytest.approx(13 * 100_000 / 1_911_067 * 12 / MONTHS_SINCE_START)
    latest = figures.latest_12_months.region("hovedstaden")
    assert latest.patients_per_100k == pytest.approx(10 * 100_000 / 1_911_067)
    assert latest.patients_per_100k_per_year == pytest.approx(10 * 100_000 / 1_911_067)
    assert figures.since_start.region("nordjylland").patients_per_100k == 0.0


def test_annual_rate_of_a_group_younger_than_a_year_is_scaled_up():
    group = make_group(since=dt.date(2024, 3, 1), rows=(row("2024-04", "nordjylland", patients=6, germline=6),))
    latest = group_figures(group, CONFIG).latest_12_months
    assert latest.months_in_operation == 3.0
    assert latest.region("nordjylland").patients_per_100k_per_year == pytest.approx(6 * 100_000 / 593_135 * 4)


def test_monthly_series_has_every_month_and_no_person_counts(figures):
    monthly = figures.monthly
    assert len(monthly) == 27 and monthly[0].month == Month(2022, 3) and monthly[-1].month == Month(2024, 5)
    assert monthly[-1] == MonthlyActivity(Month(2024, 5), Analyses(12, 1, 2), 17)
    assert monthly[1] == MonthlyActivity(Month(2022, 4), Analyses(0, 0, 0), 0)
    assert not hasattr(monthly[0], "patients") and not hasattr(monthly[0], "diagnosed")


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (dt.date(2022, 3, 14), dt.date(2024, 5, 31), 18 / 31 + 26),
        (dt.date(2024, 1, 1), dt.date(2024, 1, 31), 1.0),
        (dt.date(2024, 2, 15), dt.date(2024, 2, 29), 15 / 29),
        (dt.date(2023, 2, 15), dt.date(2023, 2, 28), 14 / 28),
        (dt.date(2024, 3, 1), dt.date(2024, 3, 15), 15 / 31),  # a cut-off in mid-month counts part of it
        (dt.date(2023, 6, 1), dt.date(2024, 5, 31), 12.0),
        (dt.date(2024, 5, 31), dt.date(2024, 5, 31), 1 / 31),
        (dt.date(2024, 6, 1), dt.date(2024, 5, 31), 0.0),
    ],
)
def test_months_in_operation(start, end, expected):
    assert months_in_operation(start, end) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "weights, analyses, expected",
    [
        ({"germline": 1, "somatic": 3, "rna": 1}, Analyses(2, 1, 1), 6),
        ({"germline": 1, "somatic": 3, "rna": 1}, Analyses(0, 0, 0), 0),
        ({"germline": 1, "somatic": 2, "rna": 0}, Analyses(2, 1, 1), 4),  # only the configured weights count
        ({"germline": 2, "somatic": 5, "rna": 7}, Analyses(1, 1, 1), 14),
    ],
)
def test_genome_equivalents_use_the_configured_weights(weights, analyses, expected):
    assert genome_equivalents(analyses, weights) == expected


def test_genome_equivalents_follow_a_change_of_weights():
    group = make_group(rows=ROWS)
    other = group_figures(group, make_config(weights={"germline": 2, "somatic": 1, "rna": 0}))
    assert other.since_start.total.genome_equivalents == 2 * 23 + 1 * 3 + 0 * 3


# Newcombe (1998), Stat Med 17:857, table I, method 3; and R binom.confint(method = "wilson").
@pytest.mark.parametrize(
    "successes, trials, low, high",
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (5, 10, 0.2366, 0.7634),
        (1, 10, 0.0179, 0.4042),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_interval_known_values(successes, trials, low, high):
    assert wilson_interval(successes, trials) == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_is_exact_at_the_extremes():
    assert wilson_interval(0, 7)[0] == 0.0
    assert wilson_interval(7, 7)[1] == 1.0


@pytest.mark.parametrize("successes, trials", [(1, 0), (-1, 5), (6, 5)])
def test_wilson_interval_rejects_impossible_input(successes, trials):
    with pytest.raises(ValueError):
        wilson_interval(successes, trials)


def test_diagnostic_yield(figures):
    y = figures.since_start.total.diagnostic_yield
    assert (y.diagnosed, y.patients, y.proportion) == (8, 19, 8 / 19)
    assert (y.ci_low, y.ci_high) == wilson_interval(8, 19)
    assert diagnostic_yield(0, 0) is None
    assert figures.since_start.region("nordjylland").counts.diagnostic_yield is None


def _series(*values, start=Month(2024, 1)):
    return [MonthlyActivity(Month.from_index(start.index + i), Analyses(v, 0, 0), v) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    "target, series, ge12, expected_month, already, remaining",
    [
        (100, _series(10, 20, 30), 60, Month(2024, 11), False, 40),  # 40 left at 5 a month: 8 months after March
        (70, _series(10, 20, 30), 120, Month(2024, 4), False, 10),  # 10 left at 10 a month: the next month
        (71, _series(10, 20, 30), 120, Month(2024, 5), False, 11),
        (100, _series(10, 20, 30), 0, None, False, 40),  # no activity: never
        (25, _series(10, 20, 30), 60, Month(2024, 2), True, 0),  # reached in February
        (60, _series(10, 20, 30), 60, Month(2024, 3), True, 0),  # reached exactly in March
    ],
)
def test_target_projection(target, series, ge12, expected_month, already, remaining):
    projection = target_projection(target, series, ge12, dt.date(2024, 3, 31))
    assert projection.genome_equivalents == 60
    assert projection.remaining == remaining
    assert projection.already_reached is already
    assert projection.reached_in == expected_month
    assert projection.per_month == ge12 / 12
    assert projection.share_of_target == 60 / target


def test_consolidated_and_national_from_a_small_project():
    config = make_config(target=100)
    rare = make_group("a", rows=ROWS)
    rare2 = make_group("b", since=dt.date(2024, 1, 1), rows=(row("2024-02", "nordjylland", patients=5, germline=5, somatic=1),))
    cancer = make_group("c", category="cancer", rows=(row("2023-12", "syddanmark", patients=7, somatic=7, diagnosed=3),))
    figures = project_figures(make_project([rare, rare2, cancer], config))
    r, c = figures.category("rare"), figures.category("cancer")
    assert [g.group_id for g in r.groups] == ["a", "b"]
    assert r.since_start.total == counts(24, 8, 28, 4, 3, 35 + 8)
    assert c.since_start.total == counts(7, 3, 0, 7, 0, 21)
    n = figures.national
    assert n.since_start.total == counts(31, 11, 28, 11, 3, 64)
    assert n.since_start.year(2024).counts == counts(15, 5, 17, 2, 2, 25)
    assert n.target.genome_equivalents == 64 and n.target.remaining == 36
    # Latest 12 months: a 20 + b 8 + c 21 = 49 genome equivalents, 49/12 a month; 36 left takes 9 months after May.
    assert n.latest_12_months.total.genome_equivalents == 49
    assert n.target.reached_in == Month(2025, 2)
    assert n.monthly[0].month == Month(2022, 3) and n.monthly[-1].month == Month(2024, 5)


def test_empty_category():
    figures = project_figures(make_project([make_group("a", rows=ROWS)]))
    cancer = figures.category("cancer")
    assert cancer.groups == () and cancer.as_of is None and cancer.since_start.total == Counts()
    assert cancer.monthly == ()


# --- properties ----------------------------------------------------------------

REGION_KEYS = list(CONFIG.regions)


@st.composite
def groups(draw, index: int):
    since = draw(st.dates(dt.date(2021, 1, 1), dt.date(2024, 4, 30)))
    as_of = draw(st.dates(since, dt.date(2024, 12, 31)))
    months = [Month.from_index(i) for i in range(Month.of(since).index, Month.of(as_of).index + 1)]
    codes = [f"I{k}" for k in range(1, draw(st.integers(1, 3)) + 1)]
    per_year = draw(st.lists(st.one_of(st.none(), st.integers(0, 300)), min_size=len(codes), max_size=len(codes)))
    cells = draw(
        st.lists(st.tuples(st.sampled_from(months), st.sampled_from(REGION_KEYS), st.sampled_from(codes)), unique=True, max_size=15)
    )
    rows = []
    for month, region, code in cells:
        g, s, r = draw(st.integers(0, 40)), draw(st.integers(0, 10)), draw(st.integers(0, 10))
        patients = draw(st.integers(0, g + s + r))
        diagnosed = draw(st.integers(0, patients))
        rows.append(row(str(month), region, code, patients, g, s, r, diagnosed))
    return make_group(
        f"g{index}",
        category=draw(st.sampled_from(CATEGORIES)),
        since=since,
        as_of=as_of,
        indications=tuple(zip(codes, per_year)),
        rows=tuple(rows),
    )


@st.composite
def projects(draw):
    weights = {t: draw(st.integers(0, 5)) for t in SAMPLE_TYPES}
    n = draw(st.integers(1, 4))
    return make_project([draw(groups(i)) for i in range(n)], make_config(weights=weights))


def weighted(rows, weights):
    """Genome equivalents summed row by row, independently of the production code."""
    return sum(weights["germline"] * r.analyses.germline + weights["somatic"] * r.analyses.somatic + weights["rna"] * r.analyses.rna for r in rows)


def by_hand(rows, weights):
    return Counts(
        sum(r.patients for r in rows),
        sum(r.diagnosed for r in rows),
        Analyses(*(sum(getattr(r.analyses, t) for r in rows) for t in SAMPLE_TYPES)),
        weighted(rows, weights),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_sums_hold_at_every_level(project):
    weights = project.config.weights
    figures = project_figures(project)
    for group, gf in zip(project.groups, figures.groups):
        rows = group.statistics.monthly
        window_start = max(group.in_operation_since, Month.from_index(Month.of(group.statistics.as_of).index - 11).first_day())
        recent = [r for r in rows if r.month >= Month.of(window_start)]
        assert gf.since_start.total == by_hand(rows, weights)
        assert gf.latest_12_months.total == by_hand(recent, weights)
        for name, selected in (("since_start", rows), ("latest_12_months", recent)):
            window = gf.window(name)
            for reg in window.by_region:
                assert reg.counts == by_hand([r for r in selected if r.region == reg.region], weights)
            for ind in window.by_indication:
                assert ind.counts == by_hand([r for r in selected if r.indication == ind.code], weights)
        for year in gf.since_start.by_year:
            assert year.counts == by_hand([r for r in rows if r.month.year == year.year], weights)
        for m in gf.monthly:
            assert m.genome_equivalents == weighted([r for r in rows if r.month == m.month], weights)
        assert sum(m.genome_equivalents for m in gf.monthly) == gf.since_start.total.genome_equivalents

    all_rows = [r for g in project.groups for r in g.statistics.monthly]
    for cf in figures.categories:
        members = [g for g in project.groups if g.category == cf.category]
        member_rows = [r for g in members for r in g.statistics.monthly]
        assert cf.since_start.total == by_hand(member_rows, weights)
        assert cf.since_start.total == _sum(g.since_start.total for g in cf.groups)
        assert cf.latest_12_months.total == _sum(g.latest_12_months.total for g in cf.groups)
        for reg in cf.since_start.by_region:
            assert reg.counts == by_hand([r for r in member_rows if r.region == reg.region], weights)
            assert reg.patients_per_100k_per_year == pytest.approx(
                sum(g.since_start.region(reg.region).patients_per_100k_per_year for g in cf.groups)
            )
        for year in cf.since_start.by_year:
            assert year.counts == by_hand([r for r in member_rows if r.month.year == year.year], weights)
        for m in cf.monthly:
            assert m.genome_equivalents == weighted([r for r in member_rows if r.month == m.month], weights)

    n = figures.national
    assert n.since_start.total == by_hand(all_rows, weights)
    assert n.since_start.total == _sum(c.since_start.total for c in n.categories)
    assert n.latest_12_months.total == _sum(c.latest_12_months.total for c in n.categories)
    for reg in n.latest_12_months.by_region:
        assert reg.counts == _sum(c.latest_12_months.region(reg.region).counts for c in n.categories)
    assert sum(m.genome_equivalents for m in n.monthly) == n.since_start.total.genome_equivalents
    assert n.target.genome_equivalents == weighted(all_rows, weights)
    if n.target.already_reached:
        assert n.target.reached_in is not None
    elif n.latest_12_months.total.genome_equivalents == 0:
        assert n.target.reached_in is None
    elif n.target.reached_in is None:  # only a projection past year 9999 names no month
        rate = n.latest_12_months.total.genome_equivalents / 12
        assert Month.of(n.as_of).index + n.target.remaining / rate >= 9999 * 12 + 11
    else:
        # The projected month is the first whose cumulative total at the rate meets the target.
        months = n.target.reached_in.index - Month.of(n.as_of).index
        rate = n.latest_12_months.total.genome_equivalents / 12
        assert months * rate >= n.target.remaining - 1e-9
        assert (months - 1) * rate < n.target.remaining


def _sum(items):
    total = Counts()
    for c in items:
        total = total + c
    return total


def test_categories_cover_every_group_once():
    project = make_project([make_group("a", rows=ROWS), make_group("b", category="cancer", rows=ROWS)])
    figures = project_figures(project)
    assert [g.group_id for c in figures.categories for g in c.groups] == ["a", "b"]
    assert category_figures("rare", figures.groups, project.config).groups[0].group_id == "a"
    assert national_figures(figures.categories, project.config).since_start.total.patients == 38
    assert not math.isnan(figures.national.target.share_of_target)
