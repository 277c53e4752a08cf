"""`reportgen serve`: the live preview rebuilds on save, shows input errors in the page, keeps running."""

from __future__ import annotations

import io
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from projects import CANCER, HEART, write_project
from reportgen.cli import main
from reportgen.serve import VERSION_PATH, Preview

TIMEOUT = 60  # seconds for one rebuild on a slow, busy machine


class _Log(io.StringIO):
    """What the preview prints, written from its watcher thread."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()

    def write(self, text):
        with self.lock:
            return super().write(text)


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def wait_for_new_version(url: str, old: str) -> str:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        status, version = fetch(url + VERSION_PATH.lstrip("/"))
        if status == 200 and version != old:
            return version
        time.sleep(0.1)
    pytest.fail(f"the preview did not build again within {TIMEOUT} s")


@pytest.fixture
def preview(tmp_path):
    root = write_project(tmp_path / "project")
    log = _Log()
    server = Preview(root, port=0, stream=log, poll_seconds=0.1)
    try:
        server.start()
        yield server, root, log
    finally:
        server.stop()


def test_preview_rebuilds_on_save_and_shows_input_errors_in_the_page(preview):
    server, root, log = preview
    url = server.url
    assert url.startswith("http://127.0.0.1:")

    status, page = fetch(url)
    assert status == 200
    assert "<h1 class=\"report-title\">Statusrapporter</h1>" in page
    status, page = fetch(url + "hjerte.html")
    assert status == 200 and "Et kort resumé." in page
    assert VERSION_PATH in page  # the reload script, added as the page is served
    version = fetch(url + VERSION_PATH.lstrip("/"))[1]

    # Break the group file: every page shows the located problem, and so does the terminal.
    group_file = root / "groups" / "hjerte.yaml"
    group_file.write_text(HEART.replace("month: 2024-02", "month: 2024-13", 1), encoding="utf-8")
    version = wait_for_new_version(url, version)
    problem = ("groups/hjerte.yaml:30:15: 'statistics.monthly[2].month' is '2024-13'; "
               "expected a month written YYYY-MM, e.g. 2024-05")
    status, page = fetch(url + "hjerte.html")
    assert status == 500
    assert f"<li><code>{problem.replace(chr(39), '&#x27;')}</code></li>" in page
    assert "1 problem in 1 file" in page
    assert VERSION_PATH in page  # so that fixing the file reloads the page
    assert fetch(url + "en/index.html")[0] == 500
    assert problem in log.getvalue().splitlines()

    # Still serving; fix the file (with a new summary): the page comes back with the change.
    assert fetch(url + "assets/report.css")[0] == 200
    group_file.write_text(HEART.replace("Et kort resumé.", "Et nyt resumé.", 1), encoding="utf-8")
    wait_for_new_version(url, version)
    status, page = fetch(url + "hjerte.html")
    assert status == 200
    assert "Et nyt resumé." in page and "Et kort resumé." not in page
    assert "changed: groups/hjerte.yaml; building again" in log.getvalue()


def test_preview_files_are_never_written_into_the_project(preview):
    server, root, _ = preview
    assert not (root / "build").exists()
    assert (server.out / "site" / "index.html").is_file()
    # The reload script lives only in what the server sends, not in the built files.
    assert "<script" not in (server.out / "site" / "index.html").read_text(encoding="utf-8")


def test_stopping_removes_the_temporary_build(tmp_path):
    server = Preview(write_project(tmp_path), port=0, stream=_Log(), poll_seconds=0.1)
    server.start()
    out = server.out
    assert out.is_dir()
    server.stop()
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
