"""The traced store: every call of the ``Store`` protocol is a child span of the current request's span, and
answers as the backend does; without a span, or on the memory store, nothing is added."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from mockery.store import MemoryStore, SqliteStore, Store
from mockery.store.traced import TracedStore, traced


class _Span:
    """Keeps the child spans asked of it."""

    def __init__(self) -> None:
        self.children: list[tuple[str, dict[str, object]]] = []

    @contextmanager
    def child(
        self, name: str, attributes: Mapping[str, str | bool | int | float], *, internal: bool = False
    ) -> Iterator[object]:
        assert not internal
        self.children.append((name, dict(attributes)))
        yield self


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(f"sqlite:///{tmp_path / 'state.db'}")
    yield store
    store.close()


def test_every_call_is_a_span_and_answers_as_the_backend(sqlite: SqliteStore) -> None:
    span = _Span()
    store: Store = traced(sqlite, lambda: span)
    assert isinstance(store, TracedStore)
    assert isinstance(store, Store)
    assert repr(store) == repr(sqlite)
    assert (store.url, store.shared, store.prefixed) == (sqlite.url, sqlite.shared, sqlite.prefixed)
    store.put_record("s.users", "1", {"id": 1})
    assert store.insert_record("s.users", "2", {"id": 2}) is True
    assert store.get_change("s.users", "1") == (True, {"id": 1})
    store.delete_record("s.users", "2")
    assert dict(store.changes("s.users")) == {"1": {"id": 1}, "2": None}
    assert store.next_id("s.users", 10) == 11
    store.set_value("k", "v")
    assert store.get_value("k") == "v"
    assert store.compare_and_set("k", "v", "w") is True
    assert store.increment("n", 2) == 2
    assert store.count_in_window("w", 60)[0] == 1
    store.reset()
    assert store.get_value("k") is None
    names = [name for name, _ in span.children]
    assert names[:6] == [
        "store put_record s.users",
        "store insert_record s.users",
        "store get_change s.users",
        "store delete_record s.users",
        "store changes s.users",
        "store next_id s.users",
    ]
    assert names[6:] == ["store set_value", "store get_value", "store compare_and_set", "store increment",
                         "store count_in_window", "store reset", "store get_value"]  # fmt: skip
    _, read = span.children[2]
    assert read == {"db.system.name": "sqlite", "db.operation.name": "get_change", "db.collection.name": "s.users",
                    "mockery.record_id": "1"}  # fmt: skip
    assert span.children[6][1]["mockery.store.key"] == "k"


def test_without_a_span_calls_go_straight_to_the_backend(sqlite: SqliteStore) -> None:
    store = traced(sqlite, lambda: None)
    store.set_value("k", "v")
    assert sqlite.get_value("k") == "v"


def test_what_a_backend_has_beyond_the_protocol_is_reached_through_it(sqlite: SqliteStore) -> None:
    store = TracedStore(sqlite, lambda: None)
    assert store.store is sqlite
    assert store.path == sqlite.path  # SqliteStore's own attribute
    assert getattr(store, "feed", None) is None  # what sharing asks of a store: only Redis has it


def test_the_memory_store_is_not_wrapped() -> None:
    memory = MemoryStore()
    assert traced(memory, _Span) is memory


def test_a_failing_call_fails_as_it_would_and_its_span_ends() -> None:
    class Broken(MemoryStore):
        def get_value(self, key: str) -> str | None:
            raise RuntimeError("down")

    span = _Span()
    broken = Broken()
    broken.url = "redis://127.0.0.1:1/0"  # a Redis store, as far as the span says
    store = traced(broken, lambda: span)
    with pytest.raises(RuntimeError, match="down"):
        store.get_value("k")
    assert span.children == [("store get_value", {"db.system.name": "redis", "db.operation.name": "get_value",
                                                  "mockery.store.key": "k"})]  # fmt: skip


def test_a_store_a_traced_server_opens_is_traced_and_a_worker_gets_one_too(tmp_path: Path) -> None:
    from mockery.load.loader import load_specs
    from mockery.server.options import ServerOptions

    specs = load_specs([], inline="service: x\nroutes:\n  - path: /x\n    response: {body: ok}\n")
    url = f"sqlite:///{tmp_path / 'state.db'}"
    traced_one = ServerOptions(state=url, trace="on").open_store(specs)  # what build_server and each worker open
    plain = ServerOptions(state=url, trace="off").open_store(specs)
    memory = ServerOptions(trace="on").open_store(specs)
    try:
        assert isinstance(traced_one, TracedStore)
        assert traced(traced_one, _Span) is traced_one  # wrapped once, however often asked
        assert isinstance(plain, SqliteStore)
        assert isinstance(memory, MemoryStore)
    finally:
        traced_one.close()
        plain.close()
