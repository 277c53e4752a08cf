"""Edges that hold: every bad text, file, number and failed write gets a located, plain answer.

Tables in the manner of test_loader.py's bad-input table: what is written, and the exact
problems reported. Then the files the loader must refuse (pipes, devices, folders,
unreadable files), the errors at the command line's edge, a full disk, and a property
test that what `check` passes, `build` builds.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects import CANCER, CONFIG, HEART, write_project
from reportgen import writer
from reportgen.build import build
from reportgen.cli import main
from reportgen.errors import MAX_SHOWN_PER_FILE, FileError, InputError, as_reportgen_error
from reportgen.figures import target_projection
from reportgen.loader import load_project
from reportgen.textchecks import fold

CASE_LINE = "      Familien blev tilbudt udredning."  # line 39 of HEART, in a `text: |` block
_CPR = ("is shaped like a CPR number; patient texts must be anonymised. Remove it, or if it is not a "
        "person's number, list it under 'allow_identifiers' with a reason")
_JS = "a link starting with 'javascript:'; links may only start with https://, http:// or mailto:"


def problems_in(root: Path) -> list[str]:
    try:
        load_project(root)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return []


def heart_with(tmp_path: Path, old: str, new: str) -> list[str]:
    assert old in HEART
    write_project(tmp_path, {"hjerte": HEART.replace(old, new, 1), "kraeft": CANCER})
    return [p.removeprefix("groups/hjerte.yaml:") for p in problems_in(tmp_path)]


# --- CPR numbers, however they are disguised -------------------------------------------

DISGUISED_CPR = [
    pytest.param("Nr 010190\u00a01234 her.", "39:10: '010190 1234'", id="no_break_space"),
    pytest.param("Nr 010190\u202f1234 her.", "39:10: '010190 1234'", id="narrow_no_break_space"),
    pytest.param("Nr 010190\u20091234 her.", "39:10: '010190 1234'", id="thin_space"),
    pytest.param("Nr 010190\u20071234 her.", "39:10: '010190 1234'", id="figure_space"),
    pytest.param("Nr 010190  1234 her.", "39:10: '010190  1234'", id="two_spaces"),
    pytest.param("Nr 010190\u20131234 her.", "39:10: '010190-1234'", id="en_dash"),
    pytest.param("Nr 010190\u20111234 her.", "39:10: '010190-1234'", id="non_breaking_hyphen"),
    pytest.param("Nr 010190\u22121234 her.", "39:10: '010190-1234'", id="minus_sign"),
    pytest.param("Nr 0101\u00ad90-1234 her.", "39:10: '010190-1234'", id="soft_hyphen"),
    pytest.param("Nr 010190\u200b-1234 her.", "39:10: '010190-1234'", id="zero_width_space"),
    pytest.param("Nr 01019\u20600-1234 her.", "39:10: '010190-1234'", id="word_joiner"),
    pytest.param("Nr 0101\ufeff90-1234 her.", "39:10: '010190-1234'", id="byte_order_mark"),
    pytest.param("Nr 010190\\-1234 her.", "39:10: '010190-1234'", id="markdown_escape"),
    pytest.param("Nr 0101*90*-1234 her.", "39:10: '010190-1234'", id="emphasis"),
    pytest.param("Nr **010190**-1234 her.", "39:12: '010190-1234'", id="bold"),
    pytest.param("Nr [010190](https://ngc.dk/)-1234 her.", "39:11: '010190-1234'", id="link"),
    pytest.param("Nr `010190`-1234 her.", "39:11: '010190-1234'", id="code"),
    pytest.param("Nr CPR-010190-1234 her.", "39:14: '010190-1234'", id="cpr_prefix"),
    pytest.param("Nr 010190-\n      1234 her.", "39:10: '010190- 1234'", id="two_lines"),
    pytest.param("Nr 0101\n      901234 her.", "39:10: '0101 901234'", id="two_lines_inside_the_digits"),
    pytest.param("Nr 010190 - 1234 her.", "39:10: '010190 - 1234'", id="spaced_hyphen"),
    pytest.param("Nr ０１０１９０-１２３４ her.",
                 "39:10: '０１０１９０-１２３４'", id="fullwidth_digits"),
]


@pytest.mark.parametrize("text, expected", DISGUISED_CPR)
def test_a_disguised_cpr_number_is_found_at_its_place(tmp_path, text, expected):
    assert heart_with(tmp_path, CASE_LINE, "      " + text) == [f"{expected} {_CPR}"]


@pytest.mark.parametrize("text, expected", [
    pytest.param("title: En familie får svar", "title: En familie 0101\u200b90-1234", id="plain_title"),
    pytest.param("network: Netværket for", "network: Netværket 010190\u20131234 for", id="plain_line"),
])
def test_plain_texts_are_folded_too(tmp_path, text, expected):
    found = heart_with(tmp_path, text, expected)
    assert len(found) == 1 and _CPR in found[0]


def test_a_number_broken_over_two_lines_of_a_folded_text(tmp_path):
    found = heart_with(tmp_path, "summary: |\n  Et kort resumé.", "summary: >\n  Et kort resumé 010190-\n  1234.")
    assert found == [f"15:18: '010190- 1234' {_CPR}"]


@pytest.mark.parametrize("written, allowed", [
    pytest.param("Prøve 010203-1234 fra laboratoriet.", "010203-1234", id="plain"),
    pytest.param("Prøve 010203\u00a01234 fra laboratoriet.", "010203\u00a01234", id="exact_no_break_space"),
    pytest.param("Prøve **010203**-1234 fra laboratoriet.", "010203-1234", id="as_a_reader_sees_it"),
])
def test_allow_identifiers_takes_the_string_the_clinician_wrote(tmp_path, written, allowed):
    group = HEART.replace(CASE_LINE, "      " + written) + (
        f'allow_identifiers:\n  - value: "{allowed}"\n    reason: Et laboratoriets prøvenummer\n')
    write_project(tmp_path, {"hjerte": group, "kraeft": CANCER})
    assert problems_in(tmp_path) == []


def test_an_allowed_number_does_not_allow_another(tmp_path):
    group = HEART.replace(CASE_LINE, "      Prøve 010203-1234 og 010203\u20131235.") + (
        "allow_identifiers:\n  - value: 010203-1234\n    reason: Et laboratoriets prøvenummer\n")
    write_project(tmp_path, {"hjerte": group, "kraeft": CANCER})
    assert problems_in(tmp_path) == [f"groups/hjerte.yaml:39:28: '010203-1235' {_CPR}"]


def test_fold_keeps_the_way_back_to_the_written_text():
    folded, origin = fold("a\u00a0b\u00adc*d", markup=True)
    assert folded == "a bcd"
    assert [origin[i] for i in range(len(folded))] == [0, 1, 2, 4, 6]


# --- links and images, judged on the rendered Markdown -------------------------------------

BAD_LINKS = [
    pytest.param("      Se [a [b] c](javascript:x) her.", [f"39:10: {_JS}"], id="nested_brackets"),
    pytest.param("      Se [a\n      b](javascript:y) her.", [f"39:10: {_JS}"], id="line_break_in_link_text"),
    pytest.param("      > [x][1]\n      >\n      > [1]: javascript:z", [f"41:14: {_JS}"], id="reference_in_quote"),
    pytest.param("      - [x][1]\n\n          [1]: javascript:q", [f"41:16: {_JS}"], id="reference_in_list"),
    pytest.param("      ![a][i]\n\n      [i]: https://ngc.dk/a.png",
                 ["39:7: an image (![...](...)); images are not supported in report texts"], id="image_reference"),
    pytest.param("      [x](<javascript:a>)", [f"39:11: {_JS}"], id="angle_brackets"),
    pytest.param("      [a][d] og [b][d]\n\n      [d]: data:text/html,x",
                 ["41:12: a link starting with 'data:'; links may only start with https://, http:// or mailto:"],
                 id="one_reference_used_twice"),
    pytest.param("      [x](side.html)", ["39:7: a link to 'side.html', which is not a web address; write the full "
                                           "address starting with https://"], id="relative"),
    pytest.param("      [NGC](https://www.ngc.dk/) <https://ngc.dk> <mailto:a@b.dk>", [], id="good_links_pass"),
]


@pytest.mark.parametrize("text, expected", BAD_LINKS)
def test_links_and_images_are_judged_as_the_renderer_reads_them(tmp_path, text, expected):
    assert heart_with(tmp_path, CASE_LINE, text) == expected


def test_the_check_reads_markdown_as_the_pages_do():
    """The checks (load stage) and the renderer (render stage) each hold a Markdown converter;
    they must make the same HTML of every text, or the checks would judge another text."""
    from test_hostile import HOSTILE_TEXTS

    from reportgen.markdown_reader import markdown_html as checked
    from reportgen.markdown_text import markdown_html as rendered

    texts = HOSTILE_TEXTS + [text for text, _ in (p.values[:2] for p in DISGUISED_CPR)] + [
        p.values[0] for p in BAD_LINKS] + ["1. a\n2. b\n\n3) c", "# Overskrift\n\n- a\n    - b\n\n> citat"]
    assert [checked(t) for t in texts] == [rendered(t) for t in texts]


# --- bounded work ----------------------------------------------------------------------------

_HTML = ("raw HTML (<b>) in the text; HTML is not allowed, use Markdown instead (**bold**, *italic*, "
         "[link text](https://...)), or write '<' with a space after it")

LIMITS = [
    pytest.param("  Perspektiver.", "  " + "[" * 300_000,
                 ["41:3: this text is 300,000 characters long; a text may be at most 20,000 characters (split it, "
                  "or is it the right text?)"], id="300000_brackets"),
    pytest.param("  Perspektiver.", "  " + "[a " * 300,
                 ["41:603: this text has 300 square brackets '['; at most 200 are allowed in one text (Markdown "
                  "reads each one as a possible link)"], id="300_brackets"),
    pytest.param(CASE_LINE, "      " + "- " * 700 + "x",
                 ["39:7: lists or quotes nested 700 deep; at most 20 levels are allowed (less indentation, fewer "
                  "'>' or '-')"], id="list_700_deep"),
    pytest.param(CASE_LINE, "".join("      " + "  " * i + "- x\n" for i in range(60)).rstrip("\n"),
                 ["79:87: lists or quotes nested 21 deep; at most 20 levels are allowed (less indentation, fewer "
                  "'>' or '-')"], id="indented_list"),
    pytest.param(CASE_LINE, "      " + "> " * 30 + "x",
                 ["39:7: lists or quotes nested 30 deep; at most 20 levels are allowed (less indentation, fewer "
                  "'>' or '-')"], id="quotes"),
    pytest.param("patients: 14", "patients: " + "9" * 5000,
                 ["29:72: 'statistics.monthly[1].patients' is a number of 5,000 digits; expected at most 1000000000"],
                 id="count_5000_digits"),
    pytest.param("patients: 14", "patients: " + "9" * 400,
                 ["29:72: 'statistics.monthly[1].patients' is a number of 400 digits; expected at most 1000000000"],
                 id="count_400_digits"),
    pytest.param("patients: 14", "patients: 1000000001",
                 ["29:72: 'statistics.monthly[1].patients' is 1000000001; expected at most 1000000000"],
                 id="count_over_the_maximum"),
    pytest.param("  as_of: 2024-05-31", "  as_of: 9999-12-31",
                 ["26:10: 'statistics.as_of' is 9999-12-31; expected a date from 1900 to 2199"], id="as_of_9999"),
    pytest.param("  Et kort resumé.", "  Et kørt æøå\x00 resumé.",
                 ["15:14: an invisible control character (U+0000); delete it and retype the text around it"],
                 id="nul_after_letters"),
    pytest.param("region: sjaelland", "region: sjæl\x07land",
                 ["30:36: an invisible control character (U+0007); delete it and retype the text around it"],
                 id="bel_in_a_row"),
]


@pytest.mark.parametrize("old, new, expected", LIMITS)
def test_limits_give_a_located_message_fast(tmp_path, old, new, expected):
    started = time.perf_counter()
    assert heart_with(tmp_path, old, new) == expected
    assert time.perf_counter() - started < 2


def test_60000_html_tags_are_reported_first_25_and_counted(tmp_path):
    started = time.perf_counter()
    found = heart_with(tmp_path, "  Perspektiver.", "  x " + "<b>" * 60_000)
    assert time.perf_counter() - started < 2
    assert found[0] == ("41:3: this text is 180,002 characters long; a text may be at most 20,000 characters "
                        "(split it, or is it the right text?)")
    assert found[1:3] == [f"41:5: {_HTML}", f"41:8: {_HTML}"]
    assert found[26] == "41:80: and 59975 more pieces of raw HTML in this text from here on; fix the ones above first"
    assert len(found) == 27


def test_many_problems_in_one_file_are_listed_first_n_then_counted(tmp_path):
    rows = "".join(f"    - {{month: 2024-0{1 + i % 5}, region: hovedstaden, indication: HJ1, patients: -{i}, "
                   f"analyses: {{germline: 1, somatic: 0, rna: 0}}, diagnosed: 0}}\n" for i in range(1, 301))
    group = HEART.replace(
        "    - {month: 2024-01, region: hovedstaden, indication: HJ1, patients: 14, analyses: "
        "{germline: 22, somatic: 0, rna: 0}, diagnosed: 4}\n", rows)
    write_project(tmp_path, {"hjerte": group, "kraeft": CANCER})
    with pytest.raises(InputError) as caught:
        load_project(tmp_path)
    assert caught.value.total == 300
    shown = [str(p) for p in caught.value.problems]
    assert len(shown) == MAX_SHOWN_PER_FILE + 1
    assert shown[-1] == ("groups/hjerte.yaml:129:72: and 200 more problems in this file from here on; "
                         "fix the ones above first")


@pytest.mark.parametrize("old, new, expected", [
    pytest.param("population: 852953", "population: " + "8" * 5000,
                 "reportgen.yaml:19:50: 'regions.sjaelland.population' is a number of 5,000 digits; expected at "
                 "most 1000000000", id="population_5000_digits"),
    pytest.param("genome_equivalents: 60000", "genome_equivalents: 1000000000000",
                 "reportgen.yaml:21:39: 'national_target.genome_equivalents' is a number of 13 digits; expected "
                 "at most 1000000000", id="national_target_10_12"),
])
def test_settings_within_plausible_magnitudes(tmp_path, old, new, expected):
    write_project(tmp_path, config=CONFIG.replace(old, new))
    assert problems_in(tmp_path) == [expected]


def test_a_projection_past_year_9999_names_no_month():
    projection = target_projection(1_000_000_000, [], 1, __import__("datetime").date(2199, 12, 31))
    assert projection.reached_in is None and not projection.already_reached


# --- files the loader must refuse -------------------------------------------------------------


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "x.yaml").write_text("x: 1\n")


BAD_FILES = [
    pytest.param("groups/hjerte.yaml", _fifo,
                 ["groups/hjerte.yaml:1:1: this is a named pipe, not a file; expected a YAML file saved by an editor"],
                 id="named_pipe"),
    pytest.param("groups/hjerte.yaml", _dev_zero,
                 ["groups/hjerte.yaml:1:1: this is a device, not a file; expected a YAML file saved by an editor"],
                 id="link_to_dev_zero"),
    pytest.param("groups/consolidated/rare.yaml", _folder,
                 ["groups/consolidated/rare.yaml:1:1: this is a folder, not a file; expected a YAML file here "
                  "(move the folder away)"], id="consolidated_folder"),
    pytest.param("groups/hjerte.yaml", _folder,
                 ["groups/hjerte.yaml:1:1: this is a folder, not a file; expected a YAML file here (move the "
                  "folder away)"], id="group_folder"),
    pytest.param("reportgen.yaml", _folder,
                 ["reportgen.yaml:1:1: this is a folder, not a file; expected a YAML file here (move the folder "
                  "away)"], id="settings_folder"),
    pytest.param("reportgen.yaml", _fifo,
                 ["reportgen.yaml:1:1: this is a named pipe, not a file; expected a YAML file saved by an editor"],
                 id="settings_pipe"),
]


@pytest.mark.parametrize("relative, damage, expected", BAD_FILES)
def test_only_regular_files_are_read(tmp_path, relative, damage, expected):
    write_project(tmp_path)
    damage(tmp_path / relative)
    started = time.perf_counter()
    assert problems_in(tmp_path) == expected
    assert time.perf_counter() - started < 2


def test_a_named_pipe_does_not_hang_check_or_build(tmp_path, capsys):
    write_project(tmp_path)
    _fifo(tmp_path / "groups/hjerte.yaml")
    started = time.perf_counter()
    assert main(["check", str(tmp_path)]) == 1
    assert main(["build", str(tmp_path), "--format", "html", "--jobs", "1"]) == 1
    assert time.perf_counter() - started < 4
    assert not (tmp_path / "build").exists()


def _refuse_to_open(monkeypatch, name: str) -> None:
    """Tests run as root, who may read anything: a file that cannot be read is made so here."""
    real_open = os.open

    def guarded(path, *args, **kwargs):
        if str(path).endswith(name):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)


def test_an_unreadable_group_file(tmp_path, monkeypatch):
    write_project(tmp_path)
    _refuse_to_open(monkeypatch, "hjerte.yaml")
    assert problems_in(tmp_path) == ["groups/hjerte.yaml:1:1: cannot read the file: permission denied"]


def test_an_unreadable_editions_folder(tmp_path, monkeypatch):
    write_project(tmp_path)
    editions = tmp_path / "groups/editions"
    editions.mkdir()
    real_iterdir = Path.iterdir

    def guarded(self):
        if self == editions:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", guarded)
    assert problems_in(tmp_path) == ["groups/editions:1:1: cannot read the folder: permission denied"]


@pytest.mark.parametrize("relative, expected", [
    pytest.param("groups/hjerte.yaml", "groups/hjerte.yaml:1:1: cannot read the file: permission denied",
                 id="group_file"),
    pytest.param("groups/editions", "groups/editions:1:1: cannot read the folder: permission denied",
                 id="editions_folder"),
    pytest.param("groups/consolidated/rare.yaml",
                 "groups/consolidated/rare.yaml:1:1: cannot read the file: permission denied", id="consolidated"),
])
def test_unreadable_for_a_real_user(relative, expected):
    """The same, for real: `check` run as the user nobody (the suite runs as root, as CI does)."""
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="reportgen-perm-") as folder:
        root = write_project(Path(folder))
        (root / "groups/editions").mkdir()
        os.chmod(root, 0o755)
        for path in root.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.chmod(root / relative, 0)
        result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
                                 "-m", "reportgen", "check", "."], cwd=root, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [expected, "1 problem in 1 file; nothing was built"]


# --- errors at the command line's edge ----------------------------------------------------------


def test_schema_out_a_file(tmp_path, capsys):
    (tmp_path / "FILE").write_text("x")
    assert main(["schema", "--out", str(tmp_path / "FILE")]) == 2
    assert capsys.readouterr().err == f"reportgen: error: --out '{tmp_path}/FILE' is a file, not a folder; give a folder\n"


def test_build_out_inside_a_file(tmp_path, capsys):
    write_project(tmp_path)
    (tmp_path / "FILE").write_text("x")
    assert main(["build", str(tmp_path), "--out", str(tmp_path / "FILE/x"), "--format", "html"]) == 2
    assert capsys.readouterr().err == (f"reportgen: error: --out '{tmp_path}/FILE/x' lies in '{tmp_path}/FILE', "
                                       "which is a file, not a folder; give a folder\n")


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("template, damage, line, message", [
    pytest.param("group.html", lambda text: text + "{% if %}\n", None,
                 "Expected an expression, got 'end of statement block'", id="syntax_error"),
    pytest.param("base.html", lambda text: "{{ nothing_here.x }}\n" + text, 1, "'nothing_here' is undefined",
                 id="error_while_rendering"),
])
def test_an_error_in_the_projects_own_template(tmp_path, capsys, monkeypatch, jobs, template, damage, line, message):
    write_project(tmp_path)
    shutil.copytree(Path(__file__).resolve().parents[1] / "templates", tmp_path / "templates")
    path = tmp_path / "templates" / template
    path.write_text(damage(path.read_text()))
    line = line or path.read_text().count("\n")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--format", "html", "--jobs", jobs]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-2:] == [f"templates/{template}:{line}:1: template error: {message}",
                        "1 problem in 1 file; nothing was built"]
    assert not (tmp_path / "build/site").exists()


@pytest.mark.parametrize("failure, expected", [
    pytest.param(OSError(errno.ENOSPC, "No space left on device", "build/site/x.html"),
                 "cannot use build/site/x.html: the disk is full", id="disk_full"),
    pytest.param(PermissionError(errno.EACCES, "Permission denied", "groups"),
                 "cannot use groups: permission denied", id="permission"),
    pytest.param(OSError(errno.EXDEV, "Invalid cross-device link", "a", None, "b"),
                 "cannot use a (to b): Invalid cross-device link", id="other_os_error"),
    pytest.param(MemoryError(), "out of memory; is an input file far larger than it should be?", id="memory"),
    pytest.param(RecursionError(), "a text or file is nested too deep to read (lists or quotes inside each other)",
                 id="recursion"),
])
def test_failures_at_the_edge_become_plain_messages(failure, expected):
    assert str(as_reportgen_error(failure)) == expected


def test_a_bug_is_not_disguised():
    assert as_reportgen_error(ValueError("a bug")) is None


# --- a full disk ---------------------------------------------------------------------------------


def _run(root: Path, out: Path, languages: str | None = None) -> None:
    build(root, out=out, formats={"html"}, jobs=1, languages=languages, stream=io.StringIO())


def _tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _size(out: Path) -> int:
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file())


@pytest.fixture
def small_disk(tmp_path):
    """A real file system of its own (tmpfs), so that a full disk is a full disk. Needs root, as CI runs."""
    mount = tmp_path / "disk"
    mount.mkdir()

    def make(size: int) -> Path:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], check=True)
        return mount

    yield make
    subprocess.run(["umount", str(mount)], check=False)


def test_a_build_that_fills_the_disk_leaves_what_a_clean_build_repairs(tmp_path, small_disk, capsys):
    root = write_project(tmp_path / "project")
    clean = tmp_path / "clean"
    _run(root, clean, "da")
    da_only = _tree(clean)
    both = tmp_path / "both"
    _run(root, both, "da,en")
    room = _size(clean) + (_size(both) - _size(clean)) // 2 + 64 * 1024  # room for half the English pages
    out = small_disk(room) / "out"
    _run(root, out, "da")
    assert main(["build", str(root), "--out", str(out), "--format", "html", "--lang", "da,en", "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[-1].startswith(f"reportgen: error: cannot write {out}/site/")
    assert err.splitlines()[-1].endswith(": the disk is full")
    assert not [p for p in _tree(out) if p.startswith("site/en/")], "the failed build's new files are taken back"
    _run(root, out, "da")
    assert _tree(out) == da_only


def test_a_build_killed_by_a_full_disk_at_any_file_is_repaired_by_the_next(tmp_path, monkeypatch):
    """Injected: the disk fills at the n-th file written, for several n."""
    root = write_project(tmp_path / "project")
    clean = tmp_path / "clean"
    _run(root, clean, "da")
    expected = _tree(clean)
    real = writer._temporary
    for fail_at in (1, 3, 8):
        out = tmp_path / f"out{fail_at}"
        _run(root, out, "da")
        calls = []

        def filling(path, data):
            calls.append(path)
            if len(calls) == fail_at:
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
            return real(path, data)

        monkeypatch.setattr(writer, "_temporary", filling)
        with pytest.raises(FileError):
            _run(root, out, "da,en")
        monkeypatch.setattr(writer, "_temporary", real)
        _run(root, out, "da")
        assert _tree(out) == expected, fail_at


# --- commands that change several files: all or none ------------------------------------------


def _import_project(tmp_path: Path) -> tuple[Path, Path]:
    root = write_project(tmp_path / "project")
    export = tmp_path / "export.csv"
    export.write_text(
        "month;region;group;indication;patients;germline;somatic;rna;diagnosed\n"
        "2024-01;hovedstaden;hjerte;HJ1;15;22;0;0;4\n"
        "2024-03;hovedstaden;kraeft;KB1;7;6;6;4;3\n", encoding="utf-8")
    return root, export


def test_import_stats_writes_both_files_or_neither_when_the_disk_fills(tmp_path, monkeypatch, capsys):
    root, export = _import_project(tmp_path)
    before = {p: p.read_bytes() for p in (root / "groups").glob("*.yaml")}
    real = writer._temporary
    calls = []

    def filling(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(writer, "_temporary", filling)
    assert main(["import-stats", str(export), str(root)]) == 1
    assert capsys.readouterr().err.endswith(": the disk is full\n")
    assert {p: p.read_bytes() for p in (root / "groups").glob("*.yaml")} == before
    assert sorted(p.name for p in (root / "groups").iterdir()) == ["consolidated", "hjerte.yaml", "kraeft.yaml"]
    monkeypatch.setattr(writer, "_temporary", real)
    assert main(["import-stats", str(export), str(root)]) == 0
    assert all(p.read_bytes() != before[p] for p in before)


def test_import_stats_on_a_really_full_disk_changes_no_file(tmp_path, small_disk, capsys):
    """The project on a disk with room for one more page: the first merged file fits, the second not."""
    disk = small_disk(512 * 1024)
    root, export = _import_project(disk)
    before = {p: p.read_bytes() for p in (root / "groups").glob("*.yaml")}
    free = os.statvfs(disk)
    (disk / "filler").write_bytes(b"\0" * (free.f_bavail * free.f_frsize - 4096))
    assert main(["import-stats", str(export), str(root)]) == 1
    assert capsys.readouterr().err.endswith(": the disk is full\n")
    assert {p: p.read_bytes() for p in (root / "groups").glob("*.yaml")} == before
    assert sorted(p.name for p in (root / "groups").iterdir()) == ["consolidated", "hjerte.yaml", "kraeft.yaml"]
    (disk / "filler").unlink()
    assert main(["import-stats", str(export), str(root)]) == 0
    assert all(p.read_bytes() != before[p] for p in before)


def test_a_rename_failing_half_way_puts_the_first_file_back(tmp_path, monkeypatch):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("old a\n")
    second.write_text("old b\n")
    real_replace = os.replace
    renames = []

    def failing(source, target):
        if str(source).startswith(str(tmp_path / writer.TEMP_PREFIX)):
            renames.append(target)
            if len(renames) == 2:
                raise OSError(errno.EIO, "Input/output error", str(target))
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(FileError, match="cannot write .*b.yaml: input/output error"):
        writer.write_together({first: "new a\n", second: "new b\n", tmp_path / "c.yaml": "new c\n"})
    assert first.read_text() == "old a\n" and second.read_text() == "old b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]


def test_new_edition_writes_both_files_or_neither(tmp_path, monkeypatch, capsys):
    root = write_project(tmp_path / "project")
    before = (root / "groups/hjerte.yaml").read_bytes()
    real = writer._temporary

    def filling(path, data):
        if path.name == "hjerte.yaml":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(writer, "_temporary", filling)
    assert main(["new-edition", "hjerte", "--date", "2025-01-31", str(root)]) == 1
    assert capsys.readouterr().err.endswith(": the disk is full\n")
    assert (root / "groups/hjerte.yaml").read_bytes() == before
    assert not list((root / "groups").rglob("2024-06-28.yaml"))


def test_import_stats_refuses_a_400_digit_count(tmp_path, capsys, monkeypatch):
    root, export = _import_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    export.write_text(export.read_text().replace(";15;", ";" + "9" * 400 + ";"), encoding="utf-8")
    before = (root / "groups/hjerte.yaml").read_bytes()
    assert main(["import-stats", str(export), str(root)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "export.csv:2:5: 'patients' is a number of 400 digits; expected a count of at most 1000000000"
    assert (root / "groups/hjerte.yaml").read_bytes() == before


# --- what check passes, build builds ----------------------------------------------------------

_PIECES = ["*", "**", "_", "[", "]", "(", ")", "](https://ngc.dk/)", "\\", "`", "-", " ", "\n", "\n\n", "- ",
           "> ", "1. ", "#", "0", "1", "9", "010190", "1234", "\u00a0", "\u2013", "\u00ad", "æ", "x", "<", ">",
           "&", "!"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.sampled_from(_PIECES), max_size=40).map("".join),
       patients=st.integers(0, 1_000_000_000), extra=st.integers(0, 1_000_000_000),
       target=st.integers(1, 1_000_000_000), as_of=st.dates(min_value=__import__("datetime").date(2024, 5, 31),
                                                             max_value=__import__("datetime").date(2199, 12, 31)))
def test_what_check_passes_build_builds(tmp_path_factory, text, patients, extra, target, as_of):
    root = tmp_path_factory.mktemp("p")
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    group = (HEART.replace("perspectives: |\n  Perspektiver.", f"perspectives: {quoted}")
             .replace("patients: 14, analyses: {germline: 22", f"patients: {patients}, analyses: {{germline: "
                                                                f"{patients + extra}")
             .replace("  as_of: 2024-05-31", f"  as_of: {as_of}"))
    write_project(root, {"hjerte": group, "kraeft": CANCER},
                  config=CONFIG.replace("genome_equivalents: 60000", f"genome_equivalents: {target}"))
    try:
        load_project(root)
    except InputError:
        return
    _run(root, root / "build", None)
    assert (root / "build/site/hjerte.html").is_file()
