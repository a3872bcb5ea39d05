"""``RE2Validator`` says what jsonschema's Draft 2020-12 validator says, for every keyword it takes over, on
patterns both engines run; and ``pattern_problems`` finds every pattern RE2 refuses, wherever it is written."""

from __future__ import annotations

import time
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mockery.http.schema_patterns import RE2Validator, pattern_problems, schema_problems

# (id, schema, instances)
SAME = [
    ("pattern", {"type": "string", "pattern": "^a+$"}, ["aaa", "ab", "", 5]),
    ("pattern-searches", {"pattern": "b"}, ["abc", "ac"]),
    (
        "pattern-properties",
        {"patternProperties": {"^x_": {"type": "integer"}, "^y": {"type": "string"}}},
        [{"x_a": 1}, {"x_a": "s"}, {"yes": 1}, {"other": None}, []],
    ),
    (
        "additional-properties-false",
        {"properties": {"a": {}}, "patternProperties": {"^x_": {}}, "additionalProperties": False},
        [{"a": 1, "x_b": 2}, {"b": 1}, {"b": 1, "c": 2}],
    ),
    (
        "additional-properties-schema",
        {"properties": {"a": {}}, "additionalProperties": {"type": "string"}},
        [{"a": 1, "b": "x"}, {"b": 2}],
    ),
    ("additional-properties-plain", {"properties": {"a": {}}, "additionalProperties": False}, [{"b": 1, "c": 2}]),
    (
        "unevaluated-properties-false",
        {"properties": {"a": {}}, "patternProperties": {"^p": {}}, "unevaluatedProperties": False},
        [{"a": 1, "p1": 2}, {"q": 1}, {"q": 1, "r": 2}],
    ),
    (
        "unevaluated-properties-schema",
        {"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": {"type": "string"}},
        [{"a": 1, "b": "x"}, {"b": 2}],
    ),
    (
        "unevaluated-through-ref-and-if",
        {
            "$defs": {"d": {"properties": {"k": {}}}},
            "$ref": "#/$defs/d",
            "if": {"required": ["k"]},
            "then": {"patternProperties": {"^t": {}}},
            "else": {"properties": {"e": {}}},
            "dependentSchemas": {"k": {"properties": {"dep": {}}}},
            "unevaluatedProperties": False,
        },
        [{"k": 1, "t1": 1, "dep": 1}, {"k": 1, "e": 1}, {"e": 1}, {"t1": 1}],
    ),
    ("property-names", {"propertyNames": {"pattern": "^[a-z]+$"}}, [{"abc": 1}, {"aB": 1}]),
]


@pytest.mark.parametrize(("schema", "instances"), [case[1:] for case in SAME], ids=[case[0] for case in SAME])
def test_re2_validator_says_what_jsonschema_says(schema: dict[str, Any], instances: list[Any]) -> None:
    for instance in instances:
        expected = [(list(e.absolute_path), e.message) for e in Draft202012Validator(schema).iter_errors(instance)]
        found = [(list(e.absolute_path), e.message) for e in RE2Validator(schema).iter_errors(instance)]
        assert found == expected, instance


def test_the_regex_format_is_checked_by_re2() -> None:
    checker = Draft202012Validator.FORMAT_CHECKER
    validator = RE2Validator({"format": "regex"}, format_checker=checker)
    assert validator.is_valid("^a+$")
    assert validator.is_valid(r"^\pL+$")  # RE2 syntax
    (error,) = validator.iter_errors("(?=a)")
    assert error.message == "'(?=a)' is not a 'regex': RE2 cannot compile the regex '(?=a)': invalid perl operator: (?="
    assert RE2Validator({"format": "email"}, format_checker=checker).is_valid("not an email") is False


def test_a_pattern_re2_cannot_run_constrains_nothing() -> None:
    validator = RE2Validator(
        {
            "properties": {"p": {"pattern": "(?=.*[0-9])"}},
            "patternProperties": {"(?=x)": {"type": "integer"}},
            "additionalProperties": False,
        }
    )
    assert validator.is_valid({"p": "no digits", "xyz": "not checked"})


def test_a_backtracking_instance_is_refused_at_once() -> None:
    validator = RE2Validator({"pattern": "^(a+)+$", "patternProperties": {"^(a+)+$": {"type": "integer"}}})
    hostile = "a" * 40 + "!"
    started = time.perf_counter()
    assert not validator.is_valid(hostile)
    assert validator.is_valid({hostile: "not an integer: the name does not match"})
    assert time.perf_counter() - started < 1.0


def test_pattern_problems_are_found_wherever_they_are_written() -> None:
    schema = {
        "properties": {"a": {"pattern": "(?=a)"}, "b": {"items": {"pattern": r"(b)\1"}}},
        "patternProperties": {"(?<=c)": {"not": {"pattern": "(?!d)"}}},
        "allOf": [{"$defs": {"e": {"pattern": "fine"}}}, {"prefixItems": [{"pattern": "(unclosed"}]}],
        "enum": [{"pattern": "(?=ignored: not a schema)"}],
    }
    found = pattern_problems(schema, ("root",))
    assert [where for where, _ in found] == [
        ("root", "allOf", 1, "prefixItems", 0, "pattern"),
        ("root", "patternProperties", "(?<=c)"),
        ("root", "patternProperties", "(?<=c)", "not", "pattern"),
        ("root", "properties", "a", "pattern"),
        ("root", "properties", "b", "items", "pattern"),
    ]
    assert all(message.startswith("RE2 cannot compile the regex ") for _, message in found)


def test_schema_problems_checks_patterns_then_the_schema() -> None:
    assert schema_problems({"type": "string", "pattern": r"^\pL+$"}, ("s",)) == []
    assert schema_problems({"type": "wat", "pattern": "(?=a)"}, ("s",)) == [
        (("s", "pattern"), "RE2 cannot compile the regex '(?=a)': invalid perl operator: (?=")
    ]
    ((where, message),) = schema_problems({"type": "wat"}, ("s",))
    assert where == ("s",)
    assert message.startswith("not a valid JSON Schema: ")
