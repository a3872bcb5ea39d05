"""The dashboard at ``/__mockery/ui``: one page of plain ES modules and CSS packaged in
``mockery/server/dashboard/`` (no build step, no CDN, no framework), over the admin API.

Besides the page and its files, this module adds the admin endpoints the page needs and the API lacked:

- ``GET /__mockery/requests/stream``: the journal as server-sent events, the kept calls first, then each call
  as it is recorded (answer headers and body included); a reconnecting client sends ``Last-Event-ID`` and
  misses nothing the journal still holds. A stream ends after ``STREAM_SECONDS`` (the browser reconnects at
  once), so that a dashboard left open never holds a stopping server for its grace period.
- ``GET /__mockery/requests.har``: the journal as HAR 1.2 (``mockery.server.har``).
- ``GET /__mockery/routes``: every route with its kind, conditions and ``file:line``.
- ``POST /__mockery/ui/login`` and ``/logout``: a browser gives the admin token once and keeps a session
  cookie standing for it (see ``mockery.server.admin_guard``).

Every other action of the page (scenarios, profile, reset, the fake database through each resource's REST
API) is a call of the existing API.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import importlib.resources
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from mockery.http.journal import Call
from mockery.http.paths import RESERVED_PREFIX
from mockery.http.requests import BodyTimeout, BodyTooLarge, header_map, read_body
from mockery.server.admin_guard import SESSION_COOKIE, UI_PATH, AdminGuard
from mockery.server.har import har_log
from mockery.server.route_table import conditions, shown_path
from mockery.server.verbs import ServerVerbs

Problem = Callable[..., Response]
ASSETS_PATH = f"{UI_PATH}/assets"
STREAM_PATH = f"{RESERVED_PREFIX}/requests/stream"
HAR_PATH = f"{RESERVED_PREFIX}/requests.har"
ROUTES_PATH = f"{RESERVED_PREFIX}/routes"
# A stream's lifetime (uvicorn tells an app nothing of a shutdown: a stopping server waits for open streams to
# end, so they end soon), and the silence after which a stream sends a comment (so a gone client is noticed).
STREAM_SECONDS = 2.0
KEEPALIVE_SECONDS = 1.0
# What one event carries of a body (its size says when there is more): enough to read, and a page opened on a
# full journal is not sent a gigabyte; the HAR export has the journal's whole 1 MiB.
SHOWN_BODY = 64 * 1024
LOGIN_MAX_BODY = 4096

# The packaged files, with their media types: nothing else is served.
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "views.js": "text/javascript; charset=utf-8",
    "util.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'{connect}; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _package_file(name: str) -> bytes:
    return (importlib.resources.files("mockery.server") / "dashboard" / name).read_bytes()


def call_event(number: int, call: Call) -> dict[str, Any]:
    """A journaled call as the page shows it: the request, the answer, and the journal's sequence number."""
    return {
        "id": number,
        "service": call.service,
        "method": call.method,
        "path": call.path,
        "url": call.url,
        "query": parse_qsl(call.query_string, keep_blank_values=True),
        "headers": call.headers,
        "body": call.raw_body[:SHOWN_BODY].decode("utf-8", errors="replace"),
        "body_size": len(call.raw_body),
        "route": call.route,
        "matched": call.matched,
        "status": call.status,
        "duration_ms": round(call.duration * 1000, 3),
        "time": call.time,
        "response_headers": dict(call.response_headers),
        "response_body": call.response_body[:SHOWN_BODY].decode("utf-8", errors="replace"),
        "response_size": len(call.response_body),
    }


def _sse(event: str, data: Any, number: int | None = None) -> bytes:
    head = f"id: {number}\n" if number is not None else ""
    return f"{head}event: {event}\ndata: ".encode() + orjson.dumps(data) + b"\n\n"


