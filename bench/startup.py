"""From launch to the first answer: `mockery serve specs/` (the bundled specs) started as a user starts it, and
the seconds until it first answered 200; also what `import mockery` costs and how many modules the process
holds once it has answered. Writes its section of bench/RESULTS.md.

    python3 bench/startup.py [--runs 5] [--out bench/RESULTS.md | -]

Each run launches a fresh `python3 -m mockery serve specs/ --port 0` process and polls the URL it prints with
`GET /api/users/1` (a templated route) until the answer is 200: launch to first 200 is the wall-clock time
from `Popen` to that answer. The timed runs use cached bytecode, as an installed mockery has it (one untimed
launch first writes it, under a temporary PYTHONPYCACHEPREFIX, even where PYTHONDONTWRITEBYTECODE is set); one
more run without it shows what compiling every module from source adds. The module count comes from a run
through a wrapper that writes `sys.modules` when the server exits (after its first answer). The section between
the ``startup`` markers of the output file is replaced (or appended), so that the rest of RESULTS.md is kept.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import machine, write_section  # noqa: E402

START, END = "<!-- startup:start -->", "<!-- startup:end -->"
TARGET_SECONDS = 1.0
PROBE = "/api/users/1"
# Optional machinery that serving the bundled specs needs none of: what a lazy import keeps out.
HEAVY = ("graphql", "cryptography", "numpy", "httpx", "httpcore", "trio", "rich", "pygments", "opentelemetry")

# Runs `mockery serve` as `python3 -m mockery` does, and writes the modules it holds when it exits.
WRAPPER = """\
import atexit, json, runpy, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv[0] = "mockery"
runpy.run_module("mockery", run_name="__main__", alter_sys=True)
"""


def serve_command(specs: Path, *extra: str) -> list[str]:
    return [*extra, "serve", str(specs), "--port", "0", "--port-of", "payments=0", "--quiet"]


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of process ``pid``: unlike wall-clock time, it does not grow when other work
    shares the cores."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def launched(
    command: list[str], probe: str = PROBE, timeout: float = 60, env: dict[str, str] | None = None
) -> Iterator[tuple[str, float, float]]:
    """Start ``command`` (a `mockery serve`); yields its first URL, the seconds from launch to a 200 there and
    the CPU seconds the server had used by then."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        try:
            url = None
            with httpx.Client(timeout=5) as client:
                while True:
                    if process.poll() is not None:
                        log.seek(0)
                        raise RuntimeError(f"server exited: {log.read().decode(errors='replace')[-4000:]}")
                    if time.perf_counter() - started > timeout:
                        raise RuntimeError(f"no 200 from {probe} within {timeout:.0f} s")
                    if url is None:
                        log.seek(0)
                        for line in log.read().decode(errors="replace").splitlines():
                            if "listening" in line and "url=" in line:
                                url = line.split("url=", 1)[1].split()[0]
                                break
                    if url is not None:
                        with contextlib.suppress(httpx.HTTPError):
                            if client.get(url + probe).status_code == 200:
                                break
                    time.sleep(0.002)
            yield url, time.perf_counter() - started, cpu_seconds(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def cached_bytecode(cache: str) -> dict[str, str]:
    """The environment of a process that reads and writes bytecode in ``cache``, as an installed package has."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def first_answers(runs: int, specs: Path, cached: dict[str, str]) -> tuple[list[float], list[float], float]:
    """Seconds (wall-clock and CPU) to the first 200 of ``runs`` launches with cached bytecode, and the wall-clock
    seconds of one compiling every module from source."""
    command = serve_command(specs, sys.executable, "-m", "mockery")
    seconds, cpu = [], []
    with launched(command, env=cached):
        pass  # writes the bytecode cache
    for _ in range(runs):
        with launched(command, env=cached) as (_, elapsed, used):
            seconds.append(elapsed)
            cpu.append(used)
    uncached = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    uncached.pop("PYTHONPYCACHEPREFIX", None)
    with launched(command, env=uncached) as (_, from_source, _):
        pass
    return seconds, cpu, from_source


def modules_at_first_answer(specs: Path) -> list[str]:
    """The modules of a server that has answered once, written as it exits."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "modules.json"
        with launched(serve_command(specs, sys.executable, "-c", WRAPPER, str(out))):
            pass
        return list(json.loads(out.read_text(encoding="utf-8")))


def import_seconds(module: str, cached: dict[str, str]) -> float:
    """Median of 3: `python3 -X importtime -c "import MODULE"`, the cumulative time of its line (bytecode cached)."""
    times = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True,
            text=True,
            check=True,
            env=cached,
        )
        line = [line for line in done.stderr.splitlines() if line.rstrip().endswith(f"| {module}")][-1]
        times.append(int(line.split("|")[1]) / 1e6)
    return statistics.median(times)


