"""``mockery import graphql``: a starter spec serving an SDL schema.

The spec points at the schema (copied beside it when it lies elsewhere, since a spec reads files from its
own folder only). Object types that have ``create``/``add`` mutations get a resource each, with fields
chosen from their scalar fields' names, and are bound to it: mutations then write records that queries and
REST read back. The rest is commented examples (``types``, ``fields``) to edit.
"""

from __future__ import annotations

import re  # re-ok: fixed patterns, none supplied by a client or a spec
import shutil
from pathlib import Path
from typing import Any

import yaml
from graphql import GraphQLEnumType, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, GraphQLSchema

from mockery.errors import SpecError, SpecErrors, display_path
from mockery.graphql.sdl import load_schema
from mockery.graphql.state import mutation_action
from mockery.openapi.names import faker_provider, number_range

_SCALAR_FAKERS = {"Boolean": "pybool", "String": "word"}
_COUNT = 20


def write_spec(schema_file: Path, output: Path) -> Path:
    """Write ``output/<service>.yaml`` serving ``schema_file`` and return its path; the schema's mistakes are
    ``SpecErrors`` located in it."""
    text = schema_file.read_text(encoding="utf-8")
    schema, problems = load_schema(text)
    shown = display_path(schema_file)
    if schema is None:
        raise SpecErrors(SpecError(shown, p.line, p.column, "", p.message, "fix the SDL schema") for p in problems)
    output.mkdir(parents=True, exist_ok=True)
    beside = output / schema_file.name
    if not beside.exists():
        shutil.copyfile(schema_file, beside)
    elif beside.resolve() != schema_file.resolve() and beside.read_bytes() != schema_file.read_bytes():
        message = f"{display_path(beside)} exists and holds another schema"
        raise SpecErrors([SpecError(shown, 1, 1, "", message, "import into another folder (-o)")])
    name = service_name(schema_file)
    target = output / f"{name}.yaml"
    target.write_text(spec_text(schema, name, schema_file.name, shown), encoding="utf-8")
    return target


def service_name(path: Path) -> str:
    """A valid service name from a file's name: lower-case words joined by dashes."""
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    name = stem if stem[:1].isalpha() else f"api-{stem}".rstrip("-")
    return name[:63].rstrip("-")


def spec_text(schema: GraphQLSchema, name: str, schema_name: str, source: str) -> str:
    """The starter spec's text."""
    written = _written_types(schema)
    resources = {_resource_name(type_name): _resource(schema.type_map[type_name]) for type_name in written}
    head: dict[str, Any] = {"service": name}
    if resources:
        head["resources"] = resources
    graphql: dict[str, Any] = {"schema": schema_name, "path": "/graphql"}
    if written:
        graphql["types"] = {type_name: {"resource": _resource_name(type_name)} for type_name in written}
    lines = [
        f"# Imported from {' '.join(source.splitlines())} by `mockery import graphql`: edit freely.",
        "# Values are generated from field and type names; see docs/graphql.md.",
        yaml.safe_dump(head, sort_keys=False, allow_unicode=True).rstrip(),
        yaml.safe_dump({"graphql": graphql}, sort_keys=False, allow_unicode=True).rstrip(),
    ]
    if not written:
        lines.append("  # types:  # bind object types to resources: GraphQL and REST then share records")
        lines.append("  #   Order: {resource: orders}")
    query = schema.query_type
    first = next(iter(query.fields), None) if query is not None else None
    if query is not None and first is not None:
        lines.append("  # fields:  # fixed values, or errors, for single fields")
        lines.append(f"  #   {query.name}.{first}: {{error: unavailable}}")
    return "\n".join(lines) + "\n"


def _written_types(schema: GraphQLSchema) -> list[str]:
    """Object types some mutation creates (``createOrder``, ``addOrder``), in the schema's order."""
    mutation = schema.mutation_type
    if mutation is None:
        return []
    candidates = {
        name: name
        for name, kind in schema.type_map.items()
        if isinstance(kind, GraphQLObjectType) and not name.startswith("__") and "id" in kind.fields
    }
    found: list[str] = []
    for field in mutation.fields:
        action = mutation_action(field, candidates)
        if action is not None and action[1] == "create" and action[0] not in found:
            found.append(action[0])
    return found


def _resource_name(type_name: str) -> str:
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", type_name).lower()
    return (snake if snake.endswith("s") else snake + "s")[:63]


def _resource(kind: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for field_name, field in kind.fields.items():
        inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        if field_name == "id" or field.args:
            continue
        if isinstance(inner, GraphQLEnumType):
            fields[field_name] = {"choice": sorted(inner.values)}
        elif isinstance(inner, GraphQLScalarType) and inner.name in ("Int", "Float"):
            low, high, decimals = number_range(field_name) or (1, 1000, 0 if inner.name == "Int" else 2)
            if inner.name == "Int":
                fields[field_name] = {"faker": "pyint", "min_value": int(low), "max_value": int(high)}
            else:
                fields[field_name] = {"faker": "pyfloat", "min_value": low, "max_value": high}
                fields[field_name]["right_digits"] = max(decimals, 1)
        elif isinstance(inner, GraphQLScalarType) and inner.name in _SCALAR_FAKERS:
            provider = faker_provider(field_name) if inner.name == "String" else None
            fields[field_name] = provider or {"faker": _SCALAR_FAKERS[inner.name]}
    return {"count": _COUNT, "fields": fields}
