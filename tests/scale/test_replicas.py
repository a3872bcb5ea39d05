"""Two `mockery serve` processes sharing one Redis: the same records, ids, scenarios and rate limits."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from redis_server import RedisServer
from scale_support import Mockery


def pair(mockery: Callable[..., Mockery], shop: Path, redis: RedisServer) -> tuple[Mockery, Mockery]:
    prefix = f"replicas-{uuid.uuid4().hex}"
    return tuple(mockery(str(shop), "--state", redis.url, "--state-prefix", prefix) for _ in range(2))  # type: ignore[return-value]


@pytest.mark.slow
def test_a_record_posted_to_one_replica_is_returned_by_the_other(
    mockery: Callable[..., Mockery], shop: Path, shared_redis: RedisServer
) -> None:
    one, other = pair(mockery, shop, shared_redis)
    created = httpx.post(f"{one.url}/orders", json={"item": "lamp"})
    assert created.status_code == 201
    record = created.json()
    assert httpx.get(f"{other.url}/orders/{record['id']}").json() == record
    assert httpx.delete(f"{other.url}/orders/{record['id']}").status_code in (200, 204)
    assert httpx.get(f"{one.url}/orders/{record['id']}").status_code == 404


@pytest.mark.slow
def test_a_scenario_moved_on_one_replica_is_seen_by_the_other(
    mockery: Callable[..., Mockery], shop: Path, shared_redis: RedisServer
) -> None:
    one, other = pair(mockery, shop, shared_redis)
    assert httpx.get(f"{other.url}/checkout").json() == {"status": "pending"}
    assert httpx.post(f"{one.url}/checkout/pay").json() == {"status": "paid"}
    assert httpx.get(f"{other.url}/checkout").json() == {"status": "paid"}
    # The move happened once: paying again matches no route in state "paid".
    assert httpx.post(f"{other.url}/checkout/pay").status_code == 404
    assert httpx.get(f"{other.url}/__mockery/scenarios/checkout").json()["state"] == "paid"


@pytest.mark.slow
def test_500_concurrent_posts_over_both_replicas_get_500_distinct_ids_readable_from_either(
    mockery: Callable[..., Mockery], shop: Path, shared_redis: RedisServer
) -> None:
    replicas = pair(mockery, shop, shared_redis)
    urls = [replica.url for replica in replicas]

    async def run() -> tuple[list[httpx.Response], list[httpx.Response]]:
        # A fresh connection per request: a pooled connection that the server closes as idle just as the
        # client reuses it would fail a POST on a busy machine, and that would test httpx, not mockery.
        # No deadline for a free connection: 500 requests queue for 100 connections, however busy the machine.
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(30, pool=None)) as client:
            posts = await asyncio.gather(
                *(client.post(f"{urls[n % 2]}/orders", json={"item": f"item{n}"}) for n in range(500))
            )
            ids = [post.json()["id"] for post in posts]
            # Each record read back from the replica that did not create it; every one listed by both.
            gets = await asyncio.gather(*(client.get(f"{urls[(n + 1) % 2]}/orders/{ids[n]}") for n in range(500)))
            lists = await asyncio.gather(*(client.get(f"{url}/orders", params={"_limit": 2000}) for url in urls))
            return posts, [*gets, *lists]

    posts, (*gets, first_list, second_list) = asyncio.run(run())
    assert [post.status_code for post in posts] == [201] * 500
    ids = [post.json()["id"] for post in posts]
    assert len(set(ids)) == 500
    assert [get.status_code for get in gets] == [200] * 500
    assert [get.json()["item"] for get in gets] == [f"item{n}" for n in range(500)]
    for listed in (first_list, second_list):
        assert listed.status_code == 200
        assert set(ids) <= {record["id"] for record in listed.json()}


@pytest.mark.slow
def test_a_rate_limit_of_10_per_second_holds_across_both_replicas_together(
    mockery: Callable[..., Mockery], shop: Path, shared_redis: RedisServer
) -> None:
    replicas = pair(mockery, shop, shared_redis)
    urls = [replica.url for replica in replicas]

    async def burst() -> tuple[list[int], float]:
        async with httpx.AsyncClient(timeout=10) as client:
            started = time.monotonic()
            answers = await asyncio.gather(*(client.get(f"{urls[n % 2]}/limited") for n in range(40)))
            return [answer.status_code for answer in answers], time.monotonic() - started

    statuses, seconds = asyncio.run(burst())
    assert set(statuses) <= {200, 429}
    if seconds < 0.9:  # the whole burst fell in one window: exactly 10 answered, whichever replica got them
        assert statuses.count(200) == 10
    else:  # a slow machine: the burst spans two windows at most
        assert 10 <= statuses.count(200) <= 20
    for url in urls:
        refused = httpx.get(f"{url}/limited")
        if refused.status_code == 429:
            assert refused.headers["content-type"] == "application/problem+json"
            assert int(refused.headers["retry-after"]) == 1
