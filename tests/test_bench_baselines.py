"""bench/baselines.py: the Starlette apps mockery is measured against answer what their workloads ask (a smoke
test over ASGI: it asserts no speed)."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path
from types import ModuleType

import httpx
import orjson
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def baselines() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_baselines", ROOT / "bench" / "baselines.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def get(app: object, *paths: str) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            return [await client.get(path) for path in paths]

    return asyncio.run(run())


def test_the_list_baseline_answers_a_slice_of_20_of_1000_prebuilt_records(baselines: ModuleType) -> None:
    first, second = get(baselines.starlette_app, "/list", "/list")
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/json"
    records = orjson.loads(first.content)
    assert len(baselines.LIST_RECORDS) == 1000
    assert records == baselines.LIST_RECORDS[40:60]
    assert set(records[0]) == {"id", "name", "email", "age", "role"}
    assert second.content == first.content


def test_the_templated_baseline_makes_three_faker_calls(baselines: ModuleType) -> None:
    body = get(baselines.starlette_app, "/users/42")[0].json()
    assert body["id"] == 42
    assert set(body) == {"id", "name", "email", "city"}
