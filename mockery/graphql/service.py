"""A GraphQL service compiled at load time: its schema, the spec's field rules, the types bound to resources."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from graphql import GraphQLSchema

from mockery.graphql.execute import Parsed, run
from mockery.graphql.objects import FieldRule, Generation, Store
from mockery.graphql.transport import GraphQLRequest
from mockery.openapi.operation import Fakers

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True, eq=False)
class GraphQLService:
    """What answers the GraphQL requests of one service."""

    schema: GraphQLSchema
    locale: str
    rules: Mapping[str, FieldRule] = field(default_factory=lambda: _EMPTY)
    # Object type -> resource name, and mutation field -> (object type, create|update|delete).
    bindings: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    mutations: Mapping[str, tuple[str, str]] = field(default_factory=lambda: _EMPTY)
    fakers: Fakers = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fakers", Fakers(self.locale))

    def __repr__(self) -> str:
        return f"GraphQLService({len(self.schema.type_map)} types)"

    def answer(
        self,
        request: GraphQLRequest,
        parsed: Parsed,
        seed: int,
        store: Store | None,
        render: Callable[[Any, int, Mapping[str, Any]], Any] | None = None,
    ) -> tuple[dict[str, Any], str | None]:
        """The standard response to a read and validated ``request`` and its operation type; values seeded from
        ``seed``, the spec's templates rendered by ``render``."""
        generation = Generation(self.schema, seed, self.fakers.seeded, self.rules, store, self.mutations, render)
        return run(generation, parsed.document, request.variables, request.operation_name, request.allowed)
