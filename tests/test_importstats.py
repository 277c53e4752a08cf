"""`reportgen import-stats`: the export is merged into the statistics blocks and nowhere else."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest

from exporthelpers import export_csv
from projects import CANCER, HEART, write_project
from reportgen import declarations, importstats
from reportgen.cli import main
from reportgen.errors import InputError
from reportgen.importstats import COLUMNS, replace_monthly
from reportgen.loader import load_project
from reportgen.model import Analyses, Month, MonthlyRow
from reportgen.schema import ListOf
from reportgen.yamlsource import read_yaml

REPO = Path(__file__).resolve().parent.parent
ROW_LINE = re.compile(r" *- \{month: \d{4}-\d{2}, region: [a-z]+, indication: \w+, patients: \d+, "
                      r"analyses: \{germline: \d+, somatic: \d+, rna: \d+\}, diagnosed: \d+\}\r?\n")

# The small project's data (tests/projects.py) as an export.
EXPORT = """\
month,region,group,indication,patients,germline,somatic,rna,diagnosed
2024-01,hovedstaden,hjerte,HJ1,14,22,0,0,4
2024-02,sjaelland,hjerte,HJ1,3,7,0,1,1
2024-05,hovedstaden,hjerte,HJ2,9,9,0,0,2
2024-03,hovedstaden,kraeft,KB1,6,6,6,4,3
2024-04,sjaelland,kraeft,KB1,2,2,2,1,1
"""


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `root` (but the exports): its bytes and modification time."""
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file() and p.suffix != ".csv"}


def run(args: list[str], capsys) -> tuple[int, str, str]:
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def small(tmp_path, monkeypatch):
    """The two-group project in tmp_path, which is also the working folder (so paths print short)."""
    write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A copy of the shipped project (settings and the 17 group files)."""
    shutil.copy2(REPO / "reportgen.yaml", tmp_path / "reportgen.yaml")
    shutil.copytree(REPO / "groups", tmp_path / "groups")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- round trip and merging ----------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_round_trip_of_the_shipped_data_changes_no_byte(shipped, capsys, delimiter):
    (shipped / "export.csv").write_text(export_csv(load_project(shipped), delimiter), encoding="utf-8")
    before = snapshot(shipped)
    status, out, err = run(["import-stats", "export.csv", "."], capsys)
    assert (status, err) == (0, "")
    assert out == "no group file changed: every group in the export already has these figures\n"
    assert snapshot(shipped) == before


def test_export_csv_of_the_small_project(tmp_path):
    project = load_project(write_project(tmp_path))
    assert export_csv(project) == EXPORT
    assert export_csv(project, ";") == EXPORT.replace(",", ";")


def statistics_span(path: Path) -> tuple[list[str], list[str], list[str]]:
    """The file's lines before its monthly rows, the rows, and the lines after them."""
    source = read_yaml(path, path.name, [])
    rows = source.root.items["statistics"][1].items["monthly"][1].items
    lines = path.read_bytes().decode("utf-8").splitlines(keepends=True)
    first, last = rows[0].line, rows[-1].end_line
    return lines[: first - 1], lines[first - 1: last], lines[last:]


