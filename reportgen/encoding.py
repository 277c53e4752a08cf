"""How reportgen reads the bytes of a text file: UTF-8, with or without a byte order mark."""

from __future__ import annotations

UTF8_BOM = b"\xef\xbb\xbf"


def split_bom(data: bytes) -> tuple[str, bytes]:
    """The byte order mark as text ("\\ufeff", or "" if there is none) and the bytes after it.

    Excel's "CSV UTF-8" and some Windows editors start a file with one; it is
    not part of the text, but writing a file back keeps it.
    """
    if data.startswith(UTF8_BOM):
        return "\ufeff", data[len(UTF8_BOM):]
    return "", data
