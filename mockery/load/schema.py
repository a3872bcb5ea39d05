"""The spec language's JSON Schema, and its errors turned into located, readable messages."""

from __future__ import annotations

import functools
import json
import re  # re-ok: the patterns of mockery's own schema.json
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from mockery.errors import SpecError
from mockery.source.document import DocPath, Document, format_path
from mockery.suggest import did_you_mean

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


@functools.cache
def spec_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a spec file, as shipped inside the package."""
    text = resources.files("mockery.load").joinpath("schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(spec_schema())


@functools.cache
def _route_validator() -> jsonschema.Draft202012Validator:
    schema = spec_schema()
    wrapper = {
        "$schema": schema["$schema"],
        "type": "object",
        "required": ["route"],
        "properties": {"route": {"$ref": "#/$defs/route"}},
        "$defs": schema["$defs"],
    }
    return jsonschema.Draft202012Validator(wrapper)


def schema_errors(document: Document) -> list[SpecError]:
    """Every place where the document breaks the schema, each at its line and column."""
    return _errors(_validator(), document)


def route_schema_errors(document: Document) -> list[SpecError]:
    """Every place where ``document.data["route"]`` breaks the schema's route definition (``#/$defs/route``).

    The route sits under the key ``route`` so that errors name e.g. ``route.response.status``.
    """
    return _errors(_route_validator(), document)


def _errors(validator: jsonschema.Draft202012Validator, document: Document) -> list[SpecError]:
    errors: list[SpecError] = []
    for error in validator.iter_errors(document.data):
        errors.extend(_located(document, _most_relevant(error)))
    return errors


def _most_relevant(error: ValidationError) -> ValidationError:
    """For a failed oneOf/anyOf: the alternative's error that best explains the mistake."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        same_level = [e for e in error.context if not e.relative_path]
        enum = next((e for e in same_level if e.validator == "enum"), None)
        if enum is not None and isinstance(error.instance, str):
            return enum  # a mistyped name: the enum error carries the "did you mean"
        deeper = [e for e in error.context if e.relative_path]
        if not deeper:
            return error  # no alternative fits at all: name the alternatives
        error = best_match(deeper)
    return error


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return repr(value)


def _expected_types(schema_type: Any) -> str:
    names = [schema_type] if isinstance(schema_type, str) else schema_type
    return " or ".join(_TYPE_NAMES.get(name, name) for name in names)


def _located(document: Document, error: ValidationError) -> list[SpecError]:
    path: DocPath = tuple(error.absolute_path)
    instance = error.instance
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}

    def at(target: DocPath, message: str, suggestion: str | None = None, *, key: bool = False) -> SpecError:
        position = document.position(target, key=key)
        return SpecError(
            document.display_name, position.line, position.column, format_path(target), message, suggestion
        )

    if _checks_a_key(error) and isinstance(instance, str):
        # jsonschema reports a bad key as an error of the mapping holding it: point at the key itself.
        return [at((*path, instance), f"{instance!r} is not a valid name here", schema.get("x-hint"), key=True)]
    if keyword == "additionalProperties" and isinstance(instance, dict):
        known = list(schema.get("properties", {}))
        patterns = [re.compile(pattern) for pattern in schema.get("patternProperties", {})]
        extras = [key for key in instance if key not in known and not any(p.search(key) for p in patterns)]
        located = []
        for key in extras:
            suggestion = did_you_mean(key, known) or (f"expected one of: {', '.join(known)}" if known else None)
            located.append(at((*path, key), f"unknown key {key!r}", suggestion, key=True))
        if located:
            return located
    if keyword == "required":
        missing = re.findall(r"'([^']*)' is a required property", error.message)
        name = missing[0] if missing else error.validator_value
        return [at(path, f"missing required key {name!r}")]
    if keyword == "type":
        return [at(path, f"expected {_expected_types(error.validator_value)}, got {_describe(instance)}")]
    if keyword == "enum":
        options = [str(option) for option in error.validator_value]  # type: ignore[union-attr]
        suggestion = did_you_mean(str(instance), options) if isinstance(instance, str) else None
        return [at(path, f"expected one of {', '.join(options)}; got {_describe(instance)}", suggestion)]
    if keyword == "oneOf":
        return [at(path, f"expected {_alternatives(schema)}, got {_describe(instance)}")]
    if keyword == "pattern":
        hint = schema.get("x-hint")
        return [at(path, f"{_describe(instance)} does not match the pattern {error.validator_value!r}", hint)]
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[keyword]
        return [at(path, f"expected a number {sign} {error.validator_value}, got {_describe(instance)}")]
    return [at(path, error.message)]


def _checks_a_key(error: ValidationError) -> bool:
    """Whether the error comes from a ``propertyNames`` schema: its instance is a key, not a value."""
    return "propertyNames" in error.relative_schema_path


def _alternatives(schema: dict[str, Any]) -> str:
    described = []
    for option in schema.get("oneOf", []):
        if "$ref" in option:
            described.append(option["$ref"].rsplit("/", 1)[-1])
        elif "type" in option:
            described.append(_expected_types(option["type"]))
    return " or ".join(described) if described else "one of several forms"
