"""The benchmark harness refuses to run without wrk (its run end to end is tests/test_bench_big.py's)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_harness_refuses_to_run_without_wrk(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--out", str(tmp_path / "r.md")],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(Path(sys.executable).parent)},
    )
    assert result.returncode == 2
    assert "apt-get install wrk" in result.stderr
    assert not (tmp_path / "r.md").exists()
