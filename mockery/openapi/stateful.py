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
from urllib.parse import parse_qsl, urlencode

import orjson

from mockery.http.answer import Answer
from mockery.http.requests import RawRequest
from mockery.model.resources import Endpoint, field_paths
from mockery.openapi.generate import SchemaGenerator
from mockery.resources.query import OPERATORS, RESERVED
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
    """The collection's answer to ``raw``, reshaped to the operation's documented response."""
    params = {"id": path_params.get(binding.id_key)} if binding.id_key is not None else {}
    query = _query(raw.query_string, binding) if binding.endpoint.action == "list" else raw.query_string
    body = raw.body
    if binding.endpoint.action == "create":
        body = _with_read_only(body, binding.record_schema, generator)
    request = RawRequest(raw.method, raw.path, query, raw.headers, body)
    answer = respond(resources, binding.endpoint, request, params)
    if answer.status >= 400 or binding.endpoint.action != "list" or binding.list_key is None:
        return answer
    wrapper = generator.generate(binding.list_schema)
    wrapper = wrapper if isinstance(wrapper, dict) else {}
    wrapper[binding.list_key] = orjson.loads(answer.body)
    total = next((int(value) for name, value in answer.headers if name == b"x-total-count"), None)
    for key in list(wrapper):
        if key.lower() in _TOTAL_NAMES and isinstance(wrapper[key], int) and total is not None:
            wrapper[key] = total
    return Answer(answer.status, answer.headers, orjson.dumps(wrapper, default=json_default))


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
            kept.append((alias, value))
    return urlencode(kept)


def _with_read_only(body: bytes, schema: Any, generator: SchemaGenerator) -> bytes:
    """The written body with the ``readOnly`` properties it lacks filled in as the server would."""
    try:
        data = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return body
    if not isinstance(data, dict):
        return body
    merged = generator.merge([schema]) if isinstance(schema, dict) else {}
    properties = merged.get("properties") if isinstance(merged.get("properties"), dict) else {}
    assert isinstance(properties, dict)
    document = generator.document
    missing = [key for key, sub in properties.items() if key != "id" and key not in data and _read_only(sub, document)]
    if not missing:
        return body
    made = generator.generate(schema)
    for key in missing:
        if isinstance(made, dict) and key in made:
            data[key] = made[key]
    return orjson.dumps(data, default=json_default)


def _read_only(schema: Any, document: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    resolved = document.resolve(schema)
    return schema.get("readOnly") is True or (isinstance(resolved, dict) and resolved.get("readOnly") is True)
