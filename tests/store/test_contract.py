"""The store contract: every backend passes the same tests (add a backend to STORES to enroll it)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mockery.store import MemoryStore, Store, StoreError, open_store, store_type


def memory_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return MemoryStore()


def sqlite_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path}/state.db")


def redis_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    server = request.getfixturevalue("redis_server")
    # A prefix per test: reset() in one test must not touch another's keys.
    return open_store(server.url, prefix=f"contract-{uuid.uuid4().hex}")


STORES: dict[str, Callable[[pytest.FixtureRequest, Path], Store]] = {
    "memory": memory_store,
    "sqlite": sqlite_store,
    "redis": redis_store,
}


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = STORES[request.param](request, tmp_path)
    yield opened
    opened.reset()
    opened.close()


def test_is_a_store(store: Store) -> None:
    assert isinstance(store, Store)


def test_says_what_it_is_as_its_url_type_does(store: Store) -> None:
    kind = store_type(store.url)
    assert type(store) is kind
    assert (store.shared, store.prefixed) == (kind.shared, kind.prefixed)
    # Only an embedded store keeps what one process sees; only a networked one holds several deployments.
    assert store.shared == (not isinstance(store, MemoryStore))
    assert store.prefixed == (kind.__name__ == "RedisStore")


@pytest.mark.parametrize("url", ["memcached://host", "state.db", ""])
def test_an_unknown_url_names_the_supported_schemes(url: str) -> None:
    with pytest.raises(StoreError, match="supported: memory://, sqlite:///path, redis://host:port/db"):
        store_type(url)


def test_untouched_records_have_no_change(store: Store) -> None:
    assert store.get_change("users", "1") == (False, None)
    assert store.changes("users") == {}


def test_put_replace_and_delete(store: Store) -> None:
    store.put_record("users", "1", {"name": "Ada"})
    store.put_record("users", "1", {"name": "Grace"})
    assert store.get_change("users", "1") == (True, {"name": "Grace"})
    store.delete_record("users", "2")
    assert store.get_change("users", "2") == (True, None)
    assert store.changes("users") == {"1": {"name": "Grace"}, "2": None}
    assert store.changes("orders") == {}


def test_a_returned_record_is_a_copy(store: Store) -> None:
    store.put_record("users", "1", {"name": "Ada"})
    _, record = store.get_change("users", "1")
    assert record is not None
    record["name"] = "changed"
    assert store.get_change("users", "1") == (True, {"name": "Ada"})


def test_insert_only_when_absent(store: Store) -> None:
    assert store.insert_record("users", "9", {"n": 1})
    assert not store.insert_record("users", "9", {"n": 2})
    assert store.get_change("users", "9") == (True, {"n": 1})


def test_ids_grow_past_the_floor_and_never_repeat(store: Store) -> None:
    assert store.next_id("users", 100) == 101
    assert store.next_id("users", 100) == 102
    assert store.next_id("users", 500) == 501
    assert store.next_id("orders", 0) == 1


def test_ids_are_distinct_under_concurrency(store: Store) -> None:
    ids: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(50):
            value = store.next_id("users", 10)
            with lock:
                ids.append(value)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ids) == list(range(11, 211))


def test_values_set_get_and_compare_and_set(store: Store) -> None:
    assert store.get_value("scenario:checkout") is None
    assert store.compare_and_set("scenario:checkout", None, "pending")
    assert not store.compare_and_set("scenario:checkout", "started", "paid")
    assert store.compare_and_set("scenario:checkout", "pending", "paid")
    store.set_value("scenario:checkout", "shipped")
    assert store.get_value("scenario:checkout") == "shipped"


def test_increment_with_and_without_a_window(store: Store) -> None:
    assert store.increment("seq:a") == 1
    assert store.increment("seq:a", 4) == 5
    assert store.increment("rate:a", ttl_seconds=60) == 1
    assert store.increment("rate:a", ttl_seconds=60) == 2


def test_a_window_expires(store: Store) -> None:
    assert store.increment("rate:b", ttl_seconds=0.0) == 1
    assert store.increment("rate:b", ttl_seconds=0.0) == 1


def test_reset_forgets_everything(store: Store) -> None:
    store.put_record("users", "1", {"name": "Ada"})
    store.next_id("users", 5)
    store.set_value("k", "v")
    store.reset()
    assert store.changes("users") == {}
    assert store.next_id("users", 5) == 6
    assert store.get_value("k") is None


def test_unknown_scheme_names_the_supported_ones() -> None:
    with pytest.raises(
        StoreError, match=r"unknown state store 'mongo://x'; supported: memory://, sqlite:///path, redis://host:port/db"
    ):
        open_store("mongo://x")


def test_changes_keep_the_order_of_first_writing(store: Store) -> None:
    for key in ("b", "a", "c"):
        store.put_record("users", key, {"k": key})
    store.put_record("users", "b", {"k": "b2"})
    assert list(store.changes("users")) == ["b", "a", "c"]


def test_compare_and_set_can_count_an_unset_key_as_a_value(store: Store) -> None:
    assert not store.compare_and_set("scenario:s", "started", "paid")
    assert store.compare_and_set("scenario:s", "started", "paid", unset_as="started")
    assert not store.compare_and_set("scenario:s", "started", "shipped", unset_as="started")
    assert store.compare_and_set("scenario:s", "paid", "started", unset_as="started")
    assert store.get_value("scenario:s") == "started"
    assert store.compare_and_set("scenario:s", "started", "paid", unset_as="started")


def test_counts_in_a_window_and_says_how_long_it_lasts(store: Store) -> None:
    count, left = store.count_in_window("rate:w", 60)
    assert count == 1
    assert 59 < left <= 60
    count, left = store.count_in_window("rate:w", 60)
    assert count == 2
    assert 0 < left <= 60
    assert store.count_in_window("rate:zero", 0.0)[0] == 1
    assert store.count_in_window("rate:zero", 0.0)[0] == 1


def race(store: Store, work: Callable[[int], object], threads: int = 8) -> list[object]:
    """Run ``work(n)`` on ``threads`` threads at once; their results, in no particular order."""
    results: list[object] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def run(number: int) -> None:
        barrier.wait()
        value = work(number)
        with lock:
            results.append(value)

    running = [threading.Thread(target=run, args=(number,)) for number in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return results


def test_only_one_insert_of_an_id_wins_a_race(store: Store) -> None:
    results = race(store, lambda number: store.insert_record("users", "42", {"by": number}))
    assert results.count(True) == 1
    _, record = store.get_change("users", "42")
    assert record is not None
    assert set(record) == {"by"}


def test_only_one_compare_and_set_wins_a_race(store: Store) -> None:
    results = race(store, lambda number: store.compare_and_set("s", "started", f"next{number}", unset_as="started"))
    assert results.count(True) == 1


def test_increments_and_window_counts_lose_nothing_in_a_race(store: Store) -> None:
    counts = race(store, lambda _: store.increment("seq:r", ttl_seconds=60))
    assert sorted(counts) == list(range(1, 9))  # type: ignore[type-var]
    windows = race(store, lambda _: store.count_in_window("rate:r", 60)[0])
    assert sorted(windows) == list(range(1, 9))  # type: ignore[type-var]
