"""The exact audit: every attacker's narrowest range, a weak pattern caught, and the shipped data protected."""

from __future__ import annotations

import itertools
import math
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.audit import OUTSIDER, Attacker, audit, audit_published, require_protected
from reportgen.cli import main
from reportgen.errors import InputError
from reportgen.loader import load_project
from reportgen.suppression import publish_project
from reportgen.suppression_engine import CellSystem, Unprotectable
from reportgen.suppression_values import Status, published

REPO = Path(__file__).resolve().parent.parent
REGIONS = ("hovedstaden", "sjaelland", "syddanmark", "midtjylland", "nordjylland")


def region_table(values, total_status=Status.PUBLISHED, upper=None):
    """One group's diagnosed by region, each region knowing its own cell; statuses by primary suppression."""
    system = CellSystem(5, 3)
    system.add_cell("total", sum(values), upper=upper)
    for region, value in zip(REGIONS, values):
        system.add_cell(region, value, known_by=frozenset({("region", region)}), upper=upper)
    system.add_sum("total", list(REGIONS[: len(values)]))
    return system


def test_the_issue_example_is_caught_for_a_region_and_passed_for_an_outsider():
    # diagnosed by region: 17, <5, 10, 13, <5, total 46: the old pattern, two "<5" and the total shown
    system = region_table([17, 3, 10, 13, 3])
    status = system.primary_status()
    result = audit(system, status, exact=True)
    narrowest = result.narrowest()
    assert narrowest[OUTSIDER].width == 3  # 6 = a + b with a, b in 1..4: each of them 2..4
    sjaelland = narrowest["region sjaelland"]
    assert (sjaelland.width, system.cells[sjaelland.cell].key) == (1, "nordjylland")  # its own 3 gives 3 away
    assert {f.attacker for f in result.failures} == {"region sjaelland", "region nordjylland"}


def test_the_chooser_protects_the_issue_example_against_every_region():
    system = region_table([17, 3, 10, 13, 3])
    status = system.choose()
    assert audit(system, status, exact=True).failures == []
    assert status[0] is Status.PUBLISHED  # hiding regions does it; the total is a figure worth keeping


def analyses_table(analyses: int) -> CellSystem:
    system = CellSystem(5, 3)
    system.add_cell("total", 21, upper=40)
    system.add_cell("a", 1, upper=analyses)
    system.add_cell("b", 20, upper=30)
    system.add_sum("total", ["a", "b"])
    return system


def test_analyses_bound_patients():
    # 1 analysis and "<5" patients: 1 patient, however well the rest of the table is hidden
    system = analyses_table(1)
    status = [Status.PUBLISHED, Status.PRIMARY, Status.SECONDARY]
    [r] = audit(system, status, [Attacker(OUTSIDER, frozenset())], exact=True).ranges[:1]
    assert (r.low, r.high) == (1, 1)  # "<5" is 1..4, and at most 1 analysis: exactly 1
    with pytest.raises(Unprotectable):  # even "x" (0 or 1) is narrower than 3 values
        system.choose()
    # With 2 analyses, "x" (0, 1 or 2) is enough: the "<5" is shown as "x", and another cell hidden
    system = analyses_table(2)
    status = system.choose()
    assert status[1] is Status.WITHHELD and audit(system, status, exact=True).failures == []


def test_a_weak_pattern_on_the_shipped_data_is_caught_and_named():
    project = load_project(REPO)
    published = publish_project(project)
    system, status = published.protection
    assert audit(system, status).failures == []
    weak = list(status)
    for i, s in enumerate(weak):  # show every "x" again: only the "<5" stay hidden
        if s in (Status.SECONDARY, Status.WITHHELD, Status.ROUNDED) and not system.cells[i].aux:
            weak[i] = Status.PUBLISHED
    failures = audit(system, weak).failures
    assert failures
    assert {f.attacker for f in failures} >= {OUTSIDER}
    with pytest.raises(InputError) as caught:
        require_protected(project, type(published)(**{**published.__dict__, "protection": (system, weak)}))
    [problem] = caught.value.problems
    assert problem.path.startswith("groups/") and "fewer than privacy.min_range (3) values" in problem.message


def test_shipped_data_passes_for_every_attacker_and_keeps_the_headlines():
    project = load_project(REPO)
    published = publish_project(project)
    result = audit_published(published, exact=True)
    assert result.failures == []
    names = {a.name for a in result.attackers}
    assert {OUTSIDER, "region sjaelland", "the network of psykiatri-boern-unge"} <= names and len(names) == 23
    system, status = published.protection
    # The archived 2023 editions are in the model: their totals and the patients added since.
    editions = [c for c in system.cells if c.key[1] == "edition"]
    assert len(editions) == 2 * 13 * 1 + 13  # patients, diagnosed and the auxiliary not diagnosed, per archive
    # Headline figures: national and category totals and each group's own totals are shown, exact or rounded.
    for aggregate in (published.national, *published.categories):
        for w in ("since_start", "latest_12_months"):
            total = aggregate.window(w).total
            assert not total.patients.is_suppressed and not total.diagnosed.is_suppressed
            assert total.diagnostic_yield.proportion.value is not None
    rare = published.category("rare").since_start.total.diagnostic_yield.proportion
    assert rare.status in (Status.PUBLISHED, Status.ROUNDED)
    for g in published.groups:
        assert g.since_start.total.patients.value is not None


