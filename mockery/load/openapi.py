"""An OpenAPI document as a mockery ``Service``: one route per operation, each answered by its ``Operation``.

The service is named by ``x-mockery-service`` or else after the file; it is served under the path of the
document's first server URL (variables at their defaults), so a client configured with that URL just works.
``x-mockery-port``, ``x-mockery-seed`` and ``x-mockery-locale`` at the top level tune it like a spec's keys.
"""

from __future__ import annotations

import hashlib
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mockery.answers.openapi import OperationAnswer
from mockery.errors import SpecError
from mockery.http.paths import path_problems
from mockery.model.services import Route, Service
from mockery.openapi.callbacks import document_webhooks, operation_callbacks
from mockery.openapi.document import OpenAPIDocument, iter_operations, openapi_document
from mockery.openapi.operation import Fakers, Operation
from mockery.openapi.state import CollectionPlan, find_collections, list_property, success_schema
from mockery.openapi.stateful import Binding
from mockery.openapi.validation import Parameter
from mockery.source.document import Document, Position
from mockery.templates.fakes import DEFAULT_LOCALE, available_locales

MAX_NAME = 63  # the longest service name (the spec language's limit)
_TEMPLATE = re.compile(r"\{([^{}]*)\}")
_SNIFF_BYTES = 4096
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


def is_openapi_json(path: Path) -> bool:
    """Whether a ``*.json`` file found in a spec folder is an OpenAPI document (its start names the version)."""
    if path.suffix != ".json":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return False
    return re.search(rb'"(openapi|swagger)"\s*:', head) is not None


def service_name(document: Document) -> str:
    """A valid service name from the file's name: lower-case words joined by dashes, at most 63 characters
    (a longer one is cut and ends with a digest of the whole, so that two long names stay apart)."""
    stem = re.sub(r"[^a-z0-9]+", "-", document.file.stem.lower()).strip("-")
    name = stem if stem[:1].isalpha() else f"api-{stem}" if stem else "api"
    if len(name) > MAX_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:6]
        name = name[: MAX_NAME - len(digest) - 1].rstrip("-") + "-" + digest
    return name


def base_path(data: dict[str, Any]) -> str:
    """The path of the first server URL, its variables at their defaults (``/v1``; ``""`` for none)."""
    servers = data.get("servers")
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return ""
    url = str(servers[0].get("url", ""))
    variables = servers[0].get("variables") if isinstance(servers[0].get("variables"), dict) else {}
    assert isinstance(variables, dict)

    def default(match: re.Match[str]) -> str:
        variable = variables.get(match.group(1))
        return str(variable.get("default", "")) if isinstance(variable, dict) else ""

    url = _TEMPLATE.sub(default, url)
    path = urlsplit(url).path if "//" in url else url
    return "/" + path.strip("/") if path.strip("/") else ""


