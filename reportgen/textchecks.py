"""Checks on free text: identifiers that must not be published, HTML that must not pass.

Texts are Markdown written by hand. Two things must never reach a report:
something shaped like a CPR number (a person's identifier), and raw HTML or
script links (which could run in a reader's browser). Both are input errors,
located at the exact line and column of the offending characters.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass

# DDMMYY-SSSS, with a hyphen, a space or nothing between; not part of a longer number.
_CPR_SHAPE = re.compile(r"(?<![\d-])(\d{2})(\d{2})(\d{2})[- ]?(\d)(\d{3})(?![\d])")


def cpr_birth_year(yy: int, seventh_digit: int) -> int:
    """The birth year a CPR number encodes, from its year digits and the 7th digit."""
    if seventh_digit <= 3:
        return 1900 + yy
    if seventh_digit in (4, 9):
        return 2000 + yy if yy <= 36 else 1900 + yy
    return 2000 + yy if yy <= 57 else 1800 + yy


def is_cpr_shaped(day: int, month: int, yy: int, seventh_digit: int) -> bool:
    """True if the digits form a real date of birth under the CPR century rule."""
    if not 1 <= month <= 12 or day < 1:
        return False
    year = cpr_birth_year(yy, seventh_digit)
    return day <= calendar.monthrange(year, month)[1]


def find_cpr_numbers(text: str) -> Iterator[re.Match]:
    """Every substring of `text` shaped like a CPR number with a real date.

    The modulus-11 check is deliberately not used: numbers issued since 2007
    need not pass it.
    """
    for match in _CPR_SHAPE.finditer(text):
        day, month, yy, seventh = (int(match.group(i)) for i in (1, 2, 3, 4))
        if is_cpr_shaped(day, month, yy, seventh):
            yield match


@dataclass(frozen=True)
class TextFinding:
    start: int  # offset in the text
    snippet: str
    message: str


# An HTML tag, closing tag, comment, doctype or processing instruction.
_HTML = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9-]*(?=[\s/>])|/?[A-Za-z][A-Za-z0-9-]*$|!--|![A-Za-z]|\?)")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}):[^<>\s]*>")
_INLINE_LINK = re.compile(r"(!?)\[[^\]\n]*\]\(\s*<?([^)\s>]*)")
_REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_ALLOWED_SCHEMES = ("https", "http", "mailto")
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _link_problem(url: str) -> str | None:
    scheme = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", url)
    if scheme and scheme.group(1).lower() not in _ALLOWED_SCHEMES:
        return (f"a link starting with '{scheme.group(1)}:'; links may only start with https://, http:// or mailto:")
    if not scheme and url.strip():
        return (f"a link to '{url[:40]}', which is not a web address; "
                "write the full address starting with https://")
    return None


def markup_findings(text: str, markdown: bool) -> list[TextFinding]:
    """Raw HTML, images and unsafe links in a text, each with its offset."""
    findings = []
    for match in _HTML.finditer(text):
        tag = text[match.start():match.start() + 30].split(">")[0] + (">" if ">" in text[match.start():match.start() + 30] else "")
        findings.append(TextFinding(
            match.start(), tag,
            f"raw HTML ({tag}) in the text; HTML is not allowed, use Markdown instead "
            "(**bold**, *italic*, [link text](https://...)), or write '<' with a space after it",
        ))
    for match in _ENTITY.finditer(text):
        findings.append(TextFinding(
            match.start(), match.group(0),
            f"an HTML entity ({match.group(0)}); write the character itself instead",
        ))
    for match in _AUTOLINK.finditer(text):
        problem = _link_problem(match.group(1) + ":")
        if problem:
            findings.append(TextFinding(match.start(), match.group(0), problem))
    if markdown:
        for match in _INLINE_LINK.finditer(text):
            if match.group(1):
                findings.append(TextFinding(
                    match.start(), match.group(0),
                    "an image (![...](...)); images are not supported in report texts",
                ))
                continue
            problem = _link_problem(match.group(2))
            if problem:
                findings.append(TextFinding(match.start(), match.group(0), problem))
        for match in _REFERENCE_DEF.finditer(text):
            problem = _link_problem(match.group(1))
            if problem:
                findings.append(TextFinding(match.start(1), match.group(1), problem))
    return findings
