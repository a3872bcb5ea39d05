"""Which route answers, over real HTTP: priority, then specificity, then file order; and the 404 that
explains which condition of the closest route failed."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from mockery import MockServer
from mockery.errors import SpecErrors
from mockery.load.loader import load_specs

CHOICE = """
service: choice
routes:
  - {name: file-order-first, path: /order, match: {query: {a: "1"}}, response: {body: first}}
  - {name: file-order-second, path: /order, match: {query: {b: "1"}}, response: {body: second}}
  - {name: param, path: "/users/{id}", response: {body: param}}
  - {name: literal, path: /users/me, response: {body: literal}}
  - {name: low, path: /prio, response: {body: low}}
  - {name: high-param, path: "/{any}", priority: 10, match: {query: {p: "1"}}, response: {body: high}}
  - {name: one-condition, path: /search, match: {query: {q: {present: true}}}, response: {body: one}}
  - {name: two-conditions, path: /search, match: {query: {q: {present: true}, page: "2"}}, response: {body: two}}
  - {name: plain, path: /search, response: {body: plain}}
  - {name: segment-param, path: "/a/{x}/c", response: {body: param-middle}}
  - {name: segment-literal, path: "/a/b/{z}", response: {body: literal-middle}}
  - {name: rest, path: "/files/{rest:path}", response: {body: rest}}
  - {name: files-one, path: "/files/{name}", response: {body: one-segment}}
  - name: status
    path: /accounts
    match: {query: {status: active}, headers: {x-tenant: acme}}
    response: {body: active}
"""


@pytest.fixture(scope="module")
def client() -> Any:
    with MockServer(inline=CHOICE) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


# (id, request path with query, answering body)
CHOICES = [
    ("literal-beats-parameter", "/users/me", "literal"),
    ("parameter-when-no-literal", "/users/7", "param"),
    ("priority-beats-literal", "/prio?p=1", "high"),
    ("priority-route-skipped-when-its-condition-fails", "/prio", "low"),
    ("more-conditions-beat-fewer", "/search?q=x&page=2", "two"),
    ("one-condition-beats-none", "/search?q=x", "one"),
    ("no-condition-last", "/search", "plain"),
    ("file-order-when-equal", "/order?a=1&b=1", "first"),
    ("file-order-second-when-first-fails", "/order?b=1", "second"),
    ("leftmost-literal-segment-wins", "/a/b/c", "literal-middle"),
    ("parameter-beats-rest-of-path", "/files/report.pdf", "one-segment"),
    ("rest-of-path-for-deeper-paths", "/files/2024/report.pdf", "rest"),
]


@pytest.mark.parametrize(("target", "body"), [c[1:] for c in CHOICES], ids=[c[0] for c in CHOICES])
def test_route_choice(client: httpx.Client, target: str, body: str) -> None:
    response = client.get(target)
    assert response.status_code == 200, response.text
    assert response.text == body


def test_a_404_names_the_failed_condition_of_the_closest_route(client: httpx.Client) -> None:
    response = client.get("/accounts?status=banned", headers={"x-tenant": "acme"})
    assert response.status_code == 404
    closest = response.json()["closest"]
    assert closest[0]["route"] == "status"
    assert closest[0]["reasons"] == ["query.status: expected 'active', got 'banned'"]
    closest = client.get("/accounts?status=banned").json()["closest"]
    both = next(near["reasons"] for near in closest if near["route"] == "status")
    assert both == ["query.status: expected 'active', got 'banned'", "headers.x-tenant: expected 'acme', got nothing"]


def test_catastrophic_regex_answers_fast(client: httpx.Client) -> None:
    with MockServer(
        inline="""
        service: redos
        routes:
          - path: /check
            method: POST
            match: {body: {text: {matches: "(a+)+$"}}}
            response: {body: matched}
        """
    ) as server:
        started = time.perf_counter()
        response = httpx.post(f"{server.url}/check", content=b"a" * 50_000 + b"!", timeout=10)
        elapsed = time.perf_counter() - started
    # RE2 searches in linear time: "(a+)+$" finds the empty run of a's at the end, after the '!'.
    assert response.status_code == 404 or response.text == "matched"
    assert elapsed < 1.0, elapsed


def test_a_regex_re2_refuses_is_a_located_spec_error() -> None:
    spec = "service: bad\nroutes:\n  - path: /x\n    match:\n      query:\n        q: {matches: '(a)\\1'}\n"
    with pytest.raises(SpecErrors) as caught:
        load_specs([], inline=[spec])
    (error,) = caught.value.errors
    assert (error.line, error.path) == (6, "routes[0].match.query.q.matches")
    assert "RE2 cannot compile the regex" in error.message


@pytest.mark.parametrize(
    ("match", "message"),
    [
        ({"body": {"json_path": {"$.[": 1}}}, "is not a JSON path"),
        ({"body": {"schema": {"type": "wat"}}}, "not a valid JSON Schema"),
        ({"query": {"q": {"matchs": "x"}}}, "unknown key 'matchs'"),
    ],
)
def test_bad_conditions_are_spec_errors(match: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecErrors) as caught:
        load_specs([], inline=[{"service": "bad", "routes": [{"path": "/x", "match": match}]}])
    assert any(message in error.message for error in caught.value.errors), caught.value


def test_routes_with_conditions_may_share_a_path_but_plain_duplicates_may_not() -> None:
    with pytest.raises(SpecErrors, match="already claimed"):
        load_specs([], inline=[{"service": "dup", "routes": [{"path": "/x"}, {"path": "/x"}]}])
