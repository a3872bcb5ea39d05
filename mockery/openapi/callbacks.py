"""OpenAPI ``callbacks`` (3.0, 3.1) and ``webhooks`` (3.1) as mockery callbacks (``mockery.model.callbacks``).

A callback's key is a runtime expression such as ``{$request.body#/callbackUrl}?event={$request.body#/event}``:
it is parsed once and evaluated against the request and the answer when the callback is sent. Its operations'
bodies are generated from their ``requestBody`` schemas (an example when there is one).

A 3.1 webhook names no operation that triggers it, so one is sent after an operation listing it in
``x-mockery-webhooks``, or when triggered (the admin API, ``MockServer.trigger_webhook``); its target is the
``x-mockery-webhook-url`` of the webhook's path item, else of the document. One without a target is a warning
(it can still be triggered with a URL).
"""

from __future__ import annotations

import logging
import random
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mockery.errors import SpecError
from mockery.model.callbacks import Callback
from mockery.openapi.document import OpenAPIDocument, parse_pointer
from mockery.openapi.generate import SchemaGenerator
from mockery.openapi.operation import Fakers
from mockery.proxy.guard import host_problem
from mockery.source.document import DocPath
from mockery.templates.values import ConstantValue, Value

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
WEBHOOK_URL = "x-mockery-webhook-url"
WEBHOOKS = "x-mockery-webhooks"
_EXPRESSION = re.compile(r"\{(\$[^{}]+)\}")
_logger = logging.getLogger("mockery")


class ExpressionNotFound(LookupError):
    """A runtime expression found nothing in the request or the answer."""


@dataclass(frozen=True, slots=True)
class ExpressionValue:
    """A callback URL with runtime expressions (``{$request.query.hook}``), evaluated per request."""

    parts: tuple[tuple[bool, str], ...]  # (is an expression, text)
    static = False

    @classmethod
    def parse(cls, text: str) -> ExpressionValue:
        parts: list[tuple[bool, str]] = []
        last = 0
        for match in _EXPRESSION.finditer(text):
            parts.append((False, text[last : match.start()]))
            parts.append((True, match.group(1)))
            last = match.end()
        parts.append((False, text[last:]))
        return cls(tuple(part for part in parts if part[1]))

    def render(self, variables: dict[str, Any]) -> Any:
        return "".join(evaluate(text, variables) if expression else text for expression, text in self.parts)


def evaluate(expression: str, variables: dict[str, Any]) -> str:
    """The value of one runtime expression of the OpenAPI specification (``$request.body#/id``, ...)."""
    request: dict[str, Any] = variables.get("request") or {}
    response: dict[str, Any] = variables.get("response") or {}
    if expression == "$method":
        return str(request.get("method", ""))
    if expression == "$statusCode":
        return str(response.get("status", ""))
    if expression == "$url":
        host = (request.get("headers") or {}).get("host", "localhost")
        query = "&".join(f"{key}={value}" for key, value in (request.get("query") or {}).items())
        return f"http://{host}{request.get('path', '')}" + (f"?{query}" if query else "")
    source, _, rest = expression[1:].partition(".")
    if source not in ("request", "response"):
        raise ExpressionNotFound(f"{{{expression}}} is not a runtime expression")
    data = request if source == "request" else response
    if rest.startswith("body"):
        value: Any = data.get("body")
        if rest.startswith("body#"):
            for part in parse_pointer(rest[5:]):
                if isinstance(value, dict) and str(part) in value:
                    value = value[str(part)]
                elif isinstance(value, list) and str(part).isdigit() and int(part) < len(value):
                    value = value[int(part)]
                else:
                    raise ExpressionNotFound(f"{{{expression}}} found nothing in the {source}'s body")
    else:
        kind, _, name = rest.partition(".")
        table = {"header": "headers", "query": "query", "path": "path_params"}.get(kind)
        found = data.get(table) if table else None
        if not isinstance(found, dict):
            raise ExpressionNotFound(f"{{{expression}}} is not a runtime expression")
        key = name.lower() if kind == "header" else name
        if key not in found:
            raise ExpressionNotFound(f"{{{expression}}} found nothing: the {source} has no {kind} {name!r}")
        value = found[key]
    if value is None:
        raise ExpressionNotFound(f"{{{expression}}} found nothing in the {source}")
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True, slots=True, eq=False)
class SchemaValue:
    """A body generated from a ``requestBody`` schema, seeded by the render's random source."""

    document: OpenAPIDocument
    schema: Any
    fakers: Fakers
    static = False

    def render(self, variables: dict[str, Any]) -> Any:
        source = variables.get("random")
        seed = source.randint(0, 2**31 - 1) if source is not None else 0
        generator = SchemaGenerator(self.document, random.Random(seed), self.fakers.seeded(seed), direction="request")
        return generator.generate(self.schema)


