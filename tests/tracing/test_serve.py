"""`mockery serve` traces as its flag and OpenTelemetry's variables say: the CLI path, in a real process, to a
real OTLP/HTTP receiver; SIGTERM flushes the last spans."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.callbacks.receiver import Receiver
from tests.test_cli_serve import start
from tests.tracing.collector import spans

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    with Receiver() as receiver:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url)
        monkeypatch.delenv("MOCKERY_TRACE", raising=False)
        yield receiver


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "orders.yaml"
    path.write_text("service: orders\nroutes:\n  - path: /orders\n    response: {body: []}\n")
    return path


@pytest.mark.slow
def test_serve_exports_spans_when_the_endpoint_is_set(collector: Receiver, spec: Path) -> None:
    served = start(str(spec), "--log-format", "json")
    answer = httpx.get(served.urls["orders"] + "/orders", headers={"traceparent": TRACEPARENT})
    code, output = served.stop()
    assert answer.status_code == 200
    assert code == 0, output
    [received] = spans(collector)
    assert received.service == "orders"
    assert received.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    [line] = [
        json.loads(text) for text in output.splitlines() if '"event": "request"' in text or '"event":"request"' in text
    ]
    assert line["trace_id"] == received.trace_id
    assert line["span_id"] == received.span_id


@pytest.mark.slow
def test_serve_trace_off_wins_over_the_endpoint(collector: Receiver, spec: Path) -> None:
    served = start(str(spec), "--trace", "off", "--log-format", "json")
    answer = httpx.get(served.urls["orders"] + "/orders", headers={"traceparent": TRACEPARENT})
    code, output = served.stop()
    assert answer.status_code == 200
    assert code == 0, output
    assert collector.received == []
    assert "trace_id" not in output
