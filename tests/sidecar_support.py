"""`mockery serve` as a container runs it: a real process on free ports, its log collected line by line."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

STARTUP_TIMEOUT = 20.0


def clean_environ(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any MOCKERY_* variable, plus ``extra``."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith("MOCKERY_")}
    return {**environ, "PYTHONUNBUFFERED": "1", **(extra or {})}


def wait_for(condition: Callable[[], bool], timeout: float = 5.0, message: str = "condition") -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} did not hold within {timeout} s")
        time.sleep(0.02)


class Process:
    """A running `mockery serve`: the URLs it printed, and every line it logged so far."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self.urls: dict[str, str] = {}
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._ready.wait(STARTUP_TIMEOUT):
            self.process.kill()
        if not self.urls:
            self.stop()
            raise AssertionError("mockery serve exited before it was ready:\n" + self.output)

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            record = _record(line)
            if record.get("event") == "listening":
                for name in str(record.get("services", "")).split(", "):
                    self.urls[name] = str(record["url"]).replace("0.0.0.0", "127.0.0.1")
                self.urls.setdefault("", str(record["url"]).replace("0.0.0.0", "127.0.0.1"))
            if record.get("event") == "ready":
                self._ready.set()
        self._ready.set()

    @property
    def url(self) -> str:
        """The shared listener's URL, reached through 127.0.0.1 even when it listens on 0.0.0.0."""
        return self.urls[""]

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def records(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in list(self.lines) if line.startswith("{")]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STARTUP_TIMEOUT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        self._reader.join(timeout=timeout)
        if self.process.stderr is not None:
            self.process.stderr.close()
        return code


def _record(line: str) -> dict[str, object]:
    if line.startswith("{"):
        loaded = json.loads(line)
        return loaded if isinstance(loaded, dict) else {}
    found = re.match(r"mockery: (\S+)\s*(.*)$", line.rstrip("\n"))
    if not found:
        return {}
    fields = dict(re.findall(r"(\w+)=(.*?)(?=\s{2}\w+=|$)", found.group(2)))
    return {"event": found.group(1), **fields}


def serve(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    command: Sequence[str] | None = None,
) -> Process:
    """Start ``mockery serve ARGS`` (or ``command``) with a clean environment plus ``env``."""
    argv = list(command) if command is not None else [sys.executable, "-m", "mockery", "serve", *args]
    process = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=clean_environ(env),
        cwd=cwd,
    )
    return Process(process)
