"""Answers, turnaround and clinical effect: loading, figures, funnel limits, pages, open data and import.

The contract test writes a new group with every new key, builds its page and
open data, and recounts each new figure from the YAML with PyYAML alone.
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from projects import CANCER, CONFIG, HEART, write_project
from reportgen import formatting
from reportgen.cli import main
from reportgen.equity import (
    OUTSIDE_998,
    binomial_quantile,
    poisson_quantile,
    proportion_funnel,
    rate_funnel,
    regional_equity,
)
from reportgen.errors import InputError
from reportgen.figures import wilson_interval
from reportgen.loader import load_project
from reportgen.model import Month, MonthlyRow, Analyses
from reportgen.opendata import open_data_files
from reportgen.outcomes import count_answers, median_bin, within
from reportgen.render import Document, render_document
from reportgen.suppression import Status, publish_project

EFFECTS_CONFIG = CONFIG + """\
turnaround:
  bins_days: [28, 56, 84]
  target_days: {rare: 56, cancer: 28}
effects:
  changed_treatment:
    label: {da: Ændret behandling, en: Changed treatment}
    definition: {da: "Behandlingen blev ændret.", en: "Treatment was changed."}
  cascade_testing:
    label: {da: Kaskadetestning, en: Cascade testing}
    definition: {da: "Slægtninge fik tilbudt test.", en: "Relatives were offered a test."}
"""
EFFECTS_CONFIG = EFFECTS_CONFIG.replace("""    weights: {germline: 1, somatic: 3, rna: 1}
""", """    weights: {germline: 1, somatic: 3, rna: 1}
  relatives:
    label: {da: Pårørende, en: Relatives}
    definition: {da: "Slægtninge testet.", en: "Relatives tested."}
""")

# The heart group of tests/projects.py with answers in its rows, expected yields and effects.
# Line numbers matter: the bad-input table below asserts exact lines and columns.
HEART_ANSWERS = HEART.replace(
    "    expected_patients_per_year: 120\n", "    expected_patients_per_year: 120\n    expected_yield: 0.30\n"
).replace(
    "diagnosed: 4}", "diagnosed: 4, answered: 12, answered_within_days: {28: 4, 56: 6, 84: 1, later: 1}}"
).replace(
    "diagnosed: 1}", "diagnosed: 1, answered: 3, answered_within_days: {28: 1, 56: 1, 84: 1, later: 0}}"
).replace(
    "cases:\n", """effects:
  - period: 2024
    followed_up: 6
    changed_treatment: 2
    cascade_testing: 3
    relatives_tested: 7
    source: Netværkets registrering
