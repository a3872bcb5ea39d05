"""`mockery record`: serve the recording proxy until SIGINT, SIGTERM or ``POST /__mockery/record/stop``,
then write the spec (and print what anonymisation replaced)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import uvicorn

from mockery.record.recorder import STOP_PATH, Recorder, Summary, service_name, write_spec
from mockery.server.connections import ConnectionLimits, protocol_class


class _Server(uvicorn.Server):
    """Signals are handled by ``record``: uvicorn must not re-raise them once it has stopped."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def record(
    upstream: str,
    out: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    timeout: float = 30.0,
    anonymise: bool = True,
    summary_out: Path | None = None,
    echo: Callable[[str], None] = print,
) -> Summary:
    """Record until stopped, then write the spec at ``out``; returns the summary (also echoed)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    recorder = Recorder(upstream, listener=(host, bound), timeout=timeout)
    # The recording proxy faces the same clients as a fake: slow heads and idle floods are cut off alike.
    config = uvicorn.Config(
        recorder, lifespan="off", log_level="warning", access_log=False, http=protocol_class(ConnectionLimits())
    )
    server = _Server(config)

    def stop() -> None:
        server.should_exit = True

    recorder.on_stop = stop

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        try:
            echo(f"recording http://{host}:{bound} -> {upstream}")
            echo(f"stop with Ctrl-C, SIGTERM or POST {STOP_PATH}; the spec is written to {out}")
            await server.serve(sockets=[sock])
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            await recorder.forwarder.aclose()

    asyncio.run(run())
    spec, summary = recorder.spec(service_name(out), anonymise=anonymise)
    write_spec(spec, out)
    lines = summary.lines()
    echo(f"wrote {out}: {len(spec['routes'])} routes from {len(recorder.exchanges)} requests")
    for line in lines:
        echo(line)
    if summary_out is not None:
        summary_out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        echo(f"wrote {summary_out}")
    return summary
