"""``counter('name')`` in templates: a number that counts up on every render, kept in the state store.

Each service has its own counters (the store key is ``mockery:counter:<service>:<name>``), so they survive a
restart with a persistent store (``sqlite://``), are shared by workers with a shared one (``redis://``), and
start again from 1 after ``mockery reset`` or ``POST /__mockery/reset``. Names and steps are bounded: a
template cannot make keys of any size or counts past 64 bits.
"""

from __future__ import annotations

from mockery.store.base import Store
from mockery.templates.limits import RenderLimitError

MAX_NAME_CHARS = 200
MAX_STEP = 1_000_000


class Counters:
    """What ``counter`` is in a service's templates: ``counter('orders')`` adds 1 and gives the new count,
    ``counter('orders', 0)`` gives it unchanged, ``counter('stock', -1)`` counts down."""

    __slots__ = ("_prefix", "_store")

    def __init__(self, store: Store, service: str) -> None:
        self._store = store
        self._prefix = f"mockery:counter:{service}:"

    def __repr__(self) -> str:
        return f"Counters({self._prefix!r})"

    def __call__(self, name: str = "default", step: int = 1) -> int:
        if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_CHARS:
            raise RenderLimitError(f"counter: the name must be text of 1 to {MAX_NAME_CHARS} characters")
        if not isinstance(step, int) or isinstance(step, bool) or abs(step) > MAX_STEP:
            raise RenderLimitError(f"counter: the step must be a whole number from -{MAX_STEP} to {MAX_STEP}")
        value = self._store.increment(self._prefix + name, step)
        if abs(value) >= 2**63:
            raise RenderLimitError("counter: the count is past 64 bits")
        return value
