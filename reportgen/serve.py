"""`reportgen serve`: a live preview of the website while the texts are being edited.

The preview builds the HTML (drafts included, into a temporary folder, so it
never mixes with a build meant for publishing) and serves it on 127.0.0.1.
It watches the project's files with `watchfiles` (inotify: no polling) and,
the moment a rebuild ends, tells every open page over Server-Sent Events,
which then reloads. Between edits it keeps warm what a build would pay for
again: the imported libraries, the compiled templates, every chart drawn and
the published figures; the page being looked at is rendered first, and only
what changed is rendered at all.

An input error does not stop the server: every page then shows the problems,
`path:line:col: message`, escaped, as the terminal does, and comes back by
itself when the file is fixed. The reload script is added to each page as it
is served; it is never written to the built files.

Only local requests are answered: the Host header must name this server
(localhost, 127.0.0.1 or [::1] with its port), so that a web page elsewhere
cannot read the preview through DNS rebinding.

It is one module of some 500 lines because the rebuilding and the answering
share one state (the version, the problems, the page looked at) under one lock;
the request handler reads it and notes only which page is looked at.
"""

from __future__ import annotations

import html
import http.server
import json
import mimetypes
import shutil
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import InputError, ReportgenError, UsageError, relative_path
from .messages import _, ngettext
from .messages import current as current_language

EVENTS_PATH = "/__reportgen/events"
VERSION_PATH = "/__reportgen/version"
MAX_PATH = 1024  # characters of a URL path; the site's own are far shorter
MAX_NAME = 255  # bytes of one file name (NAME_MAX)
HEARTBEAT_SECONDS = 15.0  # an SSE comment now and then, so that a closed page is noticed

# Listens for the end of a rebuild (or a new error) and reloads the page if it is among the
# pages that changed (null: all of them). The server knows which page is open from `page`,
# and renders it first.
_RELOAD_SCRIPT = """<script>
(function () {
  var here = location.pathname;
  if (here.charAt(here.length - 1) === "/") { here += "index.html"; }
  var source = new EventSource(%s + "?version=" + %s + "&page=" + encodeURIComponent(here));
  source.addEventListener("reload", function (event) {
    var pages = JSON.parse(event.data).pages;
    if (pages === null || pages.indexOf(here) >= 0) { source.close(); location.reload(); }
  });
})();
</script>
"""


def error_page(problems: list[str], summary: str) -> str:
    """The page shown instead of the site while the input has problems."""
    items = "\n".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems)
    title = html.escape(_("Preview not updated: problems in the input"))
    heading = html.escape(_("The preview could not be built"))
    advice = html.escape(_("{summary}. Fix the file and save it: this page comes back by itself.").format(
        summary=summary))
    return f"""<!DOCTYPE html>
<html lang="{current_language()}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem;
       color: #1b1f24; line-height: 1.5; }}
h1 {{ color: #7a1010; font-size: 1.5rem; }}
ul {{ padding-left: 1.2rem; }}
li {{ margin: .4rem 0; }}
code {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
</style>
</head>
<body>
<main>
<h1>{heading}</h1>
<p>{advice}</p>
<ul class="problems">
{items}
</ul>
</main>
</body>
</html>
"""


