"""Checks on free text: identifiers that must not be published, HTML that must not pass.

Texts are Markdown written by hand. Two things must never reach a report:
something shaped like a CPR number (a person's identifier), and raw HTML or
script links (which could run in a reader's browser). Both are input errors,
located at the exact line and column of the offending characters.

A number can be disguised: a no-break space or an en dash between its parts,
an invisible soft hyphen inside, emphasis or a link splitting its digits, a
line break. So the identifier check reads each text twice, both times after
folding spaces, dashes and invisible characters: once as written, once as a
reader gets it (the Markdown rendered and read back as text). Links and
images are judged on the rendered Markdown too, so every address the
renderer would emit is seen, whatever form of link wrote it.

Every check here runs in time linear in the text. Markdown itself is not
linear on some inputs (thousands of '[' take minutes), so a text is rendered
only within limits on its length, its brackets and its nesting; a text over
them is refused with a located message and never reaches the renderer.

It is one module of some 480 lines because both checks read the same folded
text and the same rendered Markdown, under the same limits; apart, each would
fold and render the text again.
"""

from __future__ import annotations

import bisect
import calendar
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .messages import _
from .markdown_reader import reader_view

# --- limits (each keeps the Markdown renderer's work small; see the module docstring) ---
MAX_TEXT_CHARS = 20_000  # about 3,000 words; the longest shipped text has 1,700 characters
MAX_BRACKETS = 200  # '[' in one Markdown text: links, images and footnote-like brackets
MAX_ANGLES = 500  # '<' in one Markdown text
MAX_NESTING = 20  # lists and quotes inside each other
MAX_FINDINGS_PER_KIND = 25  # per text and kind of problem; the rest are counted

# DDMMYY-SSSS (after folding): the parts joined by spaces and at most two hyphens, or nothing;
# a line break may fall anywhere in it (a number broken over two lines of a paragraph shows
# on the page as one); not part of a longer number. Possessive quantifiers: no backtracking.
_BREAK = r"(?:[ ]*+\n[ ]*+)?+"
_CPR_SHAPE = re.compile(r"(?<!\d)" + _BREAK.join([r"\d"] * 6) + r"[ \n]*+-{0,2}+[ \n]*+"
                        + _BREAK.join([r"\d"] * 4) + r"(?!\d)")


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
    """Every substring of `text` shaped like a CPR number with a real date (no folding).

    The modulus-11 check is deliberately not used: numbers issued since 2007
    need not pass it.
    """
    for match in _CPR_SHAPE.finditer(text):
        digits = _NOT_DIGIT.sub("", match.group(0))
        if is_cpr_shaped(int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])):
            yield match


_NOT_DIGIT = re.compile(r"\D")


# --- folding: one normal form for the identifier check ---------------------------------

_DASHES = {"\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2043", "\u2212", "\ufe58", "\ufe63",
           "\uff0d", "\u00ad"}
# Characters Markdown uses for emphasis, code and escapes: a reader does not see them.
_MARKUP = {"*", "_", "`", "~", "\\"}


def _fold_char(ch: str, markup: bool) -> str | None:
    """'-' for a dash, ' ' for a space, '' for something invisible, None to keep `ch`."""
    if ch.isascii():
        if ch == "\n":
            return None  # kept: the identifier check reads a number across a line break
        if ch in " \t\r\f\v":
            return " "
        if markup and ch in _MARKUP:
            return ""
        return None
    if ch in _DASHES:
        return "-" if ch != "\u00ad" else ""  # a soft hyphen is invisible unless the line breaks there
    category = unicodedata.category(ch)
    if category == "Pd":
        return "-"
    if category in ("Zs", "Zl", "Zp") or ch.isspace():
        return " "
    if category in ("Cf", "Mn", "Me", "Cc"):  # format characters (ZWSP, joiners, BOM), combining marks
        return ""
    return None


class _Origin:
    """For each character of a folded text, the offset in the written text it came from."""

    __slots__ = ("_starts", "_origins", "_copied")

    def __init__(self):
        self._starts: list[int] = []  # offset in the folded text where each piece begins
        self._origins: list[int] = []  # offset in the written text of that piece's first character
        self._copied: list[bool] = []  # True: copied unchanged, so offsets run on one by one

    def add(self, start: int, origin: int, copied: bool) -> None:
        self._starts.append(start)
        self._origins.append(origin)
        self._copied.append(copied)

    def __getitem__(self, index: int) -> int:
        piece = bisect.bisect_right(self._starts, index) - 1
        if self._copied[piece]:
            return self._origins[piece] + index - self._starts[piece]
        return self._origins[piece]


