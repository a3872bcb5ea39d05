"""The request journal: what a server received and how it answered, bounded so it never grows without end.

Recording keeps the raw body; parsing it (JSON or text) waits until somebody reads the entry, so that a
server under load pays for one append per request.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockery.http.requests import query_map

DEFAULT_JOURNAL_SIZE = 1_000
UNMATCHED = "-"


@dataclass(frozen=True, slots=True)
class Call:
    """One request a server received, and what it answered."""

    service: str
    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    raw_body: bytes
    route: str
    status: int
    duration: float
    time: float = field(default_factory=time.time)

    @property
    def matched(self) -> bool:
        """Whether a route answered (``False`` for a 404 or 405 from mockery itself)."""
        return self.route != UNMATCHED

    @property
    def query(self) -> dict[str, Any]:
        return query_map(self.query_string)

    @property
    def body(self) -> Any:
        """The body as parsed JSON when it is JSON, otherwise text (``None`` when empty)."""
        if not self.raw_body:
            return None
        try:
            return orjson.loads(self.raw_body)
        except orjson.JSONDecodeError:
            return self.raw_body.decode("utf-8", errors="replace")

    def describe(self) -> str:
        query = f"?{self.query_string}" if self.query_string else ""
        return f"{self.method} {self.path}{query} -> {self.status} [{self.service}: {self.route}]"

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
            "route": self.route,
            "status": self.status,
            "duration_ms": round(self.duration * 1000, 3),
            "time": self.time,
        }


class Journal:
    """The last ``size`` calls, oldest first. Safe to read from another thread while the server records."""

    def __init__(self, size: int = DEFAULT_JOURNAL_SIZE) -> None:
        self.size = size
        self._calls: collections.deque[Call] = collections.deque(maxlen=size)
        self._lock = threading.Lock()

    def record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def calls(
        self,
        *,
        service: str | None = None,
        method: str | None = None,
        path: str | None = None,
        route: str | None = None,
        status: int | None = None,
    ) -> list[Call]:
        """The calls that fit every filter given, oldest first."""
        with self._lock:
            snapshot = list(self._calls)
        return [
            call
            for call in snapshot
            if (service is None or call.service == service)
            and (method is None or call.method == method.upper())
            and (path is None or call.path == path)
            and (route is None or call.route == route)
            and (status is None or call.status == status)
        ]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        return iter(self.calls())

    def __repr__(self) -> str:
        return f"Journal({len(self)}/{self.size} calls)"
