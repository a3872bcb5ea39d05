"""Connection limits over real sockets: slow request heads time out, large ones get a 431, and a listener
refuses connections beyond its cap; meanwhile a normal request is answered at once."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from socket_support import SOCKET_TIMEOUT, connect, read_to_end, statuses

from mockery import MockServer
from mockery.app.listener import AppConfig
from mockery.server.connections import MAX_REQUEST_HEAD, ConnectionLimits

SPEC = """\
service: hello
routes:
  - path: /hello
    response: {body: hi}
  - path: /echo
    method: POST
    response: {body: got it}
"""
Serve = Callable[..., MockServer]


def timed_get(url: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = httpx.get(url, timeout=SOCKET_TIMEOUT)
    return response, time.perf_counter() - started


def test_a_head_not_finished_in_time_gets_a_408_problem_and_the_connection_closes(
    serve: Serve, write_spec: Callable[..., Path]
) -> None:
    server = serve(write_spec(SPEC), limits=ConnectionLimits(header_timeout=0.5))
    with connect(server.url, b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Half: ") as sock:
        [answer] = read_to_end([sock])
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert b"content-type: application/problem+json" in head
    assert b"connection: close" in head
    assert b'"status":408' in body
    assert b'"timeout":0.5' in body


def test_a_connection_that_sends_nothing_is_closed_at_the_header_deadline(
    serve: Serve, write_spec: Callable[..., Path]
) -> None:
    server = serve(write_spec(SPEC), limits=ConnectionLimits(header_timeout=0.5))
    with connect(server.url) as sock:
        assert read_to_end([sock]) == [b""]


def test_on_a_keep_alive_connection_the_next_head_has_its_own_deadline(
    serve: Serve, write_spec: Callable[..., Path]
) -> None:
    server = serve(write_spec(SPEC), limits=ConnectionLimits(header_timeout=0.5))
    with connect(server.url, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n") as sock:
        first = b""
        while not first.endswith(b"hi"):
            chunk = sock.recv(4096)
            assert chunk, f"closed after {first!r}"
            first += chunk
        assert first.startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /hel")
        [rest] = read_to_end([sock])
    assert rest.startswith(b"HTTP/1.1 408 ")


def test_300_stalled_heads_are_closed_while_a_get_answers_within_1_s(
    serve: Serve, write_spec: Callable[..., Path]
) -> None:
    server = serve(write_spec(SPEC), limits=ConnectionLimits(header_timeout=0.5))
    stalled = [connect(server.url, b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ") for _ in range(300)]
    try:
        response, elapsed = timed_get(f"{server.url}/hello")
        assert response.text == "hi"
        assert elapsed < 1.0
        answers = read_to_end(stalled)
    finally:
        for sock in stalled:
            sock.close()
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers), statuses(answers)


def test_50_stalled_bodies_get_a_408_while_a_get_answers_within_1_s(
    serve: Serve, write_spec: Callable[..., Path]
) -> None:
    server = serve(write_spec(SPEC), config=AppConfig(body_timeout=0.5))
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n"
    stalled = [connect(server.url, head + b"only ten b") for _ in range(50)]
    try:
        response, elapsed = timed_get(f"{server.url}/hello")
        assert response.text == "hi"
        assert elapsed < 1.0
        answers = read_to_end(stalled)
    finally:
        for sock in stalled:
            sock.close()
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers), statuses(answers)


def test_a_100_kib_header_gets_a_431_problem(serve: Serve, write_spec: Callable[..., Path]) -> None:
    server = serve(write_spec(SPEC))
    response = httpx.get(f"{server.url}/hello", headers={"X-Big": "a" * 100 * 1024}, timeout=SOCKET_TIMEOUT)
    assert response.status_code == 431
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["connection"] == "close"
    assert response.json()["limit"] == MAX_REQUEST_HEAD
    # A head just under the limit is served.
    fits = httpx.get(f"{server.url}/hello", headers={"X-Big": "a" * 60 * 1024}, timeout=SOCKET_TIMEOUT)
    assert fits.text == "hi"


def test_a_head_that_never_ends_is_cut_off_with_a_431(serve: Serve, write_spec: Callable[..., Path]) -> None:
    server = serve(write_spec(SPEC), limits=ConnectionLimits(max_head=4096))
    # The head's end never comes: the server must answer without waiting for it.
    with connect(server.url, b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Endless: " + b"a" * 300 * 1024) as sock:
        [answer] = read_to_end([sock])
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b'"limit":4096' in answer


def test_beyond_max_connections_a_new_connection_gets_a_503_problem_even_when_the_others_are_idle(
    serve: Serve, write_spec: Callable[..., Path]
) -> None:
    server = serve(write_spec(SPEC), limits=ConnectionLimits(max_connections=3))
    idle = [connect(server.url) for _ in range(3)]
    try:
        refused = httpx.get(f"{server.url}/hello", timeout=SOCKET_TIMEOUT)
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["limit"] == 3
    finally:
        idle.pop().close()
    try:
        # The freed slot is taken by the next client once the server has seen the close.
        deadline = time.monotonic() + SOCKET_TIMEOUT
        while (answer := httpx.get(f"{server.url}/hello", timeout=SOCKET_TIMEOUT)).status_code == 503:
            assert time.monotonic() < deadline, "the closed connection still counts"
        assert answer.text == "hi"
    finally:
        for sock in idle:
            sock.close()


@pytest.mark.parametrize(
    "options",
    [
        {"header_timeout": 0},
        {"header_timeout": -1.0},
        {"header_timeout": float("inf")},
        {"header_timeout": float("nan")},
        {"max_connections": 0},
        {"max_head": 0},
    ],
    ids=["zero timeout", "negative timeout", "infinite timeout", "nan timeout", "no connections", "no head"],
)
def test_limits_that_would_refuse_everything_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        ConnectionLimits(**options)  # type: ignore[arg-type]
