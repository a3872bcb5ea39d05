"""A filtered and sorted first page over 1,000,000 generated records, and what it costs the requests beside it;
writes its section of bench/RESULTS.md.

    python3 bench/big.py [--runs 5] [--out bench/RESULTS.md | -]

Each run starts a fresh `mockery serve` (pinned to core 0 where there are two cores) on bench/run.py's
people spec with 1,000,000 records, so the query finds nothing generated or kept: it generates the two columns
it names (role, age), filters and sorts. Meanwhile a client on another connection sends get-by-id requests one
after another, from before the query until after its answer; the figure is the longest of those that overlapped
the query (how long the event loop was held from another request). The section between the ``big`` markers of
the output file is replaced (or appended), so that the rest of RESULTS.md is kept.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import free_port, machine, mockery_command, resources_spec, server  # noqa: E402

START, END = "<!-- big:start -->", "<!-- big:end -->"
COUNT = 1_000_000
QUERY = "/api/people?role=member&_sort=-age&_limit=20&_page=3"
BESIDE = "/api/people/54321"  # a record of every collection of 54,321 records or more (--count)
LOAD = "unknown"


def one_run(folder: Path, beside_path: str = BESIDE) -> tuple[float, float, int, int]:
    """(seconds to the first page, longest get-by-id overlapping it, get-by-ids overlapping it, total count)."""
    port = free_port()
    with server(mockery_command(folder, port), port, "/api/people/1"):
        base = f"http://127.0.0.1:{port}"
        timings: list[tuple[float, float]] = []  # (start, end) of each get-by-id
        stop = threading.Event()
        ready = threading.Event()
        failed: list[str] = []

        def beside() -> None:
            with httpx.Client(base_url=base, timeout=30) as client:
                while not stop.is_set():
                    started = time.perf_counter()
                    if client.get(beside_path).status_code != 200:
                        failed.append(f"GET {beside_path} did not answer 200")
                        break
                    timings.append((started, time.perf_counter()))
                    if len(timings) >= 20:
                        ready.set()

        thread = threading.Thread(target=beside)
        thread.start()
        ready.wait(30)
        if not ready.is_set():
            stop.set()
            thread.join()
            raise SystemExit(f"bench/big.py: the requests beside the query never got going: {failed or 'timeout'}")
        with httpx.Client(base_url=base, timeout=60) as client:
            started = time.perf_counter()
            answer = client.get(QUERY)
            ended = time.perf_counter()
        stop.set()
        thread.join()
        assert answer.status_code == 200, answer.text
        assert len(answer.json()) == 20
        overlapping = [end - start for start, end in timings if end > started and start < ended]
        total = int(answer.headers["x-total-count"])
        return ended - started, max(overlapping, default=0.0), len(overlapping), total


Run = tuple[float, float, int, int]


def table(runs: list[Run], label: str) -> tuple[list[str], list[str]]:
    """The rows of the runs, and the lines saying whether the targets are met."""
    firsts = [run[0] * 1000 for run in runs]
    waits = [run[1] * 1000 for run in runs]
    rows = [
        f"| {label} | {index + 1} | {first:.0f} | {wait:.1f} | {run[2]} | {run[3]:,} |"
        for index, (first, wait, run) in enumerate(zip(firsts, waits, runs, strict=True))
    ]
    met_first = "met" if statistics.median(firsts) < 300 else "NOT met"
    met_wait = "met" if max(waits) < 50 else "NOT met"
    return rows, [
        f"- {met_first} ({label}): the first filtered and sorted page in {statistics.median(firsts):.0f} ms"
        " (median; target < 300 ms)",
        f"- {met_wait} ({label}): a get-by-id during it waited at most {max(waits):.1f} ms (target < 50 ms)",
    ]


def section(results: dict[str, list[Run]], beside: str = BESIDE) -> str:
    rows: list[str] = []
    verdicts: list[str] = []
    for label, runs in results.items():
        more_rows, more_verdicts = table(runs, label)
        rows += more_rows
        verdicts += more_verdicts
    return "\n".join(
        [
            START,
            "## Big collections: 1,000,000 generated records (bench/big.py)",
            "",
            f"Run on {date.today().isoformat()} with `python3 bench/big.py --runs {len(runs)}`: each run a fresh"
            " server (so nothing is generated or kept), the query `GET "
            f"{QUERY}` (a filter on a weighted choice, a sort on a bounded integer), and beside it get-by-id"
            f" requests (`GET {beside}`) one after another on another connection.",
            "",
            f"Machine: {machine()}; load average {LOAD} when the runs began.",
            "",
            "Columns are filtered and sorted with numpy's arrays when numpy is installed (`with numpy`), else in"
            " plain Python, a chunk at a time (`plain Python`: the server started with numpy hidden from it).",
            "",
            "| columns | run | first page ms | longest get-by-id during it ms | get-by-ids during it | matches |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            *verdicts,
            "- Only the two fields the query names are generated, a column each (mockery/resources/columns.py), in"
            " the collection's worker thread; a filter or a sort on a Faker field (a name, an e-mail) generates"
            " that column with Faker's calls (tens of seconds for a million), still off the event loop.",
            END,
        ]
    )


def write(out: Path, text: str) -> None:
    current = out.read_text(encoding="utf-8") if out.exists() else ""
    if START in current and END in current:
        before, rest = current.split(START, 1)
        after = rest.split(END, 1)[1]
        out.write_text(before + text + after, encoding="utf-8")
    else:
        out.write_text(current.rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="fresh servers to measure")
    parser.add_argument("--count", type=int, default=COUNT, help="records in the collection")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="file to write, or -")
    args = parser.parse_args()
    global LOAD
    LOAD = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "unknown"
    results: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "specs"
        folder.mkdir()
        (folder / "people.yaml").write_text(resources_spec(args.count))
        beside = BESIDE if args.count >= 54_321 else f"/api/people/{max(1, args.count // 2)}"
        if importlib.util.find_spec("numpy") is not None:
            results["with numpy"] = [one_run(folder, beside) for _ in range(args.runs)]
        hidden = Path(scratch) / "hidden"
        hidden.mkdir()
        (hidden / "numpy.py").write_text('raise ImportError("hidden by bench/big.py")\n')
        path = os.environ.get("PYTHONPATH", "")
        os.environ["PYTHONPATH"] = f"{hidden}{os.pathsep}{path}"
        try:
            results["plain Python"] = [one_run(folder, beside) for _ in range(args.runs)]
        finally:
            os.environ["PYTHONPATH"] = path
    text = section(results, beside)
    print(text)
    if args.out != "-":
        write(Path(args.out), text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
