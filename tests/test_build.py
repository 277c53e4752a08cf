"""The build: nothing written on bad input, incremental and parallel builds give a clean
build's bytes, a damaged cache is never trusted, a killed build leaves whole files."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from projects import CANCER, HEART, write_project

from reportgen import build as build_module
from reportgen.build import build
from reportgen.cache import MANIFEST
from reportgen.errors import BuildError, InputError
from reportgen.writer import TEMP_PREFIX

REPO = Path(__file__).resolve().parent.parent
ALL_JOBS = ["consolidated:cancer", "consolidated:rare", "group:hjerte", "group:kraeft", "index:index"]


def run(root: Path, out: Path, formats=("html",), jobs: int = 1):
    """Build; return the report and what the build printed."""
    log = io.StringIO()
    report = build(root, out=out, formats=set(formats), jobs=jobs, stream=log)
    return report, log.getvalue()


def tree(out: Path) -> dict[str, bytes]:
    """Every file under `out`: relative path -> bytes."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def clean_build(root: Path, tmp_path: Path, formats=("html",)) -> dict[str, bytes]:
    out = tmp_path / "clean"
    shutil.rmtree(out, ignore_errors=True)
    run(root, out, formats)
    return tree(out)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def project(tmp_path) -> Path:
    return write_project(tmp_path / "project")


@pytest.fixture
def built(project, tmp_path) -> Path:
    """The tiny project, built once (html) into tmp_path/out."""
    out = tmp_path / "out"
    run(project, out)
    return out


# --- nothing written on bad input -----------------------------------------------------


def test_invalid_input_leaves_the_build_folder_as_it_was(project, built):
    (built / "site" / f"{TEMP_PREFIX}left-by-a-killed-build").write_bytes(b"half")
    before = tree(built)
    edit(project / "groups" / "hjerte.yaml", "patients: 14,", "patients: fourteen,")
    with pytest.raises(InputError):
        run(project, built)
    assert tree(built) == before


def test_invalid_input_creates_no_build_folder(project, tmp_path):
    edit(project / "groups" / "hjerte.yaml", "patients: 14,", "patients: fourteen,")
    with pytest.raises(InputError):
        run(project, tmp_path / "new")
    assert not (tmp_path / "new").exists()


# --- incremental ---------------------------------------------------------------------


def test_second_build_renders_and_writes_nothing(project, built):
    times = {p: p.stat().st_mtime_ns for p in built.rglob("*")}
    report, log = run(project, built)
    assert report.rendered == []
    assert report.reused == ALL_JOBS
    assert report.written == 0
    assert log == f"Nothing to rebuild: 5 reports are up to date in {built}\n"
    assert {p: p.stat().st_mtime_ns for p in built.rglob("*")} == times


@pytest.mark.parametrize("path, old, new, rendered", [
    # A group's summary, cases and perspectives show only in its own report.
    ("groups/hjerte.yaml", "Et kort resumé.", "Et kortere resumé.", ["group:hjerte"]),
    ("groups/kraeft.yaml", "summary: Resumé.", "summary: Nyt resumé.", ["group:kraeft"]),
    ("groups/hjerte.yaml", "Familien blev tilbudt udredning.", "Familien fik tilbud.", ["group:hjerte"]),
    # Its name and network show in the consolidated report too, its name also in the index.
    ("groups/hjerte.yaml", "Arvelige hjertesygdomme", "Arvelige hjertesygdomme (HJ)",
     ["consolidated:rare", "group:hjerte", "index:index"]),
    ("groups/hjerte.yaml", "network: Netværket for", "network: Netværk for", ["consolidated:rare", "group:hjerte"]),
    # Figures: the group, its consolidated report and the index.
    ("groups/kraeft.yaml", "germline: 6, somatic: 6", "germline: 7, somatic: 6",
     ["consolidated:cancer", "group:kraeft", "index:index"]),
    # A consolidated report's texts show only there; its title in the index too.
    ("groups/consolidated/rare.yaml", "Bemærkninger.", "Nye bemærkninger.", ["consolidated:rare"]),
    ("groups/consolidated/rare.yaml", "Samlet rapport rare,", "Samlet rapport om sjældne,",
     ["consolidated:rare", "index:index"]),
    ("reportgen.yaml", "publisher: Nationalt Genom Center", "publisher: NGC", ALL_JOBS),
], ids=["rare summary", "cancer summary", "case text", "group name", "network", "figures", "consolidated text",
        "consolidated title", "settings"])
def test_an_edit_renders_exactly_the_reports_that_show_it(project, built, tmp_path, path, old, new, rendered):
    edit(project / path, old, new)
    report, _ = run(project, built)
    assert sorted(report.rendered) == rendered
    assert sorted(report.rendered + report.reused) == ALL_JOBS
    assert tree(built) == clean_build(project, tmp_path)


def test_an_edited_archive_renders_its_group_again(project, tmp_path):
    from reportgen.cli import main

    assert main(["new-edition", "hjerte", "--date", "2024-07-31", str(project)]) == 0
    edit(project / "groups" / "hjerte.yaml", "status: draft", "status: approved")
    out = tmp_path / "out"
    run(project, out)
    archive = project / "groups" / "editions" / "hjerte" / "2024-06-28.yaml"
    edit(archive, "  patients: 26\n", "  patients: 24\n")  # the group file itself is unchanged
    report, _ = run(project, out)
    assert sorted(report.rendered) == ["group:hjerte"]  # the figures then and now show only there
    assert tree(out) == clean_build(project, tmp_path)


