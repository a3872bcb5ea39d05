"""Admin endpoints read bodies with one cap (``ADMIN_MAX_BODY``), before anything parses them."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sidecar_support import serve as serve_process

from mockery import AppConfig, MockServer
from mockery.server.admin_guard import ADMIN_MAX_BODY

SPEC = """\
service: users
routes:
  - path: /users
    response: {body: []}
"""
ROUTE = {"service": "users", "route": {"path": "/extra", "response": {"body": "added"}}}
# Every admin endpoint that reads a body, with a body it accepts.
ENDPOINTS = [
    pytest.param("POST", "routes", ROUTE, 201, id="add-route"),
    pytest.param("PUT", "scenarios/checkout", {"state": "paid"}, 200, id="scenario"),
    pytest.param("PUT", "profile", {"profile": None}, 200, id="profile"),
]


@pytest.fixture
def mock(serve: Callable[..., MockServer], write_spec: Callable[..., Path]) -> MockServer:
    return serve(write_spec(SPEC, "users.yaml"))


def padded(data: dict[str, Any], size: int) -> bytes:
    """``data`` as JSON of exactly ``size`` bytes, with a ``pad`` field the endpoints ignore."""
    body = orjson.dumps({**data, "pad": ""})
    return orjson.dumps({**data, "pad": "x" * (size - len(body))})


def assert_too_large(answer: httpx.Response) -> None:
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 413
    assert problem["limit"] == ADMIN_MAX_BODY
    assert str(ADMIN_MAX_BODY) in problem["detail"]


@pytest.mark.parametrize(("method", "path", "data", "status"), ENDPOINTS)
def test_a_body_at_the_cap_is_read_and_one_byte_over_it_is_a_413(
    mock: MockServer, method: str, path: str, data: dict[str, Any], status: int
) -> None:
    url = f"{mock.url}/__mockery/{path}"
    with httpx.Client() as client:
        over = client.request(method, url, content=padded(data, ADMIN_MAX_BODY + 1))
        assert_too_large(over)
        # The whole body was read (it is within what is drained), so the connection stays usable.
        assert over.headers.get("connection") != "close"
        chunked = client.request(method, url, content=iter([padded(data, ADMIN_MAX_BODY + 1)]))
        assert_too_large(chunked)
        accepted = client.request(method, url, content=padded(data, ADMIN_MAX_BODY))
        assert accepted.status_code == status, accepted.text
    if path == "routes":
        assert httpx.get(f"{mock.url}/extra").text == "added"


@pytest.mark.parametrize(("method", "path", "data", "status"), ENDPOINTS)
def test_a_body_far_over_the_cap_is_a_413_that_closes_the_connection(
    mock: MockServer, method: str, path: str, data: dict[str, Any], status: int
) -> None:
    def body() -> Iterator[bytes]:
        yield orjson.dumps(data)[:-1] + b', "pad": "'
        for _ in range(16):
            yield b"x" * ADMIN_MAX_BODY
        yield b'"}'

    answer = httpx.request(method, f"{mock.url}/__mockery/{path}", content=body())
    assert_too_large(answer)
    assert answer.headers["connection"] == "close"
    # Nothing of it was applied, and the server goes on answering.
    assert httpx.get(f"{mock.url}/extra").status_code == 404
    assert httpx.get(f"{mock.url}/__mockery/scenarios/checkout").json()["state"] != "paid"


def _peak_rss(pid: int) -> int:
    """The process's peak resident set size in bytes (``VmHWM``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for process {pid}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/status")
@pytest.mark.slow
def test_a_60_mb_route_body_is_refused_without_the_server_holding_it(write_spec: Callable[..., Path]) -> None:
    process = serve_process(str(write_spec(SPEC, "specs/users.yaml").parent), "--port", "0")
    try:
        url = f"{process.url}/__mockery/routes"
        # A first admin call, so that what it allocates once is in the baseline.
        assert httpx.post(url, json=ROUTE).status_code == 201
        before = _peak_rss(process.process.pid)
        chunk = b"x" * (1024 * 1024)

        def body() -> Iterator[bytes]:
            yield b'{"service": "users", "route": {"path": "/big"}, "pad": "'
            for _ in range(60):
                yield chunk
            yield b'"}'

        answer = httpx.post(url, content=body(), timeout=30.0)
        grown = _peak_rss(process.process.pid) - before
        assert grown < 30 * 1024 * 1024, f"the server's peak RSS grew by {grown / 2**20:.1f} MiB"
        assert_too_large(answer)
        assert answer.headers["connection"] == "close"
        assert httpx.get(f"{process.url}/big").status_code == 404
    finally:
        assert process.stop() == 0


def test_an_admin_body_that_stalls_is_a_408_that_closes_the_connection(
    serve: Callable[..., MockServer], write_spec: Callable[..., Path]
) -> None:
    mock = serve(write_spec(SPEC, "users.yaml"), config=AppConfig(body_timeout=0.2))
    host, port = mock.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10.0) as connection:
        connection.sendall(
            f"PUT /__mockery/profile HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            'Content-Length: 100\r\n\r\n{"profile": '.encode()
        )
        answer = b""
        while chunk := connection.recv(65536):  # the server closes the connection after its answer
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), answer
    assert b"connection: close" in head.lower()
    assert orjson.loads(body)["timeout"] == 0.2
