"""bench/kinds.py and bench/startup.py still run and keep the rest of RESULTS.md (smoke tests: they assert
numbers were measured, never how fast)."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NUMBER = r"[0-9][0-9,]*(\.[0-9]+)?"


def _bench(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RESULT: dict[str, Any] = {
    "sse": {"events_per_second": 12000.0, "slowest_client": 110.0},
    "websocket": {"round_trips_per_second": 2500.0},
    "graphql": {"graphql": 700.0, "rest": 5000.0, "errors": 0, "rss": 90.0},
    "callbacks": {
        "deliveries_per_second": 900.0,
        "delivered": 1000,
        "triggered": 1000,
        "triggers_per_second": 1500.0,
        "seconds": 1.11,
    },
    "openapi": {
        "startup": 2.5,
        "rss_first": 80.0,
        "rss_peak": 90.0,
        "rate": 2000.0,
        "errors": 0,
        "size_kb": 838.0,
        "routes": 246,
    },
    "load": 1.5,
}


def test_the_kinds_section_has_a_row_for_every_kind_and_replaces_only_itself(tmp_path: Path) -> None:
    bench = _bench("kinds")
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\nwritten by run.py\n\n<!-- ws:start -->\nws\n<!-- ws:end -->\n")
    for _ in range(2):  # a second run replaces its section, never adds another
        bench.write(out, bench.section(RESULT, 3.0))
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# Benchmark results\n\nwritten by run.py\n")
    assert "<!-- ws:start -->\nws\n<!-- ws:end -->" in report
    assert report.count("## Every kind of answer (bench/kinds.py)") == 1
    for row in (
        "| Server-Sent Events: an endless stream of templated events to 100 clients at once | 12,000 events/s",
        "| WebSocket: echo round-trips (a JSON ping, a templated pong) on 10 connections at once | 2,500 ",
        "| WebSocket: 1,000 idle connections' memory | see the WebSocket section",
        "over GET | 700 req/s, 0.14x the templated REST route below |",
        "each callback delivered to a loopback receiver | 900 deliveries/s (1,000 of 1,000 delivered in 1.11 s;",
        "`GET /v2.1/customers` (a generated page of customers) | 2,000 req/s |",
        "launch to its first generated answer | 2.50 s |",
        "| OpenAPI: its RSS after the first answer, and peak under load | 80 MB, 90 MB |",
        "| In-process transports (httpx, requests) | see the in-process section",
    ):
        assert row in report, row


def test_a_missing_corpus_leaves_a_row_saying_so() -> None:
    text = _bench("kinds").section({**RESULT, "openapi": {"missing": "/nowhere/big.json"}}, 3.0)
    assert "| OpenAPI: the Rebilly document | not measured: /nowhere/big.json is missing |" in text


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("wrk") is None, reason="bench/kinds.py drives plain requests with wrk")
def test_the_kinds_bench_measures_every_kind(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    assert _bench("kinds").main(["--duration", "1", "--out", str(out)]) == 0
    report = out.read_text(encoding="utf-8")
    assert re.search(rf"to 100 clients at once \| {NUMBER} events/s", report), report
    assert re.search(rf"on 10 connections at once \| {NUMBER} round-trips/s", report), report
    assert re.search(rf"same server \| {NUMBER} req/s", report), report
    assert re.search(rf"\| {NUMBER} deliveries/s \(", report), report
    assert "OpenAPI" in report


@pytest.mark.slow
def test_the_startup_bench_measures_the_first_answer(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n", encoding="utf-8")
    assert _bench("startup").main(["--runs", "1", "--out", str(out)]) == 0
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# Benchmark results\n")
    assert re.search(rf"\| launch to first 200, median of 1 \| {NUMBER} s", report), report
    assert re.search(rf"\| modules loaded once it has answered \| {NUMBER} \|", report), report
    assert "| optional machinery loaded | none |" in report
