"""Every answer is a span: received by a real OTLP/HTTP receiver on loopback and decoded with OpenTelemetry's
protobuf messages. Stopping a server flushes its spans, so a test reads the receiver right after ``stop``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import orjson
import pytest

from mockery import MockServer
from tests.callbacks.receiver import Receiver
from tests.conftest import WriteSpec
from tests.tracing.collector import Received, spans

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A receiver that OTEL_EXPORTER_OTLP_ENDPOINT points at: servers started in the test trace to it."""
    with Receiver() as receiver:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url)
        monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
        monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
        yield receiver


def _server_spans(collector: Receiver) -> list[Received]:
    return [received for received in spans(collector) if received.span.kind == received.span.SPAN_KIND_SERVER]


def test_a_request_with_a_traceparent_is_a_server_span_of_that_trace(
    collector: Receiver, write_spec: WriteSpec
) -> None:
    spec = write_spec("""
        service: payments
        seed: 7
        routes:
          - path: /payments/{id}
            method: POST
            scenario: {name: checkout, state: started, next: paid}
            delay: 1ms
            rate_limit: {requests: 100, per: 60s}
            response: {status: 201, body: {id: paid}}
        """)
    mock = MockServer(spec, seed=3).start()
    try:
        answer = httpx.post(f"{mock.url}/payments/42?x=1", content=b"{}", headers={"traceparent": TRACEPARENT})
    finally:
        mock.stop()
    assert answer.status_code == 201
    [received] = _server_spans(collector)
    span, attributes = received.span, received.attributes
    assert received.service == "payments"
    assert received.trace_id == TRACE_ID
    assert span.parent_span_id.hex() == PARENT_ID
    assert span.name == "POST /payments/{id}"
    assert attributes["http.request.method"] == "POST"
    assert attributes["http.route"] == "/payments/{id}"
    assert attributes["http.response.status_code"] == 201
    assert attributes["http.request.body.size"] == 2
    assert attributes["http.response.body.size"] == len(answer.content)
    assert attributes["url.query"] == "x=1"
    assert attributes["mockery.service"] == "payments"
    assert attributes["mockery.answer.kind"] == "template"
    assert attributes["mockery.route.file"] == f"{spec}:5:5"  # the route item, line 5 of the dedented text
    assert attributes["mockery.scenario.state_before"] == "started"
    assert attributes["mockery.scenario.state_after"] == "paid"
    assert attributes["mockery.delay_ms"] == 1.0
    assert attributes["mockery.rate_limit"] == "allowed"
    assert str(attributes["mockery.seed"]).isdigit()


def test_a_request_without_a_traceparent_starts_a_trace_and_a_miss_names_the_closest_route(
    collector: Receiver, write_spec: WriteSpec
) -> None:
    spec = write_spec("""
        service: users
        routes:
          - path: /users
            match: {query: {active: "true"}}
            response: {body: []}
        """)
    with MockServer(spec) as mock:
        assert httpx.get(f"{mock.url}/users").status_code == 404
    [received] = _server_spans(collector)
    assert received.span.parent_span_id == b""
    assert len(received.trace_id) == 32
    assert received.trace_id not in (TRACE_ID, "0" * 32)
    assert received.attributes["http.response.status_code"] == 404
    [event] = received.span.events
    assert event.name == "no route matched"
    assert "active" in str({item.key: item.value.string_value for item in event.attributes}["mockery.closest"])


def test_a_fault_is_on_the_span(collector: Receiver, write_spec: WriteSpec) -> None:
    spec = write_spec("""
        service: flaky
        routes:
          - path: /pay
            fault: {rate: 1, kind: status, status: 503}
            response: {body: ok}
        """)
    with MockServer(spec) as mock:
        assert httpx.get(f"{mock.url}/pay").status_code == 503
    [received] = _server_spans(collector)
    assert received.attributes["mockery.fault"] == "status"
    assert received.attributes["http.response.status_code"] == 503


def test_a_proxied_request_carries_the_trace_to_the_upstream(collector: Receiver, write_spec: WriteSpec) -> None:
    with Receiver() as upstream:
        spec = write_spec(f"service: edge\nproxy: {{upstream: '{upstream.url}'}}\n")
        with MockServer(spec) as mock:
            headers = {"traceparent": TRACEPARENT, "tracestate": "vendor=1", "baggage": "user=alice"}
            answer = httpx.get(f"{mock.url}/anything", headers=headers)
        assert answer.status_code == 200
        [request] = upstream.received
    received = spans(collector)
    [server] = [item for item in received if item.span.kind == item.span.SPAN_KIND_SERVER]
    [client] = [item for item in received if item.span.kind == item.span.SPAN_KIND_CLIENT]
    assert request.headers["traceparent"] == f"00-{TRACE_ID}-{client.span_id}-01"
    assert request.headers["tracestate"] == "vendor=1"
    assert request.headers["baggage"] == "user=alice"
    assert client.trace_id == server.trace_id == TRACE_ID
    assert client.span.parent_span_id.hex() == server.span_id
    assert client.attributes["http.response.status_code"] == 200
    assert server.attributes["mockery.proxied"] is True
    assert server.service == client.service == "edge"


