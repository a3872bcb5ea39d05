"""The ``graphql:`` key of a spec: an SDL schema (a file beside the spec, or inline) served at one path.

The schema is parsed and checked here, once; its mistakes are located in the schema file (or at their line
of the inline SDL). Type bindings (``types``) and field rules (``fields``) are checked against the schema,
with the nearest name offered for a misspelt one.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, cast

from graphql import GraphQLObjectType, GraphQLSchema
from jinja2 import TemplateSyntaxError

from mockery.answers.graphql import GraphiQLAnswer, GraphQLAnswer
from mockery.errors import SpecError
from mockery.graphql.graphiql import assets_folder, page
from mockery.graphql.objects import FieldRule
from mockery.graphql.sdl import load_schema
from mockery.graphql.service import GraphQLService
from mockery.graphql.state import mutation_action
from mockery.http.paths import join, path_problems
from mockery.model.resources import Resource
from mockery.model.services import AnswerKind, Route
from mockery.source.document import DocPath, Document, Position
from mockery.suggest import did_you_mean
from mockery.templates.environment import CompiledTemplate, template_problems
from mockery.templates.values import ConstantValue, SyntaxErrorSink, TemplateSink, compile_value

DEFAULT_PATH = "/graphql"
TEMPLATE_NAMES = frozenset({"args", "variables"})  # a field's arguments, the operation's variables


class Builder(Protocol):
    """What of the spec builder (``mockery.load.build``) this module uses."""

    document: Document
    errors: list[SpecError]
    faker_names: frozenset[str]

    def error(self, path: DocPath, message: str, suggestion: str | None = None, *, key: bool = False) -> None: ...

    def error_at(self, position: Position, path: DocPath, message: str, suggestion: str | None = None) -> None: ...

    def file(self, name: str, path: DocPath) -> bytes | None: ...


def graphql_routes(
    builder: Builder, raw: Any, base_path: str, resources: tuple[Resource, ...], index: int, locale: str
) -> list[Route]:
    """The route of the spec's ``graphql`` key (none without one, or when it has mistakes, all reported)."""
    if not isinstance(raw, dict):
        return []
    schema = _schema(builder, raw)
    path = raw.get("path", DEFAULT_PATH)
    if isinstance(path, str):
        for message, suggestion in path_problems(path):
            builder.error(("graphql", "path"), message, suggestion)
    if schema is None or not isinstance(path, str):
        return []
    bindings = _bindings(builder, schema, raw.get("types"), resources)
    rules = _rules(builder, schema, raw.get("fields"))
    mutations: dict[str, tuple[str, str]] = {}
    if schema.mutation_type is not None:
        for name in schema.mutation_type.fields:
            action = mutation_action(name, bindings)
            if action is not None:
                mutations[name] = action
    service = GraphQLService(
        schema, locale, MappingProxyType(rules), MappingProxyType(bindings), MappingProxyType(mutations)
    )
    full_path = join(base_path, path)
    name = builder.document.data.get("service") if isinstance(builder.document.data, dict) else None
    return [
        *_graphiql_routes(builder, str(name or ""), full_path, index),
        Route(
            name=f"graphql {full_path}",
            methods=("GET", "POST"),
            path=full_path,
            random="per_request",
            # The protocol's respond() returns an Answer; the listener also awaits one that returns an awaitable.
            answer=cast(AnswerKind, GraphQLAnswer(service, full_path.rstrip("/") + "/graphiql")),
            uses_request=True,
            position=builder.document.position(("graphql",)),
            index=index,
        ),
    ]


def _graphiql_routes(builder: Builder, service: str, endpoint: str, index: int) -> list[Route]:
    """GraphiQL at ``{endpoint}/graphiql``, its files below it: routes numbered after the endpoint's."""
    folder = assets_folder()
    base = endpoint.rstrip("/") + "/graphiql"
    answer = cast(AnswerKind, GraphiQLAnswer(page(service, endpoint, base), folder))
    where = builder.document.position(("graphql",))
    return [
        Route(f"graphiql {path}", ("GET",), path, "per_request", answer, False, where, index + 1 + number)
        for number, path in enumerate((base, base + "/{asset}"))
    ]


