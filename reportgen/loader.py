"""Load a project: every input file read, validated and turned into the model.

`check` and `build` both call `load_project`, so they cannot disagree about
what is valid. Every problem in every file is collected before anything is
reported; nothing is built unless the list is empty.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

from . import model as m
from .errors import InputError, Problem, UsageError, relative_path
from .schema import (
    INVALID,
    Bool,
    Choice,
    Context,
    Date,
    Int,
    Key,
    ListOf,
    LocalText,
    MapOf,
    MonthField,
    Record,
    Str,
    did_you_mean,
)
from .textchecks import find_cpr_numbers, markup_findings
from .yamlsource import Mapping, Scalar, Sequence, Source, read_yaml

CONFIG_FILE = "reportgen.yaml"
GROUPS_DIR = "groups"
CONSOLIDATED_DIR = "groups/consolidated"
EDITIONS_DIR = "groups/editions"

# --- the declarations -------------------------------------------------------

_SLUG = r"[a-z0-9]+(-[a-z0-9]+)*"

_EDITION = Record(
    {
        "date": Key(Date("The date of this edition of the report.")),
        "status": Key(Choice(["draft", "approved"], "draft or approved; drafts are never published.")),
        "changes": Key(LocalText("What changed since the last edition (Markdown)."), required=False),
    },
    m.Edition,
    "The edition of the report: its date, status and what changed.",
)

_ANALYSES = Record(
    {t: Key(Int(f"Number of {t} samples sequenced (WGS analyses).")) for t in m.SAMPLE_TYPES},
    m.Analyses,
    "WGS analyses by sample type: germline, somatic, rna.",
)

_MONTHLY_ROW = Record(
    {
        "month": Key(MonthField("The month, YYYY-MM.")),
        "region": Key(Str("The region key from reportgen.yaml, e.g. hovedstaden.")),
        "indication": Key(Str("The code of one of the group's indications.")),
        "patients": Key(Int("Unique patients (probands) referred for WGS this month.")),
        "analyses": Key(_ANALYSES),
        "diagnosed": Key(Int("Patients with a clinically relevant finding.")),
    },
    m.MonthlyRow,
    "Counts for one month, region and indication.",
)

_ROW_KEYS = ("month", "region", "indication", "patients", "analyses", "diagnosed")
_PLAIN_COUNT = re.compile(r"0|[1-9][0-9]*").fullmatch
_PLAIN_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])").fullmatch
# Letters only (regions) and at most 3 digits (codes): neither can hold HTML or a CPR-shaped number,
# so skipping their text checks changes nothing.
_PLAIN_REGION = re.compile(r"[a-z]+(-[a-z]+)*").fullmatch
_PLAIN_CODE = re.compile(r"[A-ZÆØÅ]{1,6}[0-9]{0,3}[a-z]?").fullmatch


class _MonthlyRows(ListOf):
    """The monthly rows, with a fast path for rows in the canonical one-line form.

    Ten years of statistics are tens of thousands of rows, and the generic
    Record conversion dominated loading them. A row whose keys are in the usual
    order and whose values are plain, well-formed words and numbers is built
    directly; any other row takes the generic path, so every message is as before.
    """

    def convert(self, node, ctx, name):
        if type(node) is not Sequence:
            return super().convert(node, ctx, name)
        rows = []
        ok = True
        for index, child in enumerate(node.items):
            row = _plain_row(child, ctx)
            if row is None:
                row = self.item.convert(child, ctx, f"{name}[{index + 1}]")
                ok = ok and row is not INVALID
            rows.append(row)
        return tuple(rows) if ok else INVALID


def _plain_row(node, ctx: Context) -> m.MonthlyRow | None:
    if type(node) is not Mapping or tuple(node.items) != _ROW_KEYS:
        return None
    (_, month), (_, region), (_, code), (_, patients), (_, analyses), (_, diagnosed) = node.items.values()
    if type(analyses) is not Mapping or tuple(analyses.items) != m.SAMPLE_TYPES:
        return None
    (_, germline), (_, somatic), (_, rna) = analyses.items.values()
    for scalar in (month, region, code, patients, diagnosed, germline, somatic, rna):
        if type(scalar) is not Scalar or scalar.style is not None:
            return None
    month, region, code, patients, diagnosed, germline, somatic, rna = (
        month.value, region.value, code.value, patients.value, diagnosed.value, germline.value, somatic.value,
        rna.value)
    found = _PLAIN_MONTH(month)
    if not (found and _PLAIN_REGION(region) and _PLAIN_CODE(code) and _PLAIN_COUNT(patients)
            and _PLAIN_COUNT(diagnosed) and _PLAIN_COUNT(germline) and _PLAIN_COUNT(somatic) and _PLAIN_COUNT(rna)):
        return None
    counts = m.Analyses(int(germline), int(somatic), int(rna))
    row = m.MonthlyRow(m.Month(int(found.group(1)), int(found.group(2))), region, code, int(patients), counts,
                       int(diagnosed))
    ctx.nodes[id(row)], ctx.nodes[id(counts)] = node, analyses
    ctx.keep += (row, counts)
    return row


_STATISTICS = Record(
    {
        "as_of": Key(Date("Data cut-off: the last day the statistics cover.")),
        "source": Key(Str("Where the figures come from.")),
        "monthly": Key(_MonthlyRows(_MONTHLY_ROW, "One row per month, region and indication."), required=False,
                       default=()),
    },
    m.Statistics,
    "Operating statistics.",
)

_INDICATION = Record(
    {
        "code": Key(Str("A short code, e.g. HJ1.", pattern=r"[A-ZÆØÅ]{1,6}[0-9]{0,3}[a-z]?",
                        pattern_help="a short code of capital letters and digits, e.g. HJ1")),
        "title": Key(LocalText("The indication's title.", markdown=False)),
        "criteria": Key(LocalText("Who may be referred (Markdown).")),
        "expected_patients_per_year": Key(Int("Expected patients per year."), required=False),
    },
    m.Indication,
    "An indication: who may be referred for WGS.",
)

_CASE = Record(
    {
        "title": Key(LocalText("The case's title.", markdown=False)),
        "indication": Key(Str("The code of the indication this case falls under.")),
        "impact": Key(ListOf(Choice(m.IMPACTS), "What the result changed.", min_items=1, unique=True)),
        "text": Key(LocalText("The anonymised case (Markdown): no names, CPR numbers or dates of birth.")),
    },
    m.Case,
    "An anonymised patient case.",
)

_ALLOWED_IDENTIFIER = Record(
    {
        "value": Key(Str("The exact text that looks like an identifier but is not one.")),
        "reason": Key(Str("Why this text is not a person's identifier.")),
    },
    m.AllowedIdentifier,
    "Text shaped like a CPR number that is known not to be one.",
)

GROUP = Record(
    {
        "id": Key(Str("Equals the file name without .yaml.", pattern=_SLUG,
                      pattern_help="lower-case letters, digits and hyphens, like the file name")),
        "category": Key(Choice(m.CATEGORIES, "rare or cancer.")),
        "name": Key(LocalText("The group's name in every language.", markdown=False, all_languages=True)),
        "network": Key(Str("The national specialist network writing the report.")),
        "in_operation_since": Key(Date("The date WGS was first offered to the group.")),
        "example_data": Key(Bool("true while statistics and cases are examples, not real data."),
                            required=False, default=False),
        "edition": Key(_EDITION),
        "summary": Key(LocalText("Summary (Markdown).")),
        "indications": Key(ListOf(_INDICATION, "The indications.", min_items=1)),
        "statistics": Key(_STATISTICS),
        "cases": Key(ListOf(_CASE, "Anonymised patient cases."), required=False, default=()),
        "perspectives": Key(LocalText("Perspectives (Markdown).")),
        "allow_identifiers": Key(ListOf(_ALLOWED_IDENTIFIER, "Texts that look like CPR numbers but are not."),
                                 required=False, default=()),
    },
    lambda **values: m.Group(**values),
    "A patient group's status report.",
)

_SECTION = Record(
    {
        "title": Key(LocalText("The section's heading.", markdown=False)),
        "text": Key(LocalText("The section's text (Markdown).")),
    },
    m.Section,
    "A section of text.",
)

CONSOLIDATED = Record(
    {
        "category": Key(Choice(m.CATEGORIES, "rare or cancer; equals the file name.")),
        "title": Key(LocalText("The report's title.", markdown=False, all_languages=True)),
        "edition": Key(_EDITION),
        "summary": Key(LocalText("Summary (Markdown); figures are computed, never typed.")),
        "sections": Key(ListOf(_SECTION, "Sections of text."), required=False, default=()),
        "perspectives": Key(LocalText("Perspectives (Markdown).")),
    },
    lambda **values: m.Consolidated(**values),
    "The texts of a consolidated report.",
)

_ARCHIVED_COUNTS = Record(
    {
        "patients": Key(Int("Unique patients since start, at the edition's data cut-off.")),
        "analyses": Key(_ANALYSES),
        "diagnosed": Key(Int("Patients with a clinically relevant finding since start.")),
    },
    m.ArchivedCounts,
    "Counts since start at the edition's data cut-off (raw; suppressed when shown).",
)

ARCHIVE = Record(
    {
        "group": Key(Str("The group's id; equals the folder name.", pattern=_SLUG,
                         pattern_help="lower-case letters, digits and hyphens, like the folder name")),
        "example_data": Key(Bool("true if the archived figures and texts are examples."), required=False,
                            default=False),
        "edition": Key(_EDITION),
        "as_of": Key(Date("The edition's data cut-off.")),
        "since_start": Key(_ARCHIVED_COUNTS),
        "indications": Key(ListOf(Record({"code": _INDICATION.keys["code"], "title": _INDICATION.keys["title"]},
                                         m.ArchivedIndication, "An indication of the edition."),
                                  "The edition's indications.", min_items=1)),
        "cases": Key(ListOf(Record({"title": _CASE.keys["title"], "indication": _CASE.keys["indication"]},
                                   m.ArchivedCase, "A patient case of the edition."),
                            "The edition's patient cases."), required=False, default=()),
    },
    lambda **values: m.ArchivedEdition(**values),
    "An earlier edition of a group's report, archived by `reportgen new-edition`; not typed by hand.",
)

_UNIT = Record(
    {
        "label": Key(LocalText("The unit's name.", markdown=False, all_languages=True)),
        "definition": Key(LocalText("The unit's standard definition, used as footnote in every report.",
                                    markdown=False, all_languages=True)),
        "weights": Key(Record({t: Key(Int(f"Genome equivalents per {t} analysis.")) for t in m.SAMPLE_TYPES},
                              dict, "Weights per sample type."), required=False),
    },
    dict,
    "A count unit.",
)

_REGION = Record(
    {
        "name": Key(Str("The region's name.")),
        "population": Key(Int("Inhabitants, for rates per 100,000.", minimum=1)),
    },
    dict,
    "A region.",
)

CONFIG = Record(
    {
        "title": Key(LocalText("The title of the report series.", markdown=False)),
        "publisher": Key(Str("Who publishes the reports."), required=False, default="Nationalt Genom Center"),
        "languages": Key(ListOf(Choice(["da", "en"]), "Report languages; the first is the default.",
                                min_items=1, unique=True)),
        "units": Key(Record({k: Key(_UNIT) for k in m.UNIT_KEYS}, dict, "The three count units.")),
        "regions": Key(MapOf(_REGION, _SLUG, "a lower-case key such as hovedstaden", "The regions.")),
        "population_source": Key(LocalText("Source of the population figures.", markdown=False)),
        "national_target": Key(Record({"genome_equivalents": Key(Int("National target.", minimum=1))}, dict,
                                      "The national target.")),
        "privacy": Key(Record({"min_count": Key(Int("Person counts below this are shown as '<N'.", minimum=1,
                                                    maximum=100))}, dict, "Small-count suppression.")),
    },
    dict,
    "Project settings.",
)

SCHEMAS = {"group": GROUP, "consolidated": CONSOLIDATED, "reportgen": CONFIG}

# --- loading -----------------------------------------------------------------


def load_project(root: Path, sources: dict[Path, Source] | None = None) -> m.Project:
    """Read and validate every input under `root`; raise InputError listing every problem.

    If `sources` is given, each group file's parsed tree is put in it by path (for
    `import-stats`, which edits the files at the lines the tree gives).
    """
    root = Path(root)
    if not root.is_dir():
        raise UsageError(f"'{root}' is not a folder")
    if not (root / CONFIG_FILE).is_file():
        raise UsageError(f"no {CONFIG_FILE} in '{relative_path(root, None)}'; is this a reportgen project folder?")
    problems: list[Problem] = []
    config = _load_config(root, problems)
    languages = config.languages if config else ("da", "en")
    groups = []
    group_files = _group_files(root, problems)
    for path in group_files:
        group = _load_group(root, path, config, languages, problems, sources)
        if group is not None:
            groups.append(group)
    editions = _load_editions(root, {p.stem for p in group_files}, {g.id: g for g in groups}, languages, problems)
    groups = [replace(g, earlier_editions=editions[g.id]) if g.id in editions else g for g in groups]
    consolidated = {}
    for category in m.CATEGORIES:
        path = root / CONSOLIDATED_DIR / f"{category}.yaml"
        if not path.exists():
            if any(g.category == category for g in groups):
                problems.append(Problem(relative_path(path, root), 1, 1,
                                        f"this file is missing; the consolidated {category} report needs its texts"))
            continue
        report = _load_consolidated(root, path, category, languages, problems)
        if report is not None:
            consolidated[category] = report
    for path in sorted((root / CONSOLIDATED_DIR).glob("*")) if (root / CONSOLIDATED_DIR).is_dir() else []:
        if path.stem not in m.CATEGORIES or path.suffix != ".yaml":
            problems.append(Problem(relative_path(path, root), 1, 1,
                                    "unexpected file; the consolidated texts are rare.yaml and cancer.yaml"))
    if problems:
        raise InputError(problems)
    groups.sort(key=lambda g: (m.CATEGORIES.index(g.category), g.name.by_lang[languages[0]].casefold()))
    return m.Project(root=root, config=config, groups=tuple(groups), consolidated=consolidated)


def _group_files(root: Path, problems: list[Problem]) -> list[Path]:
    folder = root / GROUPS_DIR
    if not folder.is_dir():
        problems.append(Problem(GROUPS_DIR, 1, 1, "the folder of group files is missing"))
        return []
    files = []
    for path in sorted(folder.iterdir()):
        if path.is_dir() or path.name.startswith("."):
            continue
        if path.suffix == ".yaml":
            files.append(path)
        elif path.suffix in (".yml", ".YAML", ".Yaml", ".txt") or path.name.endswith(".yaml.txt"):
            problems.append(Problem(relative_path(path, root), 1, 1,
                                    f"group files must end in .yaml; rename it to {path.name.split('.')[0]}.yaml"))
    return files


def _read(root: Path, path: Path, problems: list[Problem], languages,
          first_key: str = "id") -> tuple[Source, Context] | None:
    source = read_yaml(path, relative_path(path, root), problems)
    if source.root is None:
        return None
    ctx = Context(source, problems, tuple(languages))
    if not isinstance(source.root, Mapping):
        ctx.error(source.root, f"the file should be a set of `key: value` fields, starting with '{first_key}:'")
        return None
    return source, ctx


def _load_config(root: Path, problems: list[Problem]) -> m.Config | None:
    read = _read(root, root / CONFIG_FILE, problems, ("da", "en"))
    if read is None:
        return None
    source, ctx = read
    # The languages decide how every text is read, so take them first.
    languages_node = source.root.items.get("languages")
    if languages_node is not None:
        langs = CONFIG.keys["languages"].type.convert(languages_node[1], Context(source, []), "languages")
        if langs is not INVALID:
            ctx.languages = langs
    raw = CONFIG.convert(source.root, ctx, "")
    _check_texts(ctx, allowed=())
    if raw is INVALID:
        return None
    weights = raw["units"]["genome_equivalents"].get("weights")
    if weights is None:
        ctx.error(source.root.items["units"][1].items["genome_equivalents"][1],
                  "'units.genome_equivalents.weights' is missing (genome equivalents per germline, somatic and rna analysis)")
        return None
    units = {key: m.Unit(key, u["label"], u["definition"]) for key, u in raw["units"].items()}
    regions = {key: m.Region(key, r["name"], r["population"]) for key, r in raw["regions"].items()}
    return m.Config(
        title=raw["title"],
        languages=tuple(raw["languages"]),
        units=units,
        weights=dict(weights),
        regions=regions,
        population_source=raw["population_source"],
        national_target_genome_equivalents=raw["national_target"]["genome_equivalents"],
        min_count=raw["privacy"]["min_count"],
        publisher=raw["publisher"],
    )


def _load_group(root: Path, path: Path, config: m.Config | None, languages, problems,
                sources: dict[Path, Source] | None = None) -> m.Group | None:
    read = _read(root, path, problems, languages)
    if read is None:
        return None
    source, ctx = read
    if sources is not None:
        sources[path] = source
    group = GROUP.convert(source.root, ctx, "")
    allowed = group.allow_identifiers if group is not INVALID else _allowed_anyway(source, ctx)
    _check_texts(ctx, allowed)
    if group is INVALID:
        return None
    before = len(problems)
    _check_group(group, path, source, ctx, config)
    if len(problems) > before:
        return None
    return replace(group, path=path)


def _allowed_anyway(source: Source, ctx: Context) -> tuple[m.AllowedIdentifier, ...]:
    """The allow list, even when another part of the file is broken (so CPR errors stay accurate)."""
    entry = source.root.items.get("allow_identifiers")
    if entry is None:
        return ()
    quiet = Context(source, [], ctx.languages)
    value = GROUP.keys["allow_identifiers"].type.convert(entry[1], quiet, "allow_identifiers")
    return () if value is INVALID else value


def _load_consolidated(root: Path, path: Path, category: str, languages, problems) -> m.Consolidated | None:
    read = _read(root, path, problems, languages)
    if read is None:
        return None
    source, ctx = read
    report = CONSOLIDATED.convert(source.root, ctx, "")
    _check_texts(ctx, allowed=())
    if report is INVALID:
        return None
    if report.category != category:
        ctx.error(source.root.items["category"][1],
                  f"'category' is {report.category}, but the file is {category}.yaml; they must agree")
        return None
    return replace(report, path=path)


def _load_editions(root: Path, group_ids: set[str], groups: dict[str, m.Group], languages,
                   problems: list[Problem]) -> dict[str, tuple[m.ArchivedEdition, ...]]:
    """The archived editions in groups/editions/<group-id>/<date>.yaml, oldest first, by group id."""
    folder = root / EDITIONS_DIR
    if not folder.is_dir():
        return {}
    found: dict[str, tuple[m.ArchivedEdition, ...]] = {}
    for group_folder in sorted(folder.iterdir()):
        if group_folder.name.startswith("."):
            continue
        where = relative_path(group_folder, root)
        if not group_folder.is_dir():
            problems.append(Problem(where, 1, 1, "unexpected file; an archived edition lies in a folder named "
                                                 f"after its group: {EDITIONS_DIR}/<group-id>/<date>.yaml"))
            continue
        if group_folder.name not in group_ids:
            ids = sorted(group_ids)
            problems.append(Problem(where, 1, 1, f"'{group_folder.name}' is not a group of this project (there is "
                                                 f"no {GROUPS_DIR}/{group_folder.name}.yaml)"
                                                 + (did_you_mean(group_folder.name, ids)
                                                    or "; the folders here are named after the group files")))
            continue
        archives = []
        for path in sorted(group_folder.iterdir()):
            if path.name.startswith("."):
                continue
            if path.is_dir() or path.suffix != ".yaml" or _date_of(path.stem) is None:
                problems.append(Problem(relative_path(path, root), 1, 1,
                                        "unexpected " + ("folder" if path.is_dir() else "file")
                                        + "; an archived edition's file is named after the edition's date, "
                                          "e.g. 2023-06-30.yaml"))
                continue
            archive = _load_archive(root, path, groups.get(group_folder.name), languages, problems)
            if archive is not None:
                archives.append(archive)
        if archives:
            found[group_folder.name] = tuple(sorted(archives, key=lambda a: a.edition.date))
    return found


def _date_of(text: str) -> dt.date | None:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _load_archive(root: Path, path: Path, group: m.Group | None, languages,
                  problems: list[Problem]) -> m.ArchivedEdition | None:
    """One archived edition; `group` is its group if that group's file is valid (else only the file is checked)."""
    read = _read(root, path, problems, languages, first_key="group")
    if read is None:
        return None
    source, ctx = read
    archive = ARCHIVE.convert(source.root, ctx, "")
    _check_texts(ctx, group.allow_identifiers if group is not None else ())
    if archive is INVALID:
        return None
    before = len(problems)
    _check_archive(archive, path, source, ctx, group)
    if len(problems) > before:
        return None
    return replace(archive, path=path)


