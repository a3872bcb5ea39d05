"""Spans as mockery records them: a few numbers and references on the event loop, everything else on the
exporting thread, in batches.

A request's span costs, on the loop, two random numbers, two clock reads and a queue append; what is the same
for every request of a route is encoded once (``share``); the rest (a handful of attributes) is encoded with
the batch it leaves in (``mockery.tracing.otlp``), by one thread that wakes when a batch is full or the
schedule delay passed (``OTEL_BSP_SCHEDULE_DELAY``, ``OTEL_BSP_MAX_EXPORT_BATCH_SIZE``,
``OTEL_BSP_MAX_QUEUE_SIZE``: OpenTelemetry's batch span processor variables, with its defaults).
"""

from __future__ import annotations

import collections
import logging
import os
import random
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager

from mockery.errors import ArgumentError
from mockery.tracing import otlp
from mockery.tracing.context import ActiveSpan, Attribute, Attributes, HttpFacts
from mockery.tracing.export import Sender
from mockery.tracing.w3c import Sampler, carried, parse_traceparent, traceparent

_SHARED_KEPT = 4096  # routes whose shared attributes are kept encoded (a reload makes new routes)
_logger = logging.getLogger("mockery.tracing")
_now = time.time_ns


class Shared:
    """Attributes that every span of one route has, encoded once; ``route`` names its server spans."""

    __slots__ = ("_names", "encoded", "route")

    def __init__(self, encoded: bytes, route: str | None) -> None:
        self.encoded, self.route = encoded, route
        self._names: dict[str, bytes] = {}

    def name(self, method: str, encoder: otlp.SpanEncoder, values: Mapping[str, Attribute] | None) -> bytes:
        """The encoded name of a server span: its method and route (``GET /users/{id}``)."""
        found = self._names.get(method)
        if found is None:
            route = self.route
            if route is None and values is not None and isinstance(values.get("http.route"), str):
                return encoder.name(f"{method} {values['http.route']}")
            found = encoder.name(f"{method} {route}" if route is not None else method)
            if route is not None:
                self._names[method] = found
        return found


_NOTHING_SHARED = Shared(b"", None)


