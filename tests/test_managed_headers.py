"""Headers the server manages (length, framing, the connection's fate) are never taken from whoever builds an
answer: a spec, an OpenAPI document or an upstream. Tested on the answer type and over real HTTP."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from mockery import MockServer
from mockery.http.answer import Answer
from tests.conftest import WriteSpec


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ((b"content-length", b"5"), False),
        ((b"Content-Length", b"5"), False),
        ((b"transfer-encoding", b"chunked"), False),
        ((b"keep-alive", b"timeout=5"), False),
        ((b"upgrade", b"h2c"), False),
        ((b"proxy-connection", b"keep-alive"), False),
        ((b"trailer", b"x-sum"), False),
        ((b"connection", b"keep-alive"), False),
        ((b"connection", b"close"), True),
        ((b"connection", b"Close"), True),
        ((b"x-rate", b"1"), True),
    ],
    ids=lambda case: (
        case[0].decode() + ("=" + case[1].decode() if case[0] == b"connection" else "")
        if isinstance(case, tuple)
        else str(case)
    ),
)
def test_an_answer_leaves_out_the_headers_the_server_manages(given: tuple[bytes, bytes], kept: bool) -> None:
    answer = Answer(200, ((b"content-type", b"text/plain"), given), b"hello")
    assert (given in answer.headers) is kept
    assert (b"content-type", b"text/plain") in answer.headers
    # headers added later pass the same gate
    assert (given in Answer(200).with_headers(given).headers) is kept


def test_an_answer_without_managed_headers_keeps_its_own_tuple() -> None:
    headers = ((b"content-type", b"application/json"), (b"x-a", b"1"))
    assert Answer(200, headers).headers is headers


def _raw_get(url: str, path: str) -> bytes:
    """The raw bytes of a response, so that repeated header lines can be counted (clients merge them)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_spec_setting_content_length_gets_one_true_length_over_http(
    write_spec: WriteSpec, serve: Callable[..., MockServer]
) -> None:
    path = write_spec(
        """
        service: lengths
        routes:
          - path: /hello
            response:
              body: hello world
              headers:
                Content-Length: "5"
                Transfer-Encoding: chunked
                Keep-Alive: timeout=99
                X-Kept: kept
        """
    )
    server = serve(path)
    raw = _raw_get(server.url, "/hello")
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = [line.lower() for line in head.split(b"\r\n")[1:]]
    assert [line for line in lines if line.startswith(b"content-length:")] == [b"content-length: 11"]
    assert not any(line.startswith((b"transfer-encoding:", b"keep-alive:")) for line in lines)
    assert b"x-kept: kept" in lines
    assert body == b"hello world"
