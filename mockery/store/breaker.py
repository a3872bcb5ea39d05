"""A circuit breaker for a networked store: after a failure, refuse at once for a back-off window.

A store that hangs (a stopped Redis, a dropped network path) costs every call the full socket timeout, and
the store is called on the server's event loop. So after one call fails to reach the store, the breaker
*opens*: for ``first_window`` seconds every call is refused at once, without touching the socket. When the
window has passed, the next call is let through as a *probe* (half-open) while concurrent callers are
still refused; a probe that succeeds closes the breaker, one that fails opens it again for twice as long,
up to ``max_window``. A hung store thus holds the loop for one socket timeout per window, not per request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

FIRST_WINDOW_SECONDS = 1.0
MAX_WINDOW_SECONDS = 8.0


class BreakerOpen(Exception):
    """Raised by ``CircuitBreaker.check`` while the breaker refuses calls: what failed, and for how long."""

    def __init__(self, reason: str, retry_in: float) -> None:
        then = f"next try in {retry_in:.1f} s" if retry_in > 0 else "another call is trying again now"
        super().__init__(f"{reason.rstrip('.')}; {then}")
        self.reason = reason
        self.retry_in = retry_in


class CircuitBreaker:
    """Closed, open or half-open; safe to share between threads. ``clock`` is for tests."""

    def __init__(
        self,
        first_window: float = FIRST_WINDOW_SECONDS,
        max_window: float = MAX_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.first_window = first_window
        self.max_window = max(first_window, max_window)
        self._clock = clock
        self._lock = threading.Lock()
        self._open_until: float | None = None  # None: closed
        self._window = first_window
        self._probing = False
        self._reason = ""

    def __repr__(self) -> str:
        return f"CircuitBreaker(state={self.state!r}, window={self._window})"

    @property
    def state(self) -> str:
        """``closed``, ``open`` (refusing) or ``half-open`` (a probe may go, or is under way)."""
        with self._lock:
            if self._open_until is None:
                return "closed"
            return "half-open" if self._probing or self._clock() >= self._open_until else "open"

    def check(self) -> bool:
        """Let a call through, or raise ``BreakerOpen``. Once a window has passed, the first caller is the
        probe (``True``): it reports ``succeeded()``, ``failed()`` or ``abandoned()``, and other callers are
        refused until it does."""
        with self._lock:
            if self._open_until is None:
                return False
            left = self._open_until - self._clock()
            if left > 0 or self._probing:
                raise BreakerOpen(self._reason, max(left, 0.0))
            self._probing = True
            return True

    def succeeded(self) -> None:
        """The store answered: close the breaker and forget the back-off."""
        with self._lock:
            self._open_until = None
            self._window = self.first_window
            self._probing = False

    def failed(self, reason: str) -> None:
        """The store could not be reached: open for the first window, or (a failed probe) twice the last one."""
        with self._lock:
            if self._probing:
                self._window = min(self._window * 2, self.max_window)
            elif self._open_until is None:
                self._window = self.first_window
            else:
                return  # a call that started before the breaker opened: the window already counts it
            self._open_until = self._clock() + self._window
            self._probing = False
            self._reason = reason

    def abandoned(self) -> None:
        """The probe failed before it reached the store (a bad argument, say): the next call probes instead."""
        with self._lock:
            self._probing = False
