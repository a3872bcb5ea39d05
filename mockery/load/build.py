"""Build the model of one service from its document, checking what the JSON Schema cannot express.

The builder is defensive: it runs even when the schema found errors, skipping only the parts that are of the
wrong shape, so that one run reports every mistake of the file.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

import orjson
from jinja2 import TemplateSyntaxError

from mockery.answers.template import ResponseSetAnswer, TemplateAnswer
from mockery.errors import SpecError
from mockery.http.cors import CorsPolicy, compile_cors
from mockery.http.paths import RESERVED_MESSAGE, is_reserved, join, path_problems
from mockery.load.build_routing import route_routing, service_behaviours
from mockery.load.callbacks import compile_callbacks, with_resource_callbacks
from mockery.load.resources import ResourceBuilder, resource_routes
from mockery.load.streams import stream_answer
from mockery.model.services import AnswerKind, Origin, Proxy, RandomMode, ResponseSpec, Route, Service
from mockery.proxy.forward import compile_proxy
from mockery.source.document import DocPath, Document, Position, format_path
from mockery.suggest import did_you_mean
from mockery.templates.environment import CompiledTemplate, template_problems
from mockery.templates.fakes import DEFAULT_LOCALE, available_locales, json_default, provider_names
from mockery.templates.values import ConstantValue, Value, compile_value

MAX_FILE_BYTES = 50 * 1024 * 1024


class _Builder:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.errors: list[SpecError] = []
        self.folder = document.file.resolve().parent
        self.faker_names: frozenset[str] = frozenset()
        # The path of the route being built: its templates' path parameters are checked against it.
        self.route_path: str | None = None

    def error(self, path: DocPath, message: str, suggestion: str | None = None, *, key: bool = False) -> None:
        self.error_at(self.document.position(path, key=key), path, message, suggestion)

    def error_at(self, position: Position, path: DocPath, message: str, suggestion: str | None = None) -> None:
        self.errors.append(
            SpecError(
                self.document.display_name,
                position.line,
                position.column,
                format_path(path),
                message,
                suggestion,
            )
        )

    def position(self, path: DocPath) -> Position:
        return self.document.position(path)

    def template_error(self, path: DocPath, line: int, message: str, suggestion: str | None = None) -> None:
        """An error at line ``line`` of the template written at ``path``."""
        self.error_at(self.document.template_line(path, line), path, message, suggestion)

    def build(self) -> Service | None:
        data = self.document.data
        if not isinstance(data, dict):
            return None
        locale = data.get("locale", DEFAULT_LOCALE)
        if not isinstance(locale, str) or locale not in available_locales():
            if isinstance(locale, str):
                self.error(("locale",), f"unknown Faker locale {locale!r}", did_you_mean(locale, available_locales()))
            locale = DEFAULT_LOCALE
        self.faker_names = provider_names(locale)
        base_path = data.get("base_path", "")
        base_path = base_path.rstrip("/") if isinstance(base_path, str) else ""
        if is_reserved(base_path):
            self.error(("base_path",), RESERVED_MESSAGE, "choose a base path outside it, such as /api")
        raw_routes = data.get("routes", [])
        routes = []
        if isinstance(raw_routes, list):
            for index, raw in enumerate(raw_routes):
                if isinstance(raw, dict):
                    route = self.route(raw, ("routes", index), base_path, index)
                    if route is not None:
                        routes.append(route)
        name = data.get("service")
        resources = ResourceBuilder(self, name if isinstance(name, str) else "", locale, self.faker_names).build(
            data.get("resources"), base_path
        )
        routes.extend(
            with_resource_callbacks(self, resource_routes(resources, self.document.position), data.get("resources"))
        )
        # The GraphQL endpoint is a spec route numbered after those written under `routes`.
        written = len(raw_routes) if isinstance(raw_routes, list) else 0
        if data.get("graphql") is not None:
            from mockery.load.graphql import graphql_routes  # graphql-core: only for a spec that serves GraphQL

            routes.extend(graphql_routes(self, data.get("graphql"), base_path, resources, written, locale))
        port = data.get("port")
        seed = data.get("seed")
        description = data.get("description", "")
        behaviours, profiles = service_behaviours(self, data, name if isinstance(name, str) else "")
        proxy = self.proxy(data.get("proxy"))
        cors, headers = self.cors(data.get("cors")), self.service_headers(data.get("headers"))
        tls = None
        if data.get("tls") is not None:
            from mockery.load.tls import service_tls  # cryptography: only for a spec that serves HTTPS

            tls = service_tls(self, data.get("tls"))
        if not isinstance(name, str) or self.errors:
            return None
        return Service(
            name=name,
            description=description if isinstance(description, str) else "",
            port=port if isinstance(port, int) else None,
            base_path=base_path,
            seed=seed if isinstance(seed, int) else None,
            locale=locale,
            routes=tuple(routes),
            file=self.document.file,
            display_name=self.document.display_name,
            position=self.document.position(("service",)),
            resources=resources,
            behaviours=behaviours,
            profiles=profiles,
            proxy=proxy,
            cors=cors,
            headers=headers,
            tls=tls,
        )

    def proxy(self, raw: Any) -> Proxy | None:
        proxy, problems = compile_proxy(raw)
        for path, message, suggestion in problems:
            self.error(path, message, suggestion)
        return proxy

    def cors(self, raw: Any) -> CorsPolicy | None:
        policy, problems = compile_cors(raw)
        for path, message, suggestion in problems:
            self.error(path, message, suggestion)
        return policy

    def service_headers(self, raw: Any) -> tuple[tuple[str, Value], ...]:
        """The service-wide ``headers``, compiled like a route's: added to every answer of the service."""
        if not isinstance(raw, dict):
            return ()

        def check(template_path: DocPath, template: CompiledTemplate) -> None:
            for problem in template_problems(template, self.faker_names):
                where = self.document.template_line(template_path, problem.line)
                self.error_at(where, template_path, problem.message, problem.suggestion)

        def syntax(template_path: DocPath, exc: TemplateSyntaxError) -> None:
            where = self.document.template_line(template_path, exc.lineno or 1)
            self.error_at(where, template_path, f"template syntax error: {exc.message}")

        compiled = []
        for name, value in raw.items():
            text = value if isinstance(value, str) else orjson.dumps(value).decode()
            compiled.append((str(name).lower(), compile_value(text, ("headers", name), check, syntax)))
        return tuple(compiled)

    def route(
        self,
        raw: dict[str, Any],
        path: DocPath,
        base_path: str,
        index: int,
        origin: Origin = "spec",
        service: str | None = None,
    ) -> Route | None:
        method = raw.get("method", "GET")
        methods = tuple(method) if isinstance(method, list) else (method,)
        route_path = raw.get("path")
        if isinstance(route_path, str):
            for message, suggestion in path_problems(route_path):
                self.error((*path, "path"), message, suggestion)
        self.route_path = route_path if isinstance(route_path, str) else None
        raw_response = raw.get("response", {})
        response = self.response(raw_response, (*path, "response")) if isinstance(raw_response, dict) else None
        service_name = service
        if service_name is None and isinstance(self.document.data, dict):
            service_name = self.document.data.get("service")
        # A route's own rate-limit window: a spec route's is named by its index, as it always was.
        key = index if origin == "spec" else f"{origin}:{index}"
        routing = route_routing(self, raw, path, f"route:{service_name}:{key}")
        name = raw.get("name")
        shown = name if isinstance(name, str) else f"{'|'.join(map(str, methods))} {route_path}"
        callbacks = compile_callbacks(self, raw.get("callbacks"), (*path, "callbacks"), shown)
        self.route_path = None
        if routing is None:
            return None
        responses = routing.responses
        if not isinstance(route_path, str) or not all(isinstance(m, str) for m in methods):
            return None
        streamed = stream_answer(self, raw, path, service_name)
        if streamed is not None:
            answer: AnswerKind = streamed
        elif responses is not None:
            answer = ResponseSetAnswer(responses)
        elif response is not None:
            answer = TemplateAnswer(response)
        else:
            return None
        full_path = join(base_path, route_path)
        random: RandomMode = "per_call" if raw.get("random") == "per_call" else "per_request"
        return Route(
            name=name if isinstance(name, str) else f"{'|'.join(methods)} {full_path}",
            methods=methods,
            path=full_path,
            random=random,
            answer=answer,
            uses_request=any(shown.uses_request for shown in answer.shown),
            position=self.document.position(path),
            index=index,
            origin=origin,
            priority=routing.priority,
            conditions=routing.conditions,
            scenario=routing.scenario,
            behaviours=routing.behaviours,
            callbacks=callbacks,
        )

    def response(self, raw: dict[str, Any], path: DocPath) -> ResponseSpec | None:
        uses_request = False

        def check(template_path: DocPath, template: CompiledTemplate) -> None:
            nonlocal uses_request
            if any(name == "request" for name, _ in template.names):
                uses_request = True
            for problem in template_problems(template, self.faker_names, route_path=self.route_path):
                where = self.document.template_line(template_path, problem.line)
                self.error_at(where, template_path, problem.message, problem.suggestion)

        def syntax(template_path: DocPath, exc: TemplateSyntaxError) -> None:
            where = self.document.template_line(template_path, exc.lineno or 1)
            self.error_at(where, template_path, f"template syntax error: {exc.message}")

        status = raw.get("status", 200)
        headers: list[tuple[str, Value]] = []
        media_type: str | None = None
        raw_headers = raw.get("headers", {})
        if isinstance(raw_headers, dict):
            for name, value in raw_headers.items():
                header_path = (*path, "headers", name)
                text = value if isinstance(value, str) else orjson.dumps(value).decode()
                compiled = compile_value(text, header_path, check, syntax)
                if name.lower() == "content-type" and isinstance(compiled, ConstantValue):
                    media_type = str(compiled.value)
                    continue
                headers.append((name.lower(), compiled))
        body: Value | None = None
        static_body: bytes | None = b""
        is_json = False
        if "body" in raw and "file" in raw:
            self.error((*path, "file"), "a response has a body or a file, not both", key=True)
        if "body" in raw:
            data = raw["body"]
            body = compile_value(data, (*path, "body"), check, syntax)
            is_json = not isinstance(data, str)
            if not any(name == "content-type" for name, _ in headers):  # a templated one is sent as rendered
                media_type = media_type or ("application/json" if is_json else "text/plain; charset=utf-8")
            if isinstance(body, ConstantValue):
                static_body = encode_body(body.value, is_json)
                body = None
            else:
                static_body = None
        if "file" in raw and isinstance(raw["file"], str):
            content = self.file(raw["file"], (*path, "file"))
            if content is None:
                return None
            static_body = content
            if not any(name == "content-type" for name, _ in headers):
                media_type = media_type or mimetypes.guess_type(raw["file"])[0] or "application/octet-stream"
        if not isinstance(status, int):
            return None
        return ResponseSpec(
            status=status,
            headers=tuple(headers),
            body=body,
            media_type=media_type or "",
            static_body=static_body,
            is_json=is_json,
            uses_request=uses_request,
            content_type_written=any(name.lower() == "content-type" for name in raw_headers)
            if isinstance(raw_headers, dict)
            else False,
        )

    def file(self, name: str, path: DocPath) -> bytes | None:
        candidate = Path(name)
        if candidate.is_absolute():
            self.error(path, f"{name!r} is an absolute path", "name a file relative to the spec's folder")
            return None
        resolved = (self.folder / candidate).resolve()
        if not resolved.is_relative_to(self.folder):
            self.error(path, f"{name!r} lies outside the spec's folder", "files are served only from there")
            return None
        if not resolved.is_file():
            self.error(path, f"file {name!r} does not exist in {self.folder}")
            return None
        if resolved.stat().st_size > MAX_FILE_BYTES:
            self.error(path, f"file {name!r} is larger than {MAX_FILE_BYTES} bytes")
            return None
        return resolved.read_bytes()


