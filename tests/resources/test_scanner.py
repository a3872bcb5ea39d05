"""The worker thread that runs a collection's big scans: one job at a time, off the loop, gone when idle."""

from __future__ import annotations

import asyncio
import functools
import threading

import pytest

from mockery.resources.scanner import SerialWorker


def test_jobs_run_in_order_on_one_thread_that_is_not_the_loops() -> None:
    worker = SerialWorker("people")
    seen: list[tuple[int, str]] = []

    def job(number: int) -> int:
        seen.append((number, threading.current_thread().name))
        return number * 10

    async def main() -> list[int]:
        return list(await asyncio.gather(*(worker.submit(functools.partial(job, number)) for number in range(5))))

    assert asyncio.run(main()) == [0, 10, 20, 30, 40]
    assert [number for number, _ in seen] == [0, 1, 2, 3, 4]
    assert {name for _, name in seen} == {"mockery-scan people"}


def test_a_failing_job_fails_its_future_and_the_worker_goes_on() -> None:
    worker = SerialWorker("people")

    def fail() -> int:
        raise ValueError("no such field")

    async def main() -> int:
        with pytest.raises(ValueError, match="no such field"):
            await worker.submit(fail)
        result: int = await worker.submit(lambda: 7)
        return result

    assert asyncio.run(main()) == 7


def test_an_idle_worker_stops_its_thread_and_starts_one_on_the_next_job() -> None:
    worker = SerialWorker("idle", idle=0.01)
    threads: list[threading.Thread] = []

    async def run_one() -> None:
        await worker.submit(lambda: threads.append(threading.current_thread()))

    asyncio.run(run_one())
    threads[0].join(10)
    assert not threads[0].is_alive()
    assert threads[0].daemon
    asyncio.run(run_one())
    assert threads[1] is not threads[0]
    threads[1].join(10)
    assert not threads[1].is_alive()
