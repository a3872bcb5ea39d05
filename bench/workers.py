"""One worker against two (``mockery serve --workers 2 --state redis://...``), on the static and the templated
route of bench/run.py; writes its section of bench/RESULTS.md.

    python3 bench/workers.py [--duration 5] [--rounds 3] [--out bench/RESULTS.md | -]

Needs wrk and redis-server. Each server is started on a free port with a Redis of its own (so the two-worker
server shares its journal, metrics and runtime routes, as a deployment does), warmed up, then driven by
``wrk -t1 -c32`` for ``--rounds`` windows of ``--duration`` seconds; the median window is reported.

Two methods, because on a two-core machine the load generator needs a core too:

- **shared cores**: nothing pinned; wrk's one thread and the server's workers share both cores. What two
  workers gain here is capped by the CPU wrk takes from them (a whole core at ~30,000 static answers a
  second), so it understates what two workers give when the load comes from elsewhere. The CPU time every
  process of the server spent (from /proc) is reported beside it.
- **confined to one core**: one worker, then two workers, on core 0, wrk on core 1, the two servers up side
  by side and their windows alternating (``--rounds`` pairs; the ratio is the median of the pairs' ratios).
  Two workers on one core serve what one does when a request costs them what it costs one worker: the
  supervisor, the second process and the sharing through Redis add no work per request. Twice that ratio is
  the estimate for two workers on two cores of their own (the load generated elsewhere); it errs low, as two
  processes taking turns on one core pay for switching between them. It holds only while
  nothing else (Redis, the network, memory bandwidth) is the bottleneck, and cannot show contention that
  appears only with more real cores.

The section between the ``workers`` markers of the output file is replaced (or appended).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re  # re-ok: wrk's fixed output format
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
START, END = "<!-- workers:start -->", "<!-- workers:end -->"
CONNECTIONS = 32
ROUTES = {"static": "/static", "templated": "/users/42"}
TICKS = os.sysconf("SC_CLK_TCK")


def spec_text() -> str:
    sys.path.insert(0, str(HERE))
    from run import static_spec  # the same routes (and the same static bytes) as bench/run.py

    return static_spec()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def redis() -> Iterator[str]:
    executable = shutil.which("redis-server")
    if executable is None:
        raise SystemExit("bench/workers.py needs redis-server (Debian: apt-get install redis-server)")
    port = free_port()
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: _answers_ping(port), "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait()


def _answers_ping(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")
    return False


def _wait(ready: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not start")
        time.sleep(0.05)


@contextlib.contextmanager
def mockery(
    spec: Path, workers: int, state: str, cores: str | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A ``mockery serve`` with ``workers`` workers sharing ``state``; on ``cores`` only when given."""
    port = free_port()
    command = ["taskset", "-c", cores] if cores is not None else []
    command += [sys.executable, "-m", "mockery", "serve", str(spec), "--port", str(port), "--quiet"]
    command += ["--workers", str(workers), "--state", state, "--state-prefix", f"bench-{uuid.uuid4().hex}"]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(lambda: _answers(url), "mockery serve")
            yield url, process
        finally:
            process.terminate()
            process.wait(30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url + "/static", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of ``pid`` and its children now, in seconds."""
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


@dataclass(frozen=True)
class Window:
    rate: float
    cpu: float  # server CPU-seconds per wall second (1.0: one core busy)
    errors: int

    @property
    def per_cpu(self) -> float:
        return self.rate / self.cpu if self.cpu else float("nan")


def drive(url: str, pid: int, duration: int, core: int | None = None) -> Window:
    command = ["taskset", "-c", str(core)] if core is not None else []
    command += ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}s", url]
    before, started = cpu_seconds(pid), time.perf_counter()
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    used, elapsed = cpu_seconds(pid) - before, time.perf_counter() - started
    found = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    if found is None:
        raise SystemExit(f"wrk gave no result for {url}:\n{text}")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    return Window(float(found.group(1)), used / elapsed, int(errors.group(1)) if errors else 0)


@dataclass(frozen=True)
class Confined:
    """One route served by one worker, then by two, both on one core: the median windows and the median of
    the rounds' ratios (two workers' rate over one's, each pair measured back to back)."""

    one: Window
    two: Window
    ratio: float


def measure(duration: int, rounds: int) -> tuple[dict[tuple[str, int], Window], dict[str, Confined]]:
    """The median window of every route and worker count on shared cores, and every route confined."""
    results: dict[tuple[str, int], Window] = {}
    confined: dict[str, Confined] = {}
    with tempfile.TemporaryDirectory() as folder, redis() as state:
        spec = Path(folder) / "bench.yaml"
        spec.write_text(spec_text(), encoding="utf-8")
        for workers in (1, 2):
            with mockery(spec, workers, state) as (url, process):
                for label, path in ROUTES.items():
                    drive(url + path, process.pid, 1)  # warm-up
                    windows = sorted((drive(url + path, process.pid, duration) for _ in range(rounds)), key=_rate)
                    results[(label, workers)] = windows[len(windows) // 2]
        if (os.cpu_count() or 1) >= 2:
            with mockery(spec, 1, state, "0") as one, mockery(spec, 2, state, "0") as two:
                for label, path in ROUTES.items():
                    confined[label] = _confined(one, two, path, duration, rounds)
    return results, confined


def _confined(
    one: tuple[str, subprocess.Popen[bytes]], two: tuple[str, subprocess.Popen[bytes]], path: str, duration: int,
    rounds: int,
) -> Confined:  # fmt: skip
    for url, process in (one, two):
        drive(url + path, process.pid, 1, core=1)  # warm-up
    pairs = [
        (drive(one[0] + path, one[1].pid, duration, core=1), drive(two[0] + path, two[1].pid, duration, core=1))
        for _ in range(rounds)
    ]
    ratios = sorted(second.rate / first.rate for first, second in pairs)
    ones = sorted((first for first, _ in pairs), key=_rate)
    twos = sorted((second for _, second in pairs), key=_rate)
    return Confined(ones[len(ones) // 2], twos[len(twos) // 2], ratios[len(ratios) // 2])


def _rate(window: Window) -> float:
    return window.rate


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores"


def section(
    results: dict[tuple[str, int], Window],
    confined: dict[str, Confined],
    duration: int,
    rounds: int,
    load: tuple[float, float] | None = None,
) -> str:
    """The section of RESULTS.md; ``load`` is the machine's load average (1 min) before and after the run."""
    busy = f" Load average {load[0]:.2f} before the run and {load[1]:.2f} after it." if load else ""
    lines = [
        START,
        "## Workers (bench/workers.py)",
        "",
        f"Run on {date.today().isoformat()} with `python3 bench/workers.py --duration {duration} --rounds {rounds}`"
        f" on {machine()}: `mockery serve --workers N --state redis://...` (two workers share journal, metrics "
        f"and runtime routes through Redis), `wrk -t1 -c{CONNECTIONS}`, median of {rounds} windows of "
        f"{duration} s. The methods and what they cannot show are in the script's docstring.{busy}",
        "",
        "| route | workers | req/s, shared cores | server CPU (cores) | req/s per server CPU-s | non-2xx |",
        "|---|---|---|---|---|---|",
    ]
    for label in ROUTES:
        for workers in (1, 2):
            window = results[(label, workers)]
            lines.append(
                f"| {label} | {workers} | {window.rate:,.0f} | {window.cpu:.2f} | {window.per_cpu:,.0f} "
                f"| {window.errors} |"
            )
    if confined:
        lines += [
            "",
            "| route | confined to core 0 (wrk on core 1) | 1 worker req/s | 2 workers req/s | 2 workers / 1 |",
        ]
        lines.append("|---|---|---|---|---|")
        for label, measured in confined.items():
            lines.append(
                f"| {label} | {rounds} alternating pairs | {measured.one.rate:,.0f} | {measured.two.rate:,.0f} "
                f"| {measured.ratio:.2f}x |"
            )
    lines += ["", "| route | 2 workers / 1, shared cores | 2 workers / 1, two cores of their own (estimate) |"]
    lines.append("|---|---|---|")
    for label in ROUTES:
        one, two = results[(label, 1)], results[(label, 2)]
        own_cores = f"{2 * confined[label].ratio:.2f}x" if label in confined else "- (one core only)"
        lines.append(f"| {label} | {two.rate / one.rate:.2f}x | {own_cores} |")
    lines += [
        "",
        'How to read it: "server CPU" is how much of the two cores the server got; on shared cores wrk takes '
        "the rest, so that ratio says as much about wrk as about the workers. The estimate is twice the "
        "confined ratio: two workers on one core serving what one worker serves there cost no more per "
        "request, so each given a core of its own (the load generated elsewhere) they serve twice as much. It "
        "errs low: two processes taking turns on one core pay for switching between them, which two cores do "
        "not.",
        "",
        END,
    ]
    return "\n".join(lines) + "\n"


def write(out: Path, text: str) -> None:
    existing = out.read_text(encoding="utf-8") if out.exists() else ""
    if START in existing and END in existing:
        before, rest = existing.split(START, 1)
        existing = before + text + rest.split(END, 1)[1].lstrip("\n")
    else:
        existing = (existing.rstrip("\n") + "\n\n" if existing else "") + text
    out.write_text(existing, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=int, default=5, help="seconds of each measured window (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="windows per route and worker count (default 3)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="file to write, or -")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("bench/workers.py needs wrk (Debian: apt-get install wrk)")
    before = os.getloadavg()[0]
    results, confined = measure(args.duration, args.rounds)
    text = section(results, confined, args.duration, args.rounds, (before, os.getloadavg()[0]))
    if args.out != "-":
        write(Path(args.out), text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
