"""Merge a statistics export from the genome center (CSV) into the group files.

The export has one row per month, region, group and indication, and a header
row naming these columns, in any order:

| column       | what it holds                                                      |
|--------------|--------------------------------------------------------------------|
| `month`      | the month, written YYYY-MM (e.g. 2024-05)                          |
| `region`     | a region key from reportgen.yaml (e.g. hovedstaden)                |
| `group`      | a group id, the name of its file in groups/ without .yaml          |
| `indication` | one of that group's indication codes (e.g. NY1)                    |
| `patients`   | unique patients (probands) referred for WGS that month             |
| `germline`   | germline samples sequenced (WGS analyses)                          |
| `somatic`    | somatic (tumour) samples sequenced                                 |
| `rna`        | RNA samples sequenced                                              |
| `diagnosed`  | patients with a clinically relevant finding                        |

Values are separated by `;` (as Danish Excel writes them) or `,`, whichever
the header row uses. A UTF-8 byte order mark and Windows line endings are
fine; empty lines are skipped. Counts are whole numbers of 0 or more.

For every group named in the export, the rows replace that group's whole
`statistics.monthly` list; groups not named are left alone. The rows are
written one per line in the canonical form the shipped files use, sorted by
month, then region (in reportgen.yaml's order), then indication code; rows
whose counts are all zero are left out. Every other byte of the file stays as
it was: texts, comments, key order, quoting, line endings. Comments *between*
the old rows go with the old rows.

Nothing is written unless every row of the export is valid and every merged
file passes the same loader as `reportgen check`. A problem is reported as
`FILE.csv:LINE:COLUMN: message`, where COLUMN is the CSV column (1 is the
first), as a spreadsheet counts them.
"""

from __future__ import annotations

import csv
import gc
import io
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import model as m
from .errors import InputError, Problem, UsageError, relative_path
from .loader import CONFIG_FILE, GROUPS_DIR, load_project
from .schema import did_you_mean
from .writer import write_text
from .yamlsource import Mapping, Node, Source
from .yamlsource import Sequence as SequenceNode

COLUMNS = ("month", "region", "group", "indication", "patients", "germline", "somatic", "rna", "diagnosed")
COUNT_COLUMNS = ("patients", "germline", "somatic", "rna", "diagnosed")

_UTF8_BOM = b"\xef\xbb\xbf"
# The line breaks libyaml counts, so text lines match the node tree's line numbers.
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_CODE_PARTS = re.compile(r"([^0-9]*)([0-9]*)(.*)")


# --- reading the export -------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    """One valid row of the export: the group it belongs to and the CSV line it came from."""

    group: str
    row: m.MonthlyRow
    line: int


def read_export(path: Path, project: m.Project, display: str | None = None) -> list[ExportRow]:
    """Read and validate the export at `path` against `project`; raise InputError listing every bad row."""
    display = display or relative_path(path, None)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read '{display}': {exc.strerror or exc}") from None
    return parse_export(data, project, display)


def parse_export(data: bytes, project: m.Project, display: str) -> list[ExportRow]:
    """Validate the bytes of an export (see `read_export`)."""
    problems: list[Problem] = []
    text = _decode(data, display, problems)
    records = _records(text, display, problems) if text is not None else []
    if problems:
        raise InputError(problems)
    if not records:
        raise InputError([Problem(display, 1, 1, "the file is empty; expected a header row naming the columns "
                                                 + ", ".join(COLUMNS))])
    header_line, header = records[0]
    while header and not header[-1]:
        header = header[:-1]  # a spreadsheet's empty cells after the last column
    columns = _columns(header, display, header_line, problems)
    if not problems and len(records) == 1:
        problems.append(Problem(display, header_line, 1, "the file has a header but no rows; expected one row "
                                                         "per month, region, group and indication"))
    if problems:
        raise InputError(problems)
    rows = _RowChecker(project, display, columns, problems).check_all(records[1:])
    if problems:
        raise InputError(problems)
    return rows


