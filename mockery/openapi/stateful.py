"""An OpenAPI operation answered from its collection, in the document's terms.

The request has already passed the operation's own validation; :func:`mockery.resources.rest.respond` does
the reading and writing (ids, the store overlay, merge patches, 409s, list queries). What is adapted here is
the contract: the documented status of the operation, the documented shape of a list (a bare array or a
wrapper object holding it), the documented query parameters (``limit``/``offset``/``page`` map to mockery's
``_limit``/``_start``/``_page``; a parameter named like a field filters on it), and ``readOnly`` properties
a client may not send, which the server fills in on create.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import orjson

from mockery.http.answer import Answer, problem
from mockery.http.requests import RawRequest
from mockery.model.resources import Endpoint, field_paths
from mockery.openapi.bodies import as_json
from mockery.openapi.generate import SchemaGenerator
from mockery.openapi.ids import IdRule
from mockery.openapi.state import SchemaRecords
from mockery.resources.collection import Collection
from mockery.resources.query import MAX_LIMIT, OPERATORS, RESERVED
from mockery.resources.registry import Resources
from mockery.resources.rest import respond
from mockery.templates.fakes import json_default

_QUERY_ALIASES = {
    "limit": "_limit",
    "per_page": "_limit",
    "perpage": "_limit",
    "pagesize": "_limit",
    "page_size": "_limit",
    "size": "_limit",
    "offset": "_start",
    "skip": "_start",
    "page": "_page",
    "sort": "_sort",
    "order": "_order",
}
_TOTAL_NAMES = ("total", "totalcount", "total_count", "totalitems", "total_items", "count")


@dataclass(frozen=True, slots=True)
class Binding:
    """How one operation maps onto its collection: the endpoint, the path parameter holding the id, the
    property a wrapped list puts records under, and the record schema."""

    endpoint: Endpoint
    id_key: str | None
    list_key: str | None
    record_schema: Any
    list_schema: Any


def answer(
    binding: Binding,
    resources: Resources,
    raw: RawRequest,
    path_params: dict[str, Any],
    generator: SchemaGenerator,
) -> Answer:
    """The collection's answer to ``raw``, reshaped to the operation's documented response (and an error under
    the nearest status the operation documents)."""
    found = _answer(binding, resources, raw, path_params, generator)
    maker = binding.endpoint.resource.maker
    if found.status >= 400 and isinstance(maker, SchemaRecords):
        return documented_status(found, maker.documented(binding.endpoint.action))
    return found


def _answer(
    binding: Binding,
    resources: Resources,
    raw: RawRequest,
    path_params: dict[str, Any],
    generator: SchemaGenerator,
) -> Answer:
    endpoint = binding.endpoint
    collection = resources.collection(endpoint.resource)
    rules = endpoint.resource.maker if isinstance(endpoint.resource.maker, SchemaRecords) else None
    ids = Ids(rules, collection, generator)
    params: dict[str, Any] = {}
    if binding.id_key is not None:
        outer = path_params.get(binding.id_key)
        inner = ids.inner(outer)
        if inner is None:
            return _missing(endpoint.resource.name, outer)
        params = {"id": inner}
    query = _query(raw.query_string, binding) if endpoint.action == "list" else raw.query_string
    body, path = raw.body, raw.path
    if endpoint.action in ("create", "replace", "update"):
        content_type = raw.headers.get("content-type", "")
        body = as_json(body, content_type, binding.record_schema, generator.document, generator.merge)
        # The operation has validated the request: a body it lets a client leave out is an empty record.
        body = body if body.strip() else b"{}"
    if (
        endpoint.action == "replace"
        and rules is not None
        and rules.put_creates
        and collection.get(params["id"]) is None
        and (rules.ids is None or rules.ids.valid(ids.inner_to_outer(params["id"])))
    ):
        # The document's PUT creates: the record is created under the id of the path.
        endpoint = Endpoint(endpoint.resource, "create")
        body = _with_id(body, params["id"])
        path = raw.path.rstrip("/").rsplit("/", 1)[0]
    elif binding.id_key is not None and endpoint.action != "nested" and collection.get(params["id"]) is None:
        return _missing(endpoint.resource.name, ids.inner_to_outer(params["id"]))
    if endpoint.action == "create":
        body = _with_read_only(body, binding.record_schema, generator)
        body, refused = ids.created(body, named=endpoint is not binding.endpoint)
        if refused is not None:
            return refused
    elif endpoint.action in ("replace", "update"):
        if endpoint.action == "replace":
            body = _with_read_only(body, binding.record_schema, generator)
        if not ids.identity:
            body = ids.inner_body(body, params["id"])
    request = RawRequest(raw.method, path, query, raw.headers, body)
    answer = respond(resources, endpoint, request, params)
    if answer.status < 400:
        answer = ids.location(ids.outward(answer, path), path, raw.headers.get("host", ""))
    if answer.status >= 400 or endpoint.action != "list" or binding.list_key is None:
        return answer
    wrapper = generator.generate(binding.list_schema)
    wrapper = wrapper if isinstance(wrapper, dict) else {}
    wrapper[binding.list_key] = orjson.loads(answer.body)
    total = next((int(value) for name, value in answer.headers if name == b"x-total-count"), None)
    for key in list(wrapper):
        if key.lower() in _TOTAL_NAMES and isinstance(wrapper[key], int) and total is not None:
            wrapper[key] = total
    return Answer(answer.status, answer.headers, orjson.dumps(wrapper, default=json_default))


class Ids:
    """One request's view of a collection's ids: the document's (outer) ones translated to the collection's
    (inner) ones on the way in and back on the way out, new ones allocated within the id schema, and the
    ``writeOnly`` properties left out of what is answered (:mod:`mockery.openapi.ids`)."""

    __slots__ = ("collection", "faker", "rule", "source", "write_only")

    def __init__(self, rules: SchemaRecords | None, collection: Collection, generator: SchemaGenerator) -> None:
        self.rule: IdRule | None = rules.ids if rules is not None else None
        self.write_only = rules.write_only if rules is not None else frozenset()
        self.collection = collection
        self.source = generator.source
        self.faker = generator.faker
        if self.rule is not None and self.rule.mode == "drawn":
            # Whether the table of drawn ids is built now or was before, the request draws the same after it.
            self.rule.outer(collection.codec.id_for(1), collection, self.faker)
            self.faker.seed_instance(self.source.getrandbits(64))

    @property
    def identity(self) -> bool:
        return self.rule is None or self.rule.identity

    def inner(self, outer: Any) -> Any:
        return outer if self.rule is None else self.rule.inner(outer, self.collection, self.faker)

    def created(self, body: bytes, *, named: bool = False) -> tuple[bytes, Answer | None]:
        """The body of a create with the inner id it is stored under: the one it gives (translated; a ``readOnly``
        id only when the path ``named`` it), else a new one within the id schema; or the refusal when the given
        id breaks the schema, or no id is left."""
        rule = self.rule
        data = _json_object(body)
        if rule is None or data is None or rule.mode == "natural":
            return body, None
        resource = self.collection.resource.name
        if "id" in data and rule.schema.get("readOnly") is True and not named:
            del data["id"]  # the server assigns a readOnly id, whatever a client sends
        if "id" in data and named:
            return body, None  # the PUT's path id, already the inner one
        if "id" in data:
            if not rule.valid(data["id"]):
                detail = f"{data['id']!r} is not a valid id of {resource}: it does not satisfy the id schema"
                return body, problem(422, "Invalid record", detail, errors=[{"pointer": "/id", "detail": detail}])
            inner = rule.inner(data["id"], self.collection, self.faker)
            if inner is None:
                return body, _missing(resource, data["id"])
            if self.collection.get(inner, copy=False) is not None:
                return body, problem(409, "Conflict", f"{resource} already has a record with the id {data['id']!r}")
            data["id"] = inner
            return orjson.dumps(data, default=json_default), None
        inner = rule.allocate(self.collection, self.source, self.faker)
        if inner is None:
            capacity = f" ({rule.capacity} ids)" if rule.capacity is not None else ""
            return body, problem(
                409,
                "No room for another record",
                f"{resource} is full: every id its schema allows{capacity} is taken; delete a record first",
            )
        return orjson.dumps({"id": inner, **data}, default=json_default), None

    def inner_body(self, body: bytes, inner: Any) -> bytes:
        """A replace or update body whose ``id`` (the record's own, as the document calls it) is the inner one."""
        data = _json_object(body)
        if data is None or "id" not in data or self.rule is None:
            return body
        if self.rule.inner(data["id"], self.collection, self.faker) == inner:
            data["id"] = inner
            return orjson.dumps(data, default=json_default)
        return body

    def outward(self, answer: Answer, path: str) -> Answer:
        """``answer`` with the document's ids (body and ``Location``) and no ``writeOnly`` property."""
        if (self.identity and not self.write_only) or not answer.body:
            return answer
        data = orjson.loads(answer.body)
        records = data if isinstance(data, list) else [data]
        for record in records:
            if isinstance(record, dict):
                if "id" in record and not self.identity:
                    record["id"] = self.inner_to_outer(record["id"])
                for key in self.write_only:
                    record.pop(key, None)
        return Answer(answer.status, answer.headers, orjson.dumps(data, default=json_default))

    def location(self, answer: Answer, path: str, host: str) -> Answer:
        """``answer`` with its ``Location`` an absolute URL naming the record by the document's id (a documented
        ``format: uri`` header takes nothing less)."""
        if not any(name == b"location" for name, _ in answer.headers):
            return answer
        data = orjson.loads(answer.body) if answer.body else None
        if not isinstance(data, dict) or "id" not in data:
            return answer
        url = f"http://{host or 'localhost'}{path.rstrip('/')}/{quote(str(data['id']), safe='')}"
        location = url.encode("latin-1", errors="replace")
        headers = tuple((name, location if name == b"location" else value) for name, value in answer.headers)
        return Answer(answer.status, headers, answer.body)

    def inner_to_outer(self, inner: Any) -> Any:
        return inner if self.rule is None else self.rule.outer(inner, self.collection, self.faker)


# The statuses that say the same as a collection's error, nearest first: a document that gives a create only a
# 400 ("invalid input") gets its conflicts as 400, not as a 409 it never mentions.
_NEAREST = {404: (404, 410, 400, 422), 409: (409, 400, 422), 422: (422, 400), 400: (400, 422), 413: (413, 400)}


def documented_status(answer: Answer, documented: frozenset[str]) -> Answer:
    """A collection's error answer under the nearest status the operation documents, when it does not document
    the answer's own (nor its range, nor ``default``); the problem's details stay as they were."""
    status = answer.status
    keys = {key.upper() for key in documented}
    if not keys or {str(status), f"{str(status)[0]}XX", "DEFAULT"} & keys:
        return answer
    other = next((code for code in _NEAREST.get(status, ()) if str(code) in keys), None)
    if other is None:
        return answer
    try:
        data = orjson.loads(answer.body)
    except orjson.JSONDecodeError:
        return answer
    if not isinstance(data, dict):
        return answer
    data.pop("type", None)
    data.pop("status", None)
    title, detail = str(data.pop("title", "")), str(data.pop("detail", ""))
    return problem(other, title, detail, **data)


def _missing(resource: str, record_id: Any) -> Answer:
    return problem(404, "Not found", f"{resource} has no record with the id {record_id!r}")


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        data = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _with_id(body: bytes, inner: Any) -> bytes:
    data = _json_object(body)
    if data is None:
        return body
    return orjson.dumps({**data, "id": inner}, default=json_default)


def _query(query_string: str, binding: Binding) -> str:
    """The list query in mockery's terms; documented parameters that are neither paging nor a field are
    dropped (the operation has validated them; a mock has nothing to do with them)."""
    fields = field_paths(binding.endpoint.resource)
    kept: list[tuple[str, str]] = []
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        alias = _QUERY_ALIASES.get(key.lower())
        base, _, suffix = key.rpartition("_")
        if key in RESERVED or key in fields or (suffix in OPERATORS and base in fields):
            kept.append((key, value))
        elif alias is not None:
            number = _paging(alias, value)
            if number is not None:
                kept.append((alias, number))
    return urlencode(kept)


_PAGING_LOWEST = {"_limit": 0, "_start": 0, "_page": 1}


def _paging(alias: str, value: str) -> str | None:
    """A documented paging value as mockery reads it: the document allowed it (the operation validated it),
    so one mockery cannot use (negative, past its bounds, not a number) is clamped or left out, not refused."""
    lowest = _PAGING_LOWEST.get(alias)
    if lowest is None:
        return value
    text = value.strip()
    if not text.lstrip("-").isdigit() or len(text) > 30:
        return None
    number = int(text)
    if number < lowest:
        return None
    return str(min(number, MAX_LIMIT * 1000))


def _with_read_only(body: bytes, schema: Any, generator: SchemaGenerator) -> bytes:
    """The written body with the ``readOnly`` properties it lacks filled in as the server would, at every level
    (a task's ``reportedBy`` user gets its server-made ``id`` too); the record's own ``id`` is left to the ids."""
    try:
        data = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return body
    if not isinstance(data, dict) or not _fill_read_only(data, schema, generator, top=True):
        return body
    return orjson.dumps(data, default=json_default)


def _fill_read_only(
    data: dict[str, Any], schema: Any, generator: SchemaGenerator, depth: int = 0, *, top: bool = False
) -> bool:
    """Fill in ``data``'s missing ``readOnly`` properties from ``schema``, nested ones too; whether any was."""
    if depth > 8 or not isinstance(schema, dict):
        return False
    merged = generator.merge([schema])
    properties = merged.get("properties") if isinstance(merged.get("properties"), dict) else {}
    assert isinstance(properties, dict)
    document = generator.document
    changed = False
    for key, sub in properties.items():
        value = data.get(key)
        if key not in data:
            if _read_only(sub, document) and not (top and key == "id"):
                data[key] = generator.generate(sub, key)
                changed = True
        elif isinstance(value, dict):
            changed |= _fill_read_only(value, sub, generator, depth + 1)
        elif isinstance(value, list):
            items = generator.merge([sub]).get("items") if isinstance(sub, dict) else None
            for item in value:
                if isinstance(item, dict):
                    changed |= _fill_read_only(item, items, generator, depth + 1)
    return changed


def _read_only(schema: Any, document: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    resolved = document.resolve(schema)
    return schema.get("readOnly") is True or (isinstance(resolved, dict) and resolved.get("readOnly") is True)
