"""Recipe: async tests under anyio (docs/testing.md, "Async tests")."""

from __future__ import annotations

import httpx
import pytest

from mockery import MockServer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the event loop the async tests run on


@pytest.mark.anyio
async def test_an_async_client_against_the_fixture(amockery: MockServer) -> None:
    transport = amockery.httpx_transport()  # or leave it out: amockery.url_for("users") over a socket
    async with httpx.AsyncClient(transport=transport, base_url=amockery.url_for("users")) as client:
        user = (await client.get("/users/42")).json()
    assert "@" in user["email"]
    amockery.assert_called("GET", "/api/users/42", times=1)


@pytest.mark.anyio
async def test_a_server_of_its_own() -> None:
    spec = {"service": "clock", "routes": [{"path": "/now", "response": {"body": {"now": "{{ now() }}"}}}]}
    async with MockServer(inline=spec) as mock, httpx.AsyncClient(base_url=mock.url) as client:
        assert (await client.get("/now")).status_code == 200
