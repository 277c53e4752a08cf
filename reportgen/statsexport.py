"""Read a statistics export from the genome center (CSV) into monthly rows.

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

Optional columns (answers and turnaround; an empty cell means "not recorded"):

| column              | what it holds                                                       |
|---------------------|---------------------------------------------------------------------|
| `answered`          | of that month's patients, those answered by the data cut-off        |
| `answered_28`, ...  | answered patients by days from referral to answer: one column per   |
|                     | bin of `turnaround.bins_days` in reportgen.yaml, then `answered_later` |

The bin columns come all together or not at all, and only with `answered`.

Values are separated by `;` (as Danish Excel writes them) or `,`, whichever
the header row uses. A UTF-8 byte order mark and Windows line endings are
fine; empty lines are skipped. Counts are whole numbers of 0 or more.

A problem is reported as `FILE.csv:LINE:COLUMN: message`, where COLUMN is the
CSV column (1 is the first), as a spreadsheet counts them. The rules a row
obeys once its cells are read are those of `reportgen check` (`rowrules`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .messages import _
from . import model as m
from .dates import parse_month
from .textfiles import split_bom
from .errors import InputError, Problem, UsageError, relative_path
from .rowrules import (
    FirstRows,
    RowScope,
    answer_problems,
    count_problems,
    indication_problem,
    month_problem,
    region_problem,
)
from .schema import MAX_NUMBER, did_you_mean, quoted

MAX_COUNT_DIGITS = len(str(MAX_NUMBER))  # longer is refused before int() reads it

COLUMNS = ("month", "region", "group", "indication", "patients", "germline", "somatic", "rna", "diagnosed")
COUNT_COLUMNS = ("patients", "germline", "somatic", "rna", "diagnosed")
ANSWERED = "answered"
BIN_PREFIX = "answered_"


def optional_columns(config: m.Config) -> tuple[str, ...]:
    """The optional columns this project's settings allow: answered and one per turnaround bin."""
    bins = config.turnaround.bin_keys if config.turnaround else ()
    return (ANSWERED, *(BIN_PREFIX + key for key in bins))

_BAD = object()  # a cell reported as wrong

# The line breaks a CSV line may end with.
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


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
        raise UsageError(_("cannot read '{display}': {value}").format(
            display=display, value=exc.strerror or exc)) from None
    return parse_export(data, project, display)


def parse_export(data: bytes, project: m.Project, display: str) -> list[ExportRow]:
    """Validate the bytes of an export (see `read_export`)."""
    problems: list[Problem] = []
    text = _decode(data, display, problems)
    records = _records(text, display, problems) if text is not None else []
    if problems:
        raise InputError(problems)
    if not records:
        raise InputError([Problem(display, 1, 1, _("the file is empty; expected a header row naming the columns {columns}").format(
            
            columns=", ".join(COLUMNS)))])
    header_line, header = records[0]
    while header and not header[-1]:
        header = header[:-1]  # a spreadsheet's empty cells after the last column
    columns = _columns(header, display, header_line, problems, optional_columns(project.config))
    if not problems and len(records) == 1:
        problems.append(Problem(display, header_line, 1, _("the file has a header but no rows; expected one row per month, region, group and "
          "indication")))
    if problems:
        raise InputError(problems)
    rows = _RowChecker(project, display, columns, problems).check_all(records[1:])
    if problems:
        raise InputError(problems)
    return rows


def _decode(data: bytes, display: str, problems: list[Problem]) -> str | None:
    __, data = split_bom(data)  # Excel's "CSV UTF-8" starts with a byte order mark
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(display, line, 1,
                                _("byte 0x{data:02X} is not UTF-8 text; save the export as 'CSV UTF-8' (in Danish Excel: "
                                  "'CSV UTF-8 (kommasepareret)')").format(data=data[exc.start])))
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
        problems.append(Problem(display, line, 1, _("this line is not valid CSV ({exc}); check that every opening quote (\") is closed").format(
            exc=exc)))
    if records and "\t" in first_line and len(records[0][1]) == 1:
        problems.append(Problem(display, records[0][0], 1, _("the columns are separated by tabs; save the export as CSV, with ';' or ','")))
    return records