cases:
""")


def problems(tmp_path: Path, heart: str) -> list[str]:
    write_project(tmp_path, {"hjerte": heart, "kraeft": CANCER}, config=EFFECTS_CONFIG)
    try:
        load_project(tmp_path)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return []


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(line for line in text.splitlines() if needle in line)) + 1


def test_the_heart_group_with_answers_and_effects_loads(tmp_path):
    assert problems(tmp_path, HEART_ANSWERS) == []
    group = load_project(tmp_path).group("hjerte")
    assert group.statistics.monthly[0].answered == 12
    assert dict(group.statistics.monthly[0].answered_within_days) == {"28": 4, "56": 6, "84": 1, "later": 1}
    assert group.indications[0].expected_yield == 0.30
    assert group.effects[0].consequences == (("changed_treatment", 2), ("cascade_testing", 3))


BAD = [
    pytest.param("answered: 12, answered_within_days: {28: 4,", "answered: 15, answered_within_days: {28: 7,",
                 "month: 2024-01", "15,",
                 "'answered' is 15, more than 'patients' (14); answered patients are counted among the patients "
                 "referred that month", id="answered_above_patients"),
    pytest.param("answered: 12, answered_within_days: {28: 4, 56: 6, 84: 1, later: 1}",
                 "answered: 3, answered_within_days: {28: 0, 56: 2, 84: 1, later: 0}", "month: 2024-01", "3,",
                 "'answered' is 3, fewer than 'diagnosed' (4); a patient is diagnosed only once answered, so "
                 "diagnosed <= answered <= patients", id="answered_below_diagnosed"),
    pytest.param("{28: 4, 56: 6, 84: 1, later: 1}", "{28: 4, 56: 6, 84: 1, later: 2}", "month: 2024-01",
                 "{28: 4, 56: 6, 84: 1, later: 2}",
                 "'answered_within_days' adds up to 4 + 6 + 1 + 2 = 13, but 'answered' is 12; every answered "
                 "patient falls in exactly one bin", id="bins_not_summing"),
    pytest.param("{28: 4, 56: 6, 84: 1, later: 1}", "{28: 4, 56: 6, 84: 1, late: 1}", "month: 2024-01",
                 "{28: 4, 56: 6, 84: 1, late",
                 "'answered_within_days' must have exactly the bins 28, 56, 84, later (turnaround.bins_days in "
                 "reportgen.yaml, then later): late is not a bin (did you mean 'later'?); later is missing",
                 id="bins_wrong_key"),
    pytest.param("    changed_treatment: 2\n", "    changed_treatment: 7\n", "changed_treatment: 7",
                 "7",
                 "'changed_treatment' is 7, more than 'followed_up' (6); a consequence is counted among the "
                 "followed-up patients", id="consequence_above_followed_up"),
    pytest.param("    changed_treatment: 2\n", "    changed_treatmnt: 2\n", "changed_treatmnt", "changed_treatmnt",
                 "unknown field 'changed_treatmnt' in 'effects[1]'; the consequences counted are those of "
                 "reportgen.yaml's effects (changed_treatment, cascade_testing); did you mean 'changed_treatment'?",
                 id="misspelt_consequence"),
    pytest.param("    followed_up: 6\n", "    followed_up: 9\n", "followed_up: 9", "9",
                 "'followed_up' is 9, more than the patients diagnosed in 2024 (whole group) by the statistics (7); "
                 "only diagnosed patients are followed up", id="followed_up_above_diagnosed"),
    pytest.param("  - period: 2024\n", "  - period: 2021\n", "period: 2021", "2021",
                 "'period' is 2021, outside the years of hjerte's statistics (2024 to 2024)", id="period_outside"),
    pytest.param("    expected_yield: 0.30\n", "    expected_yield: 30 %\n", "expected_yield", "30",
                 "'indications[1].expected_yield' is 30 %; write it as a fraction: 0.3",
                 id="expected_yield_percent"),
]


@pytest.mark.parametrize("old, new, line_has, column_at, message", BAD)
def test_broken_new_keys_are_refused_at_their_place(tmp_path, old, new, line_has, column_at, message):
    assert old in HEART_ANSWERS
    text = HEART_ANSWERS.replace(old, new, 1)
    line = line_of(text, line_has)
    column = text.splitlines()[line - 1].index(column_at) + 1
    assert problems(tmp_path, text) == [f"groups/hjerte.yaml:{line}:{column}: {message}"]


BAD_DA = {
    "answered_above_patients": "'answered' er 15, flere end 'patients' (14); besvarede patienter tælles blandt de "
                               "patienter, der blev henvist i måneden",
    "bins_not_summing": "'answered_within_days' giver 4 + 6 + 1 + 2 = 13, men 'answered' er 12; hver besvaret "
                        "patient tælles i præcis ét interval",
    "bins_wrong_key": "'answered_within_days' skal have præcis intervallerne 28, 56, 84, later "
                      "(turnaround.bins_days i reportgen.yaml og derefter later): late er ikke et interval "
                      "(mente du 'later'?); later mangler",
    "consequence_above_followed_up": "'changed_treatment' er 7, flere end 'followed_up' (6); en konsekvens tælles "
                                     "blandt de patienter, der er fulgt op",
    "misspelt_consequence": "ukendt felt 'changed_treatmnt' i 'effects[1]'; de konsekvenser, der tælles, er dem fra "
                            "effects i reportgen.yaml (changed_treatment, cascade_testing); mente du "
                            "'changed_treatment'?",
    "followed_up_above_diagnosed": "'followed_up' er 9, flere end de patienter med fund i 2024 (hele "
                                   "patientgruppen), som statistikken viser (7); kun patienter med fund følges op",
    "expected_yield_percent": "'indications[1].expected_yield' er 30 %; skriv det som en brøk: 0.3",
}


@pytest.mark.parametrize("case", sorted(BAD_DA))
def test_broken_new_keys_are_told_in_danish(tmp_path, capsys, case):
    old, new, line_has, column_at, __ = next(p.values for p in BAD if p.id == case)
    text = HEART_ANSWERS.replace(old, new, 1)
    write_project(tmp_path, {"hjerte": text, "kraeft": CANCER}, config=EFFECTS_CONFIG)
    line = line_of(text, line_has)
    column = text.splitlines()[line - 1].index(column_at) + 1
    assert main(["check", str(tmp_path), "--messages", "da"]) == 1
    assert f"groups/hjerte.yaml:{line}:{column}: {BAD_DA[case]}" in capsys.readouterr().err.splitlines()


def test_a_year_is_either_whole_group_or_per_indication(tmp_path):
    text = HEART_ANSWERS.replace("cases:\n", """  - period: 2024
    indication: HJ1
    followed_up: 2
    changed_treatment: 0
    cascade_testing: 0
    source: Netværket
