"""The build: load and validate everything, render every report, then write.

Order matters. Nothing is written unless every input validates. Reports are
rendered in worker processes (longest first) and handed back as bytes; only
when every report has rendered does the parent write them, each file
atomically, so a failed build changes nothing and a killed one leaves whole
files. Each report knows its inputs: one that has not changed is not
rendered again (see `cache.py`).
"""

from __future__ import annotations

import gc
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import cache
from .errors import UsageError
from .paths import templates_dir
from .writer import remove_stale_temporaries, write_bytes

SITE_DIR = "site"
PDF_DIR = "pdf"
ASSET_FILES = ("report.css", "screen.css")


@dataclass(frozen=True)
class Options:
    formats: frozenset[str]
    languages: tuple[str, ...] | None  # None: every language in reportgen.yaml
    include_drafts: bool
    jobs: int


@dataclass
class BuildReport:
    rendered: list[str] = field(default_factory=list)  # job keys rendered this time
    reused: list[str] = field(default_factory=list)  # job keys whose outputs were current
    written: int = 0  # files written (files that already held the same bytes are left alone)
    removed: int = 0  # outputs of the last build that this build no longer makes
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # job key -> seconds
    peak_memory: dict[int, int] = field(default_factory=dict)  # process id -> peak RSS in bytes


@dataclass(frozen=True)
class JobResult:
    key: str
    files: dict[str, bytes]  # relative path -> bytes
    seconds: float
    pid: int
    peak_rss: int  # bytes, of the process that rendered the job, so far


# --- jobs -------------------------------------------------------------------------
# A job renders one document in every language and format. Workers get the
# loaded project through fork (never pickled); they return JobResults.

_STATE: dict = {}


def _job_outputs(document, languages, default_lang, formats) -> list[str]:
    paths = []
    if "html" in formats:
        for lang in languages:
            prefix = "" if lang == default_lang else f"{lang}/"
            paths.append(f"{SITE_DIR}/{prefix}{document.html_name}")
    if "pdf" in formats and document.kind != "index":
        paths.append(f"{PDF_DIR}/{document.pdf_name}")
        if "html" in formats:
            paths.append(f"{SITE_DIR}/pdf/{document.pdf_name}")
    return paths


def _render_job(document) -> JobResult:
    import resource

    from .pdf import PdfMetadata, render_pdf, source_date
    from .render import document_charts, render_document

    started = time.perf_counter()
    project, published, options, templates = (_STATE[k] for k in ("project", "published", "options", "templates"))
    languages = _STATE["languages"]
    default = project.config.default_language
    pdf_lang = languages[0]
    out: dict[str, bytes] = {}
    pdf_wanted = "pdf" in options.formats and document.kind != "index"
    for lang in languages:
        html_wanted = "html" in options.formats
        print_wanted = pdf_wanted and lang == pdf_lang
        if not (html_wanted or print_wanted):
            continue
        charts = document_charts(project, published, document, lang)  # once, for the web and for print
        if html_wanted:
            prefix = "" if lang == default else f"{lang}/"
            root = "" if lang == default else "../"
            html = render_document(project, published, document, lang, root=root, lang_prefix=prefix,
                                   other_languages=_language_links(project, document, lang, languages),
                                   pdf_available=pdf_wanted, templates=templates, chart_map=charts,
                                   include_drafts=options.include_drafts)
            out[f"{SITE_DIR}/{prefix}{document.html_name}"] = html.encode("utf-8")
        if print_wanted:
            html = render_document(project, published, document, lang, root="", lang_prefix="",
                                   other_languages=[], pdf_available=False, templates=templates,
                                   medium="print", chart_map=charts, include_drafts=options.include_drafts)
            pdf = render_pdf(html, name=document.pdf_name, assets_dir=templates / "assets",
                             metadata=_pdf_metadata(project, document, lang, PdfMetadata, source_date))
            out[f"{PDF_DIR}/{document.pdf_name}"] = pdf
            if html_wanted:
                out[f"{SITE_DIR}/pdf/{document.pdf_name}"] = pdf
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return JobResult(cache.job_key(document), out, time.perf_counter() - started, os.getpid(), peak)


def _language_links(project, document, lang, languages) -> list[dict]:
    from .i18n import Strings

    default = project.config.default_language
    links = []
    for other in languages:
        if other == lang:
            continue
        here = "" if lang == default else "../"
        there = "" if other == default else f"{other}/"
        links.append({"lang": other, "href": f"{here}{there}{document.html_name}",
                      "label": Strings(other, default).language_name})
    return links


