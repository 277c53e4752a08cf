"""Editions: archive the current edition of a group's report, open a new one, show what changed.

`reportgen new-edition GROUP --date YYYY-MM-DD` writes the current edition to
``groups/editions/<group-id>/<edition-date>.yaml`` and opens a new edition in
the group file. The archive holds only what a reader needs to compare the two
editions, all computed from the group file when it is archived, never typed:

```yaml
group: arvelige-hjertesygdomme       # the folder's name
example_data: true                   # copied from the group file
edition: {date: 2023-06-30, status: approved, changes: ...}   # the edition block as it was
as_of: 2023-05-31                    # the data cut-off of that edition
since_start:                         # raw counts since start at that cut-off
  patients: 412
  analyses: {germline: 690, somatic: 0, rna: 12}
  diagnosed: 131
indications: [{code: HJ1, title: ...}, ...]
cases: [{title: ..., indication: HJ1}, ...]
```

Genome equivalents are not stored: they are computed from the analyses with
the weights in reportgen.yaml whenever they are shown, as everywhere else.
An archive is input to the reports, never published as it is.

What a report shows of its previous edition ("what changed") is derived in
`reportgen.changes`; the archived totals are published by the same
suppression as every other count (`reportgen.suppression`), which protects
the difference between two editions' totals too.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from .messages import _, catalogue, N_
from . import model as m
from .errors import BuildError, InputError, Problem, UsageError, relative_path
from .figures import group_figures
from .loader import CONFIG_FILE, EDITIONS_DIR, GROUPS_DIR, load_project
from .schema import did_you_mean
from .textfiles import changed_meanwhile, read_as_parsed, read_text
from .textsplice import char_at, ends_line, line_after, line_ending, split_lines
from .writer import write_together
from .yamlsource import Mapping

# The line asking the network to describe the new edition, in the project's default language.
PLACEHOLDER = N_("DRAFT: Describe here what changed since the edition of {previous}: new figures, new or "
                 "changed indications and patient cases, new perspectives.")

_RUN_AGAIN = "`reportgen new-edition`"
# The archive's first lines, in the project's default language.
_ARCHIVE_HEADER = N_(
    "# The archived edition of {group_file}, written by `reportgen new-edition`.\n"
    "# Everything in the file is computed from the group file as it was when the edition was archived; "
    "do not edit it by hand.\n"
)
_EXAMPLE_HEADER = N_(
    "# EXAMPLE DATA: the operating statistics and patient cases in this file are invented but\n"
    "# realistic examples. They are replaced by real data from NGC and the specialist network.\n"
)


def archive_path(root: Path, group_id: str, date: dt.date) -> Path:
    """Where the archive of `group_id`'s edition of `date` lies."""
    return Path(root) / EDITIONS_DIR / group_id / f"{date.isoformat()}.yaml"


# --- the archive ------------------------------------------------------------------


def _stripped(text: m.Text | None) -> m.Text | None:
    # An archived text reads back stripped (see LocalText), so it is stored stripped.
    return None if text is None else m.Text({lang: value.strip() for lang, value in text.by_lang.items()})


def archive_of(group: m.Group, config: m.Config) -> m.ArchivedEdition:
    """The archive of `group`'s current edition: its edition block, figures since start, indications, cases."""
    total = group_figures(group, config).since_start.total
    edition = group.edition
    return m.ArchivedEdition(
        group=group.id,
        example_data=group.example_data,
        edition=m.Edition(edition.date, edition.status, _stripped(edition.changes)),
        as_of=group.statistics.as_of,
        since_start=m.ArchivedCounts(total.patients, total.analyses, total.diagnosed),
        indications=tuple(m.ArchivedIndication(i.code, _stripped(i.title)) for i in group.indications),
        cases=tuple(m.ArchivedCase(_stripped(c.title), c.indication) for c in group.cases),
    )


class _Flow(dict):
    """A mapping written on one line, like the analyses in the group files."""


class _ArchiveDumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # "  - item" under its key, as in the group files


def _represent_str(dumper, value: str):
    style = "|" if "\n" in value else None  # PyYAML falls back to quotes where a block cannot hold the text
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow(dumper, value: _Flow):
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


