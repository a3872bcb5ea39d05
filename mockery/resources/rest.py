"""The REST endpoints of a resource, in json-server's conventions, answered from its collection.

``GET /users`` (a JSON array; ``X-Total-Count`` and RFC 8288 ``Link`` headers), ``GET /users/{id}``,
``POST /users`` (201 and ``Location``), ``PUT`` (replace), ``PATCH`` (JSON merge patch, RFC 7396),
``DELETE`` (204), and ``GET /companies/{id}/users``. Mistakes are RFC 9457 problem documents: 400 for a
bad query or a written body that is not JSON (or nests too deep), 404, 409 for an id that exists, 413 for a
body with too many values, 422 listing each violation of a written body. A write is parsed, bounded and
serialised before it is stored (``mockery.resources.records``): what is stored can always be read back.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import orjson

from mockery.http.answer import Answer, problem
from mockery.http.requests import RawRequest
from mockery.model.resources import Endpoint, RefField, Resource
from mockery.resources.collection import Collection, Parent
from mockery.resources.query import Query, QueryError, parse_query
from mockery.resources.records import UnstorableRecord, read_record
from mockery.resources.registry import Resources
from mockery.resources.relations import describe_ids
from mockery.store import Record

JSON = (b"content-type", b"application/json")


def respond(resources: Resources, endpoint: Endpoint, raw: RawRequest, path_params: dict[str, Any]) -> Answer:
    """Answer one request to a resource endpoint."""
    collection = resources.collection(endpoint.resource)
    try:
        if endpoint.action == "db":
            return _database(resources, endpoint.resource)
        if endpoint.resource.singleton:
            return _singleton(resources, collection, raw)
        if endpoint.action in ("list", "nested"):
            return _list(resources, endpoint, collection, raw, path_params)
        if endpoint.action == "create":
            answer = _create(resources, collection, raw)
            if answer.status == 201:
                resources.changed(endpoint.resource, "create", orjson.loads(answer.body))
            return answer
        record_id = path_params.get("id")
        if endpoint.action == "get" and not raw.query_string:  # the common case: nothing to expand or embed
            payload = collection.get_encoded(record_id)  # a generated record's JSON is encoded once
            return Answer(200, (JSON,), payload) if payload is not None else _missing(endpoint.resource, record_id)
        current = collection.get(record_id)  # writes change a copy
        if current is None:
            return _missing(endpoint.resource, record_id)
        if endpoint.action == "get":
            query = parse_query(raw.query_string, collection.field_paths)
            return Answer(200, (JSON,), orjson.dumps(_decorate(resources, endpoint.resource, [current], query)[0]))
        if endpoint.action == "delete":
            refused = _delete(resources, collection, current["id"])
            if refused is None:
                resources.changed(endpoint.resource, "delete", current)
            if refused is not None:
                return refused
            # A json-server database (``db:``) answers a delete as json-server does: 200 with {}.
            return Answer(200, (JSON,), b"{}") if endpoint.resource.database else Answer(204)
        answer = _write(resources, collection, raw, current)
        if answer.status == 200:
            resources.changed(endpoint.resource, "update", orjson.loads(answer.body))
        return answer
    except QueryError as exc:
        return (
            problem(400, "Bad query", str(exc), valid=exc.valid) if exc.valid else problem(400, "Bad query", str(exc))
        )


# The most records /db answers with: past that, the collections' own lists page them.
MAX_DATABASE_RECORDS = 100_000


def _database(resources: Resources, first: Resource) -> Answer:
    """json-server's ``/db``: every collection of the service (its current records) and every singleton."""
    collections = [c for c in resources.collections.values() if c.resource.service == first.service]
    total = sum(1 if c.resource.singleton else c.total() for c in collections)
    if total > MAX_DATABASE_RECORDS:
        return problem(
            413,
            "Database too large",
            f"the database of {first.service} holds {total} records, more than /db answers with "
            f"({MAX_DATABASE_RECORDS}); page through each collection's list instead",
            limit=MAX_DATABASE_RECORDS,
        )
    body: dict[str, Any] = {}
    for collection in collections:
        if collection.resource.singleton:
            body[collection.resource.name] = collection.singleton()
        else:
            body[collection.resource.name] = collection.page(0, collection.total())[0]
    return Answer(200, (JSON,), orjson.dumps(body))


