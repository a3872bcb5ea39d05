"""In-process transports: an httpx client (sync or async) or a ``requests`` session talks to a ``MockServer``'s
listeners without sockets.

Each request becomes one ASGI call of the listener's app, run on the server's own event loop (the one its
sockets are served from), so the journal, verification, strict mode, stubs, scenarios and behaviours see it
exactly as they would see it over a socket; what is saved is the connection, the HTTP parsing and the thread
hop of a real client. A request is routed by its host: ``hosts`` maps a host (``api.stripe.com``, or
``host:port``) to the service whose listener answers it; the server's own URLs (``mock.url``,
``mock.url_for(...)``) reach their listeners too; with no ``hosts`` at all, every host reaches the shared
listener. A connection fault of a behaviour (``reset``, ``empty``, ``malformed``, ``timeout``) is raised as the
client's own error for a broken connection.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import http
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import httpx
from starlette.types import ASGIApp, Message

from mockery.errors import ServeError

if TYPE_CHECKING:
    from mockery.server.server import Server

Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class Exchange:
    """What the app answered: status, headers and the whole body."""

    status: int
    headers: Headers
    body: bytes


class Broken(Exception):
    """The app broke the connection (a fault behaviour): ``kind`` is ``reset``, ``empty`` or ``malformed``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Connection:
    """What a fault behaviour breaks: the in-process stand-in for uvicorn's transport."""

    def __init__(self) -> None:
        self.closed = asyncio.Event()
        self.aborted = False

    def get_extra_info(self, name: str) -> Any:
        return None

    def abort(self) -> None:
        self.aborted = True
        self.closed.set()

    def close(self) -> None:
        self.closed.set()


class _Exchange:
    """One ASGI request/response over a ``_Connection``."""

    def __init__(self, body: bytes) -> None:
        self.transport = _Connection()
        self._body: bytes | None = body
        self.status: int | None = None
        self.headers: Headers = []
        self.chunks: list[bytes] = []
        self.complete = False

    async def receive(self) -> Message:
        if self._body is not None:
            body, self._body = self._body, None
            return {"type": "http.request", "body": body, "more_body": False}
        await self.transport.closed.wait()  # the client is there until the answer is sent or the line is cut
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self.transport.closed.is_set():
            raise OSError("the connection is closed")
        if message["type"] == "http.response.start":
            self.status, self.headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                self.complete = True
                self.transport.closed.set()

    def result(self) -> Exchange:
        if self.status is None:
            if self.transport.aborted:
                raise Broken("reset", "the connection was reset by the server")
            raise Broken("empty", "the server closed the connection without sending a response")
        if not self.complete:
            raise Broken("malformed", "the server closed the connection before the whole body was sent")
        return Exchange(self.status, self.headers, b"".join(self.chunks))