cases:
""")
    lines = [n + 1 for n, line in enumerate(text.splitlines()) if line == "  - period: 2024"]
    assert problems(tmp_path, text) == [
        f"groups/hjerte.yaml:{lines[1]}:5: 2024 has an entry for the whole group and entries per indication "
        f"(line {lines[0]}); give a year either one whole-group entry or one entry per indication"]


def test_a_file_without_the_new_keys_still_loads_with_the_new_settings(tmp_path):
    assert problems(tmp_path, HEART) == []


# --- figures ------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=40)


@st.composite
def answered_rows(draw):
    rows = []
    for i in range(draw(st.integers(min_value=1, max_value=12))):
        patients = draw(counts)
        answered = draw(st.integers(min_value=0, max_value=patients))
        diagnosed = draw(st.integers(min_value=0, max_value=answered))
        recorded = draw(st.booleans())
        bins = None
        if recorded and draw(st.booleans()):
            cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=answered), min_size=3, max_size=3)))
            edges = [0, *cuts, answered]
            bins = tuple(zip(("28", "56", "84", "later"), (edges[j + 1] - edges[j] for j in range(4))))
        rows.append(MonthlyRow(Month(2024, 1 + i % 12), "hovedstaden", "HJ1", patients,
                               Analyses(patients, 0, 0), diagnosed, answered if recorded else None, bins))
    return rows


@given(answered_rows(), st.sampled_from([28, 56, 84]))
@settings(max_examples=150, deadline=None)
def test_answer_counts_add_up(rows, target):
    a = count_answers(rows, ("28", "56", "84", "later"), target)
    assert a.patients == sum(r.patients for r in rows)
    assert a.answered + a.pending + a.unrecorded == a.patients
    assert a.diagnosed_answered <= a.answered
    assert a.within_target <= a.binned <= a.answered
    assert sum(n for _, n in a.bins) == a.binned
    if a.answered:
        y = a.yield_on_answered
        assert (y.ci_low, y.ci_high) == wilson_interval(a.diagnosed_answered, a.answered)


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=4, max_size=4))
def test_the_median_bin_holds_the_median(values):
    bins = tuple(zip(("28", "56", "84", "later"), values))
    total = sum(values)
    key = median_bin(bins)
    if total == 0:
        assert key is None
        return
    index = [k for k, _ in bins].index(key)
    assert 2 * sum(values[: index + 1]) >= total  # half the answers are in this bin or before it
    assert 2 * sum(values[:index]) < total  # and fewer than half before it
    assert within(bins, 56) == sum(values[:2])


@given(st.floats(min_value=0.5, max_value=200), st.sampled_from([0.001, 0.025, 0.975, 0.999]))
@settings(max_examples=60, deadline=None)
def test_poisson_quantile_is_the_smallest_with_that_probability(mu, q):
    k = poisson_quantile(q, mu)
    cdf = lambda n: sum(math.exp(-mu + i * math.log(mu) - math.lgamma(i + 1)) for i in range(n + 1))  # noqa: E731
    assert cdf(k) >= q - 1e-12
    assert k == 0 or cdf(k - 1) < q


@given(st.integers(min_value=1, max_value=300), st.floats(min_value=0.01, max_value=0.99),
       st.sampled_from([0.001, 0.025, 0.975, 0.999]))
@settings(max_examples=60, deadline=None)
def test_binomial_quantile_is_the_smallest_with_that_probability(n, p, q):
    k = binomial_quantile(q, n, p)
    cdf = lambda m: sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(m + 1))  # noqa: E731
    assert cdf(k) >= q - 1e-9
    assert k == 0 or cdf(k - 1) < q + 1e-9


def test_a_region_far_above_the_rest_is_outside_the_limits():
    regions = [("a", 14, 100_000), ("b", 15, 100_000), ("c", 40, 100_000), ("d", 16, 100_000)]
    funnel = rate_funnel(regions, years=1)
    assert funnel.centre == pytest.approx(85 / 400_000 * 100_000)
    assert [p.key for p in funnel.outside(OUTSIDE_998)] == ["c"]
    assert {p.key: p.direction for p in funnel.points}["c"] == 1
    yields = proportion_funnel([("a", 30, 100), ("b", 31, 100), ("c", 29, 100)])
    assert yields.outside() == ()


# --- a new group written to the contract ---------------------------------------

NEW_GROUP = """\
id: nyt
category: rare
name: {da: Ny gruppe, en: New group}
network: Netværket
in_operation_since: 2023-01-01
example_data: true
edition: {date: 2024-06-28, status: approved}
summary: Resumé.
indications:
  - {code: NG1, title: Første, criteria: Alle., expected_patients_per_year: 100, expected_yield: 0.35}
  - {code: NG2, title: Anden, criteria: Alle., expected_patients_per_year: 80, expected_yield: 0.2}