def measure(runs: int, specs: Path) -> dict[str, Any]:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as cache:
        cached = cached_bytecode(cache)
        seconds, cpu, from_source = first_answers(runs, specs, cached)
        imports = {module: import_seconds(module, cached) for module in ("mockery", "mockery.cli")}
    modules = modules_at_first_answer(specs)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "from_source": from_source,
        "modules": len(modules),
        "heavy": {name: any(m == name or m.startswith(name + ".") for m in modules) for name in HEAVY},
        "import": imports["mockery"],
        "import cli": imports["mockery.cli"],
        "load": load,
    }


def section(result: dict[str, Any], runs: int) -> str:
    seconds: list[float] = result["seconds"]
    heavy: dict[str, bool] = result["heavy"]
    median = statistics.median(seconds)
    verdict = "met" if median < TARGET_SECONDS else "MISSED"
    cpu = statistics.median(result["cpu"])
    cpu_verdict = "met" if cpu < TARGET_SECONDS else "MISSED"
    loaded = ", ".join(name for name, present in heavy.items() if present) or "none"
    absent = ", ".join(name for name, present in heavy.items() if not present) or "none"
    return "\n".join(
        [
            START,
            "## Start-up: launch to the first answer (bench/startup.py)",
            "",
            f"Run on {date.today().isoformat()} with `python3 bench/startup.py --runs {runs}`: `python3 -m mockery "
            f"serve specs/ --port 0` (the bundled specs: 3 services, 24 routes, 2 listeners) launched fresh each "
            f"run, `GET {PROBE}` polled from launch until it answers 200. Load average {result['load']:.2f} when "
            "the runs began.",
            "",
            f"Machine: {machine()}.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| launch to first 200, median of {runs} | {median:.2f} s (runs "
            + ", ".join(f"{s:.2f}" for s in seconds)
            + ") |",
            f"| CPU seconds the server used until then, median (steadier than wall-clock on a shared machine) | "
            f"{statistics.median(result['cpu']):.2f} s (runs " + ", ".join(f"{s:.2f}" for s in result["cpu"]) + ") |",
            f"| launch to first 200 compiling every module from source (no bytecode cache) | "
            f"{result['from_source']:.2f} s |",
            f"| `import mockery` (`python3 -X importtime`, median of 3; the public names load lazily) | "
            f"{result['import']:.3f} s |",
            f"| `import mockery.cli` (what `mockery serve` imports before it reads a spec), the same way | "
            f"{result['import cli']:.3f} s |",
            f"| modules loaded once it has answered | {result['modules']:,} |",
            f"| optional machinery loaded | {loaded} |",
            f"| optional machinery not loaded (imported only when a spec uses it) | {absent} |",
            "",
            f"- {verdict}: first answer {median:.2f} s after launch (median, wall-clock; target < "
            f"{TARGET_SECONDS:.0f} s) with the load average at {result['load']:.2f} on {os.cpu_count()} cores",
            f"- {cpu_verdict}: the server's own work until its first answer is {cpu:.2f} s of CPU (median): what "
            "launch to first answer comes close to when a core is free for it",
            "",
            END,
            "",
        ]
    )


def write(out: Path, text: str) -> None:
    write_section(out, text, START, END)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="launches to time (default 5)")
    parser.add_argument("--specs", default=str(ROOT / "specs"), help="specs to serve (default: the bundled specs/)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="file to write, or -")
    args = parser.parse_args(argv)
    text = section(measure(args.runs, Path(args.specs)), args.runs)
    if args.out != "-":
        write(Path(args.out), text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
