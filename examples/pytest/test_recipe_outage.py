"""Recipe: simulate an outage, then the recovery (docs/testing.md, "Simulate an outage")."""

from __future__ import annotations

import pytest
from shop import PaymentsUnavailable, Shop

from mockery import MockServer


@pytest.fixture
def shop(mockery: MockServer) -> Shop:
    return Shop(mockery.url_for("users"), mockery.url_for("payments"))


def test_an_outage_is_reported_then_the_provider_recovers(shop: Shop, mockery: MockServer) -> None:
    # Two failures, then the spec's own route answers again (times=2); remove_stub(outage) ends it sooner.
    outage = mockery.stub("payments", {"method": "POST", "path": "/payments", "response": {"status": 503}}, times=2)
    for _ in range(2):
        with pytest.raises(PaymentsUnavailable, match="503"):
            shop.checkout(42, 1999)
    assert shop.checkout(42, 1999).status == "authorized"
    assert mockery.remove_stub(outage) is False  # used up already
    mockery.assert_called("POST", "/v1/payments", times=3)


def test_a_fault_for_every_payment_until_the_next_test(shop: Shop, mockery: MockServer) -> None:
    mockery.stub("payments", {"method": "POST", "path": "/payments", "fault": {"kind": "status", "status": 502}})
    with pytest.raises(PaymentsUnavailable, match="502"):
        shop.checkout(42, 1999)
