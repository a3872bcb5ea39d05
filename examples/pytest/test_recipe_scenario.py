"""Recipe: drive a scenario, from its start or from a state set by the test (docs/testing.md, "Drive a scenario")."""

from __future__ import annotations

import pytest
from shop import Shop

from mockery import MockServer


@pytest.fixture
def shop(mockery: MockServer) -> Shop:
    return Shop(mockery.url_for("users"), mockery.url_for("payments"))


def test_a_refund_walks_through_its_states(shop: Shop, mockery: MockServer) -> None:
    refund = mockery.scenario("refund")
    assert refund.state == "started"  # every test starts at the beginning
    assert shop.refund() == ["requested", "processing", "refunded"]
    assert refund.state == "refunded"


def test_a_refund_already_processing(shop: Shop, mockery: MockServer) -> None:
    mockery.scenario("refund").state = "requested"  # as if the refund had been asked for earlier
    assert shop.payments.get("/refunds/status").json() == {"status": "processing"}
    assert shop.payments.get("/refunds/status").json() == {"status": "refunded"}
    mockery.assert_not_called("POST", "/v1/refunds")
