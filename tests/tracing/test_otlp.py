"""The OTLP encoding mockery writes itself, decoded with OpenTelemetry's own protobuf messages."""

from __future__ import annotations

import time

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span as ProtoSpan
from opentelemetry.proto.trace.v1.trace_pb2 import Status

from mockery.tracing import otlp
from mockery.tracing.spans import Recorder, Span
from tests.tracing.collector import KeptSender


def _recorder(environ: dict[str, str] | None = None) -> tuple[Recorder, KeptSender]:
    kept = KeptSender()
    resource = {"service.name": "x", "deployment.environment": "dev", "answers": 3, "ratio": 0.5, "on": True}
    recorder = Recorder(kept, lambda service: {**resource, "service.name": service}, environ or {})
    return recorder, kept


def _decoded(kept: KeptSender) -> list[tuple[dict[str, object], ProtoSpan]]:
    found = []
    for payload in kept.payloads:
        for resource_spans in ExportTraceServiceRequest.FromString(payload).resource_spans:
            resource = {item.key: _value(item.value) for item in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                assert scope_spans.scope.name == "mockery"
                found.extend((resource, span) for span in scope_spans.spans)
    return found


def _value(value: object) -> object:
    kind = value.WhichOneof("value")  # type: ignore[attr-defined]
    return getattr(value, kind)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("text", "text"), ("", ""), ("ünïcode ✓", "ünïcode ✓"), (True, True), (False, False), (0, 0), (-5, -5),
     (2**63 - 1, 2**63 - 1), (-(2**63), -(2**63)), (1.5, 1.5), (-0.25, -0.25)],
    ids=["text", "empty", "unicode", "true", "false", "zero", "negative", "int64-max", "int64-min", "float",
         "negative-float"],
)  # fmt: skip
def test_every_attribute_type_decodes_as_it_was_set(value: otlp.Attribute, expected: object) -> None:
    recorder, kept = _recorder()
    span = recorder.server_span("GET", {}, lambda: "svc")
    span.set({"a": value})
    span.end()
    recorder.export()
    [(_, decoded)] = _decoded(kept)
    [attribute] = decoded.attributes
    assert attribute.key == "a"
    assert _value(attribute.value) == expected
    assert type(_value(attribute.value)) is type(expected)


def test_a_server_span_with_everything_decodes_field_by_field() -> None:
    recorder, kept = _recorder()
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    headers = {"traceparent": traceparent, "tracestate": "vendor=1,other=2"}
    before = time.time_ns()
    span = recorder.server_span("POST", headers, lambda: "payments")
    span.share("route", lambda: {"http.route": "/pay/{id}", "mockery.route.file": "p.yaml:3:5"})
    span.set({"http.response.status_code": 503, "url.path": "/pay/" + "x" * 300})
    span.event("error answer", {"http.response.status_code": 503})
    span.fail(RuntimeError("boom"))
    span.end()
    recorder.export()
    [(resource, decoded)] = _decoded(kept)
    assert resource == {"service.name": "payments", "deployment.environment": "dev", "answers": 3, "ratio": 0.5,
                        "on": True}  # fmt: skip
    assert decoded.trace_id.hex() == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert decoded.span_id.hex() == span.span_id
    assert decoded.parent_span_id.hex() == "00f067aa0ba902b7"
    assert decoded.trace_state == "vendor=1,other=2"
    assert decoded.name == "POST /pay/{id}"
    assert decoded.kind == ProtoSpan.SPAN_KIND_SERVER
    assert before <= decoded.start_time_unix_nano <= decoded.end_time_unix_nano <= time.time_ns()
    attributes = {item.key: _value(item.value) for item in decoded.attributes}
    assert attributes == {"http.route": "/pay/{id}", "mockery.route.file": "p.yaml:3:5",
                          "http.response.status_code": 503, "url.path": "/pay/" + "x" * 300}  # fmt: skip
    assert [event.name for event in decoded.events] == ["error answer", "exception"]
    exception = {item.key: _value(item.value) for item in decoded.events[1].attributes}
    assert exception["exception.type"] == "RuntimeError"
    assert exception["exception.message"] == "boom"
    assert decoded.status.code == Status.STATUS_CODE_ERROR
    assert decoded.status.message == "RuntimeError: boom"
    assert decoded.flags == 0x301  # sampled; the parent is remote


def test_a_child_span_is_under_its_parent_and_an_internal_one_says_so() -> None:
    recorder, kept = _recorder()
    server = recorder.server_span("GET", {}, lambda: "users")
    with server.child("store get", {"db.system": "sqlite"}) as store:
        pass
    with pytest.raises(ValueError, match="bad"), server.child("render", {}, internal=True):
        raise ValueError("bad")
    server.end()
    recorder.export()
    spans = {span.name: span for _, span in _decoded(kept)}
    assert set(spans) == {"GET", "store get", "render"}
    assert spans["store get"].parent_span_id.hex() == server.span_id == spans["render"].parent_span_id.hex()
    assert spans["store get"].trace_id.hex() == server.trace_id
    assert spans["store get"].span_id.hex() == store.span_id
    assert spans["store get"].kind == ProtoSpan.SPAN_KIND_CLIENT
    assert spans["render"].kind == ProtoSpan.SPAN_KIND_INTERNAL
    assert spans["render"].status.code == Status.STATUS_CODE_ERROR
    assert spans["GET"].parent_span_id == b""


