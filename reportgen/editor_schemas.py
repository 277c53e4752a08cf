"""The JSON Schemas written for editors, completed with the project's own words.

The declarations give the shape of every file (`loader.schema_documents`).
An editor can check more than the shape when the schema also lists what the
project allows: the region keys of reportgen.yaml, and each group's
indication codes. `reportgen schema` writes these documents.

JSON Schema cannot say "one of the codes listed earlier in this file", so
each group's codes are given under a condition that names the group (its
`id`) and its indication codes: the codes are checked while the file's
indications are those the schema was written from. A code added since then
turns that condition off, so the editor never underlines a code the checks
accept; `reportgen check` still reports every wrong code.
"""

from __future__ import annotations

from . import model as m
from .declarations import schema_documents


def project_schema_documents(project: m.Project) -> dict[str, dict]:
    """JSON Schemas (draft 2020-12) for each kind of input file of `project`."""
    documents = schema_documents()
    group = documents["group"]
    row = group["properties"]["statistics"]["properties"]["monthly"]["items"]
    row["properties"]["region"]["enum"] = list(project.config.regions)
    conditions = [_codes_of(g) for g in sorted(project.groups, key=lambda g: g.id)]
    if conditions:
        group["allOf"] = conditions
    return documents


def _codes_of(group: m.Group) -> dict:
    codes = [indication.code for indication in group.indications]
    one_of_them = {"enum": codes}
    return {
        "if": {
            "required": ["id", "indications"],
            "properties": {
                "id": {"const": group.id},
                "indications": {"items": {"properties": {"code": one_of_them}}},
            },
        },
        "then": {
            "properties": {
                "statistics": {"properties": {"monthly": {"items": {"properties": {"indication": one_of_them}}}}},
                "cases": {"items": {"properties": {"indication": one_of_them}}},
            },
        },
    }
