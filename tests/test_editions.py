"""Editions: `reportgen new-edition`, the archive files, and what the reports show of them.

Figures "then and now" are recomputed here from the YAML rows with PyYAML and
plain arithmetic, never with reportgen's own loader or figures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html.parser
import math
import re
import shutil
from pathlib import Path

import pytest
import yaml

from factories import make_config, make_group, make_project, row
from projects import CANCER, HEART, write_project
from reportgen.cli import main
from reportgen.audit import require_protected
from reportgen.editions import open_edition
from reportgen.errors import InputError
from reportgen.loader import load_project
from reportgen import model as m
from reportgen.model import Analyses, ArchivedCounts
from reportgen.paths import templates_dir
from reportgen.render import Document, render_document
from reportgen.suppression import publish_project
from reportgen.yamlsource import read_yaml

REPO = Path(__file__).resolve().parent.parent
ARCHIVE = "groups/editions/hjerte/2024-06-28.yaml"
WEIGHTS = {"germline": 1, "somatic": 3, "rna": 1}  # tests/projects.py's reportgen.yaml

ARCHIVE_TEXT = """\
# Arkiveret udgave af groups/hjerte.yaml, skrevet af `reportgen new-edition`.
# Alt i filen er beregnet fra gruppefilen, da udgaven blev arkiveret; ret det ikke i hånden.
# EKSEMPELDATA: Driftsstatistikken og patientcases i denne fil er opdigtede, men
# realistiske eksempler. De erstattes af rigtige data fra NGC og specialistnetværket.
group: hjerte
example_data: true
edition:
  date: 2024-06-28
  status: approved
  changes: Nye tal.
as_of: 2024-05-31
since_start:
  patients: 26
  analyses: {germline: 38, somatic: 0, rna: 1}
  diagnosed: 7
indications:
  - code: HJ1
    title: Kardiomyopati
  - code: HJ2
    title: Arytmi
cases:
  - title: En familie får svar
    indication: HJ1
"""

OLD_EDITION = """\
edition:
  date: 2024-06-28
  status: approved
  changes: |
    Nye tal.
"""
NEW_EDITION = """\
edition:
  date: 2025-01-31
  status: draft
  changes: |
    UDKAST: Beskriv her, hvad der er ændret siden udgaven af 2024-06-28: nye tal, nye eller ændrede \
indikationer og patientcases, nye perspektiver.
"""

# The heart group's next edition: HJ2 and its case gone, HJ3 and a case added, seven more months of rows.
HEART_2025 = HEART.replace(OLD_EDITION, """\
edition:
  date: 2025-01-31
  status: approved
  changes: |
    Nye tal og en ny indikation.
""").replace("""\
  - code: HJ2
    title: Arytmi
    criteria: Patienter med arytmi.
""", """\
  - code: HJ3
    title: {da: Aortasygdom, en: Aortic disease}
    criteria: Patienter med aortasygdom.
""").replace("  as_of: 2024-05-31", "  as_of: 2024-12-31").replace("""\
    - {month: 2024-05, region: hovedstaden, indication: HJ2, patients: 9, analyses: {germline: 9, somatic: 0, rna: 0}, diagnosed: 2}
""", """\
    - {month: 2024-07, region: hovedstaden, indication: HJ1, patients: 11, analyses: {germline: 30, somatic: 0, rna: 2}, diagnosed: 5}
    - {month: 2024-11, region: sjaelland, indication: HJ3, patients: 6, analyses: {germline: 12, somatic: 1, rna: 0}, diagnosed: 3}
""").replace("""\
cases:
  - title: En familie får svar
    indication: HJ1
""", """\
cases:
  - title: En aortasygdom opdages i tide
    indication: HJ3
    impact: [prevention]
    text: Tekst.
  - title: En ny familie får svar
    indication: HJ1