statistics:
  as_of: 2024-05-31
  source: NGC
  monthly:
{rows}
effects:
  - {{period: 2023, indication: NG1, followed_up: 30, changed_treatment: 8, cascade_testing: 14, relatives_tested: 33, source: Netværket}}
  - {{period: 2023, indication: NG2, followed_up: 20, changed_treatment: 5, cascade_testing: 6, source: Netværket}}
  - {{period: 2024, followed_up: 12, changed_treatment: 6, cascade_testing: 7, relatives_tested: 15, source: Netværket}}
perspectives: Perspektiver.
"""


def _new_group_rows() -> str:
    lines = []
    for year, months in ((2023, range(1, 13)), (2024, range(1, 6))):
        for month in months:
            for region, base in (("hovedstaden", 20), ("sjaelland", 9)):
                for code, extra in (("NG1", 3), ("NG2", 0)):
                    patients = base + extra + month % 3
                    diagnosed = patients // 3
                    answered = patients if (year, month) < (2024, 4) else max(diagnosed, patients - 6)
                    b28, b56 = answered // 2, answered // 3
                    b84 = (answered - b28 - b56) // 2
                    later = answered - b28 - b56 - b84
                    lines.append(
                        f"    - {{month: {year}-{month:02d}, region: {region}, indication: {code}, "
                        f"patients: {patients}, analyses: {{germline: {patients + 2}, somatic: 0, rna: 0}}, "
                        f"diagnosed: {diagnosed}, answered: {answered}, "
                        f"answered_within_days: {{28: {b28}, 56: {b56}, 84: {b84}, later: {later}}}}}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def contract_project(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract")
    text = NEW_GROUP.replace("{{", "{").replace("}}", "}").replace("{rows}", _new_group_rows())
    write_project(root, {"hjerte": HEART, "kraeft": CANCER, "nyt": text}, config=EFFECTS_CONFIG)
    return root


def recount(path: Path) -> dict:
    """Every new figure of a group, from its YAML alone (PyYAML, no reportgen code)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = data["statistics"]["monthly"]
    answered = sum(r["answered"] for r in rows)
    patients = sum(r["patients"] for r in rows)
    diagnosed = sum(r["diagnosed"] for r in rows)
    bins = {k: sum(r["answered_within_days"][k] for r in rows) for k in (28, 56, 84, "later")}
    running, median = 0, None
    for key, n in bins.items():
        running += n
        if median is None and 2 * running >= answered:
            median = str(key)
    effects = data["effects"]
    followed = sum(e["followed_up"] for e in effects)
    treatment = sum(e["changed_treatment"] for e in effects)
    cascade_with_relatives = sum(e["cascade_testing"] for e in effects if "relatives_tested" in e)
    relatives = sum(e.get("relatives_tested", 0) for e in effects)
    by_indication = {}
    for code in ("NG1", "NG2"):
        rs = [r for r in rows if r["indication"] == code]
        by_indication[code] = (sum(r["diagnosed"] for r in rs), sum(r["answered"] for r in rs))
    return {"answered": answered, "pending": patients - answered, "diagnosed": diagnosed,
            "yield": diagnosed / answered, "median": median, "within": (bins[28] + bins[56]) / answered,
            "followed": followed, "treatment": treatment, "treatment_share": treatment / followed,
            "relatives": relatives, "per_cascade": relatives / cascade_with_relatives,
            "by_indication": by_indication, "patients": patients}


