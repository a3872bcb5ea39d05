"""The ``callbacks:`` of a route: requests mockery sends after answering, compiled once with located errors.

A URL written without a template is checked here against the proxy's rules (``mockery.proxy.guard``): a
metadata or link-local target is a spec error. A templated URL is checked when it is rendered, at delivery,
and a refusal is journaled (``mockery.callbacks``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import orjson
from jinja2 import TemplateSyntaxError

from mockery.http.behaviours import MAX_SECONDS, compile_behaviours, parse_duration
from mockery.model.callbacks import DEFAULT_SIGNATURE_HEADER, DEFAULT_TIMEOUT, Callback, Retry, Signature
from mockery.model.services import Route
from mockery.proxy.guard import host_problem
from mockery.source.document import DocPath, Document, Position
from mockery.templates.environment import CompiledTemplate, template_problems
from mockery.templates.values import ConstantValue, Value, compile_value

# What a callback's templates see beyond an answer's: the answer itself.
_EXTRA_NAMES = frozenset({"response"})


class _Builder(Protocol):
    document: Document
    faker_names: frozenset[str]
    route_path: str | None

    def error(self, path: DocPath, message: str, suggestion: str | None = None, *, key: bool = False) -> None: ...

    def error_at(self, position: Position, path: DocPath, message: str, suggestion: str | None = None) -> None: ...


def static_url_problem(url: str) -> tuple[str, str | None] | None:
    """Why a URL written as it is can never be a callback's target (a message and a suggestion), or ``None``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http:// or https:// URL", "write a URL such as http://localhost:9000/hooks"
    reason = host_problem(parts.hostname)
    if reason is not None:
        return f"a callback never goes to {reason}", "send it to the receiving service's own address"
    return None


def compile_callbacks(
    builder: _Builder, raw: Any, path: DocPath, route_name: str, environ: Mapping[str, str] | None = None
) -> tuple[Callback, ...]:
    """The callbacks written at ``path`` (a list); every mistake goes to ``builder``'s errors."""
    if not isinstance(raw, list):
        return ()
    found = []
    for index, item in enumerate(raw):
        if isinstance(item, dict):
            callback = _callback(builder, item, (*path, index), f"{route_name} callback {index + 1}", environ)
            if callback is not None:
                found.append(callback)
    return tuple(found)


def _callback(
    builder: _Builder, raw: dict[str, Any], path: DocPath, default_name: str, environ: Mapping[str, str] | None
) -> Callback | None:
    errors_before = len(getattr(builder, "errors", ()))

    def check(template_path: DocPath, template: CompiledTemplate) -> None:
        for problem in template_problems(
            template, builder.faker_names, extra_names=_EXTRA_NAMES, route_path=builder.route_path
        ):
            where = builder.document.template_line(template_path, problem.line)
            builder.error_at(where, template_path, problem.message, problem.suggestion)

    def syntax(template_path: DocPath, exc: TemplateSyntaxError) -> None:
        where = builder.document.template_line(template_path, exc.lineno or 1)
        builder.error_at(where, template_path, f"template syntax error: {exc.message}")

    raw_url = raw.get("url")
    if not isinstance(raw_url, str):
        return None
    url = compile_value(raw_url, (*path, "url"), check, syntax)
    if isinstance(url, ConstantValue) and (problem := static_url_problem(raw_url)) is not None:
        builder.error((*path, "url"), *problem)
    headers: list[tuple[str, Value]] = []
    raw_headers = raw.get("headers")
    if isinstance(raw_headers, dict):
        for name, value in raw_headers.items():
            text = value if isinstance(value, str) else orjson.dumps(value).decode()
            headers.append((str(name).lower(), compile_value(text, (*path, "headers", name), check, syntax)))
    body: Value | None = None
    is_json = True
    if "body" in raw:
        body = compile_value(raw["body"], (*path, "body"), check, syntax)
        is_json = not isinstance(raw["body"], str)
    problems: list[tuple[DocPath, str]] = []
    delay = compile_behaviours({"delay": raw["delay"]}, path, "", problems).delay if "delay" in raw else None
    retry = _retry(raw.get("retry"), (*path, "retry"), problems)
    timeout = _seconds(raw["timeout"], (*path, "timeout"), problems) if "timeout" in raw else DEFAULT_TIMEOUT
    for where, message in problems:
        builder.error(where, message)
    signature = _signature(builder, raw.get("signature"), (*path, "signature"), environ)
    name = raw.get("name")
    method = raw.get("method", "POST")
    if len(getattr(builder, "errors", ())) > errors_before:
        return None
    return Callback(
        name=name if isinstance(name, str) else default_name,
        method=method if isinstance(method, str) else "POST",
        url=url,
        headers=tuple(headers),
        body=body,
        is_json=is_json,
        delay=delay,
        retry=retry,
        timeout=timeout or DEFAULT_TIMEOUT,
        signature=signature,
        position=builder.document.position(path),
        allow_self=raw.get("allow_self") is True,
    )