def _check_archive(archive: m.ArchivedEdition, path: Path, source: Source, ctx: Context,
                   group: m.Group | None) -> None:
    """The rules that relate an archive's fields to each other, to its file name and to its group."""
    top = source.root.items
    edition_items = ctx.node_of(archive.edition).items
    if archive.group != path.parent.name:
        ctx.error(top["group"][1], f"'group' is {archive.group}, but the file lies in the folder of "
                                   f"{path.parent.name}; they must be the same")
    if archive.edition.date != _date_of(path.stem):
        ctx.error(edition_items["date"][1], f"'edition.date' is {archive.edition.date}, but the file is named "
                                            f"{path.name}; they must be the same")
    if archive.edition.status != "approved":
        ctx.error(edition_items["status"][1], "'edition.status' is draft; only approved (published) editions "
                                              "are archived")
    if group is not None and archive.edition.date >= group.edition.date:
        relation = "is the group's current edition" if archive.edition.date == group.edition.date else \
            "is later than the group's current edition"
        ctx.error(edition_items["date"][1],
                  f"this archive {relation} ({group.edition.date} in {GROUPS_DIR}/{group.id}.yaml); an archive "
                  "holds an earlier edition. If `reportgen new-edition` stopped before it opened the new "
                  "edition, delete this file and run the command again")
    counts = archive.since_start
    count_items = ctx.node_of(counts).items
    if counts.diagnosed > counts.patients:
        ctx.error(count_items["diagnosed"][1], f"'since_start.diagnosed' is {counts.diagnosed}, more than "
                                               f"'since_start.patients' ({counts.patients})")
    if counts.patients > counts.analyses.total:
        ctx.error(count_items["patients"][1], f"'since_start.patients' is {counts.patients}, more than the WGS "
                                              f"analyses ({counts.analyses.total})")
    codes: list[str] = []
    for indication in archive.indications:
        if indication.code in codes:
            ctx.error(ctx.node_of(indication).items["code"][1],
                      f"the indication code {indication.code} is listed twice")
        codes.append(indication.code)
    for case in archive.cases:
        if case.indication not in codes:
            ctx.error(ctx.node_of(case).items["indication"][1],
                      f"'indication' is {case.indication}, which is not one of the archived indications "
                      f"({', '.join(codes)}){did_you_mean(case.indication, codes)}")


