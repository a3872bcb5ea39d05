"""Believable leaf values: a scalar by its field's name and its type's name, an enum value, an entity id.

Strings, numbers and the formats of custom scalars come from the OpenAPI generator (``mockery.openapi``), so
that a GraphQL ``email: String`` and an OpenAPI ``email`` property get the same kind of value.
"""

from __future__ import annotations

import base64
import random
from typing import Any

from graphql import GraphQLEnumType, GraphQLScalarType

from mockery.openapi.document import OpenAPIDocument
from mockery.openapi.generate import SchemaGenerator
from mockery.openapi.names import canonical

# The JSON Schema of a custom scalar, by its canonical name: what the OpenAPI generator is asked for.
_CUSTOM: dict[str, dict[str, Any]] = {
    "datetime": {"type": "string", "format": "date-time"},
    "precisedatetime": {"type": "string", "format": "date-time"},
    "timestamp": {"type": "string", "format": "date-time"},
    "instant": {"type": "string", "format": "date-time"},
    "gittimestamp": {"type": "string", "format": "date-time"},
    "customdate": {"type": "string", "format": "date"},
    "date": {"type": "string", "format": "date"},
    "localdate": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "uuid": {"type": "string", "format": "uuid"},
    "url": {"type": "string", "format": "uri"},
    "uri": {"type": "string", "format": "uri"},
    "email": {"type": "string", "format": "email"},
    "emailaddress": {"type": "string", "format": "email"},
    "long": {"type": "integer"},
    "bigint": {"type": "integer"},
    "decimal": {"type": "number"},
    "bigdecimal": {"type": "number"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "boolean": {"type": "boolean"},
    "string": {"type": "string"},
    "id": {"type": "string"},
}
_JSON_SCALARS = frozenset({"json", "jsonobject", "object", "map"})
_HEX = "0123456789abcdef"


def scalar_value(scalar: GraphQLScalarType, field: str, faker: Any) -> Any:
    """A value of ``scalar`` for a field called ``field``, drawn from ``faker`` (seeded by the caller)."""
    source: random.Random = faker.random
    key = canonical(scalar.name)
    if key in _JSON_SCALARS:
        return {"id": source.randint(1, 1000), "name": faker.word()}
    if key == "gitobjectid":
        return "".join(source.choice(_HEX) for _ in range(40))
    if key == "html":
        return f"<p>{faker.sentence()}</p>"
    if key == "boolean":
        return source.random() < 0.5
    schema = _CUSTOM.get(key)
    if schema is None:
        schema = {"type": "string"}
    # The schemas asked for are plain (no $ref): an empty document of their own is all the generator needs.
    document = OpenAPIDocument(source=None, data={"openapi": "3.1.0"}, version="3.1.0")  # type: ignore[arg-type]
    value = SchemaGenerator(document, source, faker, use_examples=False).generate(schema, field)
    if scalar.name == "Int" and isinstance(value, int):
        return max(-(2**31), min(2**31 - 1, value))
    if scalar.name == "Float" and isinstance(value, int):
        return float(value)
    return value


def enum_value(enum: GraphQLEnumType, source: random.Random) -> Any:
    """One of the enum's values (its Python value, which graphql-core serialises to the name)."""
    names = sorted(enum.values)
    live = [name for name in names if enum.values[name].deprecation_reason is None] or names
    return enum.values[source.choice(live)].value


def entity_id(type_name: str, scalar: str, number: int, relay: bool) -> Any:
    """The id of the ``number``-th entity of ``type_name``: an Int, or a string (Relay's global id,
    base64 of ``Type:number``, for types that implement ``Node``, so that ``node(id:)`` finds the type)."""
    if scalar == "Int":
        return number
    if relay:
        return base64.b64encode(f"{type_name}:{number}".encode()).decode()
    return str(number)


def relay_type(raw_id: Any) -> str | None:
    """The type named in a Relay global id (``base64("Film:3")`` -> ``Film``), or ``None``."""
    if not isinstance(raw_id, str) or len(raw_id) > 200:
        return None
    try:
        text = base64.b64decode(raw_id, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    name, colon, _ = text.partition(":")
    return name if colon and name.isidentifier() else None
