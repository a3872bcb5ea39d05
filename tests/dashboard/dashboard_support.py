"""A real server built from ``ServerOptions`` (an admin token, any host), served on a thread of its own."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mockery.server.options import ServerOptions, build_server
from mockery.server.server import Server


@contextlib.contextmanager
def running(spec: Path, **options: Any) -> Iterator[Server]:
    """``spec`` served with ``options`` on an ephemeral port; stopped (and waited for) on leaving."""
    server = build_server(ServerOptions(paths=(spec,), port=0, ephemeral=True, quiet=True, **options))
    server.bind()
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            loop.run_until_complete(server.serve(handle_signals=False, on_ready=ready.set))
        except BaseException as exc:  # re-raised in the test
            failure.append(exc)
            ready.set()
        finally:
            loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(30)
    if failure:
        raise failure[0]
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(server.stop)
        thread.join(30)
    if failure:
        raise failure[0]
