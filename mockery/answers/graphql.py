"""The answer kind of a GraphQL endpoint: the query answered from the schema (``mockery.graphql``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from mockery.graphql.service import GraphQLService
from mockery.graphql.state import BoundStore
from mockery.graphql.transport import encode_response, read_request
from mockery.http.answer import Answer, problem
from mockery.model.services import ResponseSpec
from mockery.runtime.context import Context


@dataclass(frozen=True, slots=True)
class GraphQLAnswer:
    """The answer kind of a GraphQL endpoint: parse, validate and execute the request's query."""

    kind: ClassVar[str] = "graphql"
    prepares: ClassVar[bool] = False
    static: ClassVar[Answer | None] = None
    shown: ClassVar[tuple[ResponseSpec, ...]] = ()
    service: GraphQLService

    async def prepare(self, resources: Any, query_string: str, path_params: dict[str, Any]) -> None:
        return None

    def respond(self, ctx: Context) -> Answer:
        request = read_request(ctx.raw)
        if isinstance(request, Answer):
            return request
        store = BoundStore(ctx.runtime.resources, ctx.service, self.service.bindings) if self.service.bindings else None
        response, operation = self.service.answer(request, ctx.state.randomness.seed, store)
        if operation is not None and operation not in request.allowed:
            detail = f"a {operation} is sent with POST; GET may only run a query"
            return problem(405, "Method not allowed", detail, allowed=["POST"]).with_headers((b"allow", b"POST"))
        if "errors" in response:
            ctx.note = f"graphql {operation or 'request'}: {response['errors'][0].get('message', '')}"
        return encode_response(ctx.raw, response)
