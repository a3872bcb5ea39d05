"""What seeding one templated answer costs, and what the alternatives that keep its values would save.

    python3 bench/seeding.py [--calls 20000]

Every templated answer reseeds its service's Faker generator from a seed derived from the request
(mockery.templates.fakes: ``derive_seed``, then ``random.Random.seed``), so that the same request gets the same
values. A generator is never rebuilt per request; what is left is hashing the request into a seed and
initialising the Mersenne Twister from it. The alternatives that keep every value the same must end in the
same generator state: restoring a state kept for that seed (``setstate``) is the only one, and saves little.
Times are the best of five runs, in microseconds per call: compare them with each other, on one machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mockery.templates.fakes import derive_seed


def best_microseconds(function: Callable[[], object], calls: int) -> float:
    return min(timeit.repeat(function, number=calls, repeat=5)) / calls * 1e6


def measure(calls: int) -> list[tuple[str, float]]:
    """(what, microseconds per call) for each way of preparing a render's randomness."""
    source = random.Random(0)
    service_seed = derive_seed(0, "static", "")
    seed = derive_seed(service_seed, 1, "GET", "/users/42", "")
    source.seed(seed)
    kept = source.getstate()
    return [
        (
            "derive_seed(service seed, route, method, path, query)",
            best_microseconds(lambda: derive_seed(service_seed, 1, "GET", "/users/42", ""), calls),
        ),
        ("random.Random.seed(64-bit seed)", best_microseconds(lambda: source.seed(seed), calls)),
        ("random.Random.setstate(state kept for the seed)", best_microseconds(lambda: source.setstate(kept), calls)),
        ("random.Random(seed): a new generator", best_microseconds(lambda: random.Random(seed), calls)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=20_000, help="calls per measurement (default 20000)")
    args = parser.parse_args(argv)
    print("| what | us per call |\n|---|---|")
    for what, microseconds in measure(args.calls):
        print(f"| {what} | {microseconds:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
