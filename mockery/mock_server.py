"""``MockServer``: serve specs from a background thread, on ephemeral ports, for tests and scripts."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from mockery.app import AppConfig, ListenerApp
from mockery.errors import ServeError
from mockery.fakes import Clock
from mockery.server import Server
from mockery.spec.loader import load_specs
from mockery.spec.model import SpecSet

START_TIMEOUT_SECONDS = 10.0

T = TypeVar("T")


class MockServer:
    """Real uvicorn listeners for a set of specs, in a background thread, every one on a free port.

    Use it as a context manager: the server starts on entry and stops, finishing requests in flight, on exit.
    An exception that stops the server thread is raised again in the caller.
    """

    def __init__(
        self,
        *paths: str | Path,
        specs: SpecSet | None = None,
        seed: int = 0,
        clock: Clock | None = None,
        config: AppConfig | None = None,
        environ: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.specs = specs if specs is not None else load_specs(paths, environ=environ)
        self._server = Server(self.specs, host=host, port=0, seed=seed, clock=clock, config=config, ephemeral=True)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> MockServer:
        self._server.bind()
        self._thread = threading.Thread(target=self._run, name="mockery-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive():
                self._thread.join()
                self._thread = None
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

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL of the shared listener, e.g. ``http://127.0.0.1:54321``."""
        return self._server.listeners[0].url

    def url_for(self, service: str) -> str:
        """Base URL of one service: its own listener (if it has a port) and its base path."""
        return self._server.url_for(service)

    @property
    def app(self) -> ListenerApp:
        """The ASGI app of the shared listener, for in-process clients such as ``httpx.ASGITransport``."""
        return self._server.listeners[0].app

    def reset(self) -> None:
        """Put generated data and call counters back to where they were at start."""
        self._in_loop(self._server.runtime.reset)

    def __repr__(self) -> str:
        return f"MockServer({self._server!r})"
