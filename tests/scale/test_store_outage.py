"""Redis stops or hangs while mockery serves: stateful routes answer 503, stateless ones 200, health and
ready at once; the server comes back by itself when Redis does."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from outage_support import CLIENT_TIMEOUT, timed, wait_until_ready
from redis_server import RedisServer
from scale_support import Mockery


@pytest.mark.slow
def test_stateful_routes_answer_503_while_redis_is_down_and_recover_when_it_returns(
    mockery: Callable[..., Mockery], shop: Path, own_redis: RedisServer
) -> None:
    served = mockery(str(shop), "--state", own_redis.url)
    assert httpx.post(f"{served.url}/orders", json={"item": "lamp"}).status_code == 201
    assert httpx.get(f"{served.url}/__mockery/ready").json() == {"ready": True}

    own_redis.stop()
    for method, path in [("GET", "/orders/1"), ("POST", "/orders"), ("GET", "/checkout"), ("GET", "/limited")]:
        answer = httpx.request(method, f"{served.url}{path}", json={"item": "x"} if method == "POST" else None)
        assert answer.status_code == 503, (method, path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["title"] == "State store unavailable"
        assert problem["store"] == own_redis.url
        assert own_redis.url in problem["detail"]
    ping = httpx.get(f"{served.url}/ping")
    assert (ping.status_code, ping.json()) == (200, {"ok": True})
    not_ready = httpx.get(f"{served.url}/__mockery/ready")
    assert not_ready.status_code == 503
    assert not_ready.json()["ready"] is False
    assert not_ready.json()["store"] == own_redis.url
    assert httpx.get(f"{served.url}/__mockery/health").status_code == 200  # alive: not restarted for this

    own_redis.start()  # the same port, empty: the data of a Redis without persistence is gone
    wait_until_ready(served.url)  # within one back-off window of the store's circuit breaker
    assert httpx.get(f"{served.url}/orders/1").status_code == 200
    assert httpx.post(f"{served.url}/orders", json={"item": "desk"}).status_code == 201
    assert httpx.get(f"{served.url}/checkout").json() == {"status": "pending"}
    assert served.process.poll() is None


@pytest.mark.slow
def test_a_hung_redis_never_freezes_the_server_and_it_recovers_when_redis_resumes(
    mockery: Callable[..., Mockery], shop: Path, own_redis: RedisServer
) -> None:
    served = mockery(str(shop), "--state", own_redis.url)
    # The stateful request goes on a connection the server has already accepted, so that it arrives first.
    with httpx.Client(base_url=served.url, timeout=CLIENT_TIMEOUT) as client:
        assert client.post("/orders", json={"item": "lamp"}).status_code == 201
        with own_redis.paused():  # SIGSTOP, and SIGCONT however the block ends
            with ThreadPoolExecutor(max_workers=4) as pool:
                stateful = pool.submit(client.post, "/orders", json={"item": "desk"})
                health = pool.submit(timed, "GET", f"{served.url}/__mockery/health")
                ready = pool.submit(timed, "GET", f"{served.url}/__mockery/ready")
                static = pool.submit(timed, "GET", f"{served.url}/ping")
                (health_answer, health_took), (ready_answer, ready_took) = health.result(), ready.result()
                static_answer, static_took = static.result()
                stateful_answer = stateful.result()
            assert health_answer.status_code == 200, health_answer.text
            assert health_took < 1.0
            assert ready_answer.status_code == 503, ready_answer.text
            assert ready_answer.json()["ready"] is False
            assert ready_answer.json()["store"] == own_redis.url
            assert ready_took < 1.0
            assert (static_answer.status_code, static_answer.json()) == (200, {"ok": True})
            assert static_took < 1.0
            assert stateful_answer.status_code == 503, stateful_answer.text
            assert stateful_answer.json()["title"] == "State store unavailable"
            # While the breaker is open, stateful requests are refused without waiting on the hung socket.
            again, again_took = timed("GET", f"{served.url}/orders/1")
            assert again.status_code == 503
            assert again_took < 1.0

    wait_until_ready(served.url)
    assert httpx.get(f"{served.url}/orders/1").status_code == 200
    assert httpx.post(f"{served.url}/orders", json={"item": "chair"}).status_code == 201
    assert httpx.get(f"{served.url}/checkout").json() == {"status": "pending"}
    assert served.process.poll() is None
