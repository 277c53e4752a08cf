"""The editor and `reportgen check` agree on where a mistake is.

A real editor client: yaml-language-server (npm, the server behind VS Code's
YAML extension) started over stdio, spoken to in the Language Server
Protocol as an editor does (initialize, initialized, didOpen), with no
settings but the `# yaml-language-server: $schema=` line at the top of every
group file and no schema store (nothing leaves the machine). For each
mistake that JSON Schema can express, the test writes the broken group file
into a copy of the shipped project, runs the same loader as `check`, opens
the same text in the editor, and asserts an error diagnostic on every line
that `check` reports.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.loader import load_project
from webcheck import REPO_ROOT, require_node_tool

SERVER = REPO_ROOT / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
GROUP = "arvelige-hjertesygdomme"
TIMEOUT = 60  # seconds for one answer; the first schema load takes a few seconds on a busy machine


class LanguageServer:
    """A language server over stdio: JSON-RPC messages framed by Content-Length headers."""

    def __init__(self, command: list[str], root: Path):
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=root)
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, name="lsp-reader", daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def wait(self, wanted) -> dict:
        """The next message for which `wanted` is true; the server's own requests are answered meanwhile."""
        while True:
            try:
                message = self.messages.get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError(f"no answer from the language server in {TIMEOUT} s") from None
            if message is None:
                raise AssertionError(f"the language server stopped: {self.proc.stderr.read().decode()[-2000:]}")
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": self._answer(message)})
            elif wanted(message):
                return message

    @staticmethod
    def _answer(request: dict):
        if request["method"] == "workspace/configuration":
            # The settings an editor gives: validate, hover, complete; no schema store on the internet.
            settings = {"yaml": {"validate": True, "hover": True, "completion": True,
                                 "schemaStore": {"enable": False}}}
            return [settings.get(item.get("section"), {}) for item in request["params"]["items"]]
        return None

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                stream.close()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the shipped project, with its committed schemas."""
    root = tmp_path_factory.mktemp("shipped")
    shutil.copy(REPO_ROOT / "reportgen.yaml", root / "reportgen.yaml")
    shutil.copytree(REPO_ROOT / "groups", root / "groups")
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
    return root


@pytest.fixture(scope="module")
def editor(project):
    require_node_tool(SERVER)
    node = shutil.which("node")
    assert node, "node not found: run scripts/install-test-tools (from the repository root)"
    server = LanguageServer([node, str(SERVER), "--stdio"], project)
    try:
        answer = server.request("initialize", {
            "processId": os.getpid(), "rootUri": project.as_uri(),
            "workspaceFolders": [{"uri": project.as_uri(), "name": "project"}],
            "capabilities": {"workspace": {"configuration": True},
                             "textDocument": {"publishDiagnostics": {}, "hover": {}}},
        })
        assert "hoverProvider" in answer["result"]["capabilities"]
        server.notify("initialized", {})
        server.opened = 0
        yield server
    finally:
        server.close()


def open_document(editor, path: Path, text: str) -> tuple[str, list[dict]]:
    """Open `text` as a file beside `path` (each time another: no state carried over); return its URI
    and the editor's first diagnostics for it (once they are there, the schema is loaded)."""
    editor.opened += 1
    uri = path.with_name(f"{path.stem}-{editor.opened}{path.suffix}").as_uri()
    editor.notify("textDocument/didOpen",
                  {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
    message = editor.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                          and m["params"]["uri"] == uri)
    return uri, message["params"]["diagnostics"]


def diagnostics(editor, path: Path, text: str) -> list[dict]:
    """Open `text` as the file at `path` and return the editor's first diagnostics for it."""
    uri, found = open_document(editor, path, text)
    editor.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return found


def check_problems(project: Path, path: Path, text: str) -> list:
    """What `reportgen check` reports with `text` in the file at `path` (restored afterwards)."""
    original = path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    try:
        load_project(project)
    except InputError as error:
        return error.problems
    finally:
        path.write_text(original, encoding="utf-8")
    return []


def _once(old: str, new: str):
    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return change


# Every mistake a JSON Schema can express, as a change to the shipped group file.
MISTAKES = {
    "unknown key": _once("\nsummary: |", "\nsumary: |"),
    "wrong category": _once("category: rare", "category: rar"),
    "text where a count belongs": _once("expected_patients_per_year: 140", "expected_patients_per_year: ca. 140"),
    "negative count": _once("patients: 3,", "patients: -3,"),
    "unknown region": _once("region: hovedstaden,", "region: hovedstad,"),
    "unknown indication code in a row": _once("indication: HJ1,", "indication: HJ9,"),
    "unknown indication code in a case": _once("    indication: HJ1\n    impact:", "    indication: HJ9\n    impact:"),
    "wrong type: true or false": _once("example_data: true", "example_data: ja"),
    "wrong type: a list": _once("impact: [diagnosis, family]", "impact: diagnosis"),
    "wrong type: a set of fields": _once("analyses: {germline: 3, somatic: 0, rna: 0}", "analyses: 3"),
    "unknown status": _once("status: approved", "status: godkendt"),
    "month written wrongly": _once("month: 2022-03,", "month: 2022-3,"),
    "unknown key in a row": _once("diagnosed: 0,", "diagnosed: 0, diagnoses: 0,"),
    "id not shaped like a file name": _once(f"id: {GROUP}", "id: Arvelige_hjertesygdomme"),
    "date written wrongly": _once("in_operation_since: 2022-03-14", "in_operation_since: 14. marts 2022"),
    "a key twice": _once(f"id: {GROUP}\n", f"id: {GROUP}\ncategory: rare\n"),
    "unknown turnaround bin": _once("56: 0, 84: 0, later: 0}", "65: 0, 84: 0, later: 0}"),
    "a share written as a percentage": _once("expected_yield: 0.", "expected_yield: 3"),
    "unknown consequence": _once("    changed_treatment: 6\n", "    changed_treatmnt: 6\n"),
    "unknown indication code in an effects entry": _once("    indication: HJ2\n    followed_up:",
                                                         "    indication: HJ7\n    followed_up:"),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_the_editor_marks_every_line_check_reports(project, editor, mistake):
    path = project / "groups" / f"{GROUP}.yaml"
    text = MISTAKES[mistake](path.read_text(encoding="utf-8"))
    problems = check_problems(project, path, text)
    assert problems, f"check accepts the file with {mistake}"
    found = diagnostics(editor, path, text)
    errors = {d["range"]["start"]["line"] + 1: d["message"] for d in found if d.get("severity", 1) == 1}
    missing = [str(p) for p in problems if p.line not in errors]
    assert missing == [], f"the editor marks lines {sorted(errors)}: {errors}"


def test_the_editor_finds_nothing_in_the_shipped_files(project, editor):
    for path in [project / "reportgen.yaml", *sorted((project / "groups").glob("*.yaml")),
                 *sorted((project / "groups" / "consolidated").glob("*.yaml"))]:
        assert diagnostics(editor, path, path.read_text(encoding="utf-8")) == [], path.name


def test_a_new_indication_code_is_not_underlined_before_the_schema_is_written_again(project, editor):
    """The schema lists the codes it was written from; a code added since must not look wrong."""
    path = project / "groups" / f"{GROUP}.yaml"
    text = path.read_text(encoding="utf-8")
    text = _once("indications:\n", "indications:\n  - code: HJ9\n    title: Ny indikation\n"
                                   "    criteria: Nye kriterier.\n")(text)
    text = _once("indication: HJ1,", "indication: HJ9,")(text)
    assert check_problems(project, path, text) == []
    assert diagnostics(editor, path, text) == []


def test_hover_shows_what_a_field_means_in_danish(project, editor):
    path = project / "groups" / f"{GROUP}.yaml"
    text = path.read_text(encoding="utf-8")
    uri, _ = open_document(editor, path, text)

    def hover(line_text: str) -> str:
        position = {"line": text.splitlines().index(line_text),
                    "character": len(line_text) - len(line_text.lstrip(" -")) + 1}  # on the key
        return editor.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position})[
            "result"]["contents"]["value"]

    try:
        assert "Datoen, hvor gruppen første gang fik tilbudt helgenomsekventering (ÅÅÅÅ-MM-DD)." in \
            hover("in_operation_since: 2022-03-14")
        code = hover("  - code: HJ1")
        assert "En kort kode af store bogstaver og cifre, fx HJ1." in code
        assert "Allowed Values" not in code  # not the other groups' codes, which the schema's conditions name
        assert "* `HJ1`\n* `HJ2`\n* `HJ3`\n* `HJ4`\n" in hover("    indication: HJ1")
    finally:
        editor.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def _complete(editor, path: Path, text: str, line: int, character: int) -> list[str]:
    uri, _ = open_document(editor, path, text)
    answer = editor.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                        "position": {"line": line, "character": character}})
    editor.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    items = answer["result"]["items"] if isinstance(answer["result"], dict) else answer["result"]
    return sorted(item["label"] for item in items)


def test_the_editor_completes_regions_and_the_groups_own_indication_codes(project, editor):
    path = project / "groups" / f"{GROUP}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    case = lines.index("    indication: HJ1")
    lines[case] = "    indication: "
    row = next(i for i, line in enumerate(lines) if line.startswith("    - {month: "))
    lines.insert(row, "    - month: 2022-03\n      region: ")  # two lines before the case
    text = "\n".join(lines) + "\n"
    assert _complete(editor, path, text, case + 2, len("    indication: ")) == ["HJ1", "HJ2", "HJ3", "HJ4"]
    assert _complete(editor, path, text, row + 1, len("      region: ")) == sorted(
        load_project(project).config.regions)