class Preview:
    """A preview server: build, serve, watch, rebuild. `start()`, then `stop()`.

    `jobs` is for the first build only; rebuilds run in this process, as forking
    workers from a process with running threads is not safe.
    """

    def __init__(self, root: Path, *, port: int = 8000, jobs: int = 1, stream=None):
        from . import yamlsource
        from .build import Warm
        from .paths import templates_dir

        yamlsource.remember_parsed(True)  # unchanged files are not parsed again after a save

        self.root = Path(root)
        if not self.root.is_dir():
            raise UsageError(_("'{root}' is not a folder").format(root=root))
        self.port = port
        self.jobs = jobs
        self.stream = stream if stream is not None else sys.stderr
        self.templates = templates_dir(self.root)
        self.out = Path(tempfile.mkdtemp(prefix="reportgen-preview-"))
        self.site = self.out / "site"
        self.warm = Warm()
        self.version = 0
        self._pages: dict[int, frozenset[str] | None] = {}  # version -> the pages it changed (None: all)
        self._overlay: dict[str, bytes] = {}  # pages rendered in this rebuild and not yet written
        self.problems: list[str] | None = None  # None: the last build succeeded
        self.summary = ""
        self.looked_at: str | None = None  # the file name of the page last opened
        self._changed = threading.Condition()  # notified when the version changes or on stop
        self._stopping = threading.Event()
        self._rebuilding = threading.Lock()
        self._server: http.server.ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # -- building ---------------------------------------------------------------

    def rebuild(self, jobs: int = 1) -> None:
        """Build the site; on failure keep the last good one and remember the problems. The page
        being looked at is shown as soon as it is rendered; the open pages that changed are told."""
        from .build import build

        problems, summary, report = None, "", None
        pushed: set[str] = set()
        try:
            report = build(self.root, out=self.out, formats={"html"}, jobs=jobs, include_drafts=True,
                           stream=self.stream, warm=self.warm, first=self.looked_at,
                           on_result=lambda result: self._show_early(result, pushed))
        except InputError as exc:
            problems = [str(p) for p in exc.problems]
            files = len({p.path for p in exc.problems})
            count = len(problems)
            summary = (ngettext("{count} problem", "{count} problems", count).format(count=count) + " "
                       + ngettext("in {files} file", "in {files} files", files).format(files=files))
        except ReportgenError as exc:
            problems, summary = [str(exc)], _("The build failed")
        except Exception as exc:  # a template being edited may not parse: show it, keep serving
            last = traceback.extract_tb(exc.__traceback__)[-1]
            problems = [f"{type(exc).__name__}: {exc} ({Path(last.filename).name}, line {last.lineno})"]
            summary = _("The build failed")
        if problems:
            for line in problems:
                print(line, file=self.stream)
            print(_("{summary}; the preview shows them until the file is fixed").format(summary=summary),
                  file=self.stream, flush=True)
        with self._changed:
            pages = None  # every page: the first build, or an error shown or gone
            if report is not None and self.problems is None and self.version > 0:
                pages = _changed_pages(report.written_paths, pushed)
            self._overlay.clear()
            self.problems, self.summary = problems, summary
            self._bump(pages)

    def _show_early(self, result, pushed: set[str]) -> None:
        """Serve the page being looked at from memory as soon as it is rendered, and tell it."""
        pages = {p[len("site/"):]: data for p, data in result.files.items()
                 if p.startswith("site/") and p.endswith(".html")}
        if self.looked_at is None or not any(p.rsplit("/", 1)[-1] == self.looked_at for p in pages):
            return
        changed = {p for p, data in pages.items() if not _holds(self.site / p, data)}
        with self._changed:
            if self.problems is not None or not changed:
                return
            self._overlay.update(pages)
            pushed.update(changed)
            self._bump(frozenset("/" + p for p in changed))

    def _bump(self, pages: frozenset[str] | None) -> None:
        """A new version (the lock held): the open pages hear of it."""
        self.version += 1
        self._pages[self.version] = pages
        self._pages.pop(self.version - 100, None)
        self._changed.notify_all()

    # -- serving ----------------------------------------------------------------

    def start(self) -> str:
        """Build once, start serving and watching; return the preview's address."""
        # The port first, so that a taken one is told at once, not after a build.
        try:
            self._server = _Server(("127.0.0.1", self.port), _handler(self))
        except OSError as exc:
            self._cleanup()
            raise UsageError(_("cannot listen on 127.0.0.1:{port} ({reason}); choose another port with "
                               "--port").format(port=self.port, reason=exc.strerror)) from None
        self._server.daemon_threads = True
        self.rebuild(self.jobs)  # no other thread runs yet: workers may be forked
        ready = threading.Barrier(3)
        self._threads = [
            threading.Thread(target=self._server.serve_forever, name="reportgen-serve", daemon=True),
            threading.Thread(target=self._watch, args=(ready,), name="reportgen-watch", daemon=True),
            threading.Thread(target=self._watch_settings, args=(ready,), name="reportgen-watch-settings",
                             daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        ready.wait(timeout=10)  # both watchers are set up: a save from now on is seen
        return self.url

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def allowed_hosts(self) -> frozenset[str]:
        port = self._server.server_address[1]
        return frozenset(f"{host}:{port}" for host in ("localhost", "127.0.0.1", "[::1]"))

    def wait(self) -> None:
        """Block until stop() (or Ctrl+C in the calling thread)."""
        while not self._stopping.wait(0.2):
            pass

    def stop(self) -> None:
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()  # open event streams end
        if self._server is not None:
            if self._threads:  # shutdown() waits for serve_forever(), which may never have started
                self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        self._cleanup()

    def _cleanup(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)

    # -- watching ---------------------------------------------------------------

    def _watch(self, ready: threading.Barrier) -> None:
        """The group files and the templates, with every folder in them."""
        from .discovery import GROUPS_DIR

        folders = [p for p in (self.root / GROUPS_DIR, self.templates) if p.is_dir()]
        self._watch_paths(folders, True, lambda change, path: True, ready)

    def _watch_settings(self, ready: threading.Barrier) -> None:
        """reportgen.yaml: its folder, not the file, as editors save by renaming a new file over it;
        not recursive, as the project folder may hold large folders (.venv, build/)."""
        from .discovery import CONFIG_FILE

        self._watch_paths([self.root], False, lambda change, path: Path(path).name == CONFIG_FILE, ready)

    def _watch_paths(self, paths, recursive: bool, wanted, ready: threading.Barrier) -> None:
        import watchfiles

        first = True
        # step: a burst of writes (an editor's save) is one change if 30 ms pass without another.
        changes = watchfiles.watch(*paths, watch_filter=wanted, recursive=recursive, step=30,
                                   stop_event=self._stopping, yield_on_timeout=True, rust_timeout=200,
                                   raise_interrupt=False)
        for found in changes:
            if first:  # the watcher is set up once it has first returned
                first = False
                _arrive(ready)
            if not found or self._stopping.is_set():
                continue
            names = ", ".join(sorted({relative_path(path, self.root) for _, path in found}))
            print(_("changed: {names}; building again").format(names=names), file=self.stream, flush=True)
            with self._rebuilding:  # one rebuild at a time; a save during it is seen by the next
                self.rebuild(jobs=1)
        if first:
            _arrive(ready)

    # -- pages -------------------------------------------------------------------

    def page(self, path: Path | None) -> tuple[int, str, bytes]:
        """(status, content type, body) of an HTML page of the site with the reload script, or of
        the page of problems while the input has any."""
        with self._changed:
            version, problems, summary = self.version, self.problems, self.summary
            early = self._overlay.get(path.relative_to(self.site).as_posix()) if path is not None else None
        script = _RELOAD_SCRIPT % (json.dumps(EVENTS_PATH), json.dumps(str(version)))
        if problems is not None or path is None:
            text = error_page(problems or [], summary)
            return 500, "text/html; charset=utf-8", _inject(text, script).encode("utf-8")
        text = early.decode("utf-8") if early is not None else path.read_text(encoding="utf-8")
        return 200, "text/html; charset=utf-8", _inject(text, script).encode("utf-8")

    def wait_for_change(self, seen: int, timeout: float) -> tuple[int, list[str] | None] | None:
        """The new version once it differs from `seen`, with the pages changed since (None: all);
        None on timeout or stop."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen or self._stopping.is_set(), timeout)
            if self._stopping.is_set() or self.version == seen:
                return None
            since = [self._pages.get(v) for v in range(seen + 1, self.version + 1)] if seen >= 0 else [None]
            if any(p is None for p in since):
                return self.version, None
            return self.version, sorted(set().union(*since))


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _changed_pages(written: list[str], told: set[str]) -> frozenset[str] | None:
    """The pages (URL paths) a rebuild changed, but those told already; None if a file every
    page uses changed (a stylesheet)."""
    pages = set()
    for path in written:
        if not path.startswith("site/") or path.startswith(("site/data/", "site/pdf/")):
            continue
        if not path.endswith(".html"):
            return None
        if path[len("site/"):] not in told:
            pages.add("/" + path[len("site/"):])
    return frozenset(pages)


def _arrive(barrier: threading.Barrier) -> None:
    try:
        barrier.wait(timeout=10)
    except threading.BrokenBarrierError:
        pass


def _inject(page: str, script: str) -> str:
    at = page.rfind("</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A request that failed is one line in the terminal, never a traceback."""
        kind, value = sys.exc_info()[:2]
        if kind is not None and not issubclass(kind, (ConnectionError, TimeoutError)):
            print(_("reportgen serve: a request failed ({error}: {value})").format(error=kind.__name__, value=value),
                  file=sys.stderr)


def _site_file(site: Path, url_path: str) -> tuple[int, Path | None]:
    """The file a URL path names inside the site: (200, path), or (400 | 404, None)."""
    if len(url_path) > MAX_PATH * 3:  # before decoding: %XX is three characters for one
        return 404, None
    path = unquote(url_path, errors="strict") if "%" in url_path else url_path
    if any(c == "\0" or ord(c) < 0x20 or c == "\x7f" or c == "\\" for c in path):
        return 400, None
    if len(path) > MAX_PATH:
        return 404, None
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") or len(p.encode("utf-8", "surrogatepass")) > MAX_NAME for p in parts):
        return 404, None
    if not parts or path.endswith("/"):
        parts.append("index.html")
    try:
        candidate = site.joinpath(*parts)
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.resolve().is_relative_to(site.resolve()) or not candidate.is_file():
            return 404, None
    except (OSError, ValueError):
        return 404, None
    return 200, candidate


class _PreviewHandler(http.server.BaseHTTPRequestHandler):
    """Answers the browser from the preview's site; `_handler` binds it to one Preview."""

    preview: Preview
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass  # the terminal shows builds and problems, not every request

    def do_HEAD(self):
        self._answer(head=True)

    def do_GET(self):
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.preview.allowed_hosts:
            return self._send(403, "text/plain; charset=utf-8", b"Forbidden: the preview answers only "
                              b"requests for localhost, 127.0.0.1 or [::1] with its port\n", head)
        try:
            url = urlsplit(self.path)
        except ValueError:
            return self._send(400, "text/plain; charset=utf-8", b"Bad request\n", head)
        if url.path == EVENTS_PATH:
            return self._events(parse_qs(url.query), head)
        if url.path == VERSION_PATH:
            with self.preview._changed:
                body = str(self.preview.version).encode()
            return self._send(200, "text/plain; charset=utf-8", body, head)
        try:
            status, path = _site_file(self.preview.site, url.path)
        except UnicodeDecodeError:
            status, path = 400, None
        if status == 400:
            return self._send(400, "text/plain; charset=utf-8", b"Bad request: the path is not valid\n", head)
        wants_page = url.path.endswith((".html", "/")) or (path is not None and path.suffix == ".html")
        if wants_page and (path is not None or self.preview.problems is not None):
            return self._send(*self.preview.page(path), head)
        if path is None:
            return self._send(404, "text/plain; charset=utf-8", b"Not found\n", head)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        return self._send(200, kind, path.read_bytes(), head)

    def _events(self, query: dict, head: bool) -> None:
        """Server-Sent Events: `reload` once the version differs from the page's."""
        page = (query.get("page") or [""])[0]
        name = page.rsplit("/", 1)[-1] or "index.html"
        if name.endswith(".html") and len(name) <= MAX_NAME:
            self.preview.looked_at = name
        try:
            seen = int((query.get("version") or ["-1"])[0])
        except ValueError:
            seen = -1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if head:
            return
        try:
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while True:
                change = self.preview.wait_for_change(seen, HEARTBEAT_SECONDS)
                if self.preview._stopping.is_set():
                    return
                if change is None:
                    self.wfile.write(b": still here\n\n")
                else:
                    seen, pages = change
                    data = json.dumps({"version": seen, "pages": pages})
                    self.wfile.write(f"event: reload\ndata: {data}\n\n".encode())
                self.wfile.flush()
        except (ConnectionError, OSError):
            return  # the page was closed or reloaded

    def _send(self, status: int, content_type: str, body: bytes, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)



def _handler(preview: Preview):
    return type("Handler", (_PreviewHandler,), {"preview": preview})


def serve(root: Path, *, port: int = 8000, jobs: int = 1, stream=None) -> None:
    """Run the preview until Ctrl+C (or SIGTERM); the temporary build is removed either way."""
    import signal

    stream = stream if stream is not None else sys.stderr
    print(_("Building the preview of {root} ...").format(root=root), file=stream, flush=True)
    preview = Preview(root, port=port, jobs=jobs, stream=stream)
    try:
        url = preview.start()
        # Only now: the first build's worker processes must keep the default SIGTERM.
        signal.signal(signal.SIGTERM, _interrupt)
        print(_("Preview at {url} (drafts included). It is built again when reportgen.yaml, a file in "
            "groups/ or a template is saved. Ctrl+C stops it.").format(url=url), file=stream, flush=True)
        preview.wait()
    except KeyboardInterrupt:
        print(_("Preview stopped"), file=stream, flush=True)
    finally:
        preview.stop()


def _interrupt(signum, frame):
    raise KeyboardInterrupt
