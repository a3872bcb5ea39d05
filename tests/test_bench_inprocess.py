"""bench/inprocess.py still runs and keeps the rest of RESULTS.md (a smoke test: it asserts no speed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_inprocess", ROOT / "bench" / "inprocess.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bench_writes_its_section_and_keeps_the_others(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\nwritten by run.py\n", encoding="utf-8")
    bench = _bench()
    for _ in range(2):  # a second run replaces its section, never adds another
        assert bench.main(["--calls", "3", "--out", str(out)]) == 0
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# Benchmark results\n\nwritten by run.py\n")
    assert report.count("## In-process transports (bench/inprocess.py)") == 1
    assert "Machine: " in report
    for client in ("httpx.Client", "httpx.AsyncClient", "requests"):
        assert f"| {client}, socket | static route |" in report
        assert f"| {client}, in-process | templated route |" in report
