"""Build the ``resources:`` of a spec into the model, with every mistake located, and their routes.

The JSON Schema checks shapes; this checks what it cannot: that a bare string names a Faker provider of
the service's locale, that provider arguments fit the provider, that a field has exactly one kind, that a
ref names an existing collection, and that templates in fields are sound.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from faker import Faker
from jinja2 import TemplateSyntaxError

from mockery.answers.resource import ResourceAnswer
from mockery.errors import SpecError
from mockery.http.paths import path_problems
from mockery.http.schema_patterns import pattern_problems
from mockery.model.resources import (
    DEFAULT_LIST_LIMIT,
    ENDPOINTS,
    ArrayField,
    ChoiceField,
    ConstField,
    Endpoint,
    EndpointName,
    FakerField,
    FieldKind,
    FieldSpec,
    IdKind,
    ObjectField,
    RefField,
    Resource,
    TemplateField,
)
from mockery.model.services import Route, Service
from mockery.source.document import DocPath, Position, format_path
from mockery.suggest import did_you_mean
from mockery.templates.environment import CompiledTemplate, compile_template, is_template, template_problems

FIELD_KINDS = ("faker", "choice", "const", "ref", "array", "fields")
# Keys every field may carry besides its kind.
_COMMON_KEYS = ("type", "schema")
_KIND_KEYS = {"choice": ("weights",), "array": ("min", "max"), "const": (), "ref": (), "fields": ()}
# Names a field template may use besides the usual context.
FIELD_TEMPLATE_NAMES = frozenset({"record"})
_JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object", "null")


class Reporter(Protocol):
    """Where build errors go: the spec builder, which knows the document's positions."""

    def error(self, path: DocPath, message: str, suggestion: str | None = None, *, key: bool = False) -> None: ...

    def template_error(self, path: DocPath, line: int, message: str, suggestion: str | None = None) -> None: ...

    def position(self, path: DocPath) -> Position: ...


@functools.cache
def _signatures(locale: str) -> Callable[[str], inspect.Signature | None]:
    generator = Faker(locale, use_weighting=False).factories[0]

    @functools.cache
    def signature(name: str) -> inspect.Signature | None:
        try:
            return inspect.signature(getattr(generator, name))
        except (TypeError, ValueError, AttributeError):
            return None

    return signature


