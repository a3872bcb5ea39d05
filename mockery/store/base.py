"""The Store protocol: everything a running fake remembers, behind one small interface.

Generated data is never stored: record *i* of a collection is a pure function of the seed. A store keeps
only what clients changed (an overlay of created, replaced, patched and deleted records), id counters, and
small named values (scenario states, sequence positions, rate-limit windows). So ``reset()`` is cheap, and
one contract test suite runs against every backend.

The interface is synchronous on purpose: templates render synchronously and may read records, and the
embedded backends (memory, SQLite on a local file) answer in microseconds. A networked backend (Redis) is
called on the event loop too, so it bounds what one call may cost: short socket timeouts, and a circuit
breaker that refuses calls at once for a while after one failed (see ``mockery.store.redis``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from mockery.errors import MockeryError

Record = dict[str, Any]


class StoreError(MockeryError):
    """The store cannot be opened or used: a corrupt or foreign file, an unknown URL scheme, ..."""


class StoreUnavailable(StoreError):
    """A networked store (Redis) cannot be reached right now; a later call tries again.

    Requests that need state answer 503 while it lasts, and ``/__mockery/ready`` reports not ready. After a
    failure the store's circuit breaker raises this at once, without waiting on the network, until its
    back-off window has passed (``reason`` then says when the next try is).
    """

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"the state store {url} is unavailable: {reason}")
        self.url = url
        self.reason = reason


@runtime_checkable
class Store(Protocol):
    """What every state backend provides. Keys are plain strings; records are JSON-like dictionaries."""

    url: str
    # What the store is, for callers that must not match URL schemes: ``shared`` when several processes (workers,
    # replicas) see the same data through it; ``prefixed`` when its keys carry a deployment's prefix (one
    # server, such as Redis, may hold several deployments).
    shared: bool
    prefixed: bool

    def close(self) -> None:
        """Flush and release the backend. Acknowledged writes are durable before this returns (or earlier)."""

    def reset(self) -> None:
        """Forget every change, counter and value: back to the generated state."""

    # Records: an overlay over generated data.

    def get_change(self, collection: str, record_id: str) -> tuple[bool, Record | None]:
        """``(changed, record)``: ``(False, None)`` when untouched, ``(True, None)`` when deleted."""

    def put_record(self, collection: str, record_id: str, record: Record) -> None:
        """Store ``record`` as the current version of ``record_id`` (created, replaced or patched)."""

    def insert_record(self, collection: str, record_id: str, record: Record) -> bool:
        """Store ``record`` only if no change exists for ``record_id``; ``False`` (nothing written) if one does."""

    def delete_record(self, collection: str, record_id: str) -> None:
        """Mark ``record_id`` as deleted (whether it was generated or created)."""

    def changes(self, collection: str) -> Mapping[str, Record | None]:
        """Every change of a collection: id -> record, or ``None`` for a deletion."""

    def next_id(self, collection: str, floor: int) -> int:
        """A new integer id, greater than ``floor`` and than every id handed out before. Atomic."""

    # Small named values.

    def get_value(self, key: str) -> str | None:
        """The value of ``key``, or ``None``."""

    def set_value(self, key: str, value: str) -> None:
        """Set ``key`` to ``value``."""

    def compare_and_set(self, key: str, expected: str | None, value: str, *, unset_as: str | None = None) -> bool:
        """Set ``key`` to ``value`` only if it is now ``expected`` (``None``: unset). Atomic. With ``unset_as``
        an unset key counts as holding that value (a scenario that never moved is in ``started``)."""

    def increment(self, key: str, amount: int = 1, *, ttl_seconds: float | None = None) -> int:
        """Add ``amount`` to the integer at ``key`` (0 when unset) and return it. With ``ttl_seconds`` a new
        key expires that long after its creation: a fixed rate-limit window."""

    def count_in_window(self, key: str, window_seconds: float) -> tuple[int, float]:
        """Count one event in the fixed window at ``key`` (opened by its first event, lasting ``window_seconds``)
        and return ``(events so far, seconds left in the window)``. Atomic: a rate limit shared by replicas."""
