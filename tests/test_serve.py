"""`reportgen serve`: a real server on 127.0.0.1, read with a real HTTP client.

Saving a file rebuilds and pushes `reload` over Server-Sent Events (no polling);
input errors show in the page, escaped, and fixing them brings the page back;
only local Host headers are answered; hostile paths get 400/404, never a traceback.
"""

from __future__ import annotations

import http.client
import io
import json
import socket
import threading
import time
import urllib.parse

import pytest

from projects import CANCER, HEART, write_project
from reportgen import build as build_module
from reportgen import documents
from reportgen.cli import main
from reportgen.serve import EVENTS_PATH, VERSION_PATH, Preview

TIMEOUT = 60  # seconds for one rebuild on a slow, busy machine


class _Log(io.StringIO):
    """What the preview prints, written from its watcher thread."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()

    def write(self, text):
        with self.lock:
            return super().write(text)

    def getvalue(self):
        with self.lock:
            return super().getvalue()


def request(server: Preview, path: str, host: str | None = "default", method: str = "GET") -> tuple[int, str]:
    """One request with a real HTTP client; `host` None sends no Host header at all."""
    port = server._server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host == "default":
            host = f"127.0.0.1:{port}"
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


class Events:
    """A page's Server-Sent Events stream, read line by line."""

    def __init__(self, server: Preview, page: str):
        port = server._server.server_address[1]
        version = request(server, VERSION_PATH)[1]
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        query = urllib.parse.urlencode({"version": version, "page": page})
        self.conn.request("GET", f"{EVENTS_PATH}?{query}")
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
        assert self.response.readline() == b"retry: 500\n"

    def next_event(self) -> tuple[str, dict]:
        """(event, data) of the next event; fails after TIMEOUT."""
        event = data = None
        deadline = time.monotonic() + TIMEOUT
        while True:
            if time.monotonic() > deadline:  # heartbeats alone keep the stream open
                pytest.fail(f"no event within {TIMEOUT} s")
            line = self.response.readline()
            if not line:
                pytest.fail("the event stream ended")
            line = line.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: "):
                data = line[len("data: "):]
            elif line == "" and event is not None:
                return event, json.loads(data)

    def close(self):
        self.conn.close()


@pytest.fixture
def preview(tmp_path):
    root = write_project(tmp_path / "project")
    log = _Log()
    server = Preview(root, port=0, stream=log)
    try:
        server.start()
        yield server, root, log
    finally:
        server.stop()


# --- save -> push -> page -------------------------------------------------------------


def test_a_save_is_pushed_to_the_open_page_and_only_its_report_is_rendered(preview, monkeypatch):
    server, root, log = preview
    status, page = request(server, "/hjerte.html")
    assert status == 200 and "Et kort resumé." in page
    assert EVENTS_PATH in page and "EventSource" in page  # the reload script, added as the page is served
    assert "<script" not in (server.site / "hjerte.html").read_text(encoding="utf-8")  # never in the files

    # Warm: the charts of the first build are kept; a text edit must not draw one again.
    def no_drawing(self):
        raise AssertionError(f"chart {self.chart_key} drawn again")
    monkeypatch.setattr(documents.ChartSpec, "draw", no_drawing)

    events = Events(server, "/hjerte.html")
    try:
        group_file = root / "groups" / "hjerte.yaml"
        group_file.write_text(HEART.replace("Et kort resumé.", "Et nyt resumé.", 1), encoding="utf-8")
        event, data = events.next_event()
        assert event == "reload"
        # Only the pages that changed are told: a page of another group does not reload.
        assert data["pages"] == ["/en/hjerte.html", "/hjerte.html"]
        assert "Et nyt resumé." in request(server, "/hjerte.html")[1]  # shown as soon as it is rendered
        event, data = events.next_event()  # the build's end: nothing else changed
        assert data["pages"] == [] and str(data["version"]) == request(server, VERSION_PATH)[1]
    finally:
        events.close()
    status, page = request(server, "/hjerte.html")
    assert status == 200
    assert "Et nyt resumé." in page and "Et kort resumé." not in page
    assert "changed: groups/hjerte.yaml; building again" in log.getvalue()
    assert "Built 1 of 5 reports (html)" in log.getvalue()  # the summary shows in its group's report only


