"""Strict YAML reading: bytes -> a tree of located nodes, nothing else.

The tree holds only strings, lists and mappings, each with its line and
column, so later stages can point at the exact place of a problem. Nothing
is typed here: whether `NO` or `012` is text or a number is decided by the
schema, where the field says what it expects. YAML features that surprise
people editing by hand are refused while parsing, before any data is built:
anchors and aliases (so an alias bomb costs nothing), tags, duplicate keys,
tabs, non-UTF-8 bytes, several documents in one file.

It is one module of some 430 lines because every refusal happens on the way
from bytes to nodes (file checks, decoding, the strict composer): read in
order, it shows everything a file can fail on before any field is looked at.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

try:  # libyaml's parser is much faster; the pure-Python one gives the same events
    _Parser = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = yaml.BaseLoader

from .messages import _, N_
from .errors import Problem, describe_os_error
from .textfiles import split_bom

MAX_FILE_BYTES = 1_000_000
MAX_PROBLEMS_PER_FILE = 25


class Node:
    __slots__ = ("line", "column", "end_line")

    def __init__(self, line: int, column: int, end_line: int):
        self.line = line
        self.column = column
        self.end_line = end_line


class Scalar(Node):
    """A scalar exactly as written. `style` is None for plain, else one of ' \" | >."""

    __slots__ = ("value", "style")

    def __init__(self, value: str, style: str | None, line: int, column: int, end_line: int):
        self.line = line
        self.column = column
        self.end_line = end_line
        self.value = value
        self.style = style

    @property
    def is_null(self) -> bool:
        """True for an empty plain value (`key:`), `~` or `null`."""
        return self.style is None and self.value in ("", "~", "null", "Null", "NULL")

    def __repr__(self) -> str:
        return f"Scalar({self.value!r}@{self.line}:{self.column})"


class Mapping(Node):
    """A mapping; `items` maps each key's text to (key node, value node), in file order."""

    __slots__ = ("items",)

    def __init__(self, line: int, column: int):
        super().__init__(line, column, line)
        self.items: dict[str, tuple[Scalar, Node]] = {}


class Sequence(Node):
    __slots__ = ("items",)

    def __init__(self, line: int, column: int):
        super().__init__(line, column, line)
        self.items: list[Node] = []


KIND_NAMES = {Scalar: N_("a single value"), Mapping: N_("a set of `key: value` fields"), Sequence: N_("a list")}


@dataclass
class Source:
    """One read file: its display path, its lines (for locating text), and its tree."""

    path: Path
    display: str
    lines: list[str]
    root: Node | None
    data: bytes = field(default=b"", repr=False)  # the bytes read


# A preview reads the same unchanged files after every save: with remember_parsed(True),
# each file read without a problem keeps its tree, reused while its bytes are the same.
_PARSED: dict[tuple[Path, str], tuple[bytes, Source]] | None = None


def remember_parsed(on: bool) -> None:
    global _PARSED
    _PARSED = {} if on else None


def read_yaml(path: Path, display: str, problems: list[Problem]) -> Source:
    """Read one YAML file strictly; append every problem found to `problems`."""
    start = len(problems)
    source = _read_yaml(path, display, problems)
    if _PARSED is not None and source.root is not None and len(problems) == start:
        _PARSED[(path, display)] = (source.data, source)
    return source


def _read_yaml(path: Path, display: str, problems: list[Problem]) -> Source:
    def fail(line: int, column: int, message: str) -> Source:
        problems.append(Problem(display, line, column, message))
        return Source(path, display, [], None)

    data = read_file_bytes(path)
    if isinstance(data, str):
        return fail(1, 1, data)
    kept = _PARSED.get((path, display)) if _PARSED is not None else None
    if kept is not None and kept[0] == data:
        return kept[1]
    text = _decode(data, display, problems)
    if text is None:
        return Source(path, display, [], None)
    lines = text.split("\n")
    found_tab = False
    for number, line in enumerate(lines, 1):
        column = line.find("\t")
        if column >= 0:
            found_tab = True
            problems.append(
                Problem(
                    display,
                    number,
                    column + 1,
                    _("a tab character; YAML needs spaces here (set your editor to insert spaces for tabs)"),
                )
            )
    if found_tab:
        return Source(path, display, lines, None)
    if _control_characters(text, display, problems):
        return Source(path, display, lines, None)
    if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        return fail(1, 1, _("the file is empty; expected the fields of a report (see the other files in the folder)"))
    before = len(problems)
    root = _compose(text, display, problems)
    if len(problems) > before:
        root = None
    return Source(path, display, lines, root, data)


