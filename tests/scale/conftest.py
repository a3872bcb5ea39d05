"""Real `mockery serve` processes sharing one real redis-server: what a scaled-out deployment runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# The redis-server helper lives beside the store tests, which use it too.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "store"))

from redis_server import RedisServer, running_redis
from scale_support import STARTUP_TIMEOUT, Mockery

SHOP = """\
service: shop
resources:
  orders:
    count: 10
    fields: {item: word}
routes:
  - path: /ping
    response: {body: {ok: true}}
  - path: /limited
    rate_limit: {requests: 10, per: 1s}
    response: {body: ok}
  - path: /checkout
    scenario: {name: checkout, state: started}
    response: {body: {status: pending}}
  - method: POST
    path: /checkout/pay
    scenario: {name: checkout, state: started, next: paid}
    response: {body: {status: paid}}
  - path: /checkout
    scenario: {name: checkout, state: paid}
    response: {body: {status: paid}}
"""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(textwrap.dedent(SHOP), encoding="utf-8")
    return path


@pytest.fixture
def mockery() -> Iterator[Callable[..., Mockery]]:
    """Start `mockery serve` processes on free ports; each is stopped after the test."""
    started: list[Mockery] = []

    def start(*args: str) -> Mockery:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockery", "serve", "--port", "0", "--quiet", "--log-format", "json", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert process.stderr is not None
        lines: list[str] = []
        url = ""
        for line in process.stderr:
            lines.append(line)
            record = json.loads(line) if line.startswith("{") else {}
            if record.get("event") == "listening" and not url:
                url = str(record["url"])  # the shared listener comes first
            if record.get("event") == "ready":
                running = Mockery(process, url, lines)
                started.append(running)
                return running
        process.wait(timeout=STARTUP_TIMEOUT)
        pytest.fail("mockery serve exited before it was ready:\n" + "".join(lines))

    yield start
    for running in started:
        running.stop()


@pytest.fixture(scope="session")
def shared_redis() -> Iterator[RedisServer]:
    """One redis-server for the tests that only share it (each test serves its own prefix)."""
    with running_redis() as server:
        yield server


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of the test's own, which it may stop and start again."""
    with running_redis() as server:
        yield server
