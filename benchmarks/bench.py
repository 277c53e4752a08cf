"""Benchmark: reportgen's builds against WeasyPrint's own floor, on this machine, in one run.

Works in a temporary copy of the project and of reportgen's code (so edits made
elsewhere during the run cannot invalidate the cache), never in build/; the code is
compiled to bytecode first, as an installed package is.

  floor          rendering the final print HTML of all 19 reports to PDF with
                 WeasyPrint and nothing else: the HTML is made first (untimed),
                 then one fresh process that holds only WeasyPrint and the HTML
                 times weasyprint.HTML(...).write_pdf alone, with the fetcher,
                 font configuration and options the build uses (one font
                 configuration for all 19, as each process of a build keeps one)
  full, jobs 1   `reportgen build --format html,pdf --jobs 1`, clean, whole process
  full, N cores  the same with --jobs N (all cores)
                 (the floor and both full builds run --runs times, interleaved;
                 the fastest run of each counts)
  no-op          the same again, nothing changed (median of 3)
  one-group edit a word added to one group's summary, then the same build (the
                 same --jobs N as the full build it is compared with); then the
                 same edit against the last --jobs 1 build, with --jobs 1
  check          `reportgen check`, whole process (median of 3)
  peak memory    the peak resident memory (VmHWM) of each worker of the N-core
                 build, read from /proc while it runs
  10x            170 groups (10 copies of each shipped group, new ids and names),
                 each with 10 years of monthly rows, built clean with N cores;
                 beside it the floor at 10x, sampled (both consolidated reports
                 and one copy of each group, the other copies counted alike), and
                 the peak memory of WeasyPrint alone on the largest report

Peak memory is the kernel's VmHWM, which counts the pages a worker shares with the
build process it was forked from (the loaded project, the libraries); "private"
is the most memory a worker held alone (sampled from smaps_rollup).

Wall-clock times judge the targets. CPU times (user + system, the process and
its workers) are printed beside them: when other work shares the machine they
show what the wall clock cannot.

Run: make bench   (or .venv/bin/python benchmarks/bench.py [--runs N] [--keep DIR] [--skip-10x])
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONTHS = 120  # ten years of monthly rows
COPIES = 10  # 17 shipped groups -> 170
EDITED_GROUP = "audiogenetik"
MiB = 2**20


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and every worker it waited for
    workers_peak: list[int] | None = None  # bytes, one per worker process (VmHWM)
    parent_peak: int = 0
    workers_private: list[int] | None = None  # bytes, one per worker: peak memory not shared with others


# --- the copy the benchmark works in -------------------------------------------------------


def copy_code_and_project(work: Path) -> tuple[Path, Path]:
    """reportgen's code under work/code, the shipped project under work/project."""
    code = work / "code"
    shutil.copytree(ROOT / "reportgen", code / "reportgen", ignore=shutil.ignore_patterns("__pycache__"))
    # Compiled as an installed package is (pip writes the bytecode when it installs): without it
    # every process would compile reportgen's modules again where PYTHONDONTWRITEBYTECODE is set.
    compileall.compile_dir(code, quiet=1)
    project = work / "project"
    project.mkdir()
    shutil.copy2(ROOT / "reportgen.yaml", project / "reportgen.yaml")
    shutil.copytree(ROOT / "groups", project / "groups")
    shutil.copytree(ROOT / "templates", project / "templates")
    return code, project


