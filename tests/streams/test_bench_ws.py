"""bench/ws_connections.py runs (with a few connections) and writes its section, keeping the rest of the file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.slow
def test_the_websocket_bench_measures_and_writes_its_section(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import ws_connections
    finally:
        sys.path.remove(str(BENCH))
    out = tmp_path / "RESULTS.md"
    out.write_text("# Results\n\nkept above\n\n<!-- ws:start -->\nold\n<!-- ws:end -->\n\nkept below\n")
    assert ws_connections.main(["--connections", "20", "--out", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("# Results\n\nkept above\n\n<!-- ws:start -->\n## WebSocket connections held open")
    assert text.endswith("<!-- ws:end -->\n\nkept below\n")
    assert "old" not in text
    assert "| connections open at once | 20 (the admin journal's count) |" in text
    assert "| an admin broadcast reaching them all | 20 delivered" in text
