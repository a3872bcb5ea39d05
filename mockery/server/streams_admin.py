"""The admin endpoints of WebSocket routes: their journal of frames and a broadcast to their connections.

``GET /__mockery/websockets`` lists the open connections and the last frames (``?service=`` and ``?route=``
narrow it); ``POST /__mockery/websockets/{service}/{route}/broadcast`` sends its body to every open
connection of a route (a JSON body as it is, any other as text), the route named by its name or its path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mockery.http.paths import RESERVED_PREFIX
from mockery.model.services import Route as SpecRoute
from mockery.runtime.changes import broadcast_topic
from mockery.runtime.state import Runtime
from mockery.server.verbs import ServerVerbs
from mockery.suggest import did_you_mean

Problem = Callable[..., Response]
ReadBody = Callable[[Request], Awaitable[bytes | Response]]
WEBSOCKETS_PATH = f"{RESERVED_PREFIX}/websockets"


def websocket_routes(runtime: Runtime, service: str) -> list[SpecRoute]:
    found = [s for s in runtime.specs.services if s.name == service]
    return [route for s in found for route in s.routes if route.answer.kind == "websocket"]


def find_websocket_route(runtime: Runtime, service: str, route: str) -> SpecRoute | None:
    """The WebSocket route of ``service`` called ``route`` (its name, or its path with or without the slash)."""
    for candidate in websocket_routes(runtime, service):
        if route in (candidate.name, candidate.path, candidate.path.lstrip("/")):
            return candidate
    return None


def broadcast(runtime: Runtime, service: str, route: SpecRoute, message: Any) -> int:
    """Send ``message`` (text, or data sent as JSON) to every open connection of ``route``; how many."""
    text = message if isinstance(message, str) else orjson.dumps(message).decode()
    return runtime.hub.publish(broadcast_topic(service, route.name), "broadcast", text)


class StreamEndpoints:
    """The WebSocket endpoints of the admin API."""

    def __init__(self, server: ServerVerbs, problem: Problem, read_body: ReadBody) -> None:
        self.server = server
        self.problem = problem
        self.read_body = read_body

    def __repr__(self) -> str:
        return "StreamEndpoints()"

    def routes(self) -> list[BaseRoute]:
        return [
            Route(WEBSOCKETS_PATH, self.frames, methods=["GET"]),
            Route(f"{WEBSOCKETS_PATH}/{{service}}/{{route:path}}/broadcast", self.broadcast, methods=["POST"]),
        ]

    async def frames(self, request: Request) -> Response:
        service, route = request.query_params.get("service"), request.query_params.get("route")
        body = {
            "open": self.server.websocket_connections(service, route),
            "frames": [frame.as_json() for frame in self.server.websocket_frames(service, route)],
        }
        return Response(orjson.dumps(body), media_type="application/json")

    async def broadcast(self, request: Request) -> Response:
        service, name = request.path_params["service"], request.path_params["route"]
        services = self.server.service_names()
        if service not in services:
            return self.problem(
                404, "Unknown service", f"no service named {service!r}", suggestion=did_you_mean(service, services)
            )
        body = await self.read_body(request)
        if isinstance(body, Response):
            return body
        message: Any = body.decode("utf-8", errors="replace")
        if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
            try:
                message = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                return self.problem(400, "Bad JSON body", f"the body is not JSON: {exc}")
        sent = self.server.broadcast(service, name, message)
        if sent is None:
            known = self.server.websocket_routes(service)
            detail = f"{service} has no WebSocket route {name!r}; its WebSocket routes: {known}"
            return self.problem(404, "Unknown WebSocket route", detail, suggestion=did_you_mean(name, known))
        return Response(orjson.dumps({"route": sent[0], "delivered": sent[1]}), media_type="application/json")