def ten_times_project(source: Path, target: Path) -> tuple[int, int, int]:
    """170 groups, 10 copies of each shipped one with new ids and names, each in operation
    for 10 years: its real months repeat back in time. Returns (groups, rows, shipped rows)."""
    from reportgen import model as m
    from reportgen.importstats import format_row
    from reportgen.loader import load_project
    from reportgen.yamlsource import MAX_FILE_BYTES

    project = load_project(source)
    target.mkdir(parents=True)
    shutil.copy2(source / "reportgen.yaml", target / "reportgen.yaml")
    shutil.copytree(source / "groups" / "consolidated", target / "groups" / "consolidated")
    shutil.copytree(source / "templates", target / "templates")
    groups = rows = 0
    for group in project.groups:
        end = m.Month.of(group.statistics.as_of)
        start = m.Month.from_index(end.index - MONTHS + 1)
        real_start = m.Month.of(group.in_operation_since)
        period = end.index - real_start.index + 1
        by_month: dict[int, list] = {}
        for row in group.statistics.monthly:
            by_month.setdefault(row.month.index, []).append(row)
        lines = []
        for index in range(start.index, end.index + 1):
            shipped = index
            while shipped < real_start.index:
                shipped += period  # earlier years repeat the group's real months
            for row in by_month.get(shipped, []):  # with its answers and turnaround, as the import writes it
                lines.append("    " + format_row(dataclasses.replace(row, month=m.Month.from_index(index))))
        text = (source / "groups" / f"{group.id}.yaml").read_text(encoding="utf-8")
        text = _replace_rows(text, "\n".join(lines) + "\n")
        text = _sub(r"(?m)^in_operation_since: .*$", f"in_operation_since: {start.first_day()}", text)
        for copy in range(1, COPIES + 1):
            new_id = f"{group.id}-{copy:02d}"
            copied = _sub(r"(?m)^id: .*$", f"id: {new_id}", text)
            copied = _sub(r"(?m)^(name:\n  da: .*)$", rf"\1 {copy}", copied)
            copied = _sub(r"(?m)^(name:\n  da: .*\n  en: .*)$", rf"\1 {copy}", copied)
            path = target / "groups" / f"{new_id}.yaml"
            path.write_text(copied, encoding="utf-8")
            if path.stat().st_size > MAX_FILE_BYTES:
                sys.exit(f"{path} is {path.stat().st_size} bytes, over the loader's limit of {MAX_FILE_BYTES}")
            groups += 1
            rows += len(lines)
    return groups, rows, sum(len(g.statistics.monthly) for g in project.groups)


def _sub(pattern: str, replacement: str, text: str) -> str:
    new, count = re.subn(pattern, replacement, text, count=1)
    if count != 1:
        sys.exit(f"bench: the group files no longer look as expected ({pattern!r} not found)")
    return new


def _replace_rows(text: str, rows: str) -> str:
    found = list(re.finditer(r"(?m)^    - \{month: .*\n", text))
    if not found:
        sys.exit("bench: no monthly rows found in a group file")
    return text[:found[0].start()] + rows + text[found[-1].end():]


def touch_a_text(project: Path) -> None:
    """A word added to one group's summary: the edit a clinician makes."""
    path = project / "groups" / f"{EDITED_GROUP}.yaml"
    path.write_text(_sub(r"(?m)^summary: \|\n", "summary: |\n  Opdateret.\n", path.read_text(encoding="utf-8")),
                    encoding="utf-8")


# --- measuring --------------------------------------------------------------------------


def reportgen(code: Path, args: list[str], *, watch_memory: bool = False) -> Run:
    """Run `python -m reportgen ARGS` as its own process; wall and CPU time, and with
    `watch_memory` the peak memory of each of its worker processes."""
    return measure(code, ["-m", "reportgen", *args], watch_memory=watch_memory)[0]


def measure(code: Path, args: list[str], *, watch_memory: bool = False) -> tuple[Run, str]:
    """Run `python ARGS` with reportgen's code copy on the path; its Run and its standard output."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, *args], env=env, cwd=code,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peaks: dict[int, int] = {}
    private: dict[int, int] = {}
    watcher = None
    if watch_memory:
        watcher = threading.Thread(target=_watch_memory, args=(process.pid, peaks, private), daemon=True)
        watcher.start()
    stdout, stderr = _drain(process)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if watcher:
        watcher.join()
    if process.returncode != 0:
        sys.exit(f"python {' '.join(args)} failed ({process.returncode}):\n{stderr.decode()}")
    # ru_maxrss covers the process and the workers it waited for; VmHWM, when watched, the process alone.
    parent = peaks.pop(process.pid, 0) or usage.ru_maxrss * 1024
    private.pop(process.pid, None)
    return Run(wall, usage.ru_utime + usage.ru_stime, sorted(peaks.values(), reverse=True) or None, parent,
               sorted(private.values(), reverse=True) or None), stdout.decode()


def _drain(process) -> tuple[bytes, bytes]:
    """Read both pipes to their end without reaping the process (os.wait4 does that)."""
    out, err = [], []
    threads = [threading.Thread(target=lambda s, b: b.append(s.read()), args=(pipe, buf))
               for pipe, buf in ((process.stdout, out), (process.stderr, err))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out[0], err[0]


def _status_field(pid: int, name: str) -> str | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(name + ":"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _private_bytes(pid: int) -> int:
    """Memory only this process uses (Private_Clean + Private_Dirty), not the pages it shares."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1]) * 1024
    except OSError:
        return 0
    return total


