"""The ASGI app of one listener, compiled once from the model: match, render, send.

It sits under the listener's Starlette application (``mockery.app.application``), whose router hands it every
request. It matches with Starlette's path compiler and convertors rather than Starlette's route list: a mock
server must explain a miss (which route came closest, and why it did not match), and the request path stays a
dictionary lookup and a render, with static bodies encoded ahead of time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send

from mockery.answers.template import failure_reason
from mockery.app.headers import Additions, additions
from mockery.app.matching import MAX_COMPARED_CHARS, Match, Miss, RouteTable, TableEntry
from mockery.app.traced import describe, describe_known
from mockery.callbacks.dispatcher import Dispatcher
from mockery.http.answer import Answer, InvalidHeader, problem, send_answer, store_unavailable
from mockery.http.behaviours import NO_BEHAVIOURS, Behaviours
from mockery.http.conditions import RequestView
from mockery.http.cors import ANY, CorsPolicy, is_preflight, requested_method, without_cors
from mockery.http.journal import UNMATCHED, AnswerHeaders, Journal
from mockery.http.logs import AccessLog
from mockery.http.metrics import Metrics
from mockery.http.paths import RESERVED_PREFIX
from mockery.http.requests import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_MAX_BODY,
    FORM_MEDIA_TYPE,
    MAX_FIELDS,
    MAX_HEADERS,
    BodyTimeout,
    BodyTooLarge,
    RawRequest,
    header_map,
    read_body,
    without_body,
)
from mockery.http.scenarios import advance, state_of
from mockery.model.services import Route, Service
from mockery.proxy.forward import Proxies
from mockery.runtime.chaos import Verdict, break_connection, decide, send_paced
from mockery.runtime.context import Context
from mockery.runtime.state import Runtime, ServiceState
from mockery.store import StoreError
from mockery.templates.values import templates
from mockery.tracing.context import CURRENT, ActiveSpan, Tracer

# The journal keeps an answer's body up to this size (for tests that verify what a client got): a list of a
# hundred records fits; a bulk download is kept as b"" rather than held in memory for the journal's lifetime.
JOURNAL_BODY_LIMIT = 1024 * 1024
# The scope key of the server's own ``send``, kept by the app at the top (``mockery.app.application``) before
# any middleware wraps it: connection-level faults need the connection behind it.
SERVER_SEND = "mockery.server_send"


@dataclass(frozen=True, slots=True)
class AppConfig:
    """Settings of every listener of a server."""

    max_body: int = DEFAULT_MAX_BODY
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    access_log: AccessLog = field(default_factory=lambda: AccessLog(enabled=False))
    cors: CorsPolicy = ANY
    """The CORS policy of services whose spec sets none, and of answers no service gave (``mockery.http.cors``)."""


@dataclass(frozen=True, slots=True)
class _Known:
    """A request whose answer is known before it arrives: a literal path whose best route for the method has no
    condition, no scenario, no callback and a static answer. Only the behaviours of the active profile are
    looked at per request; everything else was decided when the table was built."""

    entry: TableEntry
    answer: Answer
    start: tuple[tuple[bytes, bytes], ...]
    """The answer's headers with its length, as sent."""


