"""State from an OpenAPI document: ``/pets`` + ``/pets/{petId}`` become a mockery resource collection.

A path with a sibling one id parameter deeper (``/pets/{petId}``, ``/orders/{id}``; not ``/users/{username}``)
is a collection when the operations say what
a record is (the item GET's response, else the POST's, else its request body, else the list's items) and
that record has an ``id`` property. Records are generated from that schema by the same generator the
stateless operations use, through mockery's resources (:mod:`mockery.resources`): lazily, per record number,
with writes kept in the store. So ``POST /pets`` then ``GET /pets/{id}`` returns what was written and
``DELETE`` removes it, exactly as for a spec's ``resources:``.

Tuning, on the collection's path item: ``x-mockery-count`` (records at start, default 10) and
``x-mockery-resource`` (a name for the collection, or ``false`` to leave the pair stateless).
"""

from __future__ import annotations

import random
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from dataclasses import dataclass
from typing import Any

from mockery.errors import SpecError
from mockery.model.resources import Endpoint, EndpointName, IdKind, Resource
from mockery.openapi.document import OpenAPIDocument
from mockery.openapi.generate import SchemaGenerator

DEFAULT_COUNT = 10
_ITEM = re.compile(r"^(?P<base>.*)/\{(?P<param>[^{}/]+)\}$")
_ACTIONS: dict[tuple[bool, str], EndpointName] = {
    (False, "GET"): "list",
    (False, "POST"): "create",
    (True, "GET"): "get",
    (True, "PUT"): "replace",
    (True, "PATCH"): "update",
    (True, "DELETE"): "delete",
}


@dataclass(frozen=True, slots=True, eq=False)
class SchemaRecords:
    """A ``RecordMaker``: records generated from the record schema of a collection, ids left to mockery."""

    document: OpenAPIDocument
    schema: Any
    paths: frozenset[str]

    def __call__(self, source: random.Random, faker: Any) -> dict[str, Any]:
        value = SchemaGenerator(self.document, source, faker).generate(self.schema)
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True, slots=True)
class CollectionPlan:
    """A collection found in a document: its resource and which operation serves which endpoint."""

    resource: Resource
    schema: Any
    endpoints: dict[tuple[str, str], Endpoint]  # (path template, method) -> endpoint


def find_collections(
    doc: OpenAPIDocument, service: str, operations: list[tuple[str, str, dict[str, Any], dict[str, Any]]]
) -> tuple[list[CollectionPlan], list[SpecError]]:
    """The collections of a document, from its ``(template, method, operation, path item)`` list."""
    by_template: dict[str, dict[str, dict[str, Any]]] = {}
    items: dict[str, dict[str, Any]] = {}
    for template, method, operation, item in operations:
        by_template.setdefault(template, {})[method] = operation
        items[template] = item
    plans: list[CollectionPlan] = []
    errors: list[SpecError] = []
    names: set[str] = set()
    for item_template in by_template:
        match = _ITEM.match(item_template)
        if match is None or "{" in match.group("base") or match.group("base") not in by_template:
            continue
        base = match.group("base")
        if not _names_an_id(match.group("param")):
            continue  # /users/{username} looks records up by another field: left stateless
        tuning = items[base]
        wanted = tuning.get("x-mockery-resource")
        if wanted is False:
            continue
        schema = record_schema(doc, by_template[base], by_template[item_template])
        if schema is None:
            continue
        name = wanted if isinstance(wanted, str) else _name(base)
        while name in names:
            name += "_"
        names.add(name)
        count = tuning.get("x-mockery-count", DEFAULT_COUNT)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            errors.append(doc.located(("paths", base, "x-mockery-count"), f"{count!r} is not a count", "use 0 or more"))
            count = DEFAULT_COUNT
        merged = _merged(doc, schema)
        properties = merged.get("properties") if isinstance(merged.get("properties"), dict) else {}
        assert isinstance(properties, dict)
        resource = Resource(
            service=service,
            name=name,
            count=count,
            id_kind=_id_kind(doc, properties.get("id")),
            fields=(),
            path=base,
            endpoints=frozenset(),
            maker=SchemaRecords(doc, schema, frozenset(str(key) for key in properties)),
        )
        endpoints: dict[tuple[str, str], Endpoint] = {}
        for is_item, template in ((False, base), (True, item_template)):
            for method in by_template[template]:
                action = _ACTIONS.get((is_item, method))
                if action is not None:
                    endpoints[(template, method)] = Endpoint(resource, action)
        plans.append(CollectionPlan(resource, schema, endpoints))
    return plans, errors


