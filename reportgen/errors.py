"""The error hierarchy. Only the command line turns these into messages and exit codes."""

from __future__ import annotations

import errno
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from .messages import _, N_, ngettext

# At most this many problems are listed per file; the rest are counted in one more line.
MAX_SHOWN_PER_FILE = 100


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
        self.total = len(problems)
        self.problems = _first_per_file(sorted(problems))
        super().__init__(_("{total} problem(s) in the input").format(total=self.total))


def _first_per_file(problems: list[Problem]) -> list[Problem]:
    """The first MAX_SHOWN_PER_FILE problems of each file, then one that counts the rest."""
    totals = Counter(problem.path for problem in problems)
    seen: Counter[str] = Counter()
    shown = []
    for problem in problems:
        seen[problem.path] += 1
        if seen[problem.path] <= MAX_SHOWN_PER_FILE:
            shown.append(problem)
        elif seen[problem.path] == MAX_SHOWN_PER_FILE + 1:
            rest = totals[problem.path] - MAX_SHOWN_PER_FILE
            shown.append(Problem(problem.path, problem.line, problem.column,
                                 ngettext("and {rest} more problem in this file from here on; fix the ones above first",
                                          "and {rest} more problems in this file from here on; fix the ones above first",
                                          rest).format(rest=rest)))
    return shown


class UsageError(ReportgenError):
    """The command line was used wrongly (a missing folder, an unknown format, ...)."""

    exit_code = 2


class BuildError(ReportgenError):
    """Rendering or writing failed for a reason that is not in the YAML files."""


class FileError(ReportgenError):
    """A file or folder could not be read or written (a full disk, a missing permission, ...)."""


class LimitError(ReportgenError):
    """The work needed goes past a limit of this machine (memory, nesting)."""


_PLAIN_OS_ERRORS = {
    errno.ENOSPC: N_("the disk is full"),
    errno.EDQUOT: N_("the disk quota is used up"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("the operation is not permitted"),
    errno.EROFS: N_("the disk is read-only"),
    errno.ENOENT: N_("no such file or folder"),
    errno.ENOTDIR: N_("a part of the path is a file, not a folder"),
    errno.EISDIR: N_("it is a folder, not a file"),
    errno.EEXIST: N_("it exists already"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.EIO: N_("input/output error (is the disk damaged or disconnected?)"),
    errno.EMFILE: N_("too many open files"),
}


def describe_os_error(exc: OSError) -> str:
    """What went wrong, in plain words, without Python's wrapping."""
    plain = _PLAIN_OS_ERRORS.get(exc.errno)
    return _(plain) if plain else exc.strerror or str(exc)


# What could not be done (file_error's `action`), as whole sentences for the catalogues.
_CANNOT = {
    "use": N_("cannot use{where}: {reason}"),
    "write": N_("cannot write{where}: {reason}"),
    "read": N_("cannot read{where}: {reason}"),
}


def file_error(exc: OSError, action: str = "use", path: Path | str | None = None) -> FileError:
    """A FileError saying what could not be done to which file, e.g. 'cannot write build/x: the disk is full'."""
    temporary = ".reportgen-" in str(exc.filename or "")  # the writer's own temporary: name the file it stands for
    name = (path or exc.filename) if temporary or not exc.filename else exc.filename
    where = f" {name}" if name else ""
    if exc.filename2:
        where += _(" (to {other})").format(other=exc.filename2)
    return FileError(_(_CANNOT[action]).format(where=where, reason=describe_os_error(exc)))


def as_reportgen_error(exc: BaseException) -> ReportgenError | None:
    """The ReportgenError a failure at the edge stands for, or None for a bug.

    OSErrors, template errors and exhausted resources become plain messages; only
    the command line calls this, so one place decides how failures read.
    """
    if isinstance(exc, ReportgenError):
        return exc
    if isinstance(exc, OSError):
        return file_error(exc)
    if isinstance(exc, MemoryError):
        return LimitError(_("out of memory; is an input file far larger than it should be?"))
    if isinstance(exc, RecursionError):
        return LimitError(_("a text or file is nested too deep to read (lists or quotes inside each other)"))
    module = type(exc).__module__ or ""
    if module.startswith("jinja2"):
        return _template_error(exc)
    return None


def _template_error(exc: BaseException) -> ReportgenError:
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    message = getattr(exc, "message", None) or str(exc)
    if not line:
        name, line = _template_place(exc) or (name, None)
    if name and line:
        return InputError([Problem(relative_path(Path(name), None), line, 1, _("template error: {message}").format(
            message=message))])
    return BuildError(_("a template failed{value}: {message}").format(
        value=f' ({name})' if name else '', message=message))


def relative_path(path: Path, root: Path | None) -> str:
    """Show `path` relative to the project root (or the working folder) when possible."""
    path = Path(path)
    for base in (root, Path.cwd()):
        if base is None:
            continue
        # As written first (a link keeps its own name), then with links resolved.
        for inside, folder in ((path.absolute(), Path(base).absolute()), (path.resolve(), Path(base).resolve())):
            try:
                return str(inside.relative_to(folder))
            except ValueError:
                continue
    return str(path)


def _template_place(exc: BaseException) -> tuple[str, int] | None:
    """Where in a template an error at render time happened: Jinja2 puts the template's file and
    line into the traceback (and a worker process sends its traceback along as text)."""
    place = None
    frame = exc.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_filename.endswith(".html"):
            place = (frame.tb_frame.f_code.co_filename, frame.tb_lineno)
        frame = frame.tb_next
    if place is None and exc.__cause__ is not None:
        found = re.findall(r'File "([^"]+\.html)", line ([0-9]+)', str(exc.__cause__))
        if found:
            place = (found[-1][0], int(found[-1][1]))
    return place
