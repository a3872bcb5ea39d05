"""Serve a SpecSet: plan its listeners, bind them all, and run one uvicorn server per listener on one loop.

Every socket is bound before any server starts, so that a port in use is reported (naming the services
that wanted it) while nothing is serving yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn

from mockery.app import AppConfig, ListenerApp
from mockery.errors import ServeError, SpecErrors
from mockery.fakes import Clock
from mockery.journal import DEFAULT_JOURNAL_SIZE, Journal
from mockery.runtime import Runtime
from mockery.spec.loader import listener_key, route_conflicts
from mockery.spec.model import Service, SpecSet
from mockery.store import Store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
GRACEFUL_SHUTDOWN_SECONDS = 10


@dataclass(frozen=True, slots=True)
class ListenerPlan:
    """One address to listen on and the services answering there."""

    host: str
    port: int
    services: tuple[Service, ...]
    shared: bool


def plan_listeners(
    specs: SpecSet, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, ephemeral: bool = False
) -> list[ListenerPlan]:
    """The shared listener first, then one per port that services asked for. ``ephemeral`` binds all to 0."""
    conflicts = route_conflicts(specs.services, shared_port=port)
    if conflicts:
        raise SpecErrors(conflicts)
    groups: dict[tuple[str, int], list[Service]] = {("shared", 0): []}
    for service in specs.services:
        groups.setdefault(listener_key(service, shared_port=port), []).append(service)
    plans = []
    for (kind, own_port), services in groups.items():
        shared = kind == "shared"
        chosen = 0 if ephemeral else (port if shared else own_port)
        plans.append(ListenerPlan(host, chosen, tuple(services), shared))
    return plans


def bind(plan: ListenerPlan) -> socket.socket:
    """A bound socket for ``plan``; ``ServeError`` naming the services if the address cannot be had."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(plan.host, plan.port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        names = ", ".join(service.name for service in plan.services) or "the shared listener"
        raise ServeError(f"cannot listen on {plan.host}:{plan.port} for {names}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Listener(uvicorn.Server):
    """A uvicorn server that leaves signals to ``Server``, which stops every listener together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass(slots=True)
class RunningListener:
    plan: ListenerPlan
    socket: socket.socket
    app: ListenerApp
    url: str


class Server:
    """Every listener of a SpecSet, served from one event loop."""

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
    ) -> None:
        self.specs = specs
        self.config = config or AppConfig()
        self.journal = Journal(journal_size)
        self.runtime = Runtime(specs, seed=seed, clock=clock, store=store)
        self.plans = plan_listeners(specs, host, port, ephemeral=ephemeral)
        self.listeners: list[RunningListener] = []
        self._servers: list[_Listener] = []

    def bind(self) -> list[RunningListener]:
        """Bind every listener, or none: a failure closes what was bound and raises ``ServeError``."""
        sockets: list[socket.socket] = []
        try:
            for plan in self.plans:
                sockets.append(bind(plan))
        except ServeError:
            for sock in sockets:
                sock.close()
            raise
        self.listeners = [
            RunningListener(
                plan, sock, ListenerApp(plan.services, self.runtime, self.config, self.journal), url_of(sock)
            )
            for plan, sock in zip(self.plans, sockets, strict=True)
        ]
        return self.listeners

    async def serve(self, *, handle_signals: bool = True) -> None:
        """Serve until ``stop()`` (or SIGINT/SIGTERM when ``handle_signals``)."""
        if not self.listeners:
            self.bind()
        self._servers = []
        for listener in self.listeners:
            config = uvicorn.Config(
                listener.app,
                lifespan="off",
                log_level="warning",
                access_log=False,
                proxy_headers=False,
                server_header=False,
                date_header=False,
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            )
            self._servers.append(_Listener(config))
        loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self.stop)
        try:
            await asyncio.gather(
                *(
                    server.serve(sockets=[listener.socket])
                    for server, listener in zip(self._servers, self.listeners, strict=True)
                )
            )
        finally:
            if handle_signals:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
            for listener in self.listeners:
                listener.socket.close()
            self.runtime.store.close()

    @property
    def started(self) -> bool:
        return bool(self._servers) and all(server.started for server in self._servers)

    def stop(self) -> None:
        """Ask every listener to finish its requests in flight and stop."""
        for server in self._servers:
            server.should_exit = True

    def close(self) -> None:
        """Release the bound sockets of a server that will not serve."""
        for listener in self.listeners:
            listener.socket.close()

    def url_for(self, service: str) -> str:
        """The base URL of ``service``: its listener's address and its base path."""
        for listener in self.listeners:
            for candidate in listener.plan.services:
                if candidate.name == service:
                    return listener.url + candidate.base_path
        raise KeyError(f"no service named {service!r}; services: {[s.name for s in self.specs.services]}")

    def __repr__(self) -> str:
        return f"Server({[listener.url for listener in self.listeners] or 'not bound'})"
