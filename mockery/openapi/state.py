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

import logging
import random
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from dataclasses import dataclass
from typing import Any

from mockery.errors import SpecError
from mockery.model.resources import Endpoint, EndpointName, IdKind, Resource
from mockery.openapi.document import OpenAPIDocument
from mockery.openapi.generate import SchemaGenerator
from mockery.openapi.ids import IdRule, id_rule

DEFAULT_COUNT = 10
DRAWN_LIMIT = 5_000  # records whose ids are drawn from a pattern: their table is built on first use (~0.4 ms each)
logger = logging.getLogger("mockery.openapi")
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
    """A ``RecordMaker``: records generated from the record schema of a collection, ids left to mockery
    (and translated to the document's by ``ids``). It also carries what the document says of the collection:
    its ``writeOnly`` properties (never answered) and whether a ``PUT`` to an unknown id creates."""

    document: OpenAPIDocument
    schema: Any
    paths: frozenset[str]
    ids: IdRule | None = None
    write_only: frozenset[str] = frozenset()
    put_creates: bool = False
    statuses: tuple[tuple[str, frozenset[str]], ...] = ()  # (endpoint action, the statuses it documents)

    def documented(self, action: str) -> frozenset[str]:
        """The response keys (``404``, ``4XX``, ``default``) the operation of ``action`` documents."""
        return next((codes for name, codes in self.statuses if name == action), frozenset())

    def __call__(self, source: random.Random, faker: Any) -> dict[str, Any]:
        value = SchemaGenerator(self.document, source, faker).generate(self.schema)
        if not isinstance(value, dict):
            return {}
        return {key: item for key, item in value.items() if key not in self.write_only}


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
        item_operations = by_template[item_template]
        path_schema = _path_schema(doc, match.group("param"), item_operations, items[item_template])
        id_schema = _id_schema(doc, properties.get("id"), path_schema)
        rule = id_rule(doc, id_schema)
        if rule.capacity is not None and "x-mockery-count" not in tuning:
            count = min(count, max(1, rule.capacity // 2))  # room left for records a client creates
        if rule.capacity is not None and count > rule.capacity:
            warning = doc.located(
                ("paths", base, "x-mockery-count"),
                f"{count} records were asked for, but the id schema allows only {rule.capacity} ids",
                f"mockery starts {name} with {rule.capacity} records; set x-mockery-count to at most that",
            )
            doc.warnings.append(warning)
            logger.warning("%s", warning)
        if rule.capacity is not None:
            count = min(count, rule.capacity)
        if rule.mode == "drawn" and count > DRAWN_LIMIT:
            warning = doc.located(
                ("paths", base, "x-mockery-count"),
                f"{count} records were asked for, with ids drawn from their schema: mockery keeps a table of "
                f"those ids, and starts {name} with {DRAWN_LIMIT} records",
                "use fewer records, or an id schema a UUID or an integer satisfies",
            )
            doc.warnings.append(warning)
            logger.warning("%s", warning)
            count = DRAWN_LIMIT
        statuses = [
            (action, frozenset(str(code) for code in (by_template[template][method].get("responses") or {})))
            for (is_item, method), action in _ACTIONS.items()
            for template in ((item_template,) if is_item else (base,))
            if method in by_template[template]
        ]
        maker = SchemaRecords(
            doc,
            schema,
            frozenset(str(key) for key in properties),
            ids=rule,
            write_only=frozenset(str(key) for key, sub in properties.items() if _flag(doc, sub, "writeOnly")),
            put_creates=_put_creates(doc, item_operations.get("PUT")),
            statuses=tuple(statuses),
        )
        resource = Resource(
            service=service,
            name=name,
            count=count,
            id_kind=_id_kind(doc, id_schema),
            fields=(),
            path=base,
            endpoints=frozenset(),
            maker=maker,
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


def _path_schema(doc: OpenAPIDocument, param: str, operations: dict[str, dict[str, Any]], item: dict[str, Any]) -> Any:
    """The schema the item path gives its id parameter (the first operation or path item declaring it)."""
    for holder in [*operations.values(), item]:
        parameters = holder.get("parameters") if isinstance(holder, dict) else None
        for parameter in parameters if isinstance(parameters, list) else []:
            resolved = doc.resolve(parameter)
            if isinstance(resolved, dict) and resolved.get("name") == param and resolved.get("in") == "path":
                found = resolved.get("schema")
                if isinstance(found, dict):
                    return found
    return {}


def _id_schema(doc: OpenAPIDocument, record_id: Any, path_schema: Any) -> dict[str, Any]:
    """The record's ``id`` schema with the path parameter's constraints; the record's type wins (a document may
    type the parameter ``string`` and the id ``integer``: on the wire a path segment is text either way)."""
    own = _merged(doc, record_id)
    given = _merged(doc, path_schema)
    if "type" in own or "enum" in own:
        given = {key: value for key, value in given.items() if key not in ("type", "format", "enum", "pattern")}
        if own.get("type") in ("integer", "number"):
            given = {key: value for key, value in given.items() if "Length" not in key}
    return _merged(doc, {"allOf": [own, given]}) if given else own


def _put_creates(doc: OpenAPIDocument, operation: dict[str, Any] | None) -> bool:
    """Whether a ``PUT`` to an unknown id creates: it documents 201, or a 200 answering the resource."""
    responses = operation.get("responses") if isinstance(operation, dict) else None
    if not isinstance(responses, dict):
        return False
    codes = {str(code) for code in responses}
    return "201" in codes or ("200" in codes and _json_schema(doc, doc.resolve(responses.get("200"))) is not None)


def _flag(doc: OpenAPIDocument, schema: Any, key: str) -> bool:
    return isinstance(schema, dict) and (schema.get(key) is True or _merged(doc, schema).get(key) is True)


def _names_an_id(param: str) -> bool:
    """``id``, ``petId``, ``pet_id``, ``uuid``: a parameter that holds the record's ``id``."""
    key = param.lower().replace("_", "").replace("-", "")
    return key in ("id", "uuid", "guid") or key.endswith("id")


def _name(template: str) -> str:
    last = template.rstrip("/").rsplit("/", 1)[-1] or "items"
    name = re.sub(r"[^a-z0-9_]+", "_", last.lower()).strip("_")
    return name if name[:1].isalpha() else f"r_{name}" if name else "items"
