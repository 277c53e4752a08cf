"""Load a project: every input file read, validated and turned into the model.

`check` and `build` both call `load_project`, so they cannot disagree about
what is valid. Every problem in every file is collected before anything is
reported; nothing is built unless the list is empty.

What each file holds is declared in `declarations`, where the files lie is
found by `discovery`, and the rules across fields are in `rules` and
`rowrules`; this module reads the files in order and puts the model together.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any
from pathlib import Path

from .messages import _
from . import model as m
from .declarations import ARCHIVE, CONFIG, CONSOLIDATED, GROUP, SCHEMAS, schema_documents
from .discovery import (
    CONFIG_FILE,
    CONSOLIDATED_DIR,
    EDITIONS_DIR,
    GROUPS_DIR,
    consolidated_file,
    edition_files,
    group_files,
    stray_consolidated_files,
)
from .errors import InputError, Problem, UsageError, relative_path
from .rules import check_archive, check_group, check_privacy, check_texts
from .schema import INVALID, Context, Record
from .yamlsource import Mapping, Source, read_yaml

__all__ = ["ARCHIVE", "CONFIG", "CONFIG_FILE", "CONSOLIDATED", "CONSOLIDATED_DIR", "EDITIONS_DIR", "GROUP",
           "GROUPS_DIR", "SCHEMAS", "load_project", "schema_documents"]


def load_project(root: Path, sources: dict[Path, Source] | None = None, memo: dict | None = None) -> m.Project:
    """Read and validate every input under `root`; raise InputError listing every problem.

    If `sources` is given, each group file's parsed tree is put in it by path (for
    `import-stats`, which edits the files at the lines the tree gives). `memo` (the
    preview's, kept between rebuilds) holds each group file read without a problem, by
    its path, under a digest of its bytes and of the settings it was read with: an
    unchanged file is not read again. The rules across files run every time.
    """
    root = Path(root)
    if not root.is_dir():
        raise UsageError(_("'{root}' is not a folder").format(root=root))
    if not (root / CONFIG_FILE).exists():  # anything else there (a folder, a pipe) is read and refused
        raise UsageError(_("no {CONFIG_FILE} in '{relative_path}'; is this a reportgen project folder?").format(
            CONFIG_FILE=CONFIG_FILE, relative_path=relative_path(root, None)))
    problems: list[Problem] = []
    config = _load_config(root, problems)
    languages = config.languages if config else ("da", "en")
    groups = []
    paths = group_files(root, problems)
    for path in paths:
        if memo is None or sources is not None:
            group = _load_group(root, path, config, languages, problems, sources)
        else:
            group = _remembered_group(root, path, config, languages, problems, memo)
        if group is not None:
            groups.append(group)
    editions = _load_editions(root, {p.stem for p in paths}, {g.id: g for g in groups}, languages, problems)
    groups = [replace(g, earlier_editions=editions[g.id]) if g.id in editions else g for g in groups]
    consolidated = _load_all_consolidated(root, groups, languages, problems)
    if problems:
        raise InputError(problems)
    groups.sort(key=lambda g: (m.CATEGORIES.index(g.category), g.name.by_lang[languages[0]].casefold()))
    return m.Project(root=root, config=config, groups=tuple(groups), consolidated=consolidated)


def _read(root: Path, path: Path, problems: list[Problem], languages,
          first_key: str = "id") -> tuple[Source, Context] | None:
    source = read_yaml(path, relative_path(path, root), problems)
    if source.root is None:
        return None
    ctx = Context(source, problems, tuple(languages))
    if not isinstance(source.root, Mapping):
        ctx.error(source.root, _("the file should be a set of `key: value` fields, starting with '{first_key}:'").format(
            first_key=first_key))
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
    check_texts(ctx, allowed=())
    if raw is INVALID:
        return None
    check_privacy(raw["privacy"], source, ctx)
    weights = raw["units"]["genome_equivalents"].get("weights")
    if weights is None:
        ctx.error(source.root.items["units"][1].items["genome_equivalents"][1],
                  _("'units.genome_equivalents.weights' is missing (genome equivalents per germline, somatic "
                    "and rna analysis)"))
        return None
    units = {key: m.Unit(key, u["label"], u["definition"]) for key, u in raw["units"].items() if u is not None}
    turnaround = _turnaround(raw.get("turnaround"), source, ctx)
    effects = {key: m.Consequence(key, e["label"], e["definition"]) for key, e in (raw.get("effects") or {}).items()}
    clash = [key for key in effects if key in _EFFECT_FIXED_KEYS]
    for key in clash:
        ctx.error(source.root.items["effects"][1].items[key][0],
                  _("'{key}' is a field of every effects entry already; give the consequence another name").format(
                      key=key))
    if clash or turnaround is INVALID:
        return None
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
        min_range=raw["privacy"]["min_range"],
        rounding_base=raw["privacy"]["rounding_base"],
        publisher=raw["publisher"],
        accessibility_statement=(raw["accessibility_statement"] or {}).get("url"),
        turnaround=turnaround,
        effects=effects,
    )


_EFFECT_FIXED_KEYS = ("period", "indication", "followed_up", "relatives_tested", "source")


def _turnaround(raw: dict | None, source: Source, ctx: Context):
    """The turnaround settings, their bins increasing and each target one of the bins; INVALID if not."""
    if raw is None:
        return None
    node = source.root.items["turnaround"][1]
    bins = tuple(raw["bins_days"])
    if list(bins) != sorted(bins):
        return ctx.error(node.items["bins_days"][1], _("'turnaround.bins_days' is {bins}; write the bins in "
                                                       "increasing order: {ordered}").format(
            bins=list(bins), ordered=sorted(bins)))
    ok = True
    for category, days in raw["target_days"].items():
        if days is not None and days not in bins:
            ctx.error(node.items["target_days"][1].items[category][1],
                      _("'turnaround.target_days.{category}' is {days}, which is not one of the bins ({bins}); "
                        "the share answered within the target is counted from the bins").format(
                          category=category, days=days, bins=", ".join(map(str, bins))))
            ok = False
    if not ok:
        return INVALID
    return m.Turnaround(bins, {c: d for c, d in raw["target_days"].items() if d is not None})


def _load_group(root: Path, path: Path, config: m.Config | None, languages, problems,
                sources: dict[Path, Source] | None = None) -> m.Group | None:
    read = _read(root, path, problems, languages)
    if read is None:
        return None
    source, ctx = read
    if config is not None:
        ctx.consequences = tuple(config.effects)
    if sources is not None:
        sources[path] = source
    return _converted(GROUP, source, ctx,
                      lambda group: group.allow_identifiers if group is not INVALID else _allowed_anyway(source, ctx),
                      lambda group: check_group(group, path, source, ctx, config))


def _remembered_group(root: Path, path: Path, config: m.Config | None, languages, problems, memo: dict):
    """`_load_group`, answered from `memo` while the file's bytes and the settings are the same."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a pipe or a device: read and refused as ever
            return _load_group(root, path, config, languages, problems)
        key = hashlib.sha256(path.read_bytes() + repr((config, tuple(languages))).encode()).hexdigest()
    except OSError:
        return _load_group(root, path, config, languages, problems)
    kept = memo.get(path)
    if kept is not None and kept[0] == key:
        return kept[1]
    before = len(problems)
    group = _load_group(root, path, config, languages, problems)
    if group is not None and len(problems) == before and config is not None:
        memo[path] = (key, group)
    else:
        memo.pop(path, None)
    return group


def _converted(declaration: Record, source: Source, ctx: Context, allowed: Callable[[Any], Sequence],
               check: Callable[[Any], None]) -> Any | None:
    """The file converted by `declaration` with its path, or None if it has problems.

    Its texts are checked (`allowed` gives the allowed identifiers of the converted
    value), then, if it converted, the rules across its fields (`check`).
    """
    value = declaration.convert(source.root, ctx, "")
    check_texts(ctx, allowed(value))
    if value is INVALID:
        return None
    before = len(ctx.problems)
    check(value)
    if len(ctx.problems) > before:
        return None
    return replace(value, path=source.path)


def _allowed_anyway(source: Source, ctx: Context) -> tuple[m.AllowedIdentifier, ...]:
    """The allow list, even when another part of the file is broken (so CPR errors stay accurate)."""
    entry = source.root.items.get("allow_identifiers")
    if entry is None:
        return ()
    quiet = Context(source, [], ctx.languages)
    value = GROUP.keys["allow_identifiers"].type.convert(entry[1], quiet, "allow_identifiers")
    return () if value is INVALID else value


def _load_all_consolidated(root: Path, groups: list[m.Group], languages,
                           problems: list[Problem]) -> dict[str, m.Consolidated]:
    """The consolidated texts of each category; missing ones are a problem only if a group needs them."""
    consolidated = {}
    for category in m.CATEGORIES:
        path = consolidated_file(root, category)
        if not path.exists():
            if any(g.category == category for g in groups):
                problems.append(Problem(relative_path(path, root), 1, 1,
                                        _("this file is missing; the consolidated {category} report needs its texts").format(
                                            category=category)))
            continue
        report = _load_consolidated(root, path, category, languages, problems)
        if report is not None:
            consolidated[category] = report
    stray_consolidated_files(root, problems)
    return consolidated


def _load_consolidated(root: Path, path: Path, category: str, languages, problems) -> m.Consolidated | None:
    read = _read(root, path, problems, languages)
    if read is None:
        return None
    source, ctx = read

    def check(report: m.Consolidated) -> None:
        if report.category != category:
            ctx.error(source.root.items["category"][1],
                      _("'category' is {category}, but the file is {category2}.yaml; they must agree").format(
                          category=report.category, category2=category))

    return _converted(CONSOLIDATED, source, ctx, lambda _: (), check)


def _load_editions(root: Path, group_ids: set[str], groups: dict[str, m.Group], languages,
                   problems: list[Problem]) -> dict[str, tuple[m.ArchivedEdition, ...]]:
    """The archived editions in groups/editions/<group-id>/<date>.yaml, oldest first, by group id."""
    found: dict[str, tuple[m.ArchivedEdition, ...]] = {}
    for group_id, paths in edition_files(root, group_ids, problems).items():
        archives = [_load_archive(root, path, groups.get(group_id), languages, problems) for path in paths]
        archives = [a for a in archives if a is not None]
        if archives:
            found[group_id] = tuple(sorted(archives, key=lambda a: a.edition.date))
    return found


def _load_archive(root: Path, path: Path, group: m.Group | None, languages,
                  problems: list[Problem]) -> m.ArchivedEdition | None:
    """One archived edition; `group` is its group if that group's file is valid (else only the file is checked)."""
    read = _read(root, path, problems, languages, first_key="group")
    if read is None:
        return None
    source, ctx = read
    return _converted(ARCHIVE, source, ctx, lambda _: group.allow_identifiers if group is not None else (),
                      lambda archive: check_archive(archive, path, source, ctx, group))
