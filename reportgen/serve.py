"""`reportgen serve`: a live preview of the website while the texts are being edited.

The preview builds the HTML (drafts included, into a temporary folder, so it
never mixes with a build meant for publishing), serves it on 127.0.0.1, and
polls the project's YAML files and templates for changes. After a change it
builds again (only what changed is rendered) and the open page reloads itself.
An input error does not stop the server: every page then shows the problems,
`path:line:col: message`, as the terminal does, until the file is fixed.

The reload script is added to each page as it is served; it is never written
to the built files, so the published site carries no script.
"""

from __future__ import annotations

import html
import http.server
import json
import shutil
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import InputError, ReportgenError, UsageError, relative_path

VERSION_PATH = "/__reportgen/version"
POLL_SECONDS = 0.5

# Polls the version; a new one means a finished rebuild (or a new error): reload.
_RELOAD_SCRIPT = """<script>
(function () {
  var seen = %s;
  function poll() {
    fetch(%s, {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (v) {
      if (v !== seen) { location.reload(); } else { setTimeout(poll, 500); }
    }, function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 500);
})();
</script>
"""


def watched_files(root: Path, templates: Path) -> dict[str, tuple[int, int]]:
    """Every input the site is built from, with its modification time and size."""
    from .discovery import input_files

    paths = input_files(root)
    if templates.is_dir():
        paths += sorted(p for p in templates.rglob("*") if p.is_file())
    found = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


