"""Build the ``resources:`` of a spec into the model, with every mistake located, and their routes.

The JSON Schema checks shapes; this checks what it cannot: that a bare string names a Faker provider of
the service's locale, that provider arguments fit the provider, that a field has exactly one kind, that a
ref names an existing collection, and that templates in fields are sound.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path, PurePath
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
    ID_FORMATS,
    ON_DELETE,
    ArrayField,
    ChoiceField,
    ConstField,
    Endpoint,
    EndpointName,
    FakerField,
    FieldKind,
    FieldSpec,
    IdFormat,
    IdKind,
    ObjectField,
    RefField,
    Resource,
    TemplateField,
)
from mockery.model.services import Route, Service
from mockery.resources.lazy import LazyRecords
from mockery.resources.seed import (
    SEED_FORMATS,
    FieldRule,
    SeedRecords,
    check_records,
    csv_converter,
    read_db,
    read_seed,
    resolve,
)
from mockery.source.document import DocPath, Document, Position, format_path
from mockery.suggest import did_you_mean
from mockery.templates.environment import CompiledTemplate, compile_template, is_template, template_problems
from mockery.words import singular

FIELD_KINDS = ("faker", "choice", "const", "ref", "array", "fields")
# Keys every field may carry besides its kind.
_COMMON_KEYS = ("type", "schema")
_KIND_KEYS = {
    "choice": ("weights",),
    "array": ("min", "max"),
    "const": (),
    "ref": ("per_parent", "on_delete"),
    "fields": (),
}
# Names a field template may use besides the usual context.
FIELD_TEMPLATE_NAMES = frozenset({"record"})
_JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object", "null")


class Reporter(Protocol):
    """Where build errors go: the spec builder, which knows the document's positions."""

    def error(self, path: DocPath, message: str, suggestion: str | None = None, *, key: bool = False) -> None: ...

    def template_error(self, path: DocPath, line: int, message: str, suggestion: str | None = None) -> None: ...

    def position(self, path: DocPath) -> Position: ...

    # The document being built (``db:`` and ``data:`` files are found next to it) and where errors go that are
    # located in another file (a data file).
    document: Document
    errors: list[SpecError]


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
        raw = raw if isinstance(raw, dict) else {}
        db = self.document.data.get("db") if isinstance(self.document.data, dict) else None
        tables = self.database(db) if isinstance(db, str) else {}
        names = [name for name in raw if isinstance(name, str)]
        names += [name for name in tables if name not in raw]
        self._seeds: dict[str, SeedRecords] = {}
        self._inferred: set[tuple[Any, str]] = set()  # (resource, field) of refs read from a database's keys
        resources = []
        for name in names:
            spec = raw.get(name, {})
            if isinstance(spec, dict):
                resource = self.resource(name, spec, ("resources", name), base_path, names, tables.get(name))
                if resource is not None:
                    resources.append(resource)
        self.check_refs(resources)
        if isinstance(db, str):
            # json-server's /db: the whole database, served with the collections it maps.
            resources = [replace(resource, database=f"{base_path}/db") for resource in resources]
        return tuple(resources)

    @property
    def document(self) -> Document:
        return self.reporter.document

    def data_file(self, raw: str, path: DocPath, suffixes: tuple[str, ...] = SEED_FORMATS) -> tuple[Path, str] | None:
        """The data file ``raw`` names (next to the spec) and how errors name it."""
        found, problem = resolve(self.document.file.resolve().parent, raw, suffixes)
        if found is None:
            self.reporter.error(path, problem or "bad data file", "put the data file in the spec's folder")
            return None
        return found, str(PurePath(self.document.display_name).parent / raw)

    def database(self, raw: str) -> dict[str, SeedRecords | dict[str, Any]]:
        """``db: db.json``: a json-server database, every top-level array a collection, objects singletons."""
        found = self.data_file(raw, ("db",), (".json",))
        if found is None:
            return {}
        tables, errors = read_db(*found)
        self.reporter.errors.extend(errors)
        return tables

    def resource(
        self,
        name: str,
        raw: dict[str, Any],
        path: DocPath,
        base_path: str,
        names: list[str],
        table: SeedRecords | dict[str, Any] | None = None,
    ) -> Resource | None:
        count = raw.get("count", 0)
        singleton = raw.get("singleton", isinstance(table, dict)) is True
        id_kind, id_format = self.id_kind(raw.get("id"), (*path, "id"), table)
        raw_fields = raw.get("fields", {})
        fields = self.fields(raw_fields, (*path, "fields"), names) if isinstance(raw_fields, dict) else ()
        if "id" in dict(fields):
            self.reporter.error((*path, "fields", "id"), "'id' is the record's id, not a field", key=True)
        if isinstance(table, SeedRecords) and "fields" not in raw:
            fields = self.inferred_refs(table, names, path)
        endpoints = raw.get("endpoints", list(ENDPOINTS))
        own_path = raw.get("path", f"/{name}")
        if isinstance(own_path, str) and "path" in raw:
            for message, suggestion in path_problems(own_path):
                self.reporter.error((*path, "path"), message, suggestion)
        list_limit = raw.get("list_limit", DEFAULT_LIST_LIMIT)
        seed = self.seed(raw, path, table, id_kind, fields, singleton)
        if seed is not None:
            self._seeds[name] = seed
        records = (seed.records if isinstance(seed.records, LazyRecords) else tuple(seed.records)) if seed else ()
        if not isinstance(count, int) or not isinstance(own_path, str) or not isinstance(list_limit, int):
            return None
        return Resource(
            service=self.service,
            name=name,
            count=1 if singleton else max(count, len(records)),
            id_kind=id_kind,
            fields=fields,
            path=(base_path + own_path).rstrip("/") or "/",
            endpoints=frozenset(e for e in endpoints if isinstance(e, str))
            if isinstance(endpoints, list)
            else frozenset(ENDPOINTS),
            list_limit=list_limit,
            seed=records,
            id_format=id_format,
            singleton=singleton,
        )

    def id_kind(self, raw: Any, path: DocPath, table: SeedRecords | dict[str, Any] | None) -> tuple[IdKind, IdFormat]:
        """``id: integer|uuid|string`` or ``id: {type: string, format: nanoid}``; from a json-server database
        without it: integer when every id is one, else string (as given)."""
        if raw is None and isinstance(table, SeedRecords):
            ids = [r.get("id") for r in table.records if isinstance(r, dict)]
            return ("integer" if all(isinstance(i, int) and not isinstance(i, bool) for i in ids) else "string"), ""
        if isinstance(raw, dict):
            kind, id_format = raw.get("type", "integer"), raw.get("format", "")
            if kind == "integer" and id_format:
                self.reporter.error((*path, "format"), "an integer id has no format", "use type: string")
            if id_format == "uuid" and kind == "string":
                return "string", "uuid"
            if kind in ("integer", "uuid", "string") and (id_format in ID_FORMATS or not id_format):
                return kind, id_format
            return "integer", ""
        if raw in ("uuid", "string"):
            return raw, ""
        return "integer", ""

    def inferred_refs(self, table: SeedRecords, names: list[str], path: DocPath) -> tuple[tuple[str, FieldSpec], ...]:
        """json-server's convention: ``postId`` refs ``posts``; deleting a post deletes its comments."""
        plural = {singular(name): name for name in names}
        keys: dict[str, None] = {}
        for record in table.records[:1000]:
            if isinstance(record, dict):
                keys.update(dict.fromkeys(k for k in record if isinstance(k, str)))
        found = []
        where = (self.reporter.position(("db",)), format_path(path))
        for key in keys:
            stem = key[:-3] if key.endswith("_id") else key[:-2] if key.endswith("Id") else ""
            if stem in plural:
                self._inferred.add((path[-1], key))
                found.append((key, FieldSpec(RefField(self.service, plural[stem], on_delete="cascade", where=where))))
        return tuple(found)

    def seed(
        self,
        raw: dict[str, Any],
        path: DocPath,
        table: SeedRecords | dict[str, Any] | None,
        id_kind: IdKind,
        fields: tuple[tuple[str, FieldSpec], ...],
        singleton: bool,
    ) -> SeedRecords | None:
        """The seed records of ``data:`` (a file or inline records) or of the database, checked."""
        data = raw.get("data")
        seeds: SeedRecords | None = None
        if isinstance(data, str):
            found = self.data_file(data, (*path, "data"))
            if found is None:
                return None
            seeds = read_seed(*found, self.csv_columns(id_kind, fields))
        elif isinstance(data, list | dict):
            records = [data] if isinstance(data, dict) else data
            position = self.reporter.position

            def locate(index: int, parts: tuple[Any, ...]) -> tuple[int, int, str]:
                where = (*path, "data", *((index,) if isinstance(data, list) else ()), *parts)
                found = position(where)
                return found.line, found.column, format_path(where)

            seeds = SeedRecords(records, self.document.display_name, locate)
        elif isinstance(table, SeedRecords):
            seeds = table
        elif isinstance(table, dict):
            seeds = SeedRecords([table], "", lambda i, p: (1, 1, ""))
        if seeds is None:
            return None
        if singleton and (len(seeds.records) != 1 or not isinstance(seeds.records[0], dict)):
            self.reporter.error((*path, "data"), "a singleton's data is one record (a mapping)")
            return None
        rules = {}
        for name, spec in fields:
            options = spec.kind.options if isinstance(spec.kind, ChoiceField) else None
            if spec.schema is not None or options is not None:
                rules[name] = FieldRule(spec.schema, options)
        seeds.records = check_records(seeds, id_kind, rules, ids=not singleton)
        self.reporter.errors.extend(seeds.errors)
        seeds.errors.clear()
        return seeds

    def csv_columns(
        self, id_kind: IdKind, fields: tuple[tuple[str, FieldSpec], ...]
    ) -> dict[str, Callable[[str], Any]]:
        """How the cells of a CSV file become values: the id by its kind, declared types, refs to integer ids."""
        columns: dict[str, Callable[[str], Any]] = {}
        if id_kind == "integer":
            columns["id"] = _csv_integer_id
        raw_resources = self.document.data.get("resources") if isinstance(self.document.data, dict) else None
        for name, spec in fields:
            declared = (spec.schema or {}).get("type")
            if declared is None and isinstance(spec.kind, RefField) and spec.kind.service == self.service:
                target = raw_resources.get(spec.kind.resource) if isinstance(raw_resources, dict) else None
                target_id = target.get("id", "integer") if isinstance(target, dict) else "integer"
                declared = ["integer", "null"] if target_id == "integer" else None
            convert = csv_converter(declared) if declared is not None else None
            if convert is not None:
                columns[name] = convert
        return columns

    def check_refs(self, resources: list[Resource]) -> None:
        """Seed values of declared refs name records that exist, when the target's records are all seed data."""
        by_name = {resource.name: resource for resource in resources}
        for resource in resources:
            seeds = self._seeds.get(resource.name)
            if seeds is None:
                continue
            for field_name, ref in resource.refs().items():
                target = by_name.get(ref.resource)
                if ref.service != self.service or target is None or (resource.name, field_name) in self._inferred:
                    continue
                if not target.seed or target.count > len(target.seed):
                    continue
                known = {str(record["id"]) for record in target.seed}
                for index, record in enumerate(seeds.records):
                    value = record.get(field_name)
                    if value is not None and str(value) not in known:
                        seeds.error(index, (field_name,), f"no {target.name} record has the id {value!r}")
            self.reporter.errors.extend(seeds.errors)
            seeds.errors.clear()

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
            ref = self.ref(value, (*path, "ref"), names) if isinstance(value, str) else None
            if ref is None:
                return None
            on_delete = raw.get("on_delete")
            return replace(
                ref,
                per_parent=self.per_parent(raw.get("per_parent"), (*path, "per_parent")),
                on_delete=on_delete if on_delete in ON_DELETE else None,
            )
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

    def per_parent(self, raw: Any, path: DocPath) -> tuple[int, int] | None:
        """``per_parent: 3..7`` (or ``5``): how many records each parent gets."""
        if raw is None:
            return None
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return raw, raw
        low, dots, high = str(raw).partition("..")
        if not (dots and low.isascii() and low.isdigit() and high.isascii() and high.isdigit()):
            return None  # the schema reports it
        if int(low) > int(high):
            self.reporter.error(path, f"per_parent {raw!r} runs backwards", f"write {high}..{low}")
            return None
        return int(low), int(high)

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


