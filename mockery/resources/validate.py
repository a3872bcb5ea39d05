"""Checking written records: field types (declared, or inferred from generated data) and refs.

Each violation is a JSON pointer into the written body and a message, the items of a 422 problem. A field
schema's patterns run on RE2 (``mockery.http.schema_patterns``): a written body cannot make one backtrack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator

from mockery.http.schema_patterns import RE2Validator
from mockery.model.resources import RefField, Resource
from mockery.resources.generate import RecordFactory, RefResolver, infer_schema
from mockery.store import Record

Violation = dict[str, str]


def pointer(path: Any) -> str:
    """A JSON pointer (RFC 6901) to ``path``."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


class RecordValidator:
    """Validates records written to one collection; its schema is built on first use."""

    def __init__(self, resource: Resource, factory: RecordFactory, refs: RefResolver) -> None:
        self.resource = resource
        self._factory = factory
        self._refs = refs
        self._validator: Draft202012Validator | None = None
        self._valid: Callable[[Any], bool] | None = None

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of a record: each field's declared schema, or the one inferred from record 1."""
        sample = self._factory.record(1)
        id_type = "integer" if self.resource.id_kind == "integer" else "string"
        properties: dict[str, Any] = {"id": {"type": id_type}}
        for name, spec in self.resource.fields:
            declared = dict(spec.schema) if spec.schema is not None else None
            properties[name] = (
                declared if declared is not None else infer_schema(spec.kind, sample.get(name), self._refs)
            )
        return {"type": "object", "properties": properties}

    def violations(self, record: Record, exists: Callable[[RefField, Any], bool]) -> list[Violation]:
        """Every way ``record`` breaks its collection's fields; ``exists`` tells whether a ref's target is there."""
        if self._validator is None:
            schema = self.schema()
            self._validator = RE2Validator(schema)
            self._valid = plainly_valid(schema)
        if self._valid is None or not self._valid(record):
            found = [
                {"pointer": pointer(error.absolute_path), "detail": error.message}
                for error in sorted(self._validator.iter_errors(record), key=lambda e: list(map(str, e.absolute_path)))
            ]
            if found:
                return found
        found = []
        for name, ref in self.resource.refs().items():
            value = record.get(name)
            if value is not None and not exists(ref, value):
                found.append({"pointer": pointer([name]), "detail": f"no {ref.resource} record has the id {value!r}"})
        return found


# JSON types as a plain check sees them: exact Python types, so that a bool is no integer. A float that is a whole
# number is an integer to JSON Schema: the plain check does not say so, and leaves such a value to the validator.
_PLAIN_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
    "array": (list,),
    "object": (dict,),
}


def plainly_valid(schema: Any) -> Callable[[Any], bool] | None:
    """A quick check of a schema made only of ``type``, ``properties`` and ``items`` (what fields inferred from
    generated data give), compiled once: ``True`` means the validator finds nothing, ``False`` that it must look
    (and say what is wrong). ``None`` for a schema with any other keyword: the validator always looks."""
    if not isinstance(schema, dict) or not set(schema) <= {"type", "properties", "items"}:
        return None
    named = schema.get("type")
    names = [named] if isinstance(named, str) else named
    if names is None or not isinstance(names, list) or not all(name in _PLAIN_TYPES for name in names):
        return None
    kinds = tuple(kind for name in names for kind in _PLAIN_TYPES[name])
    given = schema.get("properties", {})
    if not isinstance(given, dict):
        return None
    properties: dict[str, Callable[[Any], bool]] = {}
    for name, part in given.items():
        check = plainly_valid(part)
        if check is None:
            return None
        properties[name] = check
    items = plainly_valid(schema["items"]) if "items" in schema else None
    if "items" in schema and items is None:
        return None

    def valid(value: Any) -> bool:
        if type(value) not in kinds:
            return False
        if properties and type(value) is dict:
            for name, check in properties.items():
                if name in value and not check(value[name]):
                    return False
        if items is not None and type(value) is list:
            return all(items(item) for item in value)
        return True

    return valid
