"""Tests of the browser/validator harness (tests/webcheck.py) on tiny sites.

Each check is shown to pass on a clean site and to fail on a site with the
one fault it is meant to catch.
"""

from __future__ import annotations

import functools
import http.server
import struct
import threading
import zlib
from pathlib import Path

import pytest

import webcheck


def _png(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG (solid dark grey), written by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x40\x40\x40" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def page_html(body: str, title: str = "Test page", head: str = "") -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        f"{head}"
        "</head>\n"
        "<body>\n"
        f"<main>\n{body}\n</main>\n"
        "</body>\n"
        "</html>\n"
    )


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


CLEAN_SITE: dict[str, str | bytes] = {
    "index.html": page_html(
        '<h1 id="intro">Status report</h1>\n'
        '<p>See <a href="groups/">the groups</a>, <a href="groups/index.html#g1">group one</a>'
        ' and <a href="#summary">the summary</a>.</p>\n'
        '<img src="img/chart.png" alt="Chart of recruitment" width="2" height="2">\n'
        '<img src="img/logo.svg" alt="Project logo" width="10" height="10">\n'
        '<h2 id="summary">Summary</h2>\n'
        "<p>All well.</p>\n"
        '<script src="js/app.js"></script>',
        head='<link rel="stylesheet" href="css/site.css">\n',
    ),
    "groups/index.html": page_html(
        '<h1 id="g1">Group one</h1>\n<p><a href="../index.html#intro">Back</a></p>',
        title="Groups",
        head='<link rel="stylesheet" href="../css/site.css">\n',
    ),
    "css/site.css": "body { color: #111; background: #fff; font-family: sans-serif; }\n",
    "js/app.js": "document.documentElement.dataset.ready = 'yes';\n",
    "img/chart.png": _png(),
    "img/logo.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10">'
        '<rect width="10" height="10" fill="#333"/></svg>\n'
    ),
}


@pytest.fixture
def page(browser):
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def crawl_site(browser, site_server, root: Path, files) -> list[str]:
    write_site(root, files)
    return webcheck.crawl(browser, site_server(root), root)


def one_page(body: str, **kw) -> dict[str, str | bytes]:
    return {"index.html": page_html(body, **kw)}


# ---------------------------------------------------------------- clean site


def test_clean_site_passes_every_check(browser, site_server, page, tmp_path):
    site = write_site(tmp_path / "site", CLEAN_SITE)
    base = site_server(site)

    assert webcheck.crawl(browser, base, site) == []

    for name in ("index.html", "groups/index.html"):
        page.goto(base + name)
        assert webcheck.axe(page) == [], name

    files = sorted(site.rglob("*.html")) + [site / "css/site.css", site / "img/logo.svg"]
    assert webcheck.vnu(files, root=site) == []


def test_serve_gives_a_loopback_url_and_stops(tmp_path):
    import urllib.request

    (tmp_path / "a.txt").write_text("hello", encoding="utf-8")
    with webcheck.serve(tmp_path) as base:
        assert base.startswith("http://127.0.0.1:") and base.endswith("/")
        with urllib.request.urlopen(base + "a.txt", timeout=5) as resp:
            assert resp.read() == b"hello"
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "a.txt", timeout=2)


# ---------------------------------------------------------------- crawl faults


def test_broken_internal_link_is_reported(browser, site_server, tmp_path):
    problems = crawl_site(
        browser, site_server, tmp_path,
        {
            "index.html": page_html('<h1>Home</h1><p><a href="sub/missing.html">gone</a></p>'),
            "sub/other.html": page_html('<h1>Other</h1><p><a href="../nothing/">x</a></p>'),
        },
    )
    assert problems == [
        'index.html: broken link: <a href="sub/missing.html"> -> sub/missing.html does not exist',
        'sub/other.html: broken link: <a href="../nothing/"> -> nothing/index.html does not exist',
    ]


