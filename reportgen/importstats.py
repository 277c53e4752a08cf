"""Merge a statistics export from the genome center (CSV) into the group files.

The export's columns and how it is read are described in `statsexport`.

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

import gc
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .messages import _, ngettext
from . import model as m
from .errors import InputError, Problem, relative_path
from .loader import CONFIG_FILE, GROUPS_DIR, load_project
from .statsexport import COLUMNS, COUNT_COLUMNS, ExportRow, parse_export, read_export
from .textfiles import changed_meanwhile, read_as_parsed
from .textfiles import read_text as _read_text
from .textsplice import char_at as _char_at
from .textsplice import ends_line as _ends_line
from .textsplice import line_after as _line_after
from .textsplice import line_ending as _line_ending
from .textsplice import split_lines as _split_lines
from .writer import write_together
from .yamlsource import Mapping, Source
from .yamlsource import Sequence as SequenceNode

__all__ = ["COLUMNS", "COUNT_COLUMNS", "ExportRow", "GroupChange", "ImportResult", "canonical_rows", "check_merged",
           "format_row", "import_stats", "parse_export", "plan_import", "read_export", "replace_monthly", "totals"]

# The line breaks libyaml counts, so text lines match the node tree's line numbers.
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_CODE_PARTS = re.compile(r"([^0-9]*)([0-9]*)(.*)")


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
    answers = ""
    if row.answered is not None:
        answers = f", answered: {row.answered}"
        if row.answered_within_days is not None:
            answers += ", answered_within_days: {" + ", ".join(f"{k}: {n}" for k, n in row.answered_within_days) + "}"
    return (f"- {{month: {row.month}, region: {row.region}, indication: {row.indication}, "
            f"patients: {row.patients}, analyses: {{germline: {a.germline}, somatic: {a.somatic}, "
            f"rna: {a.rna}}}, diagnosed: {row.diagnosed}{answers}}}")


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
        source = sources[group.path]
        old_text = read_as_parsed(group.path, source.lines)
        if old_text is None:
            problems.append(changed_meanwhile(display, _RUN_AGAIN))
            continue
        new_text = replace_monthly(old_text, source.root, new_rows, display, problems)
        if new_text is not None:
            changes.append(GroupChange(group, group.path, display, old_text, new_text,
                                       group.statistics.monthly, new_rows))
    if problems:
        raise InputError(problems)
    return changes


_RUN_AGAIN = "`reportgen import-stats`"


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
                                _("'statistics' is written as {...}; to import figures, write it as a block with 'as_of:', "
                                  "'source:' and 'monthly:' on lines of their own, as in the other group files")))
        return None
    eol = _line_ending(lines, stats_key.line)
    entry = stats.items.get("monthly")
    if entry is None:
        if not rows:
            return text
        source_key, __ = stats.items["source"]
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


def _value_end(lines: list[str], root: Mapping, stats: Mapping, key: str) -> int:
    """The last line of `key`'s value in `statistics`, leaving out blank and comment lines at its end."""
    following = _line_after(stats, key) or _line_after(root, "statistics") or len(lines) + 1
    first = stats.items[key][0].line
    end = following - 1
    while end > first and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


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
        except InputError as exc:  # a safety net: the export's rows passed the loader's row rules already
            raise InputError([Problem(p.path, p.line, p.column, _("after the import: {message}").format(
                message=p.message))
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
            lines.append(ngettext("dry run: {count} group file would change; nothing was written",
                                  "dry run: {count} group files would change; nothing was written",
                                  len(changed)).format(count=len(changed)))
            return lines
        lines = [describe_change(c) for c in changed]
        same = len(self.changes) - len(changed)
        if changed:
            lines.append(ngettext("updated {count} group file", "updated {count} group files",
                                  len(changed)).format(count=len(changed))
                         + (_("; {same} already had these figures").format(same=same) if same else ""))
        else:
            lines.append(_("no group file changed: every group in the export already has these figures"))
        return lines


def describe_change(change: GroupChange) -> str:
    """One line: rows added, removed, changed, unchanged, and totals before -> after."""
    counts = change.row_changes()
    before, after = totals(change.old_rows), totals(change.new_rows)
    line = _("{file}: rows {added} added, {removed} removed, {changed} changed, {unchanged} unchanged; "
             "patients {patients_before} → {patients_after}, WGS analyses {analyses_before} → {analyses_after}, "
             "diagnosed {diagnosed_before} → {diagnosed_after}").format(
        file=change.display, added=counts["added"], removed=counts["removed"], changed=counts["changed"],
        unchanged=counts["unchanged"], patients_before=before["patients"], patients_after=after["patients"],
        analyses_before=before["analyses"], analyses_after=after["analyses"],
        diagnosed_before=before["diagnosed"], diagnosed_after=after["diagnosed"])
    if change.text_changed and not any(counts[k] for k in ("added", "removed", "changed")):
        line += _(" (rows rewritten in the standard layout)")
    return line



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
        moved = [changed_meanwhile(c.display, _RUN_AGAIN) for c in changed if _read_text(c.path) != c.old_text]
        if moved:
            raise InputError(moved)
        write_together({change.path: change.new_text for change in changed})  # all files or none
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
