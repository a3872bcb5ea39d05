"""Server-Sent Events (``events:``) over a real socket, read with httpx's streaming client."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest

from mockery import MockServer
from tests.conftest import WriteSpec
from tests.streams.support import Event, events

Serve = Callable[..., MockServer]

SPEC = """\
service: live
seed: 7
resources:
  orders:
    count: 3
    fields:
      item: "{{ faker.word() }}"
routes:
  - path: /ticks
    events:
      retry: 1500
      send:
        - {event: tick, data: {n: "{{ number }}", word: "{{ faker.word() }}"}}
        - {event: tock, data: "round {{ round }} index {{ index }}", delay: 20ms}
        - {id: last-of-round, data: "{{ request.query.who }}"}
      repeat: 2
  - path: /orders/live
    events:
      heartbeat: 30ms
      on:
        - {resource: orders, action: create}
        - resource: orders
          action: [update, delete]
          event: order.changed
          data: {id: "{{ record.id }}", how: "{{ action }}"}
  - path: /quiet
    events:
      send: [{data: first}]
      heartbeat: 10ms
      on: {resource: orders, action: delete}
"""


def _read(server: MockServer, path: str, headers: dict[str, str] | None = None) -> tuple[httpx.Response, list[Event]]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        response = client.get(path, headers=headers or {})
        return response, list(events(iter(response.text.split("\n"))))


def test_scripted_events_are_sent_in_order_with_ids_types_retry_and_templated_data(
    serve: Serve, write_spec: WriteSpec
) -> None:
    server = serve(write_spec(SPEC))
    response, received = _read(server, "/ticks?who=ada")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert received[0].retry == 1500
    assert not received[0].data
    sent = received[1:]
    assert [(e.event, e.id) for e in sent] == [
        ("tick", "1"),
        ("tock", "2"),
        (None, "last-of-round"),
        ("tick", "4"),
        ("tock", "5"),
        (None, "last-of-round"),
    ]
    assert json.loads(sent[0].text)["n"] == 1
    assert json.loads(sent[3].text)["n"] == 4
    assert isinstance(json.loads(sent[0].text)["word"], str)
    assert [sent[1].text, sent[4].text] == ["round 0 index 1", "round 1 index 1"]
    assert sent[2].text == "ada"


def test_last_event_id_resumes_after_that_event(serve: Serve, write_spec: WriteSpec) -> None:
    server = serve(write_spec(SPEC))
    _, whole = _read(server, "/ticks")
    _, resumed = _read(server, "/ticks", {"Last-Event-ID": "4"})
    assert [e.id for e in resumed[1:]] == ["5", "last-of-round"]
    assert [e.text for e in resumed[1:]] == [e.text for e in whole[-2:]]
    # A written id resumes after its first occurrence; an id the stream never had starts from the beginning.
    _, after_written = _read(server, "/ticks", {"Last-Event-ID": "last-of-round"})
    assert [e.id for e in after_written[1:]] == ["4", "5", "last-of-round"]
    _, unknown = _read(server, "/ticks", {"Last-Event-ID": "no-such-id"})
    assert len(unknown) == len(whole)


def test_the_same_requests_get_the_same_events_on_another_server(serve: Serve, write_spec: WriteSpec) -> None:
    path = write_spec(SPEC)
    first, second = serve(path), serve(path)
    one = [_read(first, "/ticks?who=x")[0].text for _ in range(2)]
    other = _read(second, "/ticks?who=x")[0].text
    assert one[0] == one[1] == other
    assert _read(second, "/ticks?who=y")[0].text != other  # the request is part of the seed


def test_a_resource_write_sends_an_event_to_open_streams(serve: Serve, write_spec: WriteSpec) -> None:
    server = serve(write_spec(SPEC))
    with httpx.Client(base_url=server.url, timeout=10) as client, client.stream("GET", "/orders/live") as stream:
        assert stream.status_code == 200
        received = events(stream.iter_lines())
        # The stream is subscribed once its headers arrive: a heartbeat shows it is waiting.
        assert next(received).comments == ["heartbeat"]
        created = client.post("/orders", json={"item": "lamp"}).json()
        client.patch(f"/orders/{created['id']}", json={"item": "desk"})
        client.delete("/orders/1")
        client.post("/orders", json={"bad": "body", "id": "not an id"})  # refused: no event
        changes = _first_with_data(received, 3)
    assert changes[0].event == "orders.create"
    assert json.loads(changes[0].text) == created
    assert [(e.event, json.loads(e.text)) for e in changes[1:]] == [
        ("order.changed", {"id": created["id"], "how": "update"}),
        ("order.changed", {"id": 1, "how": "delete"}),
    ]


def _first_with_data(received: Iterator[Event], count: int) -> list[Event]:
    found: list[Event] = []
    for event in received:
        if event.data:
            found.append(event)
            if len(found) == count:
                break
    return found


def test_heartbeats_keep_a_waiting_stream_alive(serve: Serve, write_spec: WriteSpec) -> None:
    server = serve(write_spec(SPEC))
    with httpx.Client(base_url=server.url, timeout=10) as client, client.stream("GET", "/quiet") as stream:
        received = events(stream.iter_lines())
        assert next(received).text == "first"
        beats = [next(received) for _ in range(3)]
    assert all(beat.comments == ["heartbeat"] and not beat.data for beat in beats)


def test_a_stream_lets_go_of_its_subscription_when_the_client_leaves(serve: Serve, write_spec: WriteSpec) -> None:
    server = serve(write_spec(SPEC))
    hub = server._server.runtime.hub
    topic = "resource:live:orders"
    with httpx.Client(base_url=server.url, timeout=10) as client:
        with client.stream("GET", "/orders/live") as stream:
            lines = stream.iter_lines()  # kept: a dropped iterator closes the connection
            next(lines)
            assert server._in_loop(lambda: hub.subscribers(topic)) == 1
        # The server notices the closed connection; new requests still answer meanwhile.
        for _ in range(200):
            assert client.get("/orders/1").status_code == 200
            if server._in_loop(lambda: hub.subscribers(topic)) == 0:
                break
    assert server._in_loop(lambda: hub.subscribers(topic)) == 0


def test_head_of_an_event_route_answers_its_headers_without_a_stream(serve: Serve, write_spec: WriteSpec) -> None:
    server = serve(write_spec(SPEC))
    response = httpx.head(server.url + "/orders/live", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")


@pytest.mark.parametrize("forever", [True, False], ids=["forever", "bounded"])
def test_repeat_forever_keeps_sending_and_a_bound_ends_the_stream(
    serve: Serve, write_spec: WriteSpec, forever: bool
) -> None:
    repeat = "forever" if forever else "3"
    server = serve(
        write_spec(f"service: loop\nroutes:\n  - path: /e\n    events: {{send: [{{data: x}}], repeat: {repeat}}}\n")
    )
    with httpx.Client(base_url=server.url, timeout=10) as client, client.stream("GET", "/e") as stream:
        received = events(stream.iter_lines())
        ids = [event.id for _, event in zip(range(5), received, strict=False)]
    assert ids == (["1", "2", "3", "4", "5"] if forever else ["1", "2", "3"])


def test_chaos_delays_the_first_event_and_a_fault_drops_the_stream(serve: Serve, write_spec: WriteSpec) -> None:
    spec = (
        "service: shaky\nroutes:\n"
        "  - path: /slow\n    delay: 20ms\n    events: [{data: late}]\n"
        "  - path: /broken\n    fault: {kind: reset}\n    events: [{data: never}]\n"
    )
    server = serve(write_spec(spec))
    response, received = _read(server, "/slow")
    assert response.status_code == 200
    assert [event.text for event in received] == ["late"]
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url + "/broken", timeout=10)
    assert server.calls[-1].path == "/broken"


def test_a_throttled_or_chunked_event_route_still_streams_its_events(serve: Serve, write_spec: WriteSpec) -> None:
    spec = (
        "service: paced\nroutes:\n"
        "  - path: /throttled\n    throttle: {bytes_per_second: 100}\n    events: [{data: one}, {data: two}]\n"
        "  - path: /chunked\n    chunked: {chunks: 3}\n    events: [{data: one}, {data: two}]\n"
    )
    server = serve(write_spec(spec))
    for path in ("/throttled", "/chunked"):
        response, received = _read(server, path)
        assert response.status_code == 200
        assert [event.text for event in received] == ["one", "two"], path
