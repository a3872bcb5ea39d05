"""The benchmark's GraphQL workload (h) asks a valid query of a valid spec: what it measures is an answer."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import httpx

from mockery import MockServer

RUN = Path(__file__).resolve().parents[2] / "bench" / "run.py"


def test_the_graphql_workload_answers_its_query(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    assert spec is not None
    assert spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = run  # its dataclasses look their module up
    try:
        spec.loader.exec_module(run)
    finally:
        del sys.modules["bench_run"]
    (tmp_path / "graph.yaml").write_text(run.GRAPHQL_SPEC)
    [workload] = [workload for workload in run.WORKLOADS if workload.key == "h"]
    with MockServer(tmp_path / "graph.yaml") as server:
        response = httpx.get(server.url + workload.path)
    assert response.status_code == 200
    user = response.json()["data"]["user"]
    assert list(user) == ["id", "name", "email", "city"]
    assert user["id"] == "42"
