"""``Sharing``: two workers' journals and metrics read as one, through a real Redis; and a server of one
process that shares nothing and starts no thread."""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "store"))

from redis_server import RedisServer, running_redis

from mockery import MockServer
from mockery.http.journal import AnswerHeaders, Call, Journal, WorkerCall
from mockery.runtime.state import Runtime
from mockery.server.options import ServerOptions, build_server
from mockery.server.sharing import SharedRoute, Sharing, astuple_of, decode_call, encode_call, feed_of
from mockery.store import StoreUnavailable
from mockery.store.memory import MemoryStore
from mockery.store.redis import RedisStore


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server: RedisServer
    with running_redis() as server:
        yield server.url


@pytest.fixture
def pair(redis_url: str) -> Iterator[tuple[Sharing, Sharing]]:
    """Two workers of one deployment, listening for barriers as a worker does."""
    store = RedisStore(redis_url, f"sharing-{uuid.uuid4().hex}")
    loop = asyncio.new_event_loop()
    workers = []
    for name in ("host:1", "host:2"):
        feed = feed_of(store)
        assert feed is not None
        sharing = Sharing(feed, 5, worker=name)
        sharing.start(loop, lambda published: None)
        workers.append(sharing)
    yield workers[0], workers[1]
    for sharing in workers:
        sharing.stop()
    loop.close()
    store.close()


def worker_of(found: Call) -> str:
    assert isinstance(found, WorkerCall)  # what a shared journal reads back names its worker
    return found.worker


def call(path: str, at: float, body: bytes = b"") -> Call:
    return Call("shop", "GET", path, "", {"accept": "*/*"}, body, "GET /x", 200, 0.001, at)


def test_a_call_survives_the_trip_byte_for_byte() -> None:
    sent = Call(
        "shop",
        "POST",
        "/upload",
        "a=1&b=%C3%A9",
        {"content-type": "application/octet-stream"},
        bytes(range(256)),
        "POST /upload",
        201,
        0.0125,
        1_700_000_000.5,
        response_headers=AnswerHeaders([(b"content-type", b"application/json"), (b"x-n", b"\xe9")]),
        response_body=b'{"ok": true}',
    )
    back = decode_call(encode_call(sent, "host:7"))
    assert back.raw_body == sent.raw_body
    assert back.response_json == {"ok": True}
    assert dict(back.response_headers) == dict(sent.response_headers)
    assert back.query == {"a": "1", "b": "é"}
    assert (back.status, back.duration, back.time, back.worker) == (201, 0.0125, 1_700_000_000.5, "host:7")
    assert back.as_dict()["worker"] == "host:7"
    assert "worker" not in sent.as_dict()  # a journal of one process says nothing about workers
    # The request path journals the tuple of a call's fields: it is sent as the same bytes.
    assert encode_call(astuple_of(sent), "host:7") == encode_call(sent, "host:7")


def test_each_worker_reads_every_workers_calls_in_the_order_they_arrived(pair: tuple[Sharing, Sharing]) -> None:
    one, two = pair
    one.journal.record(call("/a", 1.0))
    two.journal.record(call("/b", 2.0))
    one.journal.record(call("/c", 3.0))
    for reader in pair:
        assert [(found.path, worker_of(found)) for found in reader.journal.calls()] == [
            ("/a", "host:1"),
            ("/b", "host:2"),
            ("/c", "host:1"),
        ]
        assert len(reader.journal) == 3
    assert [found.path for found in two.journal.calls(path="/b")] == ["/b"]


def test_a_mark_lists_only_the_calls_after_it_whoever_answered(pair: tuple[Sharing, Sharing]) -> None:
    one, two = pair
    one.journal.record(call("/before", 1.0))
    mark = two.journal.mark()
    two.journal.record(call("/after", 2.0))
    one.journal.record(call("/after", 3.0))
    assert [worker_of(found) for found in one.journal.calls(since=mark)] == ["host:2", "host:1"]


def test_the_shared_journal_keeps_the_last_calls_and_the_count_of_all(pair: tuple[Sharing, Sharing]) -> None:
    one, two = pair
    for n in range(12):  # more than the journal's 5 before anything is sent: only the last 5 go
        one.journal.record(call(f"/{n}", float(n)))
    mark = two.journal.mark()
    assert [found.path for found in two.journal.calls()] == ["/7", "/8", "/9", "/10", "/11"]
    assert mark == 12


def test_clearing_through_one_worker_clears_every_worker(pair: tuple[Sharing, Sharing]) -> None:
    one, two = pair
    one.journal.record(call("/a", 1.0))
    two.journal.record(call("/b", 2.0))
    two.journal.clear()
    assert one.journal.calls() == []
    assert one.journal.recorded_since(0)[0] == []  # what the worker kept for itself went too
    one.journal.record(call("/c", 3.0))
    assert [found.path for found in two.journal.calls()] == ["/c"]


def test_metrics_are_the_sum_of_every_workers(pair: tuple[Sharing, Sharing]) -> None:
    one, two = pair
    one.metrics.observe("shop", "GET /x", 200, 0.0002)
    two.metrics.observe("shop", "GET /x", 200, 0.002)
    two.metrics.observe("shop", "GET /x", 404, 0.002)
    text = one.metrics.render(journal_size=0, journal_capacity=5, generation=1)
    assert 'mockery_requests_total{service="shop",route="GET /x",status="200"} 2' in text
    assert 'mockery_requests_total{service="shop",route="GET /x",status="404"} 1' in text
    assert 'mockery_request_duration_seconds_bucket{service="shop",route="GET /x",le="0.0005"} 1' in text
    assert 'mockery_request_duration_seconds_count{service="shop",route="GET /x"} 3' in text
    assert text == two.metrics.render(journal_size=0, journal_capacity=5, generation=1)


