"""The span of the request being answered, where proxies and callbacks find it to carry its context on.

A ``ContextVar``: asyncio tasks made while a request is answered (a callback's delivery) copy it, so a delivery
sent after the answer left is still a child of the request's span.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from contextlib import AbstractContextManager
from contextvars import ContextVar
from time import time_ns
from typing import Protocol, TypeVar

Attribute = str | bool | int | float
Attributes = Mapping[str, Attribute]
HttpFacts = tuple[str, str, int, int, int | None, str | None, str | None]
"""What every request's span says, in this order (``None``: not said): ``http.request.method``, ``url.path``,
``http.response.status_code``, ``http.request.body.size``, ``http.response.body.size``, ``client.address``,
``url.query``. A tuple rather than a mapping: what the request path builds for each request stays small."""
HTTP_KEYS = (
    "http.request.method",
    "url.path",
    "http.response.status_code",
    "http.request.body.size",
    "http.response.body.size",
    "client.address",
    "url.query",
)
# The headers of W3C Trace Context and Baggage: a request sent on carries its own span's (and the baggage
# received, as OpenTelemetry writes it again), not a second copy of the ones mockery received.
TRACE_HEADERS = frozenset(("traceparent", "tracestate", "baggage"))


class ActiveSpan(Protocol):
    """A span in progress, as the request path sees it (``mockery.tracing.otel`` implements it)."""

    @property
    def trace_id(self) -> str: ...

    @property
    def span_id(self) -> str: ...

    def headers(self) -> dict[str, str]:
        """``traceparent`` (and ``tracestate``, ``baggage``) naming this span: what a request sent on carries."""
        ...

    def child(self, name: str, attributes: Attributes, *, internal: bool = False) -> AbstractContextManager[ActiveSpan]:
        """A client span under this one (an upstream call, a callback delivery, a store call), or an internal
        one (a template's rendering), ended on leaving the block; an exception raised in it is recorded on it."""
        ...

    def child_if_slow(self, name: str, attributes: Attributes, start: int) -> None:
        """An internal child span from ``start`` (``time.time_ns()``) to now, if it lasted at least the render
        threshold (``MOCKERY_TRACE_RENDER_MS``): a template's rendering, which is usually too quick to show."""
        ...

    def serve_as(self, service: str) -> None:
        """Report this span under ``service`` (the one that answered), unless it had to be made before."""
        ...

    def share(self, key: Hashable, make: Callable[[], Attributes]) -> None:
        """Attributes every span of ``key`` (a route) has: ``make`` is called, and its result encoded, once."""
        ...

    def set_http(self, facts: HttpFacts) -> None:
        """The HTTP attributes of a server span (``HttpFacts``)."""
        ...

    def answered(
        self,
        service: str,
        http: HttpFacts,
        make: Callable[..., Attributes] | None = None,
        key: tuple[Hashable, ...] = (),
    ) -> None:
        """What a server span says once its answer is known, in one call (it is made for every request): the
        service that answered (``serve_as``), the HTTP facts (``set_http``), and with ``make`` the attributes
        every request of ``key`` (a route) shares: ``make(*key)``, called and encoded once."""
        ...

    def set(self, attributes: Attributes) -> None:
        """Add ``attributes`` (a ``dict`` given is kept as it is: not changed by the caller after)."""
        ...

    def event(self, name: str, attributes: Attributes) -> None: ...

    def fail(self, error: BaseException) -> None: ...

    def end(self) -> None: ...


class Tracer(Protocol):
    """Makes the server span of each request of a listener (``mockery.tracing.otel.Tracing``)."""

    def server_span(self, method: str, headers: Mapping[str, str], service: Callable[[], str]) -> ActiveSpan:
        """The span of one request, continuing the trace its ``traceparent`` names (or starting one);
        ``service`` names the fake service it is reported under, asked when the span is first needed."""
        ...

    def flush(self) -> None:
        """Export the spans ended so far (when a server stops)."""
        ...


CURRENT: ContextVar[ActiveSpan | None] = ContextVar("mockery_span", default=None)


def current() -> ActiveSpan | None:
    """The span of the request being answered, or ``None`` (tracing is off, or no request is)."""
    return CURRENT.get()


_In = TypeVar("_In")
_Out = TypeVar("_Out")


def rendered(route: str, render: Callable[[_In], _Out], variables: _In) -> _Out:
    """``render(variables)``: a template rendered for ``route``. When the request is traced and the rendering
    took at least ``MOCKERY_TRACE_RENDER_MS``, it is a child span of the request's (``render <route>``)."""
    span = CURRENT.get()
    if span is None:
        return render(variables)
    start = time_ns()
    try:
        return render(variables)
    finally:
        span.child_if_slow(f"render {route}", {"mockery.route": route}, start)