def build_openapi_service(document: Document) -> tuple[Service | None, list[SpecError]]:
    """Build the service of an OpenAPI 3.0/3.1 or Swagger 2.0 document; errors are located in its file. The one
    loader of documents: ``serve``, ``validate`` and ``import openapi`` all come through here."""
    doc, errors = openapi_document(document)
    if doc is None:
        return None, errors
    data = doc.data
    name = data.get("x-mockery-service")
    name = name if isinstance(name, str) and re.fullmatch(r"[a-z][a-z0-9-]{0,62}", name) else service_name(document)
    locale = data.get("x-mockery-locale", DEFAULT_LOCALE)
    if locale not in available_locales():
        errors.append(doc.located(("x-mockery-locale",), f"unknown Faker locale {locale!r}"))
        locale = DEFAULT_LOCALE
    port = data.get("x-mockery-port")
    seed = data.get("x-mockery-seed")
    prefix = base_path(data)
    fakers = Fakers(locale)
    webhooks, webhook_errors = document_webhooks(doc, fakers)
    errors.extend(webhook_errors)
    routes: list[Route] = []
    operations = list(iter_operations(doc))
    plans, plan_errors = find_collections(doc, name, [(t, m, o, i) for t, m, _, o, i in operations])
    errors.extend(plan_errors)
    for index, (template, method, path, operation, item) in enumerate(operations):
        route_path, keys = _safe_path(prefix + template)
        problems = path_problems(route_path)
        for message, suggestion in problems:
            errors.append(doc.located(("paths", template), message, suggestion))
        if problems:
            continue
        handler = Operation(
            document=doc,
            index=index,
            method=method,
            template=template,
            parameters=_parameters(doc, operation, item, keys),
            request_body=_dict(doc.resolve(operation.get("requestBody"))),
            responses={str(code): value for code, value in (operation.get("responses") or {}).items()},
            security=list(operation.get("security", data.get("security", [])) or []),
            fakers=fakers,
            binding=_binding(doc, plans, template, method, operation, keys),
        )
        position = document.position(path)
        callbacks, callback_errors = operation_callbacks(doc, operation, path, fakers, webhooks)
        errors.extend(callback_errors)
        routes.append(
            Route(
                name=str(operation.get("operationId") or f"{method} {template}"),
                methods=(method,),
                path=route_path,
                random="per_request",
                answer=OperationAnswer(handler),
                uses_request=True,
                position=Position(position.line, position.column),
                index=index,
                origin="openapi",
                callbacks=callbacks,
            )
        )
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    assert isinstance(info, dict)
    service = Service(
        name=name,
        description=str(info.get("title", "")),
        port=port if isinstance(port, int) and not isinstance(port, bool) else None,
        base_path=prefix,
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        locale=locale,
        routes=tuple(routes),
        file=document.file,
        display_name=document.display_name,
        position=document.position(()),
        resources=tuple(plan.resource for plan in plans),
        webhooks=webhooks,
    )
    return service, errors


def _binding(
    doc: OpenAPIDocument,
    plans: list[CollectionPlan],
    template: str,
    method: str,
    operation: dict[str, Any],
    keys: dict[str, str],
) -> Binding | None:
    for plan in plans:
        endpoint = plan.endpoints.get((template, method))
        if endpoint is None:
            continue
        match = re.search(r"\{([^{}]+)\}$", template) if template != plan.resource.path else None
        list_schema = success_schema(doc, operation) if endpoint.action == "list" else None
        return Binding(
            endpoint=endpoint,
            id_key=keys.get(match.group(1)) if match else None,
            list_key=list_property(doc, list_schema) if list_schema is not None else None,
            record_schema=plan.schema,
            list_schema=list_schema,
        )
    return None


def _safe_path(path: str) -> tuple[str, dict[str, str]]:
    """OpenAPI allows any parameter name (``{param-id}``); routes need identifiers: ``{p0}``, ``{p1}``..."""
    keys: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        key = f"p{len(keys)}"
        keys[match.group(1)] = key
        return "{" + key + "}"

    return _TEMPLATE.sub(rename, path), keys


def _dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _parameters(
    doc: OpenAPIDocument, operation: dict[str, Any], item: dict[str, Any], keys: dict[str, str]
) -> tuple[Parameter, ...]:
    """The operation's parameters with the path item's, an operation's own winning (by name and place)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        parameter = doc.resolve(raw)
        if isinstance(parameter, dict) and isinstance(parameter.get("name"), str):
            if parameter.get("in") == "header" and parameter["name"].lower() in _IGNORED_HEADERS:
                continue  # the specification says these header parameters SHALL be ignored
            merged[(str(parameter.get("in")), parameter["name"])] = parameter
    result = []
    for (where, name), parameter in merged.items():
        schema = parameter.get("schema")
        if schema is None and isinstance(parameter.get("content"), dict):
            media: Any = next(iter(parameter["content"].values()), {})
            schema = media.get("schema") if isinstance(media, dict) else None
        style = parameter.get("style", "form" if where in ("query", "cookie") else "simple")
        result.append(
            Parameter(
                name=name,
                where=where,
                required=parameter.get("required") is True or where == "path",
                schema=schema,
                explode=parameter.get("explode", style == "form") is True,
                style=str(style),
                key=keys.get(name, name),
            )
        )
    return tuple(result)