def _decode(data: bytes, display: str, problems: list[Problem]) -> str | None:
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]  # Excel's "CSV UTF-8" starts with a byte order mark
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(display, line, 1,
                                f"byte 0x{data[exc.start]:02X} is not UTF-8 text; save the export as "
                                "'CSV UTF-8' (in Danish Excel: 'CSV UTF-8 (kommasepareret)')"))
        return None


def _records(text: str, display: str, problems: list[Problem]) -> list[tuple[int, list[str]]]:
    """The non-empty CSV records, each with the line it starts on."""
    first_line = _LINE_BREAK.split(text, maxsplit=1)[0]
    delimiter = ";" if first_line.count(";") >= max(1, first_line.count(",")) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = []
    line = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append((line, [cell.strip() for cell in record]))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(display, line, 1, f"this line is not valid CSV ({exc}); "
                                                  "check that every opening quote (\") is closed"))
    if records and "\t" in first_line and len(records[0][1]) == 1:
        problems.append(Problem(display, records[0][0], 1, "the columns are separated by tabs; "
                                                           "save the export as CSV, with ';' or ','"))
    return records


def _columns(header: list[str], display: str, line: int, problems: list[Problem]) -> dict[str, int]:
    """Map each known column name to its index in the header; report unknown, missing and repeated ones."""
    columns: dict[str, int] = {}
    names = [raw.lower() for raw in header]
    suggested = set()
    for index, (raw, name) in enumerate(zip(header, names)):
        if not name:
            problems.append(Problem(display, line, index + 1,
                                    f"column {index + 1} of the header has no name; expected one of: "
                                    f"{', '.join(COLUMNS)}"))
        elif name not in COLUMNS:
            close = did_you_mean(name, [c for c in COLUMNS if c not in names])
            if close:
                suggested.add(close.split("'")[1])  # its own message names the column; no "missing" too
            problems.append(Problem(display, line, index + 1, f"unknown column '{raw}'"
                                    + (close or f"; expected the columns {', '.join(COLUMNS)}")))
        elif name in columns:
            problems.append(Problem(display, line, index + 1,
                                    f"the column '{name}' appears twice (columns {columns[name] + 1} and "
                                    f"{index + 1}); keep one of them"))
        else:
            columns[name] = index
    missing = [c for c in COLUMNS if c not in columns and c not in suggested]
    if missing:
        problems.append(Problem(display, line, 1,
                                f"the header has no column {', '.join(repr(c) for c in missing)}; "
                                f"the export needs the columns {', '.join(COLUMNS)}"))
    return columns