def test_a_yaml_mistake_shows_in_the_page_with_its_line_escaped_and_fixing_it_brings_the_page_back(preview):
    server, root, log = preview
    events = Events(server, "/hjerte.html")
    try:
        group_file = root / "groups" / "hjerte.yaml"
        group_file.write_text(HEART.replace("month: 2024-02", "month: 2024-13", 1), encoding="utf-8")
        assert events.next_event() == ("reload", {"version": int(request(server, VERSION_PATH)[1]),
                                                   "pages": None})  # the error shows on every page
        problem = ("groups/hjerte.yaml:30:15: 'statistics.monthly[2].month' is '2024-13'; "
                   "expected a month written YYYY-MM, e.g. 2024-05")
        status, page = request(server, "/hjerte.html")
        assert status == 500
        assert f"<li><code>{problem.replace(chr(39), '&#x27;')}</code></li>" in page  # escaped
        assert "1 problem in 1 file" in page
        assert EVENTS_PATH in page  # so that fixing the file brings the page back
        assert request(server, "/en/index.html")[0] == 500
        assert request(server, "/assets/report.css")[0] == 200  # still serving
        assert problem in log.getvalue().splitlines()

        # Not YAML at all: the line where the parser stopped.
        group_file.write_text(HEART.replace("summary: |\n", "summary: [unclosed\n", 1), encoding="utf-8")
        assert events.next_event()[0] == "reload"
        status, page = request(server, "/hjerte.html")
        assert status == 500 and "groups/hjerte.yaml:16:12: this is not valid YAML" in page

        # Markup quoted in a message is shown as text, never run.
        group_file.write_text(HEART.replace("category: rare", "category: <script>alert(1)</script>", 1),
                              encoding="utf-8")
        assert events.next_event()[0] == "reload"
        status, page = request(server, "/hjerte.html")
        assert status == 500 and "groups/hjerte.yaml:2:11:" in page
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page

        group_file.write_text(HEART.replace("Et kort resumé.", "Et rettet resumé.", 1), encoding="utf-8")
        assert events.next_event()[0] == "reload"
    finally:
        events.close()
    status, page = request(server, "/hjerte.html")
    assert status == 200 and "Et rettet resumé." in page


def test_the_page_being_looked_at_is_rendered_first_and_shown_before_the_others(preview, monkeypatch):
    server, root, log = preview
    monkeypatch.setattr(build_module._Progress, "DELAY", 0.0)
    events = Events(server, "/en/kraeft.html")
    try:
        settings = root / "reportgen.yaml"
        settings.write_text(settings.read_text(encoding="utf-8").replace("publisher: Nationalt Genom Center",
                                                                         "publisher: NGC"), encoding="utf-8")
        event, first = events.next_event()  # as soon as its report is rendered
        assert event == "reload" and first["pages"] == ["/en/kraeft.html", "/kraeft.html"]
        assert "NGC" in request(server, "/en/kraeft.html")[1]
        event, rest = events.next_event()  # when the build ends: every other page
        assert rest["version"] == first["version"] + 1
        assert "/en/kraeft.html" not in rest["pages"] and "/index.html" in rest["pages"]
    finally:
        events.close()
    lines = [line for line in log.getvalue().splitlines() if line.startswith("[")]
    assert lines[-5].startswith("[1/5] group:kraeft: html")  # every report shows the publisher


def test_a_stylesheet_change_reloads_every_page(tmp_path):
    import shutil

    from reportgen.paths import PACKAGE_TEMPLATES

    root = write_project(tmp_path / "project")
    shutil.copytree(PACKAGE_TEMPLATES, root / "templates")  # the project's own templates
    server = Preview(root, port=0, stream=_Log())
    try:
        server.start()
        events = Events(server, "/hjerte.html")
        try:
            css = root / "templates" / "assets" / "screen.css"
            css.write_text(css.read_text(encoding="utf-8") + "/* edited */\n", encoding="utf-8")
            event, data = events.next_event()
            while data["pages"] is not None:
                assert data["pages"] == []  # at most the early push of a page written the same
                event, data = events.next_event()
        finally:
            events.close()
        assert request(server, "/assets/screen.css")[1].endswith("/* edited */\n")
    finally:
        server.stop()