def test_broken_stylesheet_and_script_links_are_reported(browser, site_server, tmp_path):
    problems = crawl_site(
        browser, site_server, tmp_path,
        one_page('<h1>Home</h1><script src="js/gone.js"></script>',
                 head='<link rel="stylesheet" href="css/gone.css">\n'),
    )
    broken = [p for p in problems if ": broken link: " in p]
    assert broken == [
        'index.html: broken link: <link href="css/gone.css"> -> css/gone.css does not exist',
        'index.html: broken link: <script src="js/gone.js"> -> js/gone.js does not exist',
    ]
    # The browser's 404s for them are reported too.
    assert sum(": HTTP 404: " in p for p in problems) == 2


def test_missing_anchor_is_reported(browser, site_server, tmp_path):
    problems = crawl_site(
        browser, site_server, tmp_path,
        {
            "index.html": page_html(
                '<h1 id="here">Home</h1><p><a href="#here">ok</a> <a href="#nowhere">bad</a>'
                ' <a href="other.html#there">ok</a> <a href="other.html#elsewhere">bad</a></p>'
            ),
            "other.html": page_html('<h1 id="there">Other</h1>'),
        },
    )
    assert problems == [
        'index.html: missing anchor: href="#nowhere" -> no id="nowhere" in index.html',
        'index.html: missing anchor: href="other.html#elsewhere"'
        ' -> no id="elsewhere" in other.html',
    ]


def test_console_error_from_inline_script_is_reported(browser, site_server, tmp_path):
    problems = crawl_site(
        browser, site_server, tmp_path,
        one_page('<h1>Home</h1><script>console.error("chart data missing");</script>'),
    )
    assert len(problems) == 1
    assert problems[0].startswith("index.html: console error: chart data missing")


def test_uncaught_exception_is_reported(browser, site_server, tmp_path):
    problems = crawl_site(
        browser, site_server, tmp_path,
        one_page("<h1>Home</h1><script>drawChart();</script>"),
    )
    assert problems == ["index.html: page error: drawChart is not defined"]


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        type(self).hits.append(self.path)
        self.send_error(404)

    def log_message(self, format, *args):
        pass


def test_outside_request_is_blocked_and_reported(browser, site_server, tmp_path):
    # A second local server stands for "the outside": it must get no request.
    outside = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    threading.Thread(target=outside.serve_forever, daemon=True).start()
    outside_url = f"http://127.0.0.1:{outside.server_address[1]}/tracker.js"
    _CountingHandler.hits = []
    try:
        problems = crawl_site(
            browser, site_server, tmp_path,
            one_page(
                '<h1>Home</h1><img src="https://example.org/x.png" alt="x">'
                f'<script src="{outside_url}"></script>'
                # A plain link to another site is not a request: not reported.
                '<p><a href="https://example.org/about">about</a></p>'
            ),
        )
    finally:
        outside.shutdown()
        outside.server_close()
    assert _CountingHandler.hits == []
    assert problems == [
        "index.html: blocked request to outside URL: https://example.org/x.png (image)",
        f"index.html: blocked request to outside URL: {outside_url} (script)",
    ]


def test_missing_image_request_is_reported(browser, site_server, tmp_path):
    root = tmp_path
    write_site(root, one_page('<h1>Home</h1><img src="img/missing.png" alt="Chart">'))
    base = site_server(root)
    problems = webcheck.crawl(browser, base, root)
    assert problems == [
        f"index.html: HTTP 404: {base}img/missing.png",
        'index.html: broken link: <img src="img/missing.png"> -> img/missing.png does not exist',
    ]


