"""The one place that writes output files, always atomically.

Each file is written to a temporary file in the same folder and renamed over
the old one, so a failed or killed build leaves every previous file whole.
Commands that change several files at once (`import-stats`, `new-edition`)
use `write_together`: every file changes, or none does, also when the disk
fills up half-way. A failed write raises FileError with a plain message.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import file_error

TEMP_PREFIX = ".reportgen-tmp-"
BACKUP_PREFIX = ".reportgen-old-"


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _temporary(path: Path, data: bytes) -> str:
    """`data` in a new temporary file beside `path`, on disk (fsynced); its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _remove(name: str | Path) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def write_bytes(path: Path, data: bytes) -> bool:
    """Write `data` to `path` atomically; return False if the file already held exactly that."""
    path = Path(path)
    if _holds(path, data):
        return False
    try:
        tmp = _temporary(path, data)
        try:
            os.replace(tmp, path)
        except BaseException:
            _remove(tmp)
            raise
    except OSError as exc:
        raise file_error(exc, "write", path) from exc
    return True


def write_text(path: Path, text: str) -> bool:
    """Write UTF-8 text atomically (see `write_bytes`)."""
    return write_bytes(path, text.encode("utf-8"))


def write_together(files: dict[Path, str]) -> list[Path]:
    """Write several UTF-8 files so that either all of them change or none does; return those changed.

    Every new content is first written in full to a temporary file; only when all are
    on disk are they renamed into place. The old files are kept as hard links until
    then, so that a rename failing half-way is undone by renaming them back.
    """
    todo = {Path(p): text.encode("utf-8") for p, text in files.items()}
    todo = {p: data for p, data in todo.items() if not _holds(p, data)}
    temporaries: dict[Path, str] = {}
    backups: dict[Path, str | None] = {}  # path -> hard link to its old content (None: it did not exist)
    replaced: list[Path] = []
    current: Path | None = None
    try:
        for current, data in todo.items():
            temporaries[current] = _temporary(current, data)
        for path in todo:
            current = path
            if path.exists():
                backup = str(path.parent / f"{BACKUP_PREFIX}{os.getpid()}-{path.name}")
                _remove(backup)
                os.link(path, backup)
                backups[path] = backup
            else:
                backups[path] = None
        for current, tmp in temporaries.items():
            os.replace(tmp, current)
            replaced.append(current)
    except BaseException as exc:
        for path in reversed(replaced):  # undo: the old content back in place
            backup = backups.get(path)
            try:
                if backup is None:
                    os.unlink(path)
                else:
                    os.replace(backup, path)
            except OSError:
                pass
        for tmp in temporaries.values():
            _remove(tmp)
        for backup in backups.values():
            if backup is not None:
                _remove(backup)
        if isinstance(exc, OSError):
            raise file_error(exc, "write", current) from exc
        raise
    for backup in backups.values():
        if backup is not None:
            _remove(backup)
    return list(todo)


def remove_stale_temporaries(root: Path) -> int:
    """Delete temporary files left by a killed build under `root`; return how many."""
    removed = 0
    if not Path(root).is_dir():
        return 0
    for tmp in Path(root).rglob(TEMP_PREFIX + "*"):
        try:
            tmp.unlink()
            removed += 1
        except OSError:
            pass
    return removed
