"""What only the Redis store does: prefixes, an optional dependency, an engine that can go away."""

from __future__ import annotations

import sys
import uuid

import pytest
from redis_server import RedisServer, running_redis

from mockery.store import StoreError, StoreUnavailable, open_store
from mockery.store.breaker import FIRST_WINDOW_SECONDS, CircuitBreaker
from mockery.store.redis import RedisStore, redacted


def test_a_missing_redis_package_names_the_install_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(StoreError, match=r"needs the redis package: pip install 'mockery\[redis\]'") as refused:
        open_store("redis://:hunter2@127.0.0.1:1/0")
    assert "hunter2" not in str(refused.value)


def test_prefixes_keep_deployments_apart_and_reset_only_its_own(redis_server: RedisServer) -> None:
    name = uuid.uuid4().hex
    one, other = open_store(redis_server.url, prefix=f"a{name}"), open_store(redis_server.url, prefix=f"b{name}")
    try:
        one.put_record("users", "1", {"n": 1})
        other.set_value("k", "v")
        assert other.changes("users") == {}
        one.reset()
        assert one.changes("users") == {}
        assert other.get_value("k") == "v"
    finally:
        other.reset()
        one.close()
        other.close()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_unreachable_redis_raises_store_unavailable_then_recovers() -> None:
    clock = Clock()
    with running_redis() as server:
        store = RedisStore(server.url, f"t{uuid.uuid4().hex}", breaker=CircuitBreaker(clock=clock))
        store.set_value("k", "v")
        server.stop()
        with pytest.raises(StoreUnavailable, match=rf"the state store {server.url} is unavailable") as raised:
            store.get_value("k")
        assert raised.value.url == server.url
        server.start()
        with pytest.raises(StoreUnavailable, match=r"next try in 1\.0 s"):
            store.get_value("k")  # the breaker is open: not tried before the window has passed
        clock.now += FIRST_WINDOW_SECONDS
        assert store.get_value("k") is None  # a Redis without persistence comes back empty
        store.set_value("k", "again")
        assert store.get_value("k") == "again"
        store.close()


@pytest.mark.slow
def test_a_hung_redis_times_out_once_then_calls_are_refused_without_waiting_until_it_answers_again() -> None:
    clock = Clock()
    with running_redis() as server:
        store = RedisStore(server.url, f"t{uuid.uuid4().hex}", breaker=CircuitBreaker(clock=clock))
        store.set_value("k", "v")
        with server.paused():
            with pytest.raises(StoreUnavailable, match="Timeout") as timed_out:
                store.get_value("k")
            assert "next try" not in str(timed_out.value)  # this one waited for the socket
            for call in (lambda: store.get_value("k"), store.ping, store.reset, lambda: store.next_id("c", 0)):
                with pytest.raises(StoreUnavailable, match=r"Timeout.*; next try in 1\.0 s"):
                    call()  # refused by the breaker, before any socket
            clock.now += FIRST_WINDOW_SECONDS
            with pytest.raises(StoreUnavailable, match="Timeout") as probed:
                store.get_value("k")  # the probe: it waits for the socket, and fails
            assert "next try" not in str(probed.value)
            with pytest.raises(StoreUnavailable, match=r"next try in 2\.0 s"):
                store.get_value("k")  # the window doubled
        clock.now += 2 * FIRST_WINDOW_SECONDS
        assert store.get_value("k") == "v"  # the probe finds Redis back: closed again
        assert store.next_id("c", 0) == 1
        store.reset()
        assert store.get_value("k") is None
        store.close()


def test_a_password_is_never_shown() -> None:
    assert redacted("redis://:s3cret@cache:6379/0") == "redis://:***@cache:6379/0"
    assert redacted("redis://user:s3cret@cache/1") == "redis://user:***@cache/1"
    assert redacted("redis://cache:6379/0") == "redis://cache:6379/0"
    store = RedisStore("redis://:s3cret@127.0.0.1:1/0", prefix="p")
    assert repr(store) == "RedisStore('redis://:***@127.0.0.1:1/0', prefix='p')"
    with pytest.raises(StoreUnavailable) as raised:
        store.get_value("k")
    assert "s3cret" not in str(raised.value)


def test_a_bad_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="is not a Redis URL"):
        open_store("redis://127.0.0.1:notaport/0")
