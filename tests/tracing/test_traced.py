"""What a request's span says (``mockery.app.traced``): the general path's ``describe`` and the known-answer
path's ``describe_known`` say the same of the same request."""

from __future__ import annotations

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from mockery.app.matching import Match, RouteTable
from mockery.app.traced import describe, describe_known
from mockery.http.behaviours import NO_BEHAVIOURS
from mockery.http.conditions import RequestView
from mockery.http.requests import RawRequest
from mockery.load.loader import load_specs
from mockery.runtime.state import Runtime
from mockery.tracing.spans import Recorder
from tests.tracing.collector import KeptSender

SPEC = """
service: static
routes:
  - path: /static
    response: {status: 503, body: {id: 1, name: static}}
"""


@pytest.mark.parametrize("query", [b"", b"a=1"], ids=["no-query", "query"])
def test_the_known_path_describes_a_request_as_the_general_path_does(query: bytes) -> None:
    specs = load_specs([], inline=SPEC)
    runtime = Runtime(specs, seed=4)
    table = RouteTable.build(specs.services)
    raw = RawRequest("GET", "/static", query.decode(), {}, b"")
    found = table.match("GET", "/static", RequestView(raw))
    assert isinstance(found, Match)
    answer = found.entry.route.answer.static
    assert answer is not None
    scope = {"method": "GET", "path": "/static", "query_string": query, "client": ("10.0.0.7", 5000)}
    kept = KeptSender()
    recorder = Recorder(kept, lambda service: {"service.name": service}, {})
    general = recorder.server_span("GET", {}, lambda: "other")
    route = found.entry.route
    describe(general, runtime, scope, found, "static", route.name, answer, "", NO_BEHAVIOURS, None, 0, False)
    known = recorder.server_span("GET", {}, lambda: "other")
    describe_known(known, runtime, scope, found.entry, answer)
    general.end()
    known.end()
    recorder.close()
    [payload] = kept.payloads
    [resource_spans] = ExportTraceServiceRequest.FromString(payload).resource_spans
    [first, second] = resource_spans.scope_spans[0].spans
    assert first.name == second.name == "GET /static"
    assert list(first.attributes) == list(second.attributes)
    assert [event.name for event in first.events] == [event.name for event in second.events] == ["error answer"]
    names = {item.key for item in first.attributes}
    assert {"http.route", "mockery.route.file", "mockery.seed", "http.response.body.size", "client.address"} <= names
    assert ("url.query" in names) is bool(query)
