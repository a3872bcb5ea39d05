"""Raw client sockets for tests of slow or misbehaving clients: open many, and read each to its end."""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

# Long enough for any answer on a loaded machine, short enough that a test that fails does not hang.
SOCKET_TIMEOUT = 10.0


def connect(base_url: str, first_bytes: bytes = b"") -> socket.socket:
    """A socket connected to the listener at ``base_url``, which has sent ``first_bytes``."""
    address = urlsplit(base_url)
    host, port = address.hostname, address.port
    assert host is not None, base_url
    assert port is not None, base_url
    sock = socket.create_connection((host, port), timeout=SOCKET_TIMEOUT)
    if first_bytes:
        sock.sendall(first_bytes)
    return sock


def read_to_end(sockets: Iterable[socket.socket], timeout: float = SOCKET_TIMEOUT) -> list[bytes]:
    """What each socket receives until the server closes it; fails if one is still open after ``timeout``."""
    sockets = list(sockets)
    received = dict.fromkeys(sockets, b"")
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                still_open = len(selector.get_map())
                raise AssertionError(f"{still_open} of {len(sockets)} connections still open after {timeout} s")
            for key, _ in selector.select(left):
                ready = key.fileobj
                assert isinstance(ready, socket.socket)
                try:
                    chunk = ready.recv(65536)
                except ConnectionResetError:
                    chunk = b""
                received[ready] += chunk
                if not chunk:
                    selector.unregister(ready)
    return [received[sock] for sock in sockets]


def statuses(answers: Iterable[bytes]) -> set[bytes]:
    """The status lines of raw answers (an empty answer shows as b"")."""
    return {answer.split(b"\r\n", 1)[0] for answer in answers}