class Span:
    """A span being recorded (``ActiveSpan``): ended, it joins its recorder's queue as it is."""

    __slots__ = (
        "_baggage",
        "_end",
        "_error",
        "_events",
        "_http",
        "_id",
        "_kind",
        "_name",
        "_parent",
        "_recorder",
        "_remote",
        "_sampled",
        "_service",
        "_service_of",
        "_shared",
        "_start",
        "_state",
        "_trace",
        "_values",
    )

    def __init__(
        self,
        recorder: Recorder,
        trace: int,
        parent: int,
        state: str | None,
        baggage: str | None,
        sampled: bool,
        remote: bool,
        name: str,
        kind: int,
        service: str | None,
        service_of: Callable[[], str] | None,
    ) -> None:
        self._recorder = recorder
        self._trace = trace
        self._id = recorder._bits(64) or 1
        self._parent = parent
        self._state = state
        self._baggage = baggage
        self._sampled = sampled
        self._remote = remote
        self._name = name
        self._kind = kind
        self._start = _now()
        self._end = 0
        self._service = service
        self._service_of = service_of
        self._shared = _NOTHING_SHARED
        self._values: dict[str, Attribute] | None = None
        self._http: HttpFacts | None = None
        self._events: list[tuple[int, str, Mapping[str, Attribute]]] | None = None
        self._error: str | None = None

    def __repr__(self) -> str:
        return f"Span({self._name!r}, trace_id={self.trace_id}, span_id={self.span_id})"

    @property
    def trace_id(self) -> str:
        return f"{self._trace:032x}"

    @property
    def span_id(self) -> str:
        return f"{self._id:016x}"

    def headers(self) -> dict[str, str]:
        headers = {"traceparent": traceparent(self._trace, self._id, self._sampled)}
        if self._state is not None:
            headers["tracestate"] = self._state
        if self._baggage is not None:
            headers["baggage"] = self._baggage
        return headers

    def service(self) -> str:
        """The service this span is reported under (asked of the listener if no answer said it yet)."""
        if self._service is None:
            self._service = self._service_of() if self._service_of is not None else "mockery"
        return self._service

    @contextmanager
    def child(self, name: str, attributes: Attributes, *, internal: bool = False) -> Iterator[ActiveSpan]:
        kind = otlp.INTERNAL if internal else otlp.CLIENT
        span = Span(
            self._recorder, self._trace, self._id, self._state, self._baggage, self._sampled, False, name, kind,
            self.service(), None,
        )  # fmt: skip
        span._values = dict(attributes)
        try:
            yield span
        except BaseException as exc:
            span.fail(exc)
            raise
        finally:
            span.end()

    def child_if_slow(self, name: str, attributes: Attributes, start: int) -> None:
        end = time.time_ns()
        if end - start < self._recorder.render_threshold:
            return
        span = Span(
            self._recorder, self._trace, self._id, self._state, self._baggage, self._sampled, False, name,
            otlp.INTERNAL, self.service(), None,
        )  # fmt: skip
        span._values, span._start = dict(attributes), start
        span.end()

    def serve_as(self, service: str) -> None:
        if self._service is None:
            self._service = service

    def share(self, key: Hashable, make: Callable[[], Attributes]) -> None:
        self._shared = self._recorder.shared(key, make)

    def set_http(self, facts: HttpFacts) -> None:
        self._http = facts

    def answered(
        self,
        service: str,
        http: HttpFacts,
        make: Callable[..., Attributes] | None = None,
        key: tuple[Hashable, ...] = (),
    ) -> None:
        if self._service is None:
            self._service = service
        self._http = http
        if make is not None:
            self._shared = self._recorder.shared_of(key, make)

    def set(self, attributes: Attributes) -> None:
        if self._values is None:
            self._values = attributes if type(attributes) is dict else dict(attributes)
        else:
            self._values.update(attributes)

    def event(self, name: str, attributes: Attributes) -> None:
        if self._events is None:
            self._events = []
        self._events.append((time.time_ns(), name, attributes))

    def fail(self, error: BaseException) -> None:
        self._error = f"{type(error).__name__}: {error}"
        stack = "".join(traceback.format_exception(error))
        exception = {"exception.type": type(error).__name__, "exception.message": str(error)}
        self.event("exception", {**exception, "exception.stacktrace": stack})

    def end(self) -> None:
        if self._end:
            return
        self._end = _now()
        if self._sampled:
            if self._service is None:
                self.service()
            recorder = self._recorder
            queue = recorder._queue
            queue.append(self)
            if len(queue) == recorder._batch:
                recorder._wake.set()

    def encode(self, encoder: otlp.SpanEncoder) -> bytes:
        """This span as OTLP (on the exporting thread)."""
        if self._values is None and self._events is None and self._error is None and not self._state:
            # A span like many before it (a route's, with the usual HTTP facts): only its ids and times are
            # encoded; the rest, and the length, come from the template of its kind.
            key = (self._shared, self._http, self._name, self._kind, self._remote, self._parent != 0)
            template = encoder.templates.get(key)
            if template is None:
                template = encoder.template(key, self._tail(encoder), 56 if self._parent else 46)
            head, tail = template
            times = otlp.times(self._start, self._end)
            if self._parent:
                return b"".join((head, otlp.ids(self._trace, self._id), otlp.parent(self._parent), times, tail))
            return b"".join((head, otlp.ids(self._trace, self._id), times, tail))
        parts = [otlp.ids(self._trace, self._id)]
        if self._state:
            parts.append(otlp.field(0x1A, self._state.encode("latin-1", "replace")))
        if self._parent:
            parts.append(otlp.parent(self._parent))
        shared, values = self._shared, self._values
        if self._kind == otlp.SERVER:
            parts.append(shared.name(self._name, encoder, values))
        else:
            parts.append(encoder.name(self._name))
        parts += (otlp.kind_and_times(self._kind, self._start, self._end), shared.encoded)
        if self._http is not None:
            parts.append(encoder.http(self._http))
        if values:
            parts.append(encoder.attributes(values))
        if self._events:
            parts.append(otlp.events(self._events))
        if self._error is not None:
            parts.append(otlp.error_status(self._error))
        parts.append(_REMOTE_FLAGS if self._remote else _LOCAL_FLAGS)
        return otlp.spans_field(b"".join(parts))

    def _tail(self, encoder: otlp.SpanEncoder) -> bytes:
        """What follows the ids and times in a templated span: its name, kind, attributes and flags."""
        shared = self._shared
        name = shared.name(self._name, encoder, None) if self._kind == otlp.SERVER else encoder.name(self._name)
        http = encoder.http(self._http) if self._http is not None else b""
        flags = _REMOTE_FLAGS if self._remote else _LOCAL_FLAGS
        return b"".join((name, otlp.kind(self._kind), shared.encoded, http, flags))


# sampled, has-is-remote, and is-remote when the parent came in a traceparent
_LOCAL_FLAGS, _REMOTE_FLAGS = otlp.flags(0x101), otlp.flags(0x301)


