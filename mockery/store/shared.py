"""What the workers (and replicas) of one deployment share besides state: the journal, the metrics, the routes
added at runtime, and a way to ask every process to do something now (a barrier).

Only a Redis store offers it (``RedisStore.feed()``): SQLite has no way to tell the other processes that a
reader is waiting, so with ``sqlite://`` each worker keeps its own journal, metrics and runtime routes.

Keys (``P`` is the deployment's prefix):

- ``P:journal`` a list of the last ``cap`` calls, each ``"<number> <entry>"``; it goes with ``reset()`` (a
  reset forgets the journal too). ``P~journal:n`` counts every call ever published, so that a mark taken
  before a reset still means "the calls after this one"; ``P~metrics`` holds one snapshot of the metrics
  per worker (the counters survive a reset, as a single process's do). Both live outside ``P:*``, which
  ``reset()`` removes.
- ``P:routes`` runtime routes by id, ``P:route-ids`` their id counter: a reset removes both.
- ``P~sync`` the channel of barriers: a publisher learns from Redis how many processes listen, and waits
  until that many acknowledged on ``P~ack:<token>`` (or gives up after a bound: a wedged worker cannot hold
  an admin call for long).
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Protocol

from mockery.store.base import StoreError, StoreUnavailable

# Long enough for a barrier and a journal of a few MiB, short enough that a hung Redis fails an admin call.
FEED_TIMEOUT_SECONDS = 2.0
ACK_TTL_SECONDS = 10

# KEYS[1] list, KEYS[2] counter; ARGV[1] cap, ARGV[2] calls recorded but not sent, ARGV[3..] entries.
_PUBLISH = """
local sent = #ARGV - 2
local total = redis.call('INCRBY', KEYS[2], tonumber(ARGV[2]) + sent)
local first = total - sent
for i = 3, #ARGV do redis.call('RPUSH', KEYS[1], tostring(first + i - 3) .. ' ' .. ARGV[i]) end
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
return total
"""

# KEYS[1] list; ARGV[1] the first number wanted. The kept calls numbered ARGV[1] and later, oldest first, read
# from the tail: a reader that follows the journal pays for what is new, not for the whole list.
_CALLS_FROM = """
local wanted = tonumber(ARGV[1])
local found = {}
local index = -1
while true do
  local entry = redis.call('LINDEX', KEYS[1], index)
  if not entry then break end
  local space = string.find(entry, ' ', 1, true)
  if tonumber(string.sub(entry, 1, space - 1)) < wanted then break end
  table.insert(found, 1, entry)
  index = index - 1