def _watch_memory(pid: int, peaks: dict[int, int], private: dict[int, int]) -> None:
    """Poll the peak resident memory (VmHWM) and the private memory of `pid` and its
    children until `pid` exits. VmHWM is kept by the kernel; private memory is sampled."""
    seen: dict[int, int] = {}  # child -> how many polls found it
    try:
        while True:
            state = _status_field(pid, "State")
            if state is None or state.startswith(("Z", "X")):  # exited
                return
            try:
                children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
            except OSError:
                children = []
            for p in [pid, *children]:
                if p != pid and _status_field(p, "Name") != _status_field(pid, "Name"):
                    continue  # not a worker: ldconfig, run by a library to find its C libraries
                value = _status_field(p, "VmHWM")
                if value:
                    seen[p] = seen.get(p, 0) + 1
                    peaks[p] = max(peaks.get(p, 0), int(value.split()[0]) * 1024)
                    private[p] = max(private.get(p, 0), _private_bytes(p))
            time.sleep(0.05)
    finally:
        # Not workers either: children seen once (such a program caught between fork and exec).
        for p in [p for p, count in seen.items() if count < 2 and p != pid]:
            peaks.pop(p, None)
            private.pop(p, None)


def median_of(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.wall)[len(runs) // 2]


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.wall)


def print_html(code: Path, project: Path, folder: Path, only: set[str] | None = None) -> None:
    """Write the final print HTML of the project's reports (those in `only`, if given) into
    `folder`, one file per report, as the build renders it for WeasyPrint."""
    sys.path.insert(0, str(code))
    try:
        from reportgen.loader import load_project
        from reportgen.paths import templates_dir
        from reportgen.render import document_charts, documents, render_document
        from reportgen.suppression import publish_project

        loaded = load_project(project)
        published = publish_project(loaded)
        templates = templates_dir(project)
        lang = loaded.config.default_language
        folder.mkdir()
        for document in documents(loaded, include_drafts=False):
            if document.kind == "index" or (only is not None and document.key not in only):
                continue
            charts = document_charts(loaded, published, document, lang)
            html = render_document(loaded, published, document, lang, root="", lang_prefix="",
                                   other_languages=[], pdf_available=False, templates=templates,
                                   medium="print", chart_map=charts)
            (folder / f"{document.key}.html").write_text(html, encoding="utf-8")
    finally:
        sys.path.remove(str(code))


def floor(code: Path, folder: Path, assets: Path) -> tuple[Run, dict[str, list[float]]]:
    """WeasyPrint alone on the HTML in `folder`, in a fresh process that holds nothing else:
    the seconds in write_pdf (wall, CPU) in all and per report; the process's peak memory."""
    process, stdout = measure(code, [__file__, "--floor-only", str(folder), str(assets)])
    reports = json.loads(stdout)
    return Run(sum(w for w, _ in reports.values()), sum(c for _, c in reports.values()),
               parent_peak=process.parent_peak), reports


def floor_only(folder: Path, assets: Path) -> None:
    """The floor's own process: print, as JSON, each report's seconds in write_pdf: [wall, CPU]."""
    import weasyprint

    from reportgen import pdf

    if not all(hasattr(pdf, name) for name in ("_fetcher_class", "_house_font_configuration")):
        sys.exit("bench: reportgen.pdf no longer has _fetcher_class and _house_font_configuration; "
                 "update floor_only() to call WeasyPrint the way render_pdf does")
    font_dir = pdf.house_font_dir()
    base_url = assets.resolve().parent.as_uri() + "/"
    pages = {path.stem: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.html"))}
    seconds = {}
    with pdf._house_font_configuration() as font_config:  # one for all, as a build's process keeps one
        for name, html in pages.items():
            fetcher = pdf._fetcher_class()(assets, font_dir)
            started, started_cpu = time.perf_counter(), time.process_time()
            weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
                font_config=font_config, pdf_variant="pdf/ua-1", pdf_identifier=True, uncompressed_pdf=False)
            seconds[name] = [time.perf_counter() - started, time.process_time() - started_cpu]
    print(json.dumps(seconds))


