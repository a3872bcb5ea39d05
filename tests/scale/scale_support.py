"""Helpers of the scale-out tests, in a module of its own name: test modules import it, never `conftest`
(another test folder has a conftest of its own, and two modules both named `conftest` would clash)."""

from __future__ import annotations

import signal
import subprocess
import sys

STARTUP_TIMEOUT = 30.0


class Mockery:
    """A running `mockery serve` process, its shared listener's URL and its log so far."""

    def __init__(self, process: subprocess.Popen[str], url: str, lines: list[str]) -> None:
        self.process = process
        self.url = url
        self.lines = lines

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            _, rest = self.process.communicate(timeout=STARTUP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, rest = self.process.communicate()
        return "".join(self.lines) + rest


def run_mockery(*args: str) -> subprocess.CompletedProcess[str]:
    """`mockery serve` expected to refuse: its exit code and messages."""
    command = [sys.executable, "-m", "mockery", "serve", "--port", "0", "--quiet", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=STARTUP_TIMEOUT, check=False)