end
return found
"""


class Feed(Protocol):
    """The shared side of a deployment, in bytes: what ``mockery.server.sharing`` encodes is its business."""

    def publish_calls(self, entries: list[bytes], skipped: int, cap: int) -> int:
        """Append ``entries`` (keeping the last ``cap``), counting ``skipped`` more calls never sent: the total."""

    def calls(self) -> list[tuple[int, bytes]]:
        """Every kept call with its number, oldest published first."""

    def calls_from(self, number: int) -> list[tuple[int, bytes]]:
        """The kept calls numbered ``number`` and later, oldest published first."""

    def count(self) -> int:
        """How many calls were ever published (the next call's number)."""

    def clear_calls(self) -> None:
        """Forget the kept calls (their count goes on)."""

    def put_metrics(self, worker: str, snapshot: bytes) -> None:
        """Replace ``worker``'s metrics snapshot."""

    def metrics(self) -> list[bytes]:
        """Every worker's metrics snapshot."""

    def next_route_id(self) -> int:
        """A runtime route id no process of the deployment has handed out."""

    def put_route(self, route_id: str, definition: bytes) -> None:
        """Publish a runtime route."""

    def remove_route(self, route_id: str) -> None:
        """Withdraw a runtime route."""

    def routes(self) -> dict[str, bytes]:
        """Every runtime route published, by id."""

    def barrier(self, kind: str, origin: str, timeout: float) -> int:
        """Ask every listening process to do ``kind`` now and wait until they did (``timeout`` seconds at most):
        how many did."""

    def listen(self) -> Listener:
        """A subscription to barriers: what a worker's background thread waits on."""

    def close(self) -> None:
        """Release the connections."""


class Listener(Protocol):
    def next(self, timeout: float) -> tuple[str, str, str] | None:
        """The next barrier ``(kind, token, origin)``, or ``None`` after ``timeout`` seconds without one."""

    def ack(self, token: str) -> None:
        """Tell the barrier's publisher that this process did what it asked."""

    def close(self) -> None: ...


class RedisFeed:
    """The ``Feed`` of a Redis deployment under ``prefix``: a client of its own, with ``FEED_TIMEOUT_SECONDS``
    per reply (never the store's circuit breaker: a background flush that fails must not open it)."""

    def __init__(self, url: str, prefix: str, shown: str) -> None:
        import redis

        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._shown = shown
        self._prefix = prefix
        self._redis: Any = redis.Redis.from_url(
            url, socket_connect_timeout=FEED_TIMEOUT_SECONDS, socket_timeout=FEED_TIMEOUT_SECONDS
        )
        self._publish = self._redis.register_script(_PUBLISH)
        self._calls_from = self._redis.register_script(_CALLS_FROM)
        self._journal = f"{prefix}:journal"
        self._counter = f"{prefix}~journal:n"
        self._metrics = f"{prefix}~metrics"
        self._routes = f"{prefix}:routes"
        self._route_ids = f"{prefix}:route-ids"
        self.channel = f"{prefix}~sync"

    def __repr__(self) -> str:
        return f"RedisFeed({self._shown!r}, prefix={self._prefix!r})"

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self._redis, method)(*args, **kwargs)
        except self._errors as exc:
            raise StoreUnavailable(self._shown, str(exc) or type(exc).__name__) from None

    def publish_calls(self, entries: list[bytes], skipped: int, cap: int) -> int:
        try:
            return int(self._publish(keys=[self._journal, self._counter], args=[cap, skipped, *entries]))
        except self._errors as exc:
            raise StoreUnavailable(self._shown, str(exc) or type(exc).__name__) from None

    def calls(self) -> list[tuple[int, bytes]]:
        return _numbered(self._call("lrange", self._journal, 0, -1))

    def calls_from(self, number: int) -> list[tuple[int, bytes]]:
        try:
            return _numbered(self._calls_from(keys=[self._journal], args=[number]))
        except self._errors as exc:
            raise StoreUnavailable(self._shown, str(exc) or type(exc).__name__) from None

    def count(self) -> int:
        return int(self._call("get", self._counter) or 0)

    def clear_calls(self) -> None:
        self._call("delete", self._journal)

    def put_metrics(self, worker: str, snapshot: bytes) -> None:
        self._call("hset", self._metrics, worker, snapshot)

    def metrics(self) -> list[bytes]:
        return [bytes(value) for value in self._call("hvals", self._metrics)]

    def next_route_id(self) -> int:
        return int(self._call("incr", self._route_ids))

    def put_route(self, route_id: str, definition: bytes) -> None:
        self._call("hset", self._routes, route_id, definition)

    def remove_route(self, route_id: str) -> None:
        self._call("hdel", self._routes, route_id)

    def routes(self) -> dict[str, bytes]:
        return {bytes(key).decode(): bytes(value) for key, value in self._call("hgetall", self._routes).items()}

    def barrier(self, kind: str, origin: str, timeout: float) -> int:
        token = uuid.uuid4().hex
        ack = f"{self._prefix}~ack:{token}"
        listening = int(self._call("publish", self.channel, f"{kind} {token} {origin}"))
        done = 0
        deadline = time.monotonic() + timeout
        while done < listening:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            # BLPOP's timeout is whole seconds on old servers: wait in steps shorter than the reply timeout.
            if self._call("blpop", [ack], timeout=min(left, FEED_TIMEOUT_SECONDS / 2)) is not None:
                done += 1
        self._call("delete", ack)
        return done

    def listen(self) -> RedisListener:
        return RedisListener(self._redis, self.channel, self._prefix, self._errors)

    def close(self) -> None:
        self._redis.close()


def _numbered(items: list[bytes]) -> list[tuple[int, bytes]]:
    kept = []
    for item in items:
        number, _, entry = bytes(item).partition(b" ")
        kept.append((int(number), entry))
    return kept


class RedisListener:
    """Barriers arriving on the deployment's channel (a connection of its own, as Redis pub/sub needs)."""

    def __init__(self, client: Any, channel: str, prefix: str, errors: tuple[type[BaseException], ...]) -> None:
        self._client = client
        self._prefix = prefix
        self._errors = errors
        self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            self._pubsub.subscribe(channel)
        except errors as exc:
            raise StoreError(f"cannot listen on the shared store: {exc}") from None

    def next(self, timeout: float) -> tuple[str, str, str] | None:
        message = self._pubsub.get_message(timeout=timeout)
        if message is None or message.get("type") != "message":
            return None
        kind, token, origin = bytes(message["data"]).decode().split(" ", 2)
        return kind, token, origin

    def ack(self, token: str) -> None:
        key = f"{self._prefix}~ack:{token}"
        pipeline = self._client.pipeline(transaction=False)
        pipeline.rpush(key, 1)
        pipeline.expire(key, ACK_TTL_SECONDS)
        pipeline.execute()

    def close(self) -> None:
        self._pubsub.close()