class ResourceBuilder:
    """Builds every resource of one service."""

    def __init__(self, reporter: Reporter, service: str, locale: str, faker_names: frozenset[str]) -> None:
        self.reporter = reporter
        self.service = service
        self.locale = locale
        self.faker_names = faker_names

    def build(self, raw: Any, base_path: str) -> tuple[Resource, ...]:
        if not isinstance(raw, dict):
            return ()
        names = [name for name in raw if isinstance(name, str)]
        resources = []
        for name in names:
            spec = raw[name]
            if isinstance(spec, dict):
                resource = self.resource(name, spec, ("resources", name), base_path, names)
                if resource is not None:
                    resources.append(resource)
        return tuple(resources)

    def resource(
        self, name: str, raw: dict[str, Any], path: DocPath, base_path: str, names: list[str]
    ) -> Resource | None:
        count = raw.get("count", 0)
        id_kind: IdKind = "uuid" if raw.get("id") == "uuid" else "integer"
        raw_fields = raw.get("fields", {})
        fields = self.fields(raw_fields, (*path, "fields"), names) if isinstance(raw_fields, dict) else ()
        if "id" in dict(fields):
            self.reporter.error((*path, "fields", "id"), "'id' is the record's id, not a field", key=True)
        endpoints = raw.get("endpoints", list(ENDPOINTS))
        own_path = raw.get("path", f"/{name}")
        if isinstance(own_path, str) and "path" in raw:
            for message, suggestion in path_problems(own_path):
                self.reporter.error((*path, "path"), message, suggestion)
        list_limit = raw.get("list_limit", DEFAULT_LIST_LIMIT)
        if not isinstance(count, int) or not isinstance(own_path, str) or not isinstance(list_limit, int):
            return None
        return Resource(
            service=self.service,
            name=name,
            count=count,
            id_kind=id_kind,
            fields=fields,
            path=(base_path + own_path).rstrip("/") or "/",
            endpoints=frozenset(e for e in endpoints if isinstance(e, str))
            if isinstance(endpoints, list)
            else frozenset(ENDPOINTS),
            list_limit=list_limit,
        )

    def fields(self, raw: dict[str, Any], path: DocPath, names: list[str]) -> tuple[tuple[str, FieldSpec], ...]:
        built = []
        for name, value in raw.items():
            spec = self.field(value, (*path, name), names)
            if spec is not None:
                built.append((str(name), spec))
        return tuple(built)

    def field(self, raw: Any, path: DocPath, names: list[str]) -> FieldSpec | None:
        if isinstance(raw, str):
            kind = self.bare_string(raw, path)
            return FieldSpec(kind) if kind is not None else None
        if not isinstance(raw, dict):
            return None  # the schema reports it
        kinds = [key for key in FIELD_KINDS if key in raw]
        if len(kinds) != 1:
            if kinds:
                self.reporter.error(path, f"a field has one kind, this one has {', '.join(kinds)}")
            else:
                unknown = [str(key) for key in raw if key not in _COMMON_KEYS]
                guess = did_you_mean(unknown[0], FIELD_KINDS) if unknown else None
                self.reporter.error(
                    path, f"a field needs one of the keys {', '.join(FIELD_KINDS)}", guess or "or write a string"
                )
            return None
        kind_name = kinds[0]
        if kind_name != "faker":
            allowed = (kind_name, *_KIND_KEYS[kind_name], *_COMMON_KEYS)
            for key in raw:
                if key not in allowed:
                    hint = did_you_mean(str(key), allowed) or f"expected one of: {', '.join(allowed)}"
                    self.reporter.error((*path, key), f"unknown key {key!r} for a {kind_name} field", hint, key=True)
        kind = self.kind(kind_name, raw, path, names)
        schema = self.schema(raw, path)
        return FieldSpec(kind, schema) if kind is not None else None

    def kind(self, kind_name: str, raw: dict[str, Any], path: DocPath, names: list[str]) -> FieldKind | None:
        value = raw[kind_name]
        if kind_name == "faker":
            arguments = {str(k): v for k, v in raw.items() if k not in ("faker", *_COMMON_KEYS)}
            return self.faker(value, arguments, (*path, "faker"), path) if isinstance(value, str) else None
        if kind_name == "const":
            return ConstField(value)
        if kind_name == "choice":
            weights = raw.get("weights")
            if not isinstance(value, list) or not value:
                return None
            if isinstance(weights, list) and len(weights) != len(value):
                self.reporter.error(
                    (*path, "weights"), f"{len(weights)} weights for {len(value)} choices", "give one weight each"
                )
                return None
            return ChoiceField(tuple(value), tuple(float(w) for w in weights) if isinstance(weights, list) else None)
        if kind_name == "ref":
            return self.ref(value, (*path, "ref"), names) if isinstance(value, str) else None
        if kind_name == "array":
            item = self.field(value, (*path, "array"), names)
            low, high = raw.get("min", 0), raw.get("max", 3)
            if not isinstance(low, int) or not isinstance(high, int) or item is None:
                return None
            if low > high:
                self.reporter.error((*path, "min"), f"min {low} is greater than max {high}")
                return None
            return ArrayField(item, low, high)
        if kind_name == "fields":
            return ObjectField(self.fields(value, (*path, "fields"), names)) if isinstance(value, dict) else None
        return None

    def bare_string(self, text: str, path: DocPath) -> FieldKind | None:
        if is_template(text):
            return self.template(text, path)
        if text in self.faker_names:
            return FakerField(text)
        guess = did_you_mean(text, self.faker_names)
        hint = f"use {{const: {text}}} for a literal value"
        self.reporter.error(
            path, f"{text!r} is not a Faker provider of locale {self.locale}", f"{guess} or {hint}" if guess else hint
        )
        return None

    def faker(self, provider: str, arguments: dict[str, Any], path: DocPath, field_path: DocPath) -> FieldKind | None:
        if provider not in self.faker_names:
            self.reporter.error(
                path,
                f"unknown Faker provider {provider!r} of locale {self.locale}",
                did_you_mean(provider, self.faker_names),
            )
            return None
        signature = _signatures(self.locale)(provider)
        if signature is not None:
            try:
                signature.bind(**arguments)
            except TypeError as exc:
                known = [name for name in signature.parameters if name != "self"]
                first = next(iter(arguments), "")
                hint = did_you_mean(first, known) or (f"its arguments: {', '.join(known)}" if known else None)
                self.reporter.error(field_path, f"bad arguments for Faker provider {provider!r}: {exc}", hint)
                return None
        return FakerField(provider, arguments)

    def ref(self, target: str, path: DocPath, names: list[str]) -> RefField | None:
        service, _, name = target.rpartition(".")
        where = (self.reporter.position(path), format_path(path))
        if service and service != self.service:
            return RefField(service, name, where)  # checked once every service is built: ref_errors
        if name not in names:
            self.reporter.error(path, f"no resource named {name!r} in this service", did_you_mean(name, names))
            return None
        return RefField(self.service, name, where)

    def template(self, text: str, path: DocPath) -> TemplateField | None:
        try:
            compiled: CompiledTemplate = compile_template(text)
        except TemplateSyntaxError as exc:
            self.reporter.template_error(path, exc.lineno or 1, f"template syntax error: {exc.message}")
            return None
        problems = template_problems(compiled, self.faker_names, extra_names=FIELD_TEMPLATE_NAMES)
        for problem in problems:
            self.reporter.template_error(path, problem.line, problem.message, problem.suggestion)
        return TemplateField(compiled) if not problems else None

    def schema(self, raw: dict[str, Any], path: DocPath) -> dict[str, Any] | None:
        if "schema" in raw and isinstance(raw["schema"], dict):
            for where, message in pattern_problems(raw["schema"], (*path, "schema")):
                self.reporter.error(where, message)  # written bodies are checked on RE2: it must run them
            return dict(raw["schema"])
        declared = raw.get("type")
        if declared is None:
            return None
        types = declared if isinstance(declared, list) else [declared]
        for name in types:
            if name not in _JSON_TYPES:
                self.reporter.error(
                    (*path, "type"), f"unknown JSON type {name!r}", did_you_mean(str(name), _JSON_TYPES)
                )
                return None
        return {"type": declared}


