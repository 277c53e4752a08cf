"""Checks of a built static site in a real headless browser and with validators.

A helper module for tests (not a test file itself):

- ``serve(directory)``: serve a folder on 127.0.0.1 (a free port), yielding the base URL.
- ``browser()``: Debian's Chromium driven by Playwright (sync API).
- ``crawl(browser, base_url, site_dir)``: open every ``.html`` file and return
  the problems found (console errors, page errors, failed requests, requests
  leaving the machine, broken internal links and missing ``#fragment`` targets).
- ``axe(page)``: WCAG 2.0/2.1 A and AA violations found by axe-core (``tags=AXE_TAGS_STRICT``
  adds axe's best-practice rules).
- ``vnu(paths)``: errors from the Nu HTML Checker (vnu.jar, needs Java 11+).
- ``screenshot(page, path, width, height)``: a full-page PNG.

Tools come from ``scripts/install-test-tools`` (Debian ``chromium``; ``npm ci``
for axe-core and vnu-jar). A missing tool raises ``ToolMissing`` (an
AssertionError, so a test using it fails, never skips) telling to run it.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urldefrag, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = REPO_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL_HINT = "run scripts/install-test-tools (from the repository root) to install it"

# Without the background-networking flags Chromium keeps trying to reach
# Google's services, which this closed network refuses many times a second.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
# WCAG A/AA and axe's best practices (all content inside landmarks, one main, unique landmarks, ...).
AXE_TAGS_STRICT = AXE_TAGS + ("best-practice",)

# Elements whose URL attribute points at another file of the site.
_LINK_SELECTOR = (
    "a[href], area[href], link[href], img[src], script[src], "
    "iframe[src], source[src], video[src], audio[src], object[data]"
)
_LINKS_JS = """() => {
  const attrFor = (el) => {
    const tag = el.localName;
    if (tag === 'object') return 'data';
    return (tag === 'a' || tag === 'area' || tag === 'link') ? 'href' : 'src';
  };
  return Array.from(document.querySelectorAll(%s)).map((el) => {
    const attr = attrFor(el);
    const raw = el.getAttribute(attr);
    let url = null;
    try { url = new URL(raw, document.baseURI).href; } catch (e) {}
    return {tag: el.localName, attr: attr, raw: raw, url: url};
  });
}""" % json.dumps(_LINK_SELECTOR)
# Fragment targets: ids, and names of <a> (which browsers also scroll to).
_ANCHORS_JS = """() => [
  ...Array.from(document.querySelectorAll('[id]'), (el) => el.id),
  ...Array.from(document.querySelectorAll('a[name]'), (el) => el.getAttribute('name')),
]"""


class ToolMissing(AssertionError):
    """A test tool is not installed; the message says how to install it."""


def require_chromium() -> None:
    if not CHROMIUM.exists():
        raise ToolMissing(f"Chromium not found at {CHROMIUM}: {INSTALL_HINT}")


def require_node_tool(path: Path) -> None:
    if not path.is_file():
        raise ToolMissing(
            f"{path.relative_to(REPO_ROOT)} not found (node_modules missing?): {INSTALL_HINT}"
        )


def require_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ToolMissing(f"java not found (vnu.jar needs Java 11 or newer): {INSTALL_HINT}")
    return java


# --------------------------------------------------------------------------
# Serving and browsing


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@contextlib.contextmanager
def serve(directory: str | os.PathLike[str]) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 with a free port.

    Yields the base URL, ending with ``/``. Requests are not logged.
    """
    handler = functools.partial(_QuietHandler, directory=os.fspath(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="webcheck-serve", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def browser() -> Iterator["playwright.sync_api.Browser"]:  # noqa: F821
    """Launch headless Debian Chromium through Playwright's sync API.

    Never uses a Playwright-downloaded browser (``playwright install`` cannot
    work on this network).
    """
    require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the venv
        raise ToolMissing(
            "the Python package playwright is not installed: pip install -e '.[test]'"
        ) from exc
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


# --------------------------------------------------------------------------
# Crawling


def _html_files(site_dir: Path) -> list[Path]:
    return sorted(p for p in site_dir.rglob("*.html") if p.is_file())


def _url_to_file(url: str, base_url: str, site_dir: Path) -> Path | None:
    """The file that serves ``url`` (query and fragment dropped), or None if
    ``url`` is not under ``base_url``."""
    url = urldefrag(url).url.split("?", 1)[0]
    if not url.startswith(base_url):
        return None
    rel = unquote(url[len(base_url):])
    target = site_dir / rel
    if rel == "" or rel.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def crawl(
    browser,
    base_url: str,
    site_dir: str | os.PathLike[str],
    *,
    wait_until: str = "load",
    timeout_ms: float = 15_000,
) -> list[str]:
    """Open every ``.html`` file under ``site_dir`` (served at ``base_url``)
    and return the problems found, one string each, prefixed with the page's
    path relative to ``site_dir``; an empty list when the site is clean.

    Reported: console errors; uncaught page errors; failed requests and
    responses with HTTP status >= 400; any request to a URL not under
    ``base_url`` (blocked, so nothing leaves the machine); internal links
    (``a[href]``, ``link[href]``, ``img[src]``, ``script[src]`` and other
    URL attributes) whose target file does not exist; ``#fragment`` links
    whose id is missing in the target page (ids after the page's scripts ran).

    ``wait_until`` is Playwright's load state for each page ("load",
    "domcontentloaded" or "networkidle"; the last also catches requests a
    script makes after the load event, at about 0.5 s a page).
    """
    site_dir = Path(site_dir).resolve()
    if not base_url.endswith("/"):
        base_url += "/"
    problems: list[str] = []
    anchors: dict[Path, set[str]] = {}
    fragment_links: list[tuple[str, str, Path, str]] = []  # page, raw, target, fragment

    def add(msg: str) -> None:
        if msg not in problems:
            problems.append(msg)

    context = browser.new_context(service_workers="block")
    context.set_default_timeout(timeout_ms)
    blocked: list[tuple[str, str]] = []  # (url, resource type) of the current page

    def route_handler(route) -> None:
        request = route.request
        url = request.url
        if url.startswith(base_url) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append((url, request.resource_type))
            route.abort("blockedbyclient")

    context.route("**/*", route_handler)
    try:
        for file in _html_files(site_dir):
            rel = _rel(file, site_dir)
            url = base_url + quote(rel)
            blocked.clear()
            console: list[tuple[str, str]] = []  # (text, resource url)
            page_errors: list[str] = []
            failed: list[tuple[str, str]] = []
            bad_status: list[tuple[int, str]] = []

            def on_console(msg) -> None:
                if msg.type == "error":
                    console.append((msg.text, (msg.location or {}).get("url", "")))

            def on_response(resp) -> None:
                if resp.status >= 400:
                    bad_status.append((resp.status, resp.url))

            page = context.new_page()
            page.on("console", on_console)
            page.on("pageerror", lambda exc: page_errors.append(str(exc)))
            page.on("requestfailed", lambda req: failed.append((req.url, req.failure or "failed")))
            page.on("response", on_response)
            try:
                page.goto(url, wait_until=wait_until)
                links = page.evaluate(_LINKS_JS)
                anchors[file] = set(page.evaluate(_ANCHORS_JS))
            except Exception as exc:  # navigation or evaluation failed
                add(f"{rel}: could not load page: {exc}".splitlines()[0])
                links = []
            finally:
                page.close()

            blocked_urls = {u for u, _ in blocked}
            reported_urls = set(blocked_urls)
            for u, rtype in blocked:
                add(f"{rel}: blocked request to outside URL: {u} ({rtype})")
            for status, u in bad_status:
                reported_urls.add(u)
                add(f"{rel}: HTTP {status}: {u}")
            for u, failure in failed:
                if u in blocked_urls:
                    continue
                reported_urls.add(u)
                add(f"{rel}: request failed: {u} ({failure})")
            for text, loc in console:
                # Chromium also logs each failed resource; it is reported above.
                if text.startswith("Failed to load resource") and loc in reported_urls:
                    continue
                add(f"{rel}: console error: {text}" + (f" [{loc}]" if loc else ""))
            for err in page_errors:
                add(f"{rel}: page error: {err}")

            for link in links:
                raw, target_url = link["raw"], link["url"]
                if target_url is None:
                    add(f"{rel}: unparsable URL: <{link['tag']} {link['attr']}=\"{raw}\">")
                    continue
                target = _url_to_file(target_url, base_url, site_dir)
                if target is None:
                    continue  # outside links are not files of the site
                if not target.is_file():
                    add(
                        f"{rel}: broken link: <{link['tag']} {link['attr']}=\"{raw}\">"
                        f" -> {_rel(target, site_dir)} does not exist"
                    )
                    continue
                fragment = urldefrag(target_url).fragment
                if fragment and target.suffix == ".html":
                    fragment_links.append((rel, raw, target, fragment))
    finally:
        context.close()

    for rel, raw, target, fragment in fragment_links:
        if fragment.startswith(":~:"):  # text fragment, not an id
            continue
        ids = anchors.get(target, set())
        if fragment in ids or unquote(fragment) in ids or fragment.lower() == "top":
            continue
        add(
            f"{rel}: missing anchor: href=\"{raw}\" -> no id=\"{unquote(fragment)}\""
            f" in {_rel(target, site_dir)}"
        )
    return problems


# --------------------------------------------------------------------------
# Accessibility


@functools.lru_cache(maxsize=1)
def _axe_source() -> str:
    require_node_tool(AXE_JS)
    return AXE_JS.read_text(encoding="utf-8")


def axe(page, tags: Iterable[str] = AXE_TAGS, *, context: object = None) -> list[str]:
    """Run axe-core on the loaded ``page`` and return its violations for
    ``tags`` (default the WCAG 2.0/2.1 A and AA tags), each as "rule: help (selector, …)".

    axe is injected through the DevTools protocol, so a page's
    Content-Security-Policy does not stop it. ``context`` is an optional axe
    context (e.g. ``{"exclude": [".chart"]}``); default the whole document.
    """
    source = _axe_source()
    already = page.evaluate("() => typeof window.axe === 'object'")
    if not already:
        cdp = page.context.new_cdp_session(page)
        try:
            result = cdp.send(
                "Runtime.evaluate", {"expression": source + "\n;void 0;", "returnByValue": True}
            )
        finally:
            cdp.detach()
        if result.get("exceptionDetails"):
            raise RuntimeError(f"injecting axe-core failed: {result['exceptionDetails']}")
    results = page.evaluate(
        """async ([context, tags]) => await window.axe.run(context || document, {
             runOnly: {type: 'tag', values: tags},
             resultTypes: ['violations'],
           })""",
        [context, list(tags)],
    )
    out = []
    for violation in results["violations"]:
        selectors = []
        for node in violation["nodes"]:
            target = node["target"]
            # Targets inside iframes or shadow roots are nested lists.
            selectors.append(
                " ".join(t if isinstance(t, str) else " >> ".join(t) for t in target)
            )
        out.append(f"{violation['id']}: {violation['help']} ({', '.join(selectors)})")
    return out


# --------------------------------------------------------------------------
# HTML, CSS and SVG validation


def vnu(
    paths: Iterable[str | os.PathLike[str]],
    *,
    css: bool = False,
    svg: bool = False,
    ignore: Iterable[str] = (),
    root: str | os.PathLike[str] | None = None,
) -> list[str]:
    """Validate files (or directories) with the Nu HTML Checker and return
    its errors as "path:line: message" (warnings are not reported).

    ``css``/``svg`` also check CSS/SVG files (``--also-check-css``,
    ``--also-check-svg``); both are turned on when such a file is named.
    ``ignore`` holds regular expressions; an error whose message matches one
    is dropped. Paths in the messages are relative to ``root`` when given,
    else to the repository root when under it.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        return []
    require_node_tool(VNU_JAR)
    java = require_java()
    css = css or any(p.suffix == ".css" for p in paths)
    svg = svg or any(p.suffix == ".svg" for p in paths)
    cmd = [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--exit-zero-always"]
    if css:
        cmd.append("--also-check-css")
    if svg:
        cmd.append("--also-check-svg")
    cmd += [str(p.resolve()) for p in paths]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    try:
        messages = json.loads(proc.stderr or proc.stdout)["messages"]
    except (ValueError, KeyError) as exc:
        raise RuntimeError(
            f"vnu.jar gave no JSON (exit {proc.returncode}): {proc.stderr[-2000:]}"
        ) from exc
    base = Path(root).resolve() if root is not None else REPO_ROOT
    patterns = [re.compile(p) for p in ignore]
    out = []
    for m in messages:
        if m.get("type") not in ("error", "non-document-error"):
            continue
        text = m.get("message", "")
        if any(p.search(text) for p in patterns):
            continue
        url = m.get("url", "")
        where = _rel(Path(unquote(urlsplit(url).path)), base) if url.startswith("file:") else url
        line = m.get("lastLine") or m.get("firstLine")
        out.append(f"{where}:{line}: {text}" if line else f"{where}: {text}")
    return out


# --------------------------------------------------------------------------
# Pictures


def screenshot(page, path: str | os.PathLike[str], width: int = 1280, height: int = 800) -> Path:
    """Set the viewport to ``width`` x ``height`` and save a full-page PNG of
    ``page`` at ``path`` (folders created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    page.screenshot(path=str(path), full_page=True)
    return path