""")


@pytest.fixture
def small(tmp_path, monkeypatch):
    """The two-group project in tmp_path, which is also the working folder (so paths print short)."""
    write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(args: list[str], capsys) -> tuple[int, str, str]:
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- the command ----------------------------------------------------------------


def test_new_edition_archives_and_opens_a_draft(small, capsys):
    status, out, err = run(["new-edition", "hjerte", "--date", "2025-01-31", "."], capsys)
    assert (status, err) == (0, "")
    assert out == ("archived the edition of 2024-06-28 in groups/editions/hjerte/2024-06-28.yaml\n"
                   "opened the edition of 2025-01-31 in groups/hjerte.yaml as a draft: describe what changed "
                   "under 'edition.changes', and set 'status: approved' when the edition is approved\n")
    assert (small / ARCHIVE).read_text(encoding="utf-8") == ARCHIVE_TEXT
    assert OLD_EDITION in HEART
    assert (small / "groups/hjerte.yaml").read_text(encoding="utf-8") == HEART.replace(OLD_EDITION, NEW_EDITION)
    project = load_project(small)
    group = project.group("hjerte")
    assert (group.edition.date, group.edition.status) == (dt.date(2025, 1, 31), "draft")
    assert [a.edition.date for a in group.earlier_editions] == [dt.date(2024, 6, 28)]
    assert run(["check", "."], capsys)[0] == 0


def test_archive_figures_are_the_rows_summed(small, capsys):
    assert run(["new-edition", "hjerte", "--date", "2025-01-31"], capsys)[0] == 0
    rows = yaml.safe_load(HEART)["statistics"]["monthly"]
    archive = yaml.safe_load((small / ARCHIVE).read_text(encoding="utf-8"))
    assert archive["since_start"] == {
        "patients": sum(r["patients"] for r in rows),
        "analyses": {t: sum(r["analyses"][t] for r in rows) for t in WEIGHTS},
        "diagnosed": sum(r["diagnosed"] for r in rows),
    }
    assert "genome_equivalents" not in (small / ARCHIVE).read_text(encoding="utf-8")


def test_flow_style_edition_and_texts_in_two_languages(small, capsys):
    cancer = CANCER.replace("name: {da: Kræft hos børn, en: Cancer in children}",
                            "name: {da: Kræft hos børn, en: Cancer in children}\nexample_data: false").replace(
        "title: Solide tumorer", "title: {da: Solide tumorer, en: Solid tumours}")
    (small / "groups/kraeft.yaml").write_text(cancer, encoding="utf-8")
    assert run(["new-edition", "kraeft", "--date", "2024-07-01"], capsys)[0] == 0
    text = (small / "groups/kraeft.yaml").read_text(encoding="utf-8")
    assert text == cancer.replace("edition: {date: 2024-06-28, status: approved}\n", """\
edition:
  date: 2024-07-01
  status: draft
  changes: |
    UDKAST: Beskriv her, hvad der er ændret siden udgaven af 2024-06-28: nye tal, nye eller ændrede \
indikationer og patientcases, nye perspektiver.
""")
    archive = (small / "groups/editions/kraeft/2024-06-28.yaml").read_text(encoding="utf-8")
    assert "EKSEMPELDATA" not in archive
    assert archive.endswith("""\
group: kraeft
example_data: false
edition:
  date: 2024-06-28
  status: approved
as_of: 2024-05-31
since_start:
  patients: 8
  analyses: {germline: 8, somatic: 8, rna: 5}
  diagnosed: 4
indications:
  - code: KB1
    title:
      da: Solide tumorer
      en: Solid tumours
