"""A store whose calls are child spans of the request being answered, when tracing is on: a trace shows the
SQLite or Redis round trips a resource request made (``store get_change users``), and how long each took.

The memory store is not wrapped: its calls are dictionary operations that cost less than a span would, and
a trace of a request would list dozens of them. The span of the request is found through ``current`` (given
by the server: ``mockery.tracing.context.current``), so this module imports nothing of ``mockery.tracing``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

from mockery.store.base import Record, Store

_T = TypeVar("_T")


class SpanLike(Protocol):
    """What a store call needs of the request's span (``mockery.tracing.context.ActiveSpan``)."""

    def child(
        self, name: str, attributes: Mapping[str, str | bool | int | float], *, internal: bool = False
    ) -> AbstractContextManager[object]: ...


_SYSTEMS = {"sqlite": "sqlite", "redis": "redis", "rediss": "redis", "unix": "redis"}


class TracedStore:
    """``store``, each call a client span under the current request's span (``current()``; none: no span).
    Anything a backend has beyond the ``Store`` protocol is reached through it unchanged."""

    def __init__(self, store: Store, current: Callable[[], SpanLike | None]) -> None:
        self.store = store
        self.url = store.url
        self.shared = store.shared
        self.prefixed = store.prefixed
        self._current = current
        self._system = _SYSTEMS.get(store.url.split("://", 1)[0], "other")

    def __repr__(self) -> str:
        return repr(self.store)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def _call(self, operation: str, target: str, call: Callable[[], _T], **facts: str | int) -> _T:
        span = self._current()
        if span is None:
            return call()
        attributes: dict[str, str | bool | int | float] = {
            "db.system.name": self._system,
            "db.operation.name": operation,
            **facts,
        }
        # The name stays low in cardinality: the collection, not the record or the key (those are attributes).
        with span.child(f"store {operation} {target}".rstrip(), attributes):
            return call()

    def close(self) -> None:
        self.store.close()

    def reset(self) -> None:
        self._call("reset", "", self.store.reset)

    def get_change(self, collection: str, record_id: str) -> tuple[bool, Record | None]:
        return self._call(
            "get_change",
            collection,
            lambda: self.store.get_change(collection, record_id),
            **{"db.collection.name": collection, "mockery.record_id": record_id},
        )

    def put_record(self, collection: str, record_id: str, record: Record) -> None:
        self._call(
            "put_record",
            collection,
            lambda: self.store.put_record(collection, record_id, record),
            **{"db.collection.name": collection, "mockery.record_id": record_id},
        )

    def insert_record(self, collection: str, record_id: str, record: Record) -> bool:
        return self._call(
            "insert_record",
            collection,
            lambda: self.store.insert_record(collection, record_id, record),
            **{"db.collection.name": collection, "mockery.record_id": record_id},
        )

    def delete_record(self, collection: str, record_id: str) -> None:
        self._call(
            "delete_record",
            collection,
            lambda: self.store.delete_record(collection, record_id),
            **{"db.collection.name": collection, "mockery.record_id": record_id},
        )

    def changes(self, collection: str) -> Mapping[str, Record | None]:
        return self._call(
            "changes", collection, lambda: self.store.changes(collection), **{"db.collection.name": collection}
        )

    def next_id(self, collection: str, floor: int) -> int:
        return self._call(
            "next_id", collection, lambda: self.store.next_id(collection, floor), **{"db.collection.name": collection}
        )

    def get_value(self, key: str) -> str | None:
        return self._call("get_value", "", lambda: self.store.get_value(key), **{"mockery.store.key": key})

    def set_value(self, key: str, value: str) -> None:
        self._call("set_value", "", lambda: self.store.set_value(key, value), **{"mockery.store.key": key})

    def compare_and_set(self, key: str, expected: str | None, value: str, *, unset_as: str | None = None) -> bool:
        return self._call(
            "compare_and_set",
            "",
            lambda: self.store.compare_and_set(key, expected, value, unset_as=unset_as),
            **{"mockery.store.key": key},
        )

    def increment(self, key: str, amount: int = 1, *, ttl_seconds: float | None = None) -> int:
        return self._call(
            "increment",
            "",
            lambda: self.store.increment(key, amount, ttl_seconds=ttl_seconds),
            **{"mockery.store.key": key},
        )

    def count_in_window(self, key: str, window_seconds: float) -> tuple[int, float]:
        return self._call(
            "count_in_window",
            "",
            lambda: self.store.count_in_window(key, window_seconds),
            **{"mockery.store.key": key},
        )


def traced(store: Store, current: Callable[[], SpanLike | None]) -> Store:
    """``store`` with its calls traced, or ``store`` itself when it is the memory store (see above) or traced
    already."""
    if store.url.startswith("memory:") or isinstance(store, TracedStore):
        return store
    return TracedStore(store, current)
