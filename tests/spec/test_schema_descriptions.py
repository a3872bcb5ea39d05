"""The schema is what an editor shows while a spec is written: every key says what it means, and the bundled
specs point their editor at it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mockery.cli import cli
from mockery.load.schema import spec_schema
from mockery.scaffold import MODELINE_PREFIX

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "mockery" / "load" / "schema.json"


def properties(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of every object of the schema, with where it is."""
    if isinstance(node, dict):
        for name, value in (node.get("properties") or {}).items():
            yield f"{path}/properties/{name}", value
        for key, value in node.items():
            yield from properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from properties(value, f"{path}/{index}")


def described(schema: dict[str, Any], node: dict[str, Any]) -> bool:
    """A property says what it is, or refers to a definition that does."""
    if "description" in node:
        return True
    ref = node.get("$ref")
    return isinstance(ref, str) and "description" in schema["$defs"][ref.removeprefix("#/$defs/")]


def test_every_property_has_a_description() -> None:
    schema = spec_schema()
    found = list(properties(schema))
    assert len(found) > 100
    missing = [where for where, node in found if not described(schema, node)]
    assert missing == []


def test_every_definition_has_a_description() -> None:
    schema = spec_schema()
    assert [name for name, node in schema["$defs"].items() if "description" not in node] == []


def test_examples_are_lists_of_values_the_key_accepts() -> None:
    import jsonschema

    schema = spec_schema()
    with_examples = [(where, node) for where, node in properties(schema) if "examples" in node]
    assert len(with_examples) >= 5
    for where, node in with_examples:
        assert isinstance(node["examples"], list), where
        for example in node["examples"]:
            jsonschema.Draft202012Validator({**node, "$defs": schema["$defs"]}).validate(example)


@pytest.mark.parametrize("spec", sorted((ROOT / "specs").glob("*.yaml")), ids=lambda path: path.name)
def test_bundled_specs_point_their_editor_at_the_shipped_schema(spec: Path) -> None:
    first = spec.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(MODELINE_PREFIX)
    assert (spec.parent / first.removeprefix(MODELINE_PREFIX)).resolve() == SCHEMA_FILE


def test_schema_prints_the_shipped_file_and_output_writes_it(tmp_path: Path) -> None:
    printed = CliRunner().invoke(cli, ["schema"])
    assert printed.exit_code == 0
    assert json.loads(printed.output) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    target = tmp_path / "editor" / "mockery.schema.json"
    written = CliRunner().invoke(cli, ["schema", "--output", str(target)])
    assert written.exit_code == 0, written.output
    assert written.output == f"wrote {target}\n"
    assert json.loads(target.read_text(encoding="utf-8")) == spec_schema()


def test_schema_output_into_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.output