def test_changed_data_changes_only_the_statistics_blocks(shipped, capsys):
    # Rows are removed below, so fewer patients are diagnosed: the networks' effects entries (followed up
    # <= diagnosed) would rightly refuse the import. Those are tested apart; here they are taken out.
    for path in (shipped / "groups").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?ms)^# EKSEMPELDATA: opdigtede tal for, hvad.*?^(?=cases:)", "", text),
                        encoding="utf-8")
    project = load_project(shipped)
    reader = list(csv.DictReader(io.StringIO(export_csv(project))))
    edited = []
    for number, row in enumerate(reader):
        if number % 7 == 0:
            continue  # removed
        if number % 5 == 0:
            row["patients"] = str(int(row["patients"]) + 1)
            row["germline"] = str(int(row["germline"]) + 2)
        if number % 11 == 0:
            row.update(patients="0", germline="0", somatic="0", rna="0", diagnosed="0")  # left out when written
        edited.append(row)
    # A group's added row: a month, region and indication it had no row for.
    group = project.group("nyresvigt")
    taken = {(str(r.month), r.region, r.indication) for r in group.statistics.monthly}
    new_key = next((f"2023-{mm:02d}", region, code) for mm in range(1, 13) for region in project.config.regions
                   for code in ("NY1", "NY2", "NY3", "NY4") if (f"2023-{mm:02d}", region, code) not in taken)
    edited.append(dict(zip(COLUMNS, [new_key[0], new_key[1], "nyresvigt", new_key[2], "2", "3", "0", "0", "1"])))
    out_csv = io.StringIO()
    writer = csv.DictWriter(out_csv, COLUMNS, lineterminator="\n", extrasaction="ignore")  # answers left out
    writer.writeheader()
    writer.writerows(edited)
    (shipped / "export.csv").write_text(out_csv.getvalue(), encoding="utf-8")

    spans = {p.name: statistics_span(p) for p in (shipped / "groups").glob("*.yaml")}
    group_files = {f"groups/{name}" for name in spans}
    others = {k: v for k, v in snapshot(shipped).items() if k not in group_files}
    status, out, err = run(["import-stats", "export.csv"], capsys)
    assert (status, err) == (0, "")
    assert out.splitlines()[-1] == "updated 17 group files"

    reloaded = load_project(shipped)  # the merged files pass the full loader
    for path in (shipped / "groups").glob("*.yaml"):
        before, _, after = spans[path.name]
        new_before, new_rows, new_after = statistics_span(path)
        assert (new_before, new_after) == (before, after), path.name
        assert all(ROW_LINE.fullmatch(line) for line in new_rows), path.name
    assert {k: v for k, v in snapshot(shipped).items() if k in others} == others

    expected: dict[str, dict[str, int]] = {}
    for row in edited:
        if any(int(row[c]) for c in importstats.COUNT_COLUMNS):
            sums = expected.setdefault(row["group"], {"patients": 0, "analyses": 0, "diagnosed": 0, "rows": 0})
            sums["patients"] += int(row["patients"])
            sums["analyses"] += int(row["germline"]) + int(row["somatic"]) + int(row["rna"])
            sums["diagnosed"] += int(row["diagnosed"])
            sums["rows"] += 1
    for g in reloaded.groups:
        got = importstats.totals(g.statistics.monthly)
        assert {**got, "rows": len(g.statistics.monthly)} == expected[g.id], g.id
    assert MonthlyRow(Month(*map(int, new_key[0].split("-"))), new_key[1], new_key[2], 2, Analyses(3, 0, 0), 1) \
        in reloaded.group("nyresvigt").statistics.monthly


def test_semicolons_byte_order_mark_and_crlf_are_accepted(small, capsys, tmp_path):
    changed = EXPORT.replace("14,22,0,0,4", "15,23,0,0,5").replace("\n", ",\n")  # and empty cells at the end
    (small / "plain.csv").write_text(changed, encoding="utf-8")
    assert run(["import-stats", "plain.csv"], capsys)[0] == 0
    expected = snapshot(small)

    excel = tmp_path / "excel"
    write_project(excel)
    (excel / "excel.csv").write_bytes(b"\xef\xbb\xbf" + changed.replace(",", ";").replace("\n", "\r\n").encode())
    status, out, err = run(["import-stats", str(excel / "excel.csv"), str(excel)], capsys)
    assert (status, err) == (0, "")
    assert {k: v[0] for k, v in snapshot(excel).items()} == {k: v[0] for k, v in expected.items()}