def encode_body(value: Any, is_json: bool) -> bytes:
    """The bytes sent for a rendered body."""
    if is_json:
        return orjson.dumps(value, default=json_default)
    return str(value).encode()


def build_service(document: Document) -> tuple[Service | None, list[SpecError]]:
    """The service a schema-checked document describes, and every semantic error in it."""
    builder = _Builder(document)
    service = builder.build()
    return service, builder.errors


def build_route_at(
    document: Document,
    path: DocPath,
    *,
    locale: str,
    base_path: str,
    index: int,
    origin: Origin = "spec",
    service: str | None = None,
) -> tuple[Route | None, list[SpecError]]:
    """The route written at ``path`` of ``document``, for the service ``service`` (else the document's) of
    ``locale`` and ``base_path``; the route is ``(origin, index)``.

    Every semantic check of a route in a spec runs (path syntax, templates, Faker providers of ``locale``,
    files relative to the folder of ``document.file``). The route is ``None`` when it cannot be built.
    """
    builder = _Builder(document)
    builder.faker_names = provider_names(locale if locale in available_locales() else DEFAULT_LOCALE)
    raw = document.data
    for part in path:
        if isinstance(raw, dict) and isinstance(part, str):
            raw = raw.get(part)
        elif isinstance(raw, list) and isinstance(part, int) and 0 <= part < len(raw):
            raw = raw[part]
        else:
            raw = None
    if not isinstance(raw, dict):
        return None, builder.errors
    route = builder.route(raw, path, base_path.rstrip("/"), index, origin, service)
    return route, builder.errors
