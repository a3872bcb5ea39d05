"""Whether tracing is on: ``--trace`` / ``MOCKERY_TRACE`` (``on``, ``off``, ``auto``), else OpenTelemetry's own
variables. ``auto`` (the default) traces when ``OTEL_EXPORTER_OTLP_ENDPOINT`` or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is set and ``OTEL_SDK_DISABLED`` is not ``true``; ``off`` wins over
them; ``on`` traces to the endpoint they name, or to OpenTelemetry's default (``http://localhost:4318``)."""

from __future__ import annotations

from collections.abc import Mapping

from mockery.errors import ArgumentError

TRACE_CHOICES = ("auto", "on", "off")
ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def tracing_on(choice: str | None, environ: Mapping[str, str]) -> bool:
    """Whether a server traces, given ``--trace`` (``None``: ``auto``) and the environment."""
    choice = (choice or "auto").strip().lower()
    if choice not in TRACE_CHOICES:
        raise ArgumentError(f"trace: {choice!r} is not one of {', '.join(TRACE_CHOICES)}")
    if choice != "auto":
        return choice == "on"
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(environ.get(name, "").strip() for name in ENDPOINT_VARIABLES)
