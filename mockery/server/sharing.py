"""The journal, the metrics and the runtime routes of ``mockery serve --workers N`` on Redis, shared by every
worker (and by every replica with workers serving the same prefix).

A request pays what it pays in a single process: the listener appends its call to the worker's own journal
and counts it in its own metrics; nothing touches Redis on the request's path. A background thread per
worker sends the calls recorded since its last turn every ``FLUSH_SECONDS``, or ``BUSY_FLUSH_SECONDS`` while
its journal overflows between turns (at most the journal's capacity per turn: older ones could not stay in a
journal of that size anyway), and a snapshot of its metrics when they changed (``mockery.store.shared`` says
where they go).

A reader must see every call answered before it asked, whichever worker answered: so reading the journal or
the metrics first raises a barrier. Every listening worker sends what it has not sent yet and acknowledges;
the reader waits for as many acknowledgements as Redis counted listeners (``BARRIER_SECONDS`` at most, so
a wedged worker delays an admin call, never blocks it), then reads the shared journal (calls ordered by
the time they arrived) or adds up every worker's snapshot. Clearing the journal is a barrier too: each
worker drops what it has not sent, then the shared list goes.

A runtime route is published (its definition, the service and its index, so that every worker builds the
same route with the same seeds) before a barrier at which every other worker rebuilds its runtime routes
from the published set on its own loop: when ``POST /__mockery/routes`` has answered, every worker serves
the route. A route a Python function answers (``MockServer.stub(handler=...)``) cannot be sent: it is never
shared, and only ``MockServer`` (one process) makes one.

A reader that follows the journal (the dashboard's stream) is told of every worker's calls by the background
thread, which reads what was sent since its last turn. The ``per_call`` routes count in the store instead
(``Runtime.share_calls``): one round trip per such call, the price of one sequence for all the workers.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import socket
import sys
import threading
from asyncio import AbstractEventLoop
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import orjson

from mockery.http.journal import (
    DEFAULT_SUBSCRIBER_QUEUE,
    AnswerHeaders,
    Call,
    CallFields,
    Journal,
    Subscription,
    WorkerCall,
)
from mockery.http.metrics import Metrics, Totals, merge
from mockery.store.base import Store, StoreError
from mockery.store.shared import Feed, Listener

FLUSH_SECONDS = 0.25
# A worker whose journal overflows between two turns is busy: it sends once a second, so that sending costs it
# at most one journal's worth of calls a second (each ~13,000 instructions to encode).
BUSY_FLUSH_SECONDS = 1.0
BARRIER_SECONDS = 1.0


def feed_of(store: Store) -> Feed | None:
    """The store's ``Feed`` when it has one (Redis), else ``None``: sharing then stays off."""
    feed: Callable[[], Feed] | None = getattr(store, "feed", None)
    return feed() if feed is not None else None


@dataclass(frozen=True, slots=True)
class SharedRoute:
    """A runtime route as the workers publish it: enough to build the same ``Route`` in every process."""

    id: str
    service: str
    index: int
    raw: Any
    environ: Mapping[str, str] | None

    def encode(self) -> bytes:
        environ = None if self.environ is None else dict(self.environ)
        return orjson.dumps([self.service, self.index, self.raw, environ])

    @classmethod
    def decode(cls, route_id: str, data: bytes) -> SharedRoute:
        service, index, raw, environ = orjson.loads(data)
        return cls(route_id, service, index, raw, environ)


def encode_call(call: Call | CallFields, worker: str) -> bytes:
    """One call as the shared journal keeps it (bodies as latin-1 text: every byte survives the trip): a
    ``Call`` or, as the request path journals it, the tuple of its fields."""
    fields = call if type(call) is tuple else astuple_of(cast(Call, call))
    service, method, path, query, headers, body, route, status, duration, at, answer_headers, answer = fields
    return orjson.dumps(
        [
            service,
            method,
            path,
            query,
            headers,
            body.decode("latin-1"),
            route,
            status,
            duration,
            at,
            answer_headers.pairs() if isinstance(answer_headers, AnswerHeaders) else list(answer_headers.items()),
            answer.decode("latin-1"),
            worker,
        ]
    )


def astuple_of(call: Call) -> CallFields:
    """The fields of ``call`` in their order (``CallFields``)."""
    return (
        call.service,
        call.method,
        call.path,
        call.query_string,
        call.headers,
        call.raw_body,
        call.route,
        call.status,
        call.duration,
        call.time,
        call.response_headers,
        call.response_body,
    )


def decode_call(entry: bytes) -> WorkerCall:
    (service, method, path, query, headers, body, route, status, duration, at, answer_headers, answer, worker) = (
        orjson.loads(entry)
    )
    return WorkerCall(
        service,
        method,
        path,
        query,
        headers,
        body.encode("latin-1"),
        route,
        status,
        duration,
        at,
        response_headers=dict(answer_headers),
        response_body=answer.encode("latin-1"),
        worker=worker,
    )


