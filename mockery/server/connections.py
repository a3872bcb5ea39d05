"""What a connection may hold before mockery lets go of it: a deadline and a size for each request head, and
a cap on the connections of one listener.

uvicorn times a connection out only between two requests: its keep-alive timer starts once a response is
complete. A client that connects and sends nothing, half a request line, or its headers a byte at a time holds
a socket, its buffers and a slot of the listener for as long as it likes, and a few hundred such clients
starve a server (slowloris). httptools, for its part, buffers a header of any length before it calls back. So
every listener serves HTTP with ``LimitedHttpProtocol``, a small subclass of uvicorn's httptools protocol that

- gives each request head (request line and headers) ``header_timeout`` seconds, counted from the
  connection's start and, on a keep-alive connection, from the first byte of each next request; past it, a
  client that sent part of a head gets a 408, and the connection is closed;
- answers 431 once a head passes ``max_head`` bytes, and closes;
- refuses a connection beyond ``max_connections`` open on the listener with a 503, at once. (uvicorn's
  ``limit_concurrency`` answers only once a request head is complete, so the idle sockets it should turn
  away are held until then.)

A request body has its own idle deadline, in ``mockery.http.requests.read_body``: the app knows when it reads.

The protocol is pinned to httptools, whatever uvicorn's ``http="auto"`` would pick: ``uvicorn[standard]``, a
dependency of mockery, installs it, and the h11 protocol's internals differ.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from mockery.http.answer import problem

# How long a client may take to send a request line and its headers (MOCKERY_HEADER_TIMEOUT).
DEFAULT_HEADER_TIMEOUT = 10.0
# Connections one listener keeps open at once (MOCKERY_MAX_CONNECTIONS); the next one gets a 503.
DEFAULT_MAX_CONNECTIONS = 1000
# The largest request head (request line and headers); a larger one gets a 431.
MAX_REQUEST_HEAD = 64 * 1024
# How long an answered 408, 431 or 503 connection is still read (and the bytes dropped) before it is closed:
# closing a socket with unread bytes resets it, and a reset can destroy the answer before the client reads it.
LINGER_SECONDS = 2.0
# Seconds a refused client is asked to wait before it tries again.
RETRY_AFTER_SECONDS = 1
# The request line's own bytes around the method and target ("GET /x HTTP/1.1\r\n"), and each header's (": ", CRLF).
_REQUEST_LINE_OVERHEAD = 12
_HEADER_OVERHEAD = 4


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """How long a request head may take, how large it may be, and how many connections a listener keeps open."""

    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_head: int = MAX_REQUEST_HEAD

    def __post_init__(self) -> None:
        if not (math.isfinite(self.header_timeout) and self.header_timeout > 0):
            raise ValueError(f"header_timeout must be a number of seconds above 0, not {self.header_timeout!r}")
        if self.max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, not {self.max_connections!r}")
        if self.max_head < 1:
            raise ValueError(f"max_head must be at least 1 byte, not {self.max_head!r}")


def protocol_class(limits: ConnectionLimits) -> type[LimitedHttpProtocol]:
    """The HTTP protocol class of a listener with ``limits``: what ``uvicorn.Config(http=...)`` takes."""
    return type("LimitedHttpProtocol", (LimitedHttpProtocol,), {"limits": limits})


def raw_problem(status: int, title: str, detail: str, *headers: tuple[str, str], **fields: Any) -> bytes:
    """A whole HTTP/1.1 response carrying a problem document, ending the connection: for answers written
    before (or instead of) any request reaching the app."""
    body = problem(status, title, detail, **fields).body
    lines = [
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
        "content-type: application/problem+json",
        f"content-length: {len(body)}",
        "connection: close",
        *(f"{name}: {value}" for name, value in headers),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class LimitedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size cap per request head, and a connection cap."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._deadline: asyncio.TimerHandle | None = None
        self._linger: asyncio.TimerHandle | None = None
        # Between two requests, or inside a head: the next bytes belong to a request head.
        self._in_head = True
        # Bytes of the current head received in earlier reads (a lower bound: see data_received).
        self._head_bytes = 0
        # Whether any byte of the current head arrived: only then does a timed-out client get a 408.
        self._head_started = False
        # A head ended, or a message ended, during the read being parsed.
        self._boundary = False
        # The connection was answered by this class (408, 431, 503), or is finishing its last response: what
        # the client sends now is dropped.
        self._done = False

    # Connection events.

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        over = len(self.server_state.connections) >= self.limits.max_connections
        super().connection_made(transport)
        if over:
            self._answer(
                raw_problem(
                    503,
                    "Service unavailable",
                    f"the listener has {self.limits.max_connections} connections open, its limit; try again later",
                    ("retry-after", str(RETRY_AFTER_SECONDS)),
                    limit=self.limits.max_connections,
                )
            )
            return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._done:
            return
        if self._in_head:
            self._head_started = True
        self._boundary = False
        super().data_received(data)
        if not self._in_head or self._done or self.transport.is_closing():
            return
        # Armed only for a head still unfinished after a read: a head that arrives whole costs no timer.
        if self._head_started and self._deadline is None:
            self._arm()
        # Where a head began inside this read is not known: a read that also ended a head or a body is not
        # counted, so a head is cut at most one read (256 KiB) after its limit.
        self._head_bytes = 0 if self._boundary else self._head_bytes + len(data)
        if self._head_bytes > self.limits.max_head:
            self._head_too_large()

    # Parser callbacks.

    def on_message_begin(self) -> None:
        if self._done:
            return
        self._in_head = True
        self._head_started = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        if self._done:
            return
        self._disarm()
        self._in_head = False
        self._head_started = False
        self._head_bytes = 0
        self._boundary = True
        size = len(self.url) + _REQUEST_LINE_OVERHEAD + sum(len(n) + len(v) + _HEADER_OVERHEAD for n, v in self.headers)
        if size > self.limits.max_head:
            self._head_too_large()
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._done:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._done:
            return
        self._in_head = True
        self._boundary = True
        super().on_message_complete()

    # Limits.

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _head_timed_out(self) -> None:
        self._deadline = None
        if self._done or self.transport.is_closing():
            return
        if not self._head_started:
            self.transport.close()
            return
        timeout = self.limits.header_timeout
        self._give_up(
            raw_problem(
                408,
                "Request timeout",
                f"the client did not send a whole request line and headers within {timeout:g} s",
                timeout=timeout,
            )
        )

    def _head_too_large(self) -> None:
        limit = self.limits.max_head
        self._give_up(
            raw_problem(
                431,
                "Request header fields too large",
                f"the request line and headers are over the limit of {limit} bytes",
                limit=limit,
            )
        )

    def _give_up(self, response: bytes) -> None:
        """End the connection over its current head: with ``response`` if nothing of an answer is on the wire;
        else the response in progress (of an earlier, pipelined request) is the last one."""
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            self._done = True
            self._disarm()
            cycle.keep_alive = False
            self.flow.pause_reading()
            return
        self._answer(response)

    def _answer(self, response: bytes) -> None:
        """Send ``response``, end the writing side, and close once the client closes (or after a linger)."""
        self._done = True
        self._disarm()
        self.transport.write(response)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._linger = self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def __repr__(self) -> str:
        return f"LimitedHttpProtocol(client={self.client}, limits={self.limits})"
