"""``spread``: one listening socket bound again as one socket per worker, each accepting its share."""

from __future__ import annotations

import socket

import pytest

from mockery.errors import ServeError
from mockery.server.workers import spread


def listening() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock


def test_every_worker_gets_a_socket_of_its_own_on_the_same_address() -> None:
    original = listening()
    address = original.getsockname()
    sets = spread([original], 2)
    try:
        assert original.fileno() == -1  # closed: only the workers' sockets listen
        assert [[sock.getsockname() for sock in own] for own in sets] == [[address], [address]]
        assert sets[0][0] is not sets[1][0]
        assert all(sock.get_inheritable() for own in sets for sock in own)
        # The kernel hands each connection to one of them: over many, both get some.
        clients = [socket.create_connection(address) for _ in range(64)]
        accepted = []
        for own in sets:
            own[0].setblocking(False)
            count = 0
            while True:
                try:
                    connection, _ = own[0].accept()
                except BlockingIOError:
                    break
                connection.close()
                count += 1
            accepted.append(count)
        assert sum(accepted) == 64
        assert min(accepted) > 0, accepted
        for client in clients:
            client.close()
    finally:
        for own in sets:
            for sock in own:
                sock.close()


def test_an_address_taken_meanwhile_is_a_serve_error_naming_it() -> None:
    original = listening()
    address = original.getsockname()
    squatter = socket.socket()  # no SO_REUSEPORT: it takes the port when the original lets it go
    try:
        with pytest.raises(ServeError, match="for a worker") as raised:
            spread([_Taken(original, squatter, address)], 2)  # type: ignore[list-item]
        assert f"{address[1]}" in str(raised.value)
    finally:
        squatter.close()


class _Taken:
    """A listening socket whose port another process takes the moment it is closed."""

    def __init__(self, sock: socket.socket, squatter: socket.socket, address: tuple[str, int]) -> None:
        self._sock, self._squatter, self._address = sock, squatter, address
        self.family, self.type, self.proto = sock.family, sock.type, sock.proto

    def getsockname(self) -> tuple[str, int]:
        return self._address

    def close(self) -> None:
        self._sock.close()
        self._squatter.bind(self._address)
        self._squatter.listen(1)
