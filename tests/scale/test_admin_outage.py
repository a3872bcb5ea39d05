"""The admin endpoints that use the store answer 503 naming it while Redis is down, as the listener does,
change nothing, and answer 200 again once Redis is back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from outage_support import wait_until_ready
from redis_server import RedisServer
from scale_support import Mockery


def assert_store_unavailable(answer: httpx.Response, store: str) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "1"
    problem = answer.json()
    assert problem["title"] == "State store unavailable"
    assert problem["status"] == 503
    assert problem["store"] == store
    assert store in problem["detail"]


@pytest.mark.slow
def test_reset_and_scenarios_answer_503_while_redis_is_down_and_200_when_it_returns(
    mockery: Callable[..., Mockery], shop: Path, own_redis: RedisServer
) -> None:
    served = mockery(str(shop), "--state", own_redis.url)
    admin = f"{served.url}/__mockery"
    stub = {"service": "shop", "route": {"path": "/stubbed", "response": {"body": "stub"}}}
    assert httpx.post(f"{admin}/routes", json=stub).status_code == 201

    own_redis.stop()
    assert_store_unavailable(httpx.post(f"{admin}/reset"), own_redis.url)
    assert_store_unavailable(httpx.get(f"{admin}/scenarios/checkout"), own_redis.url)
    assert_store_unavailable(httpx.put(f"{admin}/scenarios/checkout", json={"state": "paid"}), own_redis.url)
    # The failed reset changed nothing: the store goes first, and the runtime route is still served.
    assert httpx.get(f"{served.url}/stubbed").text == "stub"
    assert httpx.get(f"{admin}/health").status_code == 200

    own_redis.start()
    wait_until_ready(served.url)  # within one back-off window of the store's circuit breaker
    assert httpx.get(f"{admin}/scenarios/checkout").json() == {"name": "checkout", "state": "started"}
    moved = httpx.put(f"{admin}/scenarios/checkout", json={"state": "paid"})
    assert (moved.status_code, moved.json()) == (200, {"name": "checkout", "state": "paid"})
    assert httpx.get(f"{served.url}/checkout").json() == {"status": "paid"}
    reset = httpx.post(f"{admin}/reset")
    assert (reset.status_code, reset.json()) == (200, {"reset": True})
    assert httpx.get(f"{admin}/scenarios/checkout").json()["state"] == "started"
    assert httpx.get(f"{served.url}/stubbed").status_code == 404
    assert served.process.poll() is None