def test_a_stopping_worker_sends_what_it_has_not_sent_yet(redis_url: str) -> None:
    store = RedisStore(redis_url, f"sharing-{uuid.uuid4().hex}")
    feed, reader = store.feed(), store.feed()
    leaving = Sharing(feed, 10, worker="host:1")  # never started: nothing left but what stop() sends
    leaving.journal.record(call("/last", 1.0))
    leaving.stop()
    assert [entry for _, entry in reader.calls()] == [encode_call(call("/last", 1.0), "host:1")]
    reader.close()
    store.close()


def test_a_server_adopts_the_published_routes_and_drops_the_withdrawn() -> None:
    server = build_server(ServerOptions(inline=({"service": "shop", "routes": [{"path": "/ping"}]},), ephemeral=True))
    server.bind()
    try:
        published = [
            SharedRoute("3", "shop", 0, {"path": "/added", "response": {"body": "yes"}}, {}),
            SharedRoute("4", "gone", 0, {"path": "/elsewhere"}, {}),  # a service this server does not serve
            SharedRoute("5", "shop", 1, {"path": "/bad", "response": {"status": "x"}}, {}),  # invalid: left out
        ]
        server.adopt_routes(published)
        assert server.runtime_route_ids() == ["3"]
        routes = server.describe()["services"][0]["routes"]
        assert [(route["path"], route["runtime_id"]) for route in routes] == [("/added", "3"), ("/ping", None)]
        server.adopt_routes([])
        assert server.runtime_route_ids() == []
        assert [route["path"] for route in server.describe()["services"][0]["routes"]] == ["/ping"]
    finally:
        server.close()


def test_one_process_shares_nothing_and_starts_no_thread(redis_url: str) -> None:
    store = RedisStore(redis_url, f"sharing-{uuid.uuid4().hex}")
    with MockServer(inline={"service": "shop", "routes": [{"path": "/ping"}]}, store=store) as mock:
        assert httpx.get(f"{mock.url}/ping").status_code == 200
        assert type(mock.journal) is Journal
        assert not any(thread.name == "mockery-sharing" for thread in threading.enumerate())
        assert len(mock.calls) == 1
    assert feed_of(MemoryStore()) is None


def test_runtimes_sharing_calls_draw_one_sequence_of_per_call_values() -> None:
    spec = {"service": "dice", "routes": [{"path": "/roll", "random": "per_call", "response": {"body": "x"}}]}
    specs = build_server(ServerOptions(inline=(spec,))).specs
    route = specs.services[0].routes[0]
    store = MemoryStore()
    one, two, alone = Runtime(specs, store=store), Runtime(specs, store=store), Runtime(specs)
    one.share_calls()
    two.share_calls()

    def draw(runtime: Runtime) -> str:
        state = runtime.services["dice"]
        state.reseed_for(route, "GET", "/roll", "")
        return str(state.randomness.globals["uuid"]())

    shared = [draw(one), draw(two), draw(one), draw(two)]
    assert shared == [draw(alone) for _ in range(4)]  # the sequence of one process, drawn in turns
    store.reset()
    assert draw(two) == shared[0]  # a reset starts the sequence again


def test_a_subscriber_of_one_worker_is_told_of_every_workers_calls(pair: tuple[Sharing, Sharing]) -> None:
    one, two = pair
    one.journal.record(call("/before", 1.0))
    told = threading.Event()
    subscription, backlog = two.journal.subscribe(told.set, since=0)
    with subscription:
        assert [(number, found.path) for number, found in backlog] == [(0, "/before")]
        one.journal.record(call("/a", 2.0))
        two.journal.record(call("/b", 3.0))
        taken: list[tuple[int, Call]] = []
        while len(taken) < 2:
            assert told.wait(10), f"told of {taken} only"
            told.clear()
            taken += subscription.take()
    # Numbered in the order the workers sent them, which the two threads decide.
    assert sorted(number for number, _ in taken) == [1, 2]
    assert sorted((found.path, worker_of(found)) for _, found in taken) == [("/a", "host:1"), ("/b", "host:2")]


def test_a_worker_starts_while_redis_is_away_and_keeps_its_calls_meanwhile(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"redis://127.0.0.1:{sock.getsockname()[1]}/0"  # nothing listens there
    store = RedisStore(url, "away")
    feed = feed_of(store)
    assert feed is not None
    sharing = Sharing(feed, 5, worker="host:1")
    loop = asyncio.new_event_loop()
    adopted: list[list[SharedRoute]] = []
    sharing.start(loop, adopted.append)  # no error: the state store is not required at start either
    sharing.journal.record(call("/kept", 1.0))
    assert [found.path for _, found in sharing.journal.recorded_since(0)[0]] == ["/kept"]
    with pytest.raises(StoreUnavailable):
        sharing.journal.calls()  # a reader is told the store is away (the admin API answers 503)
    sharing.stop()
    loop.close()
    store.close()
    assert adopted == []
    assert "mockery: worker host:1 cannot share its journal" in capsys.readouterr().err  # said once


def test_a_worker_tells_whether_its_journal_overflowed_between_two_turns(redis_url: str) -> None:
    store = RedisStore(redis_url, f"sharing-{uuid.uuid4().hex}")
    sharing = Sharing(store.feed(), 3, worker="host:1")
    for n in range(3):
        sharing.journal.record(call(f"/{n}", float(n)))
    assert sharing.flush() is False  # all three sent
    for n in range(5):
        sharing.journal.record(call(f"/{n}", float(n)))
    assert sharing.flush() is True  # two had left the journal of 3: a busy worker sends less often
    assert sharing.flush() is False
    sharing.stop()
    store.close()
