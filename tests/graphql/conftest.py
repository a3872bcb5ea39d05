"""The GraphQL tests' state stores: memory, SQLite, and one redis-server for the session (each test its own
prefix), started by the helper the store tests use."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "store"))

from redis_server import RedisServer, running_redis

from mockery.store import Store, open_store


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store | str:
    """A store of each kind, empty."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/state.db"
    server: RedisServer = request.getfixturevalue("redis_server")
    return open_store(server.url, prefix=f"graphql-{uuid.uuid4().hex}")