def _pdf_metadata(project, document, lang, PdfMetadata, source_date):
    from .i18n import Strings

    t = Strings(lang, project.config.default_language)
    default = project.config.default_language
    if document.kind == "group":
        group = project.group(document.key)
        title = f"{t.status_report}: {group.name.get(lang, default)[0]}"
        edition = group.edition
        subject = f"{t.report_title_prefix} {group.name.get(lang, default)[0].lower()}"
        keywords = ("WGS", group.name.get(lang, default)[0], group.network)
    else:
        report = project.consolidated[document.key]
        title = report.title.get(lang, default)[0]
        edition = report.edition
        subject = t["category_" + document.key]
        keywords = ("WGS", t.consolidated_report, subject)
    return PdfMetadata(title=title, author=project.config.publisher, subject=subject, keywords=keywords,
                       lang=lang, created=source_date(edition.date))


def _job_cost(project, document) -> int:
    """Longest first: consolidated reports by their number of groups, then groups by rows; the index last."""
    if document.kind == "consolidated":
        return 10**9 + len(project.groups_in(document.key))
    if document.kind == "index":
        return 0
    return 1000 + len(project.group(document.key).statistics.monthly)


def _run_jobs(documents, jobs: int, progress) -> list[JobResult]:
    if jobs <= 1 or len(documents) <= 1:
        results = []
        for document in documents:
            results.append(_render_job(document))
            progress(results[-1])
        return results
    import multiprocessing

    context = multiprocessing.get_context("fork")  # workers inherit the loaded project and imports
    results = []
    with context.Pool(processes=min(jobs, len(documents))) as pool:
        for result in pool.imap_unordered(_render_job, documents):
            results.append(result)
            progress(result)
    return results


def _prepare_renderers(templates: Path) -> None:
    """Pay once, before forking, what every worker would otherwise pay: the heavy imports
    and compiling the templates."""
    import matplotlib  # noqa: F401
    import weasyprint  # noqa: F401

    from . import charts, pdf  # noqa: F401
    from .render import environment

    env = environment(templates)
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


