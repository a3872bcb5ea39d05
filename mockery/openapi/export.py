"""A service as an OpenAPI 3.1 document: what ``/__mockery/openapi/{service}.json`` publishes.

Routes become operations (paths in OpenAPI's ``{name}`` syntax, each parameter typed by its convertor), with
one response per status a route can answer: a static body gives its example and an exact schema, a templated
one a schema of its constant parts. Resources get their REST endpoints in full: the record schema (the one
written bodies are validated against), paging parameters, ``X-Total-Count`` and ``Link`` headers, and the
problem documents of their errors. A service built from an OpenAPI document republishes that document,
pointed at the mock.
"""

from __future__ import annotations

import copy
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import orjson

from mockery.model.resources import Endpoint, Resource
from mockery.model.services import ResponseSpec, Route, Service
from mockery.openapi.operation import Operation
from mockery.openapi.schemas import PROBLEM_SCHEMA, nullable_properties, plain, schema_of_data, schema_of_value

OPENAPI_VERSION = "3.1.0"
RecordSchema = Callable[[Resource], dict[str, Any]]

_PARAMETER = re.compile(r"\{([^{}:]+)(?::([^{}]+))?\}")
_CONVERTOR_SCHEMAS: dict[str, dict[str, Any]] = {
    "str": {"type": "string", "pattern": "^[^/]+$"},
    "int": {"type": "integer", "minimum": 0},
    "float": {"type": "number", "minimum": 0},
    "uuid": {"type": "string", "format": "uuid"},
    "path": {"type": "string", "description": "may hold '/'"},
}
_DECORATE = ("_expand", "_embed")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_LIST_PARAMETERS: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("_page", {"type": "integer", "minimum": 1}, "page number (1-based); pages hold _limit records, 10 by default"),
    ("_limit", {"type": "integer", "minimum": 0}, "records per page"),
    ("_start", {"type": "integer", "minimum": 0}, "first record of a slice (0-based)"),
    ("_end", {"type": "integer", "minimum": 0}, "end of a slice (exclusive)"),
    ("_sort", {"type": "string"}, "field paths to sort on, comma-separated; -name sorts descending"),
    ("_order", {"type": "string"}, "asc or desc for each _sort field"),
    ("q", {"type": "string"}, "records any of whose values contains this text, case-insensitively"),
    ("_expand", {"type": "string"}, "a ref field (without _id) whose record to include"),
    ("_embed", {"type": "string"}, "a resource referring to this one whose records to include"),
)


def is_republished(service: Service) -> bool:
    """Whether ``service`` was built from an OpenAPI document (its export is that document)."""
    return any(isinstance(route.handler, Operation) for route in service.routes)


def export_service(service: Service, record_schema: RecordSchema, origin: str = "") -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``service``, served at ``origin`` (a listener URL; ``""``: where the
    document itself is served). ``record_schema`` gives a resource's record schema."""
    if is_republished(service):
        return republish(service, origin)
    base = service.base_path.rstrip("/")
    under_base = bool(base) and all(_under(route.path, base) for route in service.routes)
    prefix = base if under_base else ""
    builder = _Builder(service, record_schema)
    paths: dict[str, dict[str, Any]] = {}
    for route in service.routes:
        template, parameters = openapi_path(route.path[len(prefix) :] or "/")
        item = paths.setdefault(template, {})
        for method in route.methods:
            key = method.lower()
            if key == "head" and "GET" in route.methods:
                continue
            builder.add(item, key, route, parameters)
    info: dict[str, Any] = {"title": service.name, "version": "1"}
    if service.description:
        info["description"] = service.description
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": info,
        "servers": [{"url": origin + prefix or "/", "description": "this mockery server"}],
        "paths": paths,
        "components": {"schemas": {"Problem": PROBLEM_SCHEMA, **builder.schemas}},
    }
    return document


def republish(service: Service, origin: str = "") -> dict[str, Any]:
    """The source OpenAPI document of a service built from one (a Swagger 2.0 document as the OpenAPI 3.0
    document it was converted to), its ``servers`` pointed at the mock at every level: the document's, each
    path item's and each operation's, so that no "Try it out" leaves the mock. (A callback's servers are the
    client's and stay.)"""
    operation = next(route.handler for route in service.routes if isinstance(route.handler, Operation))
    assert isinstance(operation, Operation)
    data: dict[str, Any] = plain(copy.deepcopy(operation.document.source.data))
    servers = [{"url": origin + service.base_path or "/", "description": "this mockery server"}]
    data["servers"] = servers
    paths = data.get("paths")
    for item in paths.values() if isinstance(paths, dict) else ():
        if not isinstance(item, dict):
            continue
        if "servers" in item:
            item["servers"] = copy.deepcopy(servers)
        for method in _METHODS:
            if isinstance(item.get(method), dict) and "servers" in item[method]:
                item[method]["servers"] = copy.deepcopy(servers)
    return data