def test_dry_run_prints_the_changes_and_writes_nothing(small, capsys):
    export = (EXPORT.replace("2024-02,sjaelland,hjerte,HJ1,3,7,0,1,1\n", "")  # removed
              .replace("9,9,0,0,2", "10,12,0,0,3")  # changed
              + "2024-03,sjaelland,hjerte,HJ2,4,4,0,0,0\n"  # added
              + "2024-04,hovedstaden,hjerte,HJ2,0,0,0,0,0\n")  # all zero: not a row
    (small / "export.csv").write_text(export, encoding="utf-8")
    before = snapshot(small)
    status, out, err = run(["import-stats", "export.csv", "--dry-run"], capsys)
    assert (status, err) == (0, "")
    assert out == (
        "groups/hjerte.yaml: rows 1 added, 1 removed, 1 changed, 1 unchanged; "
        "patients 26 → 28, WGS analyses 39 → 38, diagnosed 7 → 7\n"
        "groups/kraeft.yaml: rows 0 added, 0 removed, 0 changed, 2 unchanged; "
        "patients 8 → 8, WGS analyses 21 → 21, diagnosed 4 → 4\n"
        "dry run: 1 group file would change; nothing was written\n")
    assert snapshot(small) == before

    status, out, err = run(["import-stats", "export.csv"], capsys)
    assert (status, err) == (0, "")
    assert out == ("groups/hjerte.yaml: rows 1 added, 1 removed, 1 changed, 1 unchanged; "
                   "patients 26 → 28, WGS analyses 39 → 38, diagnosed 7 → 7\n"
                   "updated 1 group file; 1 already had these figures\n")
    text = (small / "groups/hjerte.yaml").read_text(encoding="utf-8")
    assert text == HEART.replace(
        "    - {month: 2024-02, region: sjaelland, indication: HJ1, patients: 3, analyses: {germline: 7, somatic: 0, rna: 1}, diagnosed: 1}\n"
        "    - {month: 2024-05, region: hovedstaden, indication: HJ2, patients: 9, analyses: {germline: 9, somatic: 0, rna: 0}, diagnosed: 2}\n",
        "    - {month: 2024-03, region: sjaelland, indication: HJ2, patients: 4, analyses: {germline: 4, somatic: 0, rna: 0}, diagnosed: 0}\n"
        "    - {month: 2024-05, region: hovedstaden, indication: HJ2, patients: 10, analyses: {germline: 12, somatic: 0, rna: 0}, diagnosed: 3}\n")


def test_groups_not_in_the_export_are_untouched(small, capsys):
    (small / "export.csv").write_text(EXPORT.split("2024-03,hovedstaden,kraeft")[0].replace("14,22", "15,22"),
                                      encoding="utf-8")
    cancer = (small / "groups/kraeft.yaml").stat().st_mtime_ns
    assert run(["import-stats", "export.csv"], capsys)[0] == 0
    assert (small / "groups/kraeft.yaml").read_text(encoding="utf-8") == CANCER
    assert (small / "groups/kraeft.yaml").stat().st_mtime_ns == cancer


# --- bad exports ------------------------------------------------------------------

