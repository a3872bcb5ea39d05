"""An SDL schema as a graphql-core ``GraphQLSchema``, and every mistake in it with its line and column."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLError, GraphQLSchema, build_ast_schema, parse, validate_schema
from graphql.validation.validate import validate_sdl

# Client-side directives (Apollo's @typePolicy, Relay's @connection) are often left in published schemas
# without their definitions; they change nothing a server answers, so a schema that uses them still serves.
_UNKNOWN_DIRECTIVE = "Unknown directive"


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """A mistake in an SDL schema: where (1-based line and column of the SDL text) and what."""

    line: int
    column: int
    message: str


def load_schema(sdl: str) -> tuple[GraphQLSchema | None, list[SchemaProblem]]:
    """The schema ``sdl`` describes, or ``None`` and every problem found (syntax first, then the type system)."""
    try:
        document = parse(sdl)
    except GraphQLError as exc:
        return None, [_problem(exc)]
    problems = [_problem(exc) for exc in validate_sdl(document) if not exc.message.startswith(_UNKNOWN_DIRECTIVE)]
    if problems:
        return None, problems
    try:
        schema = build_ast_schema(document, assume_valid_sdl=True)
    except (GraphQLError, TypeError) as exc:
        return None, [SchemaProblem(1, 1, str(exc))]
    problems = [_problem(exc) for exc in validate_schema(schema)]  # a missing Query type among them
    return (None, problems) if problems else (schema, [])


def _problem(exc: GraphQLError) -> SchemaProblem:
    location = exc.locations[0] if exc.locations else None
    return SchemaProblem(location.line if location else 1, location.column if location else 1, exc.message)