cases: []
""")
    assert load_project(small).group("kraeft").previous_edition.indications[0].title.by_lang == {
        "da": "Solide tumorer", "en": "Solid tumours"}


@pytest.mark.parametrize("args, status, message", [
    pytest.param(["new-edition", "hjerte", "--date", "2024-06-28"], 2,
                 "reportgen: error: --date 2024-06-28 is not after the current edition's date (2024-06-28, in "
                 "groups/hjerte.yaml); a new edition must be dated later\n", id="same_date"),
    pytest.param(["new-edition", "hjerte", "--date", "2023-12-31"], 2,
                 "reportgen: error: --date 2023-12-31 is not after the current edition's date (2024-06-28, in "
                 "groups/hjerte.yaml); a new edition must be dated later\n", id="earlier_date"),
    pytest.param(["new-edition", "hjerrte", "--date", "2025-01-31"], 2,
                 "reportgen: error: 'hjerrte' is not a group of this project (the group files are named "
                 "groups/<group>.yaml); did you mean 'hjerte'?\n", id="unknown_group"),
    pytest.param(["new-edition", "hjerte", "--date", "2025-02-30"], 2,
                 "argument --date: 2025-02-30 is not a date in the calendar\n", id="not_a_date"),
    pytest.param(["new-edition", "hjerte", "--date", "31-01-2025"], 2,
                 "argument --date: expected a date written YYYY-MM-DD, e.g. 2025-04-30, not '31-01-2025'\n",
                 id="date_format"),
    pytest.param(["new-edition", "hjerte"], 2,
                 "the following arguments are required: --date\n", id="no_date"),
    pytest.param(["new-edition", "hjerte", "--date", "2025-01-31", "nowhere"], 2,
                 "reportgen: error: 'nowhere' is not a folder\n", id="no_folder"),
])
def test_refusals_write_nothing(small, capsys, args, status, message):
    before = snapshot(small)
    if not message.startswith("reportgen:"):  # argparse's own errors, after its usage line
        with pytest.raises(SystemExit) as exit_:
            main(args)
        assert exit_.value.code == 2
        assert capsys.readouterr().err.endswith(message)
    else:
        assert run(args, capsys) == (status, "", message)
    assert snapshot(small) == before


def test_refuses_an_invalid_project(small, capsys):
    (small / "groups/kraeft.yaml").write_text(CANCER.replace("patients: 6", "patients: -6"), encoding="utf-8")
    before = snapshot(small)
    assert run(["new-edition", "hjerte", "--date", "2025-01-31"], capsys) == (
        1, "", "groups/kraeft.yaml:14:72: 'statistics.monthly[1].patients' is -6; a count cannot be negative\n"
               "1 problem in 1 file; nothing was written\n")
    assert snapshot(small) == before


def test_refuses_to_overwrite_an_archive(small, capsys):
    assert run(["new-edition", "hjerte", "--date", "2025-01-31"], capsys)[0] == 0
    # As if opening the new edition had failed: the group file back at the archived edition.
    (small / "groups/hjerte.yaml").write_text(HEART, encoding="utf-8")
    before = snapshot(small)
    status, out, err = run(["new-edition", "hjerte", "--date", "2025-01-31"], capsys)
    assert (status, out) == (1, "")
    assert err == ("groups/editions/hjerte/2024-06-28.yaml:8:9: this archive is the group's current edition "
                   "(2024-06-28 in groups/hjerte.yaml); an archive holds an earlier edition. If `reportgen "
                   "new-edition` stopped before it opened the new edition, delete this file and run the command "
                   "again\n1 problem in 1 file; nothing was written\n")
    assert snapshot(small) == before


def test_refuses_to_archive_a_draft(small, capsys):
    (small / "groups/hjerte.yaml").write_text(HEART.replace("status: approved", "status: draft"), encoding="utf-8")
    before = snapshot(small)
    assert run(["new-edition", "hjerte", "--date", "2025-01-31"], capsys) == (
        1, "", "groups/hjerte.yaml:11:11: the current edition (2024-06-28) is a draft; only an approved edition "
               "is archived. Approve it first (status: approved), or go on editing this draft\n"
               "1 problem in 1 file; nothing was written\n")
    assert snapshot(small) == before


def test_a_second_new_edition_keeps_both_archives(small, capsys):
    assert run(["new-edition", "hjerte", "--date", "2025-01-31"], capsys)[0] == 0
    (small / "groups/hjerte.yaml").write_text(HEART_2025, encoding="utf-8")
    assert run(["new-edition", "hjerte", "--date", "2026-01-31"], capsys)[0] == 0
    group = load_project(small).group("hjerte")
    assert [a.edition.date for a in group.earlier_editions] == [dt.date(2024, 6, 28), dt.date(2025, 1, 31)]
    assert group.previous_edition.as_of == dt.date(2024, 12, 31)


# --- splicing the edition block ------------------------------------------------------


def _open(text: str, tmp_path: Path) -> str:
    path = tmp_path / "g.yaml"
    path.write_bytes(text.encode("utf-8"))
    source = read_yaml(path, "g.yaml", [])
    return open_edition(text, source.root, dt.date(2025, 1, 31), "Beskriv ændringerne.", "g.yaml")


@pytest.mark.parametrize("before, after", [
    pytest.param("id: x\nedition:\n  date: 2024-06-28  # dato\n  status: approved\n\n# Resumé\nsummary: S\n",
                 "id: x\nedition:\n  date: 2025-01-31\n  status: draft\n  changes: |\n    Beskriv ændringerne.\n"
                 "\n# Resumé\nsummary: S\n", id="outer_comment_and_blank_line_stay"),
    pytest.param("id: x\nedition:\n    date: 2024-06-28\n    status: approved\n    changes: |\n      Tekst.\n\n"
                 "      # Markdown-overskrift\nsummary: S\n",
                 "id: x\nedition:\n    date: 2025-01-31\n    status: draft\n    changes: |\n        Beskriv "
                 "ændringerne.\nsummary: S\n", id="four_spaces_and_a_heading_inside_the_text"),
    pytest.param("id: x\r\nedition: {date: 2024-06-28, status: approved}\r\nsummary: S\r\n",
                 "id: x\r\nedition:\r\n  date: 2025-01-31\r\n  status: draft\r\n  changes: |\r\n    Beskriv "
                 "ændringerne.\r\nsummary: S\r\n", id="windows_line_ends"),
    pytest.param("\ufeffid: x\nsummary: S\nedition:\n  date: 2024-06-28\n  status: approved",
                 "\ufeffid: x\nsummary: S\nedition:\n  date: 2025-01-31\n  status: draft\n  changes: |\n    "
                 "Beskriv ændringerne.", id="last_key_without_line_break_and_bom"),
])
def test_open_edition_replaces_only_the_edition_lines(tmp_path, before, after):
    assert _open(before, tmp_path) == after


def test_open_edition_refuses_an_edition_sharing_its_line(tmp_path):
    with pytest.raises(InputError) as error:
        _open("{id: x, edition: {date: 2024-06-28, status: approved}}\n", tmp_path)
    assert [str(p) for p in error.value.problems] == [
        "g.yaml:1:9: 'edition' shares its line with other fields; to open a new edition, write 'edition:' at "
        "the start of a line of its own, as in the other group files"]


# --- the archive files: located errors -----------------------------------------------


def _archived(small, capsys) -> Path:
    assert run(["new-edition", "hjerte", "--date", "2025-01-31"], capsys)[0] == 0
    (small / "groups/hjerte.yaml").write_text(HEART_2025, encoding="utf-8")
    return small / ARCHIVE


DAMAGED_ARCHIVES = [
    pytest.param("  patients: 26", "  patient: 26",
                 ["groups/editions/hjerte/2024-06-28.yaml:13:3: unknown field 'patient' in 'since_start'; "
                  "did you mean 'patients'?"], id="unknown_key"),
    pytest.param("group: hjerte", "group: kraeft",
                 ["groups/editions/hjerte/2024-06-28.yaml:5:8: 'group' is kraeft, but the file lies in the folder "
                  "of hjerte; they must be the same"], id="other_group"),
    pytest.param("  date: 2024-06-28", "  date: 2024-06-27",
                 ["groups/editions/hjerte/2024-06-28.yaml:8:9: 'edition.date' is 2024-06-27, but the file is named "
                  "2024-06-28.yaml; they must be the same"], id="date_not_file_name"),
    pytest.param("  status: approved", "  status: draft",
                 ["groups/editions/hjerte/2024-06-28.yaml:9:11: 'edition.status' is draft; only approved "
                  "(published) editions are archived"], id="draft"),
    pytest.param("  diagnosed: 7", "  diagnosed: 27",
                 ["groups/editions/hjerte/2024-06-28.yaml:15:14: 'since_start.diagnosed' is 27, more than "
                  "'since_start.patients' (26)"], id="diagnosed_over_patients"),
    pytest.param("  patients: 26", "  patients: 40",
                 ["groups/editions/hjerte/2024-06-28.yaml:13:13: 'since_start.patients' is 40, more than the WGS "
                  "analyses (39)"], id="patients_over_analyses"),
    pytest.param("  patients: 26", "  patients: -26",
                 ["groups/editions/hjerte/2024-06-28.yaml:13:13: 'since_start.patients' is -26; a count cannot "
                  "be negative"], id="negative"),
    pytest.param("    indication: HJ1", "    indication: HJ7",
                 ["groups/editions/hjerte/2024-06-28.yaml:23:17: 'indication' is HJ7, which is not one of the "
                  "archived indications (HJ1, HJ2); did you mean 'HJ2'?"], id="case_indication"),
    pytest.param("  - code: HJ2", "  - code: HJ1",
                 ["groups/editions/hjerte/2024-06-28.yaml:19:11: the indication code HJ1 is listed twice"],
                 id="code_twice"),
    pytest.param("as_of: 2024-05-31", "as_of: 2024-05-32",
                 ["groups/editions/hjerte/2024-06-28.yaml:11:8: 'as_of' is 2024-05-32, which is not a date in "
                  "the calendar"], id="bad_date"),
    pytest.param("    title: Arytmi", "    title: <b>Arytmi</b>",
                 ["groups/editions/hjerte/2024-06-28.yaml:20:12: raw HTML (<b>) in the text; HTML is not allowed, "
                  "use Markdown instead (**bold**, *italic*, [link text](https://...)), or write '<' with a space "
                  "after it",
                  "groups/editions/hjerte/2024-06-28.yaml:20:21: raw HTML (</b>) in the text; HTML is not allowed, "
                  "use Markdown instead (**bold**, *italic*, [link text](https://...)), or write '<' with a space "
                  "after it"], id="html"),
    pytest.param("  status: approved", "\tstatus: approved",
                 ["groups/editions/hjerte/2024-06-28.yaml:9:1: a tab character; YAML needs spaces here (set your "
                  "editor to insert spaces for tabs)"], id="tab"),
    pytest.param("group: hjerte\n", "group: hjerte\ngroup: hjerte\n",
                 ["groups/editions/hjerte/2024-06-28.yaml:6:1: the key 'group' appears twice in the same block "
                  "(first on line 5); keep one of them"], id="duplicate_key"),
]


@pytest.mark.parametrize("old, new, expected", DAMAGED_ARCHIVES)
def test_damaged_archive_gives_located_errors(small, capsys, old, new, expected):
    path = _archived(small, capsys)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_project(small)
    assert [str(p) for p in error.value.problems] == expected


def test_misplaced_archive_files(small, capsys):
    path = _archived(small, capsys)
    editions = small / "groups/editions"
    (editions / "hjerte/notes.txt").write_text("x", encoding="utf-8")
    (editions / "hjerte/2024-13-01.yaml").write_text("x", encoding="utf-8")
    (editions / "hjerte/.swap").write_text("ignored", encoding="utf-8")
    (editions / "hjerrte").mkdir()
    (editions / "2024-06-28.yaml").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (editions / "hjerte/2023-01-01.yaml").write_text("", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_project(small)
    assert [str(p) for p in error.value.problems] == [
        "groups/editions/2024-06-28.yaml:1:1: unexpected file; an archived edition lies in a folder named after "
        "its group: groups/editions/<group-id>/<date>.yaml",
        "groups/editions/hjerrte:1:1: 'hjerrte' is not a group of this project (there is no "
        "groups/hjerrte.yaml); did you mean 'hjerte'?",
        "groups/editions/hjerte/2023-01-01.yaml:1:1: the file is empty; expected the fields of a report (see "
        "the other files in the folder)",
        "groups/editions/hjerte/2024-13-01.yaml:1:1: unexpected file; an archived edition's file is named "
        "after the edition's date, e.g. 2023-06-30.yaml",
        "groups/editions/hjerte/notes.txt:1:1: unexpected file; an archived edition's file is named after the "
        "edition's date, e.g. 2023-06-30.yaml",
    ]


def test_archive_later_than_the_current_edition(small, capsys):
    path = _archived(small, capsys)
    (small / "groups/hjerte.yaml").write_text(HEART, encoding="utf-8")  # back to 2024-06-28, as if restored
    later = path.with_name("2024-12-31.yaml")
    later.write_text(path.read_text(encoding="utf-8").replace("date: 2024-06-28", "date: 2024-12-31"),
                     encoding="utf-8")
    path.unlink()
    with pytest.raises(InputError) as error:
        load_project(small)
    assert [str(p) for p in error.value.problems] == [
        "groups/editions/hjerte/2024-12-31.yaml:8:9: this archive is later than the group's current edition "
        "(2024-06-28 in groups/hjerte.yaml); an archive holds an earlier edition. If `reportgen new-edition` "
        "stopped before it opened the new edition, delete this file and run the command again"]


# --- what the reports show ---------------------------------------------------------------


class _Tables(html.parser.HTMLParser):
    """The text of every table cell, row by row, per table; and the text of <dt>/<li> items."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None
        self.lists: list[tuple[str, str]] = []
        self.item: tuple[str, list[str]] | None = None
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag in ("dt", "li"):
            self.item = (tag, [])
        elif tag == "sup":
            self.skip += 1  # footnote numbers
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append(_squeezed(self.cell))
            self.cell = None
        elif tag in ("dt", "li") and self.item is not None:
            self.lists.append((self.item[0], _squeezed(self.item[1])))
            self.item = None
        elif tag == "sup":
            self.skip -= 1

    def handle_data(self, data):
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        if self.item is not None:
            self.item[1].append(data)


