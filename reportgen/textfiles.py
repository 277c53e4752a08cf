"""How reportgen reads and rewrites a text file: UTF-8, a byte order mark kept, and never over
a change someone else made after the file was read."""

from __future__ import annotations

from pathlib import Path

from .messages import _
from .errors import Problem

UTF8_BOM = b"\xef\xbb\xbf"


def split_bom(data: bytes) -> tuple[str, bytes]:
    """The byte order mark as text ("\\ufeff", or "" if there is none) and the bytes after it.

    Excel's "CSV UTF-8" and some Windows editors start a file with one; it is
    not part of the text, but writing a file back keeps it.
    """
    if data.startswith(UTF8_BOM):
        return "\ufeff", data[len(UTF8_BOM):]
    return "", data


def read_text(path: Path) -> str:
    """The file's text, a byte order mark kept as U+FEFF so writing it back gives the same bytes."""
    bom, data = split_bom(Path(path).read_bytes())
    return bom + data.decode("utf-8")


def read_as_parsed(path: Path, lines: list[str]) -> str | None:
    """The file's text, or None if it is no longer the text whose `lines` the loader parsed."""
    text = read_text(path)
    return text if "\n".join(lines) == text.removeprefix("\ufeff") else None


def changed_meanwhile(display: str, run_again: str) -> Problem:
    """The problem of a file someone else changed while a command was editing it."""
    return Problem(display, 1, 1, _("the file was changed by someone else meanwhile; run {run_again} again").format(
        run_again=run_again))
