"""The shop's tests, with its two dependencies faked by mockery's pytest fixture."""

from __future__ import annotations

import pytest
from shop import PaymentDeclined, PaymentsUnavailable, Shop

from mockery import MockServer


@pytest.fixture
def shop(mockery: MockServer) -> Shop:
    return Shop(mockery.url_for("users"), mockery.url_for("payments"))


def test_checkout_charges_the_user(shop: Shop, mockery: MockServer) -> None:
    receipt = shop.checkout(42, 1999)
    assert receipt.amount == 1999
    assert receipt.currency == "EUR"
    assert "@" in receipt.email
    mockery.assert_called("GET", "/api/users/42", times=1)
    mockery.assert_called("POST", "/v1/payments", times=1)
    assert mockery.calls[-1].body == {"amount": 1999, "currency": "eur"}


def test_the_same_user_comes_back_on_every_run(shop: Shop) -> None:
    assert shop.checkout(7, 100).email == shop.checkout(7, 100).email


def test_a_declined_card_charges_nothing(shop: Shop, mockery: MockServer) -> None:
    with pytest.raises(PaymentDeclined, match="declined"):
        shop.checkout(42, 1999, card="declined")
    mockery.assert_not_called("POST", "/v1/payments")


def test_each_test_starts_with_an_empty_journal(mockery: MockServer) -> None:
    assert mockery.calls == []


def test_a_refund_goes_through_every_state(shop: Shop, mockery: MockServer) -> None:
    assert mockery.scenario("refund").state == "started"
    assert shop.refund() == ["requested", "processing", "refunded"]
    assert mockery.scenario("refund").state == "refunded"


def test_a_payment_outage_is_reported_not_charged(shop: Shop, mockery: MockServer) -> None:
    # A fault injected for this test only: every payment fails with a 503 until the next reset.
    mockery.stub(
        "payments",
        {"method": "POST", "path": "/payments", "fault": {"rate": 1.0, "kind": "status", "status": 503}},
    )
    with pytest.raises(PaymentsUnavailable, match="503"):
        shop.checkout(42, 1999)
    mockery.assert_called("POST", "/v1/payments", times=1)
