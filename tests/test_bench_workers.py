"""bench/workers.py writes its section of RESULTS.md from its measurements and keeps the rest (no speed is
asserted: the run itself is the bench's, once)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_workers", ROOT / "bench" / "workers.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def test_the_section_reports_both_methods_and_replaces_only_itself(tmp_path: Path) -> None:
    bench = _bench()
    window = bench.Window
    results = {
        ("static", 1): window(rate=10_000.0, cpu=1.0, errors=0),
        ("static", 2): window(rate=15_000.0, cpu=1.6, errors=0),
        ("templated", 1): window(rate=4_000.0, cpu=1.0, errors=0),
        ("templated", 2): window(rate=6_000.0, cpu=1.5, errors=2),
    }
    confined = {
        "static": bench.Confined(window(rate=9_000.0, cpu=1.0, errors=0), window(8_500.0, 1.0, 0), ratio=0.93),
        "templated": bench.Confined(window(rate=4_000.0, cpu=1.0, errors=0), window(4_100.0, 1.0, 0), ratio=1.02),
    }
    text = bench.section(results, confined, 5, 3)
    assert "| static | 1 | 10,000 | 1.00 | 10,000 | 0 |" in text
    assert "| templated | 2 | 6,000 | 1.50 | 4,000 | 2 |" in text
    assert "| static | 3 alternating pairs | 9,000 | 8,500 | 0.93x |" in text
    # shared cores: 15,000 / 10,000; cores of their own: twice the confined ratio (the median of the pairs')
    assert "| static | 1.50x | 1.86x |" in text
    assert "| templated | 1.50x | 2.04x |" in text
    # On one core there is nothing to confine to: no estimate, said so.
    assert "| static | 1.50x | - (one core only) |" in bench.section(results, {}, 5, 3)
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\nkept\n\n<!-- other:start -->\nother\n<!-- other:end -->\n", encoding="utf-8")
    for _ in range(2):
        bench.write(out, text)
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# Benchmark results\n\nkept\n")
    assert "<!-- other:start -->\nother\n<!-- other:end -->" in report
    assert report.count("## Workers (bench/workers.py)") == 1
