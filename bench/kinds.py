"""Numbers for every kind of answer beyond plain HTTP routes: Server-Sent Events, WebSocket echo, GraphQL beside
the templated REST route, callbacks, a large OpenAPI document; writes its section of bench/RESULTS.md.

    python3 bench/kinds.py [--duration 3] [--out bench/RESULTS.md | -]

Every server is a `python3 -m mockery serve` process of its own on an ephemeral loopback port, pinned to core 0
where the machine has two (as bench/run.py pins its servers); the load comes from core 1: wrk for plain
requests, this process (pinned there too) for streams, sockets and the callback receiver. Each measurement
runs `--duration` seconds after a one-second warm-up, so the whole script takes about two minutes. The section
between the ``kinds`` markers of the output file is replaced (or appended), so that the rest of RESULTS.md is
kept.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re  # re-ok: fixed patterns, reading wrk's report
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import free_port, machine, pinned, write_section  # noqa: E402

START, END = "<!-- kinds:start -->", "<!-- kinds:end -->"
CORPUS = Path(os.environ.get("MOCKERY_CORPUS", ROOT.parent / "shared" / "corpus"))
REBILLY = "openapi/Redocly-redoc_demo__big-openapi.json"  # the Rebilly API (SOURCES.md), the corpus's largest
REBILLY_PATH = "/v2.1/customers"
REBILLY_HEADERS = {"REB-APIKEY": "bench"}  # the document asks every request for its API key header
SSE_CLIENTS = 100
WS_CONNECTIONS = 10
WRK_CONNECTIONS = 32
CALLBACK_BURST = 1000  # the dispatcher's default queue (max_pending): none is dropped

SSE_SPEC = """\
service: live
routes:
  - path: /ticks
    events:
      repeat: forever
      send:
        - {event: tick, data: {n: "{{ number }}"}}
"""

WS_SPEC = """\
service: chat
routes:
  - path: /ws
    websocket:
      rules:
        - match: {body: {json: {type: ping}}}
          reply: {type: pong, n: "{{ number }}"}
"""

# The GraphQL query of bench/run.py's workload (h) and the templated route asking Faker for the same fields.
GRAPHQL_QUERY = "%7Buser(id%3A42)%7Bid%20name%20email%20city%7D%7D"  # {user(id:42){id name email city}}
GRAPHQL_SPEC = """\
service: graph
base_path: /gql
routes:
  - path: /users/{id}
    response:
      body:
        id: "{{ request.path_params.id }}"
        name: "{{ faker.name() }}"
        email: "{{ faker.email() }}"
        city: "{{ faker.city() }}"
graphql:
  sdl: |
    type User { id: ID! name: String email: String city: String }
    type Query { user(id: ID!): User }
"""

CALLBACK_SPEC = """\
service: hooks
routes:
  - path: /trigger
    response: {{status: 202, body: {{accepted: true}}}}
    callbacks:
      - name: notify
        url: "http://127.0.0.1:{port}/hook"
        body: {{event: order.paid, order: "{{{{ uuid() }}}}", customer: "{{{{ faker.name() }}}}"}}
        retry: {{attempts: 1}}
