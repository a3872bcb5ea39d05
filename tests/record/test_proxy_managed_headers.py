"""A proxied answer carries the headers mockery manages once, its own: the upstream's length, framing,
connection, Date and Server are never relayed (mockery.proxy.forward, over real HTTP)."""

from __future__ import annotations

import socket
from typing import Any

from mockery.proxy.forward import forwardable
from tests.conftest import WriteSpec
from tests.record.upstream import Upstream


def _raw_get(url: str, path: str) -> tuple[list[bytes], bytes]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return [line.lower() for line in head.split(b"\r\n")[1:]], body


def test_a_relayed_answer_has_one_length_and_none_of_the_upstreams_managed_headers(
    write_spec: WriteSpec, serve: Any, upstream: Upstream
) -> None:
    spec = write_spec(
        f"""
        service: front
        proxy:
          upstream: {upstream.url}
        routes: []
        """
    )
    server = serve(spec)
    lines, body = _raw_get(server.url, "/users")
    assert b'"total":2' in body
    assert [line for line in lines if line.startswith(b"content-length:")] == [f"content-length: {len(body)}".encode()]
    # the upstream (uvicorn) sent Date and Server: mockery's answer is its own
    assert not any(line.startswith((b"date:", b"server:", b"transfer-encoding:", b"keep-alive:")) for line in lines)
    assert any(line.startswith(b"set-cookie: session=") for line in lines)  # end-to-end headers are relayed


def test_forwardable_drops_date_and_server_only_from_answers() -> None:
    headers = [("Date", "Mon, 01 Jan 2001 00:00:00 GMT"), ("Server", "nginx"), ("Content-Length", "3"), ("X-A", "1")]
    assert forwardable(headers, response=True) == [("X-A", "1")]
    assert forwardable(headers) == [("Date", "Mon, 01 Jan 2001 00:00:00 GMT"), ("Server", "nginx"), ("X-A", "1")]