class DashboardEndpoints:
    """The dashboard's page and files, its login, and the journal stream, HAR and route table endpoints."""

    def __init__(self, server: ServerVerbs, guard: AdminGuard, problem: Problem) -> None:
        self.server = server
        self.guard = guard
        self.problem = problem

    def routes(self) -> list[BaseRoute]:
        return [
            Route(UI_PATH, self.page, methods=["GET"]),
            Route(f"{ASSETS_PATH}/{{name}}", self.asset, methods=["GET"]),
            Route(f"{UI_PATH}/login", self.login, methods=["POST"]),
            Route(f"{UI_PATH}/logout", self.logout, methods=["POST"]),
            Route(STREAM_PATH, self.stream, methods=["GET"]),
            Route(HAR_PATH, self.har, methods=["GET"]),
            Route(ROUTES_PATH, self.route_table, methods=["GET"]),
        ]

    def _other_origins(self, request: Request) -> list[str]:
        """The origins of mockery's other listeners, as this request reached the machine: the page browses
        the resources of services served there."""
        host = request.url.hostname or "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return sorted(
            {
                f"{request.url.scheme}://{host}:{urlsplit(url).port}"
                for url, shared, _ in self.server.served()
                if not shared
            }
        )

    async def page(self, request: Request) -> Response:
        connect = "".join(f" {origin}" for origin in self._other_origins(request))
        return Response(
            _package_file("index.html"),
            media_type="text/html; charset=utf-8",
            headers={
                "content-security-policy": POLICY.format(connect=connect),
                "x-content-type-options": "nosniff",
                "cache-control": "no-cache",
                "referrer-policy": "no-referrer",
            },
        )

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        media_type = ASSETS.get(name)
        if media_type is None:
            return self.problem(404, "No such file", f"the dashboard has no file {name!r}; files: {', '.join(ASSETS)}")
        return Response(
            _package_file(name),
            media_type=media_type,
            headers={"cache-control": "no-cache", "x-content-type-options": "nosniff"},
        )

    async def login(self, request: Request) -> Response:
        if not self.guard.token_required:
            return Response(status_code=204)
        try:
            body = await read_body(request.receive, header_map(request.scope), LOGIN_MAX_BODY, self.server.body_timeout)
            fields = dict(parse_qsl(body.decode("utf-8", errors="replace"), max_num_fields=4))
        except (BodyTooLarge, BodyTimeout, ValueError):
            response = self.problem(400, "Bad login", "send the form field token=TOKEN (at most 4 KiB)")
            response.headers["connection"] = "close"
            return response
        token = fields.get("token")
        if token is None or not self.guard.token_matches(token):
            return self.problem(401, "Wrong admin token", "the token is not the one mockery was started with")
        response = Response(status_code=204)
        response.set_cookie(
            SESSION_COOKIE,
            self.guard.session_value(),
            path=RESERVED_PREFIX,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    async def logout(self, request: Request) -> Response:
        response = Response(status_code=204)
        response.delete_cookie(SESSION_COOKIE, path=RESERVED_PREFIX, httponly=True, samesite="strict")
        return response

    async def stream(self, request: Request) -> Response:
        last = request.headers.get("last-event-id", "")
        since = int(last) + 1 if last.isdigit() else 0
        return StreamingResponse(
            self._events(since),
            media_type="text/event-stream",
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
        )

    async def _events(self, since: int) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()

        def notify() -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: the stream has ended with it
                loop.call_soon_threadsafe(wake.set)

        subscription, backlog = self.server.journal.subscribe(notify, since=since)
        with subscription:
            yield b"retry: 200\n\n"
            for number, call in backlog:
                yield _sse("call", call_event(number, call), number)
            deadline = loop.time() + STREAM_SECONDS
            reported = 0
            while (left := deadline - loop.time()) > 0:
                try:
                    await asyncio.wait_for(wake.wait(), min(left, KEEPALIVE_SECONDS))
                except TimeoutError:
                    yield b": still here\n\n"
                    continue
                wake.clear()
                for number, call in subscription.take():
                    yield _sse("call", call_event(number, call), number)
                if subscription.dropped != reported:
                    reported = subscription.dropped
                    yield _sse("dropped", {"dropped": reported})

    async def har(self, request: Request) -> Response:
        host = request.url.hostname or "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        base_urls = {
            service.name: f"{request.url.scheme}://{host}:{urlsplit(url).port}"
            for url, _, service in self.server.served()
        }
        try:
            version = importlib.metadata.version("mockery")
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
        return Response(
            orjson.dumps(har_log(self.server.calls(), base_urls, version)),
            media_type="application/json",
            headers={"content-disposition": 'attachment; filename="mockery.har"'},
        )

    async def route_table(self, request: Request) -> Response:
        return Response(
            orjson.dumps({"routes": list(_route_rows(self.server.served()))}), media_type="application/json"
        )


def _route_rows(served: Iterable[tuple[str, bool, Any]]) -> Iterable[dict[str, Any]]:
    seen: set[tuple[str, str, int]] = set()
    for url, _, service in served:
        for route in service.routes:
            key = (service.name, route.name, route.index)
            if key in seen:  # a service on two listeners (an HTTPS twin) is one service
                continue
            seen.add(key)
            yield {
                "service": service.name,
                "listener": url,
                "methods": list(route.methods),
                "path": shown_path(route),
                "name": route.name,
                "kind": route.answer.kind,
                "conditions": conditions(route),
                "file": service.display_name,
                "line": route.position.line,
                "column": route.position.column,
                "origin": route.origin,
            }
