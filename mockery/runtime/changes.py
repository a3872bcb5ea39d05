"""The in-process pub/sub of a running server, and the journal of WebSocket frames.

A resource write (``mockery.resources.rest``) is published on the topic ``resource:{service}:{resource}``, a
broadcast to a WebSocket route (the admin API, a resource change) on ``broadcast:{service}:{route}``. An event
stream or a WebSocket connection subscribes to the topics it follows for as long as it is open. Each
subscription holds at most ``size`` items: a consumer that does not keep up loses the oldest (counted in
``dropped``) rather than growing the server's memory without bound.

Everything runs on the server's event loop: ``publish`` is called from a request's answer, never from a
thread.
"""

from __future__ import annotations

import asyncio
import itertools
import weakref
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BUFFER = 256
MAX_FRAMES = 1000
# What the journal keeps of one frame: 1,000 frames of a 16 MiB message each would be 16 GiB.
MAX_FRAME_CHARS = 64 * 1024


def resource_topic(service: str, resource: str) -> str:
    return f"resource:{service}:{resource}"


def broadcast_topic(service: str, route: str) -> str:
    return f"broadcast:{service}:{route}"


@dataclass(frozen=True, slots=True)
class Change:
    """One item published on a topic: a resource write (``action`` create, update or delete, ``data`` the
    record) or a broadcast (``action`` ``broadcast``, ``data`` the message)."""

    topic: str
    action: str
    data: Any


class Subscription:
    """The items published on some topics since it was opened, oldest first, at most ``size`` of them."""

    __slots__ = ("__weakref__", "_items", "_ready", "dropped", "topics")

    def __init__(self, topics: tuple[str, ...], size: int) -> None:
        self.topics = topics
        self._items: deque[Change] = deque(maxlen=size)
        self._ready = asyncio.Event()
        self.dropped = 0

    def __repr__(self) -> str:
        return f"Subscription({list(self.topics)}, {len(self._items)} waiting)"

    def put(self, change: Change) -> None:
        if len(self._items) == self._items.maxlen:
            self.dropped += 1
        self._items.append(change)
        self._ready.set()

    async def get(self, timeout: float | None = None) -> Change | None:
        """The oldest waiting item; ``None`` when ``timeout`` seconds pass without one."""
        while not self._items:
            self._ready.clear()
            try:
                await asyncio.wait_for(self._ready.wait(), timeout)
            except TimeoutError:
                return None
        return self._items.popleft()


class Hub:
    """Topics and their subscriptions: ``open`` one, ``close`` it when the stream or connection ends."""

    def __init__(self) -> None:
        # Weak: a stream that never started (a refused answer) leaves no subscription behind.
        self._subscribers: dict[str, weakref.WeakSet[Subscription]] = {}

    def __repr__(self) -> str:
        return f"Hub({sorted(self._subscribers)})"

    def publish(self, topic: str, action: str, data: Any) -> int:
        """Hand ``data`` to every subscriber of ``topic``; how many there were."""
        subscribers = self._subscribers.get(topic, ())
        change = Change(topic, action, data)
        delivered = 0
        for subscription in list(subscribers):
            subscription.put(change)
            delivered += 1
        return delivered

    def subscribers(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))

    def open(self, topics: tuple[str, ...], size: int = DEFAULT_BUFFER) -> Subscription:
        subscription = Subscription(topics, size)
        for topic in topics:
            self._subscribers.setdefault(topic, weakref.WeakSet()).add(subscription)
        return subscription

    def close(self, subscription: Subscription) -> None:
        for topic in subscription.topics:
            found = self._subscribers.get(topic)
            if found is not None:
                found.discard(subscription)
                if not found:
                    del self._subscribers[topic]


@dataclass(frozen=True, slots=True)
class Frame:
    """One WebSocket frame (or the opening and closing of a connection) as the journal keeps it."""

    service: str
    route: str
    connection: int
    direction: str  # "in", "out", "open" or "close"
    data: str
    code: int | None = None

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "service": self.service,
            "route": self.route,
            "connection": self.connection,
            "direction": self.direction,
            "data": self.data,
        }
        if self.code is not None:
            shown["code"] = self.code
        return shown


@dataclass(slots=True)
class Frames:
    """The last ``MAX_FRAMES`` frames of every WebSocket connection (the first ``MAX_FRAME_CHARS`` of each),
    and the connections open now."""

    frames: deque[Frame] = field(default_factory=lambda: deque(maxlen=MAX_FRAMES))
    open: dict[int, tuple[str, str]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def connect(self, service: str, route: str, detail: str) -> int:
        number = next(self._ids)
        self.open[number] = (service, route)
        self.frames.append(Frame(service, route, number, "open", detail))
        return number

    def record(self, connection: int, direction: str, data: str, code: int | None = None) -> None:
        service, route = self.open.get(connection, ("", ""))
        if len(data) > MAX_FRAME_CHARS:
            data = f"{data[:MAX_FRAME_CHARS]}... ({len(data)} chars)"
        self.frames.append(Frame(service, route, connection, direction, data, code))

    def disconnect(self, connection: int, code: int | None) -> None:
        service, route = self.open.pop(connection, ("", ""))
        self.frames.append(Frame(service, route, connection, "close", "", code))

    def clear(self) -> None:
        self.frames.clear()

    def select(self, service: str | None = None, route: str | None = None) -> list[Frame]:
        return [
            frame
            for frame in self.frames
            if (service is None or frame.service == service) and (route is None or frame.route == route)
        ]

    def connections(self, service: str | None = None, route: str | None = None) -> int:
        return sum(
            1 for s, r in self.open.values() if (service is None or s == service) and (route is None or r == route)
        )
