"""Shared pytest fixtures."""

from __future__ import annotations

import contextlib

import pytest

import webcheck
from pdfbuild import ROOT, build_pdfs


@pytest.fixture(autouse=True)
def _messages_in_english(monkeypatch):
    """The commands' messages are English in the tests, as the environment variable LANGUAGE chooses
    (whatever the machine's LANG says), so that a test reads the texts written in the code; a test
    of the other languages uses `messages_from_project` or `--messages`."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def messages_from_project(monkeypatch):
    """No language in the environment: the messages are in the project's first language."""
    monkeypatch.delenv("LANGUAGE")


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium (Playwright) for the whole test session.

    Fails (never skips) when Chromium is missing, telling how to install it.
    """
    missing = None
    try:
        webcheck.require_chromium()
    except webcheck.ToolMissing as exc:
        missing = str(exc)
    if missing:
        pytest.fail(missing, pytrace=False)
    with webcheck.browser() as chromium:
        yield chromium


@pytest.fixture
def site_server():
    """A function ``site_server(directory) -> base_url`` that serves a folder
    on 127.0.0.1 until the end of the test."""
    with contextlib.ExitStack() as stack:
        yield lambda directory: stack.enter_context(webcheck.serve(directory))


@pytest.fixture(scope="session")
def shipped_pdf_dir(tmp_path_factory):
    """The folder of the shipped project's 19 PDFs, built once per session (tests/test_pdf*.py)."""
    out = tmp_path_factory.mktemp("shipped")
    result = build_pdfs(ROOT, out, jobs=2)
    assert result.returncode == 0, result.stderr
    return out / "pdf"
