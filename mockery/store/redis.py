"""A store in Redis (``redis://host:port/db``): every replica and worker sees the same state.

Needs the ``redis`` package (``pip install 'mockery[redis]'``). Every key lives under one prefix per
deployment (``--state-prefix``), so that several fakes can share a Redis, and ``reset()`` removes only that
prefix. Every change that touches more than one key, or reads before it writes, is one Lua script, which
Redis runs atomically: two replicas can never hand out the same id, move a scenario twice, or both open a
rate-limit window.

The client is synchronous, as the ``Store`` protocol is: templates read records while they render, and
Jinja2 renders synchronously, on the server's event loop. A call holds the loop for one round trip (tens of
microseconds on a local network). What keeps a Redis that stops answering (stopped, overloaded, cut off by
the network) from freezing the server is two bounds:

- **Short socket timeouts**: 250 ms to connect and 250 ms per reply, and a dead pooled connection is retried
  once on a fresh one, but a timeout is not retried. So one call holds the loop at most about 250 ms before
  it raises ``StoreUnavailable`` (a 503). ``?socket_timeout=`` and ``?socket_connect_timeout=`` in the URL
  override them, for a Redis far away.
- **A circuit breaker** (``mockery.store.breaker``): after a call fails to reach Redis, every call raises
  ``StoreUnavailable`` at once, without touching the socket, for 1 s; then one call probes, and the window
  doubles after each failed probe, up to 8 s. So a hung Redis costs the loop one timeout per window, not one
  per request: ``/__mockery/health`` (which never touches the store) keeps answering 200, and
  ``/__mockery/ready`` (a store read) 503 at once. The first call after the window that finds Redis back
  closes the breaker: the server recovers by itself, at most one window after Redis returns.

``reset()`` first pings with the short timeout (a hung Redis fails it fast), then deletes the prefix's keys
in one atomic script with a longer budget (10 s): on a large shared Redis the ``KEYS`` scan behind it can
take longer than a reply normally may. A call that timed out may still run once a stopped Redis resumes
(the command was sent): its client got a 503, as after any ambiguous network failure.
"""

from __future__ import annotations

import math
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from mockery.store.base import Record, StoreError, StoreUnavailable
from mockery.store.breaker import BreakerOpen, CircuitBreaker
from mockery.store.shared import RedisFeed

DEFAULT_PREFIX = "mockery"
CONNECT_TIMEOUT_SECONDS = 0.25
CALL_TIMEOUT_SECONDS = 0.25
RESET_TIMEOUT_SECONDS = 10.0
INSTALL_LINE = "pip install 'mockery[redis]'"

# KEYS[1] hash of changes, KEYS[2] list of ids in the order of first writing; ARGV id, encoded record.
_PUT = """
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[1]) end
return 1
"""
_INSERT = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
"""
_NEXT_ID = """
local value = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), tonumber(ARGV[1])) + 1
redis.call('SET', KEYS[1], value)
return value
"""
# ARGV: expected is set ('1'/'0'), expected, new value, unset_as is set ('1'/'0'), unset_as.
_COMPARE_AND_SET = """
local current = redis.call('GET', KEYS[1])
if current == false and ARGV[4] == '1' then current = ARGV[5] end
if current == false then
  if ARGV[1] == '1' then return 0 end
elseif ARGV[1] == '0' or current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1
"""
# ARGV: amount, window in milliseconds ('' for none). A window opens with the key and is not extended.
_INCREMENT = """
local existed = redis.call('EXISTS', KEYS[1])
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 and ARGV[2] ~= '' then
  if tonumber(ARGV[2]) <= 0 then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
end
return value
"""
# ARGV: window in milliseconds. Returns {count, milliseconds left}; the clock is Redis's, shared by replicas.
_COUNT_IN_WINDOW = """
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if count == 1 or left < 0 then
  left = tonumber(ARGV[1])
  if left <= 0 then redis.call('DEL', KEYS[1]); left = 0 else redis.call('PEXPIRE', KEYS[1], left) end