def _setting(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ArgumentError(f"{name}: {text!r} is not a positive whole number")
    return int(text)


RENDER_THRESHOLD_MS = 1.0


def render_threshold(environ: Mapping[str, str]) -> int:
    """``MOCKERY_TRACE_RENDER_MS`` (default 1): a template rendering that takes this long or longer is a span
    of its own; in nanoseconds."""
    text = environ.get("MOCKERY_TRACE_RENDER_MS", "").strip()
    try:
        milliseconds = float(text) if text else RENDER_THRESHOLD_MS
    except ValueError:
        milliseconds = -1.0
    if not 0 <= milliseconds < float("inf"):
        raise ArgumentError(f"MOCKERY_TRACE_RENDER_MS: {text!r} is not a number of milliseconds (0 or more)")
    return round(milliseconds * 1_000_000)


class Recorder:
    """The spans of one server: made by ``server_span``, queued when they end, encoded and sent in batches by
    a daemon thread (or by ``export``, which ``flush`` calls)."""

    def __init__(
        self, sender: Sender, resource: Callable[[str], Mapping[str, Attribute]], environ: Mapping[str, str]
    ) -> None:
        self.sampler = Sampler(environ)
        self._always = self.sampler.ratio >= 1.0  # a trace starting here is sampled without asking
        self._sender = sender
        self._resource_of = resource
        self._resources: dict[str, bytes] = {}
        self._scope = otlp.scope("mockery", "1")
        self._delay = _setting(environ, "OTEL_BSP_SCHEDULE_DELAY", 5000) / 1000
        self._batch = _setting(environ, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512)
        self.render_threshold = render_threshold(environ)
        self._queue: collections.deque[Span] = collections.deque(
            maxlen=_setting(environ, "OTEL_BSP_MAX_QUEUE_SIZE", 2048)
        )
        self._shared: dict[tuple[Hashable, ...], Shared] = {}
        self._encoder = otlp.SpanEncoder()
        self._random = random.Random()  # seeded from the system's entropy; getrandbits is cheap, urandom is not
        self._bits = self._random.getrandbits
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = self._start()
        weakref.finalize(self, sender.close)
        # A forked worker (--workers) has no thread but the one that forked: it starts its own exporter.
        own = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _after_fork(own))

    def _start(self) -> threading.Thread:
        # The thread holds the recorder weakly: a server dropped without close() lets its thread end too.
        args = (weakref.ref(self), self._wake, self._delay)
        thread = threading.Thread(target=_export_until_closed, args=args, name="mockery-traces", daemon=True)
        thread.start()
        return thread

    def after_fork(self) -> None:
        """In a forked process: the spans queued are the parent's to send; a new lock, connection and thread."""
        self._queue.clear()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._sender.after_fork()
        if not self._closed:
            self._thread = self._start()

    def __repr__(self) -> str:
        return f"Recorder({self._sender!r}, {self.sampler!r})"

    def server_span(self, method: str, headers: Mapping[str, str], service: Callable[[], str]) -> Span:
        """The span of one request, continuing the ``traceparent`` it came with or starting a trace."""
        received = headers.get("traceparent")
        parent = parse_traceparent(received) if received is not None else None
        baggage = headers.get("baggage")
        if baggage is not None:
            baggage = carried(baggage)
        if parent is None:
            trace = self._bits(128) or 1
            sampled = self._always or self.sampler.root(trace)
            return Span(self, trace, 0, None, baggage, sampled, False, method, otlp.SERVER, None, service)
        trace, parent_id, flags = parent
        sampled = self.sampler.sampled(trace, flags)
        state = carried(headers.get("tracestate"))
        return Span(self, trace, parent_id, state, baggage, sampled, True, method, otlp.SERVER, None, service)

    def shared(self, key: Hashable, make: Callable[[], Attributes]) -> Shared:
        found = self._shared.get((key,))
        return found if found is not None else self.shared_of((key,), lambda _: make())

    def shared_of(self, key: tuple[Hashable, ...], make: Callable[..., Attributes]) -> Shared:
        """The attributes ``make(*key)`` gives, encoded once for every span of ``key``."""
        found = self._shared.get(key)
        if found is None:
            values = make(*key)
            route = values.get("http.route")
            found = Shared(otlp.attributes(0x4A, values), route if isinstance(route, str) else None)
            if len(self._shared) >= _SHARED_KEPT:
                self._shared.clear()
            self._shared[key] = found
        return found

    def export(self, *, close: bool = False) -> None:
        """Encode and send every span ended so far, a batch at a time; then, with ``close``, close the
        sender's connection (it opens another when it next sends)."""
        with self._lock:
            self._export()
            if close:
                self._sender.close()

    def _export(self) -> None:
        queue = self._queue
        while queue:
            batch: dict[str, list[bytes]] = {}
            try:
                for _ in range(self._batch):
                    span = queue.popleft()
                    encoded = span.encode(self._encoder)
                    batch.setdefault(span._service or "mockery", []).append(encoded)
            except IndexError:
                pass
            except Exception:  # a defect: the batch is lost, the thread (and the server) go on
                _logger.exception("traces: a batch of spans could not be encoded")
                continue
            payload = otlp.request((self._resource(service), self._scope, spans) for service, spans in batch.items())
            self._sender.send(payload)

    def _resource(self, service: str) -> bytes:
        found = self._resources.get(service)
        if found is None:
            found = self._resources[service] = otlp.resource(self._resource_of(service))
        return found

    def close(self) -> None:
        """Send what is left and stop the thread."""
        self._closed = True
        self._wake.set()
        self._thread.join(timeout=10)
        self.export(close=True)


def _export_until_closed(recorder: weakref.ref[Recorder], wake: threading.Event, delay: float) -> None:
    while True:
        wake.wait(delay)
        wake.clear()
        alive = recorder()
        if alive is None or alive._closed:
            return
        alive.export()
        del alive


def _after_fork(recorder: weakref.ref[Recorder]) -> None:
    alive = recorder()
    if alive is not None:
        try:
            alive.after_fork()
        except Exception:  # the forked process serves on, without traces
            _logger.exception("traces: the exporter could not be restarted after a fork")
