"""Open data: the same suppressed figures the reports show, checked against sums worked out here by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from factories import make_config, make_group, make_project, row
from packagehelpers import write_open_data
from reportgen.opendata import CSV_COLUMNS, open_data_files, published_value, to_json
from reportgen.suppression import Status, publish_project

WEIGHTS = {"germline": 1, "somatic": 3, "rna": 1}
RARE_ROWS = (
    row("2022-06", "hovedstaden", "I1", patients=20, germline=30, diagnosed=6),
    row("2023-02", "sjaelland", "I1", patients=3, germline=4, diagnosed=1),
    row("2023-08", "syddanmark", "I2", patients=12, germline=12, somatic=2, rna=1, diagnosed=5),
    row("2024-04", "hovedstaden", "I2", patients=9, germline=10, diagnosed=2),
    row("2024-05", "nordjylland", "I1", patients=7, germline=9, somatic=1, diagnosed=0),
)
CANCER_ROWS = (
    row("2023-01", "midtjylland", "I1", patients=15, germline=15, somatic=15, rna=5, diagnosed=7),
    row("2024-02", "hovedstaden", "I1", patients=11, germline=11, somatic=11, rna=2, diagnosed=4),
)
AS_OF = dt.date(2024, 5, 31)
LATEST_FIRST_MONTH = (2023, 6)


@pytest.fixture(scope="module")
def project():
    return make_project(
        [
            make_group("arvelig", rows=RARE_ROWS, as_of=AS_OF),
            make_group("kraeft", category="cancer", since=dt.date(2022, 11, 1), rows=CANCER_ROWS, as_of=AS_OF,
                       indications=(("I1", 50),), example_data=False),
        ],
        make_config(weights=WEIGHTS),
    )


@pytest.fixture(scope="module")
def files(project):
    return open_data_files(project)


def by_hand(rows):
    """Totals of some rows, written out without the production code."""
    totals = {"patients": 0, "diagnosed": 0, "analyses_germline": 0, "analyses_somatic": 0, "analyses_rna": 0}
    for r in rows:
        totals["patients"] += r.patients
        totals["diagnosed"] += r.diagnosed
        totals["analyses_germline"] += r.analyses.germline
        totals["analyses_somatic"] += r.analyses.somatic
        totals["analyses_rna"] += r.analyses.rna
    totals["analyses"] = totals["analyses_germline"] + totals["analyses_somatic"] + totals["analyses_rna"]
    totals["genome_equivalents"] = (
        totals["analyses_germline"] * 1 + totals["analyses_somatic"] * 3 + totals["analyses_rna"] * 1
    )
    return totals


def recent(rows):
    return [r for r in rows if (r.month.year, r.month.month) >= LATEST_FIRST_MONTH]


def assert_agrees(published: dict, expected: dict, min_count: int = 5):
    """Unsuppressed units exactly; person counts exactly or by a marker that fits the hidden value."""
    for key in ("analyses", "analyses_germline", "analyses_somatic", "analyses_rna", "genome_equivalents"):
        assert published[key] == expected[key], key
    for key in ("patients", "diagnosed"):
        value, true = published[key], expected[key]
        if isinstance(value, int):
            assert value == true, key
        elif isinstance(value, str) and value.startswith("≈"):  # a headline total rounded to the nearest 5
            assert abs(int(value[1:]) - true) <= 2 and int(value[1:]) % 5 == 0, key
        elif value == f"<{min_count}":
            assert 0 < true < min_count, key
        else:
            assert value == "x" and true > 0, key


def test_group_totals_agree_with_the_rows(files):
    doc = json.loads(files["data/arvelig.json"])
    assert_agrees(doc["since_start"]["total"], by_hand(RARE_ROWS))
    assert doc["since_start"]["total"]["patients"] == 51  # a headline figure: shown
    assert by_hand(RARE_ROWS)["genome_equivalents"] == 65 + 3 * 3 + 1
    assert_agrees(doc["latest_12_months"]["total"], by_hand(recent(RARE_ROWS)))
    for entry in doc["since_start"]["by_region"]:
        assert_agrees(entry, by_hand([r for r in RARE_ROWS if r.region == entry["region"]]))
    for entry in doc["latest_12_months"]["by_indication"]:
        assert_agrees(entry, by_hand([r for r in recent(RARE_ROWS) if r.indication == entry["indication"]]))
    for entry in doc["since_start"]["by_year"]:
        assert_agrees(entry, by_hand([r for r in RARE_ROWS if r.month.year == entry["year"]]))
    assert [e["year"] for e in doc["since_start"]["by_year"]] == [2022, 2023, 2024]
    assert "by_year" not in doc["latest_12_months"]


def test_group_document_carries_cut_off_units_and_example_flag(files, project):
    doc = json.loads(files["data/arvelig.json"])
    assert doc["as_of"] == "2024-05-31" and doc["in_operation_since"] == "2022-03-14"
    assert doc["example_data"] is True
    assert json.loads(files["data/kraeft.json"])["example_data"] is False
    assert doc["units"]["patients"] == {
        "label": {"da": "Patienter", "en": "Patients"},
        "definition": {"da": "Unikke patienter henvist til WGS.", "en": "Unique patients referred for WGS."},
    }
    assert doc["units"]["genome_equivalents"]["weights"] == WEIGHTS
    assert doc["suppression"]["min_count"] == 5
    assert (doc["suppression"]["primary_marker"], doc["suppression"]["secondary_marker"]) == ("<5", "x")
    assert set(doc["suppression"]["explanation"]) == {"da", "en"}


def test_a_small_region_is_suppressed_as_in_the_reports(files, project):
    doc = json.loads(files["data/arvelig.json"])
    sjaelland = next(e for e in doc["since_start"]["by_region"] if e["region"] == "sjaelland")
    assert sjaelland["region_name"] == "Region Sjælland"
    assert (sjaelland["patients"], sjaelland["diagnosed"]) == ("<5", "<5")
    assert sjaelland["diagnostic_yield"] == "x" and sjaelland["patients_per_100k_inhabitants"] == "x"
    midtjylland = next(e for e in doc["since_start"]["by_region"] if e["region"] == "midtjylland")
    assert (midtjylland["patients"], midtjylland["diagnosed"], midtjylland["diagnostic_yield"]) == (0, 0, None)
    # Exactly the published figures, cell by cell.
    published = publish_project(project).group("arvelig")
    for entry, region in zip(doc["since_start"]["by_region"], published.since_start.by_region):
        assert entry["patients"] == published_value(region.counts.patients)
        assert entry["diagnosed"] == published_value(region.counts.diagnosed)
    hidden = [e for e in doc["since_start"]["by_region"] if e["patients"] in ("<5", "x")]
    assert len(hidden) >= 2  # a lone "<5" would follow from the total


def test_monthly_entries_hold_no_person_counts(files):
    doc = json.loads(files["data/arvelig.json"])
    assert len(doc["monthly"]) == 27
    for entry in doc["monthly"]:
        assert set(entry) == {"month", "analyses", "analyses_germline", "analyses_somatic", "analyses_rna", "genome_equivalents"}
    may = next(e for e in doc["monthly"] if e["month"] == "2024-05")
    assert may == {"month": "2024-05", "analyses": 10, "analyses_germline": 9, "analyses_somatic": 1, "analyses_rna": 0,
                   "genome_equivalents": 12}


def test_summary_agrees_with_the_rows(files):
    summary = json.loads(files["data/summary.json"])
    all_rows = RARE_ROWS + CANCER_ROWS
    national = summary["national"]
    assert_agrees(national["since_start"]["total"], by_hand(all_rows))
    assert_agrees(national["latest_12_months"]["total"], by_hand(recent(all_rows)))
    assert_agrees(summary["categories"]["rare"]["since_start"]["total"], by_hand(RARE_ROWS))
    assert_agrees(summary["categories"]["cancer"]["since_start"]["total"], by_hand(CANCER_ROWS))
    assert national["since_start"]["total"]["patients"] in (51 + 26, "≈75")
    assert [p["category"] for p in national["since_start"]["by_category"]] == ["rare", "cancer"]
    assert [p["group_id"] for p in summary["categories"]["rare"]["since_start"]["by_group"]] == ["arvelig"]
    hovedstaden = next(r for r in national["since_start"]["by_region"] if r["region"] == "hovedstaden")
    assert set(hovedstaden) == {"region", "analyses", "analyses_germline", "analyses_somatic", "analyses_rna", "genome_equivalents"}
    assert hovedstaden["genome_equivalents"] == by_hand([r for r in all_rows if r.region == "hovedstaden"])["genome_equivalents"]
    target = national["target"]
    ge = by_hand(all_rows)["genome_equivalents"]
    ge_latest = by_hand(recent(all_rows))["genome_equivalents"]
    assert target["genome_equivalents"] == ge
    assert target["genome_equivalents_target"] == 60_000
    assert target["genome_equivalents_remaining"] == 60_000 - ge
    assert target["genome_equivalents_per_month_latest_12_months"] == round(ge_latest / 12, 2)
    assert target["genome_equivalents_target_already_reached"] is False
    assert summary["as_of"] == "2024-05-31" and summary["example_data"] is True
    groups = {g["group_id"]: g for g in summary["groups"]}
    assert_agrees(groups["kraeft"]["since_start"], by_hand(CANCER_ROWS))
    assert groups["kraeft"]["example_data"] is False


def test_consolidated_figures_are_the_group_figures(files):
    summary = json.loads(files["data/summary.json"])
    for group in summary["groups"]:
        doc = json.loads(files[f"data/{group['group_id']}.json"])
        part = next(p for p in summary["categories"][group["category"]]["since_start"]["by_group"]
                    if p["group_id"] == group["group_id"])
        assert {k: v for k, v in part.items() if k != "group_id"} == doc["since_start"]["total"] == group["since_start"]


UNITS = ("patients", "diagnosed", "analyses", "genome_equivalents", "relatives", "days")
NOT_COUNTS = {"year", "population", "format_version", "min_count", "germline", "somatic", "rna", "months_in_operation",
              "primary_marker", "secondary_marker", "entries", "rounding_base"}
# Shares of patients, defined in docs/format.md as diagnosed / patients (and, for the clinical effect, as
# diagnosed / answered, a share of the answered or followed-up patients, relatives per patient).
RATIOS = {"diagnostic_yield", "diagnostic_yield_ci95_low", "diagnostic_yield_ci95_high", "yield_on_answered",
          "yield_on_answered_ci95_low", "yield_on_answered_ci95_high", "answered_within_target_share",
          "answers_recorded_share", "expected_yield", "relatives_tested_per_cascade_testing_patient"}


def _is_ratio(key: str) -> bool:
    return key in RATIOS or "_share_of_followed_up" in key


def count_keys(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (int, float, str)) and not isinstance(item, bool) and key not in NOT_COUNTS:
                if isinstance(item, (int, float)) or item in ("<5", "x"):
                    yield path + (key,)
            yield from count_keys(item, path + (key,))
    elif isinstance(value, list):
        for item in value:
            yield from count_keys(item, path)


@pytest.mark.parametrize("name", ["data/arvelig.json", "data/summary.json"])
def test_every_figure_names_its_unit(files, name):
    keys = {path[-1] for path in count_keys(json.loads(files[name]))}
    assert keys, "no figures found"
    assert all(any(unit in key for unit in UNITS) or _is_ratio(key) for key in keys), sorted(
        k for k in keys if not (any(unit in k for unit in UNITS) or _is_ratio(k)))
    assert {"patients", "diagnosed", "analyses", "analyses_germline", "genome_equivalents"} <= keys


def test_output_is_deterministic_and_plain_utf8(project, files):
    assert open_data_files(project) == files
    for name, text in files.items():
        assert text.endswith("\n") and not text.endswith("\n\n")
        if name.endswith(".json"):
            assert text == to_json(json.loads(text))  # sorted keys, fixed layout
    assert "Region Sjælland" in files["data/arvelig.json"] and "\\u00e6" not in files["data/arvelig.json"]


def test_csv_rows_match_the_json(files):
    doc = json.loads(files["data/arvelig.json"])
    rows = list(csv.DictReader(io.StringIO(files["data/arvelig.csv"])))
    assert list(rows[0]) == list(CSV_COLUMNS)
    total = next(r for r in rows if r["period"] == "since_start" and r["breakdown"] == "total")
    assert total["patients"] == "51" and total["genome_equivalents"] == "75" and total["as_of"] == "2024-05-31"
    sjaelland = next(r for r in rows if r["period"] == "since_start" and r["key"] == "sjaelland")
    assert (sjaelland["patients"], sjaelland["diagnosed"], sjaelland["diagnostic_yield"]) == ("<5", "<5", "x")
    months = [r for r in rows if r["breakdown"] == "month"]
    assert len(months) == len(doc["monthly"]) == 27
    assert all(r["patients"] == "" and r["diagnosed"] == "" for r in months)
    # 2 totals + 3 years + 2 x 5 regions + 2 x 2 indications + 27 months
    assert len(rows) == 2 + 3 + 10 + 4 + 27


def test_write_open_data(tmp_path, project, files):
    written = write_open_data(project, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == sorted(files)
    for name, text in files.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text
    assert not [p for p in (tmp_path / "data").iterdir() if p.name.startswith(".")]
    assert write_open_data(project, tmp_path) == written  # unchanged files are left alone


def test_only_chosen_groups_get_files_but_the_summary_keeps_all(project):
    files = open_data_files(project, groups=["kraeft"])
    assert sorted(files) == ["data/kraeft.csv", "data/kraeft.json", "data/summary.json"]
    assert [g["group_id"] for g in json.loads(files["data/summary.json"])["groups"]] == ["arvelig", "kraeft"]


def test_open_data_refuses_raw_figures(project):
    with pytest.raises(ValueError, match="unsafe_raw"):
        open_data_files(project, publish_project(project, unsafe_raw=True))


def test_published_value():
    from reportgen.suppression import Published

    assert published_value(Published(0.123456, Status.PUBLISHED), 4) == 0.1235
    assert published_value(Published(12, Status.PUBLISHED), 4) == 12
    assert published_value(Published(None, Status.PRIMARY, "<5")) == "<5"
    assert published_value(Published(None, Status.UNDEFINED, "–")) is None
