"""bench/seeding.py still runs and measures each way of seeding a render (a smoke test: it asserts no speed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_seeding_bench_prints_a_row_for_each_way(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_seeding", ROOT / "bench" / "seeding.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--calls", "10"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "| what | us per call |"
    assert len(rows) == 6
    assert all(float(row.split("|")[2]) > 0 for row in rows[2:])
