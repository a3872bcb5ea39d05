"""`mockery serve --workers N`: several processes on the same ports, refused without a shared store."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from redis_server import RedisServer
from scale_support import Mockery, run_mockery


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.parametrize("state", ["memory://", "mongo://x"], ids=["memory", "unknown"])
@pytest.mark.slow
def test_several_workers_without_a_shared_store_are_refused_with_the_reason(shop: Path, state: str) -> None:
    refused = run_mockery(str(shop), "--workers", "2", "--state", state)
    assert refused.returncode == 1
    assert f"--workers 2 needs a store the workers share, and {state} is not one" in refused.stderr
    assert "--state redis://host:6379/0" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.slow
def test_reload_is_refused_with_several_workers(shop: Path, tmp_path: Path) -> None:
    refused = run_mockery(str(shop), "--workers", "2", "--state", f"sqlite:///{tmp_path}/s.db", "--reload")
    assert refused.returncode == 1
    assert "--reload works with one worker" in refused.stderr


def check_shared(served: Mockery) -> None:
    """Records created through many connections (so through both workers) are all read back."""

    async def run() -> None:
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_keepalive_connections=0)) as client:
            posts = await asyncio.gather(
                *(client.post(f"{served.url}/orders", json={"item": f"item{n}"}) for n in range(100))
            )
            ids = [post.json()["id"] for post in posts]
            assert len(set(ids)) == 100
            gets = await asyncio.gather(*(client.get(f"{served.url}/orders/{record}") for record in ids))
            assert [get.status_code for get in gets] == [200] * 100
            assert httpx.post(f"{served.url}/checkout/pay").status_code == 200
            moved = await asyncio.gather(*(client.get(f"{served.url}/checkout") for _ in range(20)))
            assert {answer.json()["status"] for answer in moved} == {"paid"}

    asyncio.run(run())


@pytest.mark.slow
def test_two_workers_on_redis_serve_and_share_state(
    mockery: Callable[..., Mockery], shop: Path, shared_redis: RedisServer
) -> None:
    prefix = f"workers-{uuid.uuid4().hex}"
    served = mockery(str(shop), "--workers", "2", "--state", shared_redis.url, "--state-prefix", prefix)
    assert len(children(served.process.pid)) == 2
    check_shared(served)
    log = served.stop()
    assert served.process.returncode == 0, log
    assert '"event":"stopped"' in log


@pytest.mark.slow
def test_two_workers_on_sqlite_serve_and_share_state(
    mockery: Callable[..., Mockery], shop: Path, tmp_path: Path
) -> None:
    served = mockery(str(shop), "--workers", "2", "--state", f"sqlite:///{tmp_path}/state.db")
    assert len(children(served.process.pid)) == 2
    check_shared(served)
