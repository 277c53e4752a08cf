"""The build: load and validate everything, render every report, then write.

Order matters. Nothing is written unless every input validates. Reports are
rendered in worker processes (longest first) and handed back as bytes; only
when every report has rendered does the parent write them, each file
atomically, so a failed build changes nothing and a killed one leaves whole
files. Each document knows what it shows (`documents.py`): one whose view has not
changed is not rendered again (see `cache.py`). The build is three steps:
`plan` (load, publish, decide what to render), `render`, `write`.

Publishing reuses the last build's choice of what to hide while everything it
was chosen from is the same (`published_key`, `cache.PatternStore`): a text
edit does not choose again, it only audits the pattern again before anything
is written (with a printer, while the PDF is made). A rebuild with more than one job forks
a process for its PDFs first (`_Printer`), which imports WeasyPrint while this
one loads and plans.

It is one module of some 600 lines because the three steps pass one plan and
its records from one to the next, and read best in that order.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from . import cache
from .errors import UsageError
from .messages import _
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
    written_paths: list[str] = field(default_factory=list)  # those files, relative to the output folder
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
    charts: dict[str, bytes] = field(default_factory=dict)  # the charts it used, as stored: path -> bytes


@dataclass
class Warm:
    """What a preview keeps between rebuilds: every chart drawn, and the last published figures
    with the digest of what they were computed from."""

    charts: dict = field(default_factory=dict)
    published: tuple[str, object] | None = None
    open_data: dict[str, tuple[str, dict[str, bytes]]] = field(default_factory=dict)  # key -> (digest, files)
    groups: dict = field(default_factory=dict)  # group file -> (digest of its bytes and the settings, the group)


@dataclass
class Plan:
    """Everything a build will do, decided before anything is rendered or written."""

    out: Path
    options: Options
    templates: Path
    inputs: cache.Inputs
    manifest: cache.Manifest
    project: object
    published: object
    languages: tuple[str, ...]
    documents: list  # documents.Document, longest first
    views: dict[str, object]  # job key -> what the document shows
    expected: dict[str, list[str]]  # job key -> the files it makes
    fingerprints: dict[str, str]
    todo: list  # the documents to render, in order
    shared: dict[str, bytes]  # open data and assets
    store: cache.ChartStore
    patterns: cache.PatternStore  # the pattern of what to hide, kept for the next build
    published_key: str
    unaudited: bool  # the pattern was the last build's: audited before anything is written (`_audit`)


# --- plan -------------------------------------------------------------------------------


def _load(root: Path, options: Options, warm: Warm | None = None):
    from .loader import load_project

    # raises InputError: nothing written; a preview reads again only the group files that changed
    project = load_project(root, memo=warm.groups if warm is not None else None)
    if options.languages:
        unknown = [lang for lang in options.languages if lang not in project.config.languages]
        if unknown:
            raise UsageError(_("--lang {unknown}: reportgen.yaml's languages are {languages}").format(
            unknown=",".join(unknown), languages=", ".join(project.config.languages)))
    return project, options.languages or project.config.languages


def published_key(project, program: str) -> str:
    """The key of a project's published figures: a digest of everything publishing reads
    (`suppression.publish_inputs`, the one place that says what that is) and of the program
    (`cache.program_key`: the code and libraries, not the templates). Equal keys, equal
    figures: the pattern of what to hide is reused, not chosen again."""
    from .suppression import publish_inputs

    return cache.digest(f"{program}\0{publish_inputs(project)!r}".encode("utf-8"))


class _PatternRefused(Exception):
    """A kept pattern that fits the model failed the audit: the file was not the one a build wrote."""


def _publish(project, key: str, store: cache.PatternStore, warm: Warm | None):
    """The published figures, and whether they still await their audit.

    Choosing what to hide (and auditing the choice) is the costly part of a build: a preview
    keeps the last figures while their key is the same, and every build reuses the pattern the
    last build chose (`cache.PatternStore`) while its key is the same. A reused pattern is still
    audited before anything is written (`_audit`), but later: a printer renders meanwhile."""
    from .suppression import publish_project

    if warm is not None and warm.published is not None and warm.published[0] == key:
        published, unaudited = warm.published[1], False
    else:
        stored = store.read(key)
        reused = []

        def choose(system):
            if stored is not None and cache.pattern_fits(system, *stored):
                status, bases = stored
                system.bases.update(bases)  # the headline figures rounded wider than the base
                reused.append(True)
                return list(status)
            return system.choose()

        published = publish_project(project, choose=choose)
        unaudited = bool(reused)
        if not unaudited:
            from .audit import require_protected

            require_protected(project, published)  # a pattern some reader could see through: nothing is written
            if warm is not None:
                warm.published = (key, published)
    system, status = published.protection
    store.keep(key, status, system.bases)
    return published, unaudited


def _audit(plan: Plan) -> None:
    """Audit a reused pattern (once), before anything is written; `_PatternRefused` if it fails."""
    if not plan.unaudited:
        return
    from .audit import audit_published

    if audit_published(plan.published).failures:
        raise _PatternRefused()
    plan.unaudited = False


def plan(root: Path, out: Path, options: Options, templates: Path, code: str, inputs: cache.Inputs,
         manifest: cache.Manifest, warm: Warm | None = None, first: str | None = None,
         program: str | None = None, trust_patterns: bool = True) -> Plan:
    """Load, publish, and decide which documents must be rendered again (and in what order)."""
    from .documents import published_documents

    project, langs = _load(root, options, warm)
    remove_stale_temporaries(out)  # left by a killed build; only now that the input is known to be valid
    patterns = cache.PatternStore(out, manifest.patterns if trust_patterns else {})
    program = program if program is not None else cache.program_key()
    key = published_key(project, program)
    published, unaudited = _publish(project, key, patterns, warm)
    config = project.config
    everything = published_documents(project, options.include_drafts)
    keys = frozenset(d.key for d in everything)
    expected = {d.job_key: d.outputs(langs, config.default_language, options.formats) for d in everything}
    docs = sorted((d for d in everything if expected[d.job_key]), key=lambda d: -d.cost(project))
    views = {d.job_key: d.view(project, published, keys) for d in docs}
    fingerprints = cache.job_fingerprints(docs, views, inputs, code, options, langs, config)
    todo = [d for d in docs if not manifest.job_is_current(d.job_key, fingerprints[d.job_key],
                                                           expected[d.job_key], out)]
    todo.sort(key=lambda d: d.html_name != first)  # the page being looked at first; stable otherwise
    shared = _shared_files(project, published, docs, views, options, templates, fingerprints, warm)
    store = cache.ChartStore(out, code, manifest.charts(), warm.charts if warm is not None else None)
    return Plan(out, options, templates, inputs, manifest, project, published, langs, docs, views, expected,
                fingerprints, todo, shared, store, patterns, key, unaudited)


def _shared_files(project, published, docs, views: dict, options: Options, templates: Path,
                  fingerprints: dict, warm: Warm | None) -> dict[str, bytes]:
    """The open data and the assets. A preview keeps a document's open data while its
    fingerprint (which covers its view and the settings) is the same."""
    from . import opendata

    if "html" not in options.formats:
        return {}
    if published.unsafe_raw:
        raise ValueError("open data is public: build it from figures published without unsafe_raw")
    memo = warm.open_data if warm is not None else {}
    shared: dict[str, bytes] = {}
    for d in docs:
        kept = memo.get(d.job_key)
        if kept is None or kept[0] != fingerprints[d.job_key]:
            kept = memo[d.job_key] = (fingerprints[d.job_key], d.data_files(views[d.job_key], project.config))
        shared.update({f"{SITE_DIR}/{relative}": data for relative, data in kept[1].items()})
    summary = opendata.to_json(opendata.summary_document(project, published)).encode("utf-8")
    shared[f"{SITE_DIR}/{opendata.DATA_DIR}/{opendata.SUMMARY_FILE}"] = summary
    shared.update(_asset_files(templates))
    return shared


# --- render ---------------------------------------------------------------------------
# A job renders one document in every language and format. Workers get the plan
# through fork (never pickled); they return JobResults.

_STATE: dict = {}


def _render_job(document, printer=None, meanwhile=None) -> JobResult:
    """Render one document in every language and format; its PDF by `printer` if given (see
    `_Printer`), which makes it while this process renders the web pages and calls `meanwhile`."""
    import resource

    started = time.perf_counter()
    plan: Plan = _STATE["plan"]
    config = plan.project.config
    view = plan.views[document.job_key]
    default = config.default_language
    html_wanted = "html" in plan.options.formats
    pdf_wanted = document.needs_pdf(plan.options.formats)
    out: dict[str, bytes] = {}
    plan.store.take_used()
    printed = None
    if pdf_wanted:  # first: the PDF is the longest part (a printer makes it while the web pages are made)
        printed = (printer or _print_now)(document, view, config, plan.languages[0], plan.templates, plan.store)
    from .render import draw_charts, render_page  # after: a printer need not wait for the import

    if printer is not None and printed is not None and not html_wanted:
        draw_charts(document.charts(view, config, plan.languages[0]), plan.store)  # the charts it used, kept
    if html_wanted:
        for lang in plan.languages:
            charts = draw_charts(document.charts(view, config, lang), plan.store)
            prefix = "" if lang == default else f"{lang}/"
            html = render_page(document, view, config, lang, root="" if lang == default else "../",
                               lang_prefix=prefix, other_languages=_language_links(config, document, lang, plan.languages),
                               pdf_available=pdf_wanted, templates=plan.templates, chart_map=charts)
            out[f"{SITE_DIR}/{prefix}{document.html_name}"] = html.encode("utf-8")
    if meanwhile is not None:
        meanwhile()
    if printed is not None:
        pdf = printed()
        out[f"{PDF_DIR}/{document.pdf_name}"] = pdf
        if html_wanted:
            out[f"{SITE_DIR}/pdf/{document.pdf_name}"] = pdf
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return JobResult(document.job_key, out, time.perf_counter() - started, os.getpid(), peak,
                     plan.store.take_used())


def _print_now(document, view, config, lang: str, templates: Path, store: cache.ChartStore):
    """The document's PDF, rendered in this process (its charts from `store` or drawn); returned
    as a function, as `_Printer` returns it."""
    from .pdf import render_pdf
    from .render import draw_charts, render_page

    charts = draw_charts(document.charts(view, config, lang), store)  # the web page's of `lang` too
    html = render_page(document, view, config, lang, root="", lang_prefix="", other_languages=[],
                       pdf_available=False, templates=templates, medium="print", chart_map=charts)
    pdf = render_pdf(html, name=document.pdf_name, assets_dir=templates / "assets",
                     metadata=document.pdf_metadata(view, config, lang))
    return lambda: pdf


class _Printer:
    """A process that renders PDFs, forked before the build loads the project.

    It imports WeasyPrint and the page renderer and compiles the templates while the build
    loads and plans; a small rebuild (a text edit: one report) hands it the report's view as
    soon as it is planned, and it renders the print page and the PDF while the build renders
    the web pages. Only with more than one job, when the last build left outputs.
    """

    def __init__(self, templates: Path):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_printer_main, args=(theirs, templates), daemon=True)
        self.process.start()
        theirs.close()

    def __call__(self, document, view, config, lang: str, templates: Path, store: cache.ChartStore):
        # The charts it reads from the store on disk (or draws); those this process keeps in
        # memory and the ones it uses are this process's to record.
        on_disk = cache.ChartStore(store.out, store.code, store.known)
        try:
            self.connection.send((document, view, config, lang, templates, on_disk))
        except Exception:  # noqa: BLE001 - it died (killed, out of memory), or the job does not pickle
            return _print_now(document, view, config, lang, templates, store)

        def pdf() -> bytes:
            try:
                ok, value = self.connection.recv()
            except (EOFError, OSError):  # it died while rendering
                return _print_now(document, view, config, lang, templates, store)()
            if not ok:
                raise value
            return value

        return pdf

    def close(self) -> None:
        self.process.terminate()
        self.process.join()
        self.connection.close()


def _printer_main(connection, templates: Path) -> None:
    from . import pdf
    from .render import environment

    pdf.import_weasyprint()
    try:
        pdf.warm_up(templates / "assets")
        env = environment(templates)
        for name in env.list_templates(extensions=["html"]):
            env.get_template(name)
    except Exception:  # noqa: BLE001 - a missing font, a broken template: the job says so
        pass
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        try:
            answer = (True, _print_now(*job)())
        except Exception as exc:  # noqa: BLE001 - raised again in the build
            answer = (False, exc)
        connection.send(answer)


def _language_links(config, document, lang, languages) -> list[dict]:
    from .i18n import Strings

    default = config.default_language
    links = []
    for other in languages:
        if other == lang:
            continue
        here = "" if lang == default else "../"
        there = "" if other == default else f"{other}/"
        links.append({"lang": other, "href": f"{here}{there}{document.html_name}",
                      "label": Strings(other, default).language_name})
    return links


def _run_jobs(documents, jobs: int, progress) -> list[JobResult]:
    if jobs <= 1 or len(documents) <= 1:
        results = []
        for document in documents:
            results.append(_render_job(document))
            progress(results[-1])
        return results
    import multiprocessing

    context = multiprocessing.get_context("fork")  # workers inherit the plan and the imports
    results = []
    with context.Pool(processes=min(jobs, len(documents))) as pool:
        for result in pool.imap_unordered(_render_job, documents):
            results.append(result)
            progress(result)
    return results


def _prepare_renderers(plan: Plan, forking: bool, printer=None) -> None:
    """Pay once, before forking, what every worker would otherwise pay, and only what the jobs
    need: WeasyPrint if a PDF is to be made here (not by a printer), matplotlib if a chart is
    not in the store, and, for workers, compiling every template (one job compiles its own)."""
    if printer is None and any(d.needs_pdf(plan.options.formats) for d in plan.todo):
        from . import pdf

        pdf.import_weasyprint()
    config = plan.project.config
    if any(not plan.store.has(spec) for d in plan.todo for lang in plan.languages
           for spec in d.charts(plan.views[d.job_key], config, lang)):
        from . import charts  # noqa: F401
    if forking:
        from .render import environment

        env = environment(plan.templates)
        for name in env.list_templates(extensions=["html"]):
            env.get_template(name)


def render(plan: Plan, jobs: int, stream, started: float, on_result=None, printer=None) -> list[JobResult]:
    """Render the documents of the plan that must be, in worker processes if `jobs` > 1;
    `on_result` is called with each JobResult as it comes (a preview shows a page at once).
    A `_Printer` started before the plan makes the PDF of a rebuild of one document."""
    if not plan.todo:
        return []
    if len(plan.todo) > 1:
        printer = None  # the workers render in parallel
    if printer is None:
        _audit(plan)  # a reused pattern, before any page is shown; else while the printer works
    _STATE.update(plan=plan)
    progress = _Progress(stream, len(plan.todo), started, on_result)
    # A heap frozen pays a full collection first: worth it for workers and for WeasyPrint, not
    # for a few HTML pages (a preview's edit) or a PDF made by the printer.
    forking = jobs > 1 and len(plan.todo) > 1
    heavy = forking or (printer is None and any(d.needs_pdf(plan.options.formats) for d in plan.todo))
    try:
        _prepare_renderers(plan, forking, printer)
        with _frozen_heap() if heavy else nullcontext():
            if printer is not None:  # the reused pattern audited while the printer works
                results = [_render_job(plan.todo[0], printer, meanwhile=lambda: _audit(plan))]
                progress(results[0])
                return results
            return _run_jobs(plan.todo, jobs, progress)
    finally:
        _STATE.clear()
        progress.close()


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


# --- write ------------------------------------------------------------------------------


def _records(plan: Plan, results: list[JobResult], report: BuildReport) -> tuple[dict[str, bytes], cache.Manifest]:
    """Every file to write, and the manifest that describes the build once they are written."""
    new_manifest = cache.Manifest(inputs_key=plan.inputs.key)
    rendered = {r.key: r for r in results}
    files = dict(plan.shared)
    for d in plan.documents:
        key = d.job_key
        result = rendered.get(key)
        if result is None:
            new_manifest.jobs[key] = plan.manifest.jobs[key]
            report.reused.append(key)
            continue
        files.update(result.files)
        files.update(result.charts)
        new_manifest.jobs[key] = cache.JobRecord(plan.fingerprints[key],
                                                 {p: cache.digest(b) for p, b in result.files.items()},
                                                 {p: cache.digest(b) for p, b in result.charts.items()})
        report.rendered.append(key)
        report.timings[key] = result.seconds
        report.peak_memory[result.pid] = max(report.peak_memory.get(result.pid, 0), result.peak_rss)
    new_manifest.shared = {p: cache.digest(b) for p, b in plan.shared.items()}
    files.update(plan.patterns.kept)
    new_manifest.patterns = {p: cache.digest(b) for p, b in plan.patterns.kept.items()}
    return files, new_manifest


def write(plan: Plan, results: list[JobResult], report: BuildReport) -> None:
    """Everything rendered: now write, each file atomically; files that hold the same bytes are
    left alone. Then remove what the last build made and this one does not, and the manifest."""
    files, new_manifest = _records(plan, results, report)
    out, manifest = plan.out, plan.manifest
    _unfinished_manifest(manifest, files).write(out)
    written = []
    try:
        for relative, data in sorted(files.items()):
            if write_bytes(out / relative, data):
                written.append(relative)
        # outputs; the charts and the pattern kept for the next build are not counted
        report.written_paths = [p for p in written if not p.startswith((cache.CHARTS_DIR, cache.PATTERNS_DIR))]
        report.written = len(report.written_paths)
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


UNFINISHED = "(unfinished build)"


def _unfinished_manifest(last: cache.Manifest, files: dict[str, bytes]) -> cache.Manifest:
    """The manifest on disk while a build writes: current for nothing (no inputs key), it lists the
    last build's outputs and every file this build is about to write, so that if the build stops
    half-way (a full disk, a kill) the next build rebuilds what changed and removes what it does not make."""
    pending = cache.Manifest(jobs=dict(last.jobs), shared=dict(last.shared), patterns=dict(last.patterns))
    earlier = last.jobs.get(UNFINISHED)
    pending.jobs[UNFINISHED] = cache.JobRecord("", {**(earlier.outputs if earlier else {}),
                                                    **{path: "" for path in files}})
    return pending


# --- the build -----------------------------------------------------------------------


def build(root: Path, *, out: Path, formats: set[str], jobs: int = 1, include_drafts: bool = False,
          languages: str | None = None, stream=None, warm: Warm | None = None,
          first: str | None = None, on_result=None) -> BuildReport:
    """Build the website and/or the PDFs of the project at `root` into `out`: plan, render, write.

    `warm` (a preview's) keeps charts and figures between builds; `first` is the file name of
    the page to render first (the one being looked at, e.g. 'hjerte.html'); `on_result` is called
    with each document's JobResult as soon as it is rendered, before anything is written."""
    started = time.perf_counter()
    stream = stream if stream is not None else sys.stderr
    root, out = Path(root), Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(_("--out '{out}' is a file, not a folder").format(out=out))
    options = Options(frozenset(formats), tuple(languages.split(",")) if languages else None, include_drafts, jobs)
    report = BuildReport()
    templates = templates_dir(root)
    manifest = cache.Manifest.read(out)
    program = cache.program_key()
    code = cache.code_key(templates, program)
    inputs = cache.read_inputs(root, code, options)
    if manifest.is_current(inputs.key, out):
        remove_stale_temporaries(out)
        report.reused = sorted(manifest.jobs)
        report.seconds = time.perf_counter() - started
        _say(stream, _("Nothing to rebuild: {count} reports are up to date in {out}").format(
            count=len(report.reused), out=out))
        return report

    # A rebuild with more than one job starts a process for its PDFs first: it imports WeasyPrint
    # while this one loads and plans (a clean build's workers are forked once the plan is made).
    printer = _Printer(templates) if jobs > 1 and "pdf" in formats and manifest.jobs else None
    try:
        the_plan = plan(root, out, options, templates, code, inputs, manifest, warm, first, program)
        results = render(the_plan, jobs, stream, started, on_result, printer)
        _audit(the_plan)
    except _PatternRefused:  # not the pattern a build kept: choose and audit again, render again
        the_plan = plan(root, out, options, templates, code, inputs, manifest, warm, first, program,
                        trust_patterns=False)
        results = render(the_plan, jobs, stream, started, on_result)
    finally:
        if printer is not None:
            printer.close()
    if warm is not None:
        warm.published = (the_plan.published_key, the_plan.published)  # audited
    write(the_plan, results, report)
    report.seconds = time.perf_counter() - started
    what = ", ".join(sorted(formats))
    _say(stream, _("Built {count} of {total} reports ({what}) in {seconds:.1f} s; {written} files written under {out}").format(
        count=len(report.rendered), total=len(the_plan.documents), what=what, seconds=report.seconds, written=report.written, out=out))
    return report


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
            raise BuildError(_("the stylesheet {path} is missing").format(path=path))
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

    def __init__(self, stream, total: int, started: float, then=None):
        self.then = then  # called with each result too
        self.stream = stream
        self.total = total
        self.started = started
        self.done = 0
        self.pending: list[str] = []
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.status = ""  # on a terminal: the line under the finished reports, rewritten each time

    def __call__(self, result: JobResult) -> None:
        if self.then is not None:
            self.then(result)
        self.done += 1
        kinds = sorted({"pdf" if p.endswith(".pdf") else "html" for p in result.files})
        self.pending.append(_("[{done}/{total}] {key}: {kinds} in {seconds:.1f} s").format(
            done=self.done, total=self.total, key=result.key, kinds=", ".join(kinds), seconds=result.seconds))
        elapsed = time.perf_counter() - self.started
        if elapsed < self.DELAY:
            return
        lines = "".join(line + "\n" for line in self.pending)
        self.pending.clear()
        if self.tty:
            self.status = "" if self.done == self.total else _("{done} of {total} reports done, {elapsed:.0f} s").format(
                done=self.done, total=self.total, elapsed=elapsed)
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