def openapi_path(path: str) -> tuple[str, list[dict[str, Any]]]:
    """``/users/{id:int}`` -> ``("/users/{id}", [the path parameter id, an integer])``."""
    parameters = []
    for match in _PARAMETER.finditer(path):
        convertor = match.group(2) or "str"
        parameters.append(
            {
                "name": match.group(1),
                "in": "path",
                "required": True,
                "schema": dict(_CONVERTOR_SCHEMAS.get(convertor, {"type": "string"})),
            }
        )
    return _PARAMETER.sub(lambda match: "{" + match.group(1) + "}", path), parameters


def _under(path: str, base: str) -> bool:
    return path == base or path.startswith(base + "/")


def _description(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"status {status}"


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {"schema": _PROBLEM_REF}}}


class _Builder:
    """Adds operations to path items; collects the component schemas of the resources it meets."""

    def __init__(self, service: Service, record_schema: RecordSchema) -> None:
        self.service = service
        self.record_schema = record_schema
        self.schemas: dict[str, dict[str, Any]] = {}
        self._operation_ids: set[str] = set()

    def add(self, item: dict[str, Any], method: str, route: Route, parameters: list[dict[str, Any]]) -> None:
        if route.endpoint is not None:
            if method not in item:
                item[method] = self._endpoint(route, route.endpoint, parameters)
            return
        operation = item.get(method)
        if operation is None:
            operation = item[method] = {
                "operationId": self._operation_id(route.name),
                "summary": route.name,
                "parameters": parameters,
                "responses": {},
            }
        else:
            operation["summary"] += f" / {route.name}"
        if not parameters:
            operation.pop("parameters", None)
        responses: dict[str, Any] = operation["responses"]
        options = [option.response for option in route.responses.all] if route.responses else [route.response]
        for response in options:
            _merge_response(responses, response)
        if route.conditions or route.scenario is not None:
            # Requests the route's match (or its scenario's state) turns away fall through to mockery's 404.
            responses.setdefault("404", _problem("No route matches (the route answers only some requests)"))
        if route.uses_request and method in ("post", "put", "patch"):
            responses.setdefault("400", _problem("Bad request body"))
        for status, description in self._behaviour_statuses(route):
            responses.setdefault(str(status), _problem(description))
        if route.callbacks:
            operation.setdefault("callbacks", {}).update(documented_callbacks(route))

    def _behaviour_statuses(self, route: Route) -> list[tuple[int, str]]:
        levels = [route.behaviours, self.service.behaviours, *(overlay for _, overlay in self.service.profiles)]
        found = []
        for behaviours in levels:
            if behaviours.fault is not None and behaviours.fault.kind == "status":
                found.append((behaviours.fault.status, "Injected fault"))
            if behaviours.rate_limit is not None:
                found.append((429, "Too many requests"))
        return found

    def _operation_id(self, name: str) -> str:
        base = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "operation"
        candidate, number = base, 2
        while candidate in self._operation_ids:
            candidate, number = f"{base}_{number}", number + 1
        self._operation_ids.add(candidate)
        return candidate

    def _record_schema(self, resource: Resource) -> str:
        """The component name of ``resource``'s record schema, added on first use."""
        name = re.sub(r"[^A-Za-z0-9._-]", "_", resource.name)
        if name not in self.schemas:
            schema = dict(self.record_schema(resource))
            schema["required"] = ["id"]
            self.schemas[name] = schema
        return name

    def _endpoint(self, route: Route, endpoint: Endpoint, parameters: list[dict[str, Any]]) -> dict[str, Any]:
        resource = endpoint.resource
        schema_name = self._record_schema(resource)
        record = {"$ref": f"#/components/schemas/{schema_name}"}
        id_kind = (endpoint.parent or resource).id_kind
        for parameter in parameters:
            if parameter["name"] == "id":
                parameter["schema"] = {"type": "integer"} if id_kind == "integer" else {"type": "string"}
        operation: dict[str, Any] = {
            "operationId": self._operation_id(route.name),
            "summary": route.name,
            "tags": [resource.name],
        }
        if parameters:
            operation["parameters"] = parameters
        responses: dict[str, Any] = {}
        action = endpoint.action
        if action in ("list", "nested"):
            operation["parameters"] = parameters + [
                {"name": name, "in": "query", "required": False, "schema": schema, "description": description}
                for name, schema, description in _LIST_PARAMETERS
            ]
            responses["200"] = {
                "description": f"{resource.name} records (filter with field=value, field_gte=..., field_like=...)",
                "headers": {
                    "X-Total-Count": {
                        "description": "records matching the query, before paging",
                        "schema": {"type": "string", "pattern": "^[0-9]+$"},
                    },
                    "Link": {"description": "RFC 8288 first, prev, next and last pages", "schema": {"type": "string"}},
                },
                "content": {"application/json": {"schema": {"type": "array", "items": record}}},
            }
            responses["400"] = _problem("Bad query")
            if endpoint.parent is not None:
                responses["404"] = _problem(f"No {endpoint.parent.name} record with that id")
        elif action == "get":
            operation["parameters"] = [
                *parameters,
                *({"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in _DECORATE),
            ]
            responses["200"] = {"description": "the record", "content": {"application/json": {"schema": record}}}
            responses["400"] = _problem("Bad query")
            responses["404"] = _problem("No record with that id")
        elif action == "delete":
            responses["204"] = {"description": "deleted"}
            responses["404"] = _problem("No record with that id")
        else:
            body_schema = record if action != "update" else nullable_properties(self.schemas[schema_name])
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": body_schema}},
            }
            status = "201" if action == "create" else "200"
            responses[status] = {
                "description": _description(int(status)),
                "content": {"application/json": {"schema": record}},
            }
            if action == "create":
                responses[status]["headers"] = {
                    "Location": {"description": "the new record's URL path", "schema": {"type": "string"}}
                }
                responses["409"] = _problem("A record with that id exists")
            else:
                responses["404"] = _problem("No record with that id")
            responses["422"] = _problem("The body breaks the record schema (each violation in errors)")
        operation["responses"] = responses
        return operation


def documented_callbacks(route: Route) -> dict[str, Any]:
    """The route's ``callbacks`` as OpenAPI callback objects: keyed by the URL as written (a template or a runtime
    expression), each with its method, the body's media type and the 2XX mockery counts as delivered."""
    found: dict[str, Any] = {}
    for callback in route.callbacks:
        url = callback.url
        text = getattr(url, "value", None) or getattr(getattr(url, "template", None), "source", None)
        if text is None and (parts := getattr(url, "parts", None)) is not None:
            text = "".join(f"{{{part}}}" if expression else part for expression, part in parts)
        operation: dict[str, Any] = {
            "description": f"Sent by mockery after {route.name} answers below 400, retried up to "
            f"{callback.retry.attempts} times.",
            "responses": {"2XX": {"description": "Delivered"}},
        }
        if callback.body is not None:
            media = "application/json" if callback.is_json else "text/plain"
            operation["requestBody"] = {"content": {media: {}}}
        found.setdefault(callback.name, {}).setdefault(str(text or ""), {})[callback.method.lower()] = operation
    return found


def _merge_response(responses: dict[str, Any], response: ResponseSpec) -> None:
    """Add what ``response`` answers to ``responses``; two bodies of one status and media type: anyOf both."""
    media_type = response.media_type or "application/octet-stream"
    headers: dict[str, Any] = {}
    for name, value in response.headers:
        constant = value.render({}) if value.static else None
        if name.lower() == "content-type":
            if isinstance(constant, str):
                media_type = constant
            continue
        header: dict[str, Any] = {"schema": {"type": "string"}}
        if constant is not None:
            header["example"] = str(constant)
        headers[name] = header
    entry = responses.setdefault(str(response.status), {"description": _description(response.status)})
    if headers:
        entry.setdefault("headers", {}).update(headers)
    media = _media(response, media_type)
    if media is None:
        return
    content = entry.setdefault("content", {})
    known = content.get(media_type)
    if known is None:
        content[media_type] = media
    elif known.get("schema") != media.get("schema"):
        known.pop("example", None)
        schemas = [known.get("schema", {}), media.get("schema", {})]
        known["schema"] = {} if {} in schemas else {"anyOf": schemas}


def _media(response: ResponseSpec, media_type: str) -> dict[str, Any] | None:
    is_json = response.is_json or media_type.endswith("json")
    if response.static_body is not None:
        if not response.static_body:
            return None
        if is_json:
            try:
                data = orjson.loads(response.static_body)
            except orjson.JSONDecodeError:
                return {}
            return {"schema": schema_of_data(data), "example": data}
        if media_type.startswith("text/") or media_type.endswith(("+xml", "/xml")):
            text = response.static_body.decode("utf-8", errors="replace")
            return (
                {"schema": {"type": "string"}, "example": text} if len(text) <= 2000 else {"schema": {"type": "string"}}
            )
        return {}
    if response.body is None:
        return None
    return {"schema": schema_of_value(response.body) if is_json else {"type": "string"}}
