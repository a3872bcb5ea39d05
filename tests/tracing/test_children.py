"""Child spans of a request's span: the store calls of a resource request (SQLite), a template rendering that
took at least ``MOCKERY_TRACE_RENDER_MS``; received by a real OTLP/HTTP receiver and decoded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockery import MockServer
from mockery.errors import ArgumentError
from mockery.tracing.spans import render_threshold
from tests.callbacks.receiver import Receiver
from tests.conftest import WriteSpec
from tests.tracing.collector import Received, spans

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
SHOP = """
    service: shop
    resources:
      users:
        count: 3
        fields: {name: name}
    """
SLOW = """
    service: people
    routes:
      - path: /people
        response:
          body: |
            [{% for n in range(200) %}"{{ faker.name() }} {{ faker.email() }}"{{ "," if not loop.last }}{% endfor %}]
    """


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    with Receiver() as receiver:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url)
        monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
        monkeypatch.delenv("MOCKERY_TRACE_RENDER_MS", raising=False)
        yield receiver


def _by_kind(received: list[Received]) -> tuple[Received, list[Received]]:
    [server] = [item for item in received if item.span.kind == item.span.SPAN_KIND_SERVER]
    return server, [item for item in received if item.span.kind != item.span.SPAN_KIND_SERVER]


def test_a_resource_request_on_sqlite_has_its_store_calls_as_child_spans(
    collector: Receiver, write_spec: WriteSpec, tmp_path: Path
) -> None:
    spec = write_spec(SHOP)
    with MockServer(spec, store=f"sqlite:///{tmp_path / 'state.db'}") as mock:
        answer = httpx.get(f"{mock.url}/users/2", headers={"traceparent": TRACEPARENT})
    assert answer.status_code == 200
    server, children = _by_kind(spans(collector))
    assert children, "no store span"
    reads = [item for item in children if item.attributes.get("db.operation.name") == "get_change"]
    [read] = reads
    assert read.span.name == "store get_change shop.users"
    assert read.span.kind == read.span.SPAN_KIND_CLIENT
    assert read.span.parent_span_id.hex() == server.span_id
    assert read.trace_id == server.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert read.attributes["db.system.name"] == "sqlite"
    assert read.attributes["db.collection.name"] == "shop.users"  # the store keys a collection by its service
    assert read.attributes["mockery.record_id"] == "2"
    assert read.service == server.service == "shop"
    assert server.span.start_time_unix_nano <= read.span.start_time_unix_nano
    assert read.span.end_time_unix_nano <= server.span.end_time_unix_nano


def test_a_write_on_sqlite_is_a_store_span_too(collector: Receiver, write_spec: WriteSpec, tmp_path: Path) -> None:
    spec = write_spec(SHOP)
    with MockServer(spec, store=f"sqlite:///{tmp_path / 'state.db'}") as mock:
        assert httpx.post(f"{mock.url}/users", json={"name": "Ada"}).status_code == 201
    server, children = _by_kind(spans(collector))
    operations = {item.attributes["db.operation.name"] for item in children}
    assert operations & {"insert_record", "put_record"}
    assert all(item.span.parent_span_id.hex() == server.span_id for item in children)


def test_the_memory_store_makes_no_store_spans(collector: Receiver, write_spec: WriteSpec) -> None:
    spec = write_spec(SHOP)
    with MockServer(spec) as mock:
        assert httpx.get(f"{mock.url}/users/2").status_code == 200
    server, children = _by_kind(spans(collector))
    assert children == []
    assert server.attributes["mockery.resource.record_id"] == "2"


def test_a_render_over_the_threshold_is_a_child_span(
    collector: Receiver, write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOCKERY_TRACE_RENDER_MS", "0")  # every rendering is "slow"
    spec = write_spec(SLOW)
    with MockServer(spec) as mock:
        answer = httpx.get(f"{mock.url}/people", headers={"traceparent": TRACEPARENT})
    assert answer.status_code == 200
    assert len(answer.json()) == 200
    server, children = _by_kind(spans(collector))
    [render] = children
    assert render.span.name == "render GET /people"
    assert render.span.kind == render.span.SPAN_KIND_INTERNAL
    assert render.span.parent_span_id.hex() == server.span_id
    assert render.attributes["mockery.route"] == "GET /people"
    assert render.span.end_time_unix_nano > render.span.start_time_unix_nano


def test_a_render_under_the_threshold_makes_no_span(
    collector: Receiver, write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOCKERY_TRACE_RENDER_MS", "600000")  # ten minutes: no rendering is that slow
    spec = write_spec(SLOW)
    with MockServer(spec) as mock:
        assert httpx.get(f"{mock.url}/people").status_code == 200
    _, children = _by_kind(spans(collector))
    assert children == []


@pytest.mark.parametrize(
    ("text", "nanoseconds"), [("", 1_000_000), ("0", 0), ("2.5", 2_500_000), (" 10 ", 10_000_000)],
    ids=["default", "zero", "fraction", "spaces"],
)  # fmt: skip
def test_the_render_threshold_is_read_in_milliseconds(text: str, nanoseconds: int) -> None:
    assert render_threshold({"MOCKERY_TRACE_RENDER_MS": text}) == nanoseconds


@pytest.mark.parametrize("text", ["-1", "soon", "nan", "inf"])
def test_a_wrong_render_threshold_is_refused_with_its_name(text: str) -> None:
    with pytest.raises(ArgumentError, match=rf"MOCKERY_TRACE_RENDER_MS: '{text}' is not a number of milliseconds"):
        render_threshold({"MOCKERY_TRACE_RENDER_MS": text})


def test_a_resource_request_on_redis_has_its_store_calls_as_child_spans(
    collector: Receiver, write_spec: WriteSpec
) -> None:
    from tests.store.redis_server import running_redis

    spec = write_spec(SHOP)
    with running_redis() as redis, MockServer(spec, store=redis.url) as mock:
        answer = httpx.get(f"{mock.url}/users/2", headers={"traceparent": TRACEPARENT})
    assert answer.status_code == 200
    server, children = _by_kind(spans(collector))
    [read] = [item for item in children if item.attributes.get("db.operation.name") == "get_change"]
    assert read.attributes["db.system.name"] == "redis"
    assert read.span.parent_span_id.hex() == server.span_id
    assert read.trace_id == server.trace_id