def endpoints(resource: Resource, siblings: tuple[Resource, ...]) -> list[tuple[str, str, Endpoint]]:
    """``(method, path, endpoint)`` of every route ``resource`` serves, nested lists included."""
    item = f"{resource.path}/{{id}}"
    table: list[tuple[str, str, EndpointName]] = [
        ("GET", resource.path, "list"),
        ("POST", resource.path, "create"),
        ("GET", item, "get"),
        ("PUT", item, "replace"),
        ("PATCH", item, "update"),
        ("DELETE", item, "delete"),
    ]
    routes = [
        (method, path, Endpoint(resource, action)) for method, path, action in table if action in resource.endpoints
    ]
    if "get" in resource.endpoints:
        for child in siblings:
            if "list" in child.endpoints and any(
                ref.service == resource.service and ref.resource == resource.name for ref in child.refs().values()
            ):
                routes.append(("GET", f"{item}/{child.name}", Endpoint(child, "nested", resource)))
    return routes


_ACTIONS = {
    "list": "list",
    "create": "create",
    "get": "get one",
    "replace": "replace",
    "update": "update",
    "delete": "delete",
}


def describe_route(route: Route) -> str:
    """A route as a message names it: a resource endpoint by its resource and action (``resource 'users' (get
    one)``), any other route by its name."""
    endpoint = route.endpoint
    if route.origin != "resource" or endpoint is None:
        return route.name
    if endpoint.parent is not None:
        return f"resource {endpoint.resource.name!r} (list by {endpoint.parent.name!r})"
    return f"resource {endpoint.resource.name!r} ({_ACTIONS.get(endpoint.action, endpoint.action)})"


def resource_routes(resources: tuple[Resource, ...], position: Callable[[DocPath], Position]) -> list[Route]:
    """The routes of every resource's endpoints, answered by the collection rather than by a template."""
    routes: list[Route] = []
    for resource in resources:
        where = position(("resources", resource.name))
        for method, path, endpoint in endpoints(resource, resources):
            # A nested list is named by the parent and the records listed: "customers orders".
            name = (
                f"{resource.name} {endpoint.resource.name}" if endpoint.parent else f"{resource.name} {endpoint.action}"
            )
            routes.append(
                Route(
                    name=name,
                    methods=(method,),
                    path=path,
                    random="per_request",
                    answer=ResourceAnswer(endpoint),
                    uses_request=True,
                    position=where,
                    index=len(routes),
                    origin="resource",
                )
            )
    return routes


def _refs_in(kind: FieldKind) -> Iterator[RefField]:
    if isinstance(kind, RefField):
        yield kind
    elif isinstance(kind, ArrayField):
        yield from _refs_in(kind.item.kind)
    elif isinstance(kind, ObjectField):
        for _, spec in kind.fields:
            yield from _refs_in(spec.kind)


def ref_errors(services: Iterable[Service]) -> list[SpecError]:
    """Refs to another service's collection that does not exist, each where it was written."""
    services = list(services)
    known = {resource.key for service in services for resource in service.resources}
    errors = []
    for service in services:
        for resource in service.resources:
            for _, spec in resource.fields:
                for ref in _refs_in(spec.kind):
                    if ref.target not in known:
                        position, path = ref.where
                        errors.append(
                            SpecError(
                                service.display_name,
                                position.line,
                                position.column,
                                path,
                                f"no resource {ref.resource!r} in a service named {ref.service!r}",
                                did_you_mean(ref.target, known),
                            )
                        )
    return errors