# Runs of characters other than printable ASCII (and, for Markdown, its emphasis and escape
# characters): the only ones the normal form may change. Plain words are copied in one piece.
_SPECIAL = re.compile(r"[^\x20-\x7e]+")
_SPECIAL_MARKUP = re.compile(r"[^\x20-\x29\x2b-\x5b\x5d-\x5e\x61-\x7d]+")


class _FoldTable(dict):
    """`_fold_char` as a table for str.translate, filled in as characters are met."""

    def __init__(self, markup: bool):
        super().__init__()
        self.markup = markup

    def __missing__(self, code: int) -> int | None:
        folded = _fold_char(chr(code), self.markup)
        value = code if folded is None else (ord(folded) if folded else None)
        self[code] = value
        return value


_TABLES = {False: _FoldTable(False), True: _FoldTable(True)}


def fold(text: str, markup: bool = False) -> tuple[str, _Origin | range]:
    """`text` in the normal form the identifier check reads, and for each of its characters the
    offset in `text` it came from. Unicode spaces and line breaks become ' ', dashes '-',
    invisible characters (and with `markup`, Markdown's emphasis and escape characters) vanish."""
    folded = text.translate(_TABLES[markup])
    if len(folded) == len(text):  # nothing vanished: each character stays where it was
        return folded, range(len(text))
    out: list[str] = []
    origin = _Origin()
    length = 0
    copied_to = 0
    for run in (_SPECIAL_MARKUP if markup else _SPECIAL).finditer(text):
        if run.start() > copied_to:
            origin.add(length, copied_to, True)
            out.append(text[copied_to:run.start()])
            length += run.start() - copied_to
        copied_to = run.end()
        for offset in range(run.start(), run.end()):
            ch = text[offset]
            folded = _fold_char(ch, markup)
            if folded is None:
                folded = ch
            if folded:
                origin.add(length, offset, False)
                out.append(folded)
                length += 1
    if copied_to < len(text):
        origin.add(length, copied_to, True)
        out.append(text[copied_to:])
    return "".join(out), origin


# --- findings ------------------------------------------------------------------------


@dataclass(frozen=True)
class TextFinding:
    start: int  # offset in the text
    snippet: str  # the written text at `start`, to find it in the file
    message: str


def _cpr_message(shown: str) -> str:
    return (_("'{shown}' is shaped like a CPR number; patient texts must be anonymised. Remove it, or "
      "if it is not a person's number, list it under 'allow_identifiers' with a reason").format(shown=shown))


def _word_at(text: str, start: int, end: int) -> str:
    """The written text from `start`, up to `end` but not past a line break or space (to find it in the file)."""
    piece = text[start:end]
    cut = re.search(r"[\s]", piece)
    return piece[:cut.start()] if cut else piece


def identifier_findings(text: str, markdown: bool, allowed: Iterable[str] = (),
                        reader_text: str | None = None) -> list[TextFinding]:
    """Every CPR-shaped number in `text`, as written and (given `reader_text`) as a reader sees it.

    A number listed in `allowed` passes if its exact written text, or the text a reader sees
    of it, is listed.
    """
    allowed = set(allowed)
    found: dict[int, TextFinding] = {}  # by the offset of the number's first digit

    def add(start: int, written: str, shown: str) -> None:
        if start in found or written in allowed or shown in allowed or written.strip() in allowed:
            return
        found[start] = TextFinding(start, _word_at(text, start, start + len(written)), _cpr_message(shown))

    folded, origin = fold(text, markup=markdown)
    for match in find_cpr_numbers(folded):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        add(start, text[start:end], match.group(0).replace("\n", " "))
    if reader_text is not None:
        # Find each number the reader sees by its digits in the written text.
        digits = [m.start() for m in re.finditer(r"\d", text)]
        digit_text = "".join(text[i] for i in digits)
        seen_from = 0
        for match in find_cpr_numbers(fold(reader_text)[0]):
            wanted = re.sub(r"\D", "", match.group(0))
            at = digit_text.find(wanted, seen_from)
            if at < 0:
                at = digit_text.find(wanted)
            if at < 0:  # not in the written text at all (an entity, say): the text's start
                start, end = 0, 0
            else:
                start, end = digits[at], digits[at + len(wanted) - 1] + 1
                seen_from = at + 1
            if start in found:
                continue
            shown = match.group(0).replace("\n", " ")
            add(start, text[start:end] if end else shown, shown)
    return sorted(found.values(), key=lambda f: f.start)


# An HTML tag, closing tag, comment, doctype or processing instruction.
_HTML = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9-]*(?=[\s/>])|/?[A-Za-z][A-Za-z0-9-]*$|!--|![A-Za-z]|\?)")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}):[^<>\s]*>")
_ALLOWED_SCHEMES = ("https", "http", "mailto")
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*):")