class _RowChecker:
    """Checks each row against the project, collecting every problem with its line and column."""

    def __init__(self, project: m.Project, display: str, columns: dict[str, int], problems: list[Problem]):
        self.display = display
        self.columns = columns
        self.width = max(columns.values()) + 1
        self.problems = problems
        self.groups = {g.id: g for g in project.groups}
        self.group_ids = sorted(self.groups)
        self.regions = list(project.config.regions)
        self.codes = {g.id: [i.code for i in g.indications] for g in project.groups}
        self.periods = {g.id: (m.Month.of(g.in_operation_since), m.Month.of(g.statistics.as_of))
                        for g in project.groups}
        self.months: dict[str, m.Month] = {}  # an export repeats each month many times

    def fail(self, line: int, column: str | None, message: str) -> None:
        index = self.columns[column] + 1 if column else 1
        self.problems.append(Problem(self.display, line, index, message))

    def check_all(self, records: Iterable[tuple[int, list[str]]]) -> list[ExportRow]:
        rows: list[ExportRow] = []
        first_line: dict[tuple, int] = {}
        for line, cells in records:
            if len(cells) < self.width or any(cells[self.width:]):  # empty cells at the end are harmless
                self.fail(line, None, f"the line has {len(cells)} values, but the header names "
                                      f"{self.width} columns; give one value per column")
                continue
            row = self.check(line, cells)
            if row is None:
                continue
            key = (row.group, row.row.month, row.row.region, row.row.indication)
            if key in first_line:
                self.fail(line, None, f"a second row for {row.group}, {row.row.month}, {row.row.region}, "
                                      f"{row.row.indication} (the first is on line {first_line[key]}); "
                                      "merge them into one row")
                continue
            first_line[key] = line
            rows.append(row)
        return rows

    def check(self, line: int, cells: list[str]) -> ExportRow | None:
        """The row, or None if it has problems (each reported)."""
        value = {name: cells[index] for name, index in self.columns.items()}
        before = len(self.problems)
        group_id = value["group"]
        if group_id not in self.groups:
            self.fail(line, "group", (f"'group' is {_shown(group_id)}, which is not a group of this project "
                                      "(the file names in groups/)" + did_you_mean(group_id, self.group_ids))
                      if group_id else "'group' is empty; expected a group id, the name of its file in groups/")
            group_id = None
        month = self.month(line, value["month"], group_id)
        region = value["region"]
        if region not in self.regions:
            self.fail(line, "region", f"'region' is {_shown(region)}, which is not a region in reportgen.yaml "
                                      f"({', '.join(self.regions)}){did_you_mean(region, self.regions)}")
        code = value["indication"]
        if group_id is not None and code not in self.codes[group_id]:
            codes = self.codes[group_id]
            self.fail(line, "indication", f"'indication' is {_shown(code)}, which is not one of the indications "
                                          f"of {group_id} ({', '.join(codes)}){did_you_mean(code, codes)}")
        counts = {}
        for name in COUNT_COLUMNS:
            text = value[name]
            counts[name] = int(text) if text.isascii() and text.isdigit() else self.count(line, name, text)
        if None not in counts.values():
            analyses = m.Analyses(counts["germline"], counts["somatic"], counts["rna"])
            if counts["diagnosed"] > counts["patients"]:
                self.fail(line, "diagnosed", f"'diagnosed' is {counts['diagnosed']}, more than 'patients' "
                                             f"({counts['patients']}); diagnosed patients are counted among "
                                             "the patients")
            if counts["patients"] > analyses.total:
                self.fail(line, "patients", f"'patients' is {counts['patients']}, more than the WGS analyses "
                                            f"(germline + somatic + rna = {analyses.total}); every patient has "
                                            "at least one analysis")
        if len(self.problems) > before:
            return None
        row = m.MonthlyRow(month, region, code, counts["patients"], analyses, counts["diagnosed"])
        return ExportRow(group_id, row, line)

    def month(self, line: int, text: str, group_id: str | None) -> m.Month | None:
        month = self.months.get(text)
        if month is None:
            month = self.months[text] = _parse_month(text)
        if month is _INVALID_MONTH:
            hint = ""
            if text and not re.fullmatch(r"[0-9]{4}-[0-9]{1,2}", text):
                hint = " (a spreadsheet may have turned it into a date; format the column as text)"
            self.fail(line, "month", f"'month' is {_shown(text)}; expected a month written YYYY-MM, "
                                     f"e.g. 2024-05{hint}")
            return None
        if group_id is not None:
            start, end = self.periods[group_id]
            if not start <= month <= end:
                group = self.groups[group_id]
                self.fail(line, "month", f"'month' is {month}, outside the period of {group_id}: from {start} "
                                         f"(in operation since {group.in_operation_since}) to {end} (statistics "
                                         f"as of {group.statistics.as_of}); for newer figures, first update "
                                         f"'statistics.as_of' in groups/{group_id}.yaml")
        return month

    def count(self, line: int, column: str, text: str) -> None:
        """Report why `text` is not a count (digits are taken before this is called)."""
        if not text:
            message = f"'{column}' is empty; expected a whole number (0 or more), 0 for none"
        elif re.fullmatch(r"-\s*[0-9]+([.,][0-9]+)?", text):
            message = f"'{column}' is {text}; a count cannot be negative"
        elif re.fullmatch(r"[0-9][0-9., ]*", text):
            message = (f"'{column}' is {text}; expected a whole number written with digits only, "
                       "without decimals or thousands separators")
        else:
            message = f"'{column}' is {_shown(text)}; expected a whole number (0 or more)"
        self.fail(line, column, message)
        return None


_INVALID_MONTH = m.Month(0, 0)


