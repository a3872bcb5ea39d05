"""The benchmark harness still runs end to end (a smoke test: it measures nothing and asserts no speed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
@pytest.mark.slow
def test_the_harness_writes_a_report(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--duration",
            "1",
            "--warmup",
            "1",
            "--rounds",
            "1",
            "--only",
            "a",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    report = out.read_text()
    assert "Machine: " in report
    assert "| raw /static |" in report
    assert "| starlette /static |" in report
    assert "| (a) static JSON route (~300 B) |" in report


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