def _singleton(resources: Resources, collection: Collection, raw: RawRequest) -> Answer:
    """A singular resource: GET its record, PUT a new one, PATCH it (JSON merge patch)."""
    current = collection.singleton()
    if raw.method in ("GET", "HEAD"):
        return Answer(200, (JSON,), orjson.dumps(current))
    body, error = _body(raw)
    if body is None:
        return error or _invalid([])
    record = body if raw.method == "PUT" else _merge(current, body)
    violations = resources.validators[collection.key].violations({"id": 1, **record}, _exists(resources))
    violations = [v for v in violations if v["pointer"] != "/id"]
    if violations:
        return _invalid(violations)
    try:
        payload = collection.put_singleton(record)
    except UnstorableRecord as exc:
        return _invalid([{"pointer": "", "detail": str(exc)}])
    return Answer(200, (JSON,), payload)


def _delete(resources: Resources, collection: Collection, record_id: Any) -> Answer | None:
    """Delete a record, applying each ``on_delete`` of the refs to its collection: ``restrict`` refuses (409,
    naming the records that ref it) before anything changes; then ``cascade`` deletes those records (and
    theirs, in turn) and ``set_null`` clears their ref."""
    plan: list[tuple[Collection, Any]] = []
    nulls: list[tuple[Collection, Any, str]] = []
    pending = [(collection, record_id)]
    seen: set[tuple[str, str]] = set()
    while pending:
        parent, parent_id = pending.pop()
        if (parent.key, str(parent_id)) in seen:
            continue
        seen.add((parent.key, str(parent_id)))
        plan.append((parent, parent_id))
        for child in resources.collections.values():
            for field, ref in child.resource.refs().items():
                if ref.target != parent.key or ref.on_delete is None:
                    continue
                ids = [i for i in child.referrers((field,)).get(parent_id, []) if (child.key, str(i)) not in seen]
                if not ids:
                    continue
                if ref.on_delete == "restrict":
                    return problem(
                        409,
                        "Conflict",
                        f"{parent.resource.name} {parent_id!r} cannot be deleted: {child.resource.name} "
                        f"{describe_ids(ids)} refer to it through {field!r} (on_delete: restrict)",
                        referrers={child.resource.name: ids[:100]},
                    )
                if ref.on_delete == "cascade":
                    pending.extend((child, i) for i in ids)
                else:
                    nulls.extend((child, i, field) for i in ids)
    for child, child_id, field in nulls:
        if (child.key, str(child_id)) in seen:
            continue
        record = child.get(child_id)
        if record is not None:
            record[field] = None
            child.put(record)
    for target, target_id in plan:
        target.delete(target_id)
    return None


def _missing(resource: Resource, record_id: Any) -> Answer:
    if resource.database:  # a json-server database: its clients read a missing record as {}, as json-server sends
        return Answer(404, (JSON,), b"{}")
    return problem(404, "Not found", f"{resource.name} has no record with the id {record_id!r}")


def _list(
    resources: Resources, endpoint: Endpoint, collection: Collection, raw: RawRequest, path_params: dict[str, Any]
) -> Answer:
    resource = endpoint.resource
    query = parse_query(raw.query_string, collection.field_paths)
    parent = None
    if endpoint.parent is not None:
        parent = _parent(resources, endpoint, path_params)
        if parent is None:
            return _missing(endpoint.parent, path_params.get("id"))
    if query.expand or query.embed:
        records, total = collection.select(query, parent)
        payload = orjson.dumps(_decorate(resources, resource, records, query))
    else:  # the page joined from each record's JSON, encoded once (or the kept page)
        payload, total = collection.select_encoded(query, parent)
    # Pages read X-Total-Count and Link through the CORS policy's Access-Control-Expose-Headers (mockery.http.cors).
    headers = [JSON, (b"x-total-count", str(total).encode())]
    link = _link(raw, query, total, resource.list_limit)
    if link:
        headers.append((b"link", link))
    return Answer(200, tuple(headers), payload)


