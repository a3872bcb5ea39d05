"""One GraphQL request, start to end: parse (bounded), check the bounds, validate, execute, serialise.

What comes back is the standard response: ``{"data": ...}``, with ``"errors"`` (each with its message,
``locations`` and ``path``) when anything went wrong. Errors in the request (syntax, validation, bounds)
come without ``data``; errors raised by a field leave the rest of the answer in place (partial data).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    execute,
    get_operation_ast,
    parse,
    validate,
)

from mockery.graphql.bounds import MAX_QUERY_BYTES, MAX_TOKENS, MAX_VALUES, check_bounds
from mockery.graphql.objects import Generation

MAX_ERRORS = 50


def run(
    generation: Generation,
    query: str,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    *,
    allowed: frozenset[str] = frozenset({"query", "mutation"}),
) -> tuple[dict[str, Any], str | None]:
    """The response to ``query`` and the operation's type (``None`` when the request failed before it was
    known). ``allowed`` names the operation types this request may run (a GET may not mutate)."""
    if len(query.encode()) > MAX_QUERY_BYTES:
        return _errors([GraphQLError(f"the query is longer than {MAX_QUERY_BYTES} bytes")]), None
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError as exc:
        return _errors([exc]), None
    problems = check_bounds(document)
    if problems:
        return _errors(problems), None
    problems = validate(generation.schema, document, max_errors=MAX_ERRORS)
    if problems:
        return _errors(problems), None
    operation = get_operation_ast(document, operation_name)
    if not isinstance(operation, OperationDefinitionNode):
        named = f"no operation named {operation_name!r}" if operation_name else "the operation to run must be named"
        return _errors([GraphQLError(named)]), None
    kind = operation.operation.value
    if kind not in allowed:
        return _errors([GraphQLError(f"a {kind} cannot be sent with this method; use POST")]), kind
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
        return _errors([GraphQLError(message)]), kind
    response: dict[str, Any] = {"data": result.data}
    if result.errors:
        response["errors"] = [error.formatted for error in result.errors[:MAX_ERRORS]]
    return response, kind


def _errors(errors: list[GraphQLError]) -> dict[str, Any]:
    return {"errors": [error.formatted for error in errors[:MAX_ERRORS]]}
