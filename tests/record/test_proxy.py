"""Pass-through (mockery.proxy.forward) over real HTTP: forwarding, relaying, failures, and no open proxy."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest

from mockery import MockServer
from mockery.errors import ServeError, SpecErrors
from mockery.load.loader import load_specs
from mockery.model.services import Proxy
from mockery.proxy import connect as proxy_connect
from mockery.proxy.forward import MAX_VIA_HOPS, Forwarder, LoopDetected, Refused, forwardable, via_entries
from mockery.server.options import ServerOptions, build_server
from tests.record.upstream import Upstream, closed_port, serving

WriteSpec = Callable[..., Path]


def _proxied(write_spec: WriteSpec, serve: Any, upstream: str, timeout: float | str = 5) -> MockServer:
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


@pytest.mark.parametrize("timeout", [0.3, "300ms"], ids=["seconds", "with-unit"])
@pytest.mark.slow
def test_upstream_slower_than_the_timeout_is_a_504_problem(
    timeout: float | str, write_spec: WriteSpec, serve: Any, upstream: Upstream
) -> None:
    server = _proxied(write_spec, serve, upstream.url, timeout=timeout)
    answer = httpx.get(f"{server.url}/slow?seconds=3", timeout=10)
    assert answer.status_code == 504
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 504
    assert "within 0.3s" in answer.json()["detail"]


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


# Loops: a proxy to its own listener, two fakes proxying to each other, Via and its hop limit.


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433"])
def test_a_service_proxying_to_its_own_listener_is_refused_at_start(host: str, write_spec: WriteSpec) -> None:
    port = closed_port()
    upstream = f"http://{host}:{port}/v1"
    spec = write_spec(f"service: selfish\nport: {port}\nproxy:\n  upstream: '{upstream}'\n")
    server = build_server(ServerOptions(host="127.0.0.1", port=0), load_specs([spec], environ={}))
    with pytest.raises(ServeError) as caught:
        server.bind()
    message = str(caught.value)
    assert "'selfish' would proxy to itself" in message, message
    assert upstream in message, message
    # Refused before anything serves: the service's port is closed again.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_a_reload_that_would_proxy_to_its_own_listener_is_refused(write_spec: WriteSpec) -> None:
    front = write_spec("service: front\nroutes: [{path: /a}]\n")
    server = build_server(ServerOptions(ephemeral=True), load_specs([front], environ={}))
    (listener,) = server.bind()
    try:
        looping = write_spec(f"service: front\nproxy: {{upstream: '{listener.url}'}}\n", "looping.yaml")
        with pytest.raises(ServeError, match="'front' would proxy to itself"):
            server.apply_specs(load_specs([looping], environ={}))
        assert server.specs.service("front").proxy is None
    finally:
        server.close()


def _loop_spec(name: str, upstream: str) -> str:
    return (
        f"service: {name}\nproxy: {{upstream: '{upstream}', timeout: 3}}\n"
        f"routes:\n  - path: /local\n    response: {{body: {{here: {name}}}}}\n"
    )


def test_two_fakes_proxying_to_each_other_answer_508_while_other_routes_answer(write_spec: WriteSpec) -> None:
    back_spec = write_spec(_loop_spec("back", "http://127.0.0.1:9"), "back.yaml")
    back = build_server(ServerOptions(ephemeral=True), load_specs([back_spec]))
    (back_listener,) = back.bind()
    front_spec = write_spec(_loop_spec("front", back_listener.url), "front.yaml")
    front = build_server(ServerOptions(ephemeral=True), load_specs([front_spec]))
    (front_listener,) = front.bind()
    back.apply_specs(load_specs([write_spec(_loop_spec("back", front_listener.url), "back.yaml")]))
    looping = 20

    async def requests() -> tuple[list[httpx.Response], httpx.Response, float]:
        async with httpx.AsyncClient(base_url=front_listener.url, timeout=30) as client:
            loops = [asyncio.ensure_future(client.get(f"/nowhere/{n}")) for n in range(looping)]
            started = time.perf_counter()
            local = await client.get("/local")
            elapsed = time.perf_counter() - started
            return await asyncio.gather(*loops), local, elapsed

    with serving(back, front):
        answers, local, elapsed = asyncio.run(requests())
    assert local.json() == {"here": "front"}
    assert elapsed < 1.0
    for answer in answers:
        assert answer.status_code == 508, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["title"] == "Loop detected"
    # Each request went round once: front, back, front again (refused there).
    for n in range(looping):
        assert len(front.journal.calls(path=f"/nowhere/{n}")) == 2
        assert len(back.journal.calls(path=f"/nowhere/{n}")) == 1


def test_forwarded_requests_carry_via_after_the_incoming_entries(
    write_spec: WriteSpec, serve: Any, upstream: Upstream
) -> None:
    server = _proxied(write_spec, serve, upstream.url)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        plain = client.get("/echo").json()["headers"]["via"]
        chained = client.get("/echo", headers={"via": "1.0 corp-proxy (Squid, v4), 2 edge"}).json()["headers"]["via"]
    assert re.fullmatch(r"1\.1 mockery-[0-9a-f]{8}", plain), plain
    assert chained == f"1.0 corp-proxy (Squid, v4), 2 edge, {plain}"


def test_a_request_that_passed_too_many_proxies_is_a_508(write_spec: WriteSpec, serve: Any, upstream: Upstream) -> None:
    server = _proxied(write_spec, serve, upstream.url)
    hops = [f"1.1 hop-{n}" for n in range(MAX_VIA_HOPS + 1)]
    with httpx.Client(base_url=server.url, timeout=10) as client:
        at_limit = client.get("/echo", headers={"via": ", ".join(hops[:MAX_VIA_HOPS])})
        over = client.get("/echo", headers={"via": ", ".join(hops)})
    assert at_limit.status_code == 200
    assert over.status_code == 508
    assert over.headers["content-type"] == "application/problem+json"
    assert f"more than {MAX_VIA_HOPS}" in over.json()["detail"]
    assert len(upstream.requests) == 1


def test_via_entries_split_outside_comments() -> None:
    values = ["1.0 fred, 1.1 p.example.net (Apache, 1.1)", " , 2 edge (a \\) b, c)"]
    assert via_entries(values) == ["1.0 fred", "1.1 p.example.net (Apache, 1.1)", "2 edge (a \\) b, c)"]


def test_a_forwarder_refuses_a_request_carrying_its_own_via() -> None:
    forwarder = Forwarder(Proxy("http://127.0.0.1:9"))
    assert forwarder.via([("Via", "1.1 other")], "2") == f"1.1 other, 2 {forwarder.via_name}"
    with pytest.raises(LoopDetected, match="came back"):
        forwarder.via([("via", f"1.0 a, 1.1 {forwarder.via_name} (mockery)")])


# Metadata and link-local upstreams, in the spec or after resolution.

FORBIDDEN = [
    "http://169.254.169.254/latest/meta-data",
    "http://[::ffff:169.254.169.254]",
    "http://[::ffff:a9fe:a9fe]/",
    "http://2852039166/",
    "http://0xa9fea9fe/",
    "http://169.254.43518/",
    "http://0xA9.0xFE.0xA9.0xFE/",
    "http://[fe80::1]:8080",
    "http://[fd00:ec2::254]/",
    "http://100.100.100.200/",
    "http://metadata.google.internal/computeMetadata/v1",
    "http://METADATA/",
    "http://instance-data./",
]


@pytest.mark.parametrize("url", FORBIDDEN)
def test_metadata_and_link_local_upstreams_are_refused_at_load(url: str, write_spec: WriteSpec) -> None:
    spec = write_spec(f"service: bad\nproxy:\n  upstream: '{url}'\n")
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec], environ={})
    text = str(caught.value)
    assert "spec.yaml:3:" in text, text
    assert "proxy.upstream" in text, text
    assert "metadata" in text, text
    assert "allow_link_local" in text, text
    with pytest.raises(ValueError, match="metadata"):
        Forwarder(Proxy(url))


def test_allow_link_local_lets_such_an_upstream_load(write_spec: WriteSpec) -> None:
    spec = write_spec("service: device\nproxy:\n  upstream: http://169.254.10.20\n  allow_link_local: true\n")
    proxy = load_specs([spec], environ={}).service("device").proxy
    assert proxy == Proxy("http://169.254.10.20", 30.0, allow_link_local=True)


@pytest.mark.parametrize("resolved", ["169.254.169.254", "::ffff:169.254.169.254", "fe80::1", "fd00:ec2::254"])
def test_a_name_that_resolves_to_a_metadata_address_is_a_502_at_each_connection(
    resolved: str, write_spec: WriteSpec, serve: Any, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first answer is the real (loopback) upstream, the next one a metadata address: DNS rebinding.
    answers = [["127.0.0.1"], [resolved]]

    async def resolve(host: str, port: int) -> list[str]:
        assert host == "rebinding.test"
        return answers.pop(0) if len(answers) > 1 else answers[0]

    connected: list[str] = []
    connect_tcp = httpcore.AnyIOBackend.connect_tcp

    async def recording(self: httpcore.AnyIOBackend, host: str, *args: Any, **kwargs: Any) -> Any:
        connected.append(host)
        if host != "127.0.0.1":
            raise httpcore.ConnectError(f"the test refuses to connect to {host}")
        return await connect_tcp(self, host, *args, **kwargs)

    monkeypatch.setattr(proxy_connect, "resolve", resolve)
    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", recording)
    server = _proxied(write_spec, serve, f"http://rebinding.test:{upstream.port}")
    with httpx.Client(base_url=server.url, timeout=10) as client:
        first = client.get("/echo")
        second = client.get("/echo")
    assert first.status_code == 200
    assert first.json()["headers"]["host"] == f"rebinding.test:{upstream.port}"
    assert second.status_code == 502
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["title"] == "Upstream forbidden"
    assert resolved in second.json()["detail"]
    assert connected == ["127.0.0.1"]
    assert len(upstream.requests) == 1


def test_a_name_that_resolves_to_loopback_is_still_forwarded(
    write_spec: WriteSpec, serve: Any, upstream: Upstream
) -> None:
    server = _proxied(write_spec, serve, f"http://localhost:{upstream.port}")
    answer = httpx.get(f"{server.url}/echo", timeout=10)
    assert answer.status_code == 200
    assert answer.json()["headers"]["host"] == f"localhost:{upstream.port}"


# Timeouts with units.


@pytest.mark.parametrize(("timeout", "seconds"), [("2s", 2.0), ("500ms", 0.5), ("1.5 s", 1.5), (5, 5.0), (0.25, 0.25)])
def test_a_timeout_loads_as_seconds_or_with_a_unit(timeout: object, seconds: float, write_spec: WriteSpec) -> None:
    spec = write_spec(f"service: front\nproxy:\n  upstream: http://127.0.0.1:9\n  timeout: {timeout}\n")
    proxy = load_specs([spec], environ={}).service("front").proxy
    assert proxy is not None
    assert proxy.timeout == seconds


@pytest.mark.parametrize("timeout", ["0s", "601s", "'5'", "2m", "0", "-1s"])
def test_a_bad_timeout_is_a_located_spec_error(timeout: str, write_spec: WriteSpec) -> None:
    spec = write_spec(f"service: front\nproxy:\n  upstream: http://127.0.0.1:9\n  timeout: {timeout}\n")
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec], environ={})
    text = str(caught.value)
    assert "spec.yaml:4:" in text, text
    assert "proxy.timeout" in text, text
