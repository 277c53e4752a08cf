"""The CI recipe runs only commands that exist here and that these tests exercise.

Each `run:` line of .github/workflows/publish.yml must be a Makefile target
(`make -n` finds it), and every reportgen command that target runs must be a
subcommand reportgen has. The deployment must publish the folder the build
writes the website to.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from reportgen.build import SITE_DIR
from reportgen.cli import main

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "publish.yml"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps(workflow: dict):
    for job_name, job in workflow["jobs"].items():
        for step in job["steps"]:
            yield job_name, step


def _run_lines(workflow: dict) -> list[str]:
    lines = []
    for _, step in _steps(workflow):
        for line in step.get("run", "").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def _make_targets() -> set[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    return {m.group(1) for m in re.finditer(r"^([A-Za-z][\w-]*):", text, re.MULTILINE)}


def test_workflow_runs_on_main_and_may_deploy_to_pages():
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"]["pages"] == "write"
    assert workflow["permissions"]["id-token"] == "write"


def test_workflow_checks_tests_and_builds_before_it_deploys():
    workflow = _workflow()
    assert _run_lines(workflow) == ["make check", "make test", "make reports"]
    uses = [(job, step.get("uses", "").split("@")[0]) for job, step in _steps(workflow)]
    assert ("build", "actions/upload-pages-artifact") in uses
    assert ("deploy", "actions/deploy-pages") in uses
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    upload = next(s for _, s in _steps(workflow) if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    # `make reports` builds into build/ (reportgen build's default --out); the website is its site/ folder.
    assert upload["with"]["path"] == f"build/{SITE_DIR}"


@pytest.mark.parametrize("line", _run_lines(_workflow()))
def test_every_run_line_is_a_make_target_whose_commands_exist(line, capsys):
    words = shlex.split(line)
    assert words[0] == "make" and len(words) == 2, f"'{line}': run only Makefile targets in the workflow"
    target = words[1]
    assert target in _make_targets(), f"'{line}': the Makefile has no target '{target}'"
    dry = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    subcommands = [m.group(1) for m in re.finditer(r"/reportgen (\w[\w-]*)", dry.stdout)]
    for subcommand in subcommands:
        with pytest.raises(SystemExit) as exit_:
            main([subcommand, "--help"])
        assert exit_.value.code == 0, f"'{line}' runs 'reportgen {subcommand}', which does not exist"
    capsys.readouterr()
    if target == "test":
        assert "-m pytest" in dry.stdout and "scripts/install-test-tools" in dry.stdout
    else:
        assert subcommands, f"'{line}' runs no reportgen command: {dry.stdout!r}"


def test_every_makefile_target_runs_existing_reportgen_commands(capsys):
    """Also the ones the workflow does not use: a renamed command breaks no target silently."""
    for target in sorted(_make_targets() - {"clean", "tools", "test"}):
        if target.startswith("$"):
            continue
        dry = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert dry.returncode == 0, (target, dry.stderr)
        for subcommand in re.findall(r"/reportgen (\w[\w-]*)", dry.stdout):
            with pytest.raises(SystemExit) as exit_:
                main([subcommand, "--help"])
            assert exit_.value.code == 0, (target, subcommand)
    capsys.readouterr()