def _seconds(value: Any, where: DocPath, problems: list[tuple[DocPath, str]]) -> float | None:
    seconds = parse_duration(value)
    if seconds is None:
        problems.append((where, f"{value!r} is not a duration such as 250ms or 2s"))
    elif seconds > MAX_SECONDS:
        problems.append((where, f"{value!r} is longer than the limit of {MAX_SECONDS:g}s"))
        return None
    return seconds


def _retry(raw: Any, where: DocPath, problems: list[tuple[DocPath, str]]) -> Retry:
    if not isinstance(raw, dict):
        return Retry()
    default = Retry()
    attempts = raw.get("attempts", default.attempts)
    backoff = _seconds(raw["backoff"], (*where, "backoff"), problems) if "backoff" in raw else default.backoff
    cap = _seconds(raw["max"], (*where, "max"), problems) if "max" in raw else default.max_wait
    factor = raw.get("factor", default.factor)
    return Retry(
        attempts=attempts if isinstance(attempts, int) else default.attempts,
        backoff=backoff if backoff is not None else default.backoff,
        factor=float(factor) if isinstance(factor, int | float) else default.factor,
        max_wait=cap if cap is not None else default.max_wait,
    )


def _signature(builder: _Builder, raw: Any, where: DocPath, environ: Mapping[str, str] | None) -> Signature | None:
    if not isinstance(raw, dict):
        return None
    variable = raw.get("secret_env")
    if not isinstance(variable, str):
        return None
    values = os.environ if environ is None else environ
    secret = values.get(variable)
    if not secret:
        builder.error(
            (*where, "secret_env"),
            f"environment variable {variable!r} is not set: the signature's secret is read from it at load",
            f"export {variable}=... before starting mockery",
        )
        return None
    header = raw.get("header", DEFAULT_SIGNATURE_HEADER)
    return Signature(
        secret=secret.encode(),
        header=header.lower() if isinstance(header, str) else DEFAULT_SIGNATURE_HEADER,
        timestamped=raw.get("timestamped") is True,
    )


def with_resource_callbacks(builder: _Builder, routes: list[Route], raw: Any) -> list[Route]:
    """``routes`` (a service's resource endpoints) with the ``callbacks`` their resources declare, by action."""
    if not isinstance(raw, dict):
        return routes
    compiled: dict[tuple[str, str], tuple[Callback, ...]] = {}
    for resource, written in raw.items():
        declared = written.get("callbacks") if isinstance(written, dict) else None
        if not isinstance(declared, dict):
            continue
        for action, items in declared.items():
            where = ("resources", resource, "callbacks", action)
            path = next((r.path for r in routes if _action(r) == (resource, action)), None)
            builder.route_path = path
            compiled[(resource, action)] = compile_callbacks(builder, items, where, f"{resource} {action}")
            builder.route_path = None
    return [
        dataclasses.replace(route, callbacks=compiled[key]) if (key := _action(route)) in compiled else route
        for route in routes
    ]


def _action(route: Route) -> tuple[str, str] | None:
    endpoint = route.endpoint
    if endpoint is None or endpoint.parent is not None:
        return None
    return endpoint.resource.name, endpoint.action
