"""The typed, immutable model of a set of specs: what the loader builds and the app is compiled from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mockery.spec.document import Position
from mockery.values import Value

RandomMode = Literal["per_request", "per_call"]


@dataclass(frozen=True, slots=True)
class ResponseSpec:
    """What a route answers. ``static_body`` holds the encoded body when nothing in it depends on the request."""

    status: int
    headers: tuple[tuple[str, Value], ...]
    body: Value | None
    media_type: str
    static_body: bytes | None
    is_json: bool


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

    def __repr__(self) -> str:
        return f"Route({self.name!r})"


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