def test_changed_figures_render_the_group_and_match_a_clean_build(project, built, tmp_path):
    edit(project / "groups" / "hjerte.yaml", "patients: 9,", "patients: 7,")
    report, _ = run(project, built)
    assert "group:hjerte" in report.rendered
    assert "group:kraeft" not in report.rendered
    assert tree(built) == clean_build(project, tmp_path)


def test_the_cache_is_safe_to_delete(project, built, tmp_path):
    (built / MANIFEST).unlink()
    report, _ = run(project, built)
    assert sorted(report.rendered) == ALL_JOBS
    assert report.written == 0  # every file already held these bytes
    assert (built / MANIFEST).is_file()
    assert tree(built) == clean_build(project, tmp_path)


def _garbage(manifest: dict) -> str:
    return "{not json"


def _wrong_shape(manifest: dict) -> str:
    return json.dumps({**manifest, "jobs": ["group:hjerte"]})


def _wrong_digest(manifest: dict) -> str:
    record = manifest["jobs"]["group:hjerte"]
    record["outputs"] = {p: "0" * 64 for p in record["outputs"]}
    return json.dumps(manifest)


def _path_outside(manifest: dict) -> str:
    manifest["jobs"]["group:hjerte"]["outputs"]["../../outside.txt"] = "0" * 64
    return json.dumps(manifest)


@pytest.mark.parametrize("damage, rendered", [
    (_garbage, ALL_JOBS),
    (_wrong_shape, ALL_JOBS),
    (_wrong_digest, ["group:hjerte"]),
    (_path_outside, ALL_JOBS),
], ids=["garbage", "wrong shape", "wrong digests", "path outside"])
def test_a_damaged_manifest_is_not_trusted(project, built, tmp_path, damage, rendered):
    outside = tmp_path / "outside.txt"
    outside.write_text("not reportgen's")
    path = built / MANIFEST
    path.write_text(damage(json.loads(path.read_text())))
    report, _ = run(project, built)
    assert sorted(report.rendered) == rendered
    assert tree(built) == clean_build(project, tmp_path)
    assert outside.read_text() == "not reportgen's"


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_an_edited_or_deleted_output_is_rendered_again(project, built, tmp_path, change):
    page = built / "site" / "en" / "kraeft.html"
    if change == "edit":
        page.write_text(page.read_text().replace("Cancer in children", "Edited by hand"))
    else:
        page.unlink()
    report, _ = run(project, built)
    assert report.rendered == ["group:kraeft"]
    assert tree(built) == clean_build(project, tmp_path)


def test_an_edited_shared_file_is_written_again(project, built, tmp_path):
    (built / "site" / "assets" / "report.css").write_text("/* edited */")
    report, _ = run(project, built)
    assert report.rendered == []
    assert report.written == 1
    assert tree(built) == clean_build(project, tmp_path)


def test_a_removed_group_takes_its_files_with_it(tmp_path):
    extra = HEART.replace("id: hjerte", "id: hjerte-to").replace("Arvelige hjertesygdomme", "Hjertesygdomme to")
    root = write_project(tmp_path / "project", {"hjerte": HEART, "kraeft": CANCER, "hjerte-to": extra})
    out = tmp_path / "out"
    run(root, out)
    assert [p for p in tree(out) if "hjerte-to" in p] == [
        "site/data/hjerte-to.csv", "site/data/hjerte-to.json", "site/en/hjerte-to.html", "site/hjerte-to.html"]
    (root / "groups" / "hjerte-to.yaml").unlink()
    report, _ = run(root, out)
    assert not [p for p in tree(out) if "hjerte-to" in p]
    assert report.removed >= 4  # its pages and open data, and charts no report shows any longer
    assert tree(out) == clean_build(root, tmp_path)


def test_jobs_2_gives_the_bytes_of_jobs_1(project, tmp_path):
    report, _ = run(project, tmp_path / "two", jobs=2)
    assert sorted(report.rendered) == ALL_JOBS
    assert 1 <= len(report.peak_memory) <= 2  # one entry per worker process
    assert tree(tmp_path / "two") == clean_build(project, tmp_path)