# (text replaced in EXPORT, its replacement, every "export.csv:LINE:COL: message" expected)
BAD_EXPORTS = [
    pytest.param("2024-01,hovedstaden,hjerte", "2024-01,hovedstaden,hjert",
                 ["export.csv:2:3: 'group' is 'hjert', which is not a group of this project (the file names in "
                  "groups/); did you mean 'hjerte'?"], id="unknown_group"),
    pytest.param("2024-01,hovedstaden,hjerte", "2024-01,hovedstaden,",
                 ["export.csv:2:3: 'group' is empty; expected a group id, the name of its file in groups/"],
                 id="empty_group"),
    pytest.param("2024-02,sjaelland,", "2024-02,sjalland,",
                 ["export.csv:3:2: 'region' is 'sjalland', which is not a region in reportgen.yaml (hovedstaden, "
                  "sjaelland); did you mean 'sjaelland'?"], id="unknown_region"),
    pytest.param("hjerte,HJ2", "hjerte,HJ3",
                 ["export.csv:4:4: 'indication' is 'HJ3', which is not one of the indications of hjerte (HJ1, "
                  "HJ2); did you mean 'HJ2'?"], id="unknown_indication"),
    pytest.param("hjerte,HJ2", "hjerte,KB1",
                 ["export.csv:4:4: 'indication' is 'KB1', which is not one of the indications of hjerte (HJ1, "
                  "HJ2)"], id="indication_of_another_group"),
    pytest.param("2024-02,sjaelland", "2024-2,sjaelland",
                 ["export.csv:3:1: 'month' is '2024-2'; expected a month written YYYY-MM, e.g. 2024-05"],
                 id="month_without_zero"),
    pytest.param("2024-02,sjaelland", "2024-13,sjaelland",
                 ["export.csv:3:1: 'month' is '2024-13'; expected a month written YYYY-MM, e.g. 2024-05"],
                 id="month_13"),
    pytest.param("2024-02,sjaelland", "feb-24,sjaelland",
                 ["export.csv:3:1: 'month' is 'feb-24'; expected a month written YYYY-MM, e.g. 2024-05 (a "
                  "spreadsheet may have turned it into a date; format the column as text)"], id="month_as_date"),
    pytest.param("2024-01,hovedstaden,hjerte", "2023-12,hovedstaden,hjerte",
                 ["export.csv:2:1: 'month' is 2023-12, outside the period of hjerte: from 2024-01 (in operation "
                  "since 2024-01-15) to 2024-05 (statistics as of 2024-05-31)"], id="month_before_start"),
    pytest.param("2024-04,sjaelland,kraeft", "2024-06,sjaelland,kraeft",
                 ["export.csv:6:1: 'month' is 2024-06, outside the period of kraeft: from 2024-03 (in operation "
                  "since 2024-03-01) to 2024-05 (statistics as of 2024-05-31); for newer figures, first update "
                  "'statistics.as_of' in groups/kraeft.yaml"], id="month_after_as_of"),
    pytest.param("HJ1,3,7,0,1,1", "HJ1,-3,7,0,1,1",
                 ["export.csv:3:5: 'patients' is -3; a count cannot be negative"], id="negative"),
    pytest.param("HJ1,3,7,0,1,1", "HJ1,3,7.5,0,1,1",
                 ["export.csv:3:6: 'germline' is 7.5; expected a whole number written with digits only, without "
                  "decimals or thousands separators"], id="decimal"),
    pytest.param("HJ1,14,22,0,0,4", 'HJ1,14,"1,022",0,0,4',
                 ["export.csv:2:6: 'germline' is 1,022; expected a whole number written with digits only, without "
                  "decimals or thousands separators"], id="thousands_separator"),
    pytest.param("HJ1,3,7,0,1,1", "HJ1,3,7,0,en,1",
                 ["export.csv:3:8: 'rna' is 'en'; expected a whole number (0 or more)"], id="word_for_count"),
    pytest.param("HJ1,3,7,0,1,1", "HJ1,3,7,,1,1",
                 ["export.csv:3:7: 'somatic' is empty; expected a whole number (0 or more), 0 for none"],
                 id="empty_count"),
    pytest.param("HJ1,3,7,0,1,1", "HJ1,3,7,0,1,4",
                 ["export.csv:3:9: 'diagnosed' is 4, more than 'patients' (3); diagnosed patients are counted "
                  "among the patients"], id="diagnosed_over_patients"),
    pytest.param("HJ1,3,7,0,1,1", "HJ1,9,7,0,1,1",
                 ["export.csv:3:5: 'patients' is 9, more than the WGS analyses (germline + somatic + rna = 8); "
                  "every patient has at least one analysis"], id="patients_over_analyses"),
    pytest.param("2024-04,sjaelland,kraeft,KB1", "2024-03,hovedstaden,kraeft,KB1",
                 ["export.csv:6:1: a second row for kraeft, 2024-03, hovedstaden, KB1 (the first is on line 5); "
                  "merge them into one row"], id="duplicate_row"),
    pytest.param("HJ1,3,7,0,1,1", "HJ1,3,7,0,1",
                 ["export.csv:3:1: the line has 8 values, but the header names 9 columns; give one value per "
                  "column"], id="missing_value"),
    pytest.param("HJ1,3,7,0,1,1", "HJ1,3,7,0,1,1,2",
                 ["export.csv:3:1: the line has 10 values, but the header names 9 columns; give one value per "
                  "column"], id="extra_value"),
    pytest.param(",patients,", ",patient,",
                 ["export.csv:1:5: unknown column 'patient'; did you mean 'patients'?"], id="misspelt_column"),
    pytest.param("diagnosed\n", "diagnosed,notes\n",
                 ["export.csv:1:10: unknown column 'notes'; expected the columns month, region, group, indication, "
                  "patients, germline, somatic, rna, diagnosed"], id="unknown_column"),
    pytest.param(",rna,", ",",
                 ["export.csv:1:1: the header has no column 'rna'; the export needs the columns month, region, "
                  "group, indication, patients, germline, somatic, rna, diagnosed"], id="missing_column"),
    pytest.param(",rna,diagnosed\n", ",rna,Month\n",
                 ["export.csv:1:9: the column 'month' appears twice (columns 1 and 9); keep one of them",
                  "export.csv:1:1: the header has no column 'diagnosed'; the export needs the columns month, "
                  "region, group, indication, patients, germline, somatic, rna, diagnosed"], id="column_twice"),
    pytest.param("2024-05,hovedstaden,hjerte", '"2024-05,hovedstaden,hjerte',
                 ['export.csv:4:1: this line is not valid CSV (unexpected end of data); check that every opening '
                  'quote (") is closed'], id="unclosed_quote"),
    pytest.param(EXPORT, "",
                 ["export.csv:1:1: the file is empty; expected a header row naming the columns month, region, "
                  "group, indication, patients, germline, somatic, rna, diagnosed"], id="empty_file"),
    pytest.param(EXPORT.split("\n", 1)[1], "",
                 ["export.csv:1:1: the file has a header but no rows; expected one row per month, region, group "
                  "and indication"], id="header_only"),
    pytest.param(",", "\t",
                 ["export.csv:1:1: the columns are separated by tabs; save the export as CSV, with ';' or ','"],
                 id="tab_separated"),
]