def record_schema(doc: OpenAPIDocument, collection: dict[str, Any], item: dict[str, Any]) -> Any:
    """What one record is, or ``None`` when the operations do not say (or it has no ``id``)."""
    candidates = [
        _response_schema(doc, item.get("GET")),
        _response_schema(doc, collection.get("POST")),
        _body_schema(doc, collection.get("POST")),
    ]
    listed = _response_schema(doc, collection.get("GET"))
    if listed is not None:
        candidates.append(_list_items(doc, listed)[1])
    for schema in candidates:
        if schema is None or doc.impossible(schema):
            continue
        merged = _merged(doc, schema)
        properties = merged.get("properties")
        if isinstance(properties, dict) and "id" in properties:
            return schema
    return None


def list_property(doc: OpenAPIDocument, schema: Any) -> str | None:
    """Where a list response puts its records: ``None`` for a bare array, else the wrapper's array property."""
    return _list_items(doc, schema)[0]


def _list_items(doc: OpenAPIDocument, schema: Any) -> tuple[str | None, Any]:
    merged = _merged(doc, schema)
    if merged.get("type") == "array" or "items" in merged:
        return None, merged.get("items")
    properties = merged.get("properties")
    if isinstance(properties, dict):
        for name, sub in properties.items():
            inner = _merged(doc, sub)
            if inner.get("type") == "array" or "items" in inner:
                return str(name), inner.get("items")
    return None, None


def success_schema(doc: OpenAPIDocument, operation: dict[str, Any] | None) -> Any:
    """The JSON schema of an operation's first 2xx response."""
    return _response_schema(doc, operation)


def _response_schema(doc: OpenAPIDocument, operation: dict[str, Any] | None) -> Any:
    if not isinstance(operation, dict) or not isinstance(operation.get("responses"), dict):
        return None
    for code in sorted(str(code) for code in operation["responses"]):
        if code.startswith("2"):
            found = _json_schema(
                doc, doc.resolve(operation["responses"].get(code, operation["responses"].get(int(code))))
            )
            if found is not None:
                return found
    return None


def _body_schema(doc: OpenAPIDocument, operation: dict[str, Any] | None) -> Any:
    if not isinstance(operation, dict):
        return None
    return _json_schema(doc, doc.resolve(operation.get("requestBody")))


def _json_schema(doc: OpenAPIDocument, holder: Any) -> Any:
    content = holder.get("content") if isinstance(holder, dict) else None
    if not isinstance(content, dict):
        return None
    for media_type, media in content.items():
        base = str(media_type).split(";")[0].strip().lower()
        if (base == "application/json" or base.endswith("+json")) and isinstance(media, dict):
            return media.get("schema")
    return None


def _merged(doc: OpenAPIDocument, schema: Any) -> dict[str, Any]:
    if not isinstance(schema, dict):
        return {}
    return SchemaGenerator(doc, random.Random(0), None).merge([schema])


def _id_kind(doc: OpenAPIDocument, schema: Any) -> IdKind:
    kind = _merged(doc, schema).get("type")
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return "integer" if "integer" in kinds or "number" in kinds else "uuid"


def _names_an_id(param: str) -> bool:
    """``id``, ``petId``, ``pet_id``, ``uuid``: a parameter that holds the record's ``id``."""
    key = param.lower().replace("_", "").replace("-", "")
    return key in ("id", "uuid", "guid") or key.endswith("id")


def _name(template: str) -> str:
    last = template.rstrip("/").rsplit("/", 1)[-1] or "items"
    name = re.sub(r"[^a-z0-9_]+", "_", last.lower()).strip("_")
    return name if name[:1].isalpha() else f"r_{name}" if name else "items"
