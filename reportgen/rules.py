"""The rules that relate one field of a file to another, to its file name, or to another file.

Each declared field is checked as it is converted (see `declarations`); what
needs several fields at once is checked here, once the file has converted.
The monthly rows' rules are in `rowrules`, shared with `import-stats`.
"""

from __future__ import annotations

from pathlib import Path

from .messages import _
from . import model as m
from .discovery import GROUPS_DIR, archive_date
from .rowrules import FirstRows, RowScope, indication_problem, row_problems
from .schema import INVALID, Context, did_you_mean
from .textchecks import check_text
from .yamlsource import Scalar, Source


def check_group(group: m.Group, path: Path, source: Source, ctx: Context, config: m.Config | None) -> None:
    """The rules that relate one field of a group file to another (and to the settings)."""
    top = source.root.items
    if group.id != path.stem:
        ctx.error(top["id"][1], _("'id' is {id}, but the file is named {name}; they must be the same").format(
            id=group.id, name=path.name))
    as_of = group.statistics.as_of
    if as_of < group.in_operation_since:
        ctx.error(ctx.node_of(group.statistics).items["as_of"][1],
                  _("'statistics.as_of' is {as_of}, before 'in_operation_since' ({in_operation_since})").format(
                      as_of=as_of, in_operation_since=group.in_operation_since))
    codes: set[str] = set()
    for indication in group.indications:
        if indication.code in codes:
            ctx.error(ctx.node_of(indication).items["code"][1],
                      _("the indication code {code} is used twice; each code must be unique").format(
                          code=indication.code))
        codes.add(indication.code)
    scope = RowScope.of(group, config)
    first_rows = FirstRows()
    for row in group.statistics.monthly:
        node = ctx.node_of(row)
        for field, message in row_problems(row, scope):
            ctx.error(node.items[field][1], message)
        duplicate = first_rows.duplicate_problem(group.id, row, node.line)
        if duplicate is not None:
            ctx.error(node, duplicate)
    for case in group.cases:
        problem = indication_problem(case.indication, scope)
        if problem is not None:
            ctx.error(ctx.node_of(case).items["indication"][1], problem)
    check_effects(group, scope, ctx)


def check_effects(group: m.Group, scope: RowScope, ctx: Context) -> None:
    """The entries under `effects:`: a year in operation, a known indication, one entry per (year, indication),
    a year either whole-group or per indication, each consequence <= followed_up <= diagnosed that year."""
    first_year, last_year = group.in_operation_since.year, group.statistics.as_of.year
    seen: dict[tuple[int, str | None], int] = {}
    kinds: dict[int, tuple[bool, int]] = {}  # year -> (whole group?, line of its first entry)
    diagnosed: dict[tuple[int, str | None], int] = {}
    for row in group.statistics.monthly:
        for key in ((row.month.year, None), (row.month.year, row.indication)):
            diagnosed[key] = diagnosed.get(key, 0) + row.diagnosed
    for entry in group.effects:
        node = ctx.node_of(entry)
        items = node.items
        if not first_year <= entry.period <= last_year:
            ctx.error(items["period"][1], _("'period' is {period}, outside the years of {group}'s statistics "
                                            "({first_year} to {last_year})").format(
                period=entry.period, group=group.id, first_year=first_year, last_year=last_year))
            continue
        if entry.indication is not None:
            problem = indication_problem(entry.indication, scope)
            if problem is not None:
                ctx.error(items["indication"][1], problem)
                continue
        where = (f"{entry.period}, {entry.indication}" if entry.indication
                 else _("{period} (whole group)").format(period=entry.period))
        key = (entry.period, entry.indication)
        if key in seen:
            ctx.error(node, _("a second effects entry for {where} (the first is on line {line}); "
                              "merge them into one entry").format(where=where, line=seen[key]))
            continue
        seen[key] = node.line
        whole = entry.indication is None
        if entry.period in kinds and kinds[entry.period][0] != whole:
            other_line = kinds[entry.period][1]
            ctx.error(node, _("{period} has an entry for the whole group and entries per indication (line "
                              "{line}); give a year either one whole-group entry or one entry per indication").format(
                period=entry.period, line=other_line))
            continue
        kinds.setdefault(entry.period, (whole, node.line))
        for consequence, count in entry.consequences:
            if count > entry.followed_up:
                ctx.error(items[consequence][1], _("'{consequence}' is {count}, more than 'followed_up' "
                                                   "({followed_up}); a consequence is counted among the "
                                                   "followed-up patients").format(
                    consequence=consequence, count=count, followed_up=entry.followed_up))
        limit = diagnosed.get(key, 0)
        if entry.followed_up > limit:
            ctx.error(items["followed_up"][1], _("'followed_up' is {followed_up}, more than the patients "
                                                 "diagnosed in {where} by the statistics ({limit}); only "
                                                 "diagnosed patients are followed up").format(
                followed_up=entry.followed_up, where=where, limit=limit))