def test_a_callback_carries_the_trace_to_its_receiver(collector: Receiver, write_spec: WriteSpec) -> None:
    with Receiver() as hooks:
        spec = write_spec(f"""
            service: shop
            routes:
              - path: /orders
                method: POST
                response: {{status: 201}}
                callbacks:
                  - url: {hooks.url}/hooks
            """)
        with MockServer(spec) as mock:
            assert httpx.post(f"{mock.url}/orders", headers={"traceparent": TRACEPARENT}).status_code == 201
            [delivery] = hooks.wait_for(1)
    received = spans(collector)
    [server] = [item for item in received if item.span.kind == item.span.SPAN_KIND_SERVER]
    [client] = [item for item in received if item.span.kind == item.span.SPAN_KIND_CLIENT]
    assert delivery.headers["traceparent"] == f"00-{TRACE_ID}-{client.span_id}-01"
    assert client.span.parent_span_id.hex() == server.span_id
    assert client.span.name == f"callback {client.attributes['mockery.callback']}"
    assert client.attributes["url.full"] == f"{hooks.url}/hooks"


def test_each_service_reports_under_its_own_name(collector: Receiver, write_spec: WriteSpec) -> None:
    payments = write_spec("service: payments\nroutes:\n  - path: /pay\n    response: {body: ok}\n", "p.yaml")
    users = write_spec("service: users\nroutes:\n  - path: /users\n    response: {body: []}\n", "u.yaml")
    with MockServer(payments, users) as mock:
        assert httpx.get(mock.url_for("payments") + "/pay").status_code == 200
        assert httpx.get(mock.url_for("users") + "/users").status_code == 200
    named = {(item.service, item.attributes["http.route"]) for item in _server_spans(collector)}
    assert named == {("payments", "/pay"), ("users", "/users")}


def test_json_log_lines_carry_the_trace_and_span_ids(collector: Receiver, write_spec: WriteSpec) -> None:
    import io

    from mockery.app.listener import AppConfig
    from mockery.http.logs import AccessLog

    stream = io.StringIO()
    spec = write_spec("service: logs\nroutes:\n  - path: /x\n    response: {body: ok}\n")
    config = AppConfig(access_log=AccessLog(stream=stream, format="json"))
    with MockServer(spec, config=config) as mock:
        httpx.get(f"{mock.url}/x", headers={"traceparent": TRACEPARENT})
    [received] = _server_spans(collector)
    [line] = [orjson.loads(text) for text in stream.getvalue().splitlines() if '"request"' in text]
    assert line["trace_id"] == TRACE_ID
    assert line["span_id"] == received.span_id


def test_a_resource_span_names_its_action_and_record(collector: Receiver, write_spec: WriteSpec) -> None:
    spec = write_spec("""
        service: shop
        resources:
          users:
            count: 3
            fields: {name: name}
        """)
    with MockServer(spec) as mock:
        assert httpx.get(f"{mock.url}/users/2").status_code == 200
        created = httpx.post(f"{mock.url}/users", json={"name": "Ada"})
        assert created.status_code == 201
    facts = {
        (item.attributes["mockery.resource.action"], item.attributes.get("mockery.resource.record_id"))
        for item in _server_spans(collector)
    }
    assert facts == {("get", "2"), ("create", str(created.json()["id"]))}
    assert {item.attributes["mockery.answer.kind"] for item in _server_spans(collector)} == {"resource"}


def test_the_parent_based_sampler_traces_only_requests_that_come_with_a_trace(
    collector: Receiver, write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "parentbased_always_off")
    spec = write_spec("service: sampled\nroutes:\n  - path: /x\n    response: {body: ok}\n")
    with MockServer(spec) as mock:
        assert httpx.get(f"{mock.url}/x").status_code == 200
        assert httpx.get(f"{mock.url}/x", headers={"traceparent": TRACEPARENT}).status_code == 200
    [received] = _server_spans(collector)
    assert received.trace_id == TRACE_ID


def test_spans_go_gzipped_with_the_configured_headers(
    collector: Receiver, write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "api-key=s%20cret,x-team=dev")
    spec = write_spec("service: zipped\nroutes:\n  - path: /x\n    response: {body: ok}\n")
    with MockServer(spec) as mock:
        assert httpx.get(f"{mock.url}/x").status_code == 200
    [export] = [request for request in collector.received if request.path == "/v1/traces"]
    assert export.headers["content-encoding"] == "gzip"
    assert export.headers["content-type"] == "application/x-protobuf"
    assert export.headers["api-key"] == "s cret"
    assert export.headers["x-team"] == "dev"
    [received] = _server_spans(collector)
    assert received.service == "zipped"


def test_a_wrong_export_variable_stops_the_server_from_starting_with_its_name(
    collector: Receiver, write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockery.errors import ArgumentError

    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "sometimes")
    spec = write_spec("service: wrong\nroutes:\n  - path: /x\n    response: {body: ok}\n")
    with pytest.raises(ArgumentError, match="OTEL_TRACES_SAMPLER: 'sometimes' is not one of"):
        MockServer(spec).start()
