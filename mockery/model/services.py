"""The typed, immutable model of a set of specs: what the loader builds and the app is compiled from."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

from mockery.errors import UnknownServiceError
from mockery.http.answer import Answer
from mockery.http.behaviours import NO_BEHAVIOURS, Behaviours
from mockery.http.conditions import NO_CONDITIONS, Conditions
from mockery.http.cors import CorsPolicy
from mockery.http.response_sets import ResponseSet
from mockery.http.response_spec import ResponseSpec as ResponseSpec
from mockery.http.scenarios import ScenarioStep
from mockery.model.callbacks import Callback
from mockery.model.resources import Endpoint, Resource
from mockery.model.tls import TlsSettings
from mockery.source.document import Position
from mockery.templates.values import Value

RandomMode = Literal["per_request", "per_call"]


class AnswerKind(Protocol):
    """What a route answers with: one of a closed set of kinds, each a class with ``respond``.

    The kinds are listed in ``mockery.answers.kinds.KINDS``: a template response and a response set
    (mockery.answers.template), a resource endpoint (mockery.resources.rest), an OpenAPI operation
    (mockery.openapi.operation). ``ctx`` is the request's ``mockery.runtime.context.Context``; the model names
    no runtime type, so that it depends on none.
    """

    kind: ClassVar[str]

    @property
    def static(self) -> Answer | None:
        """The whole answer when nothing in it depends on the request: sent as it is, built at load time."""
        ...

    @property
    def shown(self) -> tuple[ResponseSpec, ...]:
        """The responses written in the spec (what docs, exports and the body check read); ``()`` if none."""
        ...

    @property
    def prepares(self) -> bool:
        """Whether ``prepare`` must be awaited before ``respond`` (work to move off the event loop)."""
        ...

    def prepare(self, resources: Any, query_string: str, path_params: dict[str, Any]) -> Awaitable[None]: ...

    def respond(self, ctx: Any) -> Answer: ...


Origin = Literal["spec", "resource", "openapi", "runtime"]
_NO_RESPONSE = ResponseSpec(200, (), None, "", None, True)


@dataclass(frozen=True, slots=True)
class Route:
    """One route of a service: what every route has (methods, path, conditions, behaviours, where it comes
    from), and ``answer``, the kind of answer it gives. ``path`` is the full path, base path included.

    ``(origin, index)`` names a route within its service: a spec's routes are ``("spec", n)`` for the n-th
    route written, a resource's endpoints ``("resource", n)``, an OpenAPI document's operations
    ``("openapi", n)``, routes added at runtime ``("runtime", n)``. Seeds and store keys derive from it."""

    name: str
    methods: tuple[str, ...]
    path: str
    random: RandomMode
    answer: AnswerKind
    uses_request: bool
    position: Position
    index: int
    origin: Origin = "spec"
    # Matching and behaviours (see mockery.app.matching, mockery.runtime.chaos).
    priority: int = 0
    conditions: Conditions = NO_CONDITIONS
    scenario: ScenarioStep | None = None
    behaviours: Behaviours = NO_BEHAVIOURS
    # Requests sent after the route answered (mockery.callbacks).
    callbacks: tuple[Callback, ...] = ()

    def __repr__(self) -> str:
        return f"Route({self.name!r})"

    @property
    def key(self) -> int | str:
        """The route's identity in seeds and store keys: its index for a spec route (so that the bytes a spec
        route generates stay what they were), ``origin:index`` for the others."""
        return self.index if self.origin == "spec" else f"{self.origin}:{self.index}"

    # Read-only views for tools that describe routes (exports, docs); the app asks ``answer`` itself.
    @property
    def response(self) -> ResponseSpec:
        """The response a tool shows for this route: the first written (of a set, the first without ``when``)."""
        shown = self.answer.shown
        return shown[0] if shown else _NO_RESPONSE

    @property
    def responses(self) -> ResponseSet | None:
        found = getattr(self.answer, "responses", None)
        return found if isinstance(found, ResponseSet) else None

    @property
    def endpoint(self) -> Endpoint | None:
        found = getattr(self.answer, "endpoint", None)
        return found if isinstance(found, Endpoint) else None

    @property
    def handler(self) -> object | None:
        """The OpenAPI operation that answers this route, if it is one."""
        return getattr(self.answer, "operation", None)


@dataclass(frozen=True, slots=True)
class Proxy:
    """The real service behind a fake: what no route answers is forwarded to ``upstream`` (mockery.proxy)."""

    upstream: str
    timeout: float = 30.0
    # Metadata and link-local upstreams are refused unless the spec says `allow_link_local: true`.
    allow_link_local: bool = False


@dataclass(frozen=True, slots=True)
class Service:
    """One fake service, built from one spec file."""

    name: str
    description: str
    port: int | None
    base_path: str
    seed: int | None
    locale: str
    routes: tuple[Route, ...]
    file: Path
    display_name: str
    position: Position = field(default=Position(1, 1))
    resources: tuple[Resource, ...] = ()
    behaviours: Behaviours = NO_BEHAVIOURS
    profiles: tuple[tuple[str, Behaviours], ...] = ()
    proxy: Proxy | None = None
    # The spec's own CORS policy (``None``: the server's default applies) and its service-wide headers.
    cors: CorsPolicy | None = None
    headers: tuple[tuple[str, Value], ...] = ()
    tls: TlsSettings | None = None
    # OpenAPI 3.1 webhooks, sent when triggered (admin API, MockServer) or after an operation naming them.
    webhooks: tuple[Callback, ...] = ()

    def __repr__(self) -> str:
        return f"Service({self.name!r}, {len(self.routes)} routes)"


@dataclass(frozen=True, slots=True)
class SpecSet:
    """Every service loaded together: what one `mockery serve` runs."""

    services: tuple[Service, ...]

    @property
    def route_count(self) -> int:
        return sum(len(service.routes) for service in self.services)

    def service(self, name: str) -> Service:
        """The service called ``name``; ``UnknownServiceError`` (a ``KeyError``) naming the others if none is."""
        for service in self.services:
            if service.name == name:
                return service
        raise UnknownServiceError(f"no service named {name!r}; services: {[s.name for s in self.services]}")

    def __repr__(self) -> str:
        return f"SpecSet({len(self.services)} services, {self.route_count} routes)"
