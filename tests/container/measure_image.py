"""Measure the project's image as bench/RESULTS.md reports it: its size, and the time from `podman run` to
the first passing health check with the bundled specs mounted read-only.

    python3 tests/container/measure_image.py [--runs 5]

Builds what tests/container builds (the stand-in base where no registry answers, the image in docker
format), then removes every container it started.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

from podman_support import IMAGE, ROOT, Podman, build_image, stand_in_base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    podman = Podman.here()
    base = stand_in_base(podman)
    build_image(podman, base)
    size, base_size = podman.inspect("image", IMAGE)["Size"], podman.inspect("image", base)["Size"]
    times = []
    try:
        for run in range(runs):
            started = time.monotonic()
            name = podman.start(f"measure-{run}", "--volume", f"{ROOT / 'specs'}:/specs:ro")
            while podman.run("healthcheck", "run", name, check=False).returncode != 0:
                assert time.monotonic() - started < 60, podman.logs(name)
                time.sleep(0.05)
            times.append(time.monotonic() - started)
            podman.run("stop", "--time", "10", name)
    finally:
        podman.cleanup()
    version = podman.run("--version").stdout.strip()
    print(f"{version}, runc, {platform.machine()}, {platform.release()}")
    print(f"image {size / 1e6:.0f} MB (of which the base {base_size / 1e6:.0f} MB)")
    print(f"start to healthy: median {statistics.median(times):.1f} s, runs {', '.join(f'{t:.1f}' for t in times)}")
    assert podman.left_behind() == []


if __name__ == "__main__":
    main()