def _check_group(group: m.Group, path: Path, source: Source, ctx: Context, config: m.Config | None) -> None:
    """The rules that relate one field to another."""
    top = source.root.items
    if group.id != path.stem:
        ctx.error(top["id"][1], f"'id' is {group.id}, but the file is named {path.name}; they must be the same")
    start = m.Month.of(group.in_operation_since)
    as_of = group.statistics.as_of
    if as_of < group.in_operation_since:
        ctx.error(ctx.node_of(group.statistics).items["as_of"][1],
                  f"'statistics.as_of' is {as_of}, before 'in_operation_since' ({group.in_operation_since})")
    end = m.Month.of(as_of)

    codes: dict[str, m.Indication] = {}
    for indication in group.indications:
        if indication.code in codes:
            ctx.error(ctx.node_of(indication).items["code"][1],
                      f"the indication code {indication.code} is used twice; each code must be unique")
        codes[indication.code] = indication
    code_list = list(codes)

    def check_indication(record, field_name: str, what: str) -> None:
        code = record.indication
        if code not in codes:
            node = ctx.node_of(record).items[field_name][1]
            ctx.error(node, f"'{what}' is {code}, which is not one of this group's indications "
                            f"({', '.join(code_list)}){did_you_mean(code, code_list)}")

    regions = list(config.regions) if config else None
    seen: dict[tuple, int] = {}
    for row in group.statistics.monthly:
        node = ctx.node_of(row)
        items = node.items
        if not start <= row.month <= end:
            ctx.error(items["month"][1],
                      f"'month' is {row.month}, outside the period from {start} (in operation since "
                      f"{group.in_operation_since}) to {end} (statistics as of {as_of})")
        if regions is not None and row.region not in config.regions:
            ctx.error(items["region"][1], f"'region' is {row.region}, which is not a region in reportgen.yaml "
                                          f"({', '.join(regions)}){did_you_mean(row.region, regions)}")
        check_indication(row, "indication", "indication")
        if row.diagnosed > row.patients:
            ctx.error(items["diagnosed"][1],
                      f"'diagnosed' is {row.diagnosed}, more than 'patients' ({row.patients}); "
                      "diagnosed patients are counted among the patients")
        if row.patients > row.analyses.total:
            ctx.error(items["patients"][1],
                      f"'patients' is {row.patients}, more than the WGS analyses ({row.analyses.total}); "
                      "every patient has at least one analysis")
        key = (row.month, row.region, row.indication)
        if key in seen:
            ctx.error(node, f"a second row for {row.month}, {row.region}, {row.indication} "
                            f"(the first is on line {seen[key]}); merge them into one row")
        else:
            seen[key] = node.line
    for case in group.cases:
        check_indication(case, "indication", "indication")


def _check_texts(ctx: Context, allowed) -> None:
    """HTML, unsafe links and CPR-shaped text, each at its exact place in the file."""
    allowed_values = {a.value for a in allowed}
    for spot in ctx.texts:
        for finding in markup_findings(spot.text, spot.markdown):
            line, column = _locate(ctx.source, spot.node, spot.text, finding.start, finding.snippet)
            ctx.error_at(line, column, finding.message)
        for match in find_cpr_numbers(spot.text):
            if match.group(0) in allowed_values:
                continue
            line, column = _locate(ctx.source, spot.node, spot.text, match.start(), match.group(0))
            ctx.error_at(line, column,
                         f"'{match.group(0)}' is shaped like a CPR number; patient texts must be anonymised. "
                         "Remove it, or if it is not a person's number, list it under 'allow_identifiers' "
                         "with a reason")


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


def schema_documents() -> dict[str, dict]:
    """JSON Schemas (draft 2020-12) for each kind of input file."""
    titles = {"group": "reportgen group file", "consolidated": "reportgen consolidated report texts",
              "reportgen": "reportgen project settings"}
    return {
        name: {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": titles[name],
               **record.json_schema()}
        for name, record in SCHEMAS.items()
    }