@pytest.mark.parametrize("old, new, expected", BAD_EXPORTS)
def test_a_bad_export_names_each_bad_line_and_writes_nothing(small, capsys, old, new, expected):
    assert old in EXPORT
    (small / "export.csv").write_text(EXPORT.replace(old, new), encoding="utf-8")
    before = snapshot(small)
    status, out, err = run(["import-stats", "export.csv"], capsys)
    count = len(expected)
    assert (status, out) == (1, "")
    assert err.splitlines() == sorted(expected, key=_line_and_column) + [
        f"{count} problem{'s' if count > 1 else ''} in 1 file; nothing was written"]
    assert snapshot(small) == before


def _line_and_column(message: str) -> tuple[int, int]:
    _, line, column, _ = message.split(":", 3)
    return int(line), int(column)


def test_every_bad_row_is_reported_in_one_run(small, capsys):
    export = (EXPORT.replace("2024-01,hovedstaden,hjerte", "2024-01,hovedstad,hjerte")
              .replace("HJ1,3,7,0,1,1", "HJ1,3,7,0,1,-1")
              + "\n\n2024-05,hovedstaden,hjerte,HJ2,1,1,0,0,0\n")  # after two empty lines: line 9
    (small / "export.csv").write_text(export, encoding="utf-8")
    before = snapshot(small)
    status, out, err = run(["import-stats", "export.csv", "--dry-run"], capsys)
    assert status == 1
    assert err.splitlines() == [
        "export.csv:2:2: 'region' is 'hovedstad', which is not a region in reportgen.yaml (hovedstaden, "
        "sjaelland); did you mean 'hovedstaden'?",
        "export.csv:3:9: 'diagnosed' is -1; a count cannot be negative",
        "export.csv:9:1: a second row for hjerte, 2024-05, hovedstaden, HJ2 (the first is on line 4); "
        "merge them into one row",
        "3 problems in 1 file; nothing was written",
    ]
    assert snapshot(small) == before


def test_an_export_that_is_not_utf8_is_refused(small, capsys):
    (small / "export.csv").write_bytes(EXPORT.replace("hjerte,HJ2", "hjærte,HJ2").encode("cp1252"))
    status, _, err = run(["import-stats", "export.csv"], capsys)
    assert status == 1
    assert err.splitlines()[0] == ("export.csv:4:1: byte 0xE6 is not UTF-8 text; save the export as 'CSV UTF-8' "
                                   "(in Danish Excel: 'CSV UTF-8 (kommasepareret)')")