def test_html_and_pdf_in_parallel_then_html_alone(project, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "out"
    report, _ = run(project, out, formats=("html", "pdf"), jobs=2)
    assert sorted(report.rendered) == ALL_JOBS
    files = tree(out)
    pdfs = sorted(p for p in files if p.endswith(".pdf"))
    assert pdfs == [f"{folder}/{name}.pdf" for folder in ("pdf", "site/pdf")
                    for name in ("cancer", "hjerte", "kraeft", "rare")]
    assert files["pdf/hjerte.pdf"] == files["site/pdf/hjerte.pdf"]
    assert "Arvelige hjertesygdomme" in PdfReader(out / "pdf" / "hjerte.pdf").pages[0].extract_text()

    again, _ = run(project, out, formats=("html", "pdf"), jobs=2)
    assert again.rendered == []
    # Without PDFs the pages no longer link to them, and the old PDFs go.
    run(project, out, formats=("html",))
    assert tree(out) == clean_build(project, tmp_path)


# --- temporary files and killed builds ---------------------------------------------------


def test_stale_temporaries_are_removed_even_when_nothing_changed(project, built):
    for folder in ("site", "site/en", "."):
        (built / folder / f"{TEMP_PREFIX}abc123").write_bytes(b"half a page")
    report, _ = run(project, built)
    assert report.rendered == []
    assert not list(built.rglob(f"{TEMP_PREFIX}*"))


KILL_WHILE_WRITING = textwrap.dedent("""
    # Write two changed files, start the third, then die as if killed (SIGKILL: no clean-up).
    import os, signal, sys, tempfile
    from pathlib import Path
    from reportgen import build as b
    from reportgen.writer import TEMP_PREFIX

    real, writes = b.write_bytes, []
    def write_bytes(path, data):
        if Path(path).is_file() and Path(path).read_bytes() == data:
            return real(path, data)
        writes.append(path)
        if len(writes) == 3:
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=Path(path).parent)
            os.write(fd, data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, data)
    b.write_bytes = write_bytes
    b.build(Path(sys.argv[1]), out=Path(sys.argv[2]), formats={"html"})
""")


def test_a_build_killed_while_writing_leaves_whole_files(project, built, tmp_path):
    old = tree(built)
    edit(project / "reportgen.yaml", "publisher: Nationalt Genom Center", "publisher: NGC")
    new = clean_build(project, tmp_path)
    killed = subprocess.run([sys.executable, "-c", KILL_WHILE_WRITING, str(project), str(built)],
                            capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    after = tree(built)
    temporaries = [p for p in after if Path(p).name.startswith(TEMP_PREFIX)]
    assert len(temporaries) == 1
    changed = [p for p in after if p not in temporaries and p != MANIFEST and after[p] != old.get(p)]
    assert len(changed) == 2
    assert all(after[p] == new[p] for p in changed)
    assert b'"(unfinished build)"' in after[MANIFEST]  # written before the outputs: current for nothing

    report, _ = run(project, built)
    assert sorted(report.rendered) == ALL_JOBS
    assert tree(built) == new


@pytest.fixture(scope="module")
def shipped_build(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the shipped project and a complete html,pdf build of it."""
    base = tmp_path_factory.mktemp("shipped")
    root = base / "project"
    root.mkdir()
    shutil.copy2(REPO / "reportgen.yaml", root / "reportgen.yaml")
    shutil.copytree(REPO / "groups", root / "groups")
    run(root, base / "out", formats=("html", "pdf"), jobs=build_module.default_jobs())
    return root, base / "out"


def _starts_writing(out: Path, process: subprocess.Popen) -> None:
    """Return as soon as the build has a temporary file or has replaced a PDF (or has ended)."""
    folders = [out / "pdf", out / "site", out / "site" / "en", out / "site" / "pdf"]
    before = {p: p.stat().st_mtime_ns for folder in folders for p in folder.iterdir()}
    while process.poll() is None:
        for folder in folders:
            for entry in os.scandir(folder):
                path = Path(entry.path)
                if entry.name.startswith(TEMP_PREFIX) or entry.stat().st_mtime_ns != before.get(path):
                    return
        time.sleep(0.001)


@pytest.mark.parametrize("kill_when", ["after 1.5 s", "as it starts writing"])
def test_a_killed_build_of_the_shipped_project_leaves_every_file_whole(shipped_build, tmp_path, kill_when):
    from pypdf import PdfReader

    source, previous = shipped_build
    root, out = tmp_path / "project", tmp_path / "out"
    shutil.copytree(source, root)
    shutil.copytree(previous, out)
    old = tree(out)
    group = root / "groups" / "audiogenetik.yaml"
    group.write_text(group.read_text(encoding="utf-8").replace("summary: |\n", "summary: |\n  Opdateret.\n", 1),
                     encoding="utf-8")
    command = [sys.executable, "-m", "reportgen", "build", str(root), "--out", str(out), "--format", "html,pdf"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    if kill_when == "after 1.5 s":
        time.sleep(1.5)
    else:
        _starts_writing(out, process)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)  # the build and its workers
    process.wait()

    after = tree(out)
    for path, data in after.items():
        if Path(path).name.startswith(TEMP_PREFIX):
            continue
        assert path in old
        if data != old[path] and path.endswith(".pdf"):
            assert len(PdfReader(out / path).pages) > 0
        if data != old[path] and path.endswith(".html"):
            assert data.rstrip().endswith(b"</html>")
    assert set(old) <= set(after)

    report, _ = run(root, out, formats=("html", "pdf"), jobs=build_module.default_jobs())
    assert "group:audiogenetik" in report.rendered
    assert not list(out.rglob(f"{TEMP_PREFIX}*"))
    assert b"Opdateret." in (out / "site" / "audiogenetik.html").read_bytes()


# --- progress ---------------------------------------------------------------------------


def _result(key: str, seconds: float) -> build_module.JobResult:
    files = {"site/x.html": b"", "pdf/x.pdf": b""} if key != "index:index" else {"site/index.html": b""}
    return build_module.JobResult(key, files, seconds, pid=1, peak_rss=0)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_quiet_for_the_first_second_then_plain_lines():
    stream = io.StringIO()
    progress = build_module._Progress(stream, 3, started=time.perf_counter())
    progress(_result("consolidated:rare", 0.44))
    assert stream.getvalue() == ""  # a build done within a second shows no progress
    progress.started -= 2
    progress(_result("group:hjerte", 1.25))
    progress(_result("index:index", 0.04))
    progress.close()
    assert stream.getvalue() == ("[1/3] consolidated:rare: html, pdf in 0.4 s\n"
                                 "[2/3] group:hjerte: html, pdf in 1.2 s\n"
                                 "[3/3] index:index: html in 0.0 s\n")


def test_progress_on_a_terminal_keeps_a_status_line():
    stream = _Terminal()
    progress = build_module._Progress(stream, 3, started=time.perf_counter() - 2)
    progress(_result("consolidated:rare", 0.4))
    assert re.fullmatch(r"\r\033\[K\[1/3\] consolidated:rare: html, pdf in 0\.4 s\n1 of 3 reports done, 2 s",
                        stream.getvalue())
    progress.close()
    assert stream.getvalue().endswith("\r\033[K")


def test_a_slow_build_prints_progress_lines(project, tmp_path, monkeypatch):
    monkeypatch.setattr(build_module._Progress, "DELAY", 0.0)
    _, log = run(project, tmp_path / "out")
    lines = log.splitlines()
    assert [re.sub(r" in \d+\.\d s$", "", line) for line in lines[:-1]] == [
        "[1/5] consolidated:rare: html", "[2/5] consolidated:cancer: html",
        "[3/5] group:hjerte: html", "[4/5] group:kraeft: html", "[5/5] index:index: html"]
    assert re.fullmatch(rf"Built 5 of 5 reports \(html\) in \d+\.\d s; 21 files written under {tmp_path}/out",
                        lines[-1])


def test_a_category_without_groups_builds_without_its_consolidated_report(tmp_path):
    from projects import HEART, write_project

    from reportgen.build import build

    root = write_project(tmp_path / "p", {"hjerte": HEART})
    report = build(root, out=tmp_path / "out", formats={"html"}, jobs=1, stream=io.StringIO())
    site = tmp_path / "out" / "site"
    assert (site / "rare.html").is_file() and (site / "hjerte.html").is_file()
    assert not (site / "cancer.html").exists()
    assert "consolidated:cancer" not in report.rendered


def test_the_command_line_builds_with_every_core_by_default(project, tmp_path, monkeypatch):
    from reportgen.cli import main

    calls = []
    monkeypatch.setattr(build_module, "build", lambda root, **options: calls.append(options))
    assert main(["build", str(project), "--out", str(tmp_path / "out"), "--format", "html"]) == 0
    assert calls[0]["jobs"] == build_module.default_jobs() == len(os.sched_getaffinity(0))


# --- incremental = clean, as a property over changes ------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå", min_size=1, max_size=8)
_SENTENCE = st.lists(_WORDS, min_size=1, max_size=4).map(lambda words: " ".join(words).capitalize() + ".")


def _replace(relative: str, old: str):
    """A change: `old` in the file becomes a drawn text."""
    def change(root: Path, new: str) -> None:
        edit(root / relative, old, new)
    return change


def _append(relative: str):
    def change(root: Path, new: str) -> None:
        path = root / relative
        path.write_text(path.read_text(encoding="utf-8") + new, encoding="utf-8")
    return change


def _remove(relative: str):
    def change(root: Path, new: str) -> None:
        (root / relative).unlink()
    return change


def _add_group(root: Path, new: str) -> None:
    extra = HEART.replace("id: hjerte", "id: hjerte-to").replace("Arvelige hjertesygdomme", f"Hjerte {new}")
    (root / "groups" / "hjerte-to.yaml").write_text(extra, encoding="utf-8")


_ARCHIVE = "groups/editions/hjerte/2024-06-28.yaml"
# Every kind of input: a group's texts, figures, name, status; the settings; the consolidated
# texts; a template; the stylesheets; an archived edition; a group added or removed.
CHANGES = {
    "group summary": (_replace("groups/hjerte.yaml", "Et kort resumé."), _SENTENCE),
    "group case": (_replace("groups/hjerte.yaml", "Familien blev tilbudt udredning."), _SENTENCE),
    "group name": (_replace("groups/hjerte.yaml", "da: Arvelige hjertesygdomme"), _WORDS.map(lambda w: f"da: {w}")),
    "group network": (_replace("groups/hjerte.yaml", "network: Netværket for arvelige hjertesygdomme"),
                      _WORDS.map(lambda w: f"network: {w}")),
    "group patients": (_replace("groups/hjerte.yaml", "patients: 14,"),
                       st.integers(4, 40).map(lambda n: f"patients: {n},")),
    "group analyses": (_replace("groups/kraeft.yaml", "germline: 6, somatic: 6"),
                       st.integers(6, 60).map(lambda n: f"germline: {n}, somatic: 6")),
    "group status": (_replace("groups/kraeft.yaml", "status: approved"), st.just("status: draft")),
    "example data": (_replace("groups/hjerte.yaml", "example_data: true"), st.just("example_data: false")),
    "settings publisher": (_replace("reportgen.yaml", "publisher: Nationalt Genom Center"),
                           _WORDS.map(lambda w: f"publisher: {w}")),
    "settings min count": (_replace("reportgen.yaml", "min_count: 5"), st.integers(3, 11).map(lambda n: f"min_count: {n}")),
    "settings population": (_replace("reportgen.yaml", "population: 852953"),
                            st.integers(10_000, 2_000_000).map(lambda n: f"population: {n}")),
    "consolidated text": (_replace("groups/consolidated/rare.yaml", "Bemærkninger."), _SENTENCE),
    "consolidated title": (_replace("groups/consolidated/cancer.yaml", "Samlet rapport cancer,"),
                           _WORDS.map(lambda w: f"Samlet {w},")),
    "template": (_append("templates/group.html"), _WORDS.map(lambda w: f"<!-- {w} -->\n")),
    "macro": (_replace("templates/macros.html", "{{ p.text(g.name) }}</a>"),
              _WORDS.map(lambda w: "{{ p.text(g.name) }} " + w + "</a>")),
    "stylesheet": (_append("templates/assets/report.css"), _WORDS.map(lambda w: f"/* {w} */\n")),
    "screen stylesheet": (_append("templates/assets/screen.css"), _WORDS.map(lambda w: f"/* {w} */\n")),
    "archived edition": (_replace(_ARCHIVE, "  patients: 26\n"),
                         st.integers(0, 30).map(lambda n: f"  patients: {n}\n")),
    "archived case": (_replace(_ARCHIVE, "title: En familie får svar"), _WORDS.map(lambda w: f"title: {w}")),
    "group removed": (_remove("groups/kraeft.yaml"), st.just("")),
    "group added": (_add_group, _WORDS),
}


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory):
    """The tiny project with its own templates and an archived edition, built once (html and pdf)."""
    from reportgen.cli import main
    from reportgen.paths import PACKAGE_TEMPLATES

    base = tmp_path_factory.mktemp("property")
    root = write_project(base / "project")
    shutil.copytree(PACKAGE_TEMPLATES, root / "templates")
    assert main(["new-edition", "hjerte", "--date", "2024-07-31", str(root)]) == 0
    edit(root / "groups" / "hjerte.yaml", "status: draft", "status: approved")
    builds = {}
    for formats in (("html",), ("html", "pdf")):
        run(root, base / "+".join(formats), formats)
        builds[formats] = base / "+".join(formats)
    return root, builds


def _check_incremental_equals_clean(fixture_project, changes, formats):
    import tempfile

    from reportgen.errors import InputError

    source, builds = fixture_project
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        root, out = work / "project", work / "out"
        shutil.copytree(source, root)
        shutil.copytree(builds[formats], out)
        for name, value in changes:
            CHANGES[name][0](root, value)
            before = tree(out)
            try:
                run(root, out, formats)
            except InputError:  # a change the loader refuses: nothing written, and no clean build either
                assert tree(out) == before
                with pytest.raises(InputError):
                    run(root, work / "never", formats)
                return
        run(root, work / "clean", formats)
        assert tree(out) == tree(work / "clean")


_CHANGE = st.sampled_from(sorted(CHANGES)).flatmap(lambda name: CHANGES[name][1].map(lambda v: (name, v)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(_CHANGE, min_size=1, max_size=2, unique_by=lambda change: change[0]))
def test_after_any_change_an_incremental_build_is_byte_identical_to_a_clean_one(fixture_project, changes):
    _check_incremental_equals_clean(fixture_project, changes, ("html",))


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(change=_CHANGE)
def test_with_pdfs_an_incremental_build_is_byte_identical_to_a_clean_one(fixture_project, change):
    _check_incremental_equals_clean(fixture_project, [change], ("html", "pdf"))


# --- pay only for what runs -----------------------------------------------------------------

IMPORT_PROBE = """
import io, json, sys
from pathlib import Path
from reportgen.build import build
report = build(Path(sys.argv[1]), out=Path(sys.argv[2]), formats=set(sys.argv[3].split(",")), stream=io.StringIO())
print(json.dumps({"rendered": report.rendered, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _probe(project: Path, out: Path, formats: str) -> tuple[list[str], set[str]]:
    result = subprocess.run([sys.executable, "-c", IMPORT_PROBE, str(project), str(out), formats],
                            capture_output=True, text=True, check=True)
    report = json.loads(result.stdout.splitlines()[-1])
    return sorted(report["rendered"]), set(report["modules"])


def test_each_build_imports_only_what_its_jobs_need(project, tmp_path):
    out = tmp_path / "out"
    rendered, modules = _probe(project, out, "html")
    assert rendered == ALL_JOBS
    assert "matplotlib" in modules and "weasyprint" not in modules  # charts drawn; no PDF to make
    assert "highspy" in modules  # what to hide chosen and audited

    rendered, modules = _probe(project, out, "html")  # nothing changed
    assert rendered == []
    assert modules.isdisjoint({"matplotlib", "weasyprint", "jinja2", "babel"})

    edit(project / "groups" / "hjerte.yaml", "Et kort resumé.", "Et nyt resumé.")
    rendered, modules = _probe(project, out, "html")
    assert rendered == ["group:hjerte"]
    assert "jinja2" in modules
    assert modules.isdisjoint({"matplotlib", "weasyprint"})  # its charts show the same data: kept

    # new figures, new charts (the analyses: this two-region fixture's rates are hidden either way)
    edit(project / "groups" / "hjerte.yaml", "patients: 14, analyses: {germline: 22",
         "patients: 15, analyses: {germline: 23")
    rendered, modules = _probe(project, out, "html")
    assert "group:hjerte" in rendered and "matplotlib" in modules


def test_a_damaged_chart_in_the_store_is_drawn_again(project, built, tmp_path):
    from reportgen.cache import CHARTS_DIR

    charts = sorted((built / CHARTS_DIR).iterdir())
    assert len(charts) == 16  # 2 charts per report and language, 1 on the index
    users: dict[str, list[str]] = {}
    for job, record in json.loads((built / MANIFEST).read_text())["jobs"].items():
        for path in record["charts"]:
            users.setdefault(path, []).append(job)
    path, (job,) = next((path, jobs) for path, jobs in sorted(users.items()) if len(jobs) == 1)
    chart = built / path
    chart.write_text(chart.read_text().replace("<svg", "<svg onload='alert(1)'"))
    report, _ = run(project, built)
    assert report.rendered == [job]  # the report that used it
    assert tree(built) == clean_build(project, tmp_path)


# --- the pattern of what to hide, kept between builds ------------------------------------------


@pytest.fixture
def choices(monkeypatch) -> list[str]:
    """Records each time a build chooses what to hide ("choose") and audits the pattern it
    publishes ("audit")."""
    from reportgen import audit
    from reportgen.suppression_engine import CellSystem

    calls: list[str] = []
    choose, audit_published = CellSystem.choose, audit.audit_published

    def counted_choose(self):
        calls.append("choose")
        return choose(self)

    def counted_audit(published, **kw):
        calls.append("audit")
        return audit_published(published, **kw)

    monkeypatch.setattr(CellSystem, "choose", counted_choose)
    monkeypatch.setattr(audit, "audit_published", counted_audit)
    return calls


def test_a_text_edit_reuses_the_chosen_pattern_and_a_figure_edit_chooses_again(project, built, tmp_path, choices):
    from reportgen.cache import PATTERNS_DIR

    kept = sorted((built / PATTERNS_DIR).iterdir())
    assert len(kept) == 1
    assert json.loads(kept[0].read_text())["bases"]  # this fixture rounds headlines wider: kept too
    edit(project / "groups" / "hjerte.yaml", "Et kort resumé.", "Et kortere resumé.")
    report, _ = run(project, built)
    assert report.rendered == ["group:hjerte"]
    assert choices == ["audit"]  # the figures did not change: not chosen again, only audited
    assert sorted((built / PATTERNS_DIR).iterdir()) == kept

    choices.clear()
    edit(project / "groups" / "hjerte.yaml", "patients: 14,", "patients: 15,")
    report, _ = run(project, built)
    assert choices == ["choose", "audit"]
    assert sorted((built / PATTERNS_DIR).iterdir()) != kept  # the old pattern went with the old figures
    assert len(list((built / PATTERNS_DIR).iterdir())) == 1
    assert tree(built) == clean_build(project, tmp_path)


def test_an_archived_total_or_a_setting_chooses_again(project, tmp_path, choices):
    from reportgen.cli import main

    assert main(["new-edition", "hjerte", "--date", "2024-07-31", str(project)]) == 0
    edit(project / "groups" / "hjerte.yaml", "status: draft", "status: approved")
    out = tmp_path / "out"
    run(project, out)
    archive = project / "groups" / "editions" / "hjerte" / "2024-06-28.yaml"
    for path, old, new in [(archive, "  patients: 26\n", "  patients: 24\n"),
                           (project / "reportgen.yaml", "min_count: 5", "min_count: 6")]:
        choices.clear()
        edit(path, old, new)
        run(project, out)
        assert choices == ["choose", "audit"], path.name
    assert tree(out) == clean_build(project, tmp_path)


def test_a_template_or_stylesheet_edit_keeps_the_pattern(project, tmp_path, choices):
    from reportgen.paths import PACKAGE_TEMPLATES

    shutil.copytree(PACKAGE_TEMPLATES, project / "templates")
    out = tmp_path / "out"
    run(project, out)
    choices.clear()
    for path in (project / "templates" / "group.html", project / "templates" / "assets" / "report.css"):
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        report, _ = run(project, out)
        assert report.rendered  # the pages are made again ...
    assert choices == ["audit", "audit"]  # ... from the same figures: what to hide is not chosen again
    assert tree(out) == clean_build(project, tmp_path)


def test_another_program_chooses_again(project, built, choices, monkeypatch):
    from reportgen import cache

    program = cache.program_key()
    monkeypatch.setattr(cache, "program_key", lambda: program + "-changed")  # new code or libraries
    run(project, built)
    assert choices == ["choose", "audit"]


def _plant(out: Path, change) -> None:
    """Change the kept pattern and, as someone who can write the output folder could, its digest in the manifest."""
    import hashlib

    from reportgen.cache import PATTERNS_DIR

    (path,) = (out / PATTERNS_DIR).iterdir()
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["patterns"] = {f"{PATTERNS_DIR}/{path.name}": hashlib.sha256(path.read_bytes()).hexdigest()}
    (out / MANIFEST).write_text(json.dumps(manifest))


@pytest.mark.parametrize("damage", [
    lambda out: next((out / ".reportgen-published").iterdir()).write_text("{not json"),  # its digest fails
    lambda out: _plant(out, lambda data: data.update(status=["published"] * len(data["status"]))),  # "<5" shown
    lambda out: _plant(out, lambda data: data.update(status=data["status"][:-1])),  # one cell short
    lambda out: _plant(out, lambda data: data.update(status=["rounded"] * len(data["status"]))),
    lambda out: _plant(out, lambda data: data.update(status=data["status"] + ["derived"])),
    lambda out: _plant(out, lambda data: data.update(key="0" * 64)),
    lambda out: _plant(out, lambda data: data.update(status={"a": 1})),
    lambda out: _plant(out, lambda data: data.update(bases=[[0, 7]])),
    lambda out: _plant(out, lambda data: data.update(bases=[[b[0], 10**6] for b in data["bases"]])),
    lambda out: _plant(out, lambda data: data.update(bases=[])),  # the headlines rounded to the base alone
], ids=["damaged", "small counts published", "too short", "rounded everywhere", "not a cell's status",
        "another key", "not a list", "a base for a cell not rounded", "a base no build chooses", "bases dropped"])
def test_a_damaged_or_planted_pattern_is_not_used(project, built, tmp_path, choices, damage):
    edit(project / "groups" / "hjerte.yaml", "Et kort resumé.", "Et kortere resumé.")
    damage(built)
    run(project, built)
    assert choices[-2:] == ["choose", "audit"]  # refused when read, or by the audit: chosen again
    assert tree(built) == clean_build(project, tmp_path)


def test_the_preview_keeps_the_figures_and_still_keeps_the_pattern(project, built, tmp_path, choices):
    from reportgen.build import Warm

    warm = Warm()
    log = io.StringIO()
    edit(project / "groups" / "hjerte.yaml", "Et kort resumé.", "Et kortere resumé.")
    build(project, out=built, formats={"html"}, stream=log, warm=warm)  # from the kept pattern
    edit(project / "groups" / "hjerte.yaml", "Et kortere resumé.", "Et andet resumé.")
    build(project, out=built, formats={"html"}, stream=log, warm=warm)  # from memory, audited
    assert choices == ["audit"]
    assert tree(built) == clean_build(project, tmp_path)


# --- a rebuild's PDF made by a process started before the plan -------------------------------------


@pytest.fixture
def printed(project, tmp_path) -> Path:
    """The tiny project built once with PDFs, with two jobs."""
    out = tmp_path / "printed"
    run(project, out, formats=("html", "pdf"), jobs=2)
    return out


@pytest.fixture
def printers(monkeypatch) -> list[str]:
    """Records each PDF a build hands to its printer process, by file name."""
    names: list[str] = []
    original = build_module._Printer.__call__

    def counted(self, document, *args):
        names.append(document.pdf_name)
        return original(self, document, *args)

    monkeypatch.setattr(build_module._Printer, "__call__", counted)
    return names


def test_a_text_edit_with_two_jobs_has_its_pdf_made_by_the_printer(project, printed, tmp_path, printers):
    edit(project / "groups" / "hjerte.yaml", "Et kort resumé.", "Et kortere resumé.")
    report, _ = run(project, printed, formats=("html", "pdf"), jobs=2)
    assert report.rendered == ["group:hjerte"]
    assert printers == ["hjerte.pdf"]
    assert tree(printed) == clean_build(project, tmp_path, formats=("html", "pdf"))


def test_a_pdf_the_printer_cannot_make_fails_the_build_as_with_one_job(project, printed, printers):
    edit(project / "groups" / "hjerte.yaml", "Et kort resumé.", "Et kort resumé om 漢.")
    before = tree(printed)
    with pytest.raises(BuildError) as two:
        run(project, printed, formats=("html", "pdf"), jobs=2)
    assert printers == ["hjerte.pdf"]
    with pytest.raises(BuildError) as one:
        run(project, printed, formats=("html", "pdf"), jobs=1)
    assert str(two.value) == str(one.value) and "U+6F22" in str(one.value)
    assert tree(printed) == before


def test_a_printer_that_died_leaves_its_pdf_to_the_build(project, printed, tmp_path, monkeypatch):
    original = build_module._Printer.__call__

    def killed_first(self, *args):
        self.process.kill()
        self.process.join()
        return original(self, *args)

    monkeypatch.setattr(build_module._Printer, "__call__", killed_first)
    edit(project / "groups" / "hjerte.yaml", "Et kort resumé.", "Et kortere resumé.")
    report, _ = run(project, printed, formats=("html", "pdf"), jobs=2)
    assert report.rendered == ["group:hjerte"]
    assert tree(printed) == clean_build(project, tmp_path, formats=("html", "pdf"))


def test_no_printer_for_a_clean_build_or_one_job(project, tmp_path, printers, monkeypatch):
    started: list[int] = []
    original = build_module._Printer.__init__

    def counted(self, *args):
        started.append(1)
        original(self, *args)

    monkeypatch.setattr(build_module._Printer, "__init__", counted)
    out = tmp_path / "out"
    run(project, out, formats=("html", "pdf"), jobs=2)  # clean: its workers are forked after the plan
    edit(project / "groups" / "hjerte.yaml", "Et kort resumé.", "Et kortere resumé.")
    run(project, out, formats=("html", "pdf"), jobs=1)
    run(project, out, formats=("html", "pdf"), jobs=2)  # nothing changed: no-op, no printer
    assert started == [] and printers == []


def test_the_code_key_reads_the_renderers_versions_as_installed():
    from importlib.metadata import version

    from reportgen.cache import RENDERERS, _versions

    assert _versions(RENDERERS) == [version(name) for name in RENDERERS]
    assert _versions(["no-such-package-for-reportgen"]) == ["-"]


def test_a_pdf_only_rebuild_with_two_jobs_keeps_the_charts_the_printer_used(project, tmp_path, printers):
    out = tmp_path / "out"
    run(project, out, formats=("pdf",), jobs=2)
    edit(project / "groups" / "hjerte.yaml", "Et kort resumé.", "Et kortere resumé.")
    report, _ = run(project, out, formats=("pdf",), jobs=2)
    assert report.rendered == ["group:hjerte"] and printers == ["hjerte.pdf"]
    assert tree(out) == clean_build(project, tmp_path, formats=("pdf",))


def test_a_kept_pattern_that_fails_its_audit_while_the_printer_works_is_chosen_again(project, printed, tmp_path,
                                                                                     printers, monkeypatch):
    from types import SimpleNamespace

    from reportgen import audit
    from reportgen.suppression_engine import CellSystem

    calls: list[str] = []
    choose, audit_published = CellSystem.choose, audit.audit_published

    def counted_choose(self):
        calls.append("choose")
        return choose(self)

    def failing_first(published, **kw):  # as a planted pattern that fits the model but protects less would
        calls.append("audit")
        return SimpleNamespace(failures=["narrowed"]) if len(calls) == 1 else audit_published(published, **kw)

    monkeypatch.setattr(CellSystem, "choose", counted_choose)
    monkeypatch.setattr(audit, "audit_published", failing_first)
    edit(project / "groups" / "hjerte.yaml", "Et kort resumé.", "Et kortere resumé.")
    report, _ = run(project, printed, formats=("html", "pdf"), jobs=2)
    assert printers == ["hjerte.pdf"]  # the first attempt's PDF, made while its pattern was audited ...
    assert calls == ["audit", "choose", "audit"]  # ... refused: chosen and audited again, rendered again
    assert report.rendered == ["group:hjerte"]
    assert tree(printed) == clean_build(project, tmp_path, formats=("html", "pdf"))


def test_a_preview_reads_again_only_the_group_files_that_changed(tmp_path, monkeypatch):
    """The preview's warm state keeps each group file read without a problem; a changed file, or changed
    settings, is read again, and what it now says is what the page shows."""
    from reportgen import loader

    root = write_project(tmp_path / "project")
    out = tmp_path / "out"
    warm = build_module.Warm()
    build(root, out=out, formats={"html"}, stream=io.StringIO(), warm=warm)
    read = []
    real = loader.read_yaml
    monkeypatch.setattr(loader, "read_yaml", lambda path, *a, **k: read.append(path.name) or real(path, *a, **k))
    heart = root / "groups/hjerte.yaml"
    heart.write_text(heart.read_text(encoding="utf-8").replace("summary: |\n", "summary: |\n  Et nyt ord.\n", 1),
                     encoding="utf-8")
    build(root, out=out, formats={"html"}, stream=io.StringIO(), warm=warm)
    assert read.count("hjerte.yaml") == 1 and "kraeft.yaml" not in read
    assert "Et nyt ord." in (out / "site/hjerte.html").read_text(encoding="utf-8")
    # new settings: every group is read again with them
    config = root / "reportgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    read.clear()
    build(root, out=out, formats={"html"}, stream=io.StringIO(), warm=warm)
    assert "kraeft.yaml" not in read  # the same settings, written alike: still the same groups
    config.write_text(config.read_text(encoding="utf-8").replace("min_count: 5", "min_count: 6"), encoding="utf-8")
    read.clear()
    build(root, out=out, formats={"html"}, stream=io.StringIO(), warm=warm)
    assert {"hjerte.yaml", "kraeft.yaml"} <= set(read)
    # a broken file is never kept: fixing it shows the page again
    heart.write_text(heart.read_text(encoding="utf-8").replace("id: hjerte", "id: [hjerte"), encoding="utf-8")
    with pytest.raises(InputError):
        build(root, out=out, formats={"html"}, stream=io.StringIO(), warm=warm)
    heart.write_text(heart.read_text(encoding="utf-8").replace("id: [hjerte", "id: hjerte"), encoding="utf-8")
    build(root, out=out, formats={"html"}, stream=io.StringIO(), warm=warm)
    assert "Et nyt ord." in (out / "site/hjerte.html").read_text(encoding="utf-8")
