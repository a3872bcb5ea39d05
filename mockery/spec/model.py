"""The typed, immutable model of a set of specs: what the loader builds and the app is compiled from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from mockery.answers import Answer
from mockery.behaviours import NO_BEHAVIOURS, Behaviours
from mockery.conditions import NO_CONDITIONS, Conditions
from mockery.requests import RawRequest
from mockery.resources.model import Endpoint, Resource
from mockery.response_sets import ResponseSet
from mockery.scenarios import ScenarioStep
from mockery.spec.document import Position
from mockery.values import Value

RandomMode = Literal["per_request", "per_call"]


class Handler(Protocol):
    """Answers a whole request itself, given the service's runtime state (an OpenAPI operation)."""

    def respond(self, raw: RawRequest, path_params: dict[str, Any], state: Any) -> Answer: ...


@dataclass(frozen=True, slots=True)
class ResponseSpec:
    """What a route answers. ``static_body`` holds the encoded body when nothing in it depends on the request."""

    status: int
    headers: tuple[tuple[str, Value], ...]
    body: Value | None
    media_type: str
    static_body: bytes | None
    is_json: bool
    # Built once: the content-type header, and the whole answer when nothing in it depends on the request.
    content_type: tuple[tuple[bytes, bytes], ...] = field(init=False, repr=False, compare=False)
    static_answer: Answer | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        content_type = ((b"content-type", self.media_type.encode("latin-1")),) if self.media_type else ()
        static = None
        if self.static_body is not None and not self.headers:
            static = Answer(self.status, content_type, self.static_body)
        object.__setattr__(self, "content_type", content_type)
        object.__setattr__(self, "static_answer", static)


@dataclass(frozen=True, slots=True)
class Route:
    """One route of a service. ``path`` is the full path, base path included."""

    name: str
    methods: tuple[str, ...]
    path: str
    random: RandomMode
    response: ResponseSpec
    uses_request: bool
    position: Position
    index: int
    # Set on the routes a resource serves (its CRUD endpoints): the app answers them from the collection.
    endpoint: Endpoint | None = None
    # Matching, responses and behaviours (see mockery.matching, mockery.response_sets, mockery.chaos).
    priority: int = 0
    conditions: Conditions = NO_CONDITIONS
    scenario: ScenarioStep | None = None
    responses: ResponseSet | None = None
    behaviours: Behaviours = NO_BEHAVIOURS
    # Set on the routes of an OpenAPI document (mockery.openapi): the operation answers the whole request.
    handler: Handler | None = None

    def __repr__(self) -> str:
        return f"Route({self.name!r})"


@dataclass(frozen=True, slots=True)
class Proxy:
    """The real service behind a fake: requests no route answers are forwarded to ``upstream`` (mockery.proxy)."""

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
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)

    def __repr__(self) -> str:
        return f"SpecSet({len(self.services)} services, {self.route_count} routes)"
