"""Recipe: an in-process transport, no sockets (docs/testing.md, "In-process transport")."""

from __future__ import annotations

import pytest
from shop import Shop

from mockery import MockServer


@pytest.fixture
def shop(mockery: MockServer) -> Shop:
    # The production host names, each answered by the listener of its service, in the test's process.
    transport = mockery.httpx_transport({"users.example.com": "users", "api.payments.example": "payments"})
    return Shop("https://users.example.com/api", "https://api.payments.example/v1", transport=transport)


def test_checkout_without_a_socket(shop: Shop, mockery: MockServer) -> None:
    receipt = shop.checkout(42, 1999)
    assert receipt.status == "authorized"
    assert "@" in receipt.email
    # The same journal, verification and strict mode as over a socket.
    mockery.assert_called("GET", "/api/users/42", times=1)
    mockery.assert_called("POST", "/v1/payments", json={"amount": 1999}, times=1)
