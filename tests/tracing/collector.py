"""An OTLP/HTTP receiver on loopback for the tracing tests: the webhook receiver of the callback tests (a real
uvicorn server on an ephemeral port) whose ``POST /v1/traces`` bodies are decoded as OpenTelemetry's
``ExportTraceServiceRequest``."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from tests.callbacks.receiver import Receiver


class KeptSender:
    """A span sender that keeps the encoded payloads it was given, for tests that decode them without a network."""

    def __init__(self) -> None:
        self.payloads: list[bytes] = []

    def send(self, payload: bytes) -> bool:
        self.payloads.append(payload)
        return True

    def close(self) -> None:
        return None

    def after_fork(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Received:
    """One span as a collector got it: the ``service.name`` of its resource, and the span."""

    service: str
    span: Span

    @property
    def trace_id(self) -> str:
        return self.span.trace_id.hex()

    @property
    def span_id(self) -> str:
        return self.span.span_id.hex()

    @property
    def attributes(self) -> dict[str, object]:
        return {item.key: _value(item.value) for item in self.span.attributes}


def _value(value: AnyValue) -> object:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind is not None else None


def spans(collector: Receiver) -> list[Received]:
    """Every span the collector received, in the order they came."""
    found = []
    for request in collector.received:
        if request.method != "POST" or request.path != "/v1/traces":
            continue
        body = gzip.decompress(request.body) if request.headers.get("content-encoding") == "gzip" else request.body
        message = ExportTraceServiceRequest.FromString(body)
        for resource_spans in message.resource_spans:
            attributes = {item.key: _value(item.value) for item in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                found.extend(Received(str(attributes.get("service.name")), span) for span in scope_spans.spans)
    return found
