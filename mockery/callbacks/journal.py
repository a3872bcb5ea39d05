"""What happened to each callback delivery: its request, its attempts, and how it ended.

The dispatcher writes on the server's loop; tests read and wait from their own thread, so the journal holds a
lock and a condition. It keeps the last ``size`` deliveries.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

State = Literal["pending", "delivered", "failed", "refused", "cancelled"]
FINISHED: frozenset[str] = frozenset({"delivered", "failed", "refused", "cancelled"})
DEFAULT_SIZE = 1000
BODY_SHOWN = 64 * 1024


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try: the receiver's status (``None`` when none came), seconds taken, and the error, if any."""

    status: int | None
    latency: float
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "latency_ms": round(self.latency * 1000, 3), "error": self.error}


@dataclass(slots=True)
class Delivery:
    """One callback request and what became of it (``state``: pending, delivered, failed, refused, cancelled)."""

    id: int
    service: str
    route: str
    name: str
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    state: State = "pending"
    attempts: list[Attempt] = field(default_factory=list)
    error: str = ""
    created: float = field(default_factory=time.time)

    @property
    def status(self) -> int | None:
        """The status of the last attempt, if one got an answer."""
        return self.attempts[-1].status if self.attempts else None

    @property
    def json(self) -> Any:
        """The body parsed as JSON (``ValueError`` if it is not)."""
        return orjson.loads(self.body)

    def as_dict(self) -> dict[str, Any]:
        body = self.body[:BODY_SHOWN].decode("utf-8", "replace")
        return {
            "id": self.id,
            "service": self.service,
            "route": self.route,
            "name": self.name,
            "method": self.method,
            "url": self.url,
            "state": self.state,
            "status": self.status,
            "error": self.error,
            "attempts": [attempt.as_dict() for attempt in self.attempts],
            "request": {"headers": self.headers, "body": body},
        }

    def __repr__(self) -> str:
        return f"Delivery({self.method} {self.url} {self.state}, {len(self.attempts)} attempts)"


class CallbackJournal:
    """The last ``size`` deliveries, oldest first, and how many were dropped because the queue was full."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._deliveries: deque[Delivery] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._changed = threading.Condition()
        self.dropped = 0

    def new(self, **fields: Any) -> Delivery:
        with self._changed:
            delivery = Delivery(id=next(self._ids), **fields)
            self._deliveries.append(delivery)
            self._changed.notify_all()
            return delivery

    def update(self, change: Callable[[], None]) -> None:
        """Apply ``change`` (to a delivery) under the lock, and wake whoever waits."""
        with self._changed:
            change()
            self._changed.notify_all()

    def drop(self) -> None:
        with self._changed:
            self.dropped += 1
            self._changed.notify_all()

    def deliveries(self) -> list[Delivery]:
        with self._changed:
            return list(self._deliveries)

    def clear(self) -> None:
        with self._changed:
            self._deliveries.clear()
            self.dropped = 0
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float) -> list[Delivery]:
        """The finished deliveries, once there are at least ``count`` of them; ``TimeoutError`` after ``timeout``
        seconds, naming what there is."""

        def finished() -> list[Delivery]:
            return [delivery for delivery in self._deliveries if delivery.state in FINISHED]

        with self._changed:
            if self._changed.wait_for(lambda: len(finished()) >= count, timeout):
                return finished()
            shown = [repr(delivery) for delivery in self._deliveries][-5:]
            raise TimeoutError(
                f"{len(finished())} of {count} callback deliveries finished within {timeout:g} s; "
                f"deliveries: {shown or 'none'}"
            )

    def report(self) -> dict[str, Any]:
        with self._changed:
            deliveries = [delivery.as_dict() for delivery in self._deliveries]
            pending = sum(1 for delivery in self._deliveries if delivery.state == "pending")
            return {"deliveries": deliveries, "pending": pending, "dropped": self.dropped, "capacity": self.size}

    def __len__(self) -> int:
        return len(self._deliveries)

    def __repr__(self) -> str:
        return f"CallbackJournal({len(self)} deliveries, {self.dropped} dropped)"