def _parent(resources: Resources, endpoint: Endpoint, path_params: dict[str, Any]) -> Parent | None:
    """A nested list's parent: the ref fields that point at it and its id; ``None`` when there is none."""
    assert endpoint.parent is not None
    parent = resources.collection(endpoint.parent).get(path_params.get("id"), copy=False)
    if parent is None:
        return None
    names = tuple(name for name, ref in endpoint.resource.refs().items() if ref.target == endpoint.parent.key)
    return names, parent["id"]


async def prepare(resources: Resources, endpoint: Endpoint, query_string: str, path_params: dict[str, Any]) -> None:
    """Await this before ``respond``: the scans its answer needs over a big collection (a filter, a sort, a
    nested list, an ``_embed``) are worked out in the collection's worker thread, so that the event loop
    keeps answering other requests meanwhile. Small collections and plain gets return at once."""
    if not query_string and endpoint.action != "nested":
        return
    resource = endpoint.resource
    embeds = "_embed" in query_string
    collection = resources.collection(resource)
    if not embeds and not collection.scans_off_loop:
        return
    try:
        query = parse_query(query_string, collection.field_paths)
    except QueryError:
        return  # respond answers the 400
    if endpoint.action in ("list", "nested"):
        parent = _parent(resources, endpoint, path_params) if endpoint.action == "nested" else None
        if endpoint.action == "list" or parent is not None:
            await collection.prepare(query, parent)
    for name in query.embed:
        child = resources.collections.get(f"{resource.service}.{name}")
        if child is not None and (fields := _referring(child, resource)):
            await child.prepare_referrers(fields)


def _referring(child: Collection, resource: Resource) -> tuple[str, ...]:
    return tuple(field for field, ref in child.resource.refs().items() if ref.target == resource.key)


def _link(raw: RawRequest, query: Query, total: int, cap: int) -> bytes:
    """The RFC 8288 ``Link`` header of a page, as it is sent (latin-1); ``b""`` when the list is not paged."""
    if query.page is None and query.limit is None and (query.start is not None or total <= cap):
        return b""
    limit = query.limit if query.limit is not None else (10 if query.page is not None else cap)
    host = raw.headers.get("host", "localhost")
    # The query was encoded when it was parsed (once per query text); the same page of the same list, asked again
    # (a client polling, a load test), is the same header: kept, for links of a usual length.
    if len(host) + len(raw.path) + len(query.rest_text) <= _KEPT_LINK_CHARS:
        return _kept_links(host, raw.path, query.rest_text, query.page or 1, limit, total)
    return _links(host, raw.path, query.rest_text, query.page or 1, limit, total)


_KEPT_LINK_CHARS = 1024


def _links(host: str, path: str, kept: str, page: int, limit: int, total: int) -> bytes:
    last = max(1, math.ceil(total / limit)) if limit else 1
    base = f"http://{host}{path}"
    # Only the page number differs between the links.
    prefix = f"{base}?{kept}&_page=" if kept else f"{base}?_page="
    links = [f'<{prefix}1&_limit={limit}>; rel="first"']
    if page > 1:
        links.append(f'<{prefix}{page - 1}&_limit={limit}>; rel="prev"')
    if page < last:
        links.append(f'<{prefix}{page + 1}&_limit={limit}>; rel="next"')
    links.append(f'<{prefix}{last}&_limit={limit}>; rel="last"')
    return ", ".join(links).encode("latin-1")


_kept_links = functools.lru_cache(maxsize=1024)(_links)