def test_a_project_with_problems_is_reported_and_left_alone(small, capsys):
    path = small / "groups/hjerte.yaml"
    path.write_text(HEART.replace("summary: |", "sumary: |"), encoding="utf-8")
    (small / "export.csv").write_text(EXPORT, encoding="utf-8")
    before = snapshot(small)
    status, _, err = run(["import-stats", "export.csv"], capsys)
    assert status == 1
    assert err.splitlines() == ["groups/hjerte.yaml:14:1: unknown field 'sumary'; did you mean 'summary'?",
                                "1 problem in 1 file; nothing was written"]
    assert snapshot(small) == before


def test_merged_files_that_fail_the_loader_are_not_written(small, capsys, monkeypatch):
    """The safety net: if a merged text ever failed `check`, nothing would be written."""
    original = importstats.format_row
    monkeypatch.setattr(importstats, "format_row", lambda row: original(row).replace("patients", "patiens"))
    (small / "export.csv").write_text(EXPORT.replace("14,22", "15,22"), encoding="utf-8")
    before = snapshot(small)
    status, _, err = run(["import-stats", "export.csv"], capsys)
    assert status == 1
    assert err.splitlines()[0] == ("groups/hjerte.yaml:29:62: after the import: unknown field 'patiens' in "
                                   "'statistics.monthly[1]'; did you mean 'patients'?")
    assert snapshot(small) == before


def test_a_file_changed_during_the_import_is_not_overwritten(small, capsys, monkeypatch):
    check = importstats.check_merged

    def edit_meanwhile(project, changes):
        check(project, changes)
        path = small / "groups/hjerte.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("Nye tal.", "Nye tal!"), encoding="utf-8")

    monkeypatch.setattr(importstats, "check_merged", edit_meanwhile)
    (small / "export.csv").write_text(EXPORT.replace("14,22", "15,22"), encoding="utf-8")
    status, _, err = run(["import-stats", "export.csv"], capsys)
    assert status == 1
    assert err.splitlines()[0] == ("groups/hjerte.yaml:1:1: the file was changed by someone else meanwhile; "
                                   "run `reportgen import-stats` again")
    assert "Nye tal!" in (small / "groups/hjerte.yaml").read_text(encoding="utf-8")


# --- the command line -------------------------------------------------------------


def test_exit_codes(small, capsys):
    (small / "export.csv").write_text(EXPORT, encoding="utf-8")
    (small / "bad.csv").write_text(EXPORT.replace("HJ2", "HJ9"), encoding="utf-8")
    assert run(["import-stats", "export.csv"], capsys)[0] == 0
    assert run(["import-stats", "export.csv", ".", "--dry-run"], capsys)[0] == 0
    assert run(["import-stats", "bad.csv"], capsys)[0] == 1
    status, _, err = run(["import-stats", "missing.csv"], capsys)
    assert (status, err) == (2, "reportgen: error: 'missing.csv' is not a file; give the path of the "
                                "statistics export (a .csv file)\n")
    status, _, err = run(["import-stats", "export.csv", "nowhere"], capsys)
    assert (status, err) == (2, "reportgen: error: 'nowhere' is not a folder\n")
    with pytest.raises(SystemExit) as exc:
        main(["import-stats"])
    assert exc.value.code == 2


# --- splicing the text ----------------------------------------------------------

ROW = MonthlyRow(Month(2024, 5), "hovedstaden", "HJ2", 9, Analyses(9, 0, 0), 2)
ROW_TEXT = ("- {month: 2024-05, region: hovedstaden, indication: HJ2, patients: 9, "
            "analyses: {germline: 9, somatic: 0, rna: 0}, diagnosed: 2}")
STATS = "statistics:\n  as_of: 2024-05-31\n  source: NGC\n"


