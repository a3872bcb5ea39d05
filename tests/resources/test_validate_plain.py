"""mockery.resources.validate: the plain check of a written record (types, properties, items), compiled once,
says valid only when the JSON Schema validator finds nothing; anything else goes to the validator, whose
violations are the same with or without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mockery.load.loader import load_specs
from mockery.resources import validate
from mockery.resources.validate import plainly_valid
from mockery.runtime.state import Runtime

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "score": {"type": "number"},
        "active": {"type": "boolean"},
        "company_id": {"type": ["integer", "null"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "address": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
RECORDS: list[dict[str, Any]] = [
    {},
    {"id": 1, "name": "Ada", "score": 1.5, "active": True, "company_id": None, "tags": [], "address": {}},
    {"id": 2, "score": 3, "company_id": 7, "tags": ["a", "b"], "address": {"city": "Paris", "zip": 1}},
    {"extra": {"anything": [1, None]}},
    {"id": True},
    {"id": 1.0},
    {"id": 1.5},
    {"id": "1"},
    {"name": 5},
    {"score": False},
    {"score": "1"},
    {"active": 1},
    {"company_id": "x"},
    {"company_id": 2.0},
    {"tags": "a"},
    {"tags": ["a", 1]},
    {"tags": [None]},
    {"address": []},
    {"address": {"city": None}},
    {"address": {"city": {"name": "Paris"}}},
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: repr(record)[:40])
def test_plainly_valid_only_when_the_validator_finds_nothing(record: dict[str, Any]) -> None:
    check = plainly_valid(SCHEMA)
    assert check is not None
    errors = list(Draft202012Validator(SCHEMA).iter_errors(record))
    if check(record):
        assert errors == []
    elif type(record.get("id")) is not float and type(record.get("company_id")) is not float:
        assert errors  # only whole floats are left to the validator though valid


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "pattern": "^a"},
        {"type": "integer", "minimum": 1},
        {"enum": ["a", "b"]},
        {"type": "object", "properties": {"name": {"type": "string", "maxLength": 3}}},
        {"type": "object", "properties": []},
        {"type": "array", "items": False},
        {"type": "date"},
        {"properties": {}},
        True,
    ],
    ids=repr,
)
def test_a_schema_with_anything_else_is_left_to_the_validator(schema: Any) -> None:
    assert plainly_valid(schema) is None


SPEC = """\
service: shop
resources:
  users:
    count: 3
    fields:
      name: name
      age: {faker: pyint, min_value: 18, max_value: 90}
      tags: {array: word, min: 0, max: 3}
      address: {fields: {city: city}}
      company_id: {ref: companies}
  strict:
    count: 3
    fields:
      code: {faker: bothify, text: "??-##", schema: {type: string, pattern: "^[a-z]{2}-[0-9]{2}$"}}
  companies:
    count: 2
    fields: {name: company}
"""


def test_violations_are_the_same_with_and_without_the_plain_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shop.yaml").write_text(SPEC, encoding="utf-8")
    written: list[dict[str, Any]] = [
        {"name": "Ada", "age": 30, "tags": ["x"], "address": {"city": "Paris"}, "company_id": 1},
        {"name": "Ada", "age": 30, "company_id": 99},
        {"name": 1, "age": "old", "tags": [1], "address": {"city": 2}},
        {"age": 30.0},
        {"age": True},
        {"code": "ab-12"},
        {"code": "AB-12"},
        {"code": 12},
    ]

    def violations() -> list[list[dict[str, str]]]:
        runtime = Runtime(load_specs([tmp_path]))

        def exists(ref: Any, value: Any) -> bool:
            return value in (1, 2)

        return [
            runtime.resources.validators[key].violations(record, exists)
            for key in ("shop.users", "shop.strict")
            for record in written
        ]

    with_check = violations()
    monkeypatch.setattr(validate, "plainly_valid", lambda schema: None)
    assert violations() == with_check
    assert with_check[0] == []
    assert with_check[1] == [{"pointer": "/company_id", "detail": "no companies record has the id 99"}]
    assert {v["pointer"] for v in with_check[2]} >= {"/name", "/age", "/address/city"}
    assert with_check[3] == []  # a whole float is an integer to JSON Schema
    assert with_check[4] != []
    strict = with_check[len(written) :]
    assert strict[5] == []
    assert strict[6] != []
    assert strict[7] != []
