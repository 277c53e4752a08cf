"""The JSON Schemas editors use are current, accept the shipped files and list the project's own words."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from projects import write_project
from reportgen.cli import main
from reportgen.editor_schemas import project_schema_documents
from reportgen.messages import catalogue
from reportgen.loader import load_project, schema_documents

ROOT = Path(__file__).resolve().parents[1]


class _Yaml12ishLoader(yaml.SafeLoader):
    """Like an editor's YAML 1.2 parser: dates stay text."""


_Yaml12ishLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _json_keys(value):
    """Mapping keys as an editor's YAML server gives them to JSON Schema: as text (`28:` is the key "28")."""
    if isinstance(value, dict):
        return {str(k): _json_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_keys(v) for v in value]
    return value


def test_committed_schemas_are_current(tmp_path, capsys):
    assert main(["schema", str(ROOT), "--out", str(tmp_path)]) == 0
    for name in schema_documents():
        written = (tmp_path / f"{name}.schema.json").read_text()
        assert written == (ROOT / "schemas" / f"{name}.schema.json").read_text(), f"run `make schema` ({name})"


@pytest.mark.parametrize("path", sorted((ROOT / "groups").glob("*.yaml")), ids=lambda p: p.stem)
def test_group_files_validate_against_schema(path):
    document = _json_keys(yaml.load(path.read_text(), Loader=_Yaml12ishLoader))
    jsonschema.validate(document, json.loads((ROOT / "schemas/group.schema.json").read_text()))
    assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/group.schema.json\n")


def test_other_files_validate_against_schema():
    for relative, schema in [("reportgen.yaml", "reportgen"), ("groups/consolidated/rare.yaml", "consolidated"),
                             ("groups/consolidated/cancer.yaml", "consolidated")]:
        document = _json_keys(yaml.load((ROOT / relative).read_text(), Loader=_Yaml12ishLoader))
        jsonschema.validate(document, json.loads((ROOT / f"schemas/{schema}.schema.json").read_text()))


def test_schema_catches_what_an_editor_should_flag():
    schema = json.loads((ROOT / "schemas/group.schema.json").read_text())
    document = _json_keys(yaml.load((ROOT / "groups/nyresvigt.yaml").read_text(), Loader=_Yaml12ishLoader))
    document["sumary"] = document.pop("summary")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def _group_schema():
    return json.loads((ROOT / "schemas/group.schema.json").read_text())


def _shipped(name):
    return _json_keys(yaml.load((ROOT / "groups" / f"{name}.yaml").read_text(), Loader=_Yaml12ishLoader))


def test_the_group_schema_lists_the_regions_of_reportgen_yaml():
    row = _group_schema()["properties"]["statistics"]["properties"]["monthly"]["items"]
    assert row["properties"]["region"]["enum"] == list(load_project(ROOT).config.regions) == [
        "hovedstaden", "sjaelland", "syddanmark", "midtjylland", "nordjylland"]
    document = _shipped("nyresvigt")
    document["statistics"]["monthly"][0]["region"] = "hovedstad"
    with pytest.raises(jsonschema.ValidationError, match="'hovedstad' is not one of"):
        jsonschema.validate(document, _group_schema())


def test_the_group_schema_lists_each_groups_indication_codes():
    project = load_project(ROOT)
    conditions = _group_schema()["allOf"]
    ids = sorted(g.id for g in project.groups)
    assert [c["if"]["properties"]["id"]["pattern"] for c in conditions] == [f"^{i}$" for i in ids]
    for condition, group in zip(conditions, sorted(project.groups, key=lambda g: g.id)):
        assert condition["then"]["properties"]["cases"]["items"]["properties"]["indication"]["enum"] == \
            [i.code for i in group.indications]
    schema = _group_schema()
    for where in ("row", "case"):
        document = _shipped("arvelige-hjertesygdomme")
        target = document["statistics"]["monthly"][0] if where == "row" else document["cases"][0]
        target["indication"] = "HJ9"
        with pytest.raises(jsonschema.ValidationError, match="'HJ9' is not one of"):
            jsonschema.validate(document, schema)


def test_a_code_added_since_the_schema_was_written_is_not_flagged():
    document = _shipped("arvelige-hjertesygdomme")
    document["indications"].append({"code": "HJ9", "title": "Ny", "criteria": "Nye kriterier."})
    document["statistics"]["monthly"][0]["indication"] = "HJ9"
    jsonschema.validate(document, _group_schema())


def test_the_schemas_are_written_for_the_project_in_dir(tmp_path, capsys):
    root = write_project(tmp_path / "project")
    assert main(["schema", str(root)]) == 0
    written = json.loads((root / "schemas" / "group.schema.json").read_text(encoding="utf-8"))
    assert written == project_schema_documents(load_project(root))["group"]
    assert written["properties"]["statistics"]["properties"]["monthly"]["items"]["properties"]["region"][
        "enum"] == ["hovedstaden", "sjaelland"]
    assert [c["if"]["properties"]["id"]["pattern"] for c in written["allOf"]] == ["^hjerte$", "^kraeft$"]
    assert capsys.readouterr().out.splitlines()[0] == f"wrote {root / 'schemas' / 'group.schema.json'}"


def test_no_schema_is_written_for_a_project_with_problems(tmp_path, capsys):
    root = write_project(tmp_path / "project")
    path = root / "groups" / "hjerte.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("category: rare", "category: rar"), encoding="utf-8")
    assert main(["schema", str(root)]) == 1
    assert not (root / "schemas").exists()
    err = capsys.readouterr().err
    assert "groups/hjerte.yaml:" in err and err.rstrip().endswith("nothing was written")


def _help_texts(node) -> list[str]:
    """Every title and description in a schema document."""
    if isinstance(node, dict):
        return [text for key, value in node.items()
                for text in ([value] if key in ("title", "description") and isinstance(value, str)
                             else _help_texts(value))]
    if isinstance(node, list):
        return [t for item in node for t in _help_texts(item)]
    return []


def test_the_editors_help_is_in_danish_the_projects_first_language():
    english = {text for document in schema_documents().values() for text in _help_texts(document)}
    danish = {text: catalogue("da").gettext(text) for text in english}
    assert [text for text in english if danish[text] == text] == []  # every help text has its Danish
    for name in schema_documents():
        written = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert set(_help_texts(written)) <= set(danish.values()), name
    group = _group_schema()
    assert group["title"] == "Gruppefil til reportgen: en patientgruppes statusrapport"
    assert group["properties"]["in_operation_since"]["description"] == \
        "Datoen, hvor gruppen første gang fik tilbudt helgenomsekventering (ÅÅÅÅ-MM-DD)."


def test_a_project_in_english_first_gets_english_help(tmp_path):
    root = write_project(tmp_path / "project")
    config = root / "reportgen.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("languages: [da, en]", "languages: [en, da]"),
                      encoding="utf-8")
    group = project_schema_documents(load_project(root))["group"]
    assert group["title"] == "reportgen group file"
    assert group["properties"]["in_operation_since"]["description"] == "The date WGS was first offered to the group."
