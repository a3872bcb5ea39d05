"""A webhook receiver on loopback for the callback tests: a real uvicorn server on an ephemeral port, in a thread.

It records every request (method, path, headers, body) and answers with the statuses it is given, in order
(then the last again). ``stall`` holds every request until the receiver stops.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType

import orjson
import uvicorn
from starlette.types import Receive, Scope, Send

START_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return orjson.loads(self.body)


@dataclass(slots=True)
class Receiver:
    statuses: Iterable[int] = (200,)
    stall: bool = False
    received: list[Received] = field(default_factory=list)
    url: str = ""
    _statuses: list[int] = field(default_factory=list)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _release: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        with self._arrived:
            self.received.append(Received(scope["method"], scope["path"], headers, body))
            self._arrived.notify_all()
        if self.stall and self._release is not None:
            await self._release.wait()
        status = self._statuses.pop(0) if len(self._statuses) > 1 else self._statuses[0]
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.received) >= count, timeout), self.received
            return list(self.received)

    def __enter__(self) -> Receiver:
        self._statuses = list(self.statuses)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(self, lifespan="off", log_level="warning", timeout_graceful_shutdown=1)
        server = self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve(server, sock)), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            assert time.monotonic() < deadline, "the receiver did not start"
            time.sleep(0.002)
        return self

    async def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        self._release, self._loop = asyncio.Event(), asyncio.get_running_loop()
        await server.serve(sockets=[sock])

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        assert self._server is not None
        assert self._thread is not None
        if self._loop is not None and self._release is not None:
            self._loop.call_soon_threadsafe(self._release.set)
        self._server.should_exit = True
        self._thread.join(timeout=START_TIMEOUT)
