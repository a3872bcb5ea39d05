"""mockery's benchmark: each workload against mockery and against the stack's own limit, in one run.

    python3 bench/run.py                 # all workloads, 3 rounds of 5 s each, writes bench/RESULTS.md
    python3 bench/run.py --duration 1 --only a,f --out /tmp/r.md
    python3 bench/run.py --only a,t      # the static route untraced (a) and traced (t), to compare

Servers run on core 0 and wrk on core 1 (where there are two), one uvicorn worker with httptools and uvloop
for every app. Absolute numbers swing between runs on shared machines, and within one run from minute to
minute: each workload is measured in ``--rounds`` windows, each right after a window of its baseline (the two
servers stay up side by side), and its ratio is the median of the rounds' ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONNECTIONS = 64
FIRST_ANSWERS: dict[str, float] = {}  # seconds the first request of each workload took


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    path: str
    baseline_path: str
    script: str | None = None
    needs_resources: bool = False


GRAPHQL_QUERY = "%7Buser(id%3A42)%7Bid%20name%20email%20city%7D%7D"  # {user(id:42){id name email city}}
GRAPHQL_SPEC = """\
service: graph
base_path: /gql
graphql:
  sdl: |
    type User { id: ID! name: String email: String city: String }
    type Query { user(id: ID!): User }