def splice(tmp_path: Path, text: str, rows=(ROW,)) -> str:
    path = tmp_path / "g.yaml"
    path.write_bytes(text.encode("utf-8"))
    problems = []
    source = read_yaml(path, "g.yaml", problems)
    assert problems == []
    result = replace_monthly(text, source.root, list(rows), "g.yaml", problems)
    assert problems == []
    return result


@pytest.mark.parametrize("before, rows, after", [
    pytest.param(STATS + "  monthly: []\ncases: []\n", [ROW],
                 STATS + f"  monthly:\n    {ROW_TEXT}\ncases: []\n", id="empty_list"),
    pytest.param(STATS + "  monthly:\ncases: []\n", [ROW],
                 STATS + f"  monthly:\n    {ROW_TEXT}\ncases: []\n", id="no_value"),
    pytest.param(STATS + "cases: []\n", [ROW],
                 STATS + f"  monthly:\n    {ROW_TEXT}\ncases: []\n", id="missing_key"),
    pytest.param("statistics:\n  source: NGC\n  as_of: 2024-05-31\ncases: []\n", [ROW],
                 f"statistics:\n  source: NGC\n  monthly:\n    {ROW_TEXT}\n  as_of: 2024-05-31\ncases: []\n",
                 id="missing_key_source_first"),
    pytest.param(STATS + "cases: []\n", [], STATS + "cases: []\n", id="missing_key_no_rows"),
    pytest.param(STATS + "  monthly:\n  - {month: 2024-01}\n  - {month: 2024-02}\nx: 1\n", [ROW, ROW],
                 STATS + f"  monthly:\n  {ROW_TEXT}\n  {ROW_TEXT}\nx: 1\n", id="indentation_kept"),
    pytest.param(STATS + "  monthly:\n    # from NGC\n    - {month: 2024-01,\n       region: x}\n\n"
                         "    # end\n# cases\ncases: []\n", [ROW],
                 STATS + f"  monthly:\n    # from NGC\n    {ROW_TEXT}\n\n    # end\n# cases\ncases: []\n",
                 id="comments_around_and_multiline_rows"),
    pytest.param(STATS + "  monthly:\n    - month: 2024-01\n      region: x\n", [ROW],
                 STATS + f"  monthly:\n    {ROW_TEXT}\n", id="block_rows_at_end_of_file"),
    pytest.param(STATS + "  monthly:\n    - {month: 2024-01}", [ROW],
                 STATS + f"  monthly:\n    {ROW_TEXT}", id="no_final_line_break"),
    pytest.param(STATS + "  monthly:\n    - {month: 2024-01}\ncases: []\n", [],
                 STATS + "  monthly: []\ncases: []\n", id="emptied"),
    pytest.param(STATS + "  monthly: [{month: 2024-01},\n    {month: 2024-02}]  # two\ncases: []\n", [ROW],
                 STATS + f"  monthly:\n    {ROW_TEXT}\ncases: []\n", id="flow_list"),
    pytest.param(STATS.replace("\n", "\r\n") + "  monthly: []\r\ncases: []\r\n", [ROW],
                 STATS.replace("\n", "\r\n") + f"  monthly:\r\n    {ROW_TEXT}\r\ncases: []\r\n", id="crlf"),
    pytest.param("\ufeff" + STATS + "  monthly: []\n", [ROW],
                 "\ufeff" + STATS + f"  monthly:\n    {ROW_TEXT}\n", id="byte_order_mark"),
    pytest.param("# ünïcode\u2028x: 1\n" + STATS + "  monthly: []\n", [ROW],
                 "# ünïcode\u2028x: 1\n" + STATS + f"  monthly:\n    {ROW_TEXT}\n", id="unicode_line_separator"),
])
def test_replace_monthly(tmp_path, before, rows, after):
    assert splice(tmp_path, before, rows) == after