def test_a_new_group_written_to_the_contract_builds_and_its_figures_recount(contract_project, capsys):
    expected = recount(contract_project / "groups" / "nyt.yaml")
    project = load_project(contract_project)
    published = publish_project(project)
    doc = json.loads(open_data_files(project, published)["data/nyt.json"])["clinical_effect"]
    total = doc["answers_since_start"]["total"]
    assert total["answered_patients"] == expected["answered"]
    assert total["pending_patients"] == expected["pending"]
    assert total["diagnosed_among_answered_patients"] == expected["diagnosed"]
    assert total["yield_on_answered"] == round(expected["yield"], 4)
    assert total["turnaround_median_bin_days"] == expected["median"]
    assert total["answered_within_target_share"] == round(expected["within"], 4)
    for entry in doc["answers_since_start"]["by_indication"]:
        diagnosed, answered = expected["by_indication"][entry["indication"]]
        assert entry["yield_on_answered"] == round(diagnosed / answered, 4)
    effects = doc["effects"]["total"]
    assert effects["followed_up_patients"] == expected["followed"]
    assert effects["changed_treatment_patients"] == expected["treatment"]
    assert effects["changed_treatment_share_of_followed_up"] == round(expected["treatment_share"], 4)
    assert effects["relatives_tested_relatives"] == expected["relatives"]
    assert effects["relatives_tested_per_cascade_testing_patient"] == round(expected["per_cascade"], 2)

    page = render_document(project, published, Document("group", "nyt"), "da", root="", lang_prefix="",
                           other_languages=[], pdf_available=False,
                           templates=Path(__file__).resolve().parent.parent / "templates")
    section = page[page.index('id="clinical-effect"'):page.index('id="cases"')]
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", section,
                                                                              flags=re.S))))
    text = text.replace("\xa0", " ")
    number = lambda n: formatting.number(n, "da").replace("\xa0", " ")  # noqa: E731
    percent = lambda v, d=1: formatting.percent(v, "da", d).replace("\xa0", " ")  # noqa: E731
    assert (f"Siden start har {number(expected['answered'])} af {number(expected['patients'])} patienter"
            in text)
    assert f"og {number(expected['pending'])} venter stadig" in text
    assert f"udbytte af besvarede på {percent(expected['yield'])}" in text
    assert f"ligger i intervallet ≤ {expected['median']} dage" in text
    assert f"{percent(expected['within'], 0)} fik svar inden for målet på 56 dage" in text
    assert f"fulgt op på {number(expected['followed'])} af" in text
    assert re.search(rf"Ændret behandling \d+ {number(expected['treatment'])} {percent(expected['treatment_share'])}",
                     text)
    assert re.search(rf"Pårørende testet \(pårørende \d+ \) {number(expected['relatives'])} ", text)

    assert main(["build", str(contract_project), "--format", "html", "--out", str(contract_project / "build")]) == 0
    capsys.readouterr()
    built = (contract_project / "build" / "site" / "nyt.html").read_text(encoding="utf-8")
    # a funnel plot of each kind whose regional counts are shown (a hidden region is never judged)
    equity = regional_equity(project.config, published.group("nyt"), published.outcomes.group("nyt"))
    assert "Klinisk effekt" in built and equity.yields is not None
    for key, funnel in (("funnel-rates", equity.rate), ("funnel-yields", equity.yields)):
        assert (f'id="chart-{key}"' in built) == (funnel is not None), key


# --- import -------------------------------------------------------------------


