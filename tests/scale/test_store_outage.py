"""Redis stops while mockery serves: stateful routes answer 503, stateless ones 200; it comes back alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from redis_server import RedisServer
from scale_support import Mockery


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
    assert httpx.get(f"{served.url}/__mockery/ready").json() == {"ready": True}
    assert httpx.get(f"{served.url}/orders/1").status_code == 200
    assert httpx.post(f"{served.url}/orders", json={"item": "desk"}).status_code == 201
    assert httpx.get(f"{served.url}/checkout").json() == {"status": "pending"}
    assert served.process.poll() is None