class ListenerApp:
    """Answers every request that reaches one listener, for every service on it."""

    def __init__(
        self,
        services: Iterable[Service],
        runtime: Runtime,
        config: AppConfig | None = None,
        journal: Journal | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.runtime = runtime
        self.config = config or AppConfig()
        self.journal = journal
        self.metrics = metrics
        # The admin API (mockery.server.admin) answers everything under /__mockery, which specs cannot claim.
        self.admin: ASGIApp | None = None
        self._proxies: Proxies | None = None
        # Sends the callbacks of a route after its answer left (mockery.callbacks); set by the server.
        self.callbacks: Dispatcher | None = None
        self._tracing: Tracer | None = None
        self._serve_http: Callable[[Scope, Receive, Send], Awaitable[None]] = self._http
        self.replace_services(services)

    @property
    def tracing(self) -> Tracer | None:
        """Makes each request's span when tracing is on (``mockery.tracing``); set by the server."""
        return self._tracing

    @tracing.setter
    def tracing(self, tracer: Tracer | None) -> None:
        # Chosen once here, so that a request that is not traced pays no check for it on the way in.
        self._tracing = tracer
        self._serve_http = self._http if tracer is None else self._traced

    def replace_services(self, services: Iterable[Service]) -> None:
        """Serve ``services`` from now on: the route table is rebuilt, then swapped in by one assignment."""
        services = tuple(services)
        table = RouteTable.build(services)
        # Only a route whose templates read the body gets it parsed, and so a 400 when it cannot be.
        reads_body = {entry: _reads_body(entry.route) for entry in table.entries}
        self._label = ",".join(service.name for service in services) or "-"
        # Services with a `proxy` forward what their routes miss; forwarders of unchanged proxies are kept.
        proxies = Proxies(services, self._proxies)
        # Service-wide headers and CORS policies, compiled once; an answer no service gave (a 404 on a shared
        # listener, a refused body) follows the server's default policy, or the one service's own.
        adds = {service.name: additions(service, self.config.cors) for service in services}
        unmatched = adds[services[0].name].cors if len(services) == 1 else self.config.cors
        known = _known_answers(table, adds)
        self.services, self.table, self._reads_body, self._proxies = services, table, reads_body, proxies
        self._additions, self._unmatched_cors, self._known = adds, unmatched, known

    def __repr__(self) -> str:
        return f"ListenerApp(services={[s.name for s in self.services]}, routes={len(self.table.entries)})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            by_method = self._known.get(scope["path"])
            known = by_method.get(scope["method"]) if by_method is not None else None
            if known is not None and await self._send_known(known, scope, send):
                return
            if self.admin is not None and scope["path"].startswith(RESERVED_PREFIX):
                await self.admin(scope, receive, send)
                return
            try:
                await self._serve_http(scope, receive, send)
            except StoreError as exc:
                # Raised before anything was sent (no store call follows the response's start).
                await self._store_failed(scope, send, exc)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        elif scope["type"] == "lifespan":
            await _lifespan(receive, send)

    async def _send_known(self, known: _Known, scope: Scope, send: Send) -> bool:
        """Answer a request for a known answer, journaled and counted as the general path would; ``False``
        (nothing done) when this request needs more than that: a body, an Origin, behaviours, a query or
        headers over the limits."""
        started = time.perf_counter()
        raw_headers = scope["headers"]
        if len(raw_headers) > MAX_HEADERS:
            return False
        headers = header_map(scope)
        if "origin" in headers or "transfer-encoding" in headers or headers.get("content-length", "0") != "0":
            return False
        query = scope["query_string"]
        if query and query.count(b"&") >= MAX_FIELDS:
            return False
        service, route = known.entry.service, known.entry.route
        if self.runtime.chaos.resolve(service, route):
            return False
        if self._tracing is not None:
            span = self._tracing.server_span(scope["method"], headers, lambda: service.name)
            token = CURRENT.set(span)
            try:
                await self._send_known_answer(known, scope, send, headers, started)
            except BaseException as exc:
                span.fail(exc)
                raise
            finally:
                describe_known(span, self.runtime, scope, known.entry, known.answer)
                CURRENT.reset(token)
                span.end()
        else:
            await self._send_known_answer(known, scope, send, headers, started)
        return True

    async def _send_known_answer(
        self, known: _Known, scope: Scope, send: Send, headers: dict[str, str], started: float
    ) -> None:
        service, route, answer = known.entry.service, known.entry.route, known.answer
        head = scope["method"] == "HEAD"
        self._observe(scope, headers, b"", service.name, route.name, answer, time.perf_counter() - started)
        await send({"type": "http.response.start", "status": answer.status, "headers": list(known.start)})
        await send({"type": "http.response.body", "body": b"" if head else answer.body})
        query = scope["query_string"]
        log = self.config.access_log
        if log.enabled:
            duration = time.perf_counter() - started
            log.request(
                service.name,
                scope["method"],
                scope["path"],
                answer.status,
                route.name,
                duration,
                "",
                query.decode("latin-1"),
            )

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket handshake: a ``websocket:`` route holds the conversation (``mockery.answers.websocket``);
        any other path is refused at the handshake with the problem an HTTP GET would get (a 404)."""
        path: str = scope["path"]
        headers = header_map(scope)
        query_string = scope["query_string"].decode("latin-1")
        raw = RawRequest("GET", path, query_string, headers, b"")
        view = RequestView(raw)
        if (await receive())["type"] != "websocket.connect":
            return
        found = None if path.startswith(RESERVED_PREFIX) else self.table.match("GET", path, view, self._state_of)
        converse = getattr(found.entry.route.answer, "converse", None) if isinstance(found, Match) else None
        if not isinstance(found, Match) or converse is None:
            if isinstance(found, Match):
                answer = problem(400, "Not a WebSocket", f"route {found.entry.route.name} answers HTTP, not WebSocket")
            else:
                answer, _ = self._not_found("GET", path, found, view)
            await _refuse(scope, send, answer)
            self.config.access_log.request(self._label, "WEBSOCKET", path, answer.status, UNMATCHED, 0.0, "refused")
            return
        entry, route = found.entry, found.entry.route
        chosen = route.answer.choose_subprotocol(list(scope.get("subprotocols") or ()))  # type: ignore[attr-defined]
        if chosen is False:
            offered = ", ".join(scope.get("subprotocols") or ())
            spoken = ", ".join(route.answer.subprotocols)  # type: ignore[attr-defined]
            detail = f"route {route.name} speaks {spoken}; the client offered {offered}"
            answer = problem(400, "No common subprotocol", detail, subprotocols=list(route.answer.subprotocols))  # type: ignore[attr-defined]
            await _refuse(scope, send, answer)
            self.config.access_log.request(entry.service.name, "WEBSOCKET", path, 400, route.name, 0.0, "refused")
            return
        delay, drop = 0.0, False
        behaviours = self.runtime.chaos.resolve(entry.service, route)
        if behaviours:
            seed = self.runtime.service_seed(entry.service)
            verdict = decide(behaviours, self.runtime.store, seed, entry.service.name, route.key)
            delay, drop = verdict.delay, verdict.fault is not None or verdict.limited
        ctx = Context(route, entry.service, raw, view, found.path_params, self.runtime, False)
        self.config.access_log.request(entry.service.name, "WEBSOCKET", path, 101, route.name, 0.0, "")
        await converse(ctx, receive, send, chosen or None, delay, drop)

    async def _traced(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A request inside its server span, current while it is answered: a proxied request and the callbacks
        it fires carry the span's context on."""
        assert self._tracing is not None
        method, path = scope["method"], scope["path"]
        span = self._tracing.server_span(method, header_map(scope), lambda: self._service_at(method, path))
        token = CURRENT.set(span)
        try:
            await self._http(scope, receive, send, span)
        except BaseException as exc:
            span.fail(exc)
            raise
        finally:
            CURRENT.reset(token)
            span.end()

    def _service_at(self, method: str, path: str) -> str:
        """The service a request's span is reported under when it is needed before the answer is known."""
        entry = self.table.methods_at(path, method)[1]
        if entry is not None:
            return entry.service.name
        if self._proxies and (upstream := self._proxies.for_path(path)) is not None:
            return upstream[0]
        return self.services[0].name if self.services else "mockery"

    async def _http(self, scope: Scope, receive: Receive, send: Send, span: ActiveSpan | None = None) -> None:
        started = time.perf_counter()
        method: str = scope["method"]
        path: str = scope["path"]
        headers = header_map(scope)
        service_name, route_name, note = self._label, UNMATCHED, ""
        body = b""
        behaviours: Behaviours = NO_BEHAVIOURS
        verdict: Verdict | None = None
        adds: Additions | None = None
        proxied = preflight = False
        fired: tuple[Match, RawRequest] | None = None
        found: Match | Miss | None = None
        try:
            if not without_body(scope, headers):
                body = await read_body(receive, headers, self.config.max_body, self.config.body_timeout)
        except BodyTimeout:
            answer = problem(
                408,
                "Request timeout",
                f"the client sent no part of its body for {self.config.body_timeout:g} s",
                timeout=self.config.body_timeout,
            ).with_headers((b"connection", b"close"))
        except BodyTooLarge:
            answer = problem(
                413,
                "Request body too large",
                f"the body is over the limit of {self.config.max_body} bytes",
                limit=self.config.max_body,
            )
        else:
            query_string = scope["query_string"].decode("latin-1")
            refusal = _over_limits(scope, query_string, headers, body)
            if refusal is not None:
                answer = refusal
            else:
                try:
                    raw = RawRequest(method, path, query_string, headers, body)
                    view = RequestView(raw)
                    found = self.table.match(method, path, view, self._state_of)
                    if isinstance(found, Match):
                        service_name, route_name = found.entry.service.name, found.entry.route.name
                        if (kind := found.entry.route.answer).prepares:  # big scans run off the loop
                            await kind.prepare(self.runtime.resources, query_string, found.path_params)
                        answer, note, behaviours, verdict = await self._matched(found, raw, view)
                        if found.entry.route.callbacks:
                            fired = (found, raw)
                        adds = self._additions[service_name]
                        if adds.headers is not None:
                            answer, failed = adds.headers.add_to(
                                answer, self._state(service_name), raw, found.path_params
                            )
                            note = failed or note
                    elif is_preflight(method, headers) and (auto := self._preflight(path, headers)) is not None:
                        preflight, (service_name, answer, adds) = True, auto
                        route_name, note = "(CORS preflight)", "CORS preflight"
                    elif self._proxies and (upstream := self._proxies.for_path(path)) is not None:
                        service_name, note, proxied = upstream[0], "proxied", True
                        answer = await upstream[1].forward_scope(scope, body)
                        adds = self._additions[service_name]
                        if adds.headers is not None:
                            answer, failed = adds.headers.add_to(answer, self._state(service_name), raw, {})
                            note = failed or note
                    elif found.allowed:
                        answer = problem(
                            405,
                            "Method not allowed",
                            f"{_shown(path)} is served for {', '.join(found.allowed)}, not {method}",
                            allowed=list(found.allowed),
                        ).with_headers((b"allow", ", ".join(found.allowed).encode()))
                    else:
                        answer, note = self._not_found(method, path, found, view)
                except StoreError:
                    raise  # not a defect: the store is out of reach, a 503
                except Exception as exc:  # a defect of mockery's own: the client still gets a problem document
                    _logger.exception("mockery failed to answer %s %s", method, path)
                    answer = problem(
                        500, "Internal error", f"mockery failed to answer this request: {type(exc).__name__}"
                    )
                    note, behaviours, verdict = f"internal error: {failure_reason(exc)}", NO_BEHAVIOURS, None
        cors = adds.cors if adds is not None else self._unmatched_cors
        if proxied and cors.enabled:
            answer = Answer(answer.status, without_cors(answer.headers), answer.body, answer.stream)
        origin = headers.get("origin")
        if origin is not None and not preflight:
            answer = answer.with_headers(*cors.answer_headers(origin))
        if verdict is not None and verdict.delay:
            await asyncio.sleep(verdict.delay)
        fault = verdict.fault if verdict is not None else None
        breaking = fault if fault is not None and fault.kind != "status" else None
        if breaking is not None:
            note = f"fault: {breaking.kind}"
        duration = time.perf_counter() - started
        self._observe(scope, headers, body, service_name, route_name, answer, duration)
        if breaking is not None:
            # The server's own send: a middleware's wrapper cannot reach the connection to break it.
            raw_send = scope.get(SERVER_SEND, send)
            await break_connection(raw_send, receive, breaking, answer.status, list(answer.headers), answer.body)
        elif (
            (behaviours.chunked or behaviours.throttle)
            and method != "HEAD"
            and not (verdict and verdict.limited)
            and answer.stream is None  # a stream paces itself: its events' delays
        ):
            await send_paced(send, answer.status, list(answer.headers), answer.body, behaviours)
        else:
            try:
                if answer.stream is not None and method != "HEAD":
                    await _send_stream(send, receive, answer)
                else:
                    await send_answer(send, answer, head=method == "HEAD")
            except InvalidHeader as exc:
                # uvicorn checks every header before it writes a byte: the answer can still be a problem.
                answer = problem(500, "Invalid response header", str(exc))
                if origin is not None:
                    answer = answer.with_headers(*cors.answer_headers(origin))
                note = f"invalid response header: {exc}"
                await send_answer(send, answer, head=method == "HEAD")
        if span is not None:
            args = (found, service_name, route_name, answer, note, behaviours, verdict, len(body), proxied)
            describe(span, self.runtime, scope, *args)
        if self.config.access_log.enabled:
            query = scope["query_string"].decode("latin-1")
            self.config.access_log.request(service_name, method, path, answer.status, route_name, duration, note, query)
        if fired is not None and self.callbacks is not None and answer.status < 400:
            matched, request = fired
            route = matched.entry.route
            self.callbacks.fire(
                route.callbacks, self._state(service_name), route.key, route.name, request, matched.path_params, answer
            )

    async def _matched(
        self, found: Match, raw: RawRequest, view: RequestView
    ) -> tuple[Answer, str, Behaviours, Verdict | None]:
        """The answer of a matched route, after its behaviours had their say (a rate limit, a fault)."""
        entry = found.entry
        route = entry.route
        if raw.method == "HEAD" and "HEAD" not in route.methods:
            # HEAD of a GET route renders as the GET would, so that its headers (and length) are the GET's.
            raw = RawRequest("GET", raw.path, raw.query_string, raw.headers, raw.body)
        behaviours, verdict = self.runtime.chaos.resolve(entry.service, route), None
        if behaviours:
            seed = self.runtime.service_seed(entry.service)
            verdict = decide(behaviours, self.runtime.store, seed, entry.service.name, route.key)
        if verdict is not None and verdict.limited:
            answer = problem(429, "Too many requests", f"route {route.name} is rate-limited", route=route.name)
            note = "rate limited"
        elif verdict is not None and verdict.fault is not None and verdict.fault.kind == "status":
            answer = problem(verdict.fault.status, "Injected fault", f"a fault injected on route {route.name}")
            note = "fault: status"
        else:
            answer, note = await self._respond(found, raw, view)
        if verdict is not None:
            answer = answer.with_headers(*verdict.headers)
        return answer, note, behaviours, verdict

    def _observe(
        self,
        scope: Scope,
        headers: dict[str, str],
        body: bytes,
        service: str,
        route: str,
        answer: Answer,
        duration: float,
    ) -> None:
        """Journal and metrics, before the answer leaves: a client that got it also finds it in the journal. The
        journal keeps the answer's headers and body (the same bytes object, no copy) up to ``JOURNAL_BODY_LIMIT``,
        so that a test can verify what the client got; a streamed or bigger body is kept as ``b""``."""
        if self.journal is not None:
            query_string = scope["query_string"].decode("latin-1")
            kept = answer.body if len(answer.body) <= JOURNAL_BODY_LIMIT else b""
            self.journal.record(
                (
                    service,
                    scope["method"],
                    scope["path"],
                    query_string,
                    headers,
                    body,
                    route,
                    answer.status,
                    duration,
                    time.time(),
                    AnswerHeaders(answer.headers),
                    kept,
                )
            )
        if self.metrics is not None:
            self.metrics.observe(service, route, answer.status, duration)

    async def _store_failed(self, scope: Scope, send: Send, exc: StoreError) -> None:
        """503 for a request that needs state while the store (Redis) cannot be reached; it recovers by itself."""
        method, path = scope["method"], scope["path"]
        answer = store_unavailable(exc, repr(self.runtime.store))
        if (origin := header_map(scope).get("origin")) is not None:
            answer = answer.with_headers(*self._unmatched_cors.answer_headers(origin))
        self._observe(scope, header_map(scope), b"", self._label, UNMATCHED, answer, 0.0)
        await send_answer(send, answer, head=method == "HEAD")
        self.config.access_log.request(self._label, method, path, answer.status, UNMATCHED, 0.0, "store unavailable")

    def _preflight(self, path: str, headers: dict[str, str]) -> tuple[str, Answer, Additions | None] | None:
        """The automatic answer to a CORS preflight no spec route answers: (service, answer, its additions), or
        ``None`` when the policy that applies is off or the method asked is no method name. The methods allowed
        are those of the routes of the path; on a path no route has, the method asked for, so that the page can
        read the 404 that explains."""
        asked = requested_method(headers)
        if asked is None:
            return None
        methods, entry = self.table.methods_at(path, asked)
        adds: Additions | None = None
        if entry is not None:
            service = entry.service.name
            adds = self._additions[service]
        elif self._proxies and (upstream := self._proxies.for_path(path)) is not None:
            service, adds, methods = upstream[0], self._additions[upstream[0]], frozenset((asked,))
        else:
            service, methods = self._label, frozenset((asked,))
        policy = adds.cors if adds is not None else self._unmatched_cors
        if not policy.enabled:
            return None
        origin = headers["origin"]
        allowed = policy.preflight_headers(origin, methods, headers.get("access-control-request-headers"))
        if not allowed:
            detail = f"the CORS policy of {service} does not allow the origin {_shown(origin)}"
            return service, problem(403, "Origin not allowed", detail), adds
        return service, Answer(204, allowed), adds

    def _state(self, service: str) -> ServiceState:
        return self.runtime.services[service]

    def _state_of(self, scenario: str) -> str:
        return state_of(self.runtime.store, scenario)

    async def _respond(self, found: Match, raw: RawRequest, view: RequestView) -> tuple[Answer, str]:
        entry = found.entry
        route = entry.route
        if route.scenario is not None and found.scenario_state is not None:
            advance(self.runtime.store, route.scenario, found.scenario_state)
        kind = route.answer
        if (static := kind.static) is not None:
            return static, ""
        ctx = Context(route, entry.service, raw, view, found.path_params, self.runtime, self._reads_body[entry])
        answer: Answer | Awaitable[Answer] = kind.respond(ctx)
        if not isinstance(answer, Answer):  # a kind that waits (a Python handler) answers with an awaitable
            answer = await answer
        return answer, ctx.note

    def _not_found(
        self, method: str, path: str, miss: Miss | None = None, view: RequestView | None = None
    ) -> tuple[Answer, str]:
        """The explained 404, and the log's note: the closest route's first failed reason, so a log reader sees
        why without fetching the answer."""
        closest = [
            {"service": near.service, "route": near.route, "reasons": list(near.reasons)}
            for near in self.table.explain(method, path, miss=miss, view=view, state_of=self._state_of)
        ]
        note = next((f"{near['route']}: {near['reasons'][0]}" for near in closest if near["reasons"]), "")
        return problem(404, "No route matches", f"no route matches {method} {_shown(path)}", closest=closest), note


def _known_answers(table: RouteTable, additions: dict[str, Additions]) -> dict[str, dict[str, _Known]]:
    """The requests whose answer is known before they arrive, by path and method (``_Known``). The route is found
    as ``RouteTable.match`` would find it, so that the answer is the one the general path would give."""
    known: dict[str, dict[str, _Known]] = {}
    for entry in table.entries:
        if not entry.literal or entry.route.path in known:
            continue
        path = entry.route.path
        by_method: dict[str, _Known] = {}
        methods = {method for candidate in table.candidates(path) for method in candidate.methods}
        for method in methods:
            best = next(
                (
                    candidate
                    for candidate in table.candidates(path)
                    if method in candidate.methods and (candidate.literal or candidate.regex.match(path) is not None)
                ),
                None,
            )
            if best is None or best.conditional or best.route.callbacks:
                continue
            answer = best.route.answer.static
            if answer is None or answer.stream is not None or additions[best.service.name].headers is not None:
                continue
            if not all(_sendable_value(value) for _, value in answer.headers):
                continue  # the general path turns the server's refusal into a problem document
            start = (*answer.headers, (b"content-length", str(len(answer.body)).encode()))
            by_method[method] = _Known(best, answer, start)
        if by_method:
            known[path] = by_method
    return known


def _sendable_value(value: bytes) -> bool:
    return not any((byte < 0x20 and byte != 0x09) or byte == 0x7F for byte in value)


def _reads_body(route: Route) -> bool:
    responses = route.answer.shown
    values = [value for response in responses for _, value in response.headers]
    values.extend(response.body for response in responses if response.body is not None)
    return any(
        "body" in template.request_fields or "*" in template.request_fields
        for value in values
        for template in templates(value)
    )


def _shown(path: str) -> str:
    """A path as an error detail quotes it: a client's 60 KB path makes no 60 KB answer."""
    return path if len(path) <= MAX_COMPARED_CHARS else f"{path[:MAX_COMPARED_CHARS]}... ({len(path)} chars)"


def _over_limits(scope: Scope, query_string: str, headers: dict[str, str], body: bytes) -> Answer | None:
    """A problem answer for a request with more headers or fields than any client sends: parsing those is work
    that grows with what a client chose to send, so it is refused before any of it is done."""
    if len(scope["headers"]) > MAX_HEADERS:
        return problem(431, "Too many headers", f"the request has over {MAX_HEADERS} header fields", limit=MAX_HEADERS)
    if query_string.count("&") >= MAX_FIELDS:
        return problem(400, "Too many query fields", f"the query has over {MAX_FIELDS} fields", limit=MAX_FIELDS)
    if body and body.count(b"&") >= MAX_FIELDS and headers.get("content-type", "").lower().startswith(FORM_MEDIA_TYPE):
        return problem(413, "Too many form fields", f"the form has over {MAX_FIELDS} fields", limit=MAX_FIELDS)
    return None


_logger = logging.getLogger("mockery")


async def _send_stream(send: Send, receive: Receive, answer: Answer) -> None:
    """Send a streamed answer until it ends or the client leaves: an endless event stream stops (and lets go
    of what it holds) as soon as the connection closes, rather than writing into the void."""
    sending = asyncio.ensure_future(send_answer(send, answer))
    leaving = asyncio.ensure_future(_disconnected(receive))
    try:
        await asyncio.wait([sending, leaving], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sending, leaving):
            task.cancel()
        for task in (sending, leaving):
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if sending.done() and not sending.cancelled() and (error := sending.exception()) is not None:
        raise error


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _refuse(scope: Scope, send: Send, answer: Answer) -> None:
    """Refuse a WebSocket handshake with ``answer`` as its HTTP response, or a bare 403 when the server cannot
    send one."""
    if "websocket.http.response" in scope.get("extensions", {}):
        headers = [*answer.headers, (b"content-length", str(len(answer.body)).encode())]
        await send({"type": "websocket.http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": answer.body})
    else:
        await send({"type": "websocket.close", "code": 1008})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
