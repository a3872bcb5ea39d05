"""Every option of a server in one place, and the one factory that builds a server from them.

``mockery serve`` (each flag has the ``MOCKERY_*`` variable in ``ENV_VARS``), ``MockServer``, the workers and the
tests all build their server with ``build_server(options)``: what one of them can configure, all of them can, and
the server is composed (store, reloader, profile, limits, TLS) the same way everywhere.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.middleware import Middleware

from mockery.app.listener import AppConfig
from mockery.errors import ArgumentError
from mockery.http.cors import CorsPolicy, parse_cors_option
from mockery.http.journal import DEFAULT_JOURNAL_SIZE
from mockery.http.logs import AccessLog, LogFormat
from mockery.http.requests import DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY
from mockery.load.loader import load_specs
from mockery.model.services import SpecSet
from mockery.server.connections import (
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    MAX_REQUEST_HEAD,
    ConnectionLimits,
)
from mockery.server.ports import requested_ports
from mockery.server.reload import Reloader
from mockery.server.server import DEFAULT_HOST, DEFAULT_PORT, GRACEFUL_SHUTDOWN_SECONDS, Server
from mockery.server.tls import serve_settings
from mockery.server.workers import check_workers, default_prefix
from mockery.source.inline import InlineSpec
from mockery.store import DEFAULT_STORE_URL, Store, open_store
from mockery.store.traced import traced as traced_store
from mockery.templates.fakes import Clock
from mockery.tracing.context import current as current_span
from mockery.tracing.settings import tracing_on


def _env(name: str) -> dict[str, str]:
    return {"env": name}


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """What a server is built from. The defaults are ``mockery serve``'s; ``MockServer`` changes a few
    (ephemeral ports, no access log). ``store``, ``access_log`` and ``inline`` have no flag: a library caller
    passes an opened store, its own log, or specs written in code."""

    paths: tuple[Path, ...] = field(default=(), metadata=_env("MOCKERY_SPECS"))
    inline: tuple[InlineSpec, ...] = ()
    host: str = field(default=DEFAULT_HOST, metadata=_env("MOCKERY_HOST"))
    port: int = field(default=DEFAULT_PORT, metadata=_env("MOCKERY_PORT"))
    ephemeral: bool = False
    seed: int = field(default=0, metadata=_env("MOCKERY_SEED"))
    clock: Clock | None = field(default=None, metadata=_env("MOCKERY_CLOCK"))
    max_body: int = field(default=DEFAULT_MAX_BODY, metadata=_env("MOCKERY_MAX_BODY"))
    body_timeout: float = field(default=DEFAULT_BODY_TIMEOUT, metadata=_env("MOCKERY_BODY_TIMEOUT"))
    header_timeout: float = field(default=DEFAULT_HEADER_TIMEOUT, metadata=_env("MOCKERY_HEADER_TIMEOUT"))
    max_connections: int = field(default=DEFAULT_MAX_CONNECTIONS, metadata=_env("MOCKERY_MAX_CONNECTIONS"))
    max_head: int = MAX_REQUEST_HEAD
    log_format: LogFormat = field(default="text", metadata=_env("MOCKERY_LOG_FORMAT"))
    quiet: bool = field(default=False, metadata=_env("MOCKERY_QUIET"))
    access_log: AccessLog | None = None
    state: str = field(default=DEFAULT_STORE_URL, metadata=_env("MOCKERY_STATE"))
    state_prefix: str | None = field(default=None, metadata=_env("MOCKERY_STATE_PREFIX"))
    store: Store | None = None
    workers: int = field(default=1, metadata=_env("MOCKERY_WORKERS"))
    journal_size: int = field(default=DEFAULT_JOURNAL_SIZE, metadata=_env("MOCKERY_JOURNAL_SIZE"))
    admin_token: str | None = field(default=None, metadata=_env("MOCKERY_ADMIN_TOKEN"))
    reload: bool = field(default=False, metadata=_env("MOCKERY_RELOAD"))
    shutdown_timeout: int = field(default=GRACEFUL_SHUTDOWN_SECONDS, metadata=_env("MOCKERY_SHUTDOWN_TIMEOUT"))
    profile: str | None = field(default=None, metadata=_env("MOCKERY_PROFILE"))
    cors: str | CorsPolicy = field(default="*", metadata=_env("MOCKERY_CORS"))
    """The CORS policy of services whose spec has no ``cors``: ``*``, origins separated by commas, or ``off``
    (or a ``CorsPolicy``, as ``MockServer``'s ``AppConfig`` holds one)."""
    # Service name -> the port it listens on instead of its spec's (``--port-of``); MOCKERY_PORT_<SERVICE> too.
    ports: Mapping[str, int] = field(default_factory=dict)
    environ: Mapping[str, str] | None = None
    tls: str | None = field(default=None, metadata=_env("MOCKERY_TLS"))
    tls_cert: Path | None = field(default=None, metadata=_env("MOCKERY_TLS_CERT"))
    tls_key: Path | None = field(default=None, metadata=_env("MOCKERY_TLS_KEY"))
    tls_port: int | None = field(default=None, metadata=_env("MOCKERY_TLS_PORT"))
    tls_client_ca: Path | None = field(default=None, metadata=_env("MOCKERY_TLS_CLIENT_CA"))
    tls_client_cert: str = field(default="required", metadata=_env("MOCKERY_TLS_CLIENT_CERT"))
    tls_dir: Path | None = field(default=None, metadata=_env("MOCKERY_TLS_DIR"))
    trace: str = field(default="auto", metadata=_env("MOCKERY_TRACE"))
    """Spans over OTLP (``mockery.tracing``): ``auto`` when ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_...``)
    is set, ``on`` or ``off``."""
    middleware: tuple[Middleware, ...] = ()
    """Starlette middleware around every listener's app (``mockery.app.application``), outermost first."""
    tls_names: str | None = field(default=None, metadata=_env("MOCKERY_TLS_NAMES"))
    """More names for ``--tls auto``'s certificate, separated by commas: the host names other containers of a
    compose network use to reach mockery (its service name and aliases)."""

    def log(self) -> AccessLog:
        """The access log: the one given, or one line per request in ``log_format`` unless ``quiet``."""
        if self.access_log is not None:
            return self.access_log
        return AccessLog(format=self.log_format, enabled=not self.quiet)

    def prefix_for(self, specs: SpecSet) -> str:
        """The key prefix of a prefixed store: ``state_prefix``, or one derived from the services and the seed."""
        return self.state_prefix or default_prefix(specs, self.seed)

    def open_store(self, specs: SpecSet) -> Store:
        """A new connection to the store at ``state`` (a worker opens its own); when tracing, its calls are child
        spans of the request's (SQLite, Redis: ``mockery.store.traced``)."""
        store = open_store(self.state, prefix=self.prefix_for(specs))
        if tracing_on(self.trace, os.environ if self.environ is None else self.environ):
            return traced_store(store, current_span)
        return store

    def replace(self, **changes: Any) -> ServerOptions:
        return dataclasses.replace(self, **changes)


# Option name -> its MOCKERY_* variable.
ENV_VARS: Mapping[str, str] = {
    option.name: option.metadata["env"] for option in dataclasses.fields(ServerOptions) if "env" in option.metadata
}


def tls_hostnames(text: str | None) -> tuple[str, ...]:
    """The names ``--tls-names`` lists; an ``ArgumentError`` naming those no certificate can carry."""
    names = [name.strip() for name in (text or "").split(",") if name.strip()]
    if not names:
        return ()
    from mockery.server.certificates import valid_names  # cryptography: only when names are given

    wrong = [name for name in names if not valid_names([name])]
    if wrong:
        shown = ", ".join(repr(name) for name in wrong)
        raise ArgumentError(f"tls names: {shown}: a certificate names DNS names (api.test) or IP addresses")
    return tuple(names)


def cors_policy(text: str | CorsPolicy) -> CorsPolicy:
    """The policy ``--cors`` names; an ``ArgumentError`` saying what is wrong with ``text`` otherwise."""
    if isinstance(text, CorsPolicy):
        return text
    try:
        return parse_cors_option(text)
    except ValueError as exc:
        raise ArgumentError(f"cors: {exc}") from None


def build_server(options: ServerOptions, specs: SpecSet | None = None) -> Server:
    """The server ``options`` describe, not bound yet. ``specs`` are served instead of loading ``options.paths``
    (and ``options.inline``). Raises ``SpecErrors``, ``StoreError``, ``ServeError`` or ``ProfileError``."""
    tls = serve_settings(
        tls=options.tls,
        cert=options.tls_cert,
        key=options.tls_key,
        client_ca=options.tls_client_ca,
        client_cert=options.tls_client_cert,
        tls_port=options.tls_port,
    )
    log = options.log()
    # Made before loading, so that it also notices a change made while the specs load.
    reloader = Reloader(options.paths, log) if options.reload else None
    check_workers(options.state, options.workers, reload=options.reload)
    if specs is None:
        specs = load_specs(options.paths, environ=options.environ, inline=list(options.inline))
    ports = requested_ports(specs, options.ports, os.environ if options.environ is None else options.environ)
    store = options.store if options.store is not None else options.open_store(specs)
    traces = tracing_on(options.trace, os.environ if options.environ is None else options.environ)
    if traces:  # its calls are child spans of the request's (SQLite, Redis)
        store = traced_store(store, current_span)
    server = Server(
        specs,
        host=options.host,
        port=options.port,
        seed=options.seed,
        clock=options.clock,
        config=AppConfig(
            options.max_body, body_timeout=options.body_timeout, access_log=log, cors=cors_policy(options.cors)
        ),
        ephemeral=options.ephemeral,
        journal_size=options.journal_size,
        store=store,
        admin_token=options.admin_token,
        shutdown_timeout=options.shutdown_timeout,
        limits=ConnectionLimits(
            header_timeout=options.header_timeout, max_connections=options.max_connections, max_head=options.max_head
        ),
        reloader=reloader,
        ports=ports,
        tls=tls,
        tls_port=options.tls_port,
        tls_folder=options.tls_dir,
        tls_names=tls_hostnames(options.tls_names),
        middleware=options.middleware,
    )
    server.use_profile(options.profile)
    if traces:
        from mockery.tracing.otel import Tracing  # OpenTelemetry is imported only by a server that traces

        server.tracing = Tracing(service.name for service in specs.services)
    return server