class SharedJournal(Journal):
    """A worker's journal: it records like any journal (its calls go out in the background); it reads, marks
    and clears the deployment's."""

    def __init__(self, size: int, sharing: Sharing) -> None:
        super().__init__(size)
        self._sharing = sharing

    def _numbered(self) -> list[tuple[int, Call]]:
        return self._sharing.shared_calls()

    def mark(self) -> int:
        self._sharing.sync()
        return self._sharing.feed.count()

    def subscribe(
        self, notify: Callable[[], None], *, since: int | None = None, size: int = DEFAULT_SUBSCRIBER_QUEUE
    ) -> tuple[Subscription, list[tuple[int, Call]]]:
        """Every worker's calls from now on (told by the background thread, a turn or two after they were
        answered), and the shared journal's calls numbered ``since`` and later."""
        subscription = Subscription(self, size, notify)
        return subscription, self._sharing.watch(subscription, since)

    def unsubscribe(self, subscription: Subscription) -> None:
        self._sharing.unwatch(subscription)

    def clear(self) -> None:
        self._sharing.clear_calls()

    def __len__(self) -> int:
        return len(self._sharing.shared_calls())

    def __repr__(self) -> str:
        return f"SharedJournal({self._sharing.worker!r}, {self.size} calls at most)"


class SharedMetrics(Metrics):
    """A worker's metrics: it counts its own requests and renders the sum of every worker's."""

    def __init__(self, sharing: Sharing) -> None:
        super().__init__()
        self._sharing = sharing

    def totals(self) -> Totals:
        self._sharing.sync()
        return merge(orjson.loads(snapshot) for snapshot in self._sharing.feed.metrics())

    def __repr__(self) -> str:
        return f"SharedMetrics({self._sharing.worker!r})"