def _squeezed(parts: list[str]) -> str:
    """The text with runs of spaces and line breaks as one space (no-break spaces kept: they are meant)."""
    return re.sub(r"[ \t\n]+", " ", "".join(parts)).strip(" ")


def _section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}"')
    return page[start:page.index("\n</section>", start)]


def _page(root: Path, kind: str, key: str, lang: str = "da", medium: str = "web") -> str:
    project = load_project(root)
    return render_document(project, publish_project(project), Document(kind, key), lang, root="", lang_prefix="",
                           other_languages=[], pdf_available=False, templates=templates_dir(root), medium=medium)


def _wilson(d: int, n: int) -> tuple[float, float, float]:
    z = 1.959963984540054
    p = d / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return p, centre - half, centre + half


def _expected_column(group_yaml: str) -> list[str]:
    """Patients, analyses, genome equivalents and yield since start, from the rows, as the Danish page shows them."""
    rows = yaml.safe_load(group_yaml)["statistics"]["monthly"]
    patients = sum(r["patients"] for r in rows)
    diagnosed = sum(r["diagnosed"] for r in rows)
    analyses = {t: sum(r["analyses"][t] for r in rows) for t in WEIGHTS}
    p, low, high = _wilson(diagnosed, patients)

    def pct(x: float) -> str:
        return f"{x * 100:.1f}".replace(".", ",")

    return [str(patients), str(sum(analyses.values())), str(sum(WEIGHTS[t] * n for t, n in analyses.items())),
            f"{pct(p)}\xa0% ({pct(low)}–{pct(high)}\xa0%)"]