end
return {count, left}
"""
_RESET = """
local keys = redis.call('KEYS', ARGV[1])
for first = 1, #keys, 1000 do redis.call('DEL', unpack(keys, first, math.min(first + 999, #keys))) end
return #keys
"""
_DELETED = b"null"


def redacted(url: str) -> str:
    """``url`` without its password: what error messages and 503 answers may show."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class RedisStore:
    """Keeps changes in Redis under ``prefix``; safe to use from several threads (a connection pool).
    ``breaker`` decides when calls are refused at once after a failure (a default one; tests pass a clock)."""

    shared = True
    prefixed = True

    def __init__(self, url: str, prefix: str | None = None, *, breaker: CircuitBreaker | None = None) -> None:
        try:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry
        except ImportError:
            raise StoreError(f"the state store {redacted(url)} needs the redis package: {INSTALL_LINE}") from None
        self.url = url
        self.prefix = prefix or DEFAULT_PREFIX
        self._shown = redacted(url)
        self._unavailable: tuple[type[BaseException], ...] = (redis.ConnectionError, redis.TimeoutError, OSError)
        self._failed: type[BaseException] = redis.RedisError
        self._breaker = breaker or CircuitBreaker()
        try:
            self._redis: Any = redis.Redis.from_url(
                url,
                socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                socket_timeout=CALL_TIMEOUT_SECONDS,
                # One retry on a fresh connection: after Redis restarts, pooled connections are dead. A timeout
                # is not retried: the Redis that did not answer in time would only cost the loop a second one.
                retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
            )
        except ValueError as exc:
            raise StoreError(f"{self._shown!r} is not a Redis URL ({exc}); write redis://host:6379/0") from None
        self._slow: Any = None  # the client of reset(), with a longer reply timeout; made on first use
        scripts = (_PUT, _INSERT, _NEXT_ID, _COMPARE_AND_SET, _INCREMENT, _COUNT_IN_WINDOW, _RESET)
        (
            self._put,
            self._insert,
            self._next_id,
            self._compare_and_set,
            self._increment,
            self._count_in_window,
            self._reset,
        ) = (self._redis.register_script(script) for script in scripts)

    def __repr__(self) -> str:
        return f"RedisStore({self._shown!r}, prefix={self.prefix!r})"

    @contextmanager
    def _call(self) -> Iterator[None]:
        """One or more round trips to Redis, through the breaker; errors become store errors."""
        try:
            probe = self._breaker.check()
        except BreakerOpen as exc:
            raise StoreUnavailable(self._shown, str(exc)) from None
        try:
            yield
        except self._unavailable as exc:
            reason = str(exc) or type(exc).__name__
            self._breaker.failed(reason)
            raise StoreUnavailable(self._shown, reason) from None
        except self._failed as exc:
            self._breaker.succeeded()  # Redis answered, with an error
            raise StoreError(f"the state store {self._shown} failed: {exc}") from None
        except BaseException:
            if probe:
                self._breaker.abandoned()
            raise
        else:
            self._breaker.succeeded()

    def _key(self, kind: str, name: str) -> str:
        return f"{self.prefix}:{kind}:{name}"

    def close(self) -> None:
        self._redis.close()
        if self._slow is not None:
            self._slow.close()

    def feed(self) -> RedisFeed:
        """What the deployment's processes share besides state: journal, metrics, runtime routes, barriers."""
        return RedisFeed(self.url, self.prefix, self._shown)

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` unless Redis answers now (at once while the breaker is open)."""
        with self._call():
            self._redis.ping()

    def reset(self) -> None:
        with self._call():
            self._redis.ping()  # a hung Redis fails the short timeout, not the long one below
            self._reset(args=[_glob_escape(self.prefix) + ":*"], client=self._slow_client())

    def _slow_client(self) -> Any:
        """A client like the main one, on a pool of its own whose replies may take ``RESET_TIMEOUT_SECONDS``."""
        if self._slow is None:
            import redis

            pool = self._redis.connection_pool
            timeout = max(RESET_TIMEOUT_SECONDS, pool.connection_kwargs.get("socket_timeout") or 0)
            options = {**pool.connection_kwargs, "socket_timeout": timeout}
            self._slow = redis.Redis(connection_pool=type(pool)(connection_class=pool.connection_class, **options))
        return self._slow

    def get_change(self, collection: str, record_id: str) -> tuple[bool, Record | None]:
        with self._call():
            value = self._redis.hget(self._key("r", collection), record_id)
        if value is None:
            return False, None
        return True, _decode(value)

    def put_record(self, collection: str, record_id: str, record: Record) -> None:
        with self._call():
            self._put(keys=self._record_keys(collection), args=[record_id, orjson.dumps(record)])

    def insert_record(self, collection: str, record_id: str, record: Record) -> bool:
        with self._call():
            return bool(self._insert(keys=self._record_keys(collection), args=[record_id, orjson.dumps(record)]))

    def delete_record(self, collection: str, record_id: str) -> None:
        with self._call():
            self._put(keys=self._record_keys(collection), args=[record_id, _DELETED])

    def changes(self, collection: str) -> Mapping[str, Record | None]:
        changes_key, order_key = self._record_keys(collection)
        with self._call():
            pipeline = self._redis.pipeline(transaction=True)
            pipeline.lrange(order_key, 0, -1)
            pipeline.hgetall(changes_key)
            order, values = pipeline.execute()
        return {key.decode(): _decode(values[key]) for key in order if key in values}

    def next_id(self, collection: str, floor: int) -> int:
        with self._call():
            return int(self._next_id(keys=[self._key("i", collection)], args=[floor]))

    def get_value(self, key: str) -> str | None:
        with self._call():
            value = self._redis.get(self._key("v", key))
        return None if value is None else bytes(value).decode()

    def set_value(self, key: str, value: str) -> None:
        with self._call():
            self._redis.set(self._key("v", key), value)

    def compare_and_set(self, key: str, expected: str | None, value: str, *, unset_as: str | None = None) -> bool:
        args: list[str | int] = [
            int(expected is not None),
            expected or "",
            value,
            int(unset_as is not None),
            unset_as or "",
        ]
        with self._call():
            return bool(self._compare_and_set(keys=[self._key("v", key)], args=args))

    def increment(self, key: str, amount: int = 1, *, ttl_seconds: float | None = None) -> int:
        window = "" if ttl_seconds is None else str(_milliseconds(ttl_seconds))
        with self._call():
            return int(self._increment(keys=[self._key("v", key)], args=[amount, window]))

    def count_in_window(self, key: str, window_seconds: float) -> tuple[int, float]:
        with self._call():
            count, left = self._count_in_window(keys=[self._key("v", key)], args=[_milliseconds(window_seconds)])
        return int(count), int(left) / 1000

    def _record_keys(self, collection: str) -> list[str]:
        return [self._key("r", collection), self._key("o", collection)]


def _milliseconds(seconds: float) -> int:
    return max(0, math.ceil(seconds * 1000))


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def _decode(value: bytes) -> Record | None:
    record: Record | None = orjson.loads(value)
    return record
