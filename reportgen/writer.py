"""The one place that writes output files, always atomically.

Each file is written to a temporary file in the same folder and renamed over
the old one, so a failed or killed build leaves every previous file whole.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_PREFIX = ".reportgen-tmp-"


def write_bytes(path: Path, data: bytes) -> bool:
    """Write `data` to `path` atomically; return False if the file already held exactly that."""
    path = Path(path)
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return True


def write_text(path: Path, text: str) -> bool:
    """Write UTF-8 text atomically (see `write_bytes`)."""
    return write_bytes(path, text.encode("utf-8"))


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
