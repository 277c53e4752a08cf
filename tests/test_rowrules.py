"""The monthly-row rules are written once: `check` and `import-stats` say the same about the same rows."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from projects import CANCER, HEART, write_project
from reportgen.errors import InputError
from reportgen.importstats import import_stats
from reportgen.loader import load_project
from reportgen.model import Analyses, Month, MonthlyRow
from reportgen.rowrules import FirstRows, RowScope, count_problems, row_problems
from reportgen.statsexport import COLUMNS

GOOD = (2024, 1, "hovedstaden", "HJ1", 14, (22, 0, 0), 4)

# Each bad row breaks one rule; the last two are one row written twice.
BAD_ROWS = [
    pytest.param([(2024, 2, "hovedstaden", "HJ1", 5, (5, 0, 0), 6)], {"diagnosed"}, id="diagnosed_gt_patients"),
    pytest.param([(2024, 2, "hovedstaden", "HJ1", 9, (4, 2, 1), 1)], {"patients"}, id="patients_gt_analyses"),
    pytest.param([(2024, 2, "sjalland", "HJ1", 3, (3, 0, 0), 1)], {"region"}, id="unknown_region"),
    pytest.param([(2024, 2, "hovedstaden", "HJ3", 3, (3, 0, 0), 1)], {"indication"}, id="unknown_indication"),
    pytest.param([(2023, 12, "hovedstaden", "HJ1", 3, (3, 0, 0), 1)], {"month"}, id="month_before_start"),
    pytest.param([(2024, 6, "hovedstaden", "HJ1", 3, (3, 0, 0), 1)], {"month"}, id="month_after_as_of"),
    pytest.param([(2024, 3, "sjaelland", "HJ2", 2, (2, 0, 0), 0)] * 2, {None}, id="duplicate_row"),
    pytest.param([(2024, 7, "nord", "HJ9", 9, (1, 0, 0), 10)], {"month", "region", "indication", "patients",
                                                                 "diagnosed"}, id="every_rule_at_once"),
]


def _yaml_row(row) -> str:
    year, month, region, code, patients, (germline, somatic, rna), diagnosed = row
    return (f"    - {{month: {year}-{month:02d}, region: {region}, indication: {code}, patients: {patients}, "
            f"analyses: {{germline: {germline}, somatic: {somatic}, rna: {rna}}}, diagnosed: {diagnosed}}}\n")


def _csv_row(row) -> str:
    year, month, region, code, patients, (germline, somatic, rna), diagnosed = row
    return f"{year}-{month:02d},{region},hjerte,{code},{patients},{germline},{somatic},{rna},{diagnosed}\n"


def _any_line(message: str) -> str:
    return re.sub(r"on line [0-9]+", "on line N", message)


def _messages_of_check(tmp_path, rows) -> list[str]:
    lines = HEART.split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("    - {month:"))
    heart = "\n".join(lines[:first]) + "\n" + "".join(_yaml_row(r) for r in [GOOD, *rows]) + \
        "\n".join(line for line in lines[first:] if not line.startswith("    - {month:"))
    with pytest.raises(InputError) as exc:
        load_project(write_project(tmp_path, {"hjerte": heart, "kraeft": CANCER}))
    return [p.message for p in exc.value.problems]


def _messages_of_import(tmp_path, rows) -> list[str]:
    root = write_project(tmp_path / "import", {"hjerte": HEART, "kraeft": CANCER})
    export = root / "export.csv"
    export.write_text(",".join(COLUMNS) + "\n" + "".join(_csv_row(r) for r in [GOOD, *rows]), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        import_stats(export, root)
    assert {Path(p.path).name for p in exc.value.problems} == {"export.csv"}  # no group file was touched
    return [p.message for p in exc.value.problems]


@pytest.mark.parametrize("rows, fields", BAD_ROWS)
def test_check_and_import_stats_say_the_same_about_a_bad_row(tmp_path, rows, fields):
    by_check = _messages_of_check(tmp_path, rows)
    by_import = _messages_of_import(tmp_path, rows)
    # The same words; only "the first is on line N" counts the lines of each file.
    assert sorted(map(_any_line, by_check)) == sorted(map(_any_line, by_import))
    assert len(by_check) == len(fields)
    for field in fields - {None}:
        assert any(message.startswith(f"'{field}' is ") for message in by_check), field


def test_the_same_messages_name_the_group_and_what_was_expected(tmp_path):
    messages = _messages_of_check(tmp_path, [(2024, 6, "nord", "HJ9", 9, (1, 0, 0), 10)])
    assert sorted(messages) == [
        "'diagnosed' is 10, more than 'patients' (9); diagnosed patients are counted among the patients",
        "'indication' is 'HJ9', which is not one of the indications of hjerte (HJ1, HJ2); did you mean 'HJ2'?",
        "'month' is 2024-06, outside the period of hjerte: from 2024-01 (in operation since 2024-01-15) to "
        "2024-05 (statistics as of 2024-05-31); for newer figures, first update 'statistics.as_of' in "
        "groups/hjerte.yaml",
        "'patients' is 9, more than the WGS analyses (germline + somatic + rna = 1); every patient has at "
        "least one analysis",
        "'region' is 'nord', which is not a region in reportgen.yaml (hovedstaden, sjaelland)",
    ]


def test_a_good_row_obeys_every_rule():
    project_like = RowScope("hjerte", ("HJ1", "HJ2"), ("hovedstaden",), *_period())
    row = MonthlyRow(Month(2024, 1), "hovedstaden", "HJ1", 3, Analyses(3, 0, 0), 3)
    assert row_problems(row, project_like) == []
    assert count_problems(0, Analyses(0, 0, 0), 0) == []
    first_rows = FirstRows()
    assert first_rows.duplicate_problem("hjerte", row, 7) is None
    assert first_rows.duplicate_problem("kraeft", row, 8) is None  # another group's row is another row
    assert "(the first is on line 7)" in first_rows.duplicate_problem("hjerte", row, 7)  # two rows on one line


def test_unknown_settings_leave_regions_unchecked():
    scope = RowScope("hjerte", ("HJ1",), None, *_period())
    row = MonthlyRow(Month(2024, 1), "anywhere", "HJ1", 3, Analyses(3, 0, 0), 1)
    assert row_problems(row, scope) == []


def _period():
    return dt.date(2024, 1, 15), dt.date(2024, 5, 31)
