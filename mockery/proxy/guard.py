"""Where a proxy may connect: never to a cloud metadata service or a link-local address, never to itself.

A cloud metadata service (169.254.169.254 and its kin) hands the machine's credentials to anyone who asks from
the machine, so a fake that forwards there on a client's behalf would hand them out. The addresses are checked
after the host name is resolved, at every connection, and the connection is then made to the address that was
checked: a DNS answer that changes between two requests (rebinding) cannot slip past. A literal address is
refused when the spec loads, in every spelling the system's resolver reads as one (``2852039166``,
``0xa9fea9fe``, ``0251.0376.0251.0376``, ``[::ffff:169.254.169.254]``). ``proxy.allow_link_local`` lifts both.

The checks are here; the connections that apply them are in ``mockery.proxy.connect`` (httpx's transport), which
only a proxy or a callback that sends imports: a server that forwards nothing does not load httpx.
"""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

LINK_LOCAL_NETWORKS = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
# AWS over IPv6, and Alibaba Cloud (the others answer on 169.254.169.254).
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")})
METADATA_NAMES = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"}
)
_LOOPBACK = frozenset({ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")})
_NUMERIC_IPV4 = frozenset("0123456789abcdefx.")


def host_address(host: str) -> IPAddress | None:
    """The address a literal host stands for, in any spelling the resolver takes for one: dotted, decimal
    (``2130706433``), hex (``0x7f000001``), octal (``0177.0.0.1``), short (``127.1``), IPv6 with or without
    brackets and zone; an IPv4-mapped IPv6 address as its IPv4 address. ``None`` for a name."""
    text = host.strip("[]").split("%", 1)[0]
    address: IPAddress
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        lowered = text.lower()
        if not lowered or not set(lowered) <= _NUMERIC_IPV4 or not any(char.isdigit() for char in lowered):
            return None
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(lowered))
        except OSError:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_problem(address: IPAddress) -> str | None:
    """What ``address`` is when a proxy never connects to it (a metadata or link-local address, e.g.
    ``"a cloud metadata address"``); ``None`` when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for network in LINK_LOCAL_NETWORKS:
        if address.version == network.version and address in network:
            return f"a link-local address ({network}) where cloud metadata services answer"
    return None


def host_problem(host: str) -> str | None:
    """Why a proxy never connects to ``host`` as written: a metadata service's name, or a literal metadata or
    link-local address. ``None`` otherwise (a name is checked again once resolved, at each connection)."""
    if host.rstrip(".").lower() in METADATA_NAMES:
        return f"{host}, the name of a cloud metadata service"
    address = host_address(host)
    if address is None or (reason := address_problem(address)) is None:
        return None
    spelled = host if host.strip("[]") == str(address) else f"{host} ({address})"
    return f"{spelled}, {reason}"


def _addresses(host: str) -> frozenset[IPAddress] | None:
    """What a listener's or an upstream's host stands for without asking DNS; ``None`` for other names."""
    address = host_address(host)
    if address is not None:
        return frozenset({address})
    name = host.rstrip(".").lower()
    return _LOOPBACK if name == "localhost" or name.endswith(".localhost") else None


def _same_socket(target: IPAddress, listening: IPAddress) -> bool:
    if listening.is_unspecified:
        # 0.0.0.0 takes IPv4 only; :: takes both (dual stack, the Linux default).
        reachable = target.is_loopback or target.is_unspecified
        return reachable and (listening.version == 6 or target.version == 4)
    if target.is_unspecified:
        # Connecting to 0.0.0.0 (or ::) reaches the loopback address of its family.
        return listening.version == target.version and listening.is_loopback
    return target == listening


def reaches_listener(host: str, port: int, listener_host: str, listener_port: int) -> bool:
    """Whether connecting to ``host:port`` reaches the listener bound to ``listener_host:listener_port``:
    the same name, or addresses that meet (loopback names and the wildcard addresses included)."""
    if port != listener_port or not listener_port:
        return False
    if host.strip("[]").rstrip(".").lower() == listener_host.strip("[]").rstrip(".").lower():
        return True
    targets, listening = _addresses(host), _addresses(listener_host)
    if targets is None or listening is None:
        return False
    return any(_same_socket(target, address) for target in targets for address in listening)