def test_an_event_stream_opened_after_a_rebuild_is_told_at_once(preview):
    server, root, _ = preview
    old = int(request(server, VERSION_PATH)[1])
    server.rebuild()
    port = server._server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("GET", f"{EVENTS_PATH}?version={old}&page=/index.html")
        response = conn.getresponse()
        assert response.readline() == b"retry: 500\n"
        assert response.readline() == b"\n"
        assert response.readline() == b"event: reload\n"
        assert json.loads(response.readline().decode()[len("data: "):]) == {"version": old + 1, "pages": []}
    finally:
        conn.close()


# --- who may ask, and what ---------------------------------------------------------------


def test_only_local_host_headers_are_answered(preview):
    server, _, _ = preview
    port = server._server.server_address[1]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
        assert request(server, "/index.html", host=host)[0] == 200, host
    for host in ("evil.example", f"evil.example:{port}", "localhost", "127.0.0.1", f"localhost:{port + 1}",
                 f"127.0.0.1.evil.example:{port}", f"localhost:{port}@evil.example", "", None):
        status, body = request(server, "/index.html", host=host)
        assert status == 403, host
        assert "Statusrapporter" not in body
    assert request(server, EVENTS_PATH, host="evil.example")[0] == 403
    assert request(server, VERSION_PATH, host=f"evil.example:{port}")[0] == 403


@pytest.mark.parametrize("path, status", [
    ("/hjerte%00.html", 400),
    ("/%00", 400),
    ("/site%0a.html", 400),
    ("/" + "a" * 300 + ".html", 404),  # one name over the file-name limit
    ("/a" * 20000, 404),  # 40 KB deep
    ("/" + "%2e%2e/" * 6 + "etc/passwd", 404),
    ("/../../etc/passwd", 404),
    ("/..%5c..%5cetc%5cpasswd", 400),
    ("/%ff%fe.html", 400),  # not UTF-8
    ("/no-such-page.html", 404),
    ("/assets/", 404),
])
def test_malformed_or_over_long_paths_get_400_or_404_and_no_traceback(preview, capsys, path, status):
    server, _, log = preview
    got, body = request(server, path)
    assert got == status
    assert "Traceback" not in body
    assert request(server, "/index.html")[0] == 200  # and the server is still there
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out + log.getvalue()


def test_a_head_request_and_other_files(preview):
    server, _, _ = preview
    assert request(server, "/", method="HEAD") == (200, "")
    status, body = request(server, "/data/summary.json")
    assert status == 200 and body.startswith("{")
    assert request(server, "/assets/report.css")[0] == 200
    assert request(server, "/", method="POST")[0] == 501


# --- lifetime -------------------------------------------------------------------------------


def test_preview_files_are_never_written_into_the_project(preview):
    server, root, _ = preview
    assert not (root / "build").exists()
    assert (server.out / "site" / "index.html").is_file()


def test_stopping_ends_the_event_streams_and_removes_the_temporary_build(tmp_path):
    server = Preview(write_project(tmp_path), port=0, stream=_Log())
    server.start()
    out = server.out
    assert out.is_dir()
    events = Events(server, "/index.html")
    started = time.monotonic()
    server.stop()
    assert events.response.read() == b"\n"  # the end of the retry line, and then the stream ended
    assert time.monotonic() - started < 10
    events.close()
    assert not out.exists()


def test_a_taken_port_is_a_usage_error(tmp_path, capsys):
    root = write_project(tmp_path, {"hjerte": HEART, "kraeft": CANCER})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", str(root), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"reportgen: error: cannot listen on 127.0.0.1:{port} (Address already in use); " \
           "choose another port with --port" in err


def test_port_out_of_range(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert capsys.readouterr().err == \
        "reportgen: error: --port takes a number from 0 to 65535 (0: any free port), not 70000\n"
