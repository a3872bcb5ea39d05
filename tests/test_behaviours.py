"""Behaviours over real HTTP with a real httpx client: delays, seeded faults, broken connections, dribbled
bodies, rate limits and profiles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockery import MockServer
from mockery.errors import ProfileError

CHAOS = """
service: chaos
routes:
  - path: /slow
    delay: {min: 100ms, max: 200ms}
    response: {body: slow}
  - path: /flaky
    fault: {rate: 0.1, kind: status, status: 503}
    response: {body: ok}
  - {path: /reset, fault: {kind: reset}, response: {body: never}}
  - {path: /empty, fault: {kind: empty}, response: {body: never sent}}
  - {path: /malformed, fault: {kind: malformed}, response: {body: {items: [1, 2, 3, 4, 5, 6, 7, 8]}}}
  - {path: /timeout, fault: {kind: timeout, after: 5s}, response: {body: late}}
  - {path: /limited, rate_limit: {requests: 5, per: 1s}, response: {body: fine}}
  - {path: /chunked, chunked: {chunks: 4, over: 60ms}, response: {body: "0123456789abcdef"}}
  - {path: /throttled, throttle: {bytes_per_second: 100000}, response: {body: "{{ 'x' * 30000 }}"}}
  - {path: /healthy, response: {body: fine}}
"""


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(inline=CHAOS, seed=11) as running:
        yield running


@pytest.mark.slow
def test_a_delay_range_keeps_response_times_in_its_band(server: MockServer) -> None:
    timings = []
    with httpx.Client(base_url=server.url, timeout=10) as client:
        client.get("/healthy")  # connect first: the band is about the server's delay, not the handshake
        for _ in range(20):
            started = time.perf_counter()
            assert client.get("/slow").text == "slow"
            timings.append(time.perf_counter() - started)
    assert min(timings) >= 0.099, timings
    # Tolerance above the band for two busy cores; a delay that ignored the band would show far beyond it.
    assert max(timings) < 0.2 + 0.25, timings
    assert max(timings) - min(timings) > 0.01  # a range, not a fixed delay


def _failing_indices(seed: int) -> list[int]:
    with MockServer(inline=CHAOS, seed=seed) as running, httpx.Client(base_url=running.url) as client:
        return [index for index in range(100) if client.get("/flaky").status_code == 503]


@pytest.mark.slow
def test_a_seeded_fault_rate_fails_the_same_requests_on_every_run() -> None:
    first, second = _failing_indices(5), _failing_indices(5)
    assert first == second
    assert 2 <= len(first) <= 25, first  # about 10 in 100
    assert _failing_indices(6) != first


def test_reset_restarts_the_fault_sequence(server: MockServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        server.reset()
        first = [client.get("/flaky").status_code for _ in range(60)]
        server.reset()
        assert [client.get("/flaky").status_code for _ in range(60)] == first


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/reset", httpx.ReadError),  # connection reset by peer, no response at all
        ("/empty", httpx.RemoteProtocolError),  # headers, then the connection closes
        ("/malformed", httpx.RemoteProtocolError),  # a body shorter than its Content-Length
    ],
)
def test_connection_faults_raise_what_a_real_client_raises(server: MockServer, path: str, error: type) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        with pytest.raises(error):
            client.get(path)
        assert client.get("/healthy").text == "fine"  # the server keeps serving
    assert httpx.get(f"{server.url}/healthy").status_code == 200


def test_empty_sends_headers_and_malformed_part_of_the_body(server: MockServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        with client.stream("GET", "/empty") as response:
            assert response.status_code == 200
            with pytest.raises(httpx.RemoteProtocolError):
                response.read()
        received = bytearray()
        with client.stream("GET", "/malformed") as response, pytest.raises(httpx.RemoteProtocolError):  # noqa: PT012
            for chunk in response.iter_raw():
                received.extend(chunk)
        assert received
        assert b'{"items":[1,2,3,4,5,6,7,8]}'.startswith(bytes(received))


def test_a_timeout_fault_outlasts_the_clients_patience(server: MockServer) -> None:
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{server.url}/timeout", timeout=0.3)
    assert httpx.get(f"{server.url}/healthy").text == "fine"


def test_the_sixth_request_in_a_second_of_a_five_per_second_limit_is_429(server: MockServer) -> None:
    server.reset()
    with httpx.Client(base_url=server.url) as client:
        answers = [client.get("/limited") for _ in range(6)]
    assert [answer.status_code for answer in answers] == [200] * 5 + [429]
    limited = answers[-1]
    assert 1 <= int(limited.headers["retry-after"]) <= 1
    assert limited.headers["x-ratelimit-limit"] == "5"
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert answers[0].headers["x-ratelimit-remaining"] == "4"
    assert limited.headers["content-type"] == "application/problem+json"


def test_dribbled_bodies_arrive_whole(server: MockServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        chunked = client.get("/chunked")
        assert chunked.text == "0123456789abcdef"
        assert chunked.headers["transfer-encoding"] == "chunked"
        throttled = client.get("/throttled")
        assert throttled.text == "x" * 30000
        assert throttled.headers["content-length"] == "30000"


PROFILED = """
service: profiled
behaviours:
  delay: 0ms
profiles:
  flaky:
    fault: {kind: status, status: 502}
  limited:
    rate_limit: {requests: 1, per: 10s}
routes:
  - {path: /thing, response: {body: thing}}
  - {path: /pinned, fault: {rate: 0}, response: {body: pinned}}
"""


def test_profiles_switch_behaviours_at_runtime_and_a_route_still_wins() -> None:
    with MockServer(inline=PROFILED) as server, httpx.Client(base_url=server.url) as client:
        assert server.profile is None
        assert client.get("/thing").status_code == 200
        server.profile = "flaky"
        assert client.get("/thing").status_code == 502
        assert client.get("/pinned").status_code == 200  # the route's own fault setting is narrower
        server.reset()
        assert server.profile == "flaky"  # a setting, not state
        server.profile = "limited"
        assert [client.get("/thing").status_code for _ in range(2)] == [200, 429]
        server.profile = None
        assert client.get("/thing").status_code == 200
        with pytest.raises(ProfileError, match="did you mean 'flaky'"):
            server.profile = "flakey"
    with MockServer(inline=PROFILED, profile="flaky") as server:
        assert httpx.get(f"{server.url}/thing").status_code == 502


@pytest.mark.slow
def test_serve_profile_flaky_switches_behaviours_without_editing_the_spec(tmp_path: Path) -> None:
    spec = tmp_path / "profiled.yaml"
    spec.write_text(PROFILED)
    statuses = {}
    for profile in ((), ("--profile", "flaky")):
        process = subprocess.Popen(
            [sys.executable, "-m", "mockery", "serve", "--port", "0", "--log-format", "json", *profile, str(spec)],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert process.stderr is not None
            url = None
            for line in process.stderr:
                record = json.loads(line)
                if record["event"] == "listening" and url is None:
                    url = record["url"]
                if record["event"] == "ready":
                    break
            assert url is not None
            statuses[profile] = httpx.get(f"{url}/thing").status_code
        finally:
            process.terminate()
            process.communicate(timeout=20)
    assert statuses == {(): 200, ("--profile", "flaky"): 502}


@pytest.mark.slow
def test_serve_refuses_an_unknown_profile(tmp_path: Path) -> None:
    spec = tmp_path / "profiled.yaml"
    spec.write_text(PROFILED)
    done = subprocess.run(
        [sys.executable, "-m", "mockery", "serve", "--port", "0", "--profile", "nope", str(spec)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    assert "no service defines the profile 'nope' (profiles: flaky, limited)" in done.stderr