_ArchiveDumper.add_representer(str, _represent_str)
_ArchiveDumper.add_representer(_Flow, _represent_flow)


def archive_yaml(archive: m.ArchivedEdition, config: m.Config) -> str:
    """The text of an archive file (see the module docstring)."""

    def text(value: m.Text):
        # One text in the default language is written as a plain string, as in the group files.
        if set(value.by_lang) == {config.default_language}:
            return value.by_lang[config.default_language]
        return {lang: value.by_lang[lang] for lang in config.languages if lang in value.by_lang}

    edition = {"date": archive.edition.date, "status": archive.edition.status}
    if archive.edition.changes is not None:
        edition["changes"] = text(archive.edition.changes)
    counts = archive.since_start
    document = {
        "group": archive.group,
        "example_data": archive.example_data,
        "edition": edition,
        "as_of": archive.as_of,
        "since_start": {"patients": counts.patients, "analyses": _Flow(counts.analyses.by_type()),
                        "diagnosed": counts.diagnosed},
        "indications": [{"code": i.code, "title": text(i.title)} for i in archive.indications],
        "cases": [{"title": text(c.title), "indication": c.indication} for c in archive.cases],
    }
    body = yaml.dump(document, Dumper=_ArchiveDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=10**6)
    words = catalogue(config.default_language)
    header = words.gettext(_ARCHIVE_HEADER).format(group_file=f"{GROUPS_DIR}/{archive.group}.yaml")
    return header + (words.gettext(_EXAMPLE_HEADER) if archive.example_data else "") + body


# --- opening the new edition in the group file -------------------------------------------