def test_the_audit_command(tmp_path, capsys):
    shutil.copy2(REPO / "reportgen.yaml", tmp_path / "reportgen.yaml")
    shutil.copytree(REPO / "groups", tmp_path / "groups")
    assert main(["audit", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("an outsider: narrowest range ") and out[0].endswith(": ok")
    assert len([line for line in out if line.endswith(": ok")]) == 23


def test_a_build_that_would_disclose_writes_nothing(tmp_path, capsys):
    from projects import write_project

    root = write_project(tmp_path / "project")
    heart = root / "groups/hjerte.yaml"
    old = "region: sjaelland, indication: HJ1, patients: 3, analyses: {germline: 7, somatic: 0, rna: 1}, diagnosed: 1"
    assert old in heart.read_text(encoding="utf-8")
    # 1 patient with 1 analysis: "<5" or "x", a reader knows it is 0 or 1
    heart.write_text(heart.read_text(encoding="utf-8").replace(
        old, "region: sjaelland, indication: HJ1, patients: 1, analyses: {germline: 1, somatic: 0, rna: 0}, "
             "diagnosed: 1"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(root), "--format", "html", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "groups/hjerte.yaml:1:1: publishing would disclose a small count (" in err
    assert "region sjaelland" in err and "Traceback" not in err
    assert not out.exists() or not any(out.rglob("*.html"))
    assert main(["audit", str(root)]) == 1


def test_a_disclosing_build_names_the_count_and_the_reader_in_danish(tmp_path, capsys):
    """The clinicians' language throughout: the count's measure, period and table, and the reader, in Danish."""
    from projects import write_project

    root = write_project(tmp_path / "project")
    heart = root / "groups/hjerte.yaml"
    old = "region: sjaelland, indication: HJ1, patients: 3, analyses: {germline: 7, somatic: 0, rna: 1}, diagnosed: 1"
    heart.write_text(heart.read_text(encoding="utf-8").replace(
        old, "region: sjaelland, indication: HJ1, patients: 1, analyses: {germline: 1, somatic: 0, rna: 0}, "
             "diagnosed: 1"), encoding="utf-8")
    assert main(["build", str(root), "--messages", "da", "--format", "html", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "groups/hjerte.yaml:1:1: " in err and "Traceback" not in err
    for english in ("publishing would disclose", "since start", "latest 12 months", "'s total", "patients,",
                    "diagnosed,", "an outsider", "the network of"):
        assert english not in err, english
    assert "region sjaelland" in err or "netværket for" in err or "en udenforstående" in err
    assert any(period in err for period in ("siden start", "seneste 12 måneder")), err
    assert main(["audit", str(root), "--messages", "da"]) == 1
    audited = capsys.readouterr().err  # the same located message: no pattern protects the count
    assert audited.splitlines()[0] == err.splitlines()[0] and audited.rstrip().endswith("intet blev revideret")


def test_answers_and_effects_are_in_the_audited_model():
    """The clinical-effect counts join the reader's model: an effects count pinned by its table is caught."""
    project = load_project(REPO)
    published = publish_project(project)
    system, status = published.protection
    keys = {c.key[0] for c in system.cells}
    assert {"answered", "pending", "followed_up", "relatives_tested"} <= keys
    assert any(k.startswith("consequence:") for k in keys)
    assert audit(system, status).failures == []
    # A hidden effects count, and a weak pattern that shows every other count of one of its sums.
    hidden = [i for i, c in enumerate(system.cells)
              if not c.aux and status[i] is Status.PRIMARY and c.key[0] in ("followed_up", "relatives_tested")
              or not c.aux and status[i] is Status.PRIMARY and c.key[0].startswith("consequence:")]
    assert hidden, "the shipped project has a small effects count"
    target = hidden[0]
    weak = list(status)
    t, parts = next(system.sums[s] for s in system.cell_sums[target]
                    if all(not system.cells[j].aux for j in (system.sums[s][0], *system.sums[s][1])))
    for j in (t, *parts):
        if j != target:
            weak[j] = Status.PUBLISHED
    failures = audit(system, weak, [Attacker(OUTSIDER, frozenset())]).failures
    assert any(f.cell == target and f.low == f.high == system.cells[target].raw for f in failures)
    # and the published pattern shows no effects count that the model pins
    shown = published.outcomes
    assert shown is not None and any(g.effects is not None for g in shown.groups)


def test_a_fractional_corner_is_settled_by_the_integer_program():
    # x + y <= 1, y + z <= 1, x + z <= 1 with x, y, z in 0..1: the linear relaxation's best sum is 1.5 at
    # (0.5, 0.5, 0.5), the whole-number best is 1
    from reportgen.suppression_solver import Program

    program = Program([0, 0, 0], [1, 1, 1], [1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 2, 2], [0, 1, 1, 2, 0, 2],
                      [-math.inf] * 3, [1, 1, 1])
    value, point = program.extreme([-1, -1, -1])
    assert value == -1 and point.sum() == 1 and program.satisfied(point)
    assert Program([0], [math.inf], [], [], [], [], []).extreme([-1]) is None  # unbounded


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=2, max_size=4), st.lists(st.integers(0, 9), min_size=2, max_size=4),
       st.data())
def test_the_audit_agrees_with_trying_every_table(rows, columns, data):
    """A two-way table with both margins: each hidden cell's range, by the audit and by brute force."""
    table = [[min(r, c) for c in columns] for r in rows]
    system = CellSystem(5, 3)
    for i, row in enumerate(table):
        for j, value in enumerate(row):
            system.add_cell((i, j), value, upper=value + 2)
        system.add_cell(("row", i), sum(row))
        system.add_sum(("row", i), [(i, j) for j in range(len(columns))])
    for j in range(len(columns)):
        system.add_cell(("column", j), sum(row[j] for row in table))
        system.add_sum(("column", j), [(i, j) for i in range(len(rows))])
    cells = [(i, j) for i in range(len(rows)) for j in range(len(columns))]
    hidden = data.draw(st.sets(st.sampled_from(cells), min_size=1, max_size=4))
    status = [Status.SECONDARY if c.key in hidden else Status.PUBLISHED for c in system.cells]
    result = audit(system, status, [Attacker(OUTSIDER, frozenset())], exact=True)
    hidden = sorted(hidden)
    seen = {k: set() for k in hidden}
    for values in itertools.product(*(range(table[i][j] + 3) for i, j in hidden)):
        filled = [list(row) for row in table]
        for (i, j), v in zip(hidden, values):
            filled[i][j] = v
        if [sum(r) for r in filled] == [sum(r) for r in table] and \
                [sum(c) for c in zip(*filled)] == [sum(c) for c in zip(*table)]:
            for k, v in zip(hidden, values):
                seen[k].add(v)
    for r in result.ranges:
        key = system.cells[r.cell].key
        assert (r.low, r.high) == (min(seen[key]), max(seen[key]))


def headline_table(a: int, b: int, total_upper=None) -> CellSystem:
    """A group's total (a headline figure) of two regions' counts, each region knowing its own."""
    system = CellSystem(5, 3, 5)
    system.add_cell("total", a + b, headline=1000, upper=total_upper, label="the total")
    system.add_cell("a", a, known_by=frozenset({("region", "a")}), label="region a")
    system.add_cell("b", b, known_by=frozenset({("region", "b")}), label="region b")
    system.add_sum("total", ["a", "b"])
    return system


def test_a_headline_is_rounded_wider_where_its_base_cannot_protect_and_never_hidden():
    # 11 + "<5" = 12: rounded to the nearest 5 ("≈10": 8..12), region a learns that b is at most 1, even
    # shown as "x"; rounded to the nearest 10 ("≈10": 5..14), b is anything from 1 to 3
    system = headline_table(11, 1)
    status = system.choose()
    assert (status[0], status[2]) == (Status.ROUNDED, Status.PRIMARY)  # (the outsider's protection hid a)
    assert system.base(0) == 10 and audit(system, status, exact=True).failures == []
    shown = published(12, Status.ROUNDED, 5, rounding_base=system.base(0))
    assert (shown.text, shown.base) == ("≈10", 10)


def test_a_headline_no_rounding_protects_is_a_plain_error_not_a_hidden_total():
    # 9 + "<5" = 10 with 10 analyses: whatever the total shows, region a knows that b is 0 or 1
    system = headline_table(9, 1, total_upper=10)
    with pytest.raises(Unprotectable) as caught:
        system.choose()
    message = str(caught.value)
    assert "rounded to the nearest 5 or even 50" in message and "never hidden" in message
    assert "region a" in message


def test_the_two_region_fixture_rounds_its_headlines_wider_instead_of_hiding_them(tmp_path):
    from projects import write_project

    project = load_project(write_project(tmp_path / "project"))
    published = publish_project(project)
    system, status = published.protection
    assert audit(system, status, exact=True).failures == []
    for i, cell in enumerate(system.cells):
        assert not (cell.headline and status[i] is Status.SECONDARY), cell.label  # never hidden for another count
    heart = published.group("hjerte").since_start.total.diagnosed
    assert heart.is_rounded and heart.base in (10, 25, 50) and heart.value % heart.base == 0
    rare = published.category("rare").since_start.total
    assert rare.diagnosed.is_rounded and rare.diagnostic_yield.proportion.is_rounded