def _link_problem(url: str) -> str | None:
    scheme = _SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in _ALLOWED_SCHEMES:
        return (_("a link starting with '{group}:'; links may only start with https://, http:// or mailto:").format(
            group=scheme.group(1)))
    if not scheme and url.strip():
        return (_("a link to '{url}', which is not a web address; write the full address starting with "
          "https://").format(url=url[:40]))
    return None


def _capped(findings: list[TextFinding], what: str) -> list[TextFinding]:
    """The first MAX_FINDINGS_PER_KIND findings, and one that counts the rest."""
    if len(findings) <= MAX_FINDINGS_PER_KIND:
        return findings
    rest = len(findings) - MAX_FINDINGS_PER_KIND
    last = findings[MAX_FINDINGS_PER_KIND]
    return findings[:MAX_FINDINGS_PER_KIND] + [TextFinding(
        last.start, last.snippet, _("and {rest} more {what} in this text from here on; fix the ones above first").format(
            rest=rest, what=what))]


def _html_findings(text: str) -> list[TextFinding]:
    findings = []
    for match in _HTML.finditer(text):
        window = text[match.start():match.start() + 30]
        tag = window.split(">")[0] + (">" if ">" in window else "")
        findings.append(TextFinding(
            match.start(), tag,
            _("raw HTML ({tag}) in the text; HTML is not allowed, use Markdown instead (**bold**, "
              "*italic*, [link text](https://...)), or write '<' with a space after it").format(tag=tag),
        ))
    return _capped(findings, _("pieces of raw HTML"))


def _entity_findings(text: str) -> list[TextFinding]:
    return _capped([TextFinding(match.start(), match.group(0),
                                _("an HTML entity ({group}); write the character itself instead").format(
                                    group=match.group(0)))
                    for match in _ENTITY.finditer(text)], _("HTML entities"))


def _autolink_findings(text: str) -> list[TextFinding]:
    findings = []
    for match in _AUTOLINK.finditer(text):
        problem = _link_problem(match.group(1) + ":")
        if problem:
            findings.append(TextFinding(match.start(), match.group(0), problem))
    return _capped(findings, _("unsafe links"))


_LIST_MARKER = re.compile(r"(?:[-*+]|[0-9]{1,9}[.)])(?:[ \t]+|$)")


def nesting_depth(line: str) -> int:
    """How deep a line of Markdown sits in lists and quotes: its '>' and list markers, and its
    indentation in steps of 4 (the spaces that follow a marker belong to the marker)."""
    depth = 0
    position = 0
    indentation = 0
    length = len(line)
    while position < length:
        ch = line[position]
        if ch == " ":
            indentation += 1
            position += 1
            continue
        if ch == ">":
            marker_end = position + 1
        else:
            marker = _LIST_MARKER.match(line, position)
            if marker is None:
                break
            marker_end = marker.end()
        depth += 1 + indentation // 4
        indentation = 0
        position = marker_end
        while position < length and line[position] == " ":
            position += 1
    return depth + indentation // 4


def _limit_findings(text: str) -> list[TextFinding]:
    """Texts the Markdown renderer could not read in good time: too long, too many brackets, too deep."""
    if len(text) > MAX_TEXT_CHARS:
        return [TextFinding(0, text[:20], _("this text is {count:,} characters long; a text may be at most {MAX_TEXT_CHARS:,} "
          "characters (split it, or is it the right text?)").format(count=len(text), MAX_TEXT_CHARS=MAX_TEXT_CHARS))]
    findings = []
    for char, limit, what in (("[", MAX_BRACKETS, _("square brackets '['")), ("<", MAX_ANGLES, "'<' characters")):
        count = text.count(char)
        if count > limit:
            at = -1
            for __ in range(limit + 1):
                at = text.find(char, at + 1)
            findings.append(TextFinding(at, char, _("this text has {count} {what}; at most {limit} are allowed in one text (Markdown reads "
              "each one as a possible link)").format(count=count, what=what, limit=limit)))
    offset = 0
    for line in text.split("\n"):
        depth = nesting_depth(line)
        if depth > MAX_NESTING:
            findings.append(TextFinding(offset, line.strip()[:20] or line[:20],
                                        _("lists or quotes nested {depth} deep; at most {MAX_NESTING} levels are allowed (less "
                                          "indentation, fewer '>' or '-')").format(
                                              depth=depth, MAX_NESTING=MAX_NESTING)))
            break
        offset += len(line) + 1
    return findings


