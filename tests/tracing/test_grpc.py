"""OTLP over gRPC (``OTEL_EXPORTER_OTLP_PROTOCOL=grpc``) to a real gRPC trace service on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import httpx
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from mockery import MockServer
from tests.conftest import WriteSpec


class _Collector(trace_service_pb2_grpc.TraceServiceServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        self.requests: list[ExportTraceServiceRequest] = []
        self.lock = threading.Lock()

    # The name the generated servicer calls.
    def Export(self, request: ExportTraceServiceRequest, context: Any) -> ExportTraceServiceResponse:
        with self.lock:
            self.requests.append(request)
        return ExportTraceServiceResponse()


@pytest.fixture
def grpc_collector(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Collector]:
    collector = _Collector()
    server = grpc.server(ThreadPoolExecutor(max_workers=2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(collector, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", raising=False)
    try:
        yield collector
    finally:
        server.stop(grace=None)


def test_spans_go_over_grpc_when_the_protocol_says_so(grpc_collector: _Collector, write_spec: WriteSpec) -> None:
    spec = write_spec("service: inventory\nroutes:\n  - path: /stock\n    response: {body: {count: 3}}\n")
    with MockServer(spec) as mock:
        assert httpx.get(f"{mock.url}/stock").status_code == 200
    received = [
        (resource.resource, span)
        for request in grpc_collector.requests
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]
    [(resource, span)] = received
    names = {item.key: item.value.string_value for item in resource.attributes}
    assert names["service.name"] == "inventory"
    assert span.name == "GET /stock"