def test_spans_leave_in_batches_of_the_configured_size_grouped_by_service() -> None:
    recorder, kept = _recorder({"OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "3", "OTEL_BSP_SCHEDULE_DELAY": "600000"})
    for index in range(7):
        span = recorder.server_span("GET", {}, lambda: "a")
        span.serve_as("a" if index % 2 else "b")
        span.end()
    recorder.close()
    assert len(kept.payloads) >= 3
    decoded = _decoded(kept)
    assert len(decoded) == 7
    assert sorted(str(resource["service.name"]) for resource, _ in decoded) == ["a"] * 3 + ["b"] * 4


def test_a_span_ended_twice_is_sent_once() -> None:
    recorder, kept = _recorder()
    span = recorder.server_span("GET", {}, lambda: "a")
    span.end()
    span.end()
    recorder.export()
    assert len(_decoded(kept)) == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "0"), ("OTEL_BSP_SCHEDULE_DELAY", "soon"), ("OTEL_BSP_MAX_QUEUE_SIZE", "-1")],
    ids=["zero-batch", "word-delay", "negative-queue"],
)
def test_a_wrong_batch_setting_is_refused_with_its_name(name: str, value: str) -> None:
    from mockery.errors import ArgumentError

    with pytest.raises(ArgumentError, match=rf"{name}: '{value}' is not a positive whole number"):
        _recorder({name: value})


def test_varint_matches_protobufs_own_encoding() -> None:
    for value in (0, 1, 127, 128, 300, 16383, 16384, 2**35, 2**63 - 1):
        message = ProtoSpan(dropped_attributes_count=value % 2**32)
        assert message.SerializeToString() == (b"\x50" + otlp.varint(value % 2**32) if value % 2**32 else b"")


def test_a_span_is_a_repr_that_names_it() -> None:
    recorder, _ = _recorder()
    span: Span = recorder.server_span("GET", {}, lambda: "a")
    assert repr(span) == f"Span('GET', trace_id={span.trace_id}, span_id={span.span_id})"


def test_the_exporting_thread_ends_with_its_recorder() -> None:
    import gc

    recorder, _ = _recorder({"OTEL_BSP_SCHEDULE_DELAY": "10"})
    thread = recorder._thread
    assert thread.is_alive()
    del recorder
    gc.collect()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_closed_recorder_has_sent_everything() -> None:
    recorder, kept = _recorder({"OTEL_BSP_SCHEDULE_DELAY": "600000"})
    recorder.server_span("GET", {}, lambda: "a").end()
    recorder.close()
    assert not recorder._thread.is_alive()
    assert len(_decoded(kept)) == 1


@pytest.mark.parametrize("traceparent", [None, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
def test_spans_alike_are_encoded_from_one_template_and_decode_each_as_itself(traceparent: str | None) -> None:
    recorder, kept = _recorder()
    headers = {"traceparent": traceparent} if traceparent else {}
    made = []
    for index in range(3):
        span = recorder.server_span("GET", headers, lambda: "static")
        span.share("route", lambda: {"http.route": "/static", "mockery.answer.kind": "template"})
        span.set_http(("GET", "/static", 200, 0, 300 + index % 2, "127.0.0.1", None))
        span.end()
        made.append(span)
    recorder.export()
    decoded = [span for _, span in _decoded(kept)]
    assert [span.span_id.hex() for span in decoded] == [span.span_id for span in made]
    assert [span.trace_id.hex() for span in decoded] == [span.trace_id for span in made]
    for index, span in enumerate(decoded):
        assert span.name == "GET /static"
        assert span.kind == ProtoSpan.SPAN_KIND_SERVER
        assert span.parent_span_id.hex() == ("00f067aa0ba902b7" if traceparent else "")
        assert span.flags == (0x301 if traceparent else 0x101)
        assert 0 < span.start_time_unix_nano <= span.end_time_unix_nano
        assert {item.key: _value(item.value) for item in span.attributes} == {
            "http.route": "/static",
            "mockery.answer.kind": "template",
            "http.request.method": "GET",
            "url.path": "/static",
            "http.response.status_code": 200,
            "http.request.body.size": 0,
            "http.response.body.size": 300 + index % 2,
            "client.address": "127.0.0.1",
        }


def test_a_forked_process_exports_its_own_spans_from_its_own_thread() -> None:
    import os

    recorder, kept = _recorder({"OTEL_BSP_SCHEDULE_DELAY": "600000"})
    recorder.server_span("GET", {}, lambda: "parent").end()  # queued in the parent: the parent sends it
    parent_thread = recorder._thread
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its queue starts empty, and a thread of its own exports
        try:
            exporting = recorder._thread.is_alive() and recorder._thread is not parent_thread
            recorder.server_span("GET", {}, lambda: "child").end()
            recorder.close()
            services = sorted(str(resource["service.name"]) for resource, _ in _decoded(kept))
            os.write(write, f"{exporting},{','.join(services)}".encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        told = pipe.read().decode()
    os.waitpid(pid, 0)
    assert told == "True,child"
    recorder.close()
    assert [str(resource["service.name"]) for resource, _ in _decoded(kept)] == ["parent"]
