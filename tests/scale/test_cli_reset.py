"""`mockery reset` as a user runs it against a real Redis that two deployments share: it deletes the keys of
the server it is pointed at (the prefix serve derives from the specs and seed, or --state-prefix) and no
other, and refuses to guess a prefix it cannot know."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from redis_server import RedisServer, free_port
from scale_support import STARTUP_TIMEOUT, Mockery

from mockery.load.loader import load_specs
from mockery.server.workers import default_prefix


def reset(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("MOCKERY_")}
    return subprocess.run(
        [sys.executable, "-m", "mockery", "reset", *args],
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT,
        check=False,
        env={**environ, **(env or {})},
    )


def order(served: Mockery) -> str:
    created = httpx.post(f"{served.url}/orders", json={"item": "lamp"})
    assert created.status_code == 201
    return str(created.json()["id"])


def kept(served: Mockery, order_id: str) -> bool:
    return httpx.get(f"{served.url}/orders/{order_id}").status_code == 200


@pytest.mark.slow
def test_reset_derives_serves_default_prefix_from_the_specs_and_seed(
    mockery: Callable[..., Mockery], shop: Path, shared_redis: RedisServer
) -> None:
    seed, other_seed = (str(uuid.uuid4().int % 10**9) for _ in range(2))  # prefixes of this test's own
    served = mockery(str(shop), "--state", shared_redis.url, "--seed", seed)
    other = mockery(str(shop), "--state", shared_redis.url, "--seed", other_seed)  # another deployment
    mine, theirs = order(served), order(other)
    assert httpx.post(f"{served.url}/checkout/pay").json() == {"status": "paid"}

    done = reset("--state", shared_redis.url, "--seed", seed, str(shop))

    assert done.returncode == 0, done.stderr
    prefix = default_prefix(load_specs([shop]), int(seed))
    assert done.stdout == f"reset {shared_redis.url} (the keys under {prefix}:)\n"
    assert not kept(served, mine)
    assert httpx.get(f"{served.url}/checkout").json() == {"status": "pending"}
    assert kept(other, theirs)


@pytest.mark.slow
def test_reset_takes_the_specs_seed_and_store_from_the_variables_serve_reads(
    mockery: Callable[..., Mockery], shop: Path, shared_redis: RedisServer
) -> None:
    seed = str(uuid.uuid4().int % 10**9)
    served = mockery(str(shop), "--state", shared_redis.url, "--seed", seed)
    mine = order(served)

    done = reset(env={"MOCKERY_STATE": shared_redis.url, "MOCKERY_SPECS": str(shop), "MOCKERY_SEED": seed})

    assert done.returncode == 0, done.stderr
    assert not kept(served, mine)


@pytest.mark.slow
def test_reset_deletes_the_keys_under_an_explicit_state_prefix_only(
    mockery: Callable[..., Mockery], shop: Path, shared_redis: RedisServer
) -> None:
    prefix, other_prefix = (f"reset-{uuid.uuid4().hex}" for _ in range(2))
    served = mockery(str(shop), "--state", shared_redis.url, "--state-prefix", prefix)
    other = mockery(str(shop), "--state", shared_redis.url, "--state-prefix", other_prefix)
    mine, theirs = order(served), order(other)

    by_flag = reset("--state", shared_redis.url, "--state-prefix", prefix)
    assert by_flag.returncode == 0, by_flag.stderr
    assert by_flag.stdout == f"reset {shared_redis.url} (the keys under {prefix}:)\n"
    assert not kept(served, mine)
    assert kept(other, theirs)

    by_variable = reset("--state", shared_redis.url, env={"MOCKERY_STATE_PREFIX": other_prefix})
    assert by_variable.returncode == 0, by_variable.stderr
    assert not kept(other, theirs)


@pytest.mark.slow
def test_reset_of_a_redis_store_without_specs_or_prefix_refuses_and_deletes_nothing(
    mockery: Callable[..., Mockery], shop: Path, shared_redis: RedisServer
) -> None:
    seed = str(uuid.uuid4().int % 10**9)
    served = mockery(str(shop), "--state", shared_redis.url, "--seed", seed)
    mine = order(served)

    refused = reset("--state", shared_redis.url)

    assert refused.returncode == 2
    assert "needs the server's key prefix" in refused.stderr
    assert "--state-prefix" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert kept(served, mine)


@pytest.mark.slow
def test_reset_of_an_unreachable_redis_says_so_without_a_traceback(shared_redis: RedisServer) -> None:
    url = f"redis://:secret@127.0.0.1:{free_port()}/0"  # a port nothing listens on any more
    failed = reset("--state", url, "--state-prefix", "any")
    assert failed.returncode == 1
    assert "unavailable" in failed.stderr
    assert "secret" not in failed.stderr + failed.stdout
    assert "Traceback" not in failed.stderr


@pytest.mark.slow
def test_reset_of_a_sqlite_store_needs_no_prefix(tmp_path: Path) -> None:
    state = f"sqlite:///{tmp_path / 'state.db'}"
    done = reset("--state", state)
    assert (done.returncode, done.stdout) == (0, f"reset {state}\n")
