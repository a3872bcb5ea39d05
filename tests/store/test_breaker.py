"""The circuit breaker of networked stores, on a clock the test moves."""

from __future__ import annotations

import pytest

from mockery.store.breaker import BreakerOpen, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def opened(clock: Clock) -> CircuitBreaker:
    breaker = CircuitBreaker(first_window=1.0, max_window=8.0, clock=clock)
    assert breaker.check() is False
    breaker.failed("Timeout reading from socket")
    return breaker


def test_a_closed_breaker_lets_every_call_through() -> None:
    breaker = CircuitBreaker(clock=Clock())
    assert [breaker.check() for _ in range(3)] == [False, False, False]
    breaker.succeeded()
    assert breaker.state == "closed"


def test_after_a_failure_calls_are_refused_at_once_for_the_window() -> None:
    clock = Clock()
    breaker = opened(clock)
    assert breaker.state == "open"
    clock.now += 0.6
    with pytest.raises(BreakerOpen, match=r"^Timeout reading from socket; next try in 0\.4 s$") as refused:
        breaker.check()
    assert refused.value.reason == "Timeout reading from socket"
    assert refused.value.retry_in == pytest.approx(0.4)


def test_after_the_window_one_call_probes_and_the_others_are_refused_until_it_reports() -> None:
    clock = Clock()
    breaker = opened(clock)
    clock.now += 1.0
    assert breaker.state == "half-open"
    assert breaker.check() is True
    with pytest.raises(BreakerOpen, match="another call is trying again now"):
        breaker.check()
    breaker.succeeded()
    assert breaker.state == "closed"
    assert breaker.check() is False


def test_each_failed_probe_doubles_the_window_up_to_the_cap_and_a_success_resets_it() -> None:
    clock = Clock()
    breaker = opened(clock)
    windows = []
    for _ in range(5):
        with pytest.raises(BreakerOpen) as refused:
            breaker.check()
        windows.append(refused.value.retry_in)
        clock.now += refused.value.retry_in
        assert breaker.check() is True
        breaker.failed("refused")
    assert windows == [1.0, 2.0, 4.0, 8.0, 8.0]
    clock.now += 8.0
    assert breaker.check() is True
    breaker.succeeded()
    breaker.failed("refused again")
    with pytest.raises(BreakerOpen) as refused:
        breaker.check()
    assert refused.value.retry_in == 1.0


def test_a_failure_of_a_call_that_started_before_the_breaker_opened_does_not_extend_the_window() -> None:
    clock = Clock()
    breaker = opened(clock)
    clock.now += 0.9
    breaker.failed("late")
    clock.now += 0.1
    assert breaker.check() is True


def test_an_abandoned_probe_lets_the_next_call_probe() -> None:
    clock = Clock()
    breaker = opened(clock)
    clock.now += 1.0
    assert breaker.check() is True
    breaker.abandoned()
    assert breaker.check() is True
