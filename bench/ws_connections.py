"""1,000 WebSocket connections held open on one mockery server: its memory (RSS) before, while they are open,
after they close and with as many again in their place, a broadcast to all of them, and an HTTP request answered
meanwhile; writes its section of bench/RESULTS.md.

    python3 bench/ws_connections.py [--connections 1000] [--out bench/RESULTS.md | -]

The server is a `mockery serve` process of its own (so that its RSS is the server's alone), with
`--max-connections` above the count. Each client connects, reads the route's greeting and sends a ping; then
one admin broadcast reaches every connection, and a plain GET is timed while all are open. The section between
the ``ws`` markers of the output file is replaced (or appended), so that the rest of RESULTS.md is kept.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import free_port, machine, mockery_command, server, write_section  # noqa: E402

START, END = "<!-- ws:start -->", "<!-- ws:end -->"
SPEC = """\
service: live
routes:
  - path: /static
    response: {body: {ok: true}}
  - path: /ws
    name: feed
    websocket:
      on_connect: {hello: "{{ request.query.n | int }}"}
      rules:
        - match: {body: {json: {type: ping}}}
          reply: {type: pong, n: "{{ number }}"}
"""


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc")


async def _open(base: str, count: int) -> list[ClientConnection]:
    sockets: list[ClientConnection] = []
    for start in range(0, count, 100):  # in batches: the listen backlog is finite
        batch = await asyncio.gather(*(connect(f"{base}/ws?n={n}") for n in range(start, min(start + 100, count))))
        sockets.extend(batch)
    for n, socket in enumerate(sockets):
        assert json.loads(await socket.recv()) == {"hello": n}
    for socket in sockets:
        await socket.send('{"type": "ping"}')
    for socket in sockets:
        assert json.loads(await socket.recv()) == {"type": "pong", "n": 1}
    return sockets


async def _all_closed(client: httpx.AsyncClient) -> None:
    for _ in range(200):  # the server notices each close on its own time
        if (await client.get("/__mockery/websockets")).json()["open"] == 0:
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("connections still open on the server after their clients closed them")


def measure(count: int) -> dict[str, Any]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 2 * count + 256)), hard))
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "live.yaml").write_text(SPEC, encoding="utf-8")
        port = free_port()
        command = [*mockery_command(Path(folder), port), "--max-connections", str(count + 100)]
        with server(command, port) as (process, _):
            http = f"http://127.0.0.1:{port}"
            ws = f"ws://127.0.0.1:{port}"

            async def run() -> dict[str, Any]:
                async with httpx.AsyncClient(base_url=http, timeout=60) as client:
                    for _ in range(20):  # warm: imports, the first render, one connection
                        await client.get("/static")
                    for socket in await _open(ws, 1):
                        await socket.close()
                    before = rss_kib(process.pid)
                    started = time.perf_counter()
                    sockets = await _open(ws, count)
                    opened = time.perf_counter() - started
                    held = rss_kib(process.pid)
                    asked = time.perf_counter()
                    answer = await client.get("/static")
                    http_ms = (time.perf_counter() - asked) * 1000
                    assert answer.status_code == 200
                    sent = await client.post("/__mockery/websockets/live/feed/broadcast", json={"notice": "all"})
                    delivered = sent.json()["delivered"]
                    started = time.perf_counter()
                    for socket in sockets:
                        assert json.loads(await socket.recv()) == {"notice": "all"}
                    broadcast_ms = (time.perf_counter() - started) * 1000
                    journal = (await client.get("/__mockery/websockets")).json()
                    await asyncio.gather(*(socket.close() for socket in sockets))
                    await _all_closed(client)
                    after = rss_kib(process.pid)
                    # More rounds in the memory the first left: a leak would grow with each.
                    rounds = [held]
                    for _ in range(3):
                        again = await _open(ws, count)
                        rounds.append(rss_kib(process.pid))
                        await asyncio.gather(*(socket.close() for socket in again))
                        await _all_closed(client)
                return {
                    "rounds": rounds,
                    "before": before,
                    "held": held,
                    "after": after,
                    "open_seconds": opened,
                    "http_ms": http_ms,
                    "delivered": delivered,
                    "broadcast_ms": broadcast_ms,
                    "journal_open": journal["open"],
                    "journal_frames": len(journal["frames"]),
                }

            return asyncio.run(run())


def section(result: dict[str, Any], count: int) -> str:
    per = (result["held"] - result["before"]) / count
    return "\n".join(
        [
            START,
            "## WebSocket connections held open (bench/ws_connections.py)",
            "",
            f"Run on {date.today().isoformat()} with `python3 bench/ws_connections.py --connections {count}`: one "
            "`mockery serve` process (`--max-connections` above the count), every client greeted and answered a "
            "ping before the figures are read; the RSS is the server process's (`/proc/<pid>/status`).",
            "",
            f"Machine: {machine()}.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| connections open at once | {result['journal_open']:,.0f} (the admin journal's count) |",
            f"| RSS before they opened | {result['before'] / 1024:,.1f} MiB |",
            f"| RSS with all of them open | {result['held'] / 1024:,.1f} MiB ({per:,.1f} KiB a connection) |",
            f"| RSS after they closed | {result['after'] / 1024:,.1f} MiB (Python keeps the freed memory for reuse) |",
            f"| RSS with {count:,} open, in 4 rounds (open, close, again) | "
            + ", ".join(f"{kib / 1024:,.0f}" for kib in result["rounds"])
            + " MiB: it levels off (closed connections' memory is reused), no growth per round |",
            f"| frames journaled (bounded) | {result['journal_frames']:,.0f} (the last 1,000 kept) |",
            f"| seconds to open them and exchange a ping | {result['open_seconds']:.1f} |",
            f"| a GET answered while all are open | {result['http_ms']:.1f} ms |",
            f"| an admin broadcast reaching them all | {result['delivered']:,.0f} delivered, all read in "
            f"{result['broadcast_ms']:.0f} ms |",
            "",
            END,
            "",
        ]
    )


def write(out: Path, text: str) -> None:
    write_section(out, text, START, END)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--connections", type=int, default=1000, help="connections held at once (default 1000)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="file to write, or -")
    args = parser.parse_args(argv)
    text = section(measure(args.connections), args.connections)
    if args.out != "-":
        write(Path(args.out), text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