"""


@contextlib.contextmanager
def serving(
    folder: Path, probe: str, headers: dict[str, str] | None = None, timeout: float = 120
) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """`mockery serve folder` on an ephemeral port, pinned to core 0: yields its URL, the process and the seconds
    from launch to the first 200 of ``probe``."""
    command = [sys.executable, "-m", "mockery", "serve", str(folder), "--port", "0", "--quiet"]
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(pinned(0) + command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            url = None
            with httpx.Client(timeout=30, headers=headers) as client:
                while True:
                    if process.poll() is not None:
                        log.seek(0)
                        raise RuntimeError(f"server exited: {log.read().decode(errors='replace')[-4000:]}")
                    if time.perf_counter() - started > timeout:
                        raise RuntimeError(f"no 200 from {probe} within {timeout:.0f} s")
                    if url is None:
                        log.seek(0)
                        found = re.search(rb"listening\s+url=(\S+)", log.read())
                        url = found.group(1).decode() if found else None
                    if url is not None:
                        with contextlib.suppress(httpx.HTTPError):
                            if client.get(url + probe).status_code == 200:
                                break
                    time.sleep(0.005)
            yield url, process, time.perf_counter() - started
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def spec_folder(text: str, name: str = "spec.yaml") -> tempfile.TemporaryDirectory[str]:
    folder = tempfile.TemporaryDirectory()
    (Path(folder.name) / name).write_text(text, encoding="utf-8")
    return folder


def rss_mb(process: subprocess.Popen[bytes], field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wrk(url: str, duration: float, headers: dict[str, str] | None = None) -> tuple[float, int]:
    """Requests per second of wrk (pinned to core 1) after a one-second warm-up, and its non-2xx count."""
    command = [*pinned(1), "wrk", "-t1", f"-c{WRK_CONNECTIONS}"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    subprocess.run([*command, "-d1s", url], capture_output=True, check=True)
    text = subprocess.run(
        [*command, f"-d{max(duration, 1):.0f}s", url], capture_output=True, check=True, text=True
    ).stdout
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    if rate is None:
        raise RuntimeError(f"wrk gave no result for {url}:\n{text}")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    return float(rate.group(1)), int(errors.group(1)) if errors else 0


def sse(duration: float) -> dict[str, float]:
    """Events per second read by ``SSE_CLIENTS`` clients of one endless stream route."""

    async def run() -> dict[str, float]:
        with spec_folder(SSE_SPEC) as folder, serving(Path(folder), "/__mockery/health") as (url, _, _):
            host, port = url.removeprefix("http://").split(":")
            counts = [0] * SSE_CLIENTS
            counting = asyncio.Event()
            stop = asyncio.Event()

            async def client(n: int) -> None:
                reader, writer = await asyncio.open_connection(host, int(port))
                writer.write(f"GET /ticks?c={n} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
                tail = b""
                try:
                    while not stop.is_set():
                        chunk = await reader.read(65536)
                        if not chunk:
                            raise RuntimeError("the stream ended")
                        data = tail + chunk
                        if counting.is_set():
                            counts[n] += data.count(b"event: tick")
                        tail = data[-16:]
                        if counting.is_set():
                            counts[n] -= tail.count(b"event: tick")  # counted again with the next chunk
                finally:
                    writer.close()

            tasks = [asyncio.create_task(client(n)) for n in range(SSE_CLIENTS)]
            await asyncio.sleep(1)
            counting.set()
            started = time.perf_counter()
            await asyncio.sleep(duration)
            total, elapsed = sum(counts), time.perf_counter() - started
            stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            return {"events_per_second": total / elapsed, "slowest_client": min(counts) / elapsed}

    return asyncio.run(run())


def websocket(duration: float) -> dict[str, float]:
    """Round-trips per second (a ping sent, its pong read) over ``WS_CONNECTIONS`` connections at once."""

    async def run() -> dict[str, float]:
        with spec_folder(WS_SPEC) as folder, serving(Path(folder), "/__mockery/health") as (url, _, _):
            base = url.replace("http://", "ws://") + "/ws"
            done = [0] * WS_CONNECTIONS
            deadline = [0.0]

            async def one(n: int) -> None:
                async with connect(base) as socket_:
                    for _ in range(50):  # warm-up
                        await socket_.send('{"type": "ping"}')
                        await socket_.recv()
                    while time.perf_counter() < deadline[0]:
                        await socket_.send('{"type": "ping"}')
                        answer = json.loads(await socket_.recv())
                        if answer.get("type") != "pong":
                            raise RuntimeError(f"not a pong: {answer}")
                        done[n] += 1

            started = time.perf_counter()
            deadline[0] = started + duration + 1
            await asyncio.gather(*(one(n) for n in range(WS_CONNECTIONS)))
            return {"round_trips_per_second": sum(done) / (time.perf_counter() - started - 1)}

    return asyncio.run(run())


def graphql(duration: float) -> dict[str, float]:
    """req/s of a GraphQL query and of the templated REST route answering the same fields, on one server."""
    with spec_folder(GRAPHQL_SPEC) as folder, serving(Path(folder), "/gql/users/42") as (url, process, _):
        rest, rest_errors = wrk(url + "/gql/users/42", duration)
        query, query_errors = wrk(url + "/gql/graphql?query=" + GRAPHQL_QUERY, duration)
        assert httpx.get(url + "/gql/graphql?query=" + GRAPHQL_QUERY).json()["data"]["user"]["id"] == "42"
        return {"graphql": query, "rest": rest, "errors": query_errors + rest_errors, "rss": rss_mb(process, "VmHWM")}


class Receiver:
    """A loopback HTTP server in a thread that answers 204 to every request and counts them."""

    def __init__(self) -> None:
        self.count = 0
        self.last = 0.0
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self._ready.set()
        self._loop.run_forever()
        server.close()
        self._loop.run_until_complete(server.wait_closed())
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = re.search(rb"(?i)content-length:\s*(\d+)", head)
                    if length:
                        await reader.readexactly(int(length.group(1)))
                    self.count += 1
                    self.last = time.perf_counter()
                    writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        finally:
            writer.close()

    async def _shutdown(self) -> None:
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def callbacks(duration: float) -> dict[str, float]:
    """Callback deliveries per second to a loopback receiver: ``CALLBACK_BURST`` requests to a route that sends
    one, as fast as 16 connections send them (the dispatcher's queue holds them all), timed until the last
    delivery arrives."""
    count = CALLBACK_BURST if duration >= 2 else CALLBACK_BURST // 10
    with (
        Receiver() as receiver,
        spec_folder(CALLBACK_SPEC.format(port=receiver.port)) as folder,
        serving(Path(folder), "/__mockery/health") as (url, _, _),
    ):
        host, port = url.removeprefix("http://").split(":")

        def burst(total: int) -> int:
            """``total`` requests from 16 keep-alive connections at once (raw sockets: a client library would be
            slower than the server); returns ``total`` once every one was answered 202."""
            numbers = iter(range(total))

            async def connection() -> None:
                reader, writer = await asyncio.open_connection(host, int(port))
                request = f"GET /trigger HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
                try:
                    for _ in numbers:
                        writer.write(request)
                        head = await reader.readuntil(b"\r\n\r\n")
                        if not head.startswith(b"HTTP/1.1 202"):
                            raise RuntimeError(f"the trigger route answered {head[:40]!r}")
                        length = re.search(rb"(?i)content-length:\s*(\d+)", head)
                        await reader.readexactly(int(length.group(1)) if length else 0)
                finally:
                    writer.close()
                    await writer.wait_closed()

            async def run() -> None:
                await asyncio.gather(*(connection() for _ in range(16)))

            asyncio.run(run())
            return total

        def wait_for(total: int) -> None:
            deadline = time.perf_counter() + 120
            while receiver.count < total and time.perf_counter() < deadline:
                time.sleep(0.005)

        wait_for(burst(50))  # warm-up: imports, the first renders, the dispatcher's connections
        before = receiver.count
        started = time.perf_counter()
        triggered = burst(count)
        answered = time.perf_counter() - started
        wait_for(before + triggered)
        delivered = receiver.count - before
        return {
            "deliveries_per_second": delivered / max(receiver.last - started, 1e-9),
            "delivered": delivered,
            "triggered": triggered,
            "triggers_per_second": triggered / answered,
            "seconds": receiver.last - started,
        }


def openapi(duration: float) -> dict[str, Any]:
    """The Rebilly document: start-up to its first generated answer, RSS, and req/s of a generated list."""
    source = CORPUS / REBILLY
    if not source.exists():
        return {"missing": str(source)}
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(source, Path(folder) / "rebilly.json")
        with serving(Path(folder), REBILLY_PATH, REBILLY_HEADERS) as (url, process, startup):
            first_rss = rss_mb(process)
            rate, errors = wrk(url + REBILLY_PATH, duration, REBILLY_HEADERS)
            routes = httpx.get(url + "/__mockery/services", timeout=30).json()
            count = sum(len(service.get("routes", [])) for service in routes.get("services", routes))
            return {
                "startup": startup,
                "rss_first": first_rss,
                "rss_peak": rss_mb(process, "VmHWM"),
                "rate": rate,
                "errors": errors,
                "size_kb": source.stat().st_size / 1024,
                "routes": count,
            }


def measure(duration: float) -> dict[str, Any]:
    load = os.getloadavg()[0]
    pin = (os.cpu_count() or 1) >= 2 and hasattr(os, "sched_setaffinity")
    cores = os.sched_getaffinity(0) if pin else set()
    if pin:
        os.sched_setaffinity(0, {1})  # the clients' side: the servers are pinned to core 0
    try:
        return {
            "sse": sse(duration),
            "websocket": websocket(duration),
            "graphql": graphql(duration),
            "callbacks": callbacks(duration),
            "openapi": openapi(duration),
            "load": load,
        }
    finally:
        if pin:
            os.sched_setaffinity(0, cores)


def section(result: dict[str, Any], duration: float) -> str:
    sse_, ws, gql, hooks, big = (result[key] for key in ("sse", "websocket", "graphql", "callbacks", "openapi"))
    if "missing" in big:
        openapi_rows = [f"| OpenAPI: the Rebilly document | not measured: {big['missing']} is missing |"]
    else:
        openapi_rows = [
            f"| OpenAPI: generated answers of the Rebilly document ({big['size_kb']:,.0f} KB, {big['routes']} routes), "
            f"`GET {REBILLY_PATH}` (a generated page of customers) | {big['rate']:,.0f} req/s"
            + (f" ({big['errors']:,} non-2xx)" if big["errors"] else "")
            + " |",
            f"| OpenAPI: start-up of the corpus's largest document (the same), launch to its first generated answer "
            f"| {big['startup']:.2f} s |",
            f"| OpenAPI: its RSS after the first answer, and peak under load | {big['rss_first']:,.0f} MB, "
            f"{big['rss_peak']:,.0f} MB |",
        ]
    lines = [
        START,
        "## Every kind of answer (bench/kinds.py)",
        "",
        f"Run on {date.today().isoformat()} with `python3 bench/kinds.py --duration {duration:g}`: each server a "
        "`mockery serve` process on core 0, the load from core 1 (wrk with "
        f"{WRK_CONNECTIONS} connections for plain requests; this script's asyncio clients for streams, sockets "
        f"and the callback receiver), {duration:g} s after a one-second warm-up. Load average "
        f"{result['load']:.2f} when it began: read the ratios, taken in one run.",
        "",
        f"Machine: {machine()}.",
        "",
        "| kind | measure |",
        "|---|---|",
        f"| Server-Sent Events: an endless stream of templated events to {SSE_CLIENTS} clients at once | "
        f"{sse_['events_per_second']:,.0f} events/s in all (the slowest client {sse_['slowest_client']:,.0f}/s) |",
        f"| WebSocket: echo round-trips (a JSON ping, a templated pong) on {WS_CONNECTIONS} connections at once | "
        f"{ws['round_trips_per_second']:,.0f} round-trips/s |",
        "| WebSocket: 1,000 idle connections' memory | see the WebSocket section (bench/ws_connections.py) |",
        f"| GraphQL: `{{user(id:42){{id name email city}}}}` over GET | {gql['graphql']:,.0f} req/s, "
        f"{gql['graphql'] / gql['rest']:.2f}x the templated REST route below |",
        f"| the templated REST route answering the same fields, same server | {gql['rest']:,.0f} req/s"
        + (f" ({gql['errors']:,} non-2xx)" if gql["errors"] else "")
        + " |",
        f"| Callbacks: {hooks['triggered']:,} requests to a route that sends one, from 16 connections at once, each "
        f"callback delivered to a loopback receiver | {hooks['deliveries_per_second']:,.0f} deliveries/s "
        f"({hooks['delivered']:,} of {hooks['triggered']:,} delivered in {hooks['seconds']:.2f} s; the requests "
        f"answered at {hooks['triggers_per_second']:,.0f}/s) |",
        *openapi_rows,
        "| In-process transports (httpx, requests) | see the in-process section (bench/inprocess.py) |",
        "| `mockery serve specs/`: launch to the first answer | see the start-up section (bench/startup.py) |",
        "",
        "- Callbacks are sent off the request path with bounded concurrency (16 at once) and a bounded queue "
        "(1,000 waiting; mockery/callbacks/dispatcher.py): a burst larger than the queue, or a flood faster "
        "than deliveries leave, has its excess dropped and logged, so the burst here is the queue's size.",
        "",
        END,
        "",
    ]
    return "\n".join(lines)


def write(out: Path, text: str) -> None:
    write_section(out, text, START, END)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds each measurement runs (default 3)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="file to write, or -")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("bench/kinds.py needs wrk (Debian's package: apt-get install wrk)")
    text = section(measure(args.duration), args.duration)
    if args.out != "-":
        write(Path(args.out), text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    socket.setdefaulttimeout(60)
    raise SystemExit(main())
