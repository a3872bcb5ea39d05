"""The event loop ``mockery serve`` runs on: uvloop when it is installed, as uvicorn itself would choose.

``uvicorn.run`` picks uvloop by itself (``loop="auto"``), but mockery starts its listeners from its own
coroutine (``Server.serve``), so it makes the loop. ``uvicorn[standard]``, a dependency of mockery, installs
uvloop on Linux and macOS; its transports do in C what asyncio's do in Python, which is most of what a static
answer costs. Elsewhere (Windows) the loop is asyncio's.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to its end on a new event loop (uvloop's when installed) and close the loop.

    What exists when it starts (the specs, Faker's providers, generated records: everything a server keeps for
    its lifetime) is first moved out of the garbage collector's sight (``gc.freeze``): a full collection then
    walks only what requests made since, instead of pausing every answer for the tens of milliseconds that
    walking the whole start-up takes. For a process that serves, not for one that runs tests (``MockServer``
    does not): what is frozen is never collected."""
    gc.collect()
    gc.freeze()
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] installs it where it builds
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)
