"""One GraphQL request in three steps: read (size, parse, bounds), validate, execute.

Reading is capped and cheap. Validating grows faster than the query (fields that share a name are compared
in pairs), so the caller runs it in a worker thread for a query of more than ``OFF_LOOP_FIELDS`` fields; it
only reads the schema. Executing reads and writes the store and the seeded generators, so it stays on the
event loop, bounded by ``MAX_VALUES``.

What comes back is the standard response: ``{"data": ...}``, with ``"errors"`` (each with its message,
``locations`` and ``path``) when anything went wrong. Errors in the request (syntax, validation, bounds)
come without ``data``; errors raised by a field leave the rest of the answer in place (partial data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    execute,
    get_operation_ast,
    parse,
    validate,
)

from mockery.graphql.bounds import MAX_QUERY_BYTES, MAX_TOKENS, MAX_VALUES, OFF_LOOP_FIELDS, check_bounds
from mockery.graphql.objects import Generation

MAX_ERRORS = 50


@dataclass(frozen=True, slots=True)
class Parsed:
    """A query within its bounds; ``heavy`` when validating it is work for a worker thread."""

    document: DocumentNode
    heavy: bool


def read(query: str) -> Parsed | dict[str, Any]:
    """The parsed query, or the response refusing it (too long, a syntax error, past a bound)."""
    if len(query.encode()) > MAX_QUERY_BYTES:
        return errors([GraphQLError(f"the query is longer than {MAX_QUERY_BYTES} bytes")])
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError as exc:
        return errors([exc])
    problems, fields = check_bounds(document)
    if problems:
        return errors(problems)
    return Parsed(document, fields > OFF_LOOP_FIELDS)


def check(schema: GraphQLSchema, document: DocumentNode) -> dict[str, Any] | None:
    """The response refusing a query the schema does not validate, else ``None`` (reads the schema only)."""
    problems = validate(schema, document, max_errors=MAX_ERRORS)
    return errors(problems) if problems else None


def run(
    generation: Generation,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    allowed: frozenset[str] = frozenset({"query", "mutation"}),
) -> tuple[dict[str, Any], str | None]:
    """The response to a validated ``document`` and its operation's type (``None`` when none was run).
    ``allowed`` names the operation types this request may run (a GET may not mutate)."""
    operation = get_operation_ast(document, operation_name)
    if not isinstance(operation, OperationDefinitionNode):
        named = f"no operation named {operation_name!r}" if operation_name else "the operation to run must be named"
        return errors([GraphQLError(named)]), None
    kind = operation.operation.value
    if kind == "subscription":
        return errors([GraphQLError("subscriptions are not served: send a query or a mutation", operation)]), None
    if kind not in allowed:
        return errors([GraphQLError(f"a {kind} cannot be sent with this method; use POST")]), kind
    result = execute(
        generation.schema,
        document,
        root_value=generation.root(kind),
        context_value=generation,
        variable_values=dict(variables) if variables is not None else None,
        operation_name=operation_name,
        field_resolver=generation.resolve,
        type_resolver=generation.resolve_type,
    )
    assert isinstance(result, ExecutionResult)
    if generation.too_large:
        message = f"the answer would hold more than {MAX_VALUES} values; ask for fewer fields or shorter lists"
        return errors([GraphQLError(message)]), kind
    response: dict[str, Any] = {"data": result.data}
    if result.errors:
        response["errors"] = [error.formatted for error in result.errors[:MAX_ERRORS]]
    return response, kind


def errors(found: list[GraphQLError]) -> dict[str, Any]:
    """The standard response of a request refused before execution: ``errors`` and no ``data``."""
    return {"errors": [error.formatted for error in found[:MAX_ERRORS]]}
