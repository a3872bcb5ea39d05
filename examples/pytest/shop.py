"""A tiny shop back end: the code under test. It talks to a user directory and a payment provider."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


class PaymentDeclined(Exception):
    """The payment provider refused the card."""


class PaymentsUnavailable(Exception):
    """The payment provider is down: the shop tells the customer to try again later."""


@dataclass(frozen=True)
class Receipt:
    email: str
    amount: int
    currency: str
    status: str


class Shop:
    def __init__(self, users_url: str, payments_url: str, transport: httpx.BaseTransport | None = None) -> None:
        self.users = httpx.Client(base_url=users_url, timeout=5, transport=transport)
        self.payments = httpx.Client(base_url=payments_url, timeout=5, transport=transport)

    def checkout(self, user_id: int, amount: int, currency: str = "eur", *, card: str = "ok") -> Receipt:
        user = self.users.get(f"/users/{user_id}")
        user.raise_for_status()
        path = "/payments/declined" if card == "declined" else "/payments"
        payment = self.payments.post(path, json={"amount": amount, "currency": currency})
        if payment.status_code == 402:
            raise PaymentDeclined(payment.json()["detail"])
        if payment.status_code >= 500:
            raise PaymentsUnavailable(f"the payment provider answered {payment.status_code}")
        payment.raise_for_status()
        body = payment.json()
        return Receipt(user.json()["email"], body["amount"], body["currency"], body["status"])

    def refund(self) -> list[str]:
        """Ask for a refund and follow it until it is done; returns the statuses seen."""
        seen = [self.payments.post("/refunds").json()["status"]]
        while seen[-1] != "refunded":
            status = self.payments.get("/refunds/status")
            status.raise_for_status()
            seen.append(status.json()["status"])
        return seen