def test_changes_section_figures_match_the_rows(small, capsys):
    _archived(small, capsys)
    section = _section(_page(small, "group", "hjerte"), "changes")
    tables = _Tables()
    tables.feed(section)
    [table] = tables.tables
    assert table[0] == ["Opgørelse", "Forrige udgave, 28. juni 2024 data til og med 31. maj 2024",
                        "Denne udgave, 31. januar 2025 data til og med 31. december 2024"]
    then, now = _expected_column(HEART), _expected_column(HEART_2025)
    assert then == ["26", "39", "39", "26,9\xa0% (13,7–46,1\xa0%)"]  # the data above, worked out by hand
    # Analyses as they are; person counts and yields as published: exact, hidden or rounded (this fixture
    # has two regions, each knowing its own counts, so its person counts are much protected).
    assert [r[0] for r in table[1:]] == ["Patienter", "WGS-analyser", "Genomækvivalenter",
                                         "Diagnostisk udbytte (95 %-konfidensinterval)"]
    assert table[2][1:] == [then[1], now[1]] and table[3][1:] == [then[2], now[2]]
    for shown, expected in zip(table[1][1:] + table[4][1:], [then[0], now[0], then[3], now[3]]):
        assert shown == expected or shown in ("x", "<5") or shown.startswith("≈"), (shown, expected)
    # Every row carries its unit's footnote.
    for label, key in (("Patienter", "patients"), ("WGS-analyser", "analyses"), ("Genomækvivalenter",
                                                                                 "genome_equivalents")):
        assert re.search(rf'<th scope="row">{label}<sup class="fn-ref"><a href="#fn-\d+"', section)
    assert section.index("Nye tal og en ny indikation.") < section.index("<table>")


