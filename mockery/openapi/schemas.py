"""JSON Schemas of what a mockery route answers, inferred from the spec for the exported OpenAPI document.

A constant is described exactly (its type, an object's keys as required properties, an array's item types);
a template could render anything, so its schema is empty; a mapping or list holding templates is an object
or array whose template parts are left unconstrained. Values are JSON-shaped first (dates become strings,
as they are sent).
"""

from __future__ import annotations

from typing import Any

import orjson

from mockery.resources.generate import json_type
from mockery.templates.fakes import json_default
from mockery.templates.values import ConstantValue, ListValue, MappingValue, Value

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem document, as mockery reports what went wrong with a request.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "Each violation of a written body: a JSON pointer into it and a message.",
            "items": {"type": "object"},
        },
    },
}


def plain(value: Any) -> Any:
    """``value`` as JSON would carry it (dates as ISO strings, tuples as lists)."""
    return orjson.loads(orjson.dumps(value, default=json_default, option=orjson.OPT_NON_STR_KEYS))


def schema_of_data(data: Any) -> dict[str, Any]:
    """The schema of one JSON value: its type, an object's keys all required, an array's item types."""
    if isinstance(data, dict):
        return {
            "type": "object",
            "properties": {key: schema_of_data(item) for key, item in data.items()},
            "required": list(data),
        }
    if isinstance(data, list):
        return (
            {"type": "array", "items": any_of([schema_of_data(item) for item in data])} if data else {"type": "array"}
        )
    found = json_type(data)
    return {"type": found if found is not None else "null"}


def schema_of_value(value: Value) -> dict[str, Any]:
    """The schema of a compiled response value; template parts are unconstrained."""
    if isinstance(value, ConstantValue):
        return schema_of_data(plain(value.value))
    if isinstance(value, MappingValue):
        return {
            "type": "object",
            "properties": {key: schema_of_value(item) for key, item in value.items},
            "required": [key for key, _ in value.items],
        }
    if isinstance(value, ListValue):
        items = [schema_of_value(item) for item in value.items]
        return {"type": "array", "items": any_of(items)} if items else {"type": "array"}
    return {}


def any_of(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    """One schema accepting each of ``schemas`` (duplicates dropped; an empty one accepts anything)."""
    distinct: list[dict[str, Any]] = []
    for schema in schemas:
        if not schema:
            return {}
        if schema not in distinct:
            distinct.append(schema)
    if not distinct:
        return {}
    return distinct[0] if len(distinct) == 1 else {"anyOf": distinct}


def nullable_properties(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON merge patch (RFC 7396) of a record: any subset of its properties, each also ``null`` (remove)."""
    properties = schema.get("properties") or {}
    return {
        "type": "object",
        "properties": {name: {"anyOf": [item, {"type": "null"}]} for name, item in properties.items()},
    }
