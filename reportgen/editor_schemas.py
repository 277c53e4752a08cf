"""The JSON Schemas written for editors, completed with the project's own words.

The declarations give the shape of every file (`loader.schema_documents`).
An editor can check more than the shape when the schema also lists what the
project allows: the region keys of reportgen.yaml, and each group's
indication codes. `reportgen schema` writes these documents. Their titles
and descriptions, which editors show on hover, are in the project's first
language: the declarations' English texts, translated by the language's message catalogue
(reportgen/locale).

JSON Schema cannot say "one of the codes listed earlier in this file", so
each group's codes are given under a condition that names the group (its
`id`) and its indication codes: the codes are checked while the file's
indications are those the schema was written from. A code added since then
turns that condition off, so the editor never underlines a code the checks
accept; `reportgen check` still reports every wrong code.
"""

from __future__ import annotations

import re

from . import model as m
from .declarations import schema_documents
from .messages import Catalogue, catalogue


def project_schema_documents(project: m.Project) -> dict[str, dict]:
    """JSON Schemas (draft 2020-12) for each kind of input file of `project`, whose titles and
    descriptions (the editor's hover help) are in the project's first language."""
    documents = _translated(schema_documents(), catalogue(project.config.default_language))
    group = documents["group"]
    row = group["properties"]["statistics"]["properties"]["monthly"]["items"]
    row["properties"]["region"]["enum"] = list(project.config.regions)
    if project.config.turnaround is not None:  # the bins of reportgen.yaml, for completion
        bins = row["properties"]["answered_within_days"]
        count = next(iter(bins.pop("patternProperties").values()))
        keys = project.config.turnaround.bin_keys
        bins["properties"] = {k: count for k in keys}  # for completion and hover
        # yaml-language-server reads a key such as 28 as a number, which no property name matches;
        # a pattern does match it
        bins["patternProperties"] = {"^(" + "|".join(keys) + ")$": count}
        bins["required"] = list(keys)
    if project.config.effects:  # the consequences of reportgen.yaml, for completion
        entry = group["properties"]["effects"]["items"]
        count = entry.pop("additionalProperties")
        entry["properties"].update({k: count for k in project.config.effects})
        entry["required"] = [*entry["required"], *project.config.effects]
        entry["additionalProperties"] = False
    conditions = [_codes_of(g) for g in sorted(project.groups, key=lambda g: g.id)]
    if conditions:
        group["allOf"] = conditions
    return documents


def _codes_of(group: m.Group) -> dict:
    codes = [indication.code for indication in group.indications]
    one_of_them = {"enum": codes}
    any_of_them = {"pattern": f"^({'|'.join(map(_literal, codes))})$"}
    # The condition matches with patterns, not enum or const: editors show the values of every schema
    # that matches a field as its allowed values, and the other groups' ids and codes are not.
    return {
        "if": {
            "required": ["id", "indications"],
            "properties": {
                "id": {"pattern": f"^{_literal(group.id)}$"},
                "indications": {"items": {"properties": {"code": any_of_them}}},
            },
        },
        "then": {
            "properties": {
                "statistics": {"properties": {"monthly": {"items": {"properties": {"indication": one_of_them}}}}},
                "cases": {"items": {"properties": {"indication": one_of_them}}},
                "effects": {"items": {"properties": {"indication": one_of_them}}},
            },
        },
    }


def _literal(word: str) -> str:
    """`word` as a regular expression; ids and codes hold letters, digits and hyphens only, none special."""
    assert re.fullmatch(r"[\w-]+", word), word
    return word


def _translated(node, words: Catalogue):
    """`node` with every title and description replaced by its translation in `words`."""
    if isinstance(node, dict):
        return {key: words.gettext(value) if key in ("title", "description") and isinstance(value, str)
                else _translated(value, words) for key, value in node.items()}
    if isinstance(node, list):
        return [_translated(item, words) for item in node]
    return node