def _body(doc: OpenAPIDocument, operation: dict[str, Any], fakers: Fakers) -> tuple[Value | None, str]:
    body = doc.resolve(operation.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict) or not content:
        return None, ""
    media = "application/json" if "application/json" in content else next(iter(content))
    entry = doc.resolve(content[media])
    if not isinstance(entry, dict):
        return None, media
    if "example" in entry:
        return ConstantValue(entry["example"]), media
    return (SchemaValue(doc, entry["schema"], fakers), media) if "schema" in entry else (None, media)


def _requests(doc: OpenAPIDocument, item: Any, name: str, url: Value, fakers: Fakers, where: DocPath) -> list[Callback]:
    item = doc.resolve(item)
    if not isinstance(item, dict):
        return []
    found = []
    for method in METHODS:
        operation = item.get(method)
        if not isinstance(operation, dict):
            continue
        body, media = _body(doc, operation, fakers)
        headers: tuple[tuple[str, Value], ...] = (("content-type", ConstantValue(media)),) if media else ()
        position = doc.source.position((*where, method))
        found.append(
            Callback(
                name=name,
                method=method.upper(),
                url=url,
                headers=headers,
                body=body,
                is_json=media.endswith("json") or not media,
                position=position,
            )
        )
    return found


def operation_callbacks(
    doc: OpenAPIDocument, operation: dict[str, Any], where: DocPath, fakers: Fakers, webhooks: tuple[Callback, ...]
) -> tuple[tuple[Callback, ...], list[SpecError]]:
    """The callbacks of ``operation`` (written at ``where``), then the webhooks it names in ``x-mockery-webhooks``."""
    found: list[Callback] = []
    errors: list[SpecError] = []
    callbacks = doc.resolve(operation.get("callbacks"))
    if isinstance(callbacks, dict):
        for name, raw in callbacks.items():
            paths = doc.resolve(raw)
            if not isinstance(paths, dict):
                continue
            for expression, item in paths.items():
                if not isinstance(expression, str) or expression.startswith("x-"):
                    continue
                place = (*where, "callbacks", name, expression)
                found.extend(_requests(doc, item, str(name), ExpressionValue.parse(expression), fakers, place))
    named = operation.get(WEBHOOKS)
    if isinstance(named, list):
        known = {webhook.name: webhook for webhook in webhooks}
        for index, name in enumerate(named):
            matching = [webhook for webhook in webhooks if webhook.name == name]
            if not matching:
                errors.append(
                    doc.located(
                        (*where, WEBHOOKS, index),
                        f"no webhook named {name!r} in the document",
                        f"webhooks: {sorted(known)}" if known else "declare it under `webhooks`",
                    )
                )
            found.extend(webhook for webhook in matching if _target(webhook))
    return tuple(found), errors


def _target(callback: Callback) -> str:
    return str(callback.url.value) if isinstance(callback.url, ConstantValue) else ""


def document_webhooks(doc: OpenAPIDocument, fakers: Fakers) -> tuple[tuple[Callback, ...], list[SpecError]]:
    """The 3.1 ``webhooks`` of ``doc``, each sent to its ``x-mockery-webhook-url`` (or the document's)."""
    webhooks = doc.data.get("webhooks")
    if not isinstance(webhooks, dict):
        return (), []
    default = doc.data.get(WEBHOOK_URL)
    found: list[Callback] = []
    errors: list[SpecError] = []
    for name, raw in webhooks.items():
        item = doc.resolve(raw)
        if not isinstance(item, dict):
            continue
        target = item.get(WEBHOOK_URL, default)
        where: DocPath = ("webhooks", name, WEBHOOK_URL) if WEBHOOK_URL in item else (WEBHOOK_URL,)
        if isinstance(target, str) and (problem := _url_problem(target)) is not None:
            errors.append(doc.located(where, problem, "send it to the receiving service's own address"))
            continue
        if not isinstance(target, str):
            warning = doc.located(
                ("webhooks", name),
                f"webhook {name!r} has no target: it is sent only when triggered with a URL",
                f"give it `{WEBHOOK_URL}: http://...` (or the document one)",
            )
            doc.warnings.append(warning)
            _logger.warning("%s", warning)
            target = ""
        found.extend(_requests(doc, item, str(name), ConstantValue(target), fakers, ("webhooks", name)))
    return tuple(found), errors


def _url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http:// or https:// URL"
    reason = host_problem(parts.hostname)
    return f"a webhook never goes to {reason}" if reason is not None else None