"""

WORKLOADS = [
    Workload("a", "static JSON route (~300 B)", "/static", "/static"),
    Workload("b", "templated: path parameter + 3 Faker values", "/users/42", "/users/42"),
    Workload("c", "resource get-by-id (100,000 records)", "/api/people/54321", "/static", needs_resources=True),
    Workload(
        "d",
        "resource list page of 20, one filter, one sort",
        "/api/people?role=member&_sort=-age&_limit=20&_page=3",
        "/list",  # Starlette answering a slice of 20 of 1,000 prebuilt records, encoded per request
        needs_resources=True,
    ),
    Workload("e", "POST creating a record", "/api/people", "/static", script="post.lua", needs_resources=True),
    Workload("f", "1,000 routes, request hits the last", "/items999/7", "/static"),
    # The GraphQL twin of (b): the same three Faker values, asked for by a query (GET, GraphQL over HTTP).
    Workload(
        "h", "GraphQL query: an object by id, 3 generated fields", "/gql/graphql?query=" + GRAPHQL_QUERY, "/users/42"
    ),
]


def static_spec() -> str:
    from baselines import STATIC_BODY  # the same bytes as the baselines

    return (
        "service: static\nroutes:\n  - path: /static\n    response:\n      body: "
        + STATIC_BODY.decode()
        + "\n  - path: /users/{id:int}\n    response:\n      body:\n"
        '        id: "{{ request.path_params.id }}"\n        name: "{{ faker.name() }}"\n'
        '        email: "{{ faker.email() }}"\n        city: "{{ faker.city() }}"\n'
    )


def many_routes_spec(count: int = 1000) -> str:
    lines = ["service: many", "port: 0", "routes:"]
    for index in range(count):
        lines.append(f"  - path: /items{index}/{{id:int}}")
        lines.append(f"    response: {{body: {{item: {index}, kind: static}}}}")
    return "\n".join(lines) + "\n"


def resources_spec(count: int) -> str:
    return (
        "service: people\nbase_path: /api\nresources:\n  people:\n"
        f"    count: {count}\n    fields:\n      name: name\n      email: email\n"
        "      age: {faker: pyint, min_value: 18, max_value: 90}\n"
        "      role: {choice: [admin, member, guest], weights: [1, 8, 1]}\n"
    )


KEEP = "<!-- bench/run.py rewrites what is above this line and keeps what is below it -->"


def write_section(out: Path, text: str, start: str, end: str) -> None:
    """Put ``text`` (a section from the line ``start`` to the line ``end``) in the place of that section of
    ``out``, or after what ``out`` holds: each bench script keeps its own section of RESULTS.md, and leaves the
    rest as it is."""
    existing = out.read_text(encoding="utf-8") if out.exists() else ""
    if start in existing and end in existing:
        before, rest = existing.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        existing = before + text + ("\n" + after if after else "")
    else:
        existing = (existing.rstrip("\n") + "\n\n" if existing else "") + text
    out.write_text(existing, encoding="utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# `--workers` and `--state` of mockery's servers; with several workers they may use every core (wrk stays on 1).
SERVE_OPTIONS: list[str] = []
SERVER_CORES = "0"


def pinned(core: int | str) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(core)]
    return []


@contextlib.contextmanager
def server(command: list[str], port: int, probe: str = "/static") -> Iterator[tuple[subprocess.Popen[bytes], float]]:
    """Start a server on core 0; yields the process and the seconds until it first answered."""
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    cores = SERVER_CORES if "mockery" in command else 0
    # Its output goes to a file: a pipe nobody reads fills up with the start-up route table (1,000 routes)
    # and stops the server before it answers.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(pinned(cores) + command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = started + 60
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"server exited: {log.read().decode(errors='replace')[-4000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=1)
                    break
                if time.perf_counter() > deadline:
                    raise RuntimeError("server did not answer within 60 s")
                time.sleep(0.005)
            yield process, time.perf_counter() - started
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def uvicorn_command(app: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", app, "--port", str(port), "--loop", "uvloop", "--http", "httptools",
        "--no-access-log", "--log-level", "warning", "--no-server-header", "--no-date-header",
    ]  # fmt: skip


def mockery_command(folder: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "mockery", "serve", str(folder), "--port", str(port), "--quiet", *SERVE_OPTIONS]


@dataclass
class Measurement:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def _milliseconds(text: str) -> float:
    found = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text)
    if found is None:
        raise RuntimeError(f"cannot read wrk's latency {text!r}")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def drive(url: str, duration: float, warmup: float, script: str | None = None) -> Measurement:
    """Prime, warm up, then one fixed-duration wrk run on core 1."""
    if script is None:
        # One request first, waited for: a workload whose first answer is slow (a filter reads every record
        # once) is measured once that work is done, not while wrk's connections queue behind it.
        started = time.perf_counter()
        httpx.get(url, timeout=120)
        FIRST_ANSWERS.setdefault(url, time.perf_counter() - started)
    base = [*pinned(1), "wrk", "-t1", f"-c{CONNECTIONS}", "--latency"]
    if script:
        base += ["-s", str(HERE / script)]
    subprocess.run([*base, f"-d{max(warmup, 1):.0f}s", url], capture_output=True, check=True)
    output = subprocess.run([*base, f"-d{max(duration, 1):.0f}s", url], capture_output=True, check=True, text=True)
    text = output.stdout
    if "Requests/sec" not in text or "50%" not in text:
        raise RuntimeError(f"wrk gave no result for {url}:\n{text}{output.stderr}")
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))  # type: ignore[union-attr]
    p50 = _milliseconds(re.search(r"^\s*50%\s+(\S+)", text, re.MULTILINE).group(1))  # type: ignore[union-attr]
    p99 = _milliseconds(re.search(r"^\s*99%\s+(\S+)", text, re.MULTILINE).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    return Measurement(rate, p50, p99, int(errors.group(1)) if errors else 0)


ROUNDS = 3  # windows of each workload, each beside one of its baseline (--rounds)


def median_of(measurements: list[Measurement]) -> Measurement:
    """The window with the median rate (the upper one of an even count)."""
    return sorted(measurements, key=lambda m: m.requests_per_second)[len(measurements) // 2]


def paired(
    baseline_url: str, url: str, duration: float, warmup: float, script: str | None = None
) -> tuple[Measurement, Measurement, float]:
    """``ROUNDS`` windows of ``url``, each right after one of ``baseline_url``: the median window of each, and
    the median of the rounds' ratios (a swing of the machine between two rounds moves both sides of a ratio)."""
    ours: list[Measurement] = []
    theirs: list[Measurement] = []
    for _ in range(ROUNDS):
        theirs.append(drive(baseline_url, duration, warmup))  # a baseline answers GETs
        ours.append(drive(url, duration, warmup, script))
    ratios = sorted(m.requests_per_second / b.requests_per_second for m, b in zip(ours, theirs, strict=True))
    return median_of(ours), median_of(theirs), ratios[len(ratios) // 2]


def peak_rss_mb(process: subprocess.Popen[bytes]) -> float:
    """The server's peak resident memory (VmHWM), in MB."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import faker
    import starlette
    import uvicorn

    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, uvicorn {uvicorn.__version__}, "
        f"starlette {starlette.__version__}, faker {faker.VERSION}"
    )


def startup(folder: Path, probe: str) -> tuple[float, float]:
    port = free_port()
    with server(mockery_command(folder, port), port, probe) as (process, seconds):
        httpx.get(f"http://127.0.0.1:{port}{probe}")
        return seconds, peak_rss_mb(process)


def targets(ratios: dict[str, float], startups: dict[str, tuple[float, float]]) -> list[str]:
    """Each target of the performance issue, met or missed in this run."""
    checks: list[tuple[str, bool | None]] = []

    def ratio(key: str, floor: float, title: str) -> None:
        value = ratios.get(key)
        checks.append(
            (f"{title}: {value:.2f} (target >= {floor})" if value else f"{title}: not run", value and value >= floor)
        )

    ratio("a", 0.9, "(a) static, to Starlette static (the Starlette app at the top of mockery's listener)")
    if "a" in ratios and "f" in ratios:
        share = ratios["f"] / ratios["a"]
        checks.append((f"(f) 1,000 routes, to (a): {share:.2f} (target >= 0.90)", share >= 0.9))
    if "t/a" in ratios:
        share = ratios["t/a"]
        checks.append(
            (f"(t) static traced, to the same route untraced, paired: {share:.2f} (target >= 0.70)", share >= 0.7)
        )
    ratio("b", 0.8, "(b) templated, to Starlette making the same Faker calls")
    ratio("c", 0.6, "(c) get-by-id, to Starlette static")
    ratio("d", 0.6, "(d) list of 20 with a filter and a sort, to Starlette's slice of 20")
    ratio("e", 0.35, "(e) POST on memory, to Starlette static")
    if "routes" in startups:
        seconds, _ = startups["routes"]
        checks.append((f"(g) 100 files / 1,000 routes ready in {seconds:.2f} s (target < 1.5 s)", seconds < 1.5))
    if "million" in startups:
        seconds, rss = startups["million"]
        checks.append(
            (
                f"(g) 1,000,000 records ready in {seconds:.2f} s, {rss:.0f} MB after a first page"
                " (target < 1 s, < 150 MB)",
                seconds < 1 and rss < 150,
            )
        )
    return [f"- {'met' if ok else 'MISSED'}: {text}" for text, ok in checks]


def traced_static(
    folder: Path,
    duration: float,
    warmup: float,
    baselines: dict[str, dict[str, Measurement]],
    ratios: dict[str, float],
) -> str:
    """(t): workload (a) on a server with ``--trace on`` exporting over OTLP/HTTP to a no-op sink (bench/otlp_sink.py)
    on loopback; its ratio to (a) is the cost of tracing (the issue's target: >= 0.70)."""
    sink_port, port, plain_port = free_port(), free_port(), free_port()
    with (
        server(uvicorn_command("otlp_sink:app", sink_port), sink_port),
        server(mockery_command(folder, plain_port), plain_port),
    ):
        saved = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = f"http://127.0.0.1:{sink_port}"
        try:
            with server([*mockery_command(folder, port), "--trace", "on"], port) as (process, _):
                # Paired with the same route on an untraced server of the same specs, round by round.
                measured, _, traced_share = paired(
                    f"http://127.0.0.1:{plain_port}/static", f"http://127.0.0.1:{port}/static", duration, warmup
                )
                rss = peak_rss_mb(process)
        finally:
            if saved is None:
                del os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"]
            else:
                os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = saved
    baseline = baselines["starlette"]["/static"]
    raw = baselines["raw"].get("/static")
    ratios["t"] = measured.requests_per_second / baseline.requests_per_second
    ratios["t/a"] = traced_share
    return (
        f"| (t) static JSON route, traced (spans over OTLP/HTTP to a no-op sink) | {measured.requests_per_second:,.0f}"
        f" | - | {measured.p50_ms:.2f} | {measured.p99_ms:.2f} | {rss:.0f} | {ratios['t']:.2f}"
        " (of Starlette /static) | "
        + (f"{measured.requests_per_second / raw.requests_per_second:.2f}" if raw else "-")
        + f" | {measured.errors} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of each measured window")
    parser.add_argument("--rounds", type=int, default=3, help="windows of each workload, each beside its baseline")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up before each run")
    parser.add_argument(
        "--only", default="", help="comma-separated workload keys (a-h; t: (a) with tracing on, spans to a no-op sink)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--workers", type=int, default=1, help="mockery's --workers (more than 1 needs --state)")
    parser.add_argument("--state", default="", help="mockery's --state, e.g. redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    global SERVER_CORES, ROUNDS
    ROUNDS = max(1, args.rounds)
    SERVE_OPTIONS.extend(["--workers", str(args.workers)] + (["--state", args.state] if args.state else []))
    if args.workers > 1:
        SERVER_CORES = f"0-{(os.cpu_count() or 1) - 1}"
    if shutil.which("wrk") is None:
        print("bench: wrk is not installed; install it with `apt-get install wrk` (Debian's package).", file=sys.stderr)
        return 2
    sys.path.insert(0, str(HERE))
    chosen = set(args.only.split(",")) if args.only else set("abcdefght")
    rows: list[str] = []
    notes: list[str] = []
    ratios: dict[str, float] = {}  # workload -> its rate over its Starlette baseline's
    startups: dict[str, tuple[float, float]] = {}  # what started -> (seconds until it answered, peak RSS MB)
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as apps:
        folder = Path(scratch) / "specs"
        folder.mkdir()
        (folder / "static.yaml").write_text(static_spec())
        (folder / "many.yaml").write_text(many_routes_spec().replace("port: 0\n", ""))
        (folder / "graph.yaml").write_text(GRAPHQL_SPEC)
        resources_folder = Path(scratch) / "resources"
        resources_folder.mkdir()
        (resources_folder / "people.yaml").write_text(resources_spec(100_000))
        has_resources = (
            subprocess.run(
                [sys.executable, "-m", "mockery", "validate", str(resources_folder)], capture_output=True
            ).returncode
            == 0
        )

        baselines: dict[str, dict[str, Measurement]] = {"raw": {}, "starlette": {}}
        windows: dict[str, list[Measurement]] = {}  # Starlette's windows of each path, over the whole run
        raw_port, starlette_port = free_port(), free_port()
        apps.enter_context(server(uvicorn_command("baselines:raw_static", raw_port), raw_port))
        apps.enter_context(server(uvicorn_command("baselines:starlette_app", starlette_port), starlette_port))
        # The ceiling of the stack, for the table: raw ASGI beside Starlette, ROUNDS windows each.
        raw_static, starlette_static, _ = paired(
            f"http://127.0.0.1:{starlette_port}/static", f"http://127.0.0.1:{raw_port}/static", args.duration, 0
        )
        baselines["raw"]["/static"] = raw_static
        windows["/static"] = [starlette_static]
        # Workloads on the same specs share one server process, so that their ratios (e.g. (f) to (a)) are not
        # blurred by the swing between processes.
        for needs_resources in (False, True):
            group = [w for w in WORKLOADS if w.key in chosen and w.needs_resources == needs_resources]
            if not group:
                continue
            if needs_resources and not has_resources:
                notes.extend(f"({w.key}) {w.title}: skipped, this build cannot serve resources yet." for w in group)
                continue
            target = resources_folder if needs_resources else folder
            port = free_port()
            probe = "/api/people/1" if needs_resources else "/static"
            with server(mockery_command(target, port), port, probe) as (process, _):
                for workload in group:
                    url = f"http://127.0.0.1:{port}{workload.path}"
                    measured, baseline, ratio = paired(
                        f"http://127.0.0.1:{starlette_port}{workload.baseline_path}",
                        url,
                        args.duration,
                        args.warmup,
                        workload.script,
                    )
                    windows.setdefault(workload.baseline_path, []).append(baseline)
                    rss = peak_rss_mb(process)
                    raw = baselines["raw"].get("/static")
                    ratios[workload.key] = ratio
                    if workload.key == "d":
                        notes.append(
                            "(d) its first answer generates the two fields the query names, a column each (see"
                            " 'first answer'); every page of the same query then comes from the kept result, until"
                            " a write. bench/big.py measures the same over 1,000,000 records."
                        )
                    first = FIRST_ANSWERS.get(url)
                    rows.append(
                        f"| ({workload.key}) {workload.title} | {measured.requests_per_second:,.0f} | "
                        f"{f'{first * 1000:.1f}' if first is not None else '-'} | "
                        f"{measured.p50_ms:.2f} | {measured.p99_ms:.2f} | {rss:.0f} | "
                        f"{ratio:.2f}"
                        f" (of Starlette {workload.baseline_path}) | "
                        + (f"{measured.requests_per_second / raw.requests_per_second:.2f}" if raw else "-")
                        + f" | {measured.errors} |"
                    )
        for path, measured_windows in windows.items():
            baselines["starlette"][path] = median_of(measured_windows)
        if "t" in chosen:  # the same specs as (a), on a server of its own that traces
            rows.append(traced_static(folder, args.duration, args.warmup, baselines, ratios))
        if "g" in chosen:
            many = Path(scratch) / "hundred"
            many.mkdir()
            for index in range(100):
                lines = [f"service: svc{index}", f"base_path: /s{index}", "routes:"]
                for route in range(10):
                    lines.append(f"  - path: /r{route}/{{id:int}}")
                    lines.append('    response: {body: {id: "{{ request.path_params.id }}", n: "{{ faker.name() }}"}}')
                (many / f"svc{index}.yaml").write_text("\n".join(lines) + "\n")
            seconds, rss = startup(many, "/s99/r9/1")
            startups["routes"] = (seconds, rss)
            rows.append(
                f"| (g) start-up, 100 files / 1,000 routes | ready in {seconds:.2f} s | | | | {rss:.0f} | | | |"
            )
            if has_resources:
                million = Path(scratch) / "million"
                million.mkdir()
                (million / "people.yaml").write_text(resources_spec(1_000_000))
                seconds, rss = startup(million, "/api/people?_limit=20")
                startups["million"] = (seconds, rss)
                rows.append(
                    f"| (g) start-up, 1,000,000 records, first page | ready in {seconds:.2f} s | | | | {rss:.0f} |"
                    " | | |"
                )
            else:
                notes.append("(g) the 1,000,000-record start-up was skipped: this build cannot serve resources yet.")
    baseline_rows = [
        f"| {name} {path} | {m.requests_per_second:,.0f} | {m.p50_ms:.2f} | {m.p99_ms:.2f} |"
        for name, paths in baselines.items()
        for path, m in paths.items()
    ]
    report = "\n".join(
        [
            "# Benchmark results",
            "",
            f"Run on {dt.date.today().isoformat()} with `python3 bench/run.py --duration {args.duration:g}"
            f" --rounds {ROUNDS}"
            f"{' ' + ' '.join(SERVE_OPTIONS) if args.workers > 1 or args.state else ''}`"
            f" ({CONNECTIONS} connections, wrk on core 1, mockery on cores {SERVER_CORES}, baselines on core 0;"
            f" {ROUNDS} rounds: each workload's window right after one of its baseline, the servers side by side;"
            " a ratio is the median of the rounds' ratios, a rate the median window).",
            "",
            f"Machine: {machine()}.",
            "",
            "## Baselines (the stack's own limit)",
            "",
            "| app | req/s | p50 ms | p99 ms |",
            "|---|---|---|---|",
            *baseline_rows,
            "",
            "## mockery",
            "",
            "| workload | req/s | first answer ms | p50 ms | p99 ms | peak RSS MB | ratio to Starlette |"
            " ratio to raw ASGI | non-2xx |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "## Targets",
            "",
            *targets(ratios, startups),
            "",
            *(f"- {note}" for note in notes),
        ]
    )
    # What follows the KEEP line of the file (sections written by hand or by other scripts) is kept.
    current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    kept = current[current.index(KEEP) :] if KEEP in current else ""
    args.out.write_text(report + "\n" + ("\n" + kept if kept else ""), encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
