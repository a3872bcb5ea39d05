"""Calls per second from one client, over a socket and in-process (``MockServer.httpx_transport`` and
``requests_adapter``), against the same MockServer; writes its section of bench/RESULTS.md.

    python3 bench/inprocess.py [--calls 3000] [--out bench/RESULTS.md | -]

Each client sends its calls one after the other (what a test does), to a static route and to a templated one,
after a warm-up; the figure is calls / wall-clock seconds. The section between the ``inprocess`` markers of the
output file is replaced (or appended), so that the rest of RESULTS.md (bench/run.py's) is kept.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
import requests

from mockery import MockServer

SPEC = {
    "service": "bench",
    "routes": [
        {"path": "/static", "response": {"body": {"id": 1, "name": "static", "tags": ["a", "b", "c"]}}},
        {
            "path": "/users/{id:int}",
            "response": {"body": {"id": "{{ request.path_params.id }}", "name": "{{ faker.name() }}"}},
        },
    ],
}
START, END = "<!-- inprocess:start -->", "<!-- inprocess:end -->"
PATHS = {"static route": "/static", "templated route": "/users/42"}


def _sync_rate(get: Callable[[str], int], path: str, calls: int) -> float:
    for _ in range(min(200, calls)):
        get(path)
    started = time.perf_counter()
    for _ in range(calls):
        if get(path) != 200:
            raise SystemExit(f"{path} did not answer 200")
    return calls / (time.perf_counter() - started)


def _async_rate(client: httpx.AsyncClient, path: str, calls: int) -> float:
    async def run() -> float:
        async with client:
            for _ in range(min(200, calls)):
                await client.get(path)
            started = time.perf_counter()
            for _ in range(calls):
                if (await client.get(path)).status_code != 200:
                    raise SystemExit(f"{path} did not answer 200")
            return calls / (time.perf_counter() - started)

    return asyncio.run(run())


def measure(calls: int) -> list[tuple[str, str, float]]:
    """(client, route, calls/s) for every client and route."""
    rows = []
    with MockServer(inline=SPEC) as mock:
        for label, path in PATHS.items():
            with httpx.Client(base_url=mock.url) as client:
                rows.append(
                    ("httpx.Client, socket", label, _sync_rate(lambda p: client.get(p).status_code, path, calls))
                )
            with httpx.Client(base_url=mock.url, transport=mock.httpx_transport()) as client:
                rows.append(
                    ("httpx.Client, in-process", label, _sync_rate(lambda p: client.get(p).status_code, path, calls))
                )
            rows.append(
                ("httpx.AsyncClient, socket", label, _async_rate(httpx.AsyncClient(base_url=mock.url), path, calls))
            )
            in_process = httpx.AsyncClient(base_url=mock.url, transport=mock.httpx_transport())
            rows.append(("httpx.AsyncClient, in-process", label, _async_rate(in_process, path, calls)))
            with requests.Session() as session:
                rows.append(
                    (
                        "requests, socket",
                        label,
                        _sync_rate(lambda p: session.get(mock.url + p).status_code, path, calls),
                    )
                )
            with requests.Session() as session:
                session.mount("http://", mock.requests_adapter())
                rows.append(
                    (
                        "requests, in-process",
                        label,
                        _sync_rate(lambda p: session.get(mock.url + p).status_code, path, calls),
                    )
                )
            mock.reset()  # the journal keeps the last 1,000 calls: emptied between routes all the same
    return rows


def _machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, httpx {httpx.__version__}, requests {requests.__version__}"
    )


def section(rows: list[tuple[str, str, float]], calls: int) -> str:
    lines = [
        START,
        "## In-process transports (bench/inprocess.py)",
        "",
        f"Run on {date.today().isoformat()} with `python3 bench/inprocess.py --calls {calls}`: one client, "
        "calls one after the other (as a test makes them), after a warm-up. Absolute figures swing on a shared "
        "machine: compare the ratios, measured in one run.",
        "",
        f"Machine: {_machine()}.",
        "",
        "| client | route | calls/s | in-process / socket |",
        "|---|---|---|---|",
    ]
    rates = {(client, route): rate for client, route, rate in rows}
    for client, route, rate in rows:
        ratio = ""
        if client.endswith("in-process"):
            ratio = f"{rate / rates[(client.replace('in-process', 'socket'), route)]:.2f}x"
        lines.append(f"| {client} | {route} | {rate:,.0f} | {ratio} |")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write(out: Path, text: str) -> None:
    existing = out.read_text(encoding="utf-8") if out.exists() else ""
    if START in existing and END in existing:
        before, rest = existing.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        existing = before + text + after
    else:
        existing = (existing.rstrip("\n") + "\n\n" if existing else "") + text
    out.write_text(existing, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=3000, help="calls per client and route (default 3000)")
    parser.add_argument("--out", default=str(Path(__file__).with_name("RESULTS.md")), help="file to write, or -")
    args = parser.parse_args(argv)
    text = section(measure(args.calls), args.calls)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        write(Path(args.out), text)
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
