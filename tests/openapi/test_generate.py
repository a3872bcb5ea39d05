"""The schema generator: determinism, each keyword, composition, recursion, and a sweep over the corpus."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from mockery.openapi.document import OpenAPIDocument, openapi_document
from mockery.openapi.generate import Direction, SchemaGenerator
from mockery.source.yaml_loader import load_document
from mockery.templates.fakes import new_generator

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "openapi"
FAKER = new_generator("en_US")


def document(schemas: dict[str, Any], tmp_path: Path, version: str = "3.1.0") -> OpenAPIDocument:
    import yaml

    path = tmp_path / "doc.yaml"
    data = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}
    path.write_text(yaml.safe_dump(data))
    loaded, errors = load_document(path)
    assert loaded is not None
    assert not errors
    doc, problems = openapi_document(loaded)
    assert doc is not None
    assert not problems
    return doc


def values(doc: OpenAPIDocument, name: str, n: int = 40, direction: Direction = "response") -> list[Any]:
    schema = doc.data["components"]["schemas"][name]
    out = []
    for seed in range(n):
        FAKER.seed_instance(seed)
        value = SchemaGenerator(doc, random.Random(seed), FAKER, direction=direction).generate(schema, name)
        errors = list(doc.validator(schema).iter_errors(value))
        assert not errors, (value, errors[0].message)
        out.append(value)
    return out


KEYWORDS: dict[str, Any] = {
    "bounds": {"type": "integer", "minimum": 5, "maximum": 7},
    "exclusive": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    "multiple": {"type": "number", "minimum": 1, "maximum": 100, "multipleOf": 0.25},
    "int_multiple": {"type": "integer", "multipleOf": 7},
    "lengths": {"type": "string", "minLength": 30, "maxLength": 32},
    "items": {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "boolean"}},
    "unique": {"type": "array", "minItems": 3, "uniqueItems": True, "items": {"enum": [1, 2, 3, 4]}},
    "const": {"const": {"a": 1}},
    "formats": {
        "type": "object",
        "required": ["e", "u", "d", "t", "v4", "v6", "uri", "b"],
        "properties": {
            "e": {"type": "string", "format": "email"},
            "u": {"type": "string", "format": "uuid"},
            "d": {"type": "string", "format": "date"},
            "t": {"type": "string", "format": "date-time"},
            "v4": {"type": "string", "format": "ipv4"},
            "v6": {"type": "string", "format": "ipv6"},
            "uri": {"type": "string", "format": "uri"},
            "b": {"type": "string", "format": "byte"},
        },
    },
    "closed": {"type": "object", "additionalProperties": False, "properties": {"a": {"type": "string"}}},
    "open_map": {"type": "object", "additionalProperties": {"type": "integer"}, "minProperties": 1},
    "nullable": {"type": ["string", "null"]},
    "one_of": {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "integer"}]},
    "any_of": {"anyOf": [{"type": "string", "format": "email"}, {"type": "boolean"}]},
}


@pytest.mark.parametrize("name", sorted(KEYWORDS), ids=sorted(KEYWORDS))
def test_each_keyword_is_honoured(name: str, tmp_path: Path) -> None:
    values(document({name: KEYWORDS[name]}, tmp_path), name)


def test_the_same_seed_gives_the_same_value_and_seeds_differ(tmp_path: Path) -> None:
    doc = document(
        {"P": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}}, tmp_path
    )
    first, again = values(doc, "P", 5), values(doc, "P", 5)
    assert first == again
    assert len({repr(v) for v in first}) > 1


def test_required_are_always_there_and_optional_sometimes(tmp_path: Path) -> None:
    schema = {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    found = values(document({"S": schema}, tmp_path), "S", 60)
    assert all("a" in v for v in found)
    assert any("b" in v for v in found)
    assert any("b" not in v for v in found)


def test_read_only_and_write_only_follow_the_direction(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"id": {"type": "integer", "readOnly": True}, "pw": {"type": "string", "writeOnly": True}},
    }
    doc = document({"S": schema}, tmp_path)
    responses, requests = values(doc, "S", 30), values(doc, "S", 30, direction="request")
    assert not any("pw" in v for v in responses)
    assert any("id" in v for v in responses)
    assert not any("id" in v for v in requests)
    assert any("pw" in v for v in requests)


def test_openapi_30_nullable_and_exclusive_flags_are_understood(tmp_path: Path) -> None:
    schemas = {"N": {"type": "integer", "nullable": True, "minimum": 1, "maximum": 2, "exclusiveMaximum": True}}
    doc = document(schemas, tmp_path, version="3.0.3")
    assert set(values(doc, "N")) == {1}


def test_all_of_merges_and_a_discriminator_labels_the_branch(tmp_path: Path) -> None:
    schemas = {
        "Pet": {
            "type": "object",
            "required": ["kind", "name"],
            "properties": {"kind": {"type": "string"}, "name": {"type": "string"}},
            "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat"}},
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        },
        "Cat": {"type": "object", "required": ["lives"], "properties": {"lives": {"type": "integer", "maximum": 9}}},
        "Dog": {"type": "object", "required": ["bark"], "properties": {"bark": {"type": "boolean"}}},
        "Both": {
            "allOf": [
                {"$ref": "#/components/schemas/Cat"},
                {"required": ["x"], "properties": {"x": {"type": "string"}}},
            ]
        },
    }
    doc = document(schemas, tmp_path)
    pets = values(doc, "Pet")
    assert {pet["kind"] for pet in pets} == {"cat", "Dog"}
    assert all(("lives" in pet) == (pet["kind"] == "cat") for pet in pets)
    assert all({"lives", "x"} <= set(both) for both in values(doc, "Both"))


def test_recursion_is_bounded(tmp_path: Path) -> None:
    schemas = {
        "Node": {
            "type": "object",
            "required": ["children"],
            "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
        }
    }

    def depth(node: Any) -> int:
        return 1 + max((depth(child) for child in node["children"]), default=0)

    doc = document(schemas, tmp_path)
    assert all(depth(tree) <= 8 for tree in values(doc, "Node", 10))
    assert doc.impossible(schemas["Node"]) is None


def test_impossible_parts_are_left_out_where_optional(tmp_path: Path) -> None:
    schemas = {
        "S": {
            "type": "object",
            "properties": {
                "bad": {"allOf": [{"type": "object"}, {"type": "string"}]},
                "code": {"type": "string", "enum": [1, 2]},
                "list": {"type": "array", "items": {"allOf": [{"type": "integer"}, {"type": "boolean"}]}},
            },
        },
        "R": {"type": "object", "required": ["code"], "properties": {"code": {"type": "string", "enum": [1]}}},
    }
    doc = document(schemas, tmp_path)
    assert all("bad" not in v and "code" not in v and not v.get("list") for v in values(doc, "S"))
    reason = doc.impossible(schemas["R"])
    assert reason is not None
    assert "code" in reason


SWEEP = sorted(CORPUS.glob("*.y*ml")) + sorted(CORPUS.glob("*.json")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not SWEEP, reason=f"the OpenAPI corpus is not at {CORPUS}")
@pytest.mark.parametrize("path", SWEEP, ids=lambda p: p.stem[:40])
@pytest.mark.slow
def test_every_satisfiable_component_schema_of_the_corpus_generates_valid_values(path: Path) -> None:
    loaded, _ = load_document(path)
    assert loaded is not None
    doc, _ = openapi_document(loaded)
    assert doc is not None
    schemas = (doc.data.get("components") or {}).get("schemas") or {}
    failures = []
    for name, schema in schemas.items():
        if doc.impossible(schema):
            continue
        for seed in range(3):
            FAKER.seed_instance(seed)
            value = SchemaGenerator(doc, random.Random(seed), FAKER).generate(schema, name)
            error = next(iter(doc.validator(schema).iter_errors(value)), None)
            if error is not None:
                failures.append(f"{name} (seed {seed}): {error.message[:160]} at {list(error.absolute_path)}")
    assert not failures, "\n".join(failures[:20])
