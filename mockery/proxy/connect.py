"""The connections of proxies and callbacks: httpx's transport on a network backend that applies the rules of
``mockery.proxy.guard`` to the addresses a host resolves to, at every connection, and connects to the addresses
it checked. Imported only by what sends (a proxy forwarding, a callback delivering): httpx and httpcore cost
start-up time a server that sends nothing does not pay.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable

import anyio
import httpcore
import httpx

from mockery.proxy.guard import address_problem, host_address, host_problem


class ForbiddenUpstream(httpcore.ConnectError):
    """The upstream resolves to an address a proxy never connects to; nothing was sent."""


async def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to for TCP, in the resolver's order."""
    found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(sockaddr[0]) for *_, sockaddr in found]


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend that resolves the host itself, refuses metadata and link-local addresses
    (unless allowed), and connects to the addresses it checked, in order."""

    def __init__(self, *, allow_link_local: bool = False) -> None:
        self.allow_link_local = allow_link_local
        self._inner = httpcore.AnyIOBackend()

    def __repr__(self) -> str:
        return f"GuardedBackend(allow_link_local={self.allow_link_local})"

    async def _checked(self, host: str, port: int) -> list[str]:
        if not self.allow_link_local and (reason := host_problem(host)) is not None:
            raise ForbiddenUpstream(f"not connecting to {reason}")
        try:
            addresses = await resolve(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not self.allow_link_local:
            for text in addresses:
                address = host_address(text)
                if address is not None and (reason := address_problem(address)) is not None:
                    raise ForbiddenUpstream(f"not connecting to {host}: it resolves to {text}, {reason}")
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                failure: httpcore.ConnectError | None = None
                for address in await self._checked(host, port):
                    try:
                        return await self._inner.connect_tcp(address, port, None, local_address, socket_options)
                    except httpcore.ConnectError as exc:
                        failure = exc
                raise failure or httpcore.ConnectError(f"{host} resolves to no address")
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"no connection to {host}:{port} within {timeout:g}s") from None

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("a proxy connects over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, connecting through a ``GuardedBackend``; the environment is ignored."""

    def __init__(self, *, limits: httpx.Limits, allow_link_local: bool = False) -> None:
        ssl_context = httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        # httpx takes no network backend: its connection pool is replaced by the same pool with ours.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(allow_link_local=allow_link_local),
        )
