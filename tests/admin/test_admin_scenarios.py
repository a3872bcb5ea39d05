"""GET /__mockery/scenarios: every scenario the served routes use, with its state now, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mockery import MockServer

ORDERS = """\
service: orders
routes:
  - path: /order
    scenario: {name: checkout, state: started, next: paid}
    response: {body: pending}
  - path: /order
    scenario: {name: checkout, state: paid}
    response: {body: paid}
  - method: POST
    path: /login
    scenario: {name: session, next: signed-in}
"""
USERS = "service: users\nroutes:\n  - path: /me\n    scenario: {name: session, state: signed-in}\n"


@pytest.fixture
def mock(serve: Callable[..., MockServer], write_spec: Callable[..., Path]) -> MockServer:
    return serve(write_spec(ORDERS, "orders.yaml"), write_spec(USERS, "users.yaml"))


def test_every_scenario_is_listed_with_its_state_states_and_routes(mock: MockServer) -> None:
    response = httpx.get(f"{mock.url}/__mockery/scenarios")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "scenarios": [
            {
                "name": "checkout",
                "state": "started",
                "states": ["started", "paid"],
                "routes": [
                    {"service": "orders", "route": "GET /order", "state": "started", "next": "paid"},
                    {"service": "orders", "route": "GET /order", "state": "paid", "next": None},
                ],
            },
            {
                "name": "session",
                "state": "started",
                "states": ["started", "signed-in"],
                "routes": [
                    {"service": "orders", "route": "POST /login", "state": None, "next": "signed-in"},
                    {"service": "users", "route": "GET /me", "state": "signed-in", "next": None},
                ],
            },
        ]
    }


def test_the_list_follows_the_states(mock: MockServer) -> None:
    httpx.get(f"{mock.url}/order")
    mock.scenario("session").state = "signed-in"
    states = {
        entry["name"]: entry["state"] for entry in httpx.get(f"{mock.url}/__mockery/scenarios").json()["scenarios"]
    }
    assert states == {"checkout": "paid", "session": "signed-in"}
    httpx.post(f"{mock.url}/__mockery/reset")
    states = {
        entry["name"]: entry["state"] for entry in httpx.get(f"{mock.url}/__mockery/scenarios").json()["scenarios"]
    }
    assert states == {"checkout": "started", "session": "started"}


def test_no_scenarios_is_an_empty_list(serve: Callable[..., MockServer], write_spec: Callable[..., Path]) -> None:
    mock = serve(write_spec("service: plain\nroutes: [{path: /}]\n"))
    assert httpx.get(f"{mock.url}/__mockery/scenarios").json() == {"scenarios": []}


def test_only_get_is_answered(mock: MockServer) -> None:
    response = httpx.post(f"{mock.url}/__mockery/scenarios")
    assert response.status_code == 405


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://evil.example"}, {"Host": "evil.example"}],
    ids=["a-page-of-another-origin", "dns-rebinding"],
)
def test_the_list_is_guarded_like_the_rest_of_the_admin_api(mock: MockServer, headers: dict[str, str]) -> None:
    refused = httpx.get(f"{mock.url}/__mockery/scenarios", headers=headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "scenarios" not in refused.text