def test_changes_section_lists_what_was_added_and_removed(small, capsys):
    _archived(small, capsys)
    tables = _Tables()
    tables.feed(_section(_page(small, "group", "hjerte"), "changes"))
    assert tables.lists == [
        ("dt", "Nye indikationer"), ("li", "HJ3: Aortasygdom"),
        ("dt", "Udgåede indikationer"), ("li", "HJ2: Arytmi"),
        ("dt", "Nye patientcases"), ("li", "En aortasygdom opdages i tide (indikation HJ3)"),
        ("li", "En ny familie får svar (indikation HJ1)"),
        ("dt", "Udgåede patientcases"), ("li", "En familie får svar (indikation HJ1)"),
    ]
    english = _Tables()
    english.feed(_section(_page(small, "group", "hjerte", "en"), "changes"))
    assert english.lists[:2] == [("dt", "Indications added"), ("li", "HJ3: Aortic disease")]


def test_no_list_changes_and_small_counts_suppressed(small, capsys):
    assert run(["new-edition", "kraeft", "--date", "2024-07-01"], capsys)[0] == 0
    text = (small / "groups/kraeft.yaml").read_text(encoding="utf-8").replace("status: draft", "status: approved")
    (small / "groups/kraeft.yaml").write_text(text, encoding="utf-8")
    section = _section(_page(small, "group", "kraeft"), "changes")
    tables = _Tables()
    tables.feed(section)
    # 8 patients, 4 diagnosed then and now: "<5" diagnosed, so the yield is hidden.
    rows = tables.tables[0][1:]
    assert rows[1:] == [["WGS-analyser", "21", "21"], ["Genomækvivalenter", "37", "37"],
                        ["Diagnostisk udbytte (95 %-konfidensinterval)", "x", "x"]]
    assert rows[0][0] == "Patienter" and all(v in ("8", "≈10", "x") for v in rows[0][1:])
    assert "<p>Indikationerne og patientcasene er de samme som i forrige udgave.</p>" in section


