"""The admin API under ``/__mockery`` on the shared listener: health, metrics, the journal, runtime routes,
scenarios, the behaviour profile and the last reload's report.

Who may call it (see ``mockery.server.admin_guard``) is decided before any route is looked at. Every handler runs
on the server's loop, between two requests, so what it changes is swapped in atomically. A handler that takes
a body reads it through ``read_admin_body``, capped at ``ADMIN_MAX_BODY``, before anything parses it.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router
from starlette.types import Message, Receive, Scope, Send

from mockery.callbacks.dispatcher import WebhookError
from mockery.errors import SpecErrors
from mockery.http.answer import PROBLEM_MEDIA, problem, store_unavailable
from mockery.http.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from mockery.http.paths import RESERVED_PREFIX
from mockery.http.requests import DEFAULT_BODY_TIMEOUT, BodyTimeout, BodyTooLarge, header_map, read_body
from mockery.http.scenarios import INITIAL_STATE
from mockery.runtime.chaos import ProfileError
from mockery.server.admin_docs import DocsEndpoints
from mockery.server.admin_guard import ADMIN_MAX_BODY, AdminGuard
from mockery.server.dashboard import DashboardEndpoints
from mockery.server.streams_admin import StreamEndpoints
from mockery.server.verbs import ServerVerbs
from mockery.store import StoreError
from mockery.suggest import did_you_mean
from mockery.templates.fakes import faker_version

PREFIX = RESERVED_PREFIX
PROBLEM_MEDIA_TYPE = PROBLEM_MEDIA.decode()
_JOURNAL_FILTERS = ("service", "method", "path", "route", "status")


def json_response(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def problem_response(status: int, title: str, detail: str, **extra: Any) -> Response:
    """An RFC 9457 problem document (``mockery.http.answer.problem``), as a Starlette response."""
    return Response(problem(status, title, detail, **extra).body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def store_unavailable_response(exc: StoreError, store: str) -> Response:
    """The 503 a listener answers when its store cannot be used: it names the store (``store`` when the error
    does not) and asks for a retry."""
    answer = store_unavailable(exc, store)
    response = Response(answer.body, status_code=answer.status, media_type=PROBLEM_MEDIA_TYPE)
    response.headers.update({name.decode(): value.decode() for name, value in answer.headers[1:]})
    return response


class AdminApi:
    """The ASGI app answering every path under ``/__mockery`` of one listener."""

    def __init__(
        self, server: ServerVerbs, *, listener_host: str, listener_port: int | None, token: str | None
    ) -> None:
        self.server = server
        self.guard = AdminGuard(listener_host, listener_port, token)
        self.router = Router(
            routes=[
                Route(f"{PREFIX}/health", self.health, methods=["GET"]),
                Route(f"{PREFIX}/ready", self.ready, methods=["GET"]),
                Route(f"{PREFIX}/metrics", self.metrics, methods=["GET"]),
                Route(f"{PREFIX}/services", self.services, methods=["GET"]),
                Route(f"{PREFIX}/reload", self.reload_report, methods=["GET"]),
                Route(f"{PREFIX}/requests", self.requests, methods=["GET", "DELETE"]),
                Route(f"{PREFIX}/reset", self.reset, methods=["POST"]),
                Route(f"{PREFIX}/callbacks", self.callbacks, methods=["GET"]),
                Route(f"{PREFIX}/webhooks/{{name}}", self.trigger_webhook, methods=["POST"]),
                Route(f"{PREFIX}/routes", self.add_route, methods=["POST"]),
                Route(f"{PREFIX}/routes/{{route_id}}", self.remove_route, methods=["DELETE"]),
                Route(f"{PREFIX}/scenarios", self.scenarios, methods=["GET"]),
                Route(f"{PREFIX}/scenarios/{{name}}", self.scenario, methods=["GET", "PUT"]),
                Route(f"{PREFIX}/profile", self.profile, methods=["GET", "PUT"]),
                *DocsEndpoints(server, problem_response).routes(),
                *StreamEndpoints(server, problem_response, read_admin_body).routes(),
                *DashboardEndpoints(server, self.guard, problem_response).routes(),
            ],
            redirect_slashes=False,
            default=self.not_found,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = self.guard.check(scope)
        if refusal is not None:
            status, title, detail, headers = refusal
            response = problem_response(status, title, detail)
            response.headers.update(headers)
            await response(scope, receive, send)
            return
        try:
            await self.router(scope, receive, send)
        except HTTPException as exc:  # inside a Starlette app, a Route raises what it would answer (a 405)
            response = problem_response(exc.status_code, HTTPStatus(exc.status_code).phrase, exc.detail)
            response.headers.update(exc.headers or {})
            await response(scope, receive, send)
        except StoreError as exc:
            # As on the listener: the store (Redis) is unreachable, not the call wrong; handlers touch the store
            # before their response starts, and a failed reset changes nothing (the store goes first).
            response = store_unavailable_response(exc, self.server.store_label())
            await response(scope, receive, send)
        except Exception as exc:  # an admin call that fails answers like every other mockery error
            response = problem_response(500, "Admin error", f"{type(exc).__name__}: {exc}")
            await response(scope, receive, send)

    async def not_found(self, scope: Scope, receive: Receive, send: Send) -> None:
        paths = sorted({route.path for route in self.router.routes if isinstance(route, Route)})
        response = problem_response(404, "No admin endpoint", f"no admin endpoint at {scope['path']}", endpoints=paths)
        await response(scope, receive, send)

    async def health(self, request: Request) -> Response:
        """Public: a failed reload shows only where it failed; its messages may quote any file a spec points to.

        ``faker`` is the Faker release generating the values: another release may generate others."""
        return json_response({**self.server.health(), "faker": faker_version()})

    async def reload_report(self, request: Request) -> Response:
        """Guarded: the last reload's report with every message, as the server's log has it."""
        return json_response(self.server.reload_report())

    async def ready(self, request: Request) -> Response:
        """Ready when the store answers: a replica whose Redis is unreachable is taken out of the rotation."""
        report = self.server.ready()
        return json_response(report, 200 if report["ready"] else 503)

    async def metrics(self, request: Request) -> Response:
        return Response(self.server.metrics_text(), media_type=METRICS_CONTENT_TYPE)

    async def services(self, request: Request) -> Response:
        return json_response(self.server.describe())

    async def requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.server.clear_calls()
            return Response(status_code=204)
        unknown = [name for name in request.query_params if name not in _JOURNAL_FILTERS]
        if unknown:
            hint = did_you_mean(unknown[0], _JOURNAL_FILTERS)
            return problem_response(
                400,
                "Unknown filter",
                f"unknown filter {unknown[0]!r}; filters: {', '.join(_JOURNAL_FILTERS)}"
                + (f"; {hint}" if hint else ""),
            )
        filters: dict[str, Any] = {
            name: value for name, value in request.query_params.items() if name in _JOURNAL_FILTERS[:4]
        }
        if "status" in request.query_params:
            try:
                filters["status"] = int(request.query_params["status"])
            except ValueError:
                value = request.query_params["status"]
                return problem_response(400, "Bad filter", f"status must be an integer such as 200, not {value!r}")
        calls = self.server.calls(**filters)
        return json_response({"count": len(calls), "requests": [call.as_dict() for call in calls]})

    async def callbacks(self, request: Request) -> Response:
        """Callback and webhook deliveries (oldest first) with their attempts; pending and dropped counts."""
        return json_response(self.server.callback_report())

    async def trigger_webhook(self, request: Request) -> Response:
        """Send an OpenAPI webhook now: body ``{"url": ..., "service": ...}``, both optional."""
        body = await read_admin_body(request, self.server.body_timeout)
        if isinstance(body, Response):
            return body
        try:
            data = orjson.loads(body) if body.strip() else {}
        except orjson.JSONDecodeError as exc:
            return problem_response(400, "Bad request body", f"the body is not JSON: {exc}")
        url, service = (data.get("url"), data.get("service")) if isinstance(data, dict) else (None, None)
        if not isinstance(data, dict) or not isinstance(url, str | None) or not isinstance(service, str | None):
            return problem_response(400, "Bad request body", 'send {"url": URL, "service": NAME}, both optional')
        try:
            deliveries = self.server.trigger_webhook(request.path_params["name"], url, service)
        except WebhookError as exc:
            return problem_response(exc.status, "Webhook not sent", str(exc))
        return json_response({"deliveries": [delivery.as_dict() for delivery in deliveries]}, 202)

    async def reset(self, request: Request) -> Response:
        self.server.reset()
        return json_response({"reset": True})

    async def add_route(self, request: Request) -> Response:
        body = await read_admin_body(request, self.server.body_timeout)
        if isinstance(body, Response):
            return body
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            return problem_response(400, "Bad request body", f"the body is not JSON: {exc}")
        if not isinstance(data, dict) or "route" not in data:
            return problem_response(
                422,
                "Invalid route",
                'send {"service": NAME, "route": ROUTE}, where ROUTE is a route as written in a spec',
                errors=[{"field": "route", "message": "a route is required"}],
            )
        names = self.server.service_names()
        service = data.get("service")
        if service is None and len(names) == 1:
            service = names[0]
        if not isinstance(service, str) or service not in names:
            hint = did_you_mean(service, names) if isinstance(service, str) else None
            detail = f"service must name a served service ({', '.join(names)}), not {service!r}"
            return problem_response(
                422,
                "Invalid route",
                detail + (f"; {hint}" if hint else ""),
                errors=[{"field": "service", "message": detail, "suggestion": hint}],
            )
        try:
            # A client's route is not a spec the user wrote: it reads nothing of the server's environment.
            added = self.server.add_route(service, data["route"], environ={})
        except SpecErrors as exc:
            errors = [
                {
                    "field": error.path,
                    "message": error.message,
                    "suggestion": error.suggestion,
                    "line": error.line,
                    "column": error.column,
                }
                for error in exc.errors
            ]
            return problem_response(422, "Invalid route", str(exc.errors[0]), errors=errors)
        except TypeError as exc:
            return problem_response(422, "Invalid route", str(exc), errors=[{"field": "route", "message": str(exc)}])
        route = added.route
        return json_response(
            {
                "id": added.id,
                "service": service,
                "name": route.name,
                "methods": list(route.methods),
                "path": route.path,
            },
            status=201,
        )

    async def remove_route(self, request: Request) -> Response:
        route_id = request.path_params["route_id"]
        if not self.server.remove_route(route_id):
            known = self.server.runtime_route_ids()
            return problem_response(
                404, "No such route", f"no runtime route with id {route_id!r}; ids: {', '.join(known) or 'none'}"
            )
        return Response(status_code=204)

    async def scenarios(self, request: Request) -> Response:
        """Every scenario the served routes use, its state now, the states the routes name, and the routes."""
        found: dict[str, dict[str, Any]] = {}
        for _, _, service in self.server.served():
            for route in service.routes:
                step = route.scenario
                if step is None:
                    continue
                entry = found.setdefault(step.name, {"name": step.name, "states": [INITIAL_STATE], "routes": []})
                for state in (step.state, step.next):
                    if state is not None and state not in entry["states"]:
                        entry["states"].append(state)
                row = {"service": service.name, "route": route.name, "state": step.state, "next": step.next}
                if row not in entry["routes"]:  # a service on two listeners (an HTTPS twin) is one service
                    entry["routes"].append(row)
        scenarios = [{**entry, "state": self.server.scenario_state(name)} for name, entry in sorted(found.items())]
        return json_response(
            {"scenarios": [{key: entry[key] for key in ("name", "state", "states", "routes")} for entry in scenarios]}
        )

    async def scenario(self, request: Request) -> Response:
        name = request.path_params["name"]
        if request.method == "PUT":
            body = await read_admin_body(request, self.server.body_timeout)
            if isinstance(body, Response):
                return body
            state = _json_field(body, "state")
            if not isinstance(state, str) or not state:
                return problem_response(
                    422,
                    "Invalid scenario state",
                    'send {"state": NAME}, e.g. {"state": "paid"}',
                    errors=[{"field": "state", "message": "a non-empty string is required"}],
                )
            self.server.set_scenario(name, state)
        return json_response({"name": name, "state": self.server.scenario_state(name)})

    async def profile(self, request: Request) -> Response:
        if request.method == "PUT":
            body = await read_admin_body(request, self.server.body_timeout)
            if isinstance(body, Response):
                return body
            profile = _json_field(body, "profile")
            if profile is not None and not isinstance(profile, str):
                return problem_response(
                    422,
                    "Invalid profile",
                    'send {"profile": NAME}, or {"profile": null} for none',
                    errors=[{"field": "profile", "message": "a profile name or null is required"}],
                )
            try:
                self.server.use_profile(profile)
            except ProfileError as exc:
                return problem_response(
                    422, "Invalid profile", str(exc), errors=[{"field": "profile", "message": str(exc)}]
                )
        return json_response({"profile": self.server.profile, "profiles": self.server.profiles})

    def __repr__(self) -> str:
        return f"AdminApi({self.guard!r})"


async def read_admin_body(request: Request, idle_timeout: float = DEFAULT_BODY_TIMEOUT) -> bytes | Response:
    """The body of an admin call, read with the admin cap before anything parses it: the bytes, or the
    problem to answer instead (413 past ``ADMIN_MAX_BODY`` bytes, 408 when the client is silent for
    ``idle_timeout`` seconds), which closes the connection when part of the body was left unread."""
    receive = _TrackedReceive(request.receive)
    try:
        return await read_body(receive, header_map(request.scope), ADMIN_MAX_BODY, idle_timeout)
    except BodyTooLarge:
        response = problem_response(
            413,
            "Request body too large",
            f"admin calls take a body of at most {ADMIN_MAX_BODY} bytes",
            limit=ADMIN_MAX_BODY,
        )
    except BodyTimeout:
        response = problem_response(
            408, "Request timeout", f"the client sent no part of its body for {idle_timeout:g} s", timeout=idle_timeout
        )
    if not receive.finished:
        response.headers["connection"] = "close"
    return response


class _TrackedReceive:
    """``receive``, noting whether the body has been read to its end (or the client has gone)."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.finished = False

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            self.finished = True
        return message


_MISSING = object()


def _json_field(body: bytes, name: str) -> Any:
    """``name`` from a JSON object body; a sentinel that no check accepts when the body is not one."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _MISSING
    return data.get(name, _MISSING) if isinstance(data, dict) else _MISSING
