"""OpenTelemetry behind ``mockery.tracing.context``: one ``TracerProvider`` per fake service (its resource's
``service.name`` is the spec's service name, so a dashboard shows ``payments`` and ``users``, not one
``mockery``), each exporting over OTLP through a ``BatchSpanProcessor`` (spans leave from its thread, off the
event loop). The exporters read OpenTelemetry's own variables (``OTEL_EXPORTER_OTLP_ENDPOINT``,
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``, ``..._HEADERS``, ``..._PROTOCOL``: ``http/protobuf`` or ``grpc``).

Imported only when tracing is on: a server that does not trace never imports OpenTelemetry.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager

from mockery.errors import ArgumentError
from mockery.tracing.context import ActiveSpan, Attributes

try:
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.baggage.propagation import W3CBaggagePropagator
    from opentelemetry.propagators.composite import CompositePropagator
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
    from opentelemetry.trace import SpanKind, Status, StatusCode
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
except ImportError as exc:  # pragma: no cover - the extra is installed with the tests
    raise ArgumentError(
        f"tracing needs OpenTelemetry ({exc.name} is missing): pip install 'mockery[otel]', or --trace off"
    ) from None

PROTOCOLS = ("http/protobuf", "grpc")
_PROPAGATOR = CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()])


def exporter_protocol(environ: Mapping[str, str]) -> str:
    """The OTLP protocol the variables ask for (``http/protobuf`` unless they say ``grpc``)."""
    value = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
    protocol = (value or "http/protobuf").strip().lower()
    if protocol not in PROTOCOLS:
        raise ArgumentError(f"OTEL_EXPORTER_OTLP_PROTOCOL: {protocol!r} is not one of {', '.join(PROTOCOLS)}")
    return protocol


def _exporter(protocol: str) -> SpanExporter:
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

        return GrpcExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter

    return HttpExporter()


class Tracing:
    """The tracer providers of one server, one per fake service, made at start (or when a reload adds one)."""

    def __init__(
        self,
        services: Iterable[str] = (),
        *,
        environ: Mapping[str, str] | None = None,
        exporter: Callable[[], SpanExporter] | None = None,
    ) -> None:
        protocol = exporter_protocol(os.environ if environ is None else environ)
        self._exporter = exporter or (lambda: _exporter(protocol))
        self.protocol = protocol
        self._providers: dict[str, TracerProvider] = {}
        self._tracers: dict[str, trace.Tracer] = {}
        self._lock = threading.Lock()
        for service in services:
            self.tracer(service)

    def __repr__(self) -> str:
        return f"Tracing(protocol={self.protocol!r}, services={sorted(self._providers)})"

    def tracer(self, service: str) -> trace.Tracer:
        """The tracer of ``service``, its provider made on first use."""
        tracer = self._tracers.get(service)
        if tracer is None:
            with self._lock:
                if service not in self._providers:
                    provider = TracerProvider(resource=Resource.create({"service.name": service}))
                    provider.add_span_processor(BatchSpanProcessor(self._exporter()))
                    self._providers[service] = provider
                    self._tracers[service] = provider.get_tracer("mockery")
                tracer = self._tracers[service]
        return tracer

    def server_span(self, method: str, headers: Mapping[str, str], service: Callable[[], str]) -> ActiveSpan:
        parent = _PROPAGATOR.extract(headers)
        return _ServerSpan(self, method, parent, service, time.time_ns())

    def flush(self, timeout_millis: int = 5000) -> None:
        """Export the spans ended so far (``MockServer`` and the tests call it before reading a receiver)."""
        for provider in list(self._providers.values()):
            provider.force_flush(timeout_millis)

    def shutdown(self) -> None:
        """Export what is left and stop the exporters' threads (at the server's shutdown)."""
        for provider in list(self._providers.values()):
            provider.force_flush()
            provider.shutdown()


class _Span:
    """A span that exists (a child span, or a server span once it is needed)."""

    def __init__(
        self, span: trace.Span | None, parent: otel_context.Context, tracer: trace.Tracer | None = None
    ) -> None:
        self._otel = span
        self._parent = parent
        self._tracer_of = tracer

    def _span(self) -> trace.Span:
        assert self._otel is not None
        return self._otel

    @property
    def trace_id(self) -> str:
        return trace.format_trace_id(self._span().get_span_context().trace_id)

    @property
    def span_id(self) -> str:
        return trace.format_span_id(self._span().get_span_context().span_id)

    def _context(self) -> otel_context.Context:
        return trace.set_span_in_context(self._span(), self._parent)

    def headers(self) -> dict[str, str]:
        carrier: dict[str, str] = {}
        _PROPAGATOR.inject(carrier, context=self._context())
        return carrier

    @contextmanager
    def child(self, name: str, attributes: Attributes) -> Iterator[ActiveSpan]:
        span = self._tracer().start_span(name, context=self._context(), kind=SpanKind.CLIENT, attributes=attributes)
        child = _Span(span, self._context(), self._tracer())
        try:
            yield child
        except BaseException as exc:
            child.fail(exc)
            raise
        finally:
            span.end()

    def _tracer(self) -> trace.Tracer:
        assert self._tracer_of is not None
        return self._tracer_of

    def serve_as(self, service: str) -> None:
        return None

    def set(self, attributes: Attributes) -> None:
        self._span().set_attributes(attributes)

    def event(self, name: str, attributes: Attributes) -> None:
        self._span().add_event(name, attributes)

    def fail(self, error: BaseException) -> None:
        span = self._span()
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))

    def end(self) -> None:
        self._span().end()


class _ServerSpan(_Span):
    """The span of one request: started when it arrived, made when first needed, so that it is reported under
    the service that answered (a listener may serve several)."""

    def __init__(
        self, tracing: Tracing, method: str, parent: otel_context.Context, service: Callable[[], str], start: int
    ) -> None:
        super().__init__(None, parent)
        self._tracing, self._method, self._service, self._start = tracing, method, service, start

    def _tracer(self) -> trace.Tracer:
        if self._tracer_of is None:
            self._tracer_of = self._tracing.tracer(self._service())
        return self._tracer_of

    def _span(self) -> trace.Span:
        if self._otel is None:
            self._otel = self._tracer().start_span(
                self._method, context=self._parent, kind=SpanKind.SERVER, start_time=self._start
            )
        return self._otel

    def serve_as(self, service: str) -> None:
        if self._tracer_of is None:
            self._tracer_of = self._tracing.tracer(service)

    def set(self, attributes: Attributes) -> None:
        span = self._span()
        if "http.route" in attributes:
            span.update_name(f"{self._method} {attributes['http.route']}")
        span.set_attributes(attributes)
