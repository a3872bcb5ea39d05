"""A request's body is read as HTTP/1 frames it: by Content-Length, by chunks, or known empty without waiting
when neither is sent. Over a raw socket, so that the framing on the wire is exactly the test's."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from mockery import MockServer
from mockery.http.requests import without_body

SPEC = """\
service: bodies
routes:
  - method: [GET, POST]
    path: /echo
    response:
      body: {got: "{{ request.body or '' }}", size: "{{ (request.body or '') | length }}"}
"""


def _exchange(url: str, *requests: bytes) -> list[bytes]:
    """Send ``requests`` on one connection, one after another; the raw responses."""
    host, port = url.removeprefix("http://").split(":")
    answers: list[bytes] = []
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        for request in requests:
            sock.sendall(request)
            answers.append(_response(sock))
    return answers


def _response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[1]
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head.split(b"\r\n", 1)[0] + b"\n" + body


@pytest.fixture
def server(write_spec: Callable[..., Path], serve: Callable[..., MockServer]) -> MockServer:
    return serve(write_spec(SPEC))


def test_bodies_framed_every_way_are_read_and_a_bodiless_request_is_not_waited_for(server: MockServer) -> None:
    host = b"Host: 127.0.0.1\r\n"
    answers = _exchange(
        server.url,
        b"GET /echo HTTP/1.1\r\n" + host + b"\r\n",  # no length, no chunks: no body
        b"POST /echo HTTP/1.1\r\n" + host + b"Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
        b"POST /echo HTTP/1.1\r\n" + host + b"Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n",
        b"GET /echo HTTP/1.1\r\n" + host + b"Content-Type: text/plain\r\nContent-Length: 3\r\n\r\nxyz",
        b"POST /echo HTTP/1.1\r\n" + host + b"Content-Length: 0\r\n\r\n",
        b"GET /echo HTTP/1.0\r\n\r\n",
    )
    assert answers == [
        b'HTTP/1.1 200 OK\n{"got":"","size":0}',
        b'HTTP/1.1 200 OK\n{"got":"hello","size":5}',
        b'HTTP/1.1 200 OK\n{"got":"abcdefg","size":7}',
        b'HTTP/1.1 200 OK\n{"got":"xyz","size":3}',
        b'HTTP/1.1 200 OK\n{"got":"","size":0}',
        b'HTTP/1.1 200 OK\n{"got":"","size":0}',
    ]
    assert [call.raw_body for call in server.calls()] == [b"", b"hello", b"abcdefg", b"xyz", b"", b""]


@pytest.mark.parametrize(
    ("version", "headers", "expected"),
    [
        ("1.1", {}, True),
        ("1.0", {"accept": "*/*"}, True),
        ("1.1", {"content-length": "0"}, False),  # read: an empty message, at once
        ("1.1", {"transfer-encoding": "chunked"}, False),
        ("2", {}, False),  # HTTP/2 frames a body without a length
        (None, {}, False),  # a server that does not say: read
    ],
)
def test_only_http1_framing_says_a_body_is_absent(version: str | None, headers: dict[str, str], expected: bool) -> None:
    scope = {"type": "http"} if version is None else {"type": "http", "http_version": version}
    assert without_body(scope, headers) is expected
