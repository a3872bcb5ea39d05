"""The request journal: what a server received and how it answered, bounded so it never grows without end.

Recording keeps the raw body; parsing it (JSON or text) waits until somebody reads the entry, so that a
server under load pays for one append per request. Every call gets a sequence number that ``clear()`` does
not reset, so that a reader can ask for the calls made since a ``mark()`` (one test of many sharing a server)
even after older calls have left the bounded journal.

``subscribe()`` lets a reader (the dashboard's live stream) be told of each call as it is recorded: every
subscriber has a bounded queue of its own that drops its oldest entries, counting them, when the reader falls
behind, so a slow reader never slows the server or holds memory without end.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import orjson

from mockery.http.requests import query_map

DEFAULT_JOURNAL_SIZE = 1_000
UNMATCHED = "-"


class AnswerHeaders(Mapping[str, str]):
    """An answer's raw header pairs read as text only when someone looks: the journal keeps every answer's
    headers, but decoding them is a test's or the dashboard's cost, not each request's."""

    __slots__ = ("_decoded", "_raw")

    def __init__(self, raw: Iterable[tuple[bytes, bytes]]) -> None:
        self._raw = raw
        self._decoded: dict[str, str] | None = None

    def pairs(self) -> list[tuple[str, str]]:
        """The pairs as text, in order, decoded now and not kept (what a worker sends to the shared journal)."""
        return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in self._raw]

    def _headers(self) -> dict[str, str]:
        if self._decoded is None:
            self._decoded = {name.decode("latin-1"): value.decode("latin-1") for name, value in self._raw}
        return self._decoded

    def __getitem__(self, name: str) -> str:
        return self._headers()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers())

    def __len__(self) -> int:
        return len(self._headers())

    def __repr__(self) -> str:
        return repr(self._headers())


@dataclass(frozen=True, slots=True)
class Call:
    """One request a server received, and what it answered: ``service``, ``method``, ``path``, ``query`` (parsed
    from ``query_string``), ``headers`` (lower-case names), ``body`` (parsed from ``raw_body``); ``route`` (the
    route that answered, ``"-"`` for none), ``status``, ``response_headers`` and ``response_body`` (read back as
    ``response_json`` or ``response_text``; empty when the listener that recorded the call did not keep them),
    ``duration`` in seconds and ``time`` (Unix time). A call read from a journal that several workers share
    (``mockery serve --workers N`` on Redis) is a ``WorkerCall``, which names the worker that answered."""

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
    response_headers: Mapping[str, str] = field(default_factory=dict)
    response_body: bytes = b""

    @property
    def matched(self) -> bool:
        """Whether a route answered (``False`` for a 404 or 405 from mockery itself)."""
        return self.route != UNMATCHED

    @property
    def query(self) -> dict[str, Any]:
        return query_map(self.query_string)

    @property
    def url(self) -> str:
        """The path and query as the client sent them, e.g. ``/orders?status=paid``."""
        return f"{self.path}?{self.query_string}" if self.query_string else self.path

    @property
    def body(self) -> Any:
        """The body as parsed JSON when it is JSON, otherwise text (``None`` when empty)."""
        return _parsed(self.raw_body)

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.raw_body.decode("utf-8", errors="replace")

    @property
    def response_json(self) -> Any:
        """The answer's body as parsed JSON when it is JSON, otherwise text (``None`` when empty)."""
        return _parsed(self.response_body)

    @property
    def response_text(self) -> str:
        """The answer's body as text (UTF-8, undecodable bytes replaced)."""
        return self.response_body.decode("utf-8", errors="replace")

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


@dataclass(frozen=True, slots=True)
class WorkerCall(Call):
    """A call as a journal shared by workers holds it: ``worker`` is the process that answered (``host:pid``).
    (A subclass, so that a server of one process builds its calls exactly as before.)"""

    worker: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {**Call.as_dict(self), "worker": self.worker}


# The fields of a ``Call`` in their order, ``time`` included: how the request path journals a call.
CallFields = tuple[str, str, str, str, dict[str, str], bytes, str, int, float, float, Mapping[str, str], bytes]


