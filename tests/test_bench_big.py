"""bench/big.py still runs end to end and writes only its own section of the results; bench/run.py keeps what
follows its marker line (smoke tests: they assert no speed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HAND_WRITTEN = "## Written by hand\n\nkept as it is\n"


@pytest.mark.slow
def test_big_writes_its_section_and_keeps_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    out.write_text("# Benchmark results\n\nabove\n\n<!-- big:start -->\nold\n<!-- big:end -->\n\n" + HAND_WRITTEN)
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "big.py"), "--runs", "1", "--count", "5000", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    report = out.read_text()
    assert report.startswith("# Benchmark results\n\nabove\n\n<!-- big:start -->\n## Big collections")
    assert report.endswith("<!-- big:end -->\n\n" + HAND_WRITTEN)
    assert "old" not in report
    assert "| plain Python | 1 |" in report
    assert "Machine: " in report


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
@pytest.mark.slow
def test_run_writes_a_report_and_keeps_what_follows_its_marker(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    keep = "<!-- bench/run.py rewrites what is above this line and keeps what is below it -->"
    out.write_text(f"# old results\n\nstale\n\n{keep}\n\n{HAND_WRITTEN}")
    result = subprocess.run(
        [
            *(sys.executable, str(ROOT / "bench" / "run.py")),
            *("--duration", "1", "--warmup", "1", "--rounds", "1", "--only", "a", "--out", str(out)),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    report = out.read_text()
    assert "stale" not in report, report
    assert "Machine: " in report
    assert "| raw /static |" in report
    assert "| starlette /static |" in report
    assert "| (a) static JSON route (~300 B) |" in report
    assert report.endswith(f"{keep}\n\n{HAND_WRITTEN}")