def test_import_stats_merges_answered_and_turnaround_columns(tmp_path, capsys):
    write_project(tmp_path, config=EFFECTS_CONFIG)
    (tmp_path / "export.csv").write_text(
        "month;region;group;indication;patients;germline;somatic;rna;diagnosed;answered;answered_28;answered_56;"
        "answered_84;answered_later\n"
        "2024-01;hovedstaden;hjerte;HJ1;14;22;0;0;4;12;4;6;1;1\n"
        "2024-02;sjaelland;hjerte;HJ1;3;7;0;1;1;;;;;\n", encoding="utf-8")
    assert main(["import-stats", str(tmp_path / "export.csv"), str(tmp_path)]) == 0
    capsys.readouterr()
    rows = load_project(tmp_path).group("hjerte").statistics.monthly
    assert rows[0].answered == 12 and dict(rows[0].answered_within_days) == {"28": 4, "56": 6, "84": 1, "later": 1}
    assert rows[1].answered is None and rows[1].answered_within_days is None
    text = (tmp_path / "groups" / "hjerte.yaml").read_text(encoding="utf-8")
    assert "diagnosed: 4, answered: 12, answered_within_days: {28: 4, 56: 6, 84: 1, later: 1}}" in text


def test_import_stats_refuses_bins_that_do_not_add_up_at_their_column(tmp_path, capsys):
    write_project(tmp_path, config=EFFECTS_CONFIG)
    (tmp_path / "export.csv").write_text(
        "month,region,group,indication,patients,germline,somatic,rna,diagnosed,answered,answered_28,answered_56,"
        "answered_84,answered_later\n"
        "2024-01,hovedstaden,hjerte,HJ1,14,22,0,0,4,15,4,6,1,1\n", encoding="utf-8")
    assert main(["import-stats", str(tmp_path / "export.csv"), str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "export.csv:2:10: 'answered' is 15, more than 'patients' (14)" in err
    assert "export.csv:2:11: 'answered_within_days' adds up to 4 + 6 + 1 + 1 = 12, but 'answered' is 15" in err


# --- publishing ----------------------------------------------------------------


def test_figures_from_a_hidden_count_are_hidden_in_the_shipped_reports():
    """The turnaround comes from answered and patients, the yield on answered from answered and its diagnosed:
    shown only with them. Where every answer is recorded, pending is patients - answered, shown with them
    (even when small, as the patients without a finding are); elsewhere a protected count of its own."""
    project = load_project(Path(__file__).resolve().parent.parent)
    published = publish_project(project)
    checked = small_pending = 0
    for group in project.groups:
        pub, outcomes = published.group(group.id), published.outcomes.group(group.id)
        places = [(outcomes.answers, pub.since_start.total)]
        places += [(a, y.counts) for (_, a), y in zip(outcomes.by_year, pub.since_start.by_year)]
        places += [(a, r.counts) for (_, a), r in zip(outcomes.by_region, pub.since_start.by_region)]
        for answers, counts in places:
            shown = answers.answered.value is not None and counts.patients.value is not None
            for derived in (answers.median_bin, answers.share_within_target):
                if shown:
                    assert derived.value is not None or derived.marker == "–"  # shown, or there is none
                else:
                    assert derived.value is None
            if answers.diagnosed_answered.value is None or answers.answered.value is None:
                assert answers.yield_on_answered.proportion.value is None
            exact = answers.answered.status is Status.PUBLISHED and counts.patients.status is Status.PUBLISHED
            if exact and answers.unrecorded.value == 0:
                assert answers.pending.status is Status.PUBLISHED
                small_pending += 0 < answers.pending.value < project.config.min_count
            if shown and answers.pending.value is not None and answers.unrecorded.value is not None:
                assert answers.pending.value == counts.patients.value - answers.answered.value \
                    - answers.unrecorded.value
            checked += 1
        if outcomes.effects is not None:
            for c in outcomes.effects.consequences:
                if c.count.value is None or outcomes.effects.followed_up.value is None:
                    assert c.share.proportion.value is None
    assert checked > 100 and small_pending > 0
    # The example data are large enough that every group's own totals are shown.
    assert all(published.outcomes.group(g.id).answers.answered.value is not None for g in project.groups)


def _model(published) -> dict:
    system, status = published.protection
    return {c.key: (c, status[i]) for i, c in enumerate(system.cells)}


def test_unrecorded_rows_keep_pending_a_protected_count_and_the_exact_audit_passes(tmp_path):
    """A place where some patients' answers are not recorded: pending is a protected count of its own (a reader
    cannot tell it from the unrecorded patients), the diagnosed among the answered too; elsewhere pending is
    patients - answered. Every reader's exact range is wide enough either way."""
    from reportgen.audit import audit_published
    from reportgen.suppression_cells import _group_key

    text = NEW_GROUP.replace("{{", "{").replace("}}", "}").replace("{rows}", _new_group_rows())
    # sjaelland does not record its answers in 2023
    lines = [re.sub(r", answered: [0-9]+, answered_within_days: \{[^}]*\}", "", line)
             if "2023-" in line and "sjaelland" in line else line for line in text.splitlines()]
    write_project(tmp_path, {"hjerte": HEART, "kraeft": CANCER, "nyt": "\n".join(lines) + "\n"},
                  config=EFFECTS_CONFIG)
    project = load_project(tmp_path)
    published = publish_project(project)
    model = _model(published)
    region = _group_key("nyt", "region", "sjaelland")
    full = _group_key("nyt", "region", "hovedstaden")
    cell, __ = model[("pending", "since_start", region)]
    assert not cell.aux and ("diagnosed_answered", "since_start", region) in model
    assert model[("pending", "since_start", full)][0].aux
    assert ("diagnosed_answered", "since_start", full) not in model  # it is the place's diagnosed cell
    answers = dict(published.outcomes.group("nyt").by_region)
    assert answers["sjaelland"].unrecorded.value == sum(
        r.patients for r in project.group("nyt").statistics.monthly if r.answered is None)
    assert answers["hovedstaden"].unrecorded.value == 0
    result = audit_published(published, exact=True)
    assert not result.failures and result.ranges


def test_effects_are_bounded_by_the_diagnosed_of_their_years_or_tied_to_them_by_a_sum(contract_project):
    """A group's followed-up patients are at most the diagnosed of its effects years: a bound while those are
    all shown, a sum of the model where one is not (then the chooser may hide them to protect an effects count)."""
    from reportgen.outcomes import project_outcomes
    from reportgen.suppression_cells import _group_key
    from reportgen.suppression_outcomes import effects_to_link

    project = load_project(contract_project)
    published = publish_project(project)
    model = _model(published)
    place = _group_key("nyt", "effects")
    followed, __ = model[("followed_up", "since_start", place)]
    outcomes = project_outcomes(project)
    assert followed.upper == outcomes.group("nyt").diagnosed_in_effect_years
    assert ("diagnosed_in_effect_years", "since_start", place) not in model
    system, status = published.protection
    assert effects_to_link(system, status, outcomes) == frozenset()
    # one of those years' diagnosed hidden: the bound no longer stands for the sum
    hidden = list(status)
    hidden[system.index[("diagnosed", "since_start", _group_key("nyt", "year", 2023))]] = Status.SECONDARY
    assert effects_to_link(system, hidden, outcomes) == frozenset({"nyt"})


def test_a_group_with_few_diagnosed_in_its_effects_years_is_tied_by_a_sum(tmp_path):
    """One diagnosed patient in the effects year, followed up: the bound would pin the "<5"; with the sum the
    chooser hides the year's diagnosed instead, and the audit passes."""
    from reportgen.audit import audit_published
    from reportgen.suppression_cells import _group_key

    text = HEART_ANSWERS.replace("    followed_up: 6\n    changed_treatment: 2\n    cascade_testing: 3\n",
                                 "    followed_up: 1\n    changed_treatment: 0\n    cascade_testing: 1\n")
    text = text.replace("diagnosed: 4, answered: 12", "diagnosed: 0, answered: 12").replace(
        "diagnosed: 2}", "diagnosed: 0}")
    write_project(tmp_path, {"hjerte": text, "kraeft": CANCER}, config=EFFECTS_CONFIG)
    project = load_project(tmp_path)
    assert sum(r.diagnosed for r in project.group("hjerte").statistics.monthly) == 1
    published = publish_project(project)
    model = _model(published)
    place = _group_key("hjerte", "effects")
    assert model[("followed_up", "since_start", place)][0].upper is None
    assert ("diagnosed_in_effect_years", "since_start", place) in model
    assert not audit_published(published, exact=True).failures
