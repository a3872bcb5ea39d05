"""The loop ``mockery serve`` runs on (mockery.server.event_loop): uvloop, with start-up frozen out of the
garbage collector's walks. Each check runs in a process of its own: ``gc.freeze`` is for the whole process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sidecar_support import serve

PROBE = """
import asyncio, gc, json
from mockery.server import event_loop

kept = [{"made": "at start-up"} for _ in range(1000)]

async def main():
    return {"loop": type(asyncio.get_running_loop()).__module__, "frozen": gc.get_freeze_count()}

print(json.dumps(event_loop.run(main())))
"""


def test_serve_runs_on_uvloop_with_start_up_frozen() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    seen = json.loads(done.stdout)
    assert seen["loop"].startswith("uvloop")
    assert seen["frozen"] >= 1000  # what existed before the loop started, the list above included


def test_mockery_serve_answers_from_uvloop(tmp_path: Path) -> None:
    (tmp_path / "ping.yaml").write_text("service: ping\nport: 0\nroutes:\n  - {path: /ping, response: {body: pong}}\n")
    server = serve(str(tmp_path), "--port", "0")
    try:
        assert httpx.get(server.urls["ping"] + "/ping").text == "pong"
        maps = Path(f"/proc/{server.process.pid}/maps")
        if not maps.exists():
            pytest.skip("no /proc on this system: which loop runs is not visible from outside")
        assert "uvloop" in maps.read_text()  # uvloop's loop module is mapped: the process runs on it
    finally:
        server.stop()
