"""``MockServer``: serve specs from a background thread, on ephemeral ports, for tests and scripts."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from starlette.middleware import Middleware

from mockery.answers.handler import FakerPool, Handler
from mockery.app.application import MockApp
from mockery.app.listener import AppConfig
from mockery.callbacks.journal import Delivery
from mockery.errors import ArgumentError, ServeError
from mockery.http.journal import DEFAULT_JOURNAL_SIZE, Call, Journal
from mockery.http.scenarios import Scenario
from mockery.model.services import SpecSet
from mockery.runtime.changes import Frame
from mockery.server.connections import ConnectionLimits
from mockery.server.options import ServerOptions, build_server
from mockery.source.inline import InlineSpec
from mockery.store import DEFAULT_STORE_URL, Store
from mockery.templates.fakes import Clock
from mockery.testing import verify
from mockery.testing.handlers import Stub, route_mapping, stub_answer
from mockery.testing.patterns import CallPattern
from mockery.testing.transport import HttpxTransport, Router
from mockery.testing.verify import CallList, check_service

START_TIMEOUT_SECONDS = 10.0

with contextlib.suppress(ImportError):  # requests is the user's choice: requests_adapter() says how to get it
    from mockery.testing.requests_adapter import RequestsAdapter

T = TypeVar("T")


class MockServer:
    """Real uvicorn listeners for a set of specs, in a background thread, every one on a free port.

    Use it as a context manager: the server starts on entry and stops, finishing requests in flight, on exit.
    An exception that stops the server thread is raised again in the caller.
    """

    def __init__(
        self,
        *paths: str | Path,
        specs: SpecSet | str | Path | Iterable[str | Path] = (),
        inline: InlineSpec | Iterable[InlineSpec] = (),
        seed: int = 0,
        clock: Clock | None = None,
        config: AppConfig | None = None,
        environ: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
        journal_size: int = DEFAULT_JOURNAL_SIZE,
        store: Store | str | None = None,
        profile: str | None = None,
        limits: ConnectionLimits | None = None,
        tls: str | None = None,
        tls_cert: str | Path | None = None,
        tls_key: str | Path | None = None,
        tls_port: int | None = None,
        tls_client_ca: str | Path | None = None,
        tls_client_cert: str = "required",
        tls_dir: str | Path | None = None,
        tls_names: Iterable[str] = (),
        middleware: Sequence[Middleware] = (),
    ) -> None:
        """``paths`` (or ``specs``) are spec files or folders; ``inline`` are specs written in code: a mapping, or
        YAML text, or a list of them. All are loaded together. ``specs`` may also be a ``SpecSet`` loaded already.

        ``store`` holds what clients change: a ``Store``, or a URL such as ``memory://`` (the default).
        ``profile`` names the behaviour profile to start with (see the ``profile`` property).
        ``config`` holds the request limits (``AppConfig(max_body=..., body_timeout=...)``), ``limits`` those of
        connections (``ConnectionLimits(header_timeout=..., max_connections=...)``), as ``mockery serve`` has them.

        HTTPS, as ``mockery serve`` has it: ``tls="auto"`` (a certificate of the local development CA kept in
        ``tls_dir``, default ``$MOCKERY_TLS_DIR`` or the user's data folder) or ``tls_cert`` and ``tls_key``;
        ``tls_port`` (any value: every port is free) keeps ``url`` plain HTTP and adds an HTTPS twin at
        ``tls_url``; ``tls_client_ca`` asks clients for certificates (``tls_client_cert``: ``required`` or
        ``optional``); ``tls_names`` are more host names for the ``auto`` certificate.

        ``middleware``: Starlette middleware around the app of every listener (``app`` is a Starlette
        application), e.g. ``[Middleware(GZipMiddleware)]``."""
        loaded, spec_paths = _spec_paths(paths, specs)
        config, limits = config or AppConfig(), limits or ConnectionLimits()
        options = ServerOptions(
            paths=spec_paths,
            inline=(inline,) if isinstance(inline, str | Mapping) else tuple(inline),
            environ=environ,
            host=host,
            port=0,
            ephemeral=True,
            seed=seed,
            clock=clock,
            journal_size=journal_size,
            state=store if isinstance(store, str) else DEFAULT_STORE_URL,
            store=None if isinstance(store, str) else store,
            profile=profile,
            max_body=config.max_body,
            body_timeout=config.body_timeout,
            access_log=config.access_log,
            header_timeout=limits.header_timeout,
            max_connections=limits.max_connections,
            max_head=limits.max_head,
            tls=tls,
            tls_cert=_path(tls_cert),
            tls_key=_path(tls_key),
            tls_port=tls_port,
            tls_client_ca=_path(tls_client_ca),
            tls_client_cert=tls_client_cert,
            tls_dir=_path(tls_dir),
            tls_names=",".join(tls_names) or None,
            cors=config.cors,
            middleware=tuple(middleware),
        )
        self._server = build_server(options, loaded)
        self.specs = self._server.specs
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._fakers = FakerPool()
        self._handler_errors: list[BaseException] = []

    def start(self) -> MockServer:
        self._server.bind()
        self._thread = threading.Thread(target=self._run, name="mockery-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive():
                self._thread.join()
                self._thread = None
                self._server.close()
                self._raise_error()
                raise ServeError("the server thread stopped before it started")
            if time.monotonic() > deadline:
                self.stop()
                raise ServeError(f"the server did not start within {START_TIMEOUT_SECONDS} s")
            time.sleep(0.002)
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._server.serve(handle_signals=False))
        except BaseException as exc:  # re-raised in the caller's thread
            self._error = exc
        finally:
            loop.close()

    def _in_loop(self, function: Callable[[], T]) -> T:
        """Run ``function`` on the server's loop, between requests, and return its result."""
        loop = self._loop
        if loop is None or self._thread is None:
            return function()

        async def call() -> T:
            return function()

        return asyncio.run_coroutine_threadsafe(call(), loop).result(timeout=START_TIMEOUT_SECONDS)

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def stop(self) -> None:
        """Stop every listener; re-raise an exception that stopped the server thread."""
        if self._thread is not None:
            self._server.stop()
            self._thread.join(timeout=START_TIMEOUT_SECONDS)
            self._thread = None
        self._raise_error()

    def __enter__(self) -> MockServer:
        return self.start()

    async def __aenter__(self) -> MockServer:
        """``async with MockServer(...) as mock``: started from a worker thread, the caller's loop keeps running."""
        import anyio.to_thread

        return await anyio.to_thread.run_sync(self.start)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        import anyio.to_thread

        await anyio.to_thread.run_sync(self.stop)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL of the shared listener, e.g. ``http://127.0.0.1:54321``."""
        return self._server.url

    @property
    def tls_url(self) -> str | None:
        """Base URL of the shared listener's HTTPS side (``url`` itself, or its twin with ``tls_port``);
        ``None`` without TLS."""
        return self._server.tls_url

    def url_for(self, service: str) -> str:
        """Base URL of one service: its own listener (if it has a port) and its base path."""
        return self._server.url_for(service)

    @property
    def app(self) -> MockApp:
        """The app of the shared listener: a Starlette application (``mockery.create_app`` builds the same
        without a server). For an in-process client prefer ``httpx_transport()``: it runs the app on the
        server's own loop, where every other request is answered."""
        return self._server.app

    def httpx_transport(self, hosts: Mapping[str, str] | None = None) -> HttpxTransport:
        """A transport for ``httpx.Client(transport=...)`` and ``httpx.AsyncClient(transport=...)`` that answers
        from this server without sockets, with the same journal, verification and strictness. ``hosts`` maps
        host names (``"api.stripe.com"``, or ``"host:port"``) to services: a request for one reaches the
        listener of its service; the server's own URLs reach their listeners; without ``hosts``, every request
        reaches the shared listener. The server must be running."""
        return HttpxTransport(self._router(hosts))

    def requests_adapter(self, hosts: Mapping[str, str] | None = None) -> RequestsAdapter:
        """A ``requests`` transport adapter answering from this server without sockets (needs ``requests``):
        ``session.mount("https://", mock.requests_adapter({"api.stripe.com": "payments"}))``. ``hosts`` as for
        ``httpx_transport``."""
        from mockery.testing.requests_adapter import RequestsAdapter

        return RequestsAdapter(self._router(hosts))

    def _router(self, hosts: Mapping[str, str] | None) -> Router:
        if self._thread is None:
            raise ServeError("start the MockServer (start() or `with`) before asking for an in-process transport")
        return Router(self._server, lambda: self._loop, hosts)

    def reset(self) -> None:
        """Put generated data, call counters, stubs and the journal back to where they were at start (and
        forget the errors of handlers)."""

        self._in_loop(self._server.reset)
        self._handler_errors.clear()

    def stub(
        self,
        service: str,
        route: Mapping[str, Any] | str,
        *,
        handler: Handler | None = None,
        times: int | None = None,
    ) -> Stub:
        """Add a route to ``service`` now; it answers before the spec's own routes until ``reset()`` or
        ``remove_stub``. Returns its handle.

        ``route`` is a route as written in a spec (a mapping, or YAML text) and is validated exactly like one:
        mistakes raise ``SpecErrors`` naming the field, e.g. ``route.response.status``. ``handler`` answers
        instead of the route's ``response``: ``handler(request)`` or ``handler(request, context)``, sync (run in
        a worker thread) or async (see ``mockery.answers.handler``). ``times=N`` answers N times, then the stub
        is removed and requests fall through to the route that matches next.
        """
        answer = stub_answer(
            handler, times, fakers=self._fakers, report=self._handler_errors.append, remove=self._server.remove_route
        )
        added = self._in_loop(lambda: self._server.add_route(service, route, answer=answer))
        return Stub(added.id, added.service, added.route, handler)

    def route(
        self,
        method: str | list[str] | tuple[str, ...],
        path: str,
        *,
        service: str | None = None,
        times: int | None = None,
        **route: Any,
    ) -> Callable[[Handler], Stub]:
        """A decorator that stubs ``method path`` with the decorated function as its handler::

            @mock.route("GET", "/users/{id:int}", service="users")
            def user(request, context):
                return {"id": request.path_params["id"], "name": context.faker.name()}

        ``service`` may be left out when the server has one service; ``route`` holds any other key of a route
        (``match``, ``priority``, ``delay``...). The decorated name becomes the ``Stub``.
        """
        names = [candidate.name for candidate in self.specs.services]
        if service is None:
            if len(names) != 1:
                raise ArgumentError(f"name the service of the route: service=... (one of {names})")
            service = names[0]
        chosen, raw = service, route_mapping(method, path, route)

        def register(handler: Handler) -> Stub:
            return self.stub(chosen, raw, handler=handler, times=times)

        return register

    def remove_stub(self, stub: Stub) -> bool:
        """Remove a stub; ``False`` when it was gone already (used up by ``times``, or ``reset()``)."""
        if not isinstance(stub, Stub):
            raise ArgumentError(f"remove_stub takes what stub() or @route returned, not {type(stub).__name__}")
        return self._in_loop(lambda: self._server.remove_route(stub.id))

    @property
    def handler_errors(self) -> list[BaseException]:
        """What handlers raised since the start or the last ``reset()`` (each was answered with a 500)."""
        return list(self._handler_errors)

    def raise_handler_errors(self) -> None:
        """Raise the first exception a handler raised (the others noted on it), if any: a test that should
        see no handler fail calls it at its end."""
        if self._handler_errors:
            first, others = self._handler_errors[0], self._handler_errors[1:]
            if others:
                first.add_note(f"and {len(others)} more: " + "; ".join(f"{type(e).__name__}: {e}" for e in others))
            self._handler_errors.clear()
            raise first

    @property
    def profile(self) -> str | None:
        """The active behaviour profile, ``None`` for the specs' own behaviours only. Settable at any time:
        ``server.profile = "flaky"``; a profile no service defines raises ``ProfileError``. Kept by ``reset()``."""
        return self._server.profile

    @profile.setter
    def profile(self, name: str | None) -> None:
        self._in_loop(lambda: self._server.use_profile(name))

    def scenario(self, name: str) -> Scenario:
        """A handle on scenario ``name``: ``.state`` reads or sets its state (``started`` at first and after
        ``reset()``)."""
        server = self._server
        return Scenario(
            name,
            lambda: self._in_loop(lambda: server.scenario_state(name)),
            lambda state: self._in_loop(lambda: server.set_scenario(name, state)),
        )

    @property
    def journal(self) -> Journal:
        """Every request received (the last ``journal_size``), and how it was answered."""
        return self._server.journal

    @property
    def calls(self) -> CallList:
        """The journal's calls, oldest first: a list (``mock.calls[-1].body``, ``mock.calls.last``), and callable
        to filter it with the arguments of ``assert_called``: ``mock.calls("POST", "/orders", json={...})``."""
        return CallList(self.journal.calls())

    def _pattern(self, method: str | None, path: str | None, caller: str, **conditions: Any) -> CallPattern:
        pattern = CallPattern(method, path, caller=caller, **conditions)
        check_service(pattern, (service.name for service in self.specs.services))
        return pattern

    def assert_called(
        self,
        method: str | None,
        path: str | None,
        *,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        json: Any = None,
        body: Mapping[str, Any] | str | None = None,
        times: int | None = None,
        at_least: int | None = None,
        at_most: int | None = None,
        service: str | None = None,
    ) -> CallList:
        """Fail unless ``method path`` was received with these conditions at least once (or exactly ``times``
        times, or ``at_least``/``at_most`` times); return the calls that matched.

        The conditions are those of a route's ``match:`` (see ``CallPattern``): ``path`` may be a route pattern
        (``/orders/{id}``) or carry a query (``/orders?status=paid``); ``query``, ``headers``, ``cookies`` and
        ``body`` (``json``, ``json_path``, ``schema``, ``text``, ``form``) take values or operators such as
        ``{"matches": "^Bearer "}``; ``json`` is a subset of the JSON body. A failure lists the closest calls,
        each with the first field where it differs."""
        __tracebackhide__ = True
        conditions = {"query": query, "headers": headers, "cookies": cookies, "json": json, "body": body}
        pattern = self._pattern(method, path, "assert_called", service=service, **conditions)
        calls, capacity = self.calls, self.journal.size
        return verify.assert_called(
            calls, pattern, exactly=times, at_least=at_least, at_most=at_most, capacity=capacity
        )

    def assert_not_called(
        self,
        method: str | None,
        path: str | None,
        *,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        json: Any = None,
        body: Mapping[str, Any] | str | None = None,
        service: str | None = None,
    ) -> None:
        """Fail if a call matching ``method path`` and the conditions (as ``assert_called`` takes them) was
        received, listing those calls."""
        __tracebackhide__ = True
        conditions = {"query": query, "headers": headers, "cookies": cookies, "json": json, "body": body}
        pattern = self._pattern(method, path, "assert_not_called", service=service, **conditions)
        verify.assert_not_called(self.calls, pattern)

    def assert_called_in_order(self, expected: Iterable[CallPattern | tuple[Any, ...] | str]) -> CallList:
        """Fail unless calls matching each item were received in this order (others may come between them);
        return them. An item is ``"POST /carts"``, ``("POST", "/carts")``, ``("POST", "/orders", {"json":
        {...}})`` (the keyword arguments of ``assert_called``) or a ``CallPattern``."""
        __tracebackhide__ = True
        if isinstance(expected, str | CallPattern):
            raise ArgumentError("assert_called_in_order takes a list of calls to expect, e.g. ['POST /carts', ...]")
        patterns = [CallPattern.of(item, "assert_called_in_order") for item in expected]
        for pattern in patterns:
            check_service(pattern, (service.name for service in self.specs.services))
        return verify.assert_in_order(self.calls, patterns)

    def assert_no_unmatched(self) -> None:
        """Fail if a request matched no route (mockery answered it with a 404 or 405), listing them."""
        __tracebackhide__ = True
        verify.assert_no_unmatched(self.calls)

    def unmatched(self) -> list[Call]:
        """Requests no route answered."""
        return [call for call in self.calls if not call.matched]

    def websocket_frames(self, service: str | None = None, route: str | None = None) -> list[Frame]:
        """The WebSocket frames journaled, oldest first (the last 1,000): each connection's ``open``, the
        messages ``in`` and ``out`` (``data``), and its ``close`` (``code``); of one service or route if named."""
        server = self._server
        return self._in_loop(lambda: server.websocket_frames(service, route))

    def broadcast(self, service: str, route: str, message: Any) -> int:
        """Send ``message`` (text, or data sent as JSON) to every open connection of the WebSocket route
        ``route`` (its name or path) of ``service``; returns how many connections it reached."""
        server = self._server
        sent = self._in_loop(lambda: server.broadcast(service, route, message))
        if sent is None:
            known = server.websocket_routes(service)
            raise ArgumentError(f"{service} has no WebSocket route {route!r}; its WebSocket routes: {known}")
        return sent[1]

    @property
    def callbacks(self) -> list[Delivery]:
        """Callback and webhook deliveries, oldest first, pending ones included (``Delivery``: ``url``,
        ``headers``, ``body``, ``json``, ``state``, ``status``, ``attempts``)."""
        return self._server.deliveries()

    def trigger_webhook(self, name: str, url: str | None = None, service: str | None = None) -> list[Delivery]:
        """Send the OpenAPI 3.1 webhook ``name`` now, to ``url`` or its ``x-mockery-webhook-url``; returns its
        deliveries (pending: ``wait_for_callbacks`` waits for them). ``WebhookError`` names the webhooks there are
        when none is called ``name``."""
        server = self._server
        return self._in_loop(lambda: server.trigger_webhook(name, url, service))

    def wait_for_callbacks(self, n: int = 1, timeout: float = 5.0) -> list[Delivery]:
        """Block until at least ``n`` deliveries have finished (delivered, failed, refused or cancelled) and return
        the finished ones, oldest first; ``TimeoutError`` naming what there is after ``timeout`` seconds."""
        return self._server.wait_for_deliveries(n, timeout)

    def assert_delivered(
        self,
        url: str | None = None,
        *,
        method: str | None = None,
        json: Any = None,
        times: int | None = None,
        timeout: float = 5.0,
    ) -> list[Delivery]:
        """Fail unless a callback to ``url`` (any, if ``None``) with ``method`` and a JSON body holding ``json``
        (a subset) was delivered (a 2xx answer), or exactly ``times`` were, waiting up to ``timeout`` seconds for
        deliveries still pending; return them. A failure lists the deliveries there were."""
        __tracebackhide__ = True

        def matching() -> list[Delivery]:
            return [
                delivery
                for delivery in self.callbacks
                if delivery.state == "delivered"
                and (url is None or delivery.url == url)
                and (method is None or delivery.method == method.upper())
                and (json is None or _holds(delivery, json))
            ]

        deadline = time.monotonic() + timeout
        while True:
            found = matching()
            pending = any(delivery.state == "pending" for delivery in self.callbacks)
            enough = len(found) == times if times is not None else bool(found)
            if (enough and not pending) or time.monotonic() >= deadline:
                break
            with contextlib.suppress(TimeoutError):
                finished = sum(1 for delivery in self.callbacks if delivery.state != "pending")
                self._server.wait_for_deliveries(finished + 1, max(0.0, deadline - time.monotonic()))
        expected = f"exactly {times}" if times is not None else "at least 1"
        if (times is not None and len(found) != times) or (times is None and not found):
            listed = "; ".join(
                f"{d.method} {d.url} {d.state} (status {d.status}, {len(d.attempts)} attempts) {d.error}".rstrip()
                for d in self.callbacks[-5:]
            )
            raise AssertionError(
                f"expected {expected} delivered callback(s) to {url or 'any URL'}, found {len(found)}; "
                f"deliveries: {listed or 'none'}"
            )
        return found

    def __repr__(self) -> str:
        return f"MockServer({self._server!r})"


def _holds(delivery: Delivery, expected: Any) -> bool:
    try:
        body = delivery.json
    except ValueError:
        return False
    return _subset(expected, body)


def _subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and _subset(value, actual[key]) for key, value in expected.items()
        )
    return bool(expected == actual)


def _spec_paths(
    paths: tuple[str | Path, ...], specs: SpecSet | str | Path | Iterable[str | Path]
) -> tuple[SpecSet | None, tuple[Path, ...]]:
    """A spec set loaded already, or none; and the paths to load."""
    for path in paths:
        if not isinstance(path, str | Path) or (isinstance(path, str) and "\n" in path):
            raise TypeError(
                f"MockServer takes spec paths positionally, not {type(path).__name__} {str(path)[:40]!r}: "
                "pass specs written in code as inline=..."
            )
    if isinstance(specs, SpecSet):
        return specs, ()
    named = (specs,) if isinstance(specs, str | Path) else tuple(specs)
    return None, tuple(Path(path) for path in (*paths, *named))


def _path(value: str | Path | None) -> Path | None:
    return Path(value) if value is not None else None