def test_statistics_written_in_braces_is_refused(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("statistics: {as_of: 2024-05-31, source: NGC, monthly: []}\n", encoding="utf-8")
    problems = []
    root = read_yaml(path, "g.yaml", problems).root
    assert replace_monthly(path.read_text(encoding="utf-8"), root, [ROW], "g.yaml", problems) is None
    assert [str(p) for p in problems] == [
        "g.yaml:1:1: 'statistics' is written as {...}; to import figures, write it as a block with 'as_of:', "
        "'source:' and 'monthly:' on lines of their own, as in the other group files"]


def test_rows_are_written_in_canonical_order_without_zero_rows():
    rows = [MonthlyRow(Month(2024, 2), "sjaelland", "HJ10", 1, Analyses(1, 0, 0), 0),
            MonthlyRow(Month(2024, 2), "sjaelland", "HJ2", 1, Analyses(1, 0, 0), 0),
            MonthlyRow(Month(2024, 2), "hovedstaden", "HJ3", 1, Analyses(1, 0, 0), 0),
            MonthlyRow(Month(2024, 1), "sjaelland", "HJ9", 0, Analyses(0, 0, 0), 0),
            MonthlyRow(Month(2024, 1), "sjaelland", "HJ1", 0, Analyses(0, 1, 0), 0)]
    ordered = importstats.canonical_rows(rows, ["hovedstaden", "sjaelland"])
    assert [(str(r.month), r.region, r.indication) for r in ordered] == [
        ("2024-01", "sjaelland", "HJ1"), ("2024-02", "hovedstaden", "HJ3"),
        ("2024-02", "sjaelland", "HJ2"), ("2024-02", "sjaelland", "HJ10")]


# --- the loader's fast path for rows ------------------------------------------------


def test_the_loaders_fast_row_path_gives_the_same_project(monkeypatch):
    fast = load_project(REPO)
    generic = ListOf(declarations.MONTHLY_ROW, "One row per month, region and indication.")
    monkeypatch.setitem(declarations.STATISTICS.keys, "monthly", declarations.Key(generic, required=False, default=()))
    assert load_project(REPO).groups == fast.groups


@pytest.mark.parametrize("row", [
    "{region: hovedstaden, month: 2024-01, indication: HJ1, patients: 14, analyses: {germline: 22, somatic: 0, rna: 0}, diagnosed: 4}",
    "{month: '2024-01', region: hovedstaden, indication: HJ1, patients: 14, analyses: {germline: 22, somatic: 0, rna: 0}, diagnosed: 4}",
    "{month: 2024-01, region: hovedstaden, indication: HJ1, patients: 14, analyses: {rna: 0, germline: 22, somatic: 0}, diagnosed: 4}",
])
def test_rows_in_other_forms_still_load(tmp_path, row):
    heart = HEART.replace("{month: 2024-01, region: hovedstaden, indication: HJ1, patients: 14, analyses: "
                          "{germline: 22, somatic: 0, rna: 0}, diagnosed: 4}", row)
    project = load_project(write_project(tmp_path, {"hjerte": heart, "kraeft": CANCER}))
    assert project.group("hjerte").statistics.monthly[0] == MonthlyRow(
        Month(2024, 1), "hovedstaden", "HJ1", 14, Analyses(22, 0, 0), 4)


@pytest.mark.parametrize("old, new, expected", [
    ("patients: 14", "patients: 012",
     ["29:72: 'statistics.monthly[1].patients' is 012; write the number without a leading zero (12)"]),
    ("region: sjaelland", "region: NO",
     ["30:32: 'region' is 'NO', which is not a region in reportgen.yaml (hovedstaden, sjaelland)"]),
    ("region: sjaelland", "region: sj 010190-1234",  # not plain letters: the generic path checks the text too
     ["30:32: 'region' is 'sj 010190-1234', which is not a region in reportgen.yaml (hovedstaden, sjaelland)",
      "30:35: '010190-1234' is shaped like a CPR number; patient texts must be anonymised. Remove it, or if it "
      "is not a person's number, list it under 'allow_identifiers' with a reason"]),
])
def test_problems_in_rows_are_reported_as_before(tmp_path, old, new, expected):
    with pytest.raises(InputError) as exc:
        load_project(write_project(tmp_path, {"hjerte": HEART.replace(old, new, 1), "kraeft": CANCER}))
    assert [str(p) for p in exc.value.problems] == [f"groups/hjerte.yaml:{e}" for e in expected]
