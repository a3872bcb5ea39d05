"""Scenarios and several responses per route, over real HTTP: state in the store, reset with everything else."""

from __future__ import annotations

import httpx
import pytest

from mockery import MockServer

CHECKOUT = """
service: shop
routes:
  - {path: /order, scenario: {name: checkout, state: started, next: pending}, response: {body: created}}
  - {path: /order, scenario: {name: checkout, state: pending}, response: {body: pending}}
  - method: POST
    path: /pay
    scenario: {name: checkout, state: pending, next: paid}
    response: {body: paying}
  - {path: /order, scenario: {name: checkout, state: paid}, response: {body: paid}}
  - method: POST
    path: /ship
    scenario: {name: checkout, state: paid, next: shipped}
    response: {body: shipping}
  - {path: /order, scenario: {name: checkout, state: shipped}, response: {body: shipped}}
"""


def test_a_three_step_scenario_runs_in_order_and_resets() -> None:
    with MockServer(inline=CHECKOUT) as server, httpx.Client(base_url=server.url) as client:
        scenario = server.scenario("checkout")
        assert scenario.state == "started"
        assert client.get("/order").text == "created"
        assert scenario.state == "pending"
        assert client.post("/ship").status_code == 404  # not in order: shipping needs "paid"
        assert client.get("/order").text == "pending"
        assert client.post("/pay").text == "paying"
        assert client.get("/order").text == "paid"
        assert client.post("/pay").status_code == 404
        assert client.post("/ship").text == "shipping"
        assert client.get("/order").text == "shipped"
        assert scenario.state == "shipped"
        server.reset()
        assert scenario.state == "started"
        assert client.get("/order").text == "created"
        scenario.state = "paid"
        assert client.get("/order").text == "paid"


def test_the_404_names_the_scenario_state() -> None:
    with MockServer(inline=CHECKOUT) as server:
        reasons = httpx.post(f"{server.url}/ship").json()["closest"][0]["reasons"]
    assert reasons == ["scenario 'checkout': expected state 'paid', got 'started'"]


RESPONSES = """
service: seq
routes:
  - path: /hold
    responses: [{body: one}, {body: two}, {body: three}]
  - path: /cycle
    mode: cycle
    responses: [{body: a}, {body: b}]
  - path: /random
    mode: random
    responses: [{body: heads, weight: 3}, {body: tails}]
  - path: /when
    mode: cycle
    responses:
      - {status: 401, body: denied, when: {headers: {authorization: {absent: true}}}}
      - {body: first}
      - {body: second}
"""


def _bodies(client: httpx.Client, path: str, count: int, **options: object) -> list[str]:
    return [client.get(path, **options).text for _ in range(count)]  # type: ignore[arg-type]


def test_sequence_holds_the_last_cycle_starts_again_and_reset_rewinds() -> None:
    with MockServer(inline=RESPONSES) as server, httpx.Client(base_url=server.url) as client:
        assert _bodies(client, "/hold", 5) == ["one", "two", "three", "three", "three"]
        assert _bodies(client, "/cycle", 5) == ["a", "b", "a", "b", "a"]
        server.reset()
        assert _bodies(client, "/hold", 2) == ["one", "two"]


@pytest.mark.slow
def test_random_responses_follow_their_weights_and_the_seed() -> None:
    runs = []
    for _ in range(2):
        with MockServer(inline=RESPONSES, seed=3) as server, httpx.Client(base_url=server.url) as client:
            runs.append(_bodies(client, "/random", 200))
    assert runs[0] == runs[1]
    assert 120 < runs[0].count("heads") < 180  # weight 3 of 4
    with MockServer(inline=RESPONSES, seed=4) as server, httpx.Client(base_url=server.url) as client:
        assert _bodies(client, "/random", 200) != runs[0]


def test_a_response_with_when_answers_whenever_it_holds() -> None:
    with MockServer(inline=RESPONSES) as server, httpx.Client(base_url=server.url) as client:
        auth = {"authorization": "Bearer x"}
        assert client.get("/when").status_code == 401
        assert _bodies(client, "/when", 3, headers=auth) == ["first", "second", "first"]
