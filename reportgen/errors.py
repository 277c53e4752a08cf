"""The error hierarchy. Only the command line turns these into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one input file, located for a text editor."""

    path: str
    line: int  # 1-based
    column: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class ReportgenError(Exception):
    """Base of every error reportgen reports to a user; `exit_code` is the process status."""

    exit_code = 1


class InputError(ReportgenError):
    """The input files have problems; all of them are listed, sorted by file and line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the input")


class UsageError(ReportgenError):
    """The command line was used wrongly (a missing folder, an unknown format, ...)."""

    exit_code = 2


class BuildError(ReportgenError):
    """Rendering or writing failed for a reason that is not in the YAML files."""


def relative_path(path: Path, root: Path | None) -> str:
    """Show `path` relative to the project root (or the working folder) when possible."""
    path = Path(path)
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return str(path.resolve().relative_to(Path(base).resolve()))
        except ValueError:
            continue
    return str(path)