class Sharing:
    """One worker's side of the sharing: its journal and metrics, the thread that sends them, and the
    verbs the server calls to publish runtime routes."""

    def __init__(self, feed: Feed, journal_size: int, *, worker: str | None = None) -> None:
        self.feed = feed
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.journal = SharedJournal(journal_size, self)
        self.metrics = SharedMetrics(self)
        self._sent = 0  # the local number of the first call not sent yet
        self._sent_metrics = b""
        self._flushing = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: AbstractEventLoop | None = None
        self._adopt: Callable[[list[SharedRoute]], None] | None = None
        # Readers following the shared journal (the dashboard's stream): each with the next number it wants.
        self._watchers: dict[Subscription, int] = {}
        self._watching = threading.Lock()

    def __repr__(self) -> str:
        return f"Sharing({self.worker!r}, {self.feed!r})"

    def start(self, loop: AbstractEventLoop, adopt: Callable[[list[SharedRoute]], None]) -> None:
        """Listen for barriers and send in the background from now on; ``adopt`` (called on ``loop``) serves
        the runtime routes published, which it is given at once."""
        self._loop, self._adopt = loop, adopt
        listener: Listener | None = None
        # Listening before serving: no barrier from now on misses this worker. A Redis away at start is
        # not fatal, as it is not for the state (503 until it returns): the thread listens once it can.
        with contextlib.suppress(StoreError):
            listener = self.feed.listen()
            adopt(self.published_routes())
        self._thread = threading.Thread(target=self._run, args=(listener,), name="mockery-sharing", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Send what is left, stop the thread and close the connections."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(BARRIER_SECONDS * 2)
        with contextlib.suppress(StoreError):
            self.flush()
        self.feed.close()

    def _run(self, listener: Listener | None) -> None:
        failed = False
        interval = FLUSH_SECONDS
        try:
            while not self._stopping.is_set():
                try:
                    if listener is None:
                        listener = self.feed.listen()
                        self._obey("routes", "")
                    barrier = listener.next(interval)
                    interval = BUSY_FLUSH_SECONDS if self.flush() else FLUSH_SECONDS
                    self._tell_watchers()
                    if barrier is not None:
                        kind, token, origin = barrier
                        try:
                            self._obey(kind, origin)
                        finally:
                            listener.ack(token)
                    failed = False
                except Exception as exc:  # Redis away: the calls wait in the local journal, the next turn retries
                    if not failed:
                        print(f"mockery: worker {self.worker} cannot share its journal: {exc}", file=sys.stderr)
                    failed = True
                    if listener is not None:  # listen afresh (and catch up on the routes) once Redis is back
                        with contextlib.suppress(Exception):
                            listener.close()
                        listener = None
                    self._stopping.wait(FLUSH_SECONDS * 4)
        finally:
            if listener is not None:
                with contextlib.suppress(Exception):
                    listener.close()

    def _obey(self, kind: str, origin: str) -> None:
        if kind == "clear":
            with self._flushing:
                _, self._sent = self.journal.recorded_since(self._sent)
                Journal.clear(self.journal)
        elif kind == "routes" and origin != self.worker and self._loop is not None and self._adopt is not None:
            published = self.published_routes()
            done: concurrent.futures.Future[None] = concurrent.futures.Future()
            adopt = self._adopt

            def apply() -> None:
                try:
                    adopt(published)
                    done.set_result(None)
                except BaseException as exc:
                    done.set_exception(exc)

            self._loop.call_soon_threadsafe(apply)
            with contextlib.suppress(concurrent.futures.TimeoutError):
                done.result(BARRIER_SECONDS)

    def flush(self) -> bool:
        """Send the calls recorded since the last turn, and the metrics if they changed; whether some calls
        had left the worker's journal before they could be sent (a busy worker)."""
        with self._flushing:
            numbered, recorded = self.journal.recorded_since(self._sent)
            unsent = numbered[-self.journal.size :]
            skipped = recorded - self._sent - len(unsent)
            if unsent or skipped:
                entries = [encode_call(call, self.worker) for _, call in unsent]
                self.feed.publish_calls(entries, skipped, self.journal.size)
                self._sent = recorded
            snapshot = orjson.dumps(self.metrics.snapshot())
            if snapshot != self._sent_metrics:
                self.feed.put_metrics(self.worker, snapshot)
                self._sent_metrics = snapshot
            return skipped > 0

    def _tell_watchers(self) -> None:
        with self._watching:
            watchers = dict(self._watchers)
        if not watchers:
            return
        fresh = [(number, decode_call(entry)) for number, entry in self.feed.calls_from(min(watchers.values()))]
        if not fresh:
            return
        following = fresh[-1][0] + 1
        for subscription, wanted in watchers.items():
            for number, call in fresh:
                if number >= wanted:
                    subscription.put(number, call)
        with self._watching:
            for subscription in watchers:
                if subscription in self._watchers:
                    self._watchers[subscription] = following

    def watch(self, subscription: Subscription, since: int | None) -> list[tuple[int, Call]]:
        """Follow the shared journal for ``subscription`` from now on; the kept calls numbered ``since`` and
        later (none for ``None``), oldest published first."""
        self.sync()
        now = self.feed.count()
        backlog: list[tuple[int, Call]] = []
        if since is not None:
            backlog = [(number, decode_call(entry)) for number, entry in self.feed.calls_from(since)]
        with self._watching:
            self._watchers[subscription] = max(now, backlog[-1][0] + 1) if backlog else now
        return backlog

    def unwatch(self, subscription: Subscription) -> None:
        with self._watching:
            self._watchers.pop(subscription, None)

    # What readers call (on the server's loop).

    def sync(self) -> None:
        """Wait until every worker sent what it recorded so far (``BARRIER_SECONDS`` at most)."""
        self.feed.barrier("sync", self.worker, BARRIER_SECONDS)

    def shared_calls(self) -> list[tuple[int, Call]]:
        """Every worker's kept calls with their shared numbers, in the order they arrived."""
        self.sync()
        calls: list[tuple[int, Call]] = [(number, decode_call(entry)) for number, entry in self.feed.calls()]
        calls.sort(key=lambda numbered: numbered[1].time)
        return calls

    def clear_calls(self) -> None:
        self.feed.barrier("clear", self.worker, BARRIER_SECONDS)
        self.feed.clear_calls()

    def next_route_id(self) -> str:
        return str(self.feed.next_route_id())

    def route_added(self, route: SharedRoute) -> bool:
        """Publish ``route`` and wait until every worker serves it; ``False`` (nothing published) when its
        definition cannot be sent (a mapping holding Python objects)."""
        try:
            definition = route.encode()
        except TypeError:
            return False
        self.feed.put_route(route.id, definition)
        self.feed.barrier("routes", self.worker, BARRIER_SECONDS)
        return True

    def route_removed(self, route_id: str) -> None:
        self.feed.remove_route(route_id)
        self.feed.barrier("routes", self.worker, BARRIER_SECONDS)

    def routes_changed(self) -> None:
        """Have every other worker serve the published routes again (after a reset removed them)."""
        self.feed.barrier("routes", self.worker, BARRIER_SECONDS)

    def published_routes(self) -> list[SharedRoute]:
        """Every runtime route published, oldest first."""
        published = (SharedRoute.decode(key, value) for key, value in self.feed.routes().items())
        return sorted(published, key=lambda route: int(route.id) if route.id.isdigit() else 0)
