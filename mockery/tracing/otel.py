"""Tracing for a server: each fake service reports under its own ``service.name`` (a dashboard shows
``payments`` and ``users``, not one ``mockery``), its resource otherwise as OpenTelemetry's SDK makes it
(``OTEL_RESOURCE_ATTRIBUTES``, the ``telemetry.sdk.*`` attributes). Spans are recorded by
``mockery.tracing.spans`` and leave over OTLP (HTTP or gRPC, ``mockery.tracing.export``) from one thread, in
batches, off the event loop.

Imported only when tracing is on: a server that does not trace never imports OpenTelemetry.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping

from mockery.errors import ArgumentError
from mockery.tracing.context import ActiveSpan, Attribute
from mockery.tracing.export import PROTOCOLS, Sender, exporter_protocol, sender
from mockery.tracing.spans import Recorder

try:
    from opentelemetry.sdk.resources import Resource
except ImportError as exc:  # pragma: no cover - the extra is installed with the tests
    raise ArgumentError(
        f"tracing needs OpenTelemetry ({exc.name} is missing): pip install 'mockery[otel]', or --trace off"
    ) from None

__all__ = ["PROTOCOLS", "Tracing", "exporter_protocol"]


def _resource(service: str) -> Mapping[str, Attribute]:
    attributes = Resource.create({"service.name": service}).attributes
    return {
        key: value if isinstance(value, str | bool | int | float) else str(value) for key, value in attributes.items()
    }


class Tracing:
    """The spans of one server (``mockery.tracing.context.Tracer``), exported where the variables say."""

    def __init__(
        self,
        services: Iterable[str] = (),
        *,
        environ: Mapping[str, str] | None = None,
        exporter: Callable[[], Sender] | None = None,
    ) -> None:
        environ = os.environ if environ is None else environ
        self.protocol = exporter_protocol(environ)
        self.services = set(services)
        self._recorder = Recorder(exporter() if exporter is not None else sender(environ), _resource, environ)
        self.server_span: Callable[[str, Mapping[str, str], Callable[[], str]], ActiveSpan] = self._recorder.server_span

    def __repr__(self) -> str:
        return f"Tracing(protocol={self.protocol!r}, services={sorted(self.services)})"

    def flush(self, timeout_millis: int = 5000) -> None:
        """Export the spans ended so far (a server stopping calls it; tests, before reading a receiver). The
        collector's connection is closed after: the next export opens another."""
        self._recorder.export(close=True)

    def shutdown(self) -> None:
        """Export what is left and stop the exporting thread (at the server's shutdown)."""
        self._recorder.close()