def read_file_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes | str:
    """The bytes of a regular file of at most `limit` bytes, or why they cannot be read (a message).

    Only regular files are opened: a named pipe would block forever, a device such as
    /dev/zero never ends, a folder cannot be read. Opened without blocking, and checked
    again once open, so a file swapped meanwhile cannot block either.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _("the file is missing (or a link to a file that does not exist)")
    except OSError as exc:
        return _("cannot read the file: {reason}").format(reason=describe_os_error(exc))
    kind = _not_a_file(info.st_mode)
    if kind:
        return kind
    if info.st_size > limit:
        return (_("the file is {value:.1f} MB; a group file may be at most {value2:.0f} MB (is it the right"
          " file?)").format(value=info.st_size / 1_000_000, value2=limit / 1_000_000))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return _("cannot read the file: {reason}").format(reason=describe_os_error(exc))
    try:
        kind = _not_a_file(os.fstat(fd).st_mode)
        if kind:
            return kind
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return _("cannot read the file: {reason}").format(reason=describe_os_error(exc))
    finally:
        os.close(fd)
    if size > limit:
        return (_("the file is over {value:.0f} MB; a group file may be at most {value:.0f} MB (is it the "
          "right file?)").format(value=limit / 1_000_000))
    return b"".join(chunks)


def _not_a_file(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return _("this is a folder, not a file; expected a YAML file here (move the folder away)")
    what = _("a named pipe") if stat.S_ISFIFO(mode) else "a device" if (stat.S_ISCHR(mode) or stat.S_ISBLK(mode)) \
        else "a socket" if stat.S_ISSOCK(mode) else _("not a regular file")
    return _("this is {what}, not a file; expected a YAML file saved by an editor").format(what=what)


# Characters YAML does not allow in a file (tab is reported on its own, with its own advice).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def _control_characters(text: str, display: str, problems: list[Problem]) -> bool:
    """Report each invisible control character at its line and column; True if there was one."""
    found = 0
    for match in _CONTROL.finditer(text):
        if found == MAX_PROBLEMS_PER_FILE:
            break
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        problems.append(Problem(display, line, column,
                                _("an invisible control character (U+{code:04X}); delete it and retype the text around it").format(
                                    code=ord(match.group()))))
        found += 1
    return found > 0


def _decode(data: bytes, display: str, problems: list[Problem]) -> str | None:
    __, data = split_bom(data)  # a UTF-8 byte order mark, as some Windows editors write it
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    reported = 0
    for number, raw in enumerate(data.split(b"\n"), 1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
            byte = raw[exc.start]
            problems.append(
                Problem(
                    display,
                    number,
                    column,
                    _("byte 0x{byte:02X} is not UTF-8 text; save the file with the encoding UTF-8 (often 'æ', "
                      "'ø' or 'å' typed in another encoding)").format(byte=byte),
                )
            )
            reported += 1
            if reported >= MAX_PROBLEMS_PER_FILE:
                break
    return None


_PARSER_HINTS = {
    "mapping values are not allowed": N_("a ':' where none was expected; check this line's indentation against the lines above, "
      "and put text containing ': ' in quotes"),
    "could not find expected ':'": N_("a line that is not `key: value`; check the indentation and that text containing ':' or "
      "'#' is quoted"),
    "did not find expected key": N_("the indentation does not match the fields above; line up fields with spaces"),
    "did not find expected '-' indicator": N_("a list item out of line; line up the '-' of each item"),
    "found character that cannot start any token": N_("a character that cannot start a value here (for example '@' or '`'); put the text in "
      "quotes"),
    "found undefined tag handle": N_("an unknown '!' tag; tags are not allowed, remove the '!'"),
    "found unexpected end of stream": N_("the file ends inside a quoted text; close the quote"),
    "found unknown escape character": N_("an unknown backslash escape inside double quotes; use single quotes or write \\\\"),
    "did not find expected node content": N_("a value is missing here"),
    "while scanning a simple key": N_("a line that is not `key: value`; check the indentation"),
    "found a tab character": N_("a tab character; YAML needs spaces here"),
    "while scanning a block scalar": N_("the text after '|' or '>' is not indented under its key"),
    "control characters are not allowed": N_("an invisible control character; delete it and retype the text"),
}


def _explain(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "") + " " + (exc.context or "")
    for needle, hint in _PARSER_HINTS.items():
        if needle in problem:
            return f"{_(hint)} (YAML: {exc.problem})"
    return _("this is not valid YAML: {value}").format(value=exc.problem or exc.context)


def _compose(text: str, display: str, problems: list[Problem]) -> Node | None:
    """Build the node tree from parser events, refusing anchors, aliases and tags."""
    parser = _Parser(text)
    get_event = parser.get_event
    stack: list[Node] = []
    pending_keys: list[Scalar | None] = []  # per open mapping: the key awaiting its value
    root: Node | None = None
    local: list[Problem] = []

    def problem(mark, message: str) -> None:
        local.append(Problem(display, mark.line + 1, mark.column + 1, message))

    def attach(node: Node, mark) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        if type(parent) is Sequence:
            parent.items.append(node)
            return
        key = pending_keys[-1]
        if key is not None:
            parent.items[key.value] = (key, node)
            pending_keys[-1] = None
            return
        if type(node) is not Scalar:
            problem(mark, _("a key must be a plain word followed by ':', not a list or a set of fields"))
            pending_keys[-1] = Scalar("", None, node.line, node.column, node.line)
            return
        if node.value in parent.items:
            first = parent.items[node.value][0]
            problem(
                mark,
                _("the key '{value}' appears twice in the same block (first on line {line}); keep one of them").format(
                    value=node.value, line=first.line),
            )
        pending_keys[-1] = node

    try:
        _read_events(get_event, stack, pending_keys, attach, problem, local)
    except yaml.MarkedYAMLError as exc:
        local.append(_syntax_problem(exc, display))
    except yaml.reader.ReaderError as exc:  # unprintable characters
        local.append(_unprintable_problem(exc, text, display))
    finally:
        parser.dispose()
    problems.extend(local)
    return root


def _read_events(get_event, stack: list[Node], pending_keys: list[Scalar | None], attach, problem,
                 local: list[Problem]) -> None:
    """Turn parser events into nodes until the stream ends or reading must stop."""
    documents = 0
    scalar_event = yaml.ScalarEvent
    mapping_start = yaml.MappingStartEvent
    mapping_end = yaml.MappingEndEvent
    sequence_start = yaml.SequenceStartEvent
    sequence_end = yaml.SequenceEndEvent
    alias_event = yaml.AliasEvent
    document_start = yaml.DocumentStartEvent
    stream_end = yaml.StreamEndEvent

    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            if event.anchor is not None or event.tag is not None:
                _refuse_anchor_or_tag(event, problem)
            mark = event.start_mark
            node = Scalar(event.value, event.style or None, mark.line + 1, mark.column + 1,
                          event.end_mark.line + 1)
            if stack:
                parent = stack[-1]
                if type(parent) is Mapping and pending_keys[-1] is not None:
                    key = pending_keys[-1]
                    parent.items[key.value] = (key, node)
                    pending_keys[-1] = None
                    continue
            attach(node, mark)
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None:
                _refuse_anchor_or_tag(event, problem)
            mark = event.start_mark
            node = (Mapping if kind is mapping_start else Sequence)(mark.line + 1, mark.column + 1)
            attach(node, mark)
            stack.append(node)
            pending_keys.append(None)
        elif kind is mapping_end or kind is sequence_end:
            node = stack.pop()
            pending_keys.pop()
            node.end_line = event.end_mark.line + 1
        elif kind is alias_event:
            problem(
                event.start_mark,
                _("an alias (*{anchor}) refers to another part of the file; aliases are not allowed, write "
                  "the value out in full").format(anchor=event.anchor),
            )
            break  # never expanded, so nothing to fear; but stop reading such a file
        elif kind is document_start:
            documents += 1
            if documents > 1:
                problem(event.start_mark, _("a second document ('---'); a file holds exactly one report"))
                break
        elif kind is stream_end:
            break
        if len(local) >= MAX_PROBLEMS_PER_FILE:
            break


def _syntax_problem(exc: yaml.MarkedYAMLError, display: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    if mark is not None:
        return Problem(display, mark.line + 1, mark.column + 1, _explain(exc))
    return Problem(display, 1, 1, _explain(exc))  # pragma: no cover - libyaml always gives a mark


def _unprintable_problem(exc: yaml.reader.ReaderError, text: str, display: str) -> Problem:
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    character = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return Problem(display, line, column,
                   _("an invisible control character (U+{code:04X}); delete it and retype the text around it").format(
                       code=ord(character)))


def _refuse_anchor_or_tag(event, problem) -> None:
    if event.anchor is not None:
        problem(
            event.start_mark,
            _("an anchor (&{anchor}); anchors and aliases are not allowed, write the value out in full").format(
                anchor=event.anchor),
        )
    if event.tag is not None:
        problem(
            event.start_mark,
            _("a YAML tag ({tag}); tags are not allowed, remove it and write the plain value").format(
                tag=event.tag.replace('tag:yaml.org,2002:', '!!')),
        )


def node_kind(node: Node) -> str:
    """Describe a node's kind in words for messages."""
    return _(KIND_NAMES[type(node)])
