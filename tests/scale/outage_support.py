"""Helpers of the store-outage tests: time one request, wait until a replica is ready again."""

from __future__ import annotations

import time
from typing import Any

import httpx

CLIENT_TIMEOUT = 30.0
RECOVERY_DEADLINE = 30.0  # far above the store's longest back-off window (8 s)
POLL_PAUSE = 0.05


def timed(method: str, url: str, **options: Any) -> tuple[httpx.Response, float]:
    """One request on a connection of its own, with a generous timeout, and how long its answer took."""
    started = time.perf_counter()
    answer = httpx.request(method, url, timeout=CLIENT_TIMEOUT, **options)
    return answer, time.perf_counter() - started


def wait_until_ready(url: str) -> None:
    """Poll ``/__mockery/ready`` until it answers 200, as a load balancer would: after the store comes back,
    the server's circuit breaker lets a probe through once its back-off window has passed."""
    deadline = time.monotonic() + RECOVERY_DEADLINE
    while (answer := httpx.get(f"{url}/__mockery/ready", timeout=CLIENT_TIMEOUT)).status_code != 200:
        assert answer.status_code == 503, answer.text
        assert time.monotonic() < deadline, f"not ready {RECOVERY_DEADLINE} s after the store came back"
        time.sleep(POLL_PAUSE)  # a pause between polls; the server decides when it is ready
    assert answer.json() == {"ready": True}
