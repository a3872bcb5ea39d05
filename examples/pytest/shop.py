"""A tiny shop back end: the code under test. It talks to a user directory and a payment provider."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


class PaymentDeclined(Exception):
    """The payment provider refused the card."""


@dataclass(frozen=True)
class Receipt:
    email: str
    amount: int
    currency: str
    status: str


class Shop:
    def __init__(self, users_url: str, payments_url: str) -> None:
        self.users = httpx.Client(base_url=users_url, timeout=5)
        self.payments = httpx.Client(base_url=payments_url, timeout=5)

    def checkout(self, user_id: int, amount: int, currency: str = "eur", *, card: str = "ok") -> Receipt:
        user = self.users.get(f"/users/{user_id}")
        user.raise_for_status()
        path = "/payments/declined" if card == "declined" else "/payments"
        payment = self.payments.post(path, json={"amount": amount, "currency": currency})
        if payment.status_code == 402:
            raise PaymentDeclined(payment.json()["detail"])
        payment.raise_for_status()
        body = payment.json()
        return Receipt(user.json()["email"], body["amount"], body["currency"], body["status"])
