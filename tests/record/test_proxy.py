"""Pass-through (mockery.proxy) over real HTTP: forwarding, relaying, failures, and no open proxy."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery import MockServer
from mockery.errors import SpecErrors
from mockery.proxy import Forwarder, Refused, forwardable
from mockery.spec.loader import load_specs
from mockery.spec.model import Proxy
from tests.record.upstream import Upstream, closed_port

WriteSpec = Callable[..., Path]


def _proxied(write_spec: WriteSpec, serve: Any, upstream: str, timeout: float = 5) -> MockServer:
    spec = write_spec(
        f"""
        service: front
        proxy:
          upstream: {upstream}
          timeout: {timeout}
        routes:
          - path: /local
            response:
              body: {{here: true}}
        """
    )
    server: MockServer = serve(spec)
    return server


def _raw(server: MockServer, request: bytes) -> bytes:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_unmatched_requests_are_forwarded_and_answers_relayed(
    write_spec: WriteSpec, serve: Any, upstream: Upstream
) -> None:
    server = _proxied(write_spec, serve, upstream.url)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get("/local").json() == {"here": True}
        answer = client.post(
            "/echo?a=1&b=two",
            content=b'{"x": 1}',
            headers={
                "content-type": "application/json",
                "x-trace": "t1",
                "connection": "keep-alive, x-hop",
                "x-hop": "1",
            },
        )
        listed = client.get("/users")
    assert answer.status_code == 200
    seen = answer.json()
    assert (seen["method"], seen["path"], seen["query"], seen["body"]) == ("POST", "/echo", "a=1&b=two", '{"x": 1}')
    assert seen["headers"]["x-trace"] == "t1"
    assert seen["headers"]["host"] == f"{upstream.host}:{upstream.port}"
    assert "x-hop" not in seen["headers"]  # named by Connection: hop-by-hop
    assert listed.status_code == 200
    assert listed.json()["total"] == 2
    assert listed.headers["set-cookie"].startswith("session=")
    assert [path for _, path, _ in upstream.requests] == ["/echo", "/users"]


def test_a_base_path_in_the_upstream_prefixes_every_forwarded_path(
    write_spec: WriteSpec, serve: Any, upstream: Upstream
) -> None:
    server = _proxied(write_spec, serve, f"{upstream.url}/echo")
    answer = httpx.get(f"{server.url}/deep/path?q=1", timeout=10)
    assert answer.json()["path"] == "/echo/deep/path"


def test_host_header_does_not_choose_the_host(
    write_spec: WriteSpec, serve: Any, upstream: Upstream, elsewhere: Upstream
) -> None:
    server = _proxied(write_spec, serve, upstream.url)
    answer = httpx.get(f"{server.url}/echo", headers={"host": f"127.0.0.2:{elsewhere.port}"}, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["headers"]["host"] == f"{upstream.host}:{upstream.port}"
    assert elsewhere.requests == []


@pytest.mark.parametrize(
    "target",
    [
        "http://{evil}/stolen",
        "//{evil}/stolen",
        "/@{evil}/stolen",
        "/%2F%2F{evil}/stolen",
        "/..%2F..%2F/stolen",
        "/a/../../stolen",
        "/%2e%2e/stolen",
        "@{evil}/stolen",
    ],
    ids=[
        "absolute-form",
        "scheme-relative",
        "at-sign",
        "encoded-slashes",
        "encoded-dotdot",
        "dotdot",
        "dot-escape",
        "bare-at",
    ],
)
def test_crafted_targets_never_reach_another_host(
    target: str, write_spec: WriteSpec, serve: Any, upstream: Upstream, elsewhere: Upstream
) -> None:
    server = _proxied(write_spec, serve, upstream.url)
    evil = f"127.0.0.2:{elsewhere.port}"
    request = f"GET {target.format(evil=evil)} HTTP/1.1\r\nHost: {evil}\r\nConnection: close\r\n\r\n"
    answer = _raw(server, request.encode())
    status = int(answer.split(b" ", 2)[1])
    # Refused (400), or forwarded to the configured upstream, which knows no such path (404).
    assert status in (400, 404), answer[:300]
    assert elsewhere.requests == []
    for _, path, headers in upstream.requests:
        assert headers["host"] == f"{upstream.host}:{upstream.port}", path


def test_redirects_are_relayed_never_followed(
    write_spec: WriteSpec, serve: Any, upstream: Upstream, elsewhere: Upstream
) -> None:
    server = _proxied(write_spec, serve, upstream.url)
    answer = httpx.get(f"{server.url}/redirect", timeout=10, follow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["location"] == f"{elsewhere.url}/stolen"
    assert elsewhere.requests == []


def test_upstream_down_is_a_502_problem(write_spec: WriteSpec, serve: Any) -> None:
    server = _proxied(write_spec, serve, f"http://127.0.0.1:{closed_port()}")
    answer = httpx.get(f"{server.url}/anything", timeout=10)
    assert answer.status_code == 502
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["title"] == "Upstream unreachable"


def test_upstream_slower_than_the_timeout_is_a_504_problem(
    write_spec: WriteSpec, serve: Any, upstream: Upstream
) -> None:
    server = _proxied(write_spec, serve, upstream.url, timeout=0.3)
    answer = httpx.get(f"{server.url}/slow?seconds=3", timeout=10)
    assert answer.status_code == 504
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 504


def test_routes_still_win_and_services_without_proxy_still_404(write_spec: WriteSpec, serve: Any) -> None:
    spec = write_spec("service: plain\nroutes:\n  - path: /a\n    response: {body: a}\n")
    server: MockServer = serve(spec)
    assert httpx.get(f"{server.url}/missing", timeout=10).status_code == 404


@pytest.mark.parametrize(
    "upstream",
    ["file:///etc/passwd", "ftp://example.com", "http://user@example.com", "https://example.com/?q=1", "/relative"],
)
def test_invalid_upstreams_are_located_spec_errors(upstream: str, write_spec: WriteSpec) -> None:
    spec = write_spec(f"service: bad\nproxy:\n  upstream: '{upstream}'\n")
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec], environ={})
    text = str(caught.value)
    assert "spec.yaml:3:" in text, text
    assert "proxy.upstream" in text, text


@pytest.mark.parametrize(
    ("upstream", "message"),
    [
        ("file:///etc/passwd", "not an http:// or https:// URL"),
        ("http://user@example.com", "user info"),
        ("https://example.com/?q=1", "query or fragment"),
        ("http://", "names no host"),
    ],
)
def test_forwarder_refuses_bad_upstreams(upstream: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Forwarder(Proxy(upstream))


def test_the_final_url_keeps_the_configured_scheme_host_and_port() -> None:
    forwarder = Forwarder(Proxy("https://api.example.com:8443/v1"))
    assert str(forwarder.url("/users/1", "a=b")) == "https://api.example.com:8443/v1/users/1?a=b"
    assert forwarder.url("//evil.com/x", "").host == "api.example.com"
    assert forwarder.url("/@evil.com/x", "").host == "api.example.com"
    for target in ("http://evil.com/", "evil.com", "/../x", "/%2e%2E/x", "/a b", "/a\\b"):
        with pytest.raises(Refused):
            forwarder.url(target, "")


def test_hop_by_hop_and_host_headers_are_not_forwarded() -> None:
    headers = [("Host", "h"), ("Connection", "close, X-Private"), ("X-Private", "1"), ("TE", "x"), ("Accept", "*/*")]
    assert forwardable(headers) == [("Accept", "*/*")]
