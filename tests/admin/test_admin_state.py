"""Scenario states, the behaviour profile and resources through the admin API, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mockery import MockServer

SPEC = """\
service: orders
resources:
  items:
    count: 5
    fields: {name: word}
profiles:
  broken:
    fault: {rate: 1.0, kind: status, status: 503}
routes:
  - path: /order
    scenario: {name: checkout, state: started, next: paid}
    response: {body: pending}
  - path: /order
    scenario: {name: checkout, state: paid}
    response: {body: paid}
"""


@pytest.fixture
def mock(serve: Callable[..., MockServer], write_spec: Callable[..., Path]) -> MockServer:
    return serve(write_spec(SPEC, "orders.yaml"))


def test_a_scenario_is_read_and_set_through_the_admin_api(mock: MockServer) -> None:
    url = f"{mock.url}/__mockery/scenarios/checkout"
    assert httpx.get(url).json() == {"name": "checkout", "state": "started"}
    assert httpx.get(f"{mock.url}/order").text == "pending"
    assert httpx.get(url).json()["state"] == "paid"
    assert httpx.put(url, json={"state": "started"}).json() == {"name": "checkout", "state": "started"}
    assert mock.scenario("checkout").state == "started"
    assert httpx.get(f"{mock.url}/order").text == "pending"
    httpx.post(f"{mock.url}/__mockery/reset")
    assert httpx.get(url).json()["state"] == "started"


@pytest.mark.parametrize("body", [{"state": ""}, {"state": 3}, {}, "not json"], ids=["empty", "number", "none", "text"])
def test_a_bad_scenario_state_is_a_problem_naming_the_field(mock: MockServer, body: object) -> None:
    url = f"{mock.url}/__mockery/scenarios/checkout"
    response = httpx.put(url, json=body) if not isinstance(body, str) else httpx.put(url, content=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "state"
    assert httpx.get(url).json()["state"] == "started"


def test_the_profile_is_switched_through_the_admin_api(mock: MockServer) -> None:
    url = f"{mock.url}/__mockery/profile"
    assert httpx.get(url).json() == {"profile": None, "profiles": ["broken"]}
    assert httpx.put(url, json={"profile": "broken"}).json()["profile"] == "broken"
    assert mock.profile == "broken"
    assert httpx.get(f"{mock.url}/order").status_code == 503
    assert httpx.put(url, json={"profile": None}).json()["profile"] is None
    assert httpx.get(f"{mock.url}/order").status_code == 200


def test_an_unknown_profile_is_refused_with_a_suggestion(mock: MockServer) -> None:
    response = httpx.put(f"{mock.url}/__mockery/profile", json={"profile": "brokn"})
    assert response.status_code == 422
    assert "did you mean 'broken'?" in response.json()["detail"]
    assert mock.profile is None


def test_services_lists_resources(mock: MockServer) -> None:
    [service] = httpx.get(f"{mock.url}/__mockery/services").json()["services"]
    assert service["resources"] == [{"name": "items", "path": "/items", "count": 5}]
