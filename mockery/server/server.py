"""Serve a SpecSet: plan its listeners, bind them all, and run one uvicorn server per listener on one loop.

Every socket is bound before any server starts, so that a port in use is reported (naming the services
that wanted it) while nothing is serving yet. The server also owns what changes while it runs: routes
added at runtime, a reloaded spec set (swapped in between two requests), the admin API of the shared
listener, and its metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import itertools
import signal
import socket
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.middleware import Middleware

from mockery.app.application import MockApp
from mockery.app.listener import AppConfig, ListenerApp
from mockery.callbacks.dispatcher import Dispatcher, static_loops
from mockery.errors import ServeError, SpecErrors, UnknownServiceError
from mockery.http.journal import DEFAULT_JOURNAL_SIZE, Journal
from mockery.http.metrics import Metrics
from mockery.http.scenarios import set_state, state_of
from mockery.load.loader import ListenerKey, listener_key, route_conflicts
from mockery.load.runtime_routes import build_route
from mockery.model.services import AnswerKind, Route, Service, SpecSet
from mockery.model.tls import TlsSettings
from mockery.proxy.forward import refuse_proxy_loops
from mockery.runtime.changes import Frame
from mockery.runtime.state import Runtime
from mockery.server.admin import AdminApi
from mockery.server.connections import ConnectionLimits, protocol_class
from mockery.server.ports import holder_of, move_ports, moved_by
from mockery.server.reload import ReloadStatus
from mockery.server.runtime_file import announced
from mockery.server.sharing import SharedRoute, Sharing
from mockery.server.streams_admin import broadcast, find_websocket_route, websocket_routes
from mockery.server.tls import ServedTls, listener_tls_conflicts, served_tls
from mockery.server.verbs import RuntimeRoute
from mockery.store import Store, StoreError
from mockery.templates.fakes import Clock
from mockery.tracing.context import Tracer

if TYPE_CHECKING:
    from mockery.callbacks.journal import Delivery
    from mockery.http.journal import Call
    from mockery.model.resources import Resource
    from mockery.server.reload import Reloader

DEFAULT_HOST = "127.0.0.1"
# The HTTPS twin of the shared listener (``tls_port``): the same services, a key of its own.
TLS_TWIN: ListenerKey = ("shared-tls", 0)
DEFAULT_PORT = 8000
GRACEFUL_SHUTDOWN_SECONDS = 10


@dataclass(frozen=True, slots=True)
class ListenerPlan:
    """One address to listen on and the services answering there."""

    host: str
    port: int
    services: tuple[Service, ...]
    shared: bool
    key: ListenerKey = ("shared", 0)
    tls: TlsSettings | None = None


def plan_listeners(
    specs: SpecSet,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    ephemeral: bool = False,
    tls: TlsSettings | None = None,
    tls_port: int | None = None,
) -> list[ListenerPlan]:
    """The shared listener first (HTTPS with ``tls``; or HTTP, with an HTTPS twin serving the same services on
    ``tls_port`` when that is given), then one per port that services asked for, with the services' own
    ``tls``. ``ephemeral`` binds all to 0."""
    conflicts = route_conflicts(specs.services, shared_port=port)
    groups: dict[tuple[str, int], list[Service]] = {("shared", 0): []}
    for service in specs.services:
        groups.setdefault(listener_key(service, shared_port=port), []).append(service)
    for (kind, _), services in groups.items():
        conflicts.extend(listener_tls_conflicts(services, shared=kind == "shared"))
    if conflicts:
        raise SpecErrors(conflicts)
    plans = []
    for (kind, own_port), services in groups.items():
        shared = kind == "shared"
        chosen = 0 if ephemeral else (port if shared else own_port)
        own_tls = (tls if tls_port is None else None) if shared else services[0].tls if services else None
        plans.append(ListenerPlan(host, chosen, tuple(services), shared, (kind, own_port), own_tls))
        if shared and tls_port is not None:
            twin = 0 if ephemeral else tls_port
            twin_tls = tls or TlsSettings(auto=True)
            plans.append(ListenerPlan(host, twin, tuple(services), True, TLS_TWIN, twin_tls))
    return plans


def bind(plan: ListenerPlan) -> socket.socket:
    """A bound socket for ``plan``; ``ServeError`` naming the services if the address cannot be had."""
    sock: socket.socket | None = None
    try:
        family, kind, proto, _, address = socket.getaddrinfo(plan.host, plan.port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        # Listening at once: a client told "ready" is queued by the kernel until uvicorn starts accepting.
        sock.listen(2048)
    except OSError as exc:
        if sock is not None:
            sock.close()
        names = ", ".join(service.name for service in plan.services) or "the shared listener"
        reason = exc.strerror or str(exc)
        holder = holder_of(plan.port) if exc.errno == errno.EADDRINUSE and plan.port else None
        if holder is not None:
            reason += f", held by {holder}"
        raise ServeError(
            f"cannot listen on {plan.host}:{plan.port} for {names}: {reason}; {moved_by(plan.services, plan.shared)}"
        ) from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket, *, secure: bool = False) -> str:
    host, port = sock.getsockname()[:2]
    scheme = "https" if secure else "http"
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


class _Listener(uvicorn.Server):
    """A uvicorn server that leaves signals to ``Server``, which stops every listener together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass(slots=True)