# --- the table ----------------------------------------------------------------------------


def row(name: str, figure: str, target: str, met: bool | None, cpu: str = "") -> str:
    verdict = {True: "PASS", False: "MISS", None: ""}[met]
    return f"| {name} | {figure} | {cpu} | {target} | {verdict} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it")
    parser.add_argument("--runs", type=int, default=2, help="runs of the floor and the full builds; the "
                        "fastest counts (default 2)")
    parser.add_argument("--skip-10x", action="store_true", help="leave out the 10x run (the longest)")
    parser.add_argument("--floor-only", nargs=2, type=Path, metavar=("HTML_DIR", "ASSETS"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.floor_only:
        floor_only(*options.floor_only)
        return
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-") as folder:
        work = options.keep or Path(folder)
        work.mkdir(parents=True, exist_ok=True)
        code, project = copy_code_and_project(work)
        load_before = os.getloadavg()[0]
        print(f"reportgen benchmark: {cores} cores, load average {load_before:.1f}, in {work}", flush=True)

        def build(out: str, jobs: int, **kw) -> Run:
            return reportgen(code, ["build", str(project), "--out", str(work / out), "--format", "html,pdf",
                                    "--jobs", str(jobs)], **kw)

        assets = project / "templates" / "assets"
        print_html(code, project, work / "floor")
        floors, jobs1_runs, full_runs = [], [], []
        for run in range(1, options.runs + 1):  # interleaved, so that a busy moment hits one run only
            step(f"floor (WeasyPrint alone), run {run}")
            floors.append(floor(code, work / "floor", assets))
            step(f"full build, --jobs 1, run {run}")
            jobs1_runs.append(build(f"out-1-{run}", 1, watch_memory=True))
            step(f"full build, --jobs {cores}, run {run}")
            full_runs.append(build(f"out-n-{run}", cores, watch_memory=True))
        floor_run, floor_reports = min(floors, key=lambda f: f[0].wall)
        if len(floor_reports) != 19:
            print(f"  (the floor rendered {len(floor_reports)} reports, not 19)")
        jobs1, full = best(jobs1_runs), best(full_runs)
        step("no-op rebuild (3 runs)")
        last = f"out-n-{options.runs}"
        noop = median_of([build(last, cores) for _ in range(3)])
        step("one-group edit")
        touch_a_text(project)
        edit = build(last, cores)
        step("one-group edit, --jobs 1")
        edit1 = build(f"out-1-{options.runs}", 1)  # the same edit, against the last --jobs 1 build
        step("reportgen check (3 runs)")
        check = median_of([reportgen(code, ["check", str(project)]) for _ in range(3)])

        ten = None
        if not options.skip_10x:
            step("10x project")
            sys.path.insert(0, str(code))
            groups, rows, shipped_rows = ten_times_project(project, work / "project-10x")
            sys.path.remove(str(code))
            print(f"  {groups} groups, {rows} monthly rows ({rows / shipped_rows:.0f}x the shipped "
                  f"{shipped_rows})", flush=True)
            step(f"10x full build, --jobs {cores}")
            ten = reportgen(code, ["build", str(work / "project-10x"), "--out", str(work / "out-10x"),
                                   "--format", "html,pdf", "--jobs", str(cores)], watch_memory=True)
            # The floor at 10x, sampled: both consolidated reports and the first copy of each
            # group; the other nine copies of a group are the same report under another name.
            step("10x floor, sampled: rare.pdf alone, then cancer.pdf and 17 group reports")
            firsts = {f"{key}-01" for key in floor_reports if key not in ("rare", "cancer")}
            print_html(code, work / "project-10x", work / "floor-10x", {"rare", "cancer"} | firsts)
            (work / "floor-10x-rare").mkdir()
            shutil.move(work / "floor-10x" / "rare.html", work / "floor-10x-rare" / "rare.html")
            ten_rare, _ = floor(code, work / "floor-10x-rare", assets)
            _, ten_reports = floor(code, work / "floor-10x", assets)
            groups_floor = sum(w for key, (w, _) in ten_reports.items() if key in firsts)
            ten_floor = ten_rare.wall + ten_reports["cancer"][0] + COPIES * groups_floor

        # The least an edit can take: WeasyPrint alone on the PDF it renders again (a summary
        # shows in its group's report only, not in the consolidated report).
        edited_floor = floor_reports[EDITED_GROUP][0]
        load_after = os.getloadavg()[0]
        peaks = (jobs1.workers_peak or [jobs1.parent_peak]) + (full.workers_peak or [])
        peak = max(peaks)
        lines = [
            "| figure | wall | CPU | target | |",
            "|---|---|---|---|---|",
            row("WeasyPrint floor (19 PDFs)", f"{floor_run.wall:.1f} s", "", None, f"{floor_run.cpu:.1f} s"),
            row("full build, --jobs 1", f"{jobs1.wall:.1f} s = {jobs1.wall / floor_run.wall:.2f}x floor",
                "≤ 1.2x floor", jobs1.wall <= 1.2 * floor_run.wall, f"{jobs1.cpu:.1f} s = {jobs1.cpu / floor_run.cpu:.2f}x"),
            row(f"full build, --jobs {cores}", f"{full.wall:.1f} s = {full.wall / jobs1.wall:.2f}x jobs 1",
                "≤ 0.6x jobs 1" + ("" if cores == 2 else f" (2 cores; here {cores})"),
                full.wall <= 0.6 * jobs1.wall, f"{full.cpu:.1f} s"),
            row("no-op rebuild", f"{noop.wall:.2f} s", "≤ 0.2 s", noop.wall <= 0.2, f"{noop.cpu:.2f} s"),
            row(f"one-group edit, --jobs {cores}", f"{edit.wall:.1f} s = {edit.wall / full.wall:.0%} of full",
                "≤ 15% of full", edit.wall <= 0.15 * full.wall, f"{edit.cpu:.1f} s = {edit.cpu / full.cpu:.0%}"),
            row("one-group edit, --jobs 1", f"{edit1.wall:.1f} s = {edit1.wall / jobs1.wall:.0%} of full, --jobs 1",
                "≤ 15% of full", edit1.wall <= 0.15 * jobs1.wall, f"{edit1.cpu:.1f} s = {edit1.cpu / jobs1.cpu:.0%}"),
            row("  its floor: the PDF it renders", f"{edited_floor:.1f} s = {edited_floor / full.wall:.0%} "
                f"of full ({EDITED_GROUP}.pdf)", "", None),
            row("reportgen check", f"{check.wall:.2f} s", "≤ 0.5 s", check.wall <= 0.5, f"{check.cpu:.2f} s"),
            row("peak memory per worker (RSS)", f"{peak / MiB:.0f} MiB: workers " + mib(full.workers_peak)
                + f"; --jobs 1: {jobs1.parent_peak / MiB:.0f}", "≤ 250 MiB", peak <= 250 * MiB,
                "private: " + mib(full.workers_private)),
        ]
        if ten:
            ten_peak = max(ten.workers_peak or [ten.parent_peak])
            lines += [
                row(f"10x build, --jobs {cores}", f"{ten.wall:.1f} s = {ten.wall / full.wall:.1f}x 1x",
                    "≤ 11x", ten.wall <= 11 * full.wall, f"{ten.cpu:.1f} s = {ten.cpu / full.cpu:.1f}x"),
                row("  10x floor (sampled, 172 PDFs)", f"{ten_floor:.1f} s = {ten_floor / floor_run.wall:.1f}x "
                    "the 1x floor", "", None),
                row("  10x floor: rare.pdf alone", f"{ten_rare.wall:.1f} s, peak memory "
                    f"{ten_rare.parent_peak / MiB:.0f} MiB", "", None),
                row("10x peak memory per worker (RSS)", f"{ten_peak / MiB:.0f} MiB: workers "
                    + mib(ten.workers_peak) + f"; parent {ten.parent_peak / MiB:.0f}", "≤ 250 MiB",
                    ten_peak <= 250 * MiB, "private: " + mib(ten.workers_private)),
            ]
        print()
        print("\n".join(lines))
        print(f"\nload average {load_before:.1f} at the start, {load_after:.1f} at the end, on {cores} cores.")
        if max(load_before, load_after) > cores:
            print("The machine was busy with other work: wall-clock figures are inflated; the CPU column "
                  "is the fairer comparison.")


def mib(values: list[int] | None) -> str:
    return ", ".join(f"{v / MiB:.0f}" for v in values or []) or "-"


def step(name: str) -> None:
    print(f"- {name} ...", flush=True)


if __name__ == "__main__":
    main()