def _csv_integer_id(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValueError(f"the id {text!r} is not a positive integer; use `id: string` for string ids")
    return int(text)


def endpoints(resource: Resource, siblings: tuple[Resource, ...]) -> list[tuple[str, str, Endpoint]]:
    """``(method, path, endpoint)`` of every route ``resource`` serves, nested lists included; a singleton's
    GET, PUT and PATCH at its path; the service's ``/db`` with its first resource."""
    first = next((r for r in siblings if r.service == resource.service), resource)
    database = [("GET", resource.database, Endpoint(resource, "db"))] if resource.database and first is resource else []
    if resource.singleton:
        single: list[tuple[str, EndpointName]] = [("GET", "get"), ("PUT", "replace"), ("PATCH", "update")]
        return database + [
            (method, resource.path, Endpoint(resource, action))
            for method, action in single
            if action in resource.endpoints
        ]
    item = f"{resource.path}/{{id}}"
    table: list[tuple[str, str, EndpointName]] = [
        ("GET", resource.path, "list"),
        ("POST", resource.path, "create"),
        ("GET", item, "get"),
        ("PUT", item, "replace"),
        ("PATCH", item, "update"),
        ("DELETE", item, "delete"),
    ]
    routes = database + [
        (method, path, Endpoint(resource, action)) for method, path, action in table if action in resource.endpoints
    ]
    if "get" in resource.endpoints:
        for child in siblings:
            if (
                "list" in child.endpoints
                and not child.singleton
                and any(
                    ref.service == resource.service and ref.resource == resource.name for ref in child.refs().values()
                )
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
    "db": "the whole database",
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
            if endpoint.action == "db":
                name = "db"
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


def json_server_database(document: Document) -> SpecError | None:
    """The one error for a json-server ``db.json`` given as a spec (every top-level value an array or an object,
    none a spec key): what it is and how to serve it, instead of an unknown key per collection."""
    data = document.data
    if not isinstance(data, dict) or not data or "service" in data:
        return None
    if not all(isinstance(value, list | dict) for value in data.values()):
        return None
    if not any(isinstance(value, list) for value in data.values()) or {"routes", "resources"} & set(data):
        return None
    collections = [str(name) for name, value in data.items() if isinstance(value, list)]
    singles = [str(name) for name, value in data.items() if isinstance(value, dict)]
    found = f"collections {', '.join(collections)}" + (f"; singular {', '.join(singles)}" if singles else "")
    name = PurePath(document.display_name).name
    return SpecError(
        document.display_name,
        1,
        1,
        "",
        f"this looks like a json-server database ({found}), not a spec",
        f"serve it with a spec beside it holding `service: <name>` and `db: {name}` (see docs/fixtures.md)",
    )