def _columns(header: list[str], display: str, line: int, problems: list[Problem],
             optional: tuple[str, ...] = ()) -> dict[str, int]:
    """Map each known column name to its index in the header; report unknown, missing and repeated ones."""
    known = (*COLUMNS, *optional)
    columns: dict[str, int] = {}
    names = [raw.lower() for raw in header]
    suggested = set()
    for index, (raw, name) in enumerate(zip(header, names)):
        if not name:
            problems.append(Problem(display, line, index + 1,
                                    _("column {value} of the header has no name; expected one of: {items}").format(
                                        value=index + 1, items=', '.join(COLUMNS))))
        elif name not in known:
            close = did_you_mean(name, [c for c in known if c not in names])
            if close:
                suggested.add(close.split("'")[1])  # its own message names the column; no "missing" too
            problems.append(Problem(display, line, index + 1, _("unknown column '{raw}'").format(raw=raw)
                                    + (close or _("; expected the columns {items}").format(items=', '.join(COLUMNS)))))
        elif name in columns:
            problems.append(Problem(display, line, index + 1,
                                    _("the column '{name}' appears twice (columns {value} and {value2}); keep one of them").format(
                                        name=name, value=columns[name] + 1, value2=index + 1)))
        else:
            columns[name] = index
    missing = [c for c in COLUMNS if c not in columns and c not in suggested]
    if missing:
        problems.append(Problem(display, line, 1,
                                _("the header has no column {items}; the export needs the columns {items2}").format(
                                    items=', '.join(repr(c) for c in missing), items2=', '.join(COLUMNS))))
    bins = [c for c in optional if c != ANSWERED]
    given = [c for c in bins if c in columns]
    if given and ANSWERED not in columns:
        problems.append(Problem(display, line, columns[given[0]] + 1,
                                _("the turnaround column '{column}' needs the column 'answered' too").format(
                                    column=given[0])))
    elif given and len(given) != len(bins):
        absent = [c for c in bins if c not in columns and c not in suggested]
        if absent:
            problems.append(Problem(display, line, columns[given[0]] + 1,
                                    _("the turnaround columns come together: {columns}; "
                                      "the header has no {absent}").format(
                                        columns=', '.join(bins), absent=', '.join(repr(c) for c in absent))))
    return columns