async def call_app(app: ASGIApp, method: str, url: str, headers: Headers, body: bytes) -> Exchange:
    """``method url`` with ``headers`` and ``body``, answered by ``app`` as a server would have it answered."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": parts.scheme or "http",
        "path": unquote(parts.path or "/"),
        "raw_path": (parts.path or "/").encode("latin-1"),
        "query_string": parts.query.encode("latin-1"),
        "root_path": "",
        "headers": [(name.lower(), value) for name, value in headers],
        "client": ("127.0.0.1", 0),
        "server": (parts.hostname or "localhost", port),
        "extensions": {},
    }
    exchange = _Exchange(body)
    # The app may write to a connection a fault has cut: what it sent until then is the answer.
    with contextlib.suppress(OSError):
        await app(scope, exchange.receive, exchange.send)
    return exchange.result()


class Router:
    """Where a request goes (``hosts``, then the server's own URLs, then, without ``hosts``, the shared
    listener) and the loop its app runs on. Apps are looked up per request: a restarted server has new ones."""

    def __init__(
        self, server: Server, loop: Callable[[], asyncio.AbstractEventLoop | None], hosts: Mapping[str, str] | None
    ) -> None:
        self._server, self._loop = server, loop
        self.hosts = {host.lower(): service for host, service in (hosts or {}).items()}
        self._everything = hosts is None
        for service in self.hosts.values():
            server.specs.service(service)  # UnknownServiceError naming the others, now rather than per request

    def app_for(self, url: str) -> ASGIApp:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
        service = self.hosts.get(f"{host}:{port}") or self.hosts.get(host)
        if service is not None:
            return self._server.app_for(service)
        own = self._server.app_at(f"{parts.scheme}://{parts.netloc}".lower())
        if own is not None:
            return own
        if self._everything:
            return self._server.app
        raise LookupError(
            f"no service is mapped to host {host!r}; hosts mapped: {sorted(self.hosts)} (and the server's own URLs)"
        )

    def submit(self, method: str, url: str, headers: Headers, body: bytes) -> concurrent.futures.Future[Exchange]:
        loop = self._loop()
        if loop is None or not loop.is_running():
            raise ServeError("the MockServer is not running: in-process clients need it started (start() or `with`)")
        app = self.app_for(url)
        return asyncio.run_coroutine_threadsafe(call_app(app, method, url, headers, body), loop)

    def call(self, method: str, url: str, headers: Headers, body: bytes, timeout: float | None) -> Exchange:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None and running is self._loop():
            raise RuntimeError("a sync in-process client cannot be used on the MockServer's own loop (in a handler)")
        return _result(self.submit(method, url, headers, body), timeout)

    async def acall(self, method: str, url: str, headers: Headers, body: bytes, timeout: float | None) -> Exchange:
        future = self.submit(method, url, headers, body)
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # another async library (trio): wait in a worker thread
            import anyio.to_thread

            return await anyio.to_thread.run_sync(lambda: _result(future, timeout))
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except TimeoutError:
            future.cancel()
            raise TimeoutError(f"no answer within {timeout} s") from None

    def __repr__(self) -> str:
        return f"Router(hosts={self.hosts})"


def _result(future: concurrent.futures.Future[Exchange], timeout: float | None) -> Exchange:
    try:
        return future.result(timeout)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise TimeoutError(f"no answer within {timeout} s") from None


class HttpxTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport, for ``httpx.Client`` and ``httpx.AsyncClient`` alike, that answers from a
    ``MockServer`` in-process (``MockServer.httpx_transport``)."""

    def __init__(self, router: Router) -> None:
        self._router = router

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        try:
            exchange = self._router.call(
                request.method, str(request.url), list(request.headers.raw), body, _read_timeout(request)
            )
        except LookupError as exc:
            raise httpx.ConnectError(str(exc), request=request) from None
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc), request=request) from None
        except Broken as exc:
            raise _httpx_error(exc, request) from None
        return _httpx_response(exchange, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        try:
            exchange = await self._router.acall(
                request.method, str(request.url), list(request.headers.raw), body, _read_timeout(request)
            )
        except LookupError as exc:
            raise httpx.ConnectError(str(exc), request=request) from None
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc), request=request) from None
        except Broken as exc:
            raise _httpx_error(exc, request) from None
        return _httpx_response(exchange, request)

    def __repr__(self) -> str:
        return f"HttpxTransport({self._router!r})"


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout", {})
    value = timeout.get("read") if isinstance(timeout, dict) else None
    return float(value) if isinstance(value, int | float) else None


def _httpx_error(exc: Broken, request: httpx.Request) -> httpx.TransportError:
    if exc.kind == "reset":
        return httpx.ReadError(str(exc), request=request)
    return httpx.RemoteProtocolError(str(exc), request=request)


def _httpx_response(exchange: Exchange, request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        exchange.status,
        headers=exchange.headers,
        content=exchange.body,
        request=request,
        extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason(exchange.status).encode()},
    )


def reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""