def check_archive(archive: m.ArchivedEdition, path: Path, source: Source, ctx: Context,
                   group: m.Group | None) -> None:
    """The rules that relate an archive's fields to each other, to its file name and to its group."""
    top = source.root.items
    edition_items = ctx.node_of(archive.edition).items
    if archive.group != path.parent.name:
        ctx.error(top["group"][1], _("'group' is {group}, but the file lies in the folder of {name}; they must be the same").format(
            group=archive.group, name=path.parent.name))
    if archive.edition.date != archive_date(path):
        ctx.error(edition_items["date"][1], _("'edition.date' is {date}, but the file is named {name}; they must be the same").format(
            date=archive.edition.date, name=path.name))
    if archive.edition.status != "approved":
        ctx.error(edition_items["status"][1], _("'edition.status' is draft; only approved (published) editions are archived"))
    if group is not None and archive.edition.date >= group.edition.date:
        relation = _("is the group's current edition") if archive.edition.date == group.edition.date else \
            _("is later than the group's current edition")
        ctx.error(edition_items["date"][1],
                  _("this archive {relation} ({date} in {GROUPS_DIR}/{id}.yaml); an archive holds an earlier "
                    "edition. If `reportgen new-edition` stopped before it opened the new edition, delete "
                    "this file and run the command again").format(
                        relation=relation, date=group.edition.date, GROUPS_DIR=GROUPS_DIR, id=group.id))
    counts = archive.since_start
    count_items = ctx.node_of(counts).items
    if counts.diagnosed > counts.patients:
        ctx.error(count_items["diagnosed"][1], _("'since_start.diagnosed' is {diagnosed}, more than 'since_start.patients' ({patients})").format(
            diagnosed=counts.diagnosed, patients=counts.patients))
    if counts.patients > counts.analyses.total:
        ctx.error(count_items["patients"][1], _("'since_start.patients' is {patients}, more than the WGS analyses ({total})").format(
            patients=counts.patients, total=counts.analyses.total))
    codes: list[str] = []
    for indication in archive.indications:
        if indication.code in codes:
            ctx.error(ctx.node_of(indication).items["code"][1],
                      _("the indication code {code} is listed twice").format(code=indication.code))
        codes.append(indication.code)
    for case in archive.cases:
        if case.indication not in codes:
            ctx.error(ctx.node_of(case).items["indication"][1],
                      _("'indication' is {indication}, which is not one of the archived indications "
                        "({items}){did_you_mean}").format(
                            indication=case.indication, items=', '.join(codes), did_you_mean=did_you_mean(case.indication, codes)))




def check_texts(ctx: Context, allowed) -> None:
    """HTML, unsafe links and CPR-shaped text, each at its exact place in the file."""
    allowed_values = {a.value for a in allowed}
    for spot in ctx.texts:
        for finding in check_text(spot.text, spot.markdown, allowed_values):
            line, column = _locate(ctx.source, spot.node, spot.text, finding.start, finding.snippet)
            ctx.error_at(line, column, finding.message)


def _locate(source: Source, node: Scalar, text: str, offset: int, snippet: str) -> tuple[int, int]:
    """Line and column of `snippet` (found at `offset` in `text`) in the file."""
    first = snippet.split("\n")[0]
    nth = text.count(first, 0, offset) if first else 0
    for number in range(node.line, min(node.end_line, len(source.lines)) + 1):
        line = source.lines[number - 1]
        start = 0
        while first:
            found = line.find(first, start)
            if found < 0:
                break
            if number == node.line and found < node.column - 1:
                start = found + 1
                continue
            if nth == 0:
                return number, found + 1
            nth -= 1
            start = found + 1
    return node.line, node.column



def check_privacy(privacy: dict, source: Source, ctx: Context) -> None:
    """The privacy settings that cannot work together (each is within its own limits already).

    A count shown as "<5" can be any of min_count - 1 values: a min_range above that would make every such
    count need hiding further, and "<2" would tell the count itself. A figure rounded to the nearest
    rounding_base can be any of rounding_base values: fewer than min_range cannot protect a count.
    """
    if privacy is INVALID or INVALID in privacy.values():
        return  # told already
    node = source.root.items["privacy"][1]

    def at(key: str):
        return node.items[key][1] if key in node.items else node

    min_count, min_range, base = privacy["min_count"], privacy["min_range"], privacy["rounding_base"]
    if min_range > min_count - 1:
        where = at("min_range") if "min_range" in node.items else at("min_count")
        ctx.error(where, _("'privacy.min_range' is {min_range} and 'privacy.min_count' is {min_count}: a count shown "
                           "as '<{min_count}' lies between 1 and {highest}, fewer than {min_range} values, so every "
                           "such count would give itself away; expected a min_count of at least {needed} (or a "
                           "smaller min_range)").format(min_range=min_range, min_count=min_count,
                                                        highest=min_count - 1, needed=min_range + 1))
    if base < min_range:
        ctx.error(at("rounding_base"), _("'privacy.rounding_base' is {base}: a figure rounded to the nearest {base} "
                                         "can be only {base} values, fewer than 'privacy.min_range' ({min_range}), "
                                         "so rounding could protect no count; expected at least {min_range}").format(
                                             base=base, min_range=min_range))
