"""``mockery.create_app``: the app of a set of specs for another server to run, with no socket of its own.

Mount it in the app under development (``app.mount("/mocks", create_app("specs/"))`` in FastAPI or Starlette),
wrap it in Starlette middleware, drive it with ``TestClient`` or ``httpx.ASGITransport``, or run it with any
ASGI server. It is the app ``mockery serve`` runs on its shared listener, built by the same factory.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from starlette.middleware import Middleware
from starlette.types import ExceptionHandler, Lifespan

from mockery.app.application import MockApp
from mockery.errors import ArgumentError
from mockery.model.services import SpecSet
from mockery.server.options import ServerOptions, build_server
from mockery.source.inline import InlineSpec

_NOT_FOR_APPS = ("host", "port", "ephemeral", "workers", "reload", "tls", "tls_cert", "tls_key", "tls_port")


def create_app(
    *paths: str | Path,
    specs: SpecSet | None = None,
    inline: InlineSpec | Iterable[InlineSpec] = (),
    service: str | None = None,
    middleware: Sequence[Middleware] = (),
    exception_handlers: Mapping[Any, ExceptionHandler] | None = None,
    lifespan: Lifespan[Any] | None = None,
    debug: bool = False,
    **options: Any,
) -> MockApp:
    """A Starlette application answering for the specs at ``paths`` (files or folders), ``specs`` loaded already,
    or ``inline`` specs written in code. ``service`` picks a service that has a ``port`` of its own (its
    listener's app); the shared listener's app otherwise, with the admin API under ``/__mockery``.

    ``middleware``, ``exception_handlers``, ``lifespan`` and ``debug`` are Starlette's. ``options`` are
    ``mockery serve``'s, by their Python names (``seed=7``, ``state="sqlite:///state.db"``, ``cors="off"``,
    ``profile="flaky"``, ``admin_token=...``, ``quiet=False`` for a log line per request; quiet by default).
    The app's lifespan shutdown sends the callbacks still due and closes the store; a mounted app gets no
    lifespan of its own in Starlette, and needs none with the default in-memory store.
    """
    wrong = sorted(set(options) & set(_NOT_FOR_APPS))
    if wrong:
        raise ArgumentError(f"create_app: {', '.join(wrong)}: the server that runs the app decides those")
    known = {option.name for option in dataclasses.fields(ServerOptions)} - {"paths", "inline", *_NOT_FOR_APPS}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ArgumentError(f"create_app: unknown options {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    inline_specs = (inline,) if isinstance(inline, (str, Mapping)) else tuple(inline)
    settings = ServerOptions(
        paths=tuple(Path(path) for path in paths), inline=inline_specs, **{"quiet": True, **options}
    )
    server = build_server(settings.replace(middleware=tuple(middleware)), specs)

    @contextlib.asynccontextmanager
    async def lifespan_of_app(app: Any) -> AsyncIterator[Any]:
        try:
            if lifespan is None:
                yield None
            else:
                async with lifespan(app) as state:
                    yield state
        finally:
            await server.finish()

    return server.unbound_application(
        service,
        exception_handlers=exception_handlers,
        lifespan=lifespan_of_app,
        debug=debug,
    )