def _parse_month(text: str) -> m.Month:
    match = _MONTH.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return _INVALID_MONTH
    return m.Month(int(match.group(1)), int(match.group(2)))


def _shown(text: str) -> str:
    if not text:
        return "empty"
    return f"'{text}'" if len(text) <= 40 else f"'{text[:37]}...'"


# --- merging into the group files ---------------------------------------------


@dataclass(frozen=True)
class GroupChange:
    """What an import does to one group file: its rows and text before and after."""

    group: m.Group
    path: Path
    display: str
    old_text: str
    new_text: str
    old_rows: tuple[m.MonthlyRow, ...]
    new_rows: tuple[m.MonthlyRow, ...]

    @property
    def text_changed(self) -> bool:
        return self.old_text != self.new_text

    def row_changes(self) -> dict[str, int]:
        """How many rows are added, removed, changed and unchanged (keyed by month, region, indication)."""
        old = {_row_key(r): r for r in self.old_rows}
        new = {_row_key(r): r for r in self.new_rows}
        kept = old.keys() & new.keys()
        unchanged = sum(1 for key in kept if old[key] == new[key])
        return {"added": len(new.keys() - old.keys()), "removed": len(old.keys() - new.keys()),
                "changed": len(kept) - unchanged, "unchanged": unchanged}


def _row_key(row: m.MonthlyRow) -> tuple:
    return (row.month, row.region, row.indication)


def totals(rows: Iterable[m.MonthlyRow]) -> dict[str, int]:
    """Patients, WGS analyses and diagnosed patients summed over `rows`."""
    patients = analyses = diagnosed = 0
    for row in rows:
        patients += row.patients
        analyses += row.analyses.total
        diagnosed += row.diagnosed
    return {"patients": patients, "analyses": analyses, "diagnosed": diagnosed}


def canonical_rows(rows: Iterable[m.MonthlyRow], regions: Sequence[str]) -> tuple[m.MonthlyRow, ...]:
    """The rows to write: all-zero rows left out, sorted by month, region (settings order), indication code."""
    order = {key: index for index, key in enumerate(regions)}
    kept = [r for r in rows if r.patients or r.analyses.total or r.diagnosed]
    return tuple(sorted(kept, key=lambda r: (r.month, order[r.region], _code_key(r.indication))))


def _code_key(code: str) -> tuple:
    # Natural order (HJ2 before HJ10), as the shipped files have it. Not the order of the group's
    # indications: a clinician moving an indication up should not reshuffle every statistics row.
    prefix, number, suffix = _CODE_PARTS.fullmatch(code).groups()
    return (prefix, int(number) if number else -1, suffix)


def format_row(row: m.MonthlyRow) -> str:
    """One row in the canonical one-line flow style, without indentation or line break."""
    a = row.analyses
    return (f"- {{month: {row.month}, region: {row.region}, indication: {row.indication}, "
            f"patients: {row.patients}, analyses: {{germline: {a.germline}, somatic: {a.somatic}, "
            f"rna: {a.rna}}}, diagnosed: {row.diagnosed}}}")


def plan_import(project: m.Project, rows: Iterable[ExportRow], sources: dict[Path, Source]) -> list[GroupChange]:
    """The change to each group named in the export, computed in memory; nothing is written.

    `sources` holds the group files' parsed trees, as `load_project(root, sources)` fills it.
    """
    by_group: dict[str, list[m.MonthlyRow]] = {}
    for row in rows:
        by_group.setdefault(row.group, []).append(row.row)
    regions = list(project.config.regions)
    changes = []
    problems: list[Problem] = []
    for group_id in sorted(by_group):
        group = project.group(group_id)
        display = relative_path(group.path, project.root)
        new_rows = canonical_rows(by_group[group_id], regions)
        old_text = _read_text(group.path)
        source = sources[group.path]
        if "\n".join(source.lines) != old_text.removeprefix("\ufeff"):
            problems.append(Problem(display, 1, 1, _CHANGED_MEANWHILE))
            continue
        new_text = replace_monthly(old_text, source.root, new_rows, display, problems)
        if new_text is not None:
            changes.append(GroupChange(group, group.path, display, old_text, new_text,
                                       group.statistics.monthly, new_rows))
    if problems:
        raise InputError(problems)
    return changes


