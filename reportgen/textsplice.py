"""Splicing YAML text line by line: replace some lines of a file and keep every other byte.

`reportgen import-stats` and `reportgen new-edition` change a group file in
place: the node tree (`reportgen.yamlsource`) says which lines hold a value,
and these helpers split the text where libyaml counts a new line, keep its
line endings, and find where the next key begins (reading and the byte order mark:
`reportgen.textfiles`).
"""

from __future__ import annotations

import re

from .yamlsource import Mapping, Node

# The line breaks libyaml counts, so text lines match the node tree's line numbers.
LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    """Lines with their line breaks, split where libyaml counts a new line."""
    lines = []
    start = 0
    for match in LINE_BREAK.finditer(text):
        lines.append(text[start:match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def ends_line(line: str) -> bool:
    return bool(LINE_BREAK.search(line[-2:]))


def line_ending(lines: list[str], number: int) -> str:
    match = LINE_BREAK.search(lines[number - 1]) if number <= len(lines) else None
    if match is None:
        match = next((LINE_BREAK.search(line) for line in lines if ends_line(line)), None)
    return match.group(0) if match else "\n"


def char_at(lines: list[str], node: Node) -> str:
    line = lines[node.line - 1] if node.line <= len(lines) else ""
    return line[node.column - 1: node.column]


def line_after(mapping: Mapping, key: str) -> int | None:
    """The line of the key that follows `key` in `mapping`, if any."""
    keys = list(mapping.items)
    index = keys.index(key)
    return mapping.items[keys[index + 1]][0].line if index + 1 < len(keys) else None
