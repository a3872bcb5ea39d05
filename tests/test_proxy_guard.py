"""mockery.proxy.guard: the addresses a proxy refuses, in every spelling, and what counts as its own listener."""

from __future__ import annotations

import asyncio
import ipaddress

import httpcore
import pytest

from mockery.proxy import connect as proxy_connect
from mockery.proxy.connect import ForbiddenUpstream, GuardedBackend
from mockery.proxy.guard import host_address, host_problem, reaches_listener


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("169.254.169.254", "169.254.169.254"),
        ("2852039166", "169.254.169.254"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("0xA9.0xFE.0xA9.0xFE", "169.254.169.254"),
        ("0251.0376.0251.0376", "169.254.169.254"),
        ("169.254.43518", "169.254.169.254"),
        ("127.1", "127.0.0.1"),
        ("[::ffff:169.254.169.254]", "169.254.169.254"),
        ("::ffff:a9fe:a9fe", "169.254.169.254"),
        ("[fe80::1%25eth0]", "fe80::1"),
        ("[::1]", "::1"),
    ],
)
def test_literal_hosts_are_read_as_the_resolver_reads_them(host: str, address: str) -> None:
    assert host_address(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["example.com", "cafe", "deadbeef.cafe", "localhost", "1e100.net", ""])
def test_names_are_not_addresses(host: str) -> None:
    assert host_address(host) is None


@pytest.mark.parametrize(
    "host",
    [
        "169.254.0.1",
        "2852039166",
        "[::ffff:169.254.169.254]",
        "fe80::1",
        "febf::1",
        "fd00:ec2::254",
        "100.100.100.200",
        "metadata.google.internal",
        "Metadata.Google.Internal.",
        "metadata",
        "instance-data",
    ],
)
def test_metadata_and_link_local_hosts_are_refused(host: str) -> None:
    assert host_problem(host) is not None


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "::1", "10.0.0.1", "fec0::1", "fd00:ec2::253", "api.example.com", "metadatas"]
)
def test_other_hosts_are_not_refused(host: str) -> None:
    assert host_problem(host) is None


@pytest.mark.parametrize(
    ("upstream", "listener", "loops"),
    [
        (("127.0.0.1", 8000), ("127.0.0.1", 8000), True),
        (("localhost", 8000), ("127.0.0.1", 8000), True),
        (("LOCALHOST.", 8000), ("::1", 8000), True),
        (("2130706433", 8000), ("127.0.0.1", 8000), True),
        (("[::ffff:127.0.0.1]", 8000), ("127.0.0.1", 8000), True),
        (("127.0.0.1", 8000), ("0.0.0.0", 8000), True),
        (("::1", 8000), ("::", 8000), True),
        (("127.0.0.1", 8000), ("::", 8000), True),
        (("0.0.0.0", 8000), ("127.0.0.1", 8000), True),
        (("mock.internal", 8000), ("Mock.Internal", 8000), True),
        (("::1", 8000), ("0.0.0.0", 8000), False),
        (("127.0.0.2", 8000), ("127.0.0.1", 8000), False),
        (("127.0.0.1", 8001), ("127.0.0.1", 8000), False),
        (("api.example.com", 8000), ("0.0.0.0", 8000), False),
        (("127.0.0.1", 0), ("127.0.0.1", 0), False),
    ],
)
def test_what_reaches_a_listener(upstream: tuple[str, int], listener: tuple[str, int], loops: bool) -> None:
    assert reaches_listener(*upstream, *listener) is loops


def test_the_backend_refuses_a_name_with_any_forbidden_address_before_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1", "169.254.169.254"]

    async def never(*args: object, **kwargs: object) -> httpcore.AsyncNetworkStream:
        raise AssertionError("no connection may be attempted")

    monkeypatch.setattr(proxy_connect, "resolve", resolve)
    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", never)
    with pytest.raises(ForbiddenUpstream, match=r"api\.test: it resolves to 169\.254\.169\.254"):
        asyncio.run(GuardedBackend().connect_tcp("api.test", 80, timeout=5))
    with pytest.raises(ForbiddenUpstream, match="metadata"):
        asyncio.run(GuardedBackend().connect_tcp("metadata.google.internal", 80, timeout=5))


def test_allow_link_local_connects_to_the_resolved_address(monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        return ["169.254.10.20", "fe80::2"]

    async def refused(self: object, host: str, *args: object, **kwargs: object) -> httpcore.AsyncNetworkStream:
        tried.append(host)
        raise httpcore.ConnectError("refused by the test")

    monkeypatch.setattr(proxy_connect, "resolve", resolve)
    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", refused)
    with pytest.raises(httpcore.ConnectError, match="refused by the test"):
        asyncio.run(GuardedBackend(allow_link_local=True).connect_tcp("device.test", 80, timeout=5))
    assert tried == ["169.254.10.20", "fe80::2"]
