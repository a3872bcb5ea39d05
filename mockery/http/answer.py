"""The one response type of mockery, and the one RFC 9457 problem document.

Every producer of an answer (templates, response sets, resources, OpenAPI operations, the proxy, the recorder,
the listener's own errors) returns an ``Answer``; the listener app sends it in one place. An answer is
immutable: a static route's answer is built once at load time and sent as it is, and a header added on the way
out (a rate limit's, ``Allow``, ``Retry-After``) makes a new answer rather than changing a shared one.
"""

from __future__ import annotations

import re  # re-ok: fixed patterns, none supplied by a client or a spec
from collections.abc import AsyncIterable
from typing import Any

import orjson
from starlette.types import Send

Headers = tuple[tuple[bytes, bytes], ...]

JSON_MEDIA = b"application/json"
PROBLEM_MEDIA = b"application/problem+json"
PROBLEM_TYPE = "about:blank"  # RFC 9457: the problem is what its status says
_JSON = ((b"content-type", JSON_MEDIA),)
_PROBLEM = ((b"content-type", PROBLEM_MEDIA),)


class Answer:
    """Status, headers (lower-case names, as bytes) and body of one HTTP response; or, instead of the body, a
    ``stream`` of chunks sent as they come (``Answer.streamed``), without a ``content-length``. Headers the
    server manages (``MANAGED``: the length, the framing, the connection's fate) are left out of ``headers``
    whoever supplies them: a document, an upstream or a template."""

    __slots__ = ("body", "headers", "status", "stream")

    status: int
    headers: Headers
    body: bytes
    stream: AsyncIterable[bytes] | None

    def __init__(
        self, status: int, headers: Headers = (), body: bytes = b"", stream: AsyncIterable[bytes] | None = None
    ) -> None:
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "headers", _sendable(headers))
        object.__setattr__(self, "body", body)
        object.__setattr__(self, "stream", stream)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"an Answer is immutable: {name} cannot be set")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Answer):
            return NotImplemented
        mine, theirs = (self.status, self.headers, self.body), (other.status, other.headers, other.body)
        return mine == theirs and self.stream is other.stream

    def __hash__(self) -> int:
        return hash((self.status, self.headers, self.body, id(self.stream)))

    def __repr__(self) -> str:
        size = "a stream" if self.stream is not None else f"{len(self.body)} bytes"
        return f"Answer({self.status}, {len(self.headers)} headers, {size})"

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: Headers = (), *, default: Any = None) -> Answer:
        """``data`` encoded as JSON (orjson; ``default`` for other types), with ``content-type: application/json``."""
        return cls(status, (*_JSON, *headers), orjson.dumps(data, default=default))

    @classmethod
    def streamed(cls, status: int, headers: Headers, chunks: AsyncIterable[bytes]) -> Answer:
        """An answer whose body is sent chunk by chunk as ``chunks`` yields them (events, long downloads)."""
        return cls(status, headers, b"", chunks)

    def with_headers(self, *headers: tuple[bytes, bytes]) -> Answer:
        """This answer with ``headers`` added after its own."""
        return Answer(self.status, (*self.headers, *headers), self.body, self.stream) if headers else self


# Set by the server for every answer (the length from the body, the framing of the connection) or hop-by-hop:
# copied from a document or an upstream they would contradict the real ones (two Content-Length headers).
MANAGED = frozenset(
    {b"content-length", b"transfer-encoding", b"keep-alive", b"upgrade", b"proxy-connection", b"trailer"}
)


def _sendable(headers: Headers) -> Headers:
    """``headers`` without the ``MANAGED`` ones; ``connection`` only as the server's own ``close``."""
    for name, value in headers:
        lowered = name.lower()
        if lowered in MANAGED or (lowered == b"connection" and value.lower() != b"close"):
            return tuple(
                (name, value)
                for name, value in headers
                if (lowered := name.lower()) not in MANAGED and (lowered != b"connection" or value.lower() == b"close")
            )
    return headers


def problem(status: int, title: str, detail: str, **extra: Any) -> Answer:
    """An RFC 9457 problem document: how mockery reports what went wrong with a request."""
    body = orjson.dumps({"type": PROBLEM_TYPE, "title": title, "status": status, "detail": detail, **extra})
    return Answer(status, _PROBLEM, body)


def store_unavailable(exc: Exception, store: str) -> Answer:
    """The 503 answered when the state store cannot be used: it names the store (``store`` when the error does
    not) and asks for a retry."""
    answer = problem(503, "State store unavailable", str(exc), store=getattr(exc, "url", None) or store)
    return answer.with_headers((b"retry-after", b"1"))


class InvalidHeader(Exception):
    """A header value that HTTP cannot carry (a control character): the server refused to send it."""


async def send_answer(send: Send, answer: Answer, *, head: bool = False) -> None:
    """Send ``answer`` over ASGI: the one place an answer is sent. Without its body for a HEAD request (with
    the length the body would have); a streamed answer's chunks as they come. ``InvalidHeader`` when the server
    refuses a header before anything was written: the caller can still send another answer."""
    if answer.stream is not None:
        headers = list(answer.headers)
    else:
        headers = [*answer.headers, (b"content-length", str(len(answer.body)).encode())]
    try:
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    except RuntimeError as exc:
        if "header" not in str(exc):
            raise
        raise InvalidHeader(_bad_header(headers)) from None
    if answer.stream is not None and not head:
        async for chunk in answer.stream:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.body", "body": b"" if head else answer.body})


def _bad_header(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        text = value.decode("latin-1")
        if (found := CONTROL.search(text)) is not None:
            return f"the value of header {name.decode('latin-1')!r} holds the control character {found.group()!r}"
    return "a header name or value HTTP cannot carry"


# What HTTP forbids in a field value (RFC 9110 5.5): every control character but the tab.
CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")  # re-ok: a fixed pattern, linear on any input