class _RowChecker:
    """Checks each row against the project, collecting every problem with its line and column."""

    def __init__(self, project: m.Project, display: str, columns: dict[str, int], problems: list[Problem]):
        self.display = display
        self.columns = columns
        self.width = max(columns.values()) + 1
        self.problems = problems
        self.regions = tuple(project.config.regions)
        self.scopes = {g.id: RowScope.of(g, project.config) for g in project.groups}
        self.group_ids = sorted(self.scopes)
        self.months: dict[str, m.Month | None] = {}  # an export repeats each month many times
        self.bin_columns = [c for c in optional_columns(project.config) if c != ANSWERED and c in columns]

    def fail(self, line: int, column: str | None, message: str | None) -> None:
        if message is not None:
            index = self.columns[column] + 1 if column else 1
            self.problems.append(Problem(self.display, line, index, message))

    def check_all(self, records: Iterable[tuple[int, list[str]]]) -> list[ExportRow]:
        rows: list[ExportRow] = []
        first_rows = FirstRows()
        for line, cells in records:
            if len(cells) < self.width or any(cells[self.width:]):  # empty cells at the end are harmless
                self.fail(line, None, _("the line has {count} values, but the header names {width} columns; give one value per "
                  "column").format(count=len(cells), width=self.width))
                continue
            row = self.check(line, cells)
            if row is None:
                continue
            duplicate = first_rows.duplicate_problem(row.group, row.row, line)
            if duplicate is not None:
                self.fail(line, None, duplicate)
                continue
            rows.append(row)
        return rows

    def check(self, line: int, cells: list[str]) -> ExportRow | None:
        """The row, or None if it has problems (each reported)."""
        value = {name: cells[index] for name, index in self.columns.items()}
        before = len(self.problems)
        scope = self.scope(line, value["group"])
        month = self.month(line, value["month"])
        if month is not None and scope is not None:
            self.fail(line, "month", month_problem(month, scope))
        region, code = value["region"], value["indication"]
        self.fail(line, "region", region_problem(region, self.regions))
        if scope is not None:
            self.fail(line, "indication", indication_problem(code, scope))
        counts = {}
        for name in COUNT_COLUMNS:
            text = value[name]
            counts[name] = (int(text) if text.isascii() and text.isdigit() and len(text) <= MAX_COUNT_DIGITS
                            and int(text) <= MAX_NUMBER else self.count(line, name, text))
        if None not in counts.values():
            analyses = m.Analyses(counts["germline"], counts["somatic"], counts["rna"])
            for column, message in count_problems(counts["patients"], analyses, counts["diagnosed"]):
                self.fail(line, column, message)
        answered, bins = self.answers(line, value)
        if None not in counts.values() and scope is not None and answered is not _BAD and bins is not _BAD:
            for column, message in answer_problems(counts["patients"], counts["diagnosed"], answered, bins, scope):
                self.fail(line, column if column == ANSWERED else self.bin_columns[0], message)
        if len(self.problems) > before:
            return None
        row = m.MonthlyRow(month, region, code, counts["patients"], analyses, counts["diagnosed"], answered, bins)
        return ExportRow(scope.group, row, line)

    def answers(self, line: int, value: dict[str, str]):
        """The row's `answered` and turnaround bins: None where not recorded (empty or no column), _BAD if wrong."""
        answered = bins = None
        if ANSWERED in value and value[ANSWERED] != "":
            text = value[ANSWERED]
            answered = self.number(line, ANSWERED, text)
            if answered is None:
                answered = _BAD
        if self.bin_columns:
            cells = [value[c] for c in self.bin_columns]
            if any(cells):
                found = []
                for column, text in zip(self.bin_columns, cells):
                    n = self.number(line, column, text)
                    if n is None:
                        return answered, _BAD
                    found.append((column.removeprefix(BIN_PREFIX), n))
                bins = tuple(found)
        return answered, bins

    def scope(self, line: int, group_id: str) -> RowScope | None:
        """The rules' scope of the row's group, or None (reported) if the group is unknown."""
        if group_id in self.scopes:
            return self.scopes[group_id]
        self.fail(line, "group", (_("'group' is {value}, which is not a group of this project (the file names in groups/)").format(
            value=quoted(group_id)) + did_you_mean(group_id, self.group_ids))
                  if group_id else _("'group' is empty; expected a group id, the name of its file in groups/"))
        return None

    def month(self, line: int, text: str) -> m.Month | None:
        """The month the cell writes, or None (reported) if it is not written YYYY-MM."""
        if text not in self.months:
            self.months[text] = parse_month(text)
        month = self.months[text]
        if month is None:
            hint = ""
            if text and not re.fullmatch(r"[0-9]{4}-[0-9]{1,2}", text):
                hint = _(" (a spreadsheet may have turned it into a date; format the column as text)")
            self.fail(line, "month", _("'month' is {value}; expected a month written YYYY-MM, e.g. 2024-05{hint}").format(
                value=quoted(text, 'empty'), hint=hint))
        return month

    def number(self, line: int, column: str, text: str) -> int | None:
        """The count in a cell, or None (reported) if it is not one."""
        if text.isascii() and text.isdigit() and len(text) <= MAX_COUNT_DIGITS:
            return int(text)
        return self.count(line, column, text)

    def count(self, line: int, column: str, text: str) -> None:
        """Report why `text` is not a count (digits are taken before this is called)."""
        if not text:
            message = _("'{column}' is empty; expected a whole number (0 or more), 0 for none").format(column=column)
        elif text.isascii() and text.isdigit():
            message = (_("'{column}' is a number of {count:,} digits; expected a count of at most {MAX_NUMBER}").format(
                column=column, count=len(text), MAX_NUMBER=MAX_NUMBER) if len(text) > MAX_COUNT_DIGITS else
                       _("'{column}' is {text}; expected a count of at most {MAX_NUMBER}").format(
                           column=column, text=text, MAX_NUMBER=MAX_NUMBER))
        elif re.fullmatch(r"-\s*[0-9]+([.,][0-9]+)?", text):
            message = _("'{column}' is {text}; a count cannot be negative").format(column=column, text=text)
        elif re.fullmatch(r"[0-9][0-9., ]*", text):
            message = (_("'{column}' is {text}; expected a whole number written with digits only, without decimals"
              " or thousands separators").format(column=column, text=text))
        else:
            message = _("'{column}' is {value}; expected a whole number (0 or more)").format(
                column=column, value=quoted(text, 'empty'))
        self.fail(line, column, message)
        return None
