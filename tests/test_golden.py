"""Golden HTML: the tiny fixture project's pages, compared byte for byte.

Any change to what a page says or how it is marked up shows here as a diff.
When the change is meant, regenerate the golden files and review them:

    REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

then commit tests/golden/ with the change.
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
from pathlib import Path

import pytest

from projects import write_project
from reportgen.build import build

GOLDEN = Path(__file__).resolve().parent / "golden" / "site"
REGENERATE = os.environ.get("REGEN_GOLDEN") == "1"


def _pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, str]:
    root = write_project(tmp_path_factory.mktemp("golden-project"))
    build(root, out=root / "build", formats={"html"}, jobs=1, stream=io.StringIO())
    pages = _pages(root / "build" / "site")
    if REGENERATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in pages.items():
            path = GOLDEN / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return pages


def test_pages_match_their_golden_files(built):
    assert GOLDEN.is_dir(), "no golden files: run REGEN_GOLDEN=1 pytest tests/test_golden.py"
    golden = _pages(GOLDEN)
    assert sorted(built) == sorted(golden), "other pages than the golden ones were built"
    differing = []
    for name, expected in golden.items():
        if built[name] != expected:
            diff = difflib.unified_diff(expected.splitlines(), built[name].splitlines(),
                                        f"golden/site/{name}", f"built/{name}", lineterm="", n=2)
            differing.append("\n".join(list(diff)[:60]))
    if differing:
        pytest.fail(f"{len(differing)} of {len(golden)} pages differ from their golden files. If the change "
                    "is meant: REGEN_GOLDEN=1 pytest tests/test_golden.py, review and commit tests/golden/.\n\n"
                    + "\n\n".join(differing), pytrace=False)