def open_edition(text: str, root: Mapping, date: dt.date, placeholder: str, display: str) -> str:
    """`text` with only the lines of its `edition:` block replaced by a new draft edition of `date`.

    `root` is the file's node tree (from a loaded, valid file); every other byte
    stays as it was. Raises InputError if the block cannot be replaced on its own lines.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = split_lines(text[len(bom):])
    key, value = root.items["edition"]
    before_key = lines[key.line - 1][: key.column - 1]
    if char_at(lines, root) == "{" or before_key.strip():
        raise InputError([Problem(display, key.line, key.column,
                                  _("'edition' shares its line with other fields; to open a new edition, write 'edition:' at "
                                    "the start of a line of its own, as in the other group files"))])
    key_indent = key.column - 1
    start = key.line
    end = (line_after(root, "edition") or len(lines) + 1) - 1
    # Blank lines and comments that belong to the outer level (not indented under 'edition:') stay.
    while end > start and (not lines[end - 1].strip() or (
            lines[end - 1].lstrip().startswith("#") and _indentation(lines[end - 1]) <= key_indent)):
        end -= 1
    if isinstance(value, Mapping) and char_at(lines, value) != "{":
        step = max(1, value.column - 1 - key_indent)  # the file's own indentation
    else:
        step = 2
    eol = line_ending(lines, key.line)
    outer, inner, text_indent = " " * key_indent, " " * (key_indent + step), " " * (key_indent + 2 * step)
    new = [f"{outer}edition:{eol}",
           f"{inner}date: {date.isoformat()}{eol}",
           f"{inner}status: draft{eol}",
           f"{inner}changes: |{eol}",
           f"{text_indent}{placeholder}{eol}"]
    if not ends_line(lines[end - 1]):
        new[-1] = new[-1][: -len(eol)]  # the file ended without a line break; keep it so
    return bom + "".join(lines[: start - 1] + new + lines[end:])


def _indentation(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


# --- the command ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewEditionResult:
    """What `new-edition` wrote."""

    group_file: str  # as shown to the user
    archive_file: str
    archived: dt.date
    opened: dt.date

    def summary(self) -> list[str]:
        """The lines `reportgen new-edition` prints."""
        return [_("archived the edition of {archived} in {archive_file}").format(
            archived=self.archived, archive_file=self.archive_file),
                _("opened the edition of {opened} in {group_file} as a draft: describe what changed under "
                  "'edition.changes', and set 'status: approved' when the edition is approved").format(
                      opened=self.opened, group_file=self.group_file)]


def new_edition(root: Path, group_id: str, date: dt.date) -> NewEditionResult:
    """Archive `group_id`'s current edition and open a new draft edition of `date` in its group file.

    Nothing is written unless the project is valid, the new date is later than
    the current edition's, no archive of the current edition exists, and the
    changed project passes the same loader as `reportgen check`.
    """
    root = Path(root)
    sources = {}
    project = load_project(root, sources)
    ids = [g.id for g in project.groups]
    if group_id not in ids:
        raise UsageError(_("'{group_id}' is not a group of this project (the group files are named "
          "{GROUPS_DIR}/<group>.yaml){did_you_mean}").format(
              group_id=group_id, GROUPS_DIR=GROUPS_DIR, did_you_mean=did_you_mean(group_id, sorted(ids))))
    group = project.group(group_id)
    display = relative_path(group.path, project.root)
    source = sources[group.path]
    edition_node = source.root.items["edition"][1]
    current = group.edition
    if date <= current.date:
        raise UsageError(_("--date {date} is not after the current edition's date ({date2}, in {display}); a new "
          "edition must be dated later").format(date=date, date2=current.date, display=display))
    if current.status != "approved":
        status = edition_node.items["status"][1]
        raise InputError([Problem(display, status.line, status.column,
                                  _("the current edition ({date}) is a draft; only an approved edition is archived. Approve "
                                    "it first (status: approved), or go on editing this draft").format(
                                        date=current.date))])
    target = archive_path(root, group.id, current.date)
    target_display = relative_path(target, project.root)
    already = InputError([Problem(target_display, 1, 1, _("the edition of {date} is archived already; an archive is never overwritten").format(
        date=current.date))])
    if target.exists():
        raise already
    old_text = read_as_parsed(group.path, source.lines)
    if old_text is None:
        raise InputError([changed_meanwhile(display, _RUN_AGAIN)])
    archive = archive_of(group, project.config)
    archive_text = archive_yaml(archive, project.config)
    placeholder = catalogue(project.config.default_language).gettext(PLACEHOLDER).format(previous=current.date)
    new_text = open_edition(old_text, source.root, date, placeholder, display)
    _check_result(project, group, archive, target, archive_text, new_text)
    # Both files or neither: a full disk half-way leaves the project as it was.
    if target.exists():
        raise already
    if read_text(group.path) != old_text:
        raise InputError([changed_meanwhile(display, _RUN_AGAIN)])
    write_together({target: archive_text, group.path: new_text})  # both files or neither
    return NewEditionResult(display, target_display, current.date, date)


def _check_result(project: m.Project, group: m.Group, archive: m.ArchivedEdition, target: Path,
                  archive_text: str, new_text: str) -> None:
    """Load a copy of the project holding the new files; raise if it fails or reads back otherwise."""
    with tempfile.TemporaryDirectory(prefix="reportgen-edition-") as folder:
        copy = Path(folder)
        shutil.copy2(project.root / CONFIG_FILE, copy / CONFIG_FILE)
        shutil.copytree(project.root / GROUPS_DIR, copy / GROUPS_DIR)
        (copy / group.path.relative_to(project.root)).write_text(new_text, encoding="utf-8")
        copied_archive = copy / target.relative_to(project.root)
        copied_archive.parent.mkdir(parents=True, exist_ok=True)
        copied_archive.write_text(archive_text, encoding="utf-8")
        try:
            loaded = load_project(copy).group(group.id)
        except InputError as exc:  # a safety net: nothing above should make an invalid file
            raise InputError([Problem(p.path, p.line, p.column, _("after opening the new edition: {message}").format(
                message=p.message))
                              for p in exc.problems]) from None
    unchanged = replace(loaded, edition=group.edition, earlier_editions=group.earlier_editions)
    if loaded.previous_edition != archive or unchanged != group:
        raise BuildError(_("the new files of {id} do not read back as they were meant to; nothing was written (this "
                           "is a bug in reportgen; please report it)").format(id=group.id))