def _parsed(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw.decode("utf-8", errors="replace")


DEFAULT_SUBSCRIBER_QUEUE = 1_000


class Subscription:
    """The calls recorded since ``Journal.subscribe()``, numbered: read them with ``take()``; ``dropped`` counts
    those lost because the queue (``size`` entries) was full. ``notify`` is called (from the recording thread)
    after each call is queued. ``close()`` (or leaving a ``with`` block) unsubscribes."""

    def __init__(self, journal: Journal, size: int, notify: Callable[[], None]) -> None:
        self._journal = journal
        self._queue: collections.deque[tuple[int, Call]] = collections.deque()
        self._lock = threading.Lock()
        self.size = size
        self.dropped = 0
        self.notify = notify

    def put(self, number: int, call: Call) -> None:
        with self._lock:
            if len(self._queue) >= self.size:
                self._queue.popleft()
                self.dropped += 1
            self._queue.append((number, call))
        self.notify()

    def take(self) -> list[tuple[int, Call]]:
        """Every queued call, oldest first, emptying the queue."""
        with self._lock:
            taken = list(self._queue)
            self._queue.clear()
        return taken

    def close(self) -> None:
        self._journal.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Subscription({len(self._queue)}/{self.size} queued, {self.dropped} dropped)"


class Journal:
    """The last ``size`` calls, oldest first. Safe to read from another thread while the server records."""

    def __init__(self, size: int = DEFAULT_JOURNAL_SIZE) -> None:
        self.size = size
        # A call is kept as the tuple of its fields until someone reads it (``CallFields``): building a ``Call``
        # is most of what journaling a request would cost, and most calls are never read.
        self._calls: collections.deque[tuple[int, Call | CallFields]] = collections.deque(maxlen=size)
        self._recorded = 0
        self._lock = threading.Lock()
        self._subscribers: tuple[Subscription, ...] = ()

    def record(self, call: Call | CallFields) -> None:
        """Keep ``call``: a ``Call``, or the tuple of its fields in their order (``CallFields``, ``time``
        included), which the request path passes so that a ``Call`` is built only when read."""
        with self._lock:
            number = self._recorded
            self._calls.append((number, call))
            self._recorded += 1
            subscribers = self._subscribers
        if subscribers:
            built = Call(*call) if type(call) is tuple else cast(Call, call)
            for subscriber in subscribers:
                subscriber.put(number, built)

    def _built(self) -> collections.deque[tuple[int, Call]]:
        """The kept calls, every one a ``Call`` (built now for those kept as fields); call with the lock held."""
        if any(type(call) is tuple for _, call in self._calls):
            self._calls = collections.deque(
                ((number, Call(*call) if type(call) is tuple else call) for number, call in self._calls),
                maxlen=self.size,
            )
        return cast("collections.deque[tuple[int, Call]]", self._calls)

    def subscribe(
        self, notify: Callable[[], None], *, since: int | None = None, size: int = DEFAULT_SUBSCRIBER_QUEUE
    ) -> tuple[Subscription, list[tuple[int, Call]]]:
        """A subscription to the calls recorded from now on, and the journal's calls numbered ``since`` and
        later (none when ``since`` is ``None``): together, with no call missed or told twice."""
        subscription = Subscription(self, size, notify)
        with self._lock:
            backlog = [] if since is None else [(number, call) for number, call in self._built() if number >= since]
            self._subscribers = (*self._subscribers, subscription)
        return subscription, backlog

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers = tuple(known for known in self._subscribers if known is not subscription)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def recorded_since(self, number: int) -> tuple[list[tuple[int, Call | CallFields]], int]:
        """The kept calls numbered ``number`` and later, and the number the next call will get: what a worker
        sharing its journal has not sent yet (calls that already left the bounded journal are not kept)."""
        with self._lock:
            # As kept (a ``Call`` or its fields): building Calls here would hold the lock the request path takes.
            return [(known, call) for known, call in self._calls if known >= number], self._recorded

    def mark(self) -> int:
        """A mark of now: ``calls(since=mark)`` lists only the calls recorded after it (``clear()`` keeps it)."""
        with self._lock:
            return self._recorded

    def calls(
        self,
        *,
        service: str | None = None,
        method: str | None = None,
        path: str | None = None,
        route: str | None = None,
        status: int | None = None,
        since: int | None = None,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """The calls that fit every filter given, oldest first: ``since`` a ``mark()``, and ``where`` a
        predicate (``MockServer.calls(...)`` filters by the conditions of a spec's ``match:`` with one)."""
        snapshot = [call for number, call in self._numbered() if since is None or number >= since]
        return [
            call
            for call in snapshot
            if (service is None or call.service == service)
            and (method is None or call.method == method.upper())
            and (path is None or call.path == path)
            and (route is None or call.route == route)
            and (status is None or call.status == status)
            and (where is None or where(call))
        ]

    def _numbered(self) -> list[tuple[int, Call]]:
        """Every kept call with its number, oldest first (a journal shared by workers reads theirs too)."""
        with self._lock:
            return list(self._built())

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        return iter(self.calls())

    def __repr__(self) -> str:
        return f"Journal({len(self)}/{self.size} calls)"
