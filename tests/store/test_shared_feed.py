"""``RedisFeed``: the calls, metrics, runtime routes and barriers the workers of a deployment share."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from redis_server import RedisServer, free_port

from mockery.store import StoreUnavailable
from mockery.store.redis import RedisStore
from mockery.store.shared import Listener, RedisFeed


@pytest.fixture
def store(redis_server: RedisServer) -> Iterator[RedisStore]:
    opened = RedisStore(redis_server.url, f"feed-{uuid.uuid4().hex}")
    yield opened
    opened.close()


@pytest.fixture
def feed(store: RedisStore) -> Iterator[RedisFeed]:
    opened = store.feed()
    yield opened
    opened.close()


def test_published_calls_are_numbered_in_order_and_capped(feed: RedisFeed) -> None:
    assert feed.publish_calls([b"a", b"b", b"c"], 0, 4) == 3
    # Two calls were recorded but never sent (they left the worker's journal first): they still take numbers.
    assert feed.publish_calls([b"d", b"e"], 2, 4) == 7
    assert feed.calls() == [(1, b"b"), (2, b"c"), (5, b"d"), (6, b"e")]
    assert feed.count() == 7
    assert feed.calls_from(5) == [(5, b"d"), (6, b"e")]
    assert feed.calls_from(0) == feed.calls()
    assert feed.calls_from(7) == []
    feed.clear_calls()
    assert feed.calls() == []
    assert feed.count() == 7  # a mark taken before the clear keeps its meaning


def test_a_reset_of_the_store_forgets_journal_and_routes_but_keeps_counts_and_metrics(
    store: RedisStore, feed: RedisFeed
) -> None:
    feed.publish_calls([b"a"], 0, 10)
    feed.put_metrics("w1", b"{}")
    feed.put_route(str(feed.next_route_id()), b"[]")
    store.reset()
    assert feed.calls() == []
    assert feed.routes() == {}
    assert feed.next_route_id() == 1
    assert feed.count() == 1
    assert feed.metrics() == [b"{}"]


def test_metrics_are_one_snapshot_per_worker(feed: RedisFeed) -> None:
    feed.put_metrics("w1", b"1")
    feed.put_metrics("w2", b"2")
    feed.put_metrics("w1", b"3")
    assert sorted(feed.metrics()) == [b"2", b"3"]


def test_routes_are_published_and_withdrawn_by_id(feed: RedisFeed) -> None:
    first, second = feed.next_route_id(), feed.next_route_id()
    assert first != second
    feed.put_route(str(first), b"one")
    feed.put_route(str(second), b"two")
    feed.remove_route(str(first))
    assert feed.routes() == {str(second): b"two"}


def test_a_barrier_waits_for_every_listener_and_tells_them_who_asked(feed: RedisFeed) -> None:
    assert feed.barrier("sync", "nobody", 1.0) == 0  # nobody listens: nothing to wait for
    seen: list[tuple[str, str, str]] = []
    listeners = [feed.listen(), feed.listen()]
    stop = threading.Event()

    def serve(listener: Listener) -> None:
        while not stop.is_set():
            barrier = listener.next(0.05)
            if barrier is not None:
                seen.append(barrier)
                listener.ack(barrier[1])

    threads = [threading.Thread(target=serve, args=(listener,)) for listener in listeners]
    for thread in threads:
        thread.start()
    try:
        assert feed.barrier("routes", "worker-1", 5.0) == 2
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        for listener in listeners:
            listener.close()
    assert [(kind, origin) for kind, _, origin in seen] == [("routes", "worker-1")] * 2


def test_a_barrier_gives_up_on_a_listener_that_never_answers(feed: RedisFeed) -> None:
    deaf = feed.listen()  # subscribed, never reads nor acknowledges: a wedged worker
    try:
        assert feed.barrier("sync", "worker-1", 0.2) == 0
    finally:
        deaf.close()


def test_an_unreachable_redis_is_a_store_unavailable_naming_it() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    feed = RedisStore(url, "nowhere").feed()
    try:
        with pytest.raises(StoreUnavailable) as raised:
            feed.calls()
        assert raised.value.url == url
        with pytest.raises(StoreUnavailable):
            feed.publish_calls([b"a"], 0, 10)
    finally:
        feed.close()
