"""The JSON Schemas editors use are current and accept the shipped files."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from reportgen.cli import main
from reportgen.loader import schema_documents

ROOT = Path(__file__).resolve().parents[1]


class _Yaml12ishLoader(yaml.SafeLoader):
    """Like an editor's YAML 1.2 parser: dates stay text."""


_Yaml12ishLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def test_committed_schemas_are_current(tmp_path, capsys):
    assert main(["schema", "--out", str(tmp_path)]) == 0
    for name in schema_documents():
        written = (tmp_path / f"{name}.schema.json").read_text()
        assert written == (ROOT / "schemas" / f"{name}.schema.json").read_text(), f"run `make schema` ({name})"


@pytest.mark.parametrize("path", sorted((ROOT / "groups").glob("*.yaml")), ids=lambda p: p.stem)
def test_group_files_validate_against_schema(path):
    document = yaml.load(path.read_text(), Loader=_Yaml12ishLoader)
    jsonschema.validate(document, json.loads((ROOT / "schemas/group.schema.json").read_text()))
    assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/group.schema.json\n")


def test_other_files_validate_against_schema():
    for relative, schema in [("reportgen.yaml", "reportgen"), ("groups/consolidated/rare.yaml", "consolidated"),
                             ("groups/consolidated/cancer.yaml", "consolidated")]:
        document = yaml.load((ROOT / relative).read_text(), Loader=_Yaml12ishLoader)
        jsonschema.validate(document, json.loads((ROOT / f"schemas/{schema}.schema.json").read_text()))


def test_schema_catches_what_an_editor_should_flag():
    schema = json.loads((ROOT / "schemas/group.schema.json").read_text())
    document = yaml.load((ROOT / "groups/nyresvigt.yaml").read_text(), Loader=_Yaml12ishLoader)
    document["sumary"] = document.pop("summary")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)
