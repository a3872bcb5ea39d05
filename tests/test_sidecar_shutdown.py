"""Graceful shutdown: a signal during a request in flight lets it finish, then the process exits 0.

The slow request is a real one held open by its client: headers sent with ``Expect: 100-continue``, the
``100 Continue`` read back (so the app is inside the request, waiting for the body), the signal sent, and
the body sent only once the server has stopped accepting connections.
"""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

import httpx
import pytest
from sidecar_support import Process, serve, wait_for

SPEC = """\
service: echo
routes:
  - method: POST
    path: /echo
    response: {body: {n: "{{ request.body.n }}"}}
"""


def _open_request(process: Process, body: bytes) -> socket.socket:
    port = int(process.url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = (
        f"POST /echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
    )
    sock.sendall(head.encode())
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(1024)
    assert received.startswith(b"HTTP/1.1 100 Continue"), received
    return sock


def _refuses_connections(url: str) -> bool:
    """Whether a new connection is turned away: refused, or reset when it reached the listening socket's queue
    just before the socket closed (the kernel resets what the server never accepted)."""
    try:
        httpx.get(url + "/__mockery/health", timeout=1)
    except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError):
        return True
    return False


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    (tmp_path / "echo.yaml").write_text(SPEC)
    return tmp_path / "echo.yaml"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.slow
def test_a_request_in_flight_completes_and_the_process_exits_0(specs: Path, sig: int) -> None:
    bound = 5
    process = serve(str(specs), "--port", "0", "--shutdown-timeout", str(bound), "--log-format", "json")
    body = b'{"n": 41}'
    sock = _open_request(process, body)
    process.process.send_signal(sig)
    signalled = time.monotonic()
    wait_for(lambda: _refuses_connections(process.url), bound, "the server to stop accepting")
    assert process.process.poll() is None  # still draining the request in flight
    sock.sendall(body)
    answer = b""
    while chunk := sock.recv(4096):
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.1 200 OK"), answer
    assert answer.endswith(b'{"n":41}')
    assert b"connection: close" in answer.lower()
    assert process.stop(timeout=bound) == 0
    assert time.monotonic() - signalled < bound
    assert [r["status"] for r in process.records() if r["event"] == "request"] == [200]
    assert any(r["event"] == "stopped" for r in process.records())


@pytest.mark.slow
def test_a_request_that_never_finishes_is_cut_at_the_drain_bound(specs: Path) -> None:
    process = serve(str(specs), "--port", "0", "--shutdown-timeout", "1")
    sock = _open_request(process, b'{"n": 1}')
    signalled = time.monotonic()
    assert process.stop(timeout=10) == 0
    assert time.monotonic() - signalled < 1 + 3  # the bound, plus the time a process takes to exit
    sock.close()


@pytest.mark.slow
def test_idle_keep_alive_connections_do_not_delay_the_exit(specs: Path) -> None:
    process = serve(str(specs), "--port", "0")
    with httpx.Client() as client:
        assert client.post(f"{process.url}/echo", json={"n": 1}).status_code == 200
        signalled = time.monotonic()
        assert process.stop() == 0
    assert time.monotonic() - signalled < 3
