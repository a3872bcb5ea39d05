"""The answer kind of a GraphQL endpoint: the query answered from the schema (``mockery.graphql``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from mockery.graphql.execute import Parsed, check, read
from mockery.graphql.graphiql import ASSETS, INSTALL
from mockery.graphql.kept import KeptQueries
from mockery.graphql.service import GraphQLService
from mockery.graphql.state import BoundStore
from mockery.graphql.transport import GraphQLRequest, encode_response, read_request
from mockery.http.answer import Answer, problem
from mockery.model.services import ResponseSpec
from mockery.runtime.context import Context
from mockery.templates.environment import TemplateVariables
from mockery.templates.fakes import use_clock


@dataclass(frozen=True, slots=True)
class GraphQLAnswer:
    """The answer kind of a GraphQL endpoint: read, validate and execute the request's query. A big query is
    validated in a worker thread (``mockery.graphql.execute``): the answer is then awaited. A valid query is
    kept parsed (``mockery.graphql.kept``): asked again, as clients do, it goes straight to execution."""

    kind: ClassVar[str] = "graphql"
    prepares: ClassVar[bool] = False
    static: ClassVar[Answer | None] = None
    shown: ClassVar[tuple[ResponseSpec, ...]] = ()
    service: GraphQLService
    graphiql: str = ""  # the path of GraphiQL, where a browser asking for the endpoint is sent
    _valid: KeptQueries = field(init=False, repr=False, compare=False, default_factory=KeptQueries)

    async def prepare(self, resources: Any, query_string: str, path_params: dict[str, Any]) -> None:
        return None

    def respond(self, ctx: Context) -> Answer | Awaitable[Answer]:
        raw = ctx.raw
        if (
            self.graphiql
            and raw.method == "GET"
            and not raw.query_string
            and "text/html" in raw.headers.get("accept", "")
        ):
            return Answer(303, ((b"location", self.graphiql.encode("latin-1", errors="replace")),))
        request = read_request(raw)
        if isinstance(request, Answer):
            return request
        known = self._valid.get(request.query)
        if known is not None:
            return self._execute(ctx, request, known)
        parsed = read(request.query)
        if not isinstance(parsed, Parsed):
            return self._refused(ctx, parsed)
        if parsed.heavy:
            return self._validated_off_loop(ctx, request, parsed)
        refusal = check(self.service.schema, parsed.document)
        return self._refused(ctx, refusal) if refusal is not None else self._valid_now(ctx, request, parsed)

    async def _validated_off_loop(self, ctx: Context, request: GraphQLRequest, parsed: Parsed) -> Answer:
        refusal = await asyncio.to_thread(check, self.service.schema, parsed.document)
        return self._refused(ctx, refusal) if refusal is not None else self._valid_now(ctx, request, parsed)

    def _valid_now(self, ctx: Context, request: GraphQLRequest, parsed: Parsed) -> Answer:
        """Execute a query that has just passed validation, and keep it for the next time it is asked."""
        self._valid.keep(request.query, parsed)
        return self._execute(ctx, request, parsed)

    def _execute(self, ctx: Context, request: GraphQLRequest, parsed: Parsed) -> Answer:
        use_clock(ctx.runtime.clock)  # Faker's relative dates follow the server's clock (pinned by default)
        bindings = self.service.bindings
        store = BoundStore(ctx.runtime.resources, ctx.service, bindings) if bindings else None
        state = ctx.state

        def render(value: Any, seed: int, args: Mapping[str, Any]) -> Any:
            state.randomness.reseed(seed)
            variables = TemplateVariables(state.randomness.globals)
            variables["args"], variables["variables"] = dict(args), dict(request.variables or {})
            return value.render(variables)

        response, operation = self.service.answer(request, parsed, state.randomness.seed, store, render)
        if operation is not None and operation not in request.allowed:
            detail = f"a {operation} is sent with POST; GET may only run a query"
            return problem(405, "Method not allowed", detail, allowed=["POST"]).with_headers((b"allow", b"POST"))
        # The access log names the operation: `query Films`, `mutation`, and the first error.
        named = " ".join(part for part in (operation or "request", request.operation_name) if part)
        ctx.note = f"graphql {named}: {response['errors'][0].get('message', '')}" if "errors" in response else named
        return encode_response(ctx.raw, response)

    def _refused(self, ctx: Context, response: dict[str, Any]) -> Answer:
        ctx.note = f"graphql request: {response['errors'][0].get('message', '')}"
        return encode_response(ctx.raw, response)


@dataclass(frozen=True, slots=True)
class GraphiQLAnswer:
    """The answer kind of GraphiQL beside a GraphQL endpoint: its page (``asset`` empty) or one of its packaged
    files; without the ``graphiql`` extra, a 501 that names the install line."""

    kind: ClassVar[str] = "graphiql"
    prepares: ClassVar[bool] = False
    shown: ClassVar[tuple[ResponseSpec, ...]] = ()
    page: bytes
    folder: Path | None
    static: Answer | None = field(init=False, repr=False, compare=False)
    _files: dict[str, bytes] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        static = None
        if self.folder is None:
            static = problem(501, "GraphiQL is not installed", f"GraphiQL is served once installed: {INSTALL}")
        object.__setattr__(self, "static", static)

    async def prepare(self, resources: Any, query_string: str, path_params: dict[str, Any]) -> None:
        return None

    def respond(self, ctx: Context) -> Answer:
        name = ctx.path_params.get("asset")
        if name is None:
            return Answer(200, ((b"content-type", b"text/html; charset=utf-8"),), self.page)
        media_type = ASSETS.get(str(name))
        if media_type is None or self.folder is None:
            return problem(404, "Not found", f"GraphiQL has no file {str(name)[:100]!r}", files=sorted(ASSETS))
        body = self._files.get(name)
        if body is None:
            body = self._files[name] = (self.folder / name).read_bytes()
        headers = ((b"content-type", media_type.encode()), (b"cache-control", b"public, max-age=86400"))
        return Answer(200, headers, body)