@contextmanager
def _frozen_heap():
    """Keep the garbage collector away from what lives for the whole build.

    The loaded project, the libraries and the compiled templates are a large, long-lived
    heap; every full collection would walk all of it again while WeasyPrint allocates
    (several seconds of a build). Frozen, collections walk only the rendering's own
    objects, and forked workers do not touch (and so copy) the parent's pages.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# --- the build -----------------------------------------------------------------------


def build(root: Path, *, out: Path, formats: set[str], jobs: int = 1, include_drafts: bool = False,
          languages: str | None = None, stream=None) -> BuildReport:
    """Build the website and/or the PDFs of the project at `root` into `out`."""
    started = time.perf_counter()
    stream = stream if stream is not None else sys.stderr
    root = Path(root)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out '{out}' is a file, not a folder")
    options = Options(frozenset(formats), tuple(languages.split(",")) if languages else None, include_drafts, jobs)
    report = BuildReport()

    templates = templates_dir(root)
    manifest = cache.Manifest.read(out)
    code_key = cache.code_key(templates)
    inputs = cache.read_inputs(root, code_key, options)
    if manifest.is_current(inputs.key, out):
        remove_stale_temporaries(out)
        report.reused = sorted(manifest.jobs)
        report.seconds = time.perf_counter() - started
        _say(stream, f"Nothing to rebuild: {len(report.reused)} reports are up to date in {out}")
        return report

    from .loader import load_project

    project = load_project(root)  # raises InputError: nothing written
    if options.languages:
        unknown = [lang for lang in options.languages if lang not in project.config.languages]
        if unknown:
            raise UsageError(f"--lang {','.join(unknown)}: reportgen.yaml's languages are "
                             f"{', '.join(project.config.languages)}")
    langs = options.languages or project.config.languages
    remove_stale_temporaries(out)  # left by a killed build; only now that the input is known to be valid

    from .opendata import open_data_files
    from .render import documents
    from .suppression import publish_project

    published = publish_project(project)
    expected = {}
    for d in documents(project, include_drafts):
        expected[d] = _job_outputs(d, langs, project.config.default_language, formats)
    docs = sorted((d for d, paths in expected.items() if paths), key=lambda d: -_job_cost(project, d))

    shared: dict[str, bytes] = {}
    if "html" in formats:
        for relative, text in open_data_files(
                project, published, groups=[d.key for d in docs if d.kind == "group"]).items():
            shared[f"{SITE_DIR}/{relative}"] = text.encode("utf-8")
        shared.update(_asset_files(templates))

    fingerprints = cache.job_fingerprints(project, published, docs, inputs, code_key, options, langs)
    todo = [d for d in docs if not manifest.job_is_current(cache.job_key(d), fingerprints[cache.job_key(d)],
                                                           expected[d], out)]

    results = []
    if todo:
        _STATE.update(project=project, published=published, options=options, templates=templates,
                      languages=langs)
        progress = _Progress(stream, len(todo), started)
        try:
            _prepare_renderers(templates)
            with _frozen_heap():
                results = _run_jobs(todo, jobs, progress)
        finally:
            _STATE.clear()
            progress.close()

    # Everything rendered: now write. Each file atomically; files that hold the same bytes are left alone.
    new_manifest = cache.Manifest(inputs_key=inputs.key)
    rendered = {r.key: r for r in results}
    files = dict(shared)
    for d in docs:
        key = cache.job_key(d)
        result = rendered.get(key)
        if result is None:
            new_manifest.jobs[key] = manifest.jobs[key]
            report.reused.append(key)
            continue
        files.update(result.files)
        new_manifest.jobs[key] = cache.JobRecord(fingerprints[key],
                                                 {p: cache.digest(b) for p, b in result.files.items()})
        report.rendered.append(key)
        report.timings[key] = result.seconds
        report.peak_memory[result.pid] = max(report.peak_memory.get(result.pid, 0), result.peak_rss)
    new_manifest.shared = {p: cache.digest(b) for p, b in shared.items()}
    _unfinished_manifest(manifest, files).write(out)
    written = []
    try:
        for relative, data in sorted(files.items()):
            if write_bytes(out / relative, data):
                written.append(relative)
        report.written = len(written)
        report.removed = _remove_orphans(out, manifest, new_manifest)
        new_manifest.write(out)
    except BaseException:
        # A full disk, say: take back the files the last build did not have; the unfinished
        # manifest already written lets the next build judge (and rebuild) the rest.
        for relative in set(written) - set(manifest.outputs()):
            try:
                (out / relative).unlink()
            except OSError:
                pass
        raise

    report.seconds = time.perf_counter() - started
    what = ", ".join(sorted(formats))
    _say(stream, f"Built {len(report.rendered)} of {len(docs)} reports ({what}) in {report.seconds:.1f} s; "
                 f"{report.written} files written under {out}")
    return report


UNFINISHED = "(unfinished build)"


def _unfinished_manifest(last: cache.Manifest, files: dict[str, bytes]) -> cache.Manifest:
    """The manifest on disk while a build writes: current for nothing (no inputs key), it lists the
    last build's outputs and every file this build is about to write, so that if the build stops
    half-way (a full disk, a kill) the next build rebuilds what changed and removes what it does not make."""
    pending = cache.Manifest(jobs=dict(last.jobs), shared=dict(last.shared))
    earlier = last.jobs.get(UNFINISHED)
    pending.jobs[UNFINISHED] = cache.JobRecord("", {**(earlier.outputs if earlier else {}),
                                                    **{path: "" for path in files}})
    return pending


def _remove_orphans(out: Path, old: cache.Manifest, new: cache.Manifest) -> int:
    """Delete what the last build wrote and this one does not: the outputs of a removed
    group, or the PDFs after a build with --format html. Returns how many."""
    removed = 0
    for path in set(old.outputs()) - set(new.outputs()):
        try:
            (out / path).unlink()
            removed += 1
        except OSError:
            pass
    return removed


def _asset_files(templates: Path) -> dict[str, bytes]:
    from .errors import BuildError
    from .pdf import HOUSE_FONT_FILES, house_font_dir

    files = {}
    assets = templates / "assets"
    for name in ASSET_FILES:
        path = assets / name
        if not path.is_file():
            raise BuildError(f"the stylesheet {path} is missing")
        files[f"{SITE_DIR}/assets/{name}"] = path.read_bytes()
    fonts = house_font_dir()
    for name in HOUSE_FONT_FILES:
        files[f"{SITE_DIR}/assets/fonts/{name}"] = (fonts / name).read_bytes()
    return files


def _say(stream, message: str) -> None:
    print(message, file=stream, flush=True)


class _Progress:
    """One line per finished report, with its time, once the build has run for a second.

    On a terminal a status line under them says how far the build is; elsewhere
    (a log, CI) only the plain lines are written.
    """

    DELAY = 1.0

    def __init__(self, stream, total: int, started: float):
        self.stream = stream
        self.total = total
        self.started = started
        self.done = 0
        self.pending: list[str] = []
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.status = ""  # on a terminal: the line under the finished reports, rewritten each time

    def __call__(self, result: JobResult) -> None:
        self.done += 1
        kinds = sorted({"pdf" if p.endswith(".pdf") else "html" for p in result.files})
        self.pending.append(f"[{self.done}/{self.total}] {result.key}: {', '.join(kinds)} in {result.seconds:.1f} s")
        elapsed = time.perf_counter() - self.started
        if elapsed < self.DELAY:
            return
        lines = "".join(line + "\n" for line in self.pending)
        self.pending.clear()
        if self.tty:
            self.status = "" if self.done == self.total else f"{self.done} of {self.total} reports done, {elapsed:.0f} s"
            lines = "\r\033[K" + lines + self.status
        self.stream.write(lines)
        self.stream.flush()

    def close(self) -> None:
        """Clear the status line, so that what is printed next starts on a clean line."""
        if self.status:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.status = ""


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
