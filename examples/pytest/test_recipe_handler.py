"""Recipe: a Python handler for what YAML cannot say (docs/testing.md, "A Python handler")."""

from __future__ import annotations

from typing import Any

import pytest
from shop import PaymentDeclined, Shop

from mockery import HandlerContext, HandlerRequest, MockServer, Response


@pytest.fixture
def shop(mockery: MockServer) -> Shop:
    return Shop(mockery.url_for("users"), mockery.url_for("payments"))


def test_a_handler_declines_large_amounts(shop: Shop, mockery: MockServer) -> None:
    @mockery.route("POST", "/payments", service="payments")  # under the service's base_path: /v1/payments
    def charge(request: HandlerRequest, context: HandlerContext) -> Any:
        payment = request.body
        if payment["amount"] > 10_000:
            return Response(402, {"detail": f"over the limit: {payment['amount']}"})
        reference = context.faker.bothify("ch_########")  # seeded: the same request, the same reference
        return {**payment, "currency": payment["currency"].upper(), "status": "authorized", "id": reference}

    assert shop.checkout(42, 500).status == "authorized"
    with pytest.raises(PaymentDeclined, match="over the limit: 20000"):
        shop.checkout(42, 20_000)
    mockery.raise_handler_errors()  # a handler that raised would fail the test here
    mockery.remove_stub(charge)
    assert shop.checkout(42, 20_000).status == "authorized"  # the spec's own route again
