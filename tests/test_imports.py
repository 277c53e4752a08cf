"""The layers hold: each module imports only its own stage and the stages below it,
and only the third-party packages its stage may use.

The data flows one way: load -> model -> derive -> render -> write, with the
commands on top. `STAGES` gives every reportgen module its stage; `MAY_IMPORT`
says which stages a stage may import from and `PACKAGES` which third-party
packages. Three checks, in the style of Click's tests/test_imports.py:

- every import written in the code (at the top or inside a function) points
  down or sideways, never up;
- importing a module in a fresh interpreter pulls in no reportgen module of a
  higher stage and no third-party package its stage may not use (so a heavy
  import cannot creep into the loading path through another module);
- `reportgen check` runs on the loading path alone.

A new module must be given a stage in `STAGES`; the first check says so.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from projects import write_project

PACKAGE = Path(__file__).resolve().parent.parent / "reportgen"

# The stage of each module. "x.*" covers every module of the package x (and x itself).
# Modules listed here that do not exist (yet) are simply not checked.
STAGES = {
    # shared by every stage: the model and the plainest helpers, standard library only
    "": "base",  # the package itself (`reportgen/__init__.py`)
    "errors": "base", "model": "base", "paths": "base", "dates": "base", "textfiles": "base",
    "messages": "base",  # the language catalogues: every sentence reportgen writes, standard library only
    # reading the input and checking it
    "yamlsource": "load", "schema": "load", "declarations": "load", "discovery": "load", "rules": "load",
    "rowrules": "load", "textchecks": "load", "markdown_reader": "load", "loader": "load", "statsexport": "load",
    "editor_schemas": "load",  # the JSON Schemas for editors, with the project's regions and codes
    "textsplice": "load",  # editing YAML files line by line, as the loader's node tree locates them
    # computing what is published
    "figures": "derive", "suppression": "derive", "suppression.*": "derive", "audit": "derive",
    "outcomes": "derive", "equity": "derive",  # answers, turnaround and effects; funnel-plot limits
    "suppression_values": "derive", "suppression_engine": "derive", "suppression_cells": "derive",
    "suppression_outcomes": "derive", "suppression_solver": "derive",
    "changes": "derive",
    # turning figures and texts into pages, charts, PDFs and data files
    "render": "render", "charts.*": "render", "formatting": "render", "footnotes": "render", "i18n": "render",
    "markdown_text": "render", "opendata": "render", "pdf": "render", "pdf_tags": "render", "documents": "render",
    "clinical": "render",  # the clinical-effect section: its charts and wording
    # writing files
    "writer": "write",
    # the commands and what only they use
    "cli": "command", "__main__": "command", "build": "command", "cache": "command", "serve": "command",
    "importstats": "command", "editions": "command",
}

MAY_IMPORT = {
    "base": {"base"},
    "load": {"base", "load"},
    "derive": {"base", "derive"},
    "render": {"base", "derive", "render"},
    "write": {"base", "write"},
    "command": {"base", "load", "derive", "render", "write", "command"},
}

# Third-party packages each stage may import (with whatever they import in turn).
PACKAGES = {
    "base": set(),
    # Markdown (pure Python, 25 ms to import): the checks judge links and identifiers on what the
    # renderer makes of a text (markdown_reader), so they read it as the pages do.
    "load": {"yaml", "markdown"},
    "derive": {"highspy", "numpy"},
    "render": {"jinja2", "markupsafe", "markdown", "nh3", "babel", "matplotlib", "weasyprint", "fontTools",
               "pikepdf", "pydyf"},
    "write": set(),
    "command": {"watchfiles"},
}

# Imports that break the layers today, each with what it would take to remove it.
KNOWN_ARROWS_UP: dict = {}


def _stage(module: str) -> str | None:
    """The stage of `module` (a name relative to reportgen, "" for the package itself), or None."""
    if module in STAGES:
        return STAGES[module]
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) + ".*" in STAGES:
            return STAGES[".".join(parts[:end]) + ".*"]
    return None


def _all_modules() -> list[str]:
    """Every module of the package, relative to reportgen ("charts.kinds"), the package itself as ""."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def _imports(module: str) -> tuple[set[str], set[str]]:
    """What `module` imports anywhere in its code: reportgen modules (relative names) and third-party packages."""
    path = PACKAGE.joinpath(*module.split(".")) if module else PACKAGE
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = [p for p in package if p]
    ours, theirs = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - (node.level - 1)]
            target = base + (node.module.split(".") if node.module else [])
            ours |= {_existing(target, alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module.split(".")[0] == "reportgen":
            ours |= {_existing(node.module.split(".")[1:], alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            theirs.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top, *rest = alias.name.split(".")
                if top == "reportgen":
                    ours.add(".".join(rest))
                else:
                    theirs.add(top)
    return ours, _third_party(theirs)


def _existing(target: list[str], name: str) -> str:
    """`from target import name`: the module `name` if it is one, else the module `target`."""
    as_module = target + [name]
    candidate = PACKAGE.joinpath(*as_module)
    if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
        return ".".join(as_module)
    return ".".join(target)


def test_every_module_has_a_stage():
    unknown = [m for m in _all_modules() if _stage(m) is None]
    assert not unknown, (
        f"reportgen.{unknown[0]} has no stage. Add it to STAGES in tests/test_imports.py as one of "
        f"{', '.join(MAY_IMPORT)}: the stage whose job it does (see docs/maintainers.md)")


def _allowed_packages(stage: str, closure=PACKAGES) -> set[str]:
    return set().union(*(closure[s] for s in MAY_IMPORT[stage]))


def test_no_import_points_up():
    wrong = []
    used_exceptions = set()
    for module in _all_modules():
        stage = _stage(module)
        if stage is None:
            continue  # test_every_module_has_a_stage asks for one
        ours, theirs = _imports(module)
        for target in sorted(ours):
            target_stage = _stage(target)
            if target_stage is None or target_stage in MAY_IMPORT[stage]:
                continue
            if (stage, target) in KNOWN_ARROWS_UP:
                used_exceptions.add((stage, target))
                continue
            wrong.append(f"reportgen.{module} ({stage}) imports reportgen.{target} ({target_stage}); a {stage} "
                         f"module may import only {', '.join(sorted(MAY_IMPORT[stage]))}")
        for package in sorted(theirs - _allowed_packages(stage)):
            wrong.append(f"reportgen.{module} ({stage}) imports {package}; a {stage} module may use only "
                         f"{', '.join(sorted(_allowed_packages(stage))) or 'the standard library'}. A new "
                         f"dependency belongs to the stage that needs it (PACKAGES in tests/test_imports.py)")
    assert not wrong, "\n".join(wrong)
    stale = set(KNOWN_ARROWS_UP) - used_exceptions
    assert not stale, f"these imports are gone; remove them from KNOWN_ARROWS_UP: {sorted(stale)}"


# Run in a fresh interpreter: fork a clean child per module, so each import starts from nothing.
PROBE = """
import json, os, sys
baseline = set(sys.modules)
found = {}
for name in sys.argv[1:]:
    read, write = os.pipe()
    if os.fork() == 0:
        os.close(read)
        __import__(name)
        os.write(write, json.dumps(sorted(set(sys.modules) - baseline)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    os.wait()
    found[name] = json.loads(text) if text else None
print(json.dumps(found))
"""


def _pulled_in(names: list[str]) -> dict[str, list[str] | None]:
    result = subprocess.run([sys.executable, "-c", PROBE, *names], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def _third_party(modules) -> set[str]:
    tops = {m.split(".")[0] for m in modules}
    return {t for t in tops if t != "reportgen" and t not in sys.stdlib_module_names and not t.startswith("_")}


def _with_dependencies(packages: set[str]) -> set[str]:
    """`packages` (import names) and every import name of the distributions they need in turn."""
    providers = metadata.packages_distributions()
    names_of: dict[str, set[str]] = {}
    for name, distributions in providers.items():
        for distribution in distributions:
            names_of.setdefault(_canonical(distribution), set()).add(name)
    todo = [(_canonical(d), ()) for p in packages for d in providers.get(p, [])]
    seen: set[tuple[str, tuple]] = set()
    while todo:
        distribution, extras = todo.pop()
        if (distribution, extras) in seen:
            continue
        seen.add((distribution, extras))
        try:
            requirements = metadata.requires(distribution) or []
        except metadata.PackageNotFoundError:
            continue
        for requirement in requirements:
            spec, _, marker = requirement.partition(";")
            wanted = re.search(r"extra\s*==\s*[\"']([^\"']+)", marker)
            if wanted and wanted.group(1) not in extras:
                continue
            found = re.match(r"\s*([A-Za-z0-9._-]+)\s*(?:\[([^\]]*)\])?", spec)
            todo.append((_canonical(found.group(1)), tuple(e.strip() for e in (found.group(2) or "").split(",") if e)))
    return set(packages).union(*(names_of.get(d, set()) for d, _ in seen))


def _canonical(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


@pytest.fixture(scope="module")
def imported():
    """For each module below the commands, the modules importing it pulls in; and what each stage may use."""
    modules = [m for m in _all_modules() if _stage(m) not in ("command", None)]
    found = _pulled_in([f"reportgen.{m}".rstrip(".") for m in modules])
    closure = {stage: _with_dependencies(packages) for stage, packages in PACKAGES.items()}
    return {m: found[f"reportgen.{m}".rstrip(".")] for m in modules}, closure


def test_importing_a_module_pulls_in_only_what_its_stage_may(imported):
    """What a module pulls in, it may use: the packages of every reportgen module it pulls in (those
    follow the layers, as the test above shows) with whatever those packages import in turn."""
    pulled, closure = imported
    known = set(metadata.packages_distributions())  # leaves out runtime shims such as cython_runtime
    wrong = []
    for module, modules in pulled.items():
        assert modules is not None, f"importing reportgen.{module} failed"
        stages = {_stage(module)} | {_stage(m.removeprefix("reportgen").lstrip("."))
                                     for m in modules if m.split(".")[0] == "reportgen"}
        allowed = set().union(*(_allowed_packages(s, closure) for s in stages if s is not None))
        extra = (_third_party(modules) & known) - allowed
        if extra:
            wrong.append(f"importing reportgen.{module} ({_stage(module)}) pulls in {', '.join(sorted(extra))}, "
                         f"which its stage does not use; import a heavy package inside the function that needs it")
    assert not wrong, "\n".join(wrong)


CHECK = """
import json, sys
from reportgen.cli import main
status = main(["check", sys.argv[1]])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def test_check_runs_on_the_loading_path_alone(tmp_path):
    write_project(tmp_path)
    result = subprocess.run([sys.executable, "-c", CHECK, str(tmp_path)], capture_output=True, text=True, check=True)
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["status"] == 0
    ours = {m.removeprefix("reportgen").lstrip(".") for m in report["modules"] if m.split(".")[0] == "reportgen"}
    stages = {_stage(m) for m in ours} - {"command"}
    assert stages <= {"base", "load"}, sorted(m for m in ours if _stage(m) not in ("base", "load", "command"))
    assert {m for m in ours if _stage(m) == "command"} == {"cli"}
    assert _third_party(report["modules"]) & set(metadata.packages_distributions()) <= _with_dependencies({"yaml", "markdown"})
