"""The default store: dictionaries in the process, gone when it stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping

from mockery.store.base import Record


class MemoryStore:
    """Keeps everything in memory; safe to use from several threads."""

    shared = False
    prefixed = False

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._lock = threading.Lock()
        self._records: dict[str, dict[str, Record | None]] = {}
        self._ids: dict[str, int] = {}
        self._values: dict[str, str] = {}
        self._expiry: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"MemoryStore({self.url!r})"

    def close(self) -> None:
        return None

    def reset(self) -> None:
        with self._lock:
            self._records.clear()
            self._ids.clear()
            self._values.clear()
            self._expiry.clear()

    def get_change(self, collection: str, record_id: str) -> tuple[bool, Record | None]:
        changes = self._records.get(collection)
        if changes is None or record_id not in changes:
            return False, None
        record = changes[record_id]
        return True, (dict(record) if record is not None else None)

    def put_record(self, collection: str, record_id: str, record: Record) -> None:
        with self._lock:
            self._records.setdefault(collection, {})[record_id] = dict(record)

    def insert_record(self, collection: str, record_id: str, record: Record) -> bool:
        with self._lock:
            changes = self._records.setdefault(collection, {})
            if record_id in changes:
                return False
            changes[record_id] = dict(record)
            return True

    def delete_record(self, collection: str, record_id: str) -> None:
        with self._lock:
            self._records.setdefault(collection, {})[record_id] = None

    def changes(self, collection: str) -> Mapping[str, Record | None]:
        with self._lock:
            return dict(self._records.get(collection, {}))

    def next_id(self, collection: str, floor: int) -> int:
        with self._lock:
            value = max(self._ids.get(collection, 0), floor) + 1
            self._ids[collection] = value
            return value

    def get_value(self, key: str) -> str | None:
        with self._lock:
            self._expire(key)
            return self._values.get(key)

    def set_value(self, key: str, value: str) -> None:
        with self._lock:
            self._values[key] = value
            self._expiry.pop(key, None)

    def compare_and_set(self, key: str, expected: str | None, value: str, *, unset_as: str | None = None) -> bool:
        with self._lock:
            self._expire(key)
            if self._values.get(key, unset_as) != expected:
                return False
            self._expiry.pop(key, None)
            self._values[key] = value
            return True

    def increment(self, key: str, amount: int = 1, *, ttl_seconds: float | None = None) -> int:
        with self._lock:
            self._expire(key)
            if key not in self._values and ttl_seconds is not None:
                self._expiry[key] = time.monotonic() + ttl_seconds
            value = int(self._values.get(key, "0")) + amount
            self._values[key] = str(value)
            return value

    def count_in_window(self, key: str, window_seconds: float) -> tuple[int, float]:
        with self._lock:
            self._expire(key)
            now = time.monotonic()
            deadline = self._expiry.get(key) if key in self._values else None
            if deadline is None:
                deadline = self._expiry[key] = now + window_seconds
            count = int(self._values.get(key, "0")) + 1
            self._values[key] = str(count)
            return count, max(0.0, deadline - now)

    def _expire(self, key: str) -> None:
        deadline = self._expiry.get(key)
        if deadline is not None and time.monotonic() >= deadline:
            del self._expiry[key]
            self._values.pop(key, None)