_CHANGED_MEANWHILE = "the file was changed by someone else during the import; run the import again"


def _read_text(path: Path) -> str:
    """The file's text, a byte order mark kept as U+FEFF so writing it back gives the same bytes."""
    data = path.read_bytes()
    if data.startswith(_UTF8_BOM):
        return "\ufeff" + data[len(_UTF8_BOM):].decode("utf-8")
    return data.decode("utf-8")


def replace_monthly(text: str, root: Mapping, rows: Sequence[m.MonthlyRow], display: str,
                    problems: list[Problem]) -> str | None:
    """`text` with its `statistics.monthly` list replaced by `rows`, in place, line for line.

    `root` is the file's node tree (from a loaded, valid file): it gives the
    lines to replace; nothing is re-dumped. Returns None, with a problem, if the
    list cannot be replaced without touching other text.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = _split_lines(text[len(bom):])
    stats_key, stats = root.items["statistics"]
    if not isinstance(stats, Mapping) or _char_at(lines, stats) == "{":
        problems.append(Problem(display, stats_key.line, stats_key.column,
                                "'statistics' is written as {...}; to import figures, write it as a block "
                                "with 'as_of:', 'source:' and 'monthly:' on lines of their own, as in the "
                                "other group files"))
        return None
    eol = _line_ending(lines, stats_key.line)
    entry = stats.items.get("monthly")
    if entry is None:
        if not rows:
            return text
        source_key, _ = stats.items["source"]
        after = _value_end(lines, root, stats, "source")
        indent = " " * (source_key.column - 1)
        new = [f"{indent}monthly:{eol}"] + _row_lines(rows, indent + "  ", eol)
        if not _ends_line(lines[after - 1]):  # 'source' ends the file without a line break
            new = [eol] + new
        return bom + "".join(lines[:after] + new + lines[after:])
    key, value = entry
    end = _value_end(lines, root, stats, "monthly")
    key_indent = " " * (key.column - 1)
    if isinstance(value, SequenceNode) and value.items and _char_at(lines, value) == "-":
        start, indent = value.line, " " * (value.column - 1)  # keep the lines between 'monthly:' and the list
    else:  # `monthly: []`, `monthly:` with nothing, or a list in [...]: rewrite from the key on
        start, indent = key.line, key_indent + "  "
    if rows:
        new = ([f"{key_indent}monthly:{eol}"] if start == key.line else []) + _row_lines(rows, indent, eol)
    else:
        start = key.line
        new = [f"{key_indent}monthly: []{eol}"]
    if not _ends_line(lines[end - 1]):
        new[-1] = new[-1][: -len(eol)]  # the file ended without a line break; keep it so
    return bom + "".join(lines[: start - 1] + new + lines[end:])


def _split_lines(text: str) -> list[str]:
    """Lines with their line breaks, split where libyaml counts a new line."""
    lines = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[start:match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def _ends_line(line: str) -> bool:
    return bool(_LINE_BREAK.search(line[-2:]))


def _line_ending(lines: list[str], number: int) -> str:
    match = _LINE_BREAK.search(lines[number - 1]) if number <= len(lines) else None
    if match is None:
        match = next((_LINE_BREAK.search(line) for line in lines if _ends_line(line)), None)
    return match.group(0) if match else "\n"


def _char_at(lines: list[str], node: Node) -> str:
    line = lines[node.line - 1] if node.line <= len(lines) else ""
    return line[node.column - 1: node.column]


def _value_end(lines: list[str], root: Mapping, stats: Mapping, key: str) -> int:
    """The last line of `key`'s value in `statistics`, leaving out blank and comment lines at its end."""
    following = _line_after(stats, key) or _line_after(root, "statistics") or len(lines) + 1
    first = stats.items[key][0].line
    end = following - 1
    while end > first and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def _line_after(mapping: Mapping, key: str) -> int | None:
    """The line of the key that follows `key` in `mapping`, if any."""
    keys = list(mapping.items)
    index = keys.index(key)
    return mapping.items[keys[index + 1]][0].line if index + 1 < len(keys) else None