class _DroppingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files, but closes the connection without an answer on /drop."""

    def do_GET(self):
        if self.path.startswith("/drop"):
            self.close_connection = True
            return
        super().do_GET()

    def log_message(self, format, *args):
        pass


def test_failed_request_is_reported(browser, tmp_path):
    # A request that fails at the network level (no HTTP status at all).
    write_site(tmp_path, one_page("<h1>Home</h1><script>fetch('drop').catch(() => {});</script>"))
    handler = functools.partial(_DroppingHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        problems = webcheck.crawl(browser, base, tmp_path, wait_until="networkidle")
    finally:
        server.shutdown()
        server.server_close()
    assert problems == [f"index.html: request failed: {base}drop (net::ERR_EMPTY_RESPONSE)"]


# ---------------------------------------------------------------- axe


def test_axe_reports_image_without_alt(browser, site_server, page, tmp_path):
    root = write_site(tmp_path, {**one_page('<h1>Home</h1><img src="c.png">'), "c.png": _png()})
    page.goto(site_server(root) + "index.html")
    violations = webcheck.axe(page)
    assert violations == ['image-alt: Images must have alternative text (img)']


def test_axe_reports_low_contrast(browser, site_server, page, tmp_path):
    root = write_site(
        tmp_path, one_page('<h1>Home</h1><p style="color:#bbb;background:#fff">faint</p>')
    )
    page.goto(site_server(root) + "index.html")
    violations = webcheck.axe(page)
    assert len(violations) == 1
    assert violations[0].startswith("color-contrast: Elements must meet minimum color contrast")
    assert violations[0].endswith("(p)")


def test_axe_runs_despite_content_security_policy(browser, site_server, page, tmp_path):
    root = write_site(
        tmp_path,
        one_page(
            '<h1>Home</h1><img src="c.png">',
            head='<meta http-equiv="Content-Security-Policy" content="script-src \'none\'">\n',
        )
        | {"c.png": _png()},
    )
    page.goto(site_server(root) + "index.html")
    assert [v.split(":")[0] for v in webcheck.axe(page)] == ["image-alt"]


# ---------------------------------------------------------------- vnu


def test_vnu_reports_invalid_html_and_css(tmp_path):
    write_site(
        tmp_path,
        {
            "bad.html": page_html('<h1 id="a">One</h1>\n<p id="a">Two</p>\n<p><div>x</div></p>'),
            "bad.css": "p { colour: red; }\n",
        },
    )
    errors = webcheck.vnu([tmp_path / "bad.html", tmp_path / "bad.css"], root=tmp_path)
    assert errors == [
        "bad.html:10: Duplicate ID “a”.",
        "bad.html:11: No “p” element in scope but a “p” end tag seen.",
        "bad.css:1: CSS: “colour”: Property “colour” doesn't exist.",
    ]


def test_vnu_ignore_drops_matching_errors(tmp_path):
    write_site(tmp_path, {"bad.html": page_html('<h1 id="a">One</h1>\n<p id="a">Two</p>')})
    assert webcheck.vnu([tmp_path / "bad.html"], root=tmp_path, ignore=[r"^Duplicate ID"]) == []


# ---------------------------------------------------------------- screenshot


def test_screenshot_is_a_full_page_png(browser, site_server, page, tmp_path):
    root = write_site(tmp_path / "site", one_page('<h1>Tall</h1><div style="height:2000px"></div>'))
    page.goto(site_server(root) + "index.html")
    path = webcheck.screenshot(page, tmp_path / "shots" / "tall.png", 400, 300)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 400 and height > 2000


# ---------------------------------------------------------------- missing tools


def test_missing_tools_fail_with_install_hint(monkeypatch, tmp_path):
    monkeypatch.setattr(webcheck, "CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(webcheck.ToolMissing, match="scripts/install-test-tools"):
        with webcheck.browser():
            pass
    monkeypatch.setattr(webcheck, "VNU_JAR", webcheck.REPO_ROOT / "node_modules" / "absent.jar")
    with pytest.raises(webcheck.ToolMissing, match="scripts/install-test-tools"):
        webcheck.vnu([tmp_path / "x.html"])
    monkeypatch.setattr(webcheck, "AXE_JS", webcheck.REPO_ROOT / "node_modules" / "absent.js")
    webcheck._axe_source.cache_clear()
    try:
        with pytest.raises(webcheck.ToolMissing, match="scripts/install-test-tools"):
            webcheck.axe(page=None)
    finally:
        monkeypatch.undo()
        webcheck._axe_source.cache_clear()
    # A missing tool is a failure, never a skip.
    assert issubclass(webcheck.ToolMissing, AssertionError)