class RunningListener:
    plan: ListenerPlan
    socket: socket.socket
    application: MockApp
    """What uvicorn runs: the Starlette app at the top (user middleware included)."""
    url: str
    tls: ServedTls | None = None

    @property
    def app(self) -> ListenerApp:
        """The listener's own app under the Starlette one: its route table, services and answers."""
        return self.application.listener


class Server:
    """Every listener of a SpecSet, served from one event loop.

    Methods that change what is served (``add_route``, ``remove_route``, ``reset``, ``apply_specs``) must run
    on the server's loop (or before it starts): each swaps a listener's route table in one assignment, between
    two requests.
    """

    def __init__(
        self,
        specs: SpecSet,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        seed: int = 0,
        clock: Clock | None = None,
        config: AppConfig | None = None,
        ephemeral: bool = False,
        journal_size: int = DEFAULT_JOURNAL_SIZE,
        store: Store | None = None,
        admin_token: str | None = None,
        shutdown_timeout: int = GRACEFUL_SHUTDOWN_SECONDS,
        limits: ConnectionLimits | None = None,
        reloader: Reloader | None = None,
        ports: Mapping[str, int] | None = None,
        tls: TlsSettings | None = None,
        tls_port: int | None = None,
        tls_folder: Path | None = None,
        tls_names: Iterable[str] = (),
        middleware: Sequence[Middleware] = (),
    ) -> None:
        # Services moved by --port-of or MOCKERY_PORT_<SERVICE>: kept across reloads.
        self.ports = dict(ports or {})
        specs = move_ports(specs, self.ports)
        self._specs = specs
        self.tls, self.tls_port, self.tls_folder = tls, tls_port, tls_folder
        self.tls_names = tuple(tls_names)
        self.middleware = tuple(middleware)
        self.host, self.port, self.ephemeral = host, port, ephemeral
        self.config = config or AppConfig()
        self._journal = Journal(journal_size)
        self.metrics = Metrics()
        self.reloader = reloader
        self._static_status = ReloadStatus()
        self.runtime = Runtime(specs, seed=seed, clock=clock, store=store)
        self.plans = plan_listeners(specs, host, port, ephemeral=ephemeral, tls=tls, tls_port=tls_port)
        self.shutdown_timeout = shutdown_timeout
        self.limits = limits or ConnectionLimits()
        self.listeners: list[RunningListener] = []
        self.runtime_routes: dict[str, RuntimeRoute] = {}
        self._route_ids = itertools.count(1)
        self._admin_token = admin_token or None
        self._servers: list[_Listener] = []
        self._stopping = False
        # Callbacks and webhooks sent after answers (mockery.callbacks), drained at shutdown.
        self.callbacks = Dispatcher()
        # Spans of every request when tracing is on (mockery.tracing.otel, set by build_server); flushed at stop.
        self.tracing: Tracer | None = None
        # The journal, metrics and runtime routes shared with the other workers (mockery.server.sharing).
        self.sharing: Sharing | None = None

    @property
    def specs(self) -> SpecSet:
        """The spec set served now (a reload swaps it)."""
        return self._specs

    @property
    def journal(self) -> Journal:
        """Every request received (the last ``journal_size``), and how it was answered."""
        return self._journal

    @property
    def admin_token_set(self) -> bool:
        """Whether the admin API asks for a token (the token itself is never exposed)."""
        return self._admin_token is not None

    def bind(self) -> list[RunningListener]:
        """Bind every listener, or none: a failure closes what was bound and raises ``ServeError``."""
        served = self._served_tls()
        sockets: list[socket.socket] = []
        try:
            for plan in self.plans:
                sockets.append(bind(plan))
                refuse_proxy_loops(plan.services, plan.host, url_of(sockets[-1], secure=plan.tls is not None))
        except ServeError:
            for sock in sockets:
                sock.close()
            raise
        self.listeners = []
        for plan, sock in zip(self.plans, sockets, strict=True):
            app = self._application(plan, sock.getsockname()[1])
            tls = served.get(plan.tls) if plan.tls is not None else None
            self.listeners.append(RunningListener(plan, sock, app, url_of(sock, secure=tls is not None), tls))
        self.callbacks.set_listeners(
            (listener.plan.host, listener.socket.getsockname()[1]) for listener in self.listeners
        )
        loops = static_loops(self.specs.services, self.callbacks.listeners)
        if loops:
            self.close()
            raise ServeError("; ".join(loops))
        return self.listeners

    def _application(self, plan: ListenerPlan, port: int | None, **starlette: Any) -> MockApp:
        """The app of one listener (``port`` ``None``: an app served by someone else's server, whose port the
        admin API cannot know); ``starlette`` are ``MockApp``'s options (middleware, lifespan...)."""
        listener = ListenerApp(plan.services, self.runtime, self.config, self.journal, metrics=self.metrics)
        listener.callbacks = self.callbacks
        listener.tracing = self.tracing
        if plan.shared:
            listener.admin = AdminApi(self, listener_host=plan.host, listener_port=port, token=self._admin_token)
        return MockApp(listener, **{"middleware": self.middleware, **starlette})

    def unbound_application(self, service: str | None = None, **starlette: Any) -> MockApp:
        """The app of the shared listener (or of ``service``'s), without binding a socket: for an app that
        another server runs (``mockery.create_app``). ``starlette`` are ``MockApp``'s options."""
        for plan in self.plans:
            if (service is None and plan.shared) or any(item.name == service for item in plan.services):
                return self._application(plan, None, **starlette)
        raise UnknownServiceError(f"no service named {service!r}; services: {self.service_names()}")

    def _served_tls(self) -> dict[TlsSettings, ServedTls]:
        """The files of every HTTPS listener, a certificate of the local CA issued now if one is ``auto``:
        before anything listens, so that a problem stops the server before it serves."""
        if all(plan.tls is None for plan in self.plans):
            return {}
        from mockery.server.certificates import valid_names  # cryptography: only when serving HTTPS

        names = valid_names([self.host, *(service.name for service in self.specs.services), *self.tls_names])
        return {
            plan.tls: served_tls(plan.tls, names=names, folder=self.tls_folder)
            for plan in self.plans
            if plan.tls is not None
        }

    async def serve(self, *, handle_signals: bool = True, on_ready: Callable[[], None] | None = None) -> None:
        """Serve until ``stop()`` (or SIGINT/SIGTERM when ``handle_signals``); then finish the requests in
        flight (for ``shutdown_timeout`` seconds at most) and close the store. ``on_ready`` is called once
        the sockets listen and the reloader (if any) watches."""
        if not self.listeners:
            self.bind()
        self._servers = []
        self._stopping = False
        for listener in self.listeners:
            config = uvicorn.Config(
                listener.application,
                lifespan="off",
                log_level="warning",
                access_log=False,
                proxy_headers=False,
                server_header=False,
                date_header=False,
                timeout_graceful_shutdown=self.shutdown_timeout,
                # Head deadline and size, connection cap: see mockery.server.connections (uvicorn has none of them).
                http=protocol_class(self.limits),
                **(listener.tls.uvicorn_options() if listener.tls is not None else {}),
            )
            self._servers.append(_Listener(config))
        loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self.stop)
        watcher = asyncio.ensure_future(self.reloader.watch(self.apply_specs)) if self.reloader is not None else None
        url_file = contextlib.ExitStack()
        try:
            if self.reloader is not None and watcher is not None:
                watching = asyncio.ensure_future(self.reloader.watching.wait())
                await asyncio.wait([watching, watcher], return_when=asyncio.FIRST_COMPLETED)
                watching.cancel()
                if watcher.done():
                    watcher.result()
            url_file.enter_context(announced(self.listeners[0].url))  # for `mockery health`
            if on_ready is not None:
                on_ready()
            await asyncio.gather(
                *(
                    server.serve(sockets=[listener.socket])
                    for server, listener in zip(self._servers, self.listeners, strict=True)
                )
            )
        finally:
            url_file.close()
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            if handle_signals:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
            for listener in self.listeners:
                listener.socket.close()
            await self.finish()

    async def finish(self) -> None:
        """Send the callbacks still due (for ``shutdown_timeout`` seconds at most), flush the spans, close the
        store: the end of ``serve``, and of an app another server ran (``mockery.create_app``'s lifespan)."""
        await self.callbacks.close(self.shutdown_timeout)
        if self.tracing is not None:  # the spans of the last requests (and deliveries) leave now
            await asyncio.to_thread(self.tracing.flush)
        self.runtime.store.close()

    @property
    def started(self) -> bool:
        return bool(self._servers) and all(server.started for server in self._servers)

    def stop(self) -> None:
        """Ask every listener to stop accepting, finish its requests in flight and stop. A second call
        (a second Ctrl-C) stops at once."""
        for server in self._servers:
            if self._stopping:
                server.force_exit = True
            server.should_exit = True
        self._stopping = True

    def close(self) -> None:
        """Release the bound sockets of a server that will not serve."""
        for listener in self.listeners:
            listener.socket.close()

    def sockets(self) -> list[socket.socket]:
        """The bound socket of every listener, in the order of ``listeners``."""
        return [listener.socket for listener in self.listeners]

    def use_sockets(self, sockets: list[socket.socket]) -> None:
        """Serve on ``sockets`` (bound to the same addresses, in the same order) instead, closing the sockets
        of ``sockets()``: a worker's own sockets (``mockery.server.workers``)."""
        for listener, sock in zip(self.listeners, sockets, strict=True):
            if listener.socket is not sock:
                listener.socket.close()
                listener.socket = sock

    def url_for(self, service: str) -> str:
        """The base URL of ``service``: its listener's address and its base path."""
        for listener in self.listeners:
            for candidate in listener.plan.services:
                if candidate.name == service:
                    return listener.url + candidate.base_path
        raise UnknownServiceError(f"no service named {service!r}; services: {self.service_names()}")

    # What others read: the admin API, ``MockServer`` and the CLI use these, never the attributes above.

    @property
    def url(self) -> str:
        """The base URL of the shared listener (bound first)."""
        return self.listeners[0].url

    @property
    def tls_url(self) -> str | None:
        """The base URL of the shared listener's HTTPS side (itself, or its twin on ``tls_port``); ``None``
        when it serves plain HTTP only."""
        return next((item.url for item in self.listeners if item.plan.shared and item.tls is not None), None)

    @property
    def app(self) -> MockApp:
        """The app of the shared listener: a Starlette application."""
        return self.listeners[0].application

    def app_for(self, service: str) -> MockApp:
        """The app of the listener serving ``service`` (an in-process client's way in)."""
        for listener in self.listeners:
            if any(candidate.name == service for candidate in listener.plan.services):
                return listener.application
        raise UnknownServiceError(f"no service named {service!r}; services: {self.service_names()}")

    def app_at(self, url: str) -> MockApp | None:
        """The app of the listener whose base URL is ``url`` (``http://127.0.0.1:54321``), or ``None``."""
        return next((listener.application for listener in self.listeners if listener.url == url), None)

    @property
    def body_timeout(self) -> float:
        """Seconds a client may go silent while it sends a body."""
        return self.config.body_timeout

    @property
    def reload_status(self) -> ReloadStatus:
        """The last reload's report: the reloader's own, or generation 1 for ever without one."""
        return self.reloader.status if self.reloader is not None else self._static_status

    def service_names(self) -> list[str]:
        return [service.name for service in self.specs.services]

    def served(self) -> list[tuple[str, bool, Service]]:
        """``(listener URL, shared, service)`` for every service served, runtime routes included."""
        return [
            (listener.url, listener.plan.shared, service)
            for listener in self.listeners
            for service in listener.app.services
        ]

    def health(self) -> dict[str, Any]:
        """The public health report: a failed reload shows only where it failed."""
        reload = self.reload_status.as_public_dict()
        return {
            "status": "ok",
            "services": self.service_names(),
            "routes": self.specs.route_count,
            "reload": reload,
            "last_reload_error": reload["last_error"],
        }

    def reload_report(self) -> dict[str, Any]:
        """The last reload's report with every message, as the log has it."""
        return self.reload_status.as_dict()

    def ready(self) -> dict[str, Any]:
        """``{"ready": True}`` when the store answers; else why not (``ready`` false)."""
        store = self.runtime.store
        try:
            store.get_value("mockery:ready")
        except StoreError as exc:
            return {"ready": False, "store": getattr(exc, "url", repr(store)), "reason": str(exc)}
        return {"ready": True}

    def store_label(self) -> str:
        """How an answer names the store: its ``repr``."""
        return repr(self.runtime.store)

    def metrics_text(self) -> str:
        """The metrics in Prometheus' text format."""
        journal = self.journal
        return self.metrics.render(
            journal_size=len(journal), journal_capacity=journal.size, generation=self.reload_status.generation
        )

    def calls(self, **filters: Any) -> list[Call]:
        """The journal's calls that match ``filters`` (see ``Journal.calls``)."""
        return self.journal.calls(**filters)

    def clear_calls(self) -> None:
        self.journal.clear()

    def trigger_webhook(self, name: str, url: str | None = None, service: str | None = None) -> list[Delivery]:
        """Send the OpenAPI webhook ``name`` now (on the server's loop); ``WebhookError`` if it cannot be."""
        return self.callbacks.trigger(self.specs.services, self.runtime.services, name, url, service)

    def deliveries(self) -> list[Delivery]:
        """Callback and webhook deliveries, oldest first, pending ones included (any thread)."""
        return self.callbacks.journal.deliveries()

    def wait_for_deliveries(self, count: int, timeout: float) -> list[Delivery]:
        """Block (a caller's thread, never the loop) until ``count`` deliveries have finished; ``TimeoutError``
        naming what there is after ``timeout`` seconds."""
        return self.callbacks.journal.wait_for(count, timeout)

    def callback_report(self) -> dict[str, Any]:
        """The callback deliveries journaled (oldest first), how many are pending and how many were dropped."""
        return self.callbacks.journal.report()

    def describe(self) -> dict[str, Any]:
        """Every listener and every service served, with its routes (runtime routes carry their id)."""
        runtime_ids = {id(added.route): added.id for added in self.runtime_routes.values()}
        listeners = []
        services = []
        for listener in self.listeners:
            listeners.append(
                {
                    "url": listener.url,
                    "shared": listener.plan.shared,
                    "services": [service.name for service in listener.app.services],
                }
            )
            for service in listener.app.services:
                services.append(
                    {
                        "name": service.name,
                        "description": service.description,
                        "url": listener.url + service.base_path,
                        "base_path": service.base_path,
                        "file": service.display_name,
                        "routes": [
                            {
                                "name": route.name,
                                "methods": list(route.methods),
                                "path": route.path,
                                "runtime_id": runtime_ids.get(id(route)),
                            }
                            for route in service.routes
                        ],
                        "resources": [
                            {"name": resource.name, "path": resource.path, "count": resource.count}
                            for resource in service.resources
                        ],
                    }
                )
        return {"services": services, "listeners": listeners}

    def record_schema(self, resource: Resource) -> dict[str, Any]:
        """The JSON Schema of one record of ``resource``."""
        return self.runtime.resources.validators[resource.key].schema()

    def runtime_route_ids(self) -> list[str]:
        return sorted(self.runtime_routes)

    def scenario_state(self, name: str) -> str:
        return state_of(self.runtime.store, name)

    def set_scenario(self, name: str, state: str) -> None:
        set_state(self.runtime.store, name, state)

    @property
    def profile(self) -> str | None:
        """The active behaviour profile (``None``: the specs' own behaviours only)."""
        return self.runtime.chaos.profile

    @property
    def profiles(self) -> list[str]:
        """Every profile some service defines."""
        return self.runtime.chaos.profiles

    def use_profile(self, name: str | None) -> None:
        """Serve with profile ``name`` (``None``: none); ``ProfileError`` when no service defines it."""
        self.runtime.chaos.use(name)

    def open_store(self, open_store: Callable[[], Store]) -> None:
        """Use a store of its own from now on (a worker's connection: one must not cross a fork)."""
        self.runtime.store = open_store()
        self.runtime.rebind(self.specs)

    def close_store(self) -> None:
        self.runtime.store.close()

    def share(self, sharing: Sharing) -> None:
        """Journal, count and publish runtime routes through ``sharing`` from now on, and count ``per_call``
        routes in the store (a worker of several, before it serves): the admin API, the dashboard and
        ``MockServer`` then see every worker's."""
        self.sharing = sharing
        self.runtime.share_calls()
        self._journal = sharing.journal
        self.metrics = sharing.metrics
        for listener in self.listeners:
            listener.app.journal = sharing.journal
            listener.app.metrics = sharing.metrics

    def adopt_routes(self, published: list[SharedRoute]) -> None:
        """Serve exactly the runtime routes the workers published (on the server's loop): each built as the
        worker that added it built it; one this server's specs cannot build (a reload removed its service)
        is left out."""
        routes: dict[str, RuntimeRoute] = {}
        for shared in published:
            known = self.runtime_routes.get(shared.id)
            if known is None:
                try:
                    route = build_route(
                        self.specs.service(shared.service), shared.raw, index=shared.index, environ=shared.environ
                    )
                except (KeyError, SpecErrors, TypeError):
                    continue
                known = RuntimeRoute(shared.id, shared.service, route)
            routes[shared.id] = known
        self.runtime_routes = routes
        self._publish()

    async def reload(self) -> bool:
        """Load the watched specs again and serve them if they are valid; ``False`` without a reloader."""
        if self.reloader is None:
            return False
        return await self.reloader.reload(self.apply_specs)

    # What changes while serving.

    def add_route(
        self,
        service: str,
        raw: Mapping[str, Any] | str,
        *,
        environ: Mapping[str, str] | None = None,
        answer: Callable[[Route, str], AnswerKind] | None = None,
    ) -> RuntimeRoute:
        """Add a route to ``service``, answering before the spec's own routes, until ``reset()`` or
        ``remove_route``. Validated exactly like a route of a spec: ``SpecErrors`` naming the field.
        ``environ`` fills the ``${VAR}`` of YAML text (default ``os.environ``): pass ``{}`` for a route a
        client sent, which must not read the server's environment. ``answer``, given the built route and its
        id, returns the kind it answers with instead of its own (a Python handler, a stub used N times)."""
        try:
            current = self.specs.service(service)
        except KeyError:
            raise UnknownServiceError(f"no service named {service!r}; services: {self.service_names()}") from None
        # A runtime route is ("runtime", n): its seeds and store keys never meet those of a spec route.
        used = {added.route.index for added in self.runtime_routes.values() if added.service == service}
        index = len(used)
        while index in used:
            index += 1
        route = build_route(current, raw, index=index, environ=environ)
        shared = self.sharing is not None and answer is None
        route_id = self.sharing.next_route_id() if self.sharing is not None else str(next(self._route_ids))
        if answer is not None:
            route = dataclasses.replace(route, answer=answer(route, route_id))
        added = RuntimeRoute(route_id, service, route)
        self.runtime_routes[added.id] = added
        self._publish()
        if shared and self.sharing is not None:
            self.sharing.route_added(SharedRoute(route_id, service, index, raw, environ))
        return added

    def remove_route(self, route_id: str) -> bool:
        """Remove a route added at runtime; ``False`` when there is none with that id."""
        if self.runtime_routes.pop(route_id, None) is None:
            return False
        self._publish()
        if self.sharing is not None:
            self.sharing.route_removed(route_id)
        return True

    def reset(self) -> None:
        """Back to the start: stored changes, counters, runtime routes and the journal forgotten."""
        self.runtime.reset()
        self.runtime_routes.clear()
        self._publish()
        self.journal.clear()
        self.callbacks.journal.clear()
        if self.sharing is not None:  # the store's reset removed the published routes: the others drop theirs
            self.sharing.routes_changed()

    def websocket_frames(self, service: str | None = None, route: str | None = None) -> list[Frame]:
        """The WebSocket frames journaled (the last 1,000), oldest first; of one service or route if named."""
        return self.runtime.frames.select(service, route)

    def websocket_connections(self, service: str | None = None, route: str | None = None) -> int:
        """How many WebSocket connections are open now; of one service or route if named."""
        return self.runtime.frames.connections(service, route)

    def websocket_routes(self, service: str) -> list[str]:
        """The names of the WebSocket routes of ``service``."""
        return [route.name for route in websocket_routes(self.runtime, service)]

    def broadcast(self, service: str, route: str, message: Any) -> tuple[str, int] | None:
        """Send ``message`` to every open connection of the WebSocket route ``route`` (its name or path) of
        ``service``: the route's name and how many connections it reached; ``None`` when there is no such route."""
        found = find_websocket_route(self.runtime, service, route)
        if found is None:
            return None
        return found.name, broadcast(self.runtime, service, found, message)

    def apply_specs(self, specs: SpecSet) -> None:
        """Serve ``specs`` instead of the current ones, keeping the store and the runtime routes of the
        services that remain. Raises ``ServeError`` (and changes nothing) when ``specs`` need a listener
        that is not running: that takes a restart."""
        specs = move_ports(specs, self.ports)
        new_plans = plan_listeners(
            specs, self.host, self.port, ephemeral=self.ephemeral, tls=self.tls, tls_port=self.tls_port
        )
        plans = {plan.key: plan for plan in new_plans}
        running = {listener.plan.key for listener in self.listeners} or {plan.key for plan in self.plans}
        missing = [plan for key, plan in plans.items() if key not in running and plan.services]
        if missing:
            names = ", ".join(service.name for plan in missing for service in plan.services)
            raise ServeError(f"{names} would need a listener of its own that is not running: restart mockery to apply")
        changed = [plan for plan in self.plans if plan.key in plans and plans[plan.key].tls != plan.tls]
        if changed:
            names = ", ".join(service.name for plan in changed for service in plans[plan.key].services)
            raise ServeError(f"the TLS settings of {names} changed: restart mockery to apply")
        for listener in self.listeners:
            refuse_proxy_loops(_services_of(plans, listener.plan.key), listener.plan.host, listener.url)
        self.runtime.rebind(specs)
        self._specs = specs
        kept = {service.name for service in specs.services}
        self.runtime_routes = {key: added for key, added in self.runtime_routes.items() if added.service in kept}
        self.plans = [dataclasses.replace(plan, services=_services_of(plans, plan.key)) for plan in self.plans]
        for listener in self.listeners:
            listener.plan = dataclasses.replace(listener.plan, services=_services_of(plans, listener.plan.key))
        self._publish()

    def _publish(self) -> None:
        """Swap in every listener's route table: runtime routes (newest first), then the spec's."""
        added: dict[str, list[Route]] = {}
        for runtime_route in self.runtime_routes.values():
            added.setdefault(runtime_route.service, []).insert(0, runtime_route.route)
        for listener in self.listeners:
            listener.app.replace_services(
                dataclasses.replace(service, routes=(*added[service.name], *service.routes))
                if service.name in added
                else service
                for service in listener.plan.services
            )

    def __repr__(self) -> str:
        return f"Server({[listener.url for listener in self.listeners] or 'not bound'})"


def _services_of(plans: dict[ListenerKey, ListenerPlan], key: ListenerKey) -> tuple[Service, ...]:
    plan = plans.get(key)
    return plan.services if plan is not None else ()
