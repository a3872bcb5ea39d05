"""A real redis-server for the tests: started on a free port, without persistence, stopped afterwards.

Where redis-server (Debian's package, which scripts/test installs) or the redis package is missing, the
Redis tests skip with the reason; in CI (CI=true) they fail instead, so that CI cannot pass without them.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

START_TIMEOUT = 10.0


def unavailable(reason: str) -> None:
    """Skip the test, or fail it in CI, where the Redis tests must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the Redis tests must run)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer:
    """One redis-server process on 127.0.0.1; ``stop()`` and ``start()`` again keep its port."""

    def __init__(self, executable: str, port: int) -> None:
        self.executable = executable
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Redis hung (SIGSTOP): the kernel still accepts connections, nothing ever answers. Resumed after."""
        assert self.process is not None, "redis-server is not running"
        pid = self.process.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=START_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    """A started redis-server, or a skip (a failure in CI) saying why there is none."""
    executable = shutil.which("redis-server")
    if executable is None:
        unavailable("no redis-server (Debian: apt-get install redis-server; scripts/test does it as root)")
    if importlib.util.find_spec("redis") is None:
        unavailable("the redis package is not installed: pip install 'mockery[redis]'")
    assert executable is not None
    server = RedisServer(executable, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