def test_without_an_earlier_edition_the_section_is_the_text_alone(small):
    section = _section(_page(small, "group", "hjerte"), "changes")
    assert section == ('<section id="changes" aria-labelledby="changes-heading">\n'
                       '  <h2 id="changes-heading">Ændringer siden sidste udgave</h2>\n'
                       '  <p>Nye tal.</p>')


def test_archived_titles_are_shown_as_plain_text(small, capsys):
    _archived(small, capsys)
    project = load_project(small)
    hostile = m.Text({"da": "<script>alert(1)</script>"})
    group = project.group("hjerte")
    previous = dataclasses.replace(
        group.previous_edition,
        indications=tuple(dataclasses.replace(i, title=hostile) for i in group.previous_edition.indications),
        cases=tuple(dataclasses.replace(c, title=hostile) for c in group.previous_edition.cases))
    project = dataclasses.replace(project, groups=tuple(
        dataclasses.replace(g, earlier_editions=(previous,)) if g.id == "hjerte" else g for g in project.groups))
    page = render_document(project, publish_project(project), Document("group", "hjerte"), "da", root="",
                           lang_prefix="", other_languages=[], pdf_available=False, templates=templates_dir(small))
    section = _section(page, "changes")
    assert "<script>" not in section
    assert "<li>HJ2: &lt;script&gt;alert(1)&lt;/script&gt;</li>" in section
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt; (indikation HJ1)</li>" in section


def test_the_print_page_has_the_section_with_its_notes(small, capsys):
    _archived(small, capsys)
    section = _section(_page(small, "group", "hjerte", medium="print"), "changes")
    assert "Tallene ved forrige og denne udgave" in section
    assert '<span class="fn-print"' in _page(small, "group", "hjerte", medium="print")


def test_consolidated_report_lists_groups_with_a_new_edition(small, capsys):
    _archived(small, capsys)
    page = _page(small, "consolidated", "rare")
    tables = _Tables()
    tables.feed(_section(page, "new-editions"))
    assert tables.tables == [[["Patientgruppe", "Ny udgave", "Forrige udgave"],
                              ["Arvelige hjertesygdomme", "31. januar 2025", "28. juni 2024"]]]
    assert '<th scope="row"><a href="hjerte.html">Arvelige hjertesygdomme</a></th>' in page
    assert 'id="new-editions"' not in _page(small, "consolidated", "cancer")


def test_a_draft_new_edition_is_not_listed(small, capsys):
    assert run(["new-edition", "hjerte", "--date", "2025-01-31"], capsys)[0] == 0  # the new edition is a draft
    assert 'id="new-editions"' not in _page(small, "consolidated", "rare")


# --- "then" as published: the same suppression as every other count ----------------------------