def error_page(problems: list[str], summary: str) -> str:
    """The page shown instead of the site while the input has problems."""
    items = "\n".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preview not updated: problems in the input</title>
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
<h1>The preview could not be built</h1>
<p>{html.escape(summary)}. Fix the file and save it: this page reloads by itself.</p>
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

    def __init__(self, root: Path, *, port: int = 8000, jobs: int = 1, stream=None,
                 poll_seconds: float = POLL_SECONDS):
        from .render import templates_dir

        self.root = Path(root)
        if not self.root.is_dir():
            raise UsageError(f"'{root}' is not a folder")
        self.port = port
        self.jobs = jobs
        self.stream = stream if stream is not None else sys.stderr
        self.poll_seconds = poll_seconds
        self.templates = templates_dir(self.root)
        self.out = Path(tempfile.mkdtemp(prefix="reportgen-preview-"))
        self.site = self.out / "site"
        self.version = 0
        self.problems: list[str] | None = None  # None: the last build succeeded
        self.summary = ""
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: http.server.ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # -- building ---------------------------------------------------------------

    def rebuild(self, jobs: int = 1) -> None:
        """Build the site; on failure keep the last good one and remember the problems."""
        from .build import build

        problems, summary = None, ""
        try:
            build(self.root, out=self.out, formats={"html"}, jobs=jobs, include_drafts=True,
                  stream=self.stream)
        except InputError as exc:
            problems = [str(p) for p in exc.problems]
            files = len({p.path for p in exc.problems})
            count = len(problems)
            summary = (f"{count} problem{'s' if count != 1 else ''} in {files} "
                       f"file{'s' if files != 1 else ''}")
        except ReportgenError as exc:
            problems, summary = [str(exc)], "The build failed"
        except Exception as exc:  # a template being edited may not parse: show it, keep serving
            last = traceback.extract_tb(exc.__traceback__)[-1]
            problems = [f"{type(exc).__name__}: {exc} ({Path(last.filename).name}, line {last.lineno})"]
            summary = "The build failed"
        if problems:
            for line in problems:
                print(line, file=self.stream)
            print(f"{summary}; the preview shows them until the file is fixed", file=self.stream, flush=True)
        with self._lock:
            self.problems, self.summary = problems, summary
            self.version += 1

    # -- serving ----------------------------------------------------------------

    def start(self) -> str:
        """Build once, start serving and watching; return the preview's address."""
        # The port first, so that a taken one is told at once, not after a build.
        try:
            self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        except OSError as exc:
            self._cleanup()
            raise UsageError(f"cannot listen on 127.0.0.1:{self.port} ({exc.strerror}); "
                             "choose another port with --port") from None
        self._server.daemon_threads = True
        snapshot = watched_files(self.root, self.templates)
        self.rebuild(self.jobs)  # no other thread runs yet: workers may be forked
        self._threads = [
            threading.Thread(target=self._server.serve_forever, name="reportgen-serve", daemon=True),
            threading.Thread(target=self._watch, args=(snapshot,), name="reportgen-watch", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self.url

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def wait(self) -> None:
        """Block until stop() (or Ctrl+C in the calling thread)."""
        while not self._stopping.wait(0.2):
            pass

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            if self._threads:  # shutdown() waits for serve_forever(), which may never have started
                self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        self._cleanup()

    def _cleanup(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)

    def _watch(self, snapshot: dict[str, tuple[int, int]]) -> None:
        while not self._stopping.wait(self.poll_seconds):
            current = watched_files(self.root, self.templates)
            if current == snapshot:
                continue
            current = self._settle(current)  # an editor may save in more than one write
            changed = sorted(path for path in set(current) | set(snapshot)
                             if current.get(path) != snapshot.get(path))
            names = ", ".join(relative_path(path, self.root) for path in changed)
            print(f"changed: {names}; building again", file=self.stream, flush=True)
            # Changes saved while building show up at the next poll against this snapshot.
            snapshot = current
            self.rebuild(jobs=1)

    def _settle(self, current: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        for _ in range(20):
            time.sleep(0.1)
            again = watched_files(self.root, self.templates)
            if again == current:
                break
            current = again
        return current

    def page(self, relative: str) -> tuple[int, str, bytes] | None:
        """(status, content type, body) of an HTML page with the reload script; None if no such page."""
        with self._lock:
            version, problems, summary = self.version, self.problems, self.summary
        script = _RELOAD_SCRIPT % (json.dumps(str(version)), json.dumps(VERSION_PATH))
        if problems is not None:
            text = error_page(problems, summary)
            return 500, "text/html; charset=utf-8", _inject(text, script).encode("utf-8")
        path = self.site / relative
        if not path.is_file():
            return None
        text = path.read_text(encoding="utf-8")
        return 200, "text/html; charset=utf-8", _inject(text, script).encode("utf-8")


def _inject(page: str, script: str) -> str:
    at = page.rfind("</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


def _handler(preview: Preview):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(preview.site), **kwargs)

        def log_message(self, format, *args):  # noqa: A002 - the base class's signature
            pass  # the terminal shows builds and problems, not every request

        def end_headers(self):
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def do_GET(self):
            path = unquote(urlsplit(self.path).path)
            if path == VERSION_PATH:
                with preview._lock:
                    body = str(preview.version).encode()
                return self._send(200, "text/plain; charset=utf-8", body)
            relative = path.lstrip("/")
            if relative == "" or relative.endswith("/"):
                relative += "index.html"
            if relative.endswith(".html") and ".." not in Path(relative).parts:
                answer = preview.page(relative)
                if answer is not None:
                    return self._send(*answer)
            return super().do_GET()

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def serve(root: Path, *, port: int = 8000, jobs: int = 1, stream=None) -> None:
    """Run the preview until Ctrl+C (or SIGTERM); the temporary build is removed either way."""
    import signal

    stream = stream if stream is not None else sys.stderr
    print(f"Building the preview of {root} ...", file=stream, flush=True)
    preview = Preview(root, port=port, jobs=jobs, stream=stream)
    try:
        url = preview.start()
        # Only now: the first build's worker processes must keep the default SIGTERM.
        signal.signal(signal.SIGTERM, _interrupt)
        print(f"Preview at {url} (drafts included). It is built again when reportgen.yaml, a file in "
              f"groups/ or a template is saved. Ctrl+C stops it.", file=stream, flush=True)
        preview.wait()
    except KeyboardInterrupt:
        print("Preview stopped", file=stream, flush=True)
    finally:
        preview.stop()


def _interrupt(signum, frame):
    raise KeyboardInterrupt
