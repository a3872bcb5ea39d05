"""`mockery serve --workers 2 --state redis://...`: the journal, the metrics and the runtime routes are the
deployment's, whichever worker answers the admin call."""

from __future__ import annotations

import asyncio
import collections
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from outage_support import POLL_PAUSE, RECOVERY_DEADLINE
from redis_server import RedisServer
from scale_support import Mockery

DICE = """\
service: shop
routes:
  - path: /ping
    response: {body: {ok: true}}
  - path: /roll
    random: per_call
    response: {body: {id: "{{ uuid() }}"}}
"""

# Fresh connections, so that the kernel hands them to both workers.
FRESH = httpx.Limits(max_keepalive_connections=0)
BATCH = 100


def send(url: str, count: int) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=30, limits=FRESH) as client:
            return list(await asyncio.gather(*(client.get(url) for _ in range(count))))

    return asyncio.run(run())


def journal(base: str, path: str) -> dict[str, object]:
    # A new connection for every admin call: any worker may answer it.
    answer = httpx.get(f"{base}/__mockery/requests", params={"path": path}, headers={"connection": "close"})
    assert answer.status_code == 200, answer.text
    data: dict[str, object] = answer.json()
    return data


def workers_in(data: dict[str, object]) -> set[str]:
    requests = data["requests"]
    assert isinstance(requests, list)
    return {str(call["worker"]) for call in requests}


def counted(base: str, route: str) -> int:
    metrics = httpx.get(f"{base}/__mockery/metrics", headers={"connection": "close"}).text
    line = f'mockery_requests_total{{service="shop",route="{route}",status="200"}} '
    found = [row for row in metrics.splitlines() if row.startswith(line)]
    return int(found[0].removeprefix(line)) if found else 0


@pytest.mark.slow
def test_two_workers_on_redis_journal_and_count_every_request_whoever_answers(
    mockery: Callable[..., Mockery], tmp_path: Path, shared_redis: RedisServer
) -> None:
    spec = tmp_path / "dice.yaml"
    spec.write_text(DICE, encoding="utf-8")
    prefix = f"shared-{uuid.uuid4().hex}"
    served = mockery(str(spec), "--workers", "2", "--state", shared_redis.url, "--state-prefix", prefix)
    sent = 0
    answered_by: set[str] = set()
    # The kernel decides which worker accepts a connection: send batches until both have answered some.
    for _ in range(10):
        answers = send(f"{served.url}/ping", BATCH)
        assert [answer.status_code for answer in answers] == [200] * BATCH
        sent += BATCH
        answered_by = workers_in(journal(served.url, "/ping"))
        if len(answered_by) == 2:
            break
    assert len(answered_by) == 2, f"one worker answered all {sent} requests: {answered_by}"
    # Each worker accepts on a socket of its own (SO_REUSEPORT): the kernel spreads connections evenly, where
    # one shared socket let whichever worker woke first take a whole burst.
    requests = journal(served.url, "/ping")["requests"]
    assert isinstance(requests, list)
    shares = collections.Counter(str(call["worker"]) for call in requests)
    assert min(shares.values()) >= sent // 10, shares
    for _ in range(6):  # several admin calls, each on a connection of its own: both workers answer some
        data = journal(served.url, "/ping")
        assert data["count"] == sent
        assert workers_in(data) == answered_by
        assert counted(served.url, "GET /ping") == sent

    # The dashboard's stream starts with the journal it keeps: every worker's calls.
    streamed = 0
    with httpx.stream("GET", f"{served.url}/__mockery/requests/stream") as events:
        for line in events.iter_lines():
            streamed += line.startswith("data: ") and '"path":"/ping"' in line
            if streamed == sent:
                break
    assert streamed == sent

    # per_call: both workers draw from one sequence of calls, so no two answers repeat a value.
    rolls = send(f"{served.url}/roll", BATCH)
    assert len({answer.json()["id"] for answer in rolls}) == BATCH
    assert len(workers_in(journal(served.url, "/roll"))) == 2

    log = served.stop()
    assert served.process.returncode == 0, log


@pytest.mark.slow
def test_a_route_added_through_one_worker_is_answered_by_every_worker_until_removed_or_reset(
    mockery: Callable[..., Mockery], shop: Path, shared_redis: RedisServer
) -> None:
    prefix = f"shared-{uuid.uuid4().hex}"
    served = mockery(str(shop), "--workers", "2", "--state", shared_redis.url, "--state-prefix", prefix)
    added = httpx.post(
        f"{served.url}/__mockery/routes",
        json={"service": "shop", "route": {"path": "/added/{id}", "response": {"body": {"id": "{{ faker.uuid4() }}"}}}},
    )
    assert added.status_code == 201, added.text
    route_id = added.json()["id"]

    answers = send(f"{served.url}/added/7", BATCH)
    assert [answer.status_code for answer in answers] == [200] * BATCH
    # Built with the same index and seed everywhere: the same request gets the same bytes from either worker.
    assert len({answer.content for answer in answers}) == 1
    data = journal(served.url, "/added/7")
    assert data["count"] == BATCH
    assert len(workers_in(data)) == 2

    removed = httpx.delete(f"{served.url}/__mockery/routes/{route_id}", headers={"connection": "close"})
    assert removed.status_code == 204
    assert {answer.status_code for answer in send(f"{served.url}/added/7", BATCH)} == {404}

    again = httpx.post(f"{served.url}/__mockery/routes", json={"route": {"path": "/again"}})
    assert again.status_code == 201
    assert again.json()["id"] != route_id  # ids are the deployment's: no worker hands out one twice
    assert {answer.status_code for answer in send(f"{served.url}/again", BATCH)} == {200}
    reset = httpx.post(f"{served.url}/__mockery/reset", headers={"connection": "close"})
    assert reset.status_code == 200
    assert {answer.status_code for answer in send(f"{served.url}/again", BATCH)} == {404}
    # The reset cleared every worker's journal: only the 404s sent after it are left.
    assert journal(served.url, "/again")["count"] == BATCH
    assert journal(served.url, "/added/7")["count"] == 0

    log = served.stop()
    assert served.process.returncode == 0, log


@pytest.mark.slow
def test_calls_answered_while_redis_is_away_reach_the_shared_journal_when_it_returns(
    mockery: Callable[..., Mockery], tmp_path: Path, own_redis: RedisServer
) -> None:
    spec = tmp_path / "dice.yaml"
    spec.write_text(DICE, encoding="utf-8")
    served = mockery(str(spec), "--workers", "2", "--state", own_redis.url, "--state-prefix", "away")
    own_redis.stop()
    # A route that needs no state answers as ever: nothing on a request's path waits for the journal's Redis.
    assert {answer.status_code for answer in send(f"{served.url}/ping", BATCH)} == {200}
    refused = httpx.get(f"{served.url}/__mockery/requests", headers={"connection": "close"})
    assert refused.status_code == 503, refused.text
    assert "redis://127.0.0.1" in refused.json()["detail"]
    own_redis.start()
    # Each worker listens again and sends what it kept once Redis answers (its next turns, about a second).
    deadline = time.monotonic() + RECOVERY_DEADLINE
    while True:
        answer = httpx.get(
            f"{served.url}/__mockery/requests", params={"path": "/ping"}, headers={"connection": "close"}
        )
        if answer.status_code == 200 and answer.json()["count"] == BATCH:
            break
        assert time.monotonic() < deadline, answer.text[:500]
        time.sleep(POLL_PAUSE)  # a pause between polls; the workers decide when they have sent their calls
    log = served.stop()
    assert served.process.returncode == 0, log
