"""Recipe: verify the JSON body your code sent (docs/testing.md, "Verify a JSON body")."""

from __future__ import annotations

import pytest
from shop import Shop

from mockery import MockServer


@pytest.fixture
def shop(mockery: MockServer) -> Shop:
    return Shop(mockery.url_for("users"), mockery.url_for("payments"))


def test_checkout_posts_the_amount_and_currency(shop: Shop, mockery: MockServer) -> None:
    shop.checkout(42, 1999, "usd")
    # A subset of the JSON body, in the language of a route's `match:`; the count is exact.
    mockery.assert_called("POST", "/v1/payments", json={"amount": 1999, "currency": "usd"}, times=1)
    mockery.assert_called("POST", "/v1/payments", body={"json_path": {"$.amount": {"gt": 0}}})
    mockery.assert_not_called("POST", "/v1/payments/declined")