def _schema(builder: Builder, raw: dict[str, Any]) -> GraphQLSchema | None:
    file, inline = raw.get("schema"), raw.get("sdl")
    if (file is None) == (inline is None):
        builder.error(("graphql",), "give the schema as a file (`schema`) or inline (`sdl`), one of the two")
        return None
    if isinstance(file, str):
        content = builder.file(file, ("graphql", "schema"))
        if content is None:
            return None
        try:
            text = content.decode()
        except UnicodeDecodeError:
            builder.error(("graphql", "schema"), f"{file!r} is not UTF-8 text")
            return None
        schema, problems = load_schema(text)
        shown = str(Path(builder.document.display_name).parent / file)
        for problem in problems:
            builder.errors.append(
                SpecError(shown, problem.line, problem.column, "", problem.message, "fix the SDL schema")
            )
        return schema
    if isinstance(inline, str):
        schema, problems = load_schema(inline)
        for problem in problems:
            where = builder.document.template_line(("graphql", "sdl"), problem.line)
            builder.error_at(where, ("graphql", "sdl"), f"line {problem.line} of the SDL: {problem.message}")
        return schema
    return None


def _bindings(builder: Builder, schema: GraphQLSchema, raw: Any, resources: tuple[Resource, ...]) -> dict[str, str]:
    if not isinstance(raw, dict):
        return {}
    objects = sorted(name for name, kind in schema.type_map.items() if _is_object(kind))
    names = sorted(resource.name for resource in resources)
    bindings: dict[str, str] = {}
    for type_name, spec in raw.items():
        where: DocPath = ("graphql", "types", type_name)
        if type_name not in objects:
            builder.error(where, f"the schema has no object type {type_name!r}", did_you_mean(type_name, objects))
            continue
        resource = spec.get("resource") if isinstance(spec, dict) else None
        if not isinstance(resource, str):
            continue
        if resource not in names:
            found = did_you_mean(resource, names) or "declare it under `resources`"
            builder.error((*where, "resource"), f"the service has no resource {resource!r}", found)
            continue
        bindings[type_name] = resource
    return bindings


def _rules(builder: Builder, schema: GraphQLSchema, raw: Any) -> dict[str, FieldRule]:
    if not isinstance(raw, dict):
        return {}
    rules: dict[str, FieldRule] = {}
    for key, spec in raw.items():
        where: DocPath = ("graphql", "fields", key)
        type_name, _, field_name = str(key).partition(".")
        kind = schema.type_map.get(type_name)
        if not _is_object(kind):
            objects = sorted(name for name, found in schema.type_map.items() if _is_object(found))
            builder.error(where, f"the schema has no object type {type_name!r}", did_you_mean(type_name, objects))
            continue
        assert isinstance(kind, GraphQLObjectType)
        if field_name not in kind.fields:
            fields = sorted(kind.fields)
            builder.error(where, f"{type_name} has no field {field_name!r}", did_you_mean(field_name, fields))
            continue
        if not isinstance(spec, dict):
            continue
        if "error" in spec:
            rules[key] = FieldRule(error=str(spec["error"]))
        elif "value" in spec:
            value = compile_value(spec["value"], (*where, "value"), _checker(builder), _syntax(builder))
            if isinstance(value, ConstantValue):
                rules[key] = FieldRule(value=value.value, has_value=True)
            else:
                rules[key] = FieldRule(template=value)
    return rules


def _checker(builder: Builder) -> TemplateSink:
    def check(path: DocPath, template: CompiledTemplate) -> None:
        for problem in template_problems(template, builder.faker_names, extra_names=TEMPLATE_NAMES):
            where = builder.document.template_line(path, problem.line)
            builder.error_at(where, path, problem.message, problem.suggestion)

    return check


def _syntax(builder: Builder) -> SyntaxErrorSink:
    def syntax(path: DocPath, exc: TemplateSyntaxError) -> None:
        where = builder.document.template_line(path, exc.lineno or 1)
        builder.error_at(where, path, f"template syntax error: {exc.message}")

    return syntax


def _is_object(kind: Any) -> bool:
    return isinstance(kind, GraphQLObjectType) and not kind.name.startswith("__")
