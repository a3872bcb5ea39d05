"""Recognising personal data by value and by field name; generalising recorded paths."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mockery.record.anonymise import Anonymiser, escape, kind_of, luhn
from mockery.record.generalise import template
from mockery.templates.environment import compile_template


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("ada.lovelace@example.org", "email"),
        ("Margaret Holloway", "name"),
        ("+1 415-555-0134", "phone"),
        ("(212) 555-0199", "phone"),
        ("1600 Fernwood Avenue", "street address"),
        ("203.0.113.77", "ip address"),
        ("4111 1111 1111 1111", "card number"),
        ("GB82WEST12345698765432", "iban"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "jwt"),
        ("Bearer abcdef0123456789", "bearer token"),
        ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "api key"),
        ("2026-01-01", None),
        ("4111 1111 1111 1112", None),
        ("Widget Deluxe", None),
        ("hello", None),
    ],
)
def test_kind_of_values(value: str, kind: str | None) -> None:
    assert kind_of(value) == kind


def test_luhn() -> None:
    assert luhn("79927398713")
    assert not luhn("79927398710")


def test_fields_are_replaced_by_name_and_by_value_and_counted() -> None:
    anonymiser = Anonymiser()
    data = {"email": "x", "contact": "Reach me at ada@example.org", "refresh_token": "abc", "n": 3, "t": "{{ x }}"}
    written = anonymiser.value(data, "GET /a")
    assert written["email"] == "{{ faker.email() }}"
    assert written["contact"] == "Reach me at {{ faker.email() }}"
    assert written["refresh_token"] == "{{ faker.sha1() }}"
    assert written["n"] == 3
    assert written["t"] == "{{ '{' }}{{ '{' }} x }}"
    assert anonymiser.replaced[("GET /a", "$.email", "email")] == 1


def test_keep_pii_only_escapes() -> None:
    assert Anonymiser(enabled=False).value({"email": "a@b.io", "t": "{%"}, "GET /") == {
        "email": "a@b.io",
        "t": escape("{%"),
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/users", "/users"),
        ("/users/42", "/users/{id:int}"),
        ("/users/42/orders/7", "/users/{user_id:int}/orders/{id:int}"),
        ("/orders/0b7e6c1a-3f0e-4a51-9d6a-2f9c8e4b7a10", "/orders/{id:uuid}"),
        ("/people/ada@example.org", "/people/{id}"),
        ("/categories/3/items", "/categories/{id:int}/items"),
    ],
)
def test_template(path: str, expected: str) -> None:
    assert template(path) == expected


def _rendered(template: str) -> str:
    result = compile_template(template).render({"faker": SimpleNamespace(email=lambda: "someone@example.com")})
    assert isinstance(result, str)
    return result


@pytest.mark.parametrize("text", ["key={ada@example.org}", "{{ada@example.org}}", "{% ada@example.org", "x{"])
def test_the_text_around_a_replacement_is_escaped_whole(text: str) -> None:
    written = Anonymiser().text(text, "GET /a")
    assert _rendered(written) == text.replace("ada@example.org", "someone@example.com")


@pytest.mark.parametrize("text", ["a\r\n{{ b }}\r\n", "{%\r", "\r{#x#}"])
def test_carriage_returns_in_an_escaped_text_are_kept(text: str) -> None:
    assert _rendered(Anonymiser(enabled=False).text(text, "GET /a")) == text