def _row_lines(rows: Sequence[m.MonthlyRow], indent: str, eol: str) -> list[str]:
    return [f"{indent}{format_row(row)}{eol}" for row in rows]


def check_merged(project: m.Project, changes: Sequence[GroupChange]) -> None:
    """Run the full loader on a copy of the project holding the merged texts; raise InputError if it fails."""
    changed = [c for c in changes if c.text_changed]
    if not changed:
        return
    with tempfile.TemporaryDirectory(prefix="reportgen-import-") as folder:
        copy = Path(folder)
        shutil.copy2(project.root / CONFIG_FILE, copy / CONFIG_FILE)
        shutil.copytree(project.root / GROUPS_DIR, copy / GROUPS_DIR)
        for change in changed:
            (copy / change.path.relative_to(project.root)).write_text(change.new_text, encoding="utf-8")
        try:
            load_project(copy)
        except InputError as exc:  # a safety net: the row checks above mirror the loader's
            raise InputError([Problem(p.path, p.line, p.column, f"after the import: {p.message}")
                              for p in exc.problems]) from None


# --- the command ----------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, for a dry run, would do) to each group named in the export."""

    changes: tuple[GroupChange, ...]
    dry_run: bool

    def summary(self) -> list[str]:
        """The lines `reportgen import-stats` prints."""
        changed = [c for c in self.changes if c.text_changed]
        if self.dry_run:
            lines = [describe_change(c) for c in self.changes]
            lines.append(f"dry run: {_plural(len(changed), 'group file')} would change; nothing was written")
            return lines
        lines = [describe_change(c) for c in changed]
        same = len(self.changes) - len(changed)
        if changed:
            lines.append(f"updated {_plural(len(changed), 'group file')}"
                         + (f"; {same} already had these figures" if same else ""))
        else:
            lines.append("no group file changed: every group in the export already has these figures")
        return lines


def describe_change(change: GroupChange) -> str:
    """One line: rows added, removed, changed, unchanged, and totals before -> after."""
    counts = change.row_changes()
    before, after = totals(change.old_rows), totals(change.new_rows)
    line = (f"{change.display}: rows {counts['added']} added, {counts['removed']} removed, "
            f"{counts['changed']} changed, {counts['unchanged']} unchanged; "
            f"patients {before['patients']} → {after['patients']}, "
            f"WGS analyses {before['analyses']} → {after['analyses']}, "
            f"diagnosed {before['diagnosed']} → {after['diagnosed']}")
    if change.text_changed and not any(counts[k] for k in ("added", "removed", "changed")):
        line += " (rows rewritten in the standard layout)"
    return line


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def import_stats(csv_path: Path, root: Path, dry_run: bool = False) -> ImportResult:
    """Validate the export and the merged files, then (unless `dry_run`) write each changed group file."""
    with _cyclic_gc_paused():
        sources: dict[Path, Source] = {}
        project = load_project(Path(root), sources)
        rows = read_export(Path(csv_path), project)
        changes = tuple(plan_import(project, rows, sources))
        del sources
        check_merged(project, changes)
    if not dry_run:
        changed = [c for c in changes if c.text_changed]
        moved = [Problem(c.display, 1, 1, _CHANGED_MEANWHILE) for c in changed if _read_text(c.path) != c.old_text]
        if moved:
            raise InputError(moved)
        for change in changed:
            write_text(change.path, change.new_text)
    return ImportResult(changes, dry_run)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector: it would rescan the many node and row objects
    again and again (a third of the time on 10 years of rows); they form no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- the inverse ----------------------------------------------------------------


def export_csv(project: m.Project, delimiter: str = ",") -> str:
    """Every group's monthly rows as an export in the columns above (groups by id, rows in file order)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(COLUMNS)
    for group in sorted(project.groups, key=lambda g: g.id):
        for row in group.statistics.monthly:
            a = row.analyses
            writer.writerow([str(row.month), row.region, group.id, row.indication,
                             row.patients, a.germline, a.somatic, a.rna, row.diagnosed])
    return out.getvalue()
