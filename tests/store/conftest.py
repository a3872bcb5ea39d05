"""One redis-server per test process, shared by the Redis tests of this folder (each uses its own prefix)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis_server import RedisServer, running_redis


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server
