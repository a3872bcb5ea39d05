"""The async API: ``async with MockServer(...)`` and the ``amockery`` fixture, under anyio.

Under asyncio only: the trio installed here is older than anyio's trio backend needs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anyio
import httpx
import pytest

from mockery import HandlerRequest, MockServer

pytest_plugins = ["pytester"]

SPEC = """\
service: shop
routes:
  - path: /items/{id:int}
    response: {body: {id: "{{ request.path_params.id }}", name: "{{ faker.word() }}"}}
"""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_async_with_starts_and_stops_without_blocking_the_loop(write_spec: Callable[..., Path]) -> None:
    ticks: list[int] = []

    async def tick() -> None:
        while True:
            ticks.append(1)
            await anyio.sleep(0)

    async with anyio.create_task_group() as group:
        group.start_soon(tick)
        async with MockServer(write_spec(SPEC)) as mock:
            assert ticks  # the loop ran other tasks while the server started
            async with httpx.AsyncClient(base_url=mock.url) as client:
                over_socket = (await client.get("/items/1")).json()
            async with httpx.AsyncClient(transport=mock.httpx_transport(), base_url="http://shop") as client:
                in_process = (await client.get("/items/1")).json()
            assert over_socket == in_process
            assert over_socket["id"] == 1
            mock.assert_called("GET", "/items/1", times=2)
        group.cancel_scope.cancel()
    with pytest.raises(httpx.ConnectError):
        httpx.get(mock.url + "/items/1")


@pytest.mark.anyio
async def test_async_handlers_answer_async_clients(write_spec: Callable[..., Path]) -> None:
    async def item(request: HandlerRequest) -> dict[str, object]:
        await anyio.sleep(0)
        return {"id": request.path_params["id"], "from": "handler"}

    async with MockServer(write_spec(SPEC)) as mock:
        mock.route("GET", "/items/{id:int}", times=1)(item)
        async with httpx.AsyncClient(transport=mock.httpx_transport(), base_url="http://shop") as client:
            first = (await client.get("/items/5")).json()
            second = (await client.get("/items/5")).json()
    assert first == {"id": 5, "from": "handler"}
    # The handler was used once, then the spec answered.
    assert second["id"] == 5
    assert "name" in second


PROJECT_TEST = """
import httpx
import pytest


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_first(amockery):
    async with httpx.AsyncClient(transport=amockery.httpx_transport(), base_url="http://shop") as client:
        assert (await client.get("/items/1")).status_code == 200
    amockery.stub("shop", {"path": "/extra"})
    amockery.assert_called("GET", "/items/1", times=1)


@pytest.mark.anyio
@pytest.mark.mockery(strict=False)
async def test_second_starts_clean(amockery):
    assert amockery.calls == []  # reset before the test: no calls, no stubs
    async with httpx.AsyncClient(base_url=amockery.url) as client:
        assert (await client.get("/extra")).status_code == 404


@pytest.mark.anyio
async def test_strict_mode_fails_at_teardown(amockery):
    async with httpx.AsyncClient(transport=amockery.httpx_transport(), base_url="http://shop") as client:
        await client.get("/nowhere")  # in-process: strict mode sees it as it sees a request over a socket
"""


def test_the_amockery_fixture_under_anyio(pytester: pytest.Pytester, write_spec: Callable[..., Path]) -> None:
    spec = write_spec(SPEC)
    pytester.makeini(f"[pytest]\nmockery_specs = {spec}\nfilterwarnings = error\n")
    pytester.makepyfile(PROJECT_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:benchmark")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_strict_mode_fails_at_teardown*"])
    result.stdout.fnmatch_lines(["*1 request(s) matched no route*", "*GET /nowhere*404*"])
