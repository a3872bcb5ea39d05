"""One worker thread per collection for the scans that would hold the event loop for seconds.

Filtering or sorting a big collection generates every record (tens of microseconds each). A
``SerialWorker`` runs such jobs one at a time on a daemon thread of its own, and the request awaits an
asyncio future meanwhile, so the loop keeps answering. One at a time, because a job may use state that
only that thread touches (the collection's scanning Faker generator); a daemon that stops after a while
idle, so that a scan in progress never delays the exit of the process and an idle collection holds no
thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any

IDLE_SECONDS = 30.0

_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], Any]]


class SerialWorker:
    """Runs jobs one after another on one daemon thread, started on demand."""

    def __init__(self, name: str, idle: float = IDLE_SECONDS) -> None:
        self.name = name
        self._idle = idle
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False

    def __repr__(self) -> str:
        return f"SerialWorker({self.name!r}, running={self._running})"

    def submit(self, job: Callable[[], Any]) -> asyncio.Future[Any]:
        """Run ``job`` on the worker thread; its result (or exception) settles the returned future on the loop."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._jobs.put((loop, future, job))
        with self._lock:
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name=f"mockery-scan {self.name}", daemon=True).start()
        return future

    def _run(self) -> None:
        while True:
            try:
                loop, future, job = self._jobs.get(timeout=self._idle)
            except queue.Empty:
                with self._lock:
                    if self._jobs.empty():  # a job put after the timeout is taken on the next turn
                        self._running = False
                        return
                continue
            try:
                outcome: tuple[bool, Any] = (True, job())
            except Exception as exc:
                outcome = (False, exc)
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
                loop.call_soon_threadsafe(_settle, future, outcome)
            del loop, future, job, outcome


def _settle(future: asyncio.Future[Any], outcome: tuple[bool, Any]) -> None:
    if future.done():
        return
    succeeded, value = outcome
    if succeeded:
        future.set_result(value)
    else:
        future.set_exception(value)