def _with_archive(patients_then: int, diagnosed_then: int):
    """A project whose group has an archived edition with these totals since start."""
    rows = (row("2024-01", "hovedstaden", "I1", patients=30, germline=40, diagnosed=9),
            row("2024-02", "sjaelland", "I1", patients=20, germline=30, diagnosed=6),
            row("2024-03", "nordjylland", "I2", patients=12, germline=20, diagnosed=3))
    group = make_group("g1", rows=rows, as_of=dt.date(2024, 5, 31))
    archive = m.ArchivedEdition(group="g1", example_data=True,
                                edition=m.Edition(dt.date(2023, 6, 30), "approved", None), as_of=dt.date(2023, 5, 31),
                                since_start=ArchivedCounts(patients_then, Analyses(patients_then, 0, 0), diagnosed_then),
                                indications=(), cases=())
    group = dataclasses.replace(group, earlier_editions=(archive,))
    return make_project([group], make_config(regions={"hovedstaden": ("Region Hovedstaden", 1_911_067),
                                                      "sjaelland": ("Region Sjælland", 852_953),
                                                      "nordjylland": ("Region Nordjylland", 593_135)}))


@pytest.mark.parametrize("patients_then, diagnosed_then", [(60, 17), (59, 15), (40, 12), (3, 1)])
def test_an_archived_edition_and_the_new_one_leak_no_difference(patients_then, diagnosed_then):
    """62 patients and 18 diagnosed now: an edition with 60 and 17 would give away 2 and 1 added."""
    project = _with_archive(patients_then, diagnosed_then)
    published = publish_project(project)
    then, now = published.edition("g1", dt.date(2023, 6, 30)), published.group("g1").since_start.total
    assert now.patients.value == 62  # the group's own total stays
    for measure, raw_now, raw_then in (("patients", 62, patients_then), ("diagnosed", 18, diagnosed_then)):
        shown_then, shown_now = getattr(then, measure), getattr(now, measure)
        if 0 < raw_then < 5:
            assert shown_then.text == "<5"
        if 0 < raw_now - raw_then < 5:  # a small difference: not both exact
            assert shown_then.value is None or shown_now.value is None or shown_now.is_rounded
        elif raw_then >= 5:
            assert shown_then.value == raw_then  # a large difference protects no one: nothing is hidden
    assert require_protected(project, published).failures == []


# --- the shipped example data ---------------------------------------------------------------


def _fast_yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def test_shipped_archives_are_the_2023_editions_of_the_rare_groups():
    groups = {p.stem: _fast_yaml(p) for p in (REPO / "groups").glob("*.yaml")}
    rare = sorted(group_id for group_id, group in groups.items() if group["category"] == "rare")
    assert len(rare) == 13
    folders = sorted(p.name for p in (REPO / "groups/editions").iterdir())
    assert folders == rare
    for group_id in rare:
        group = groups[group_id]
        [path] = (REPO / "groups/editions" / group_id).iterdir()
        assert path.name == "2023-06-30.yaml"
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[2].startswith("# EKSEMPELDATA:")
        archive = yaml.safe_load(text)
        assert archive["example_data"] is True
        assert archive["edition"] == {"date": dt.date(2023, 6, 30), "status": "approved"}
        assert archive["as_of"] == dt.date(2023, 5, 31)
        rows = [r for r in group["statistics"]["monthly"] if r["month"] <= "2023-05"]
        assert archive["since_start"] == {
            "patients": sum(r["patients"] for r in rows),
            "analyses": {t: sum(r["analyses"][t] for r in rows) for t in WEIGHTS},
            "diagnosed": sum(r["diagnosed"] for r in rows),
        }, group_id
        assert archive["indications"] == [{"code": i["code"], "title": i["title"]} for i in group["indications"]]
        assert archive["cases"] == [{"title": c["title"], "indication": c["indication"]}
                                    for c in group["cases"][:-1]]


def test_shipped_project_with_archives_is_valid(tmp_path):
    shutil.copy2(REPO / "reportgen.yaml", tmp_path / "reportgen.yaml")
    shutil.copytree(REPO / "groups", tmp_path / "groups")
    project = load_project(tmp_path)
    assert sorted(g.id for g in project.groups if g.previous_edition) == sorted(
        g.id for g in project.groups_in("rare"))