def _decorate(resources: Resources, resource: Resource, records: list[Record], query: Query) -> list[Record]:
    """Apply ``_expand`` (the record a ref points to) and ``_embed`` (records of another resource that
    ref these)."""
    refs = resource.refs()
    for name in query.expand:
        field = next((f for f in (f"{name}_id", f"{name}Id", name) if f in refs), None)
        if field is None:
            raise QueryError(f"cannot expand {name!r}: no ref field {name}_id", [f.removesuffix("_id") for f in refs])
        target = resources.collections.get(refs[field].target)
        for record in records:
            value = record.get(field)
            record[name] = target.get(value) if target is not None and value is not None else None
    for name in query.embed:
        child = resources.collections.get(f"{resource.service}.{name}")
        fields = () if child is None else _referring(child, resource)
        if child is None or not fields:
            raise QueryError(
                f"cannot embed {name!r}: no resource of this service refs {resource.name}",
                _embedders(resources, resource),
            )
        groups = child.referrers(fields)
        wanted = [groups.get(record["id"], []) if isinstance(record["id"], int | str) else [] for record in records]
        found = child.records_by_id({child_id for ids in wanted for child_id in ids})
        for record, ids in zip(records, wanted, strict=True):
            record[name] = [found[child_id] for child_id in ids if child_id in found]
    return records


def _embedders(resources: Resources, resource: Resource) -> list[str]:
    return [
        collection.resource.name
        for collection in resources.collections.values()
        if collection.resource.service == resource.service
        and any(ref.target == resource.key for ref in collection.resource.refs().values())
    ]


def _body(raw: RawRequest) -> tuple[dict[str, Any] | None, Answer | None]:
    """The record a write carries, parsed and bounded before anything else looks at it."""
    read = read_record(raw.body)
    if isinstance(read, dict):
        return read, None
    if read.status == 422:
        return None, _invalid([{"pointer": read.pointer, "detail": read.detail}])
    extra = {} if read.limit is None else {"limit": read.limit}
    return None, problem(read.status, read.title, read.detail, **extra)


def _invalid(violations: list[dict[str, str]]) -> Answer:
    detail = "; ".join(f"{v['pointer'] or '/'}: {v['detail']}" for v in violations)
    return problem(422, "Invalid record", detail, errors=violations)


def _exists(resources: Resources) -> Any:
    def exists(ref: RefField, value: Any) -> bool:
        target = resources.collections.get(ref.target)
        return target is None or target.get(value) is not None

    return exists


def _create(resources: Resources, collection: Collection, raw: RawRequest) -> Answer:
    body, error = _body(raw)
    if body is None:
        return error or _invalid([])
    violations = resources.validators[collection.key].violations(body, _exists(resources))
    if violations:
        return _invalid(violations)
    if "id" in body:
        if collection.codec.parse(body["id"]) is None:  # a float, a bool, a number past 64 bits...
            return _invalid(
                [{"pointer": "/id", "detail": f"{body['id']!r} cannot be an id of {collection.resource.name}"}]
            )
        if collection.get(body["id"]) is not None:
            return problem(
                409, "Conflict", f"{collection.resource.name} already has a record with the id {body['id']!r}"
            )
        record = body
    else:
        record = {"id": collection.new_id(), **body}
    try:
        payload = collection.put(record)
    except UnstorableRecord as exc:
        return _invalid([{"pointer": "", "detail": str(exc)}])
    location = f"{raw.path.rstrip('/')}/{record['id']}".encode("latin-1", errors="replace")
    return Answer(201, (JSON, (b"location", location)), payload)


def _write(resources: Resources, collection: Collection, raw: RawRequest, current: Record) -> Answer:
    body, error = _body(raw)
    if body is None:
        return error or _invalid([])
    if "id" in body and body["id"] != current["id"]:
        return _invalid([{"pointer": "/id", "detail": f"the id is {current['id']!r} and cannot change"}])
    record = {"id": current["id"], **body} if raw.method == "PUT" else _merge(current, body)
    violations = resources.validators[collection.key].violations(record, _exists(resources))
    if violations:
        return _invalid(violations)
    try:
        payload = collection.put(record)
    except UnstorableRecord as exc:
        return _invalid([{"pointer": "", "detail": str(exc)}])
    return Answer(200, (JSON,), payload)


def _merge(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: mappings merge recursively, ``null`` removes a key."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _merge(merged.get(key), value)
    return merged
