"""Shared pytest fixtures."""

from __future__ import annotations

import contextlib

import pytest

import webcheck
from pdfbuild import ROOT, build_pdfs


@pytest.fixture(autouse=True)
def _no_language_from_the_environment(monkeypatch):
    """The messages' language is the project's first unless a test says otherwise: the machine's
    LANG and friends (which choose it before the project does) are set aside."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


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