def _locate_address(text: str, url: str, nth: int) -> tuple[int, str]:
    """Where an address the renderer emitted is written: at the '[' or '<' of its link, or at
    the address itself (a reference definition); the text's start if it cannot be found."""
    at = -1
    start = 0
    for __ in range(nth + 1):
        found = text.find(url, start) if url else -1
        if found < 0:
            break
        at, start = found, found + 1
    if at < 0:
        return 0, text[:20].split("\n")[0]
    before = at
    while before > 0 and text[before - 1] in " \n<":
        if text[before - 1] == "<" and (before < 2 or text[before - 2] != "("):
            return before - 1, "<" + _word_at(text, at, at + len(url))
        before -= 1
    if before > 0 and text[before - 1] == "(" and before > 1 and text[before - 2] == "]":
        depth = 0
        position = before - 2
        while position >= 0:  # back to the '[' that opens the link text
            ch = text[position]
            if ch == "]":
                depth += 1
            elif ch == "[":
                depth -= 1
                if depth == 0:
                    start = position - 1 if position > 0 and text[position - 1] == "!" else position
                    return start, _word_at(text, start, at)
            position -= 1
    return at, _word_at(text, at, at + len(url))


def _reader_findings(text: str, links: tuple[str, ...], images: tuple[str, ...]) -> list[TextFinding]:
    findings = []
    image_at = -1
    for src in images:
        image_at = text.find("![", image_at + 1)
        start, snippet = (image_at, "![") if image_at >= 0 else _locate_address(text, src, 0)
        findings.append(TextFinding(start, snippet,
                                    _("an image (![...](...)); images are not supported in report texts")))
    seen: dict[str, int] = {}
    for url in links:
        problem = _link_problem(url)
        nth = seen.get(url, 0)
        seen[url] = nth + 1
        if problem:
            start, snippet = _locate_address(text, url, nth)
            findings.append(TextFinding(start, snippet, problem))
    return findings


# What can make a link or an image, or make the visible text differ from the written one
# beyond spaces and line breaks: brackets, emphasis, code, escapes, HTML, entities, quotes, headings.
_SIGNIFICANT_MARKUP = re.compile(r"[\[\]*_`\\<>&!#]")


def _without_raw_html(text: str) -> str:
    """`text` with each raw HTML tag, entity and unsafe autolink blanked (line breaks kept), so that the links
    and images written beside them are still rendered and located; offsets stay those of the
    written text."""
    chars = list(text)

    def blank(start: int, end: int) -> None:
        for position in range(start, end):
            if chars[position] != "\n":
                chars[position] = " "

    for match in _HTML.finditer(text):
        end = text.find(">", match.start())
        blank(match.start(), len(text) if end < 0 else end + 1)
    for match in _ENTITY.finditer(text):
        blank(match.start(), match.end())
    for match in _AUTOLINK.finditer(text):  # unsafe ones are reported by _autolink_findings
        if _link_problem(match.group(1) + ":"):
            blank(match.start(), match.end())
    return "".join(chars)


def check_text(text: str, markdown: bool, allowed: Iterable[str] = ()) -> list[TextFinding]:
    """Every problem in one text: raw HTML, entities, unsafe links and images, CPR-shaped numbers,
    and texts over the limits; each with its offset in the text, in order of appearance.

    `allowed` holds the texts listed under `allow_identifiers`.
    """
    findings = _html_findings(text) + _entity_findings(text) + _autolink_findings(text)
    reader_text = None
    if markdown:
        limits = _limit_findings(text)
        findings += limits
        # Rendered only when nothing could slow the renderer, and when there is Markdown that
        # could make a link or change the letters a reader sees; without it the reader sees the
        # written text, which the folded reading below already covers. Raw HTML and entities,
        # already reported above, are blanked first so that the links and images written beside
        # them are still judged (every problem in one run).
        if not limits and _SIGNIFICANT_MARKUP.search(text):
            readable = _without_raw_html(text)
            try:
                view = reader_view(readable)
            except RecursionError:  # pragma: no cover - the nesting limit comes first
                findings.append(TextFinding(0, text[:20], _("lists or quotes nested too deep")))
            else:
                reader_text = view.text
                findings += _capped(_reader_findings(readable, view.links, view.images), _("unsafe links or images"))
    elif len(text) > MAX_TEXT_CHARS:
        findings += _limit_findings(text)
    findings += _capped(identifier_findings(text, markdown, allowed, reader_text), _("CPR-shaped numbers"))
    unique: dict[tuple[int, str], TextFinding] = {}
    for finding in findings:
        unique.setdefault((finding.start, finding.message), finding)
    return sorted(unique.values(), key=lambda f: f.start)

