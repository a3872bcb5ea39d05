"""``match:`` groups (``any_of``, ``all_of``, ``not``) and ``path`` (path regex, RE2), over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockery.errors import SpecErrors
from mockery.load.loader import load_specs
from tests.conftest import WriteSpec

SPEC = """
service: groups
routes:
  - path: /users/{rest:path}
    match:
      path: {matches: '^/users/[0-9]+$'}
    response: {body: {kind: numeric}}
  - path: /users/{rest:path}
    response: {status: 404, body: {kind: other}}
  - path: /pay
    method: POST
    match:
      any_of:
        - headers: {X-Card: visa}
        - query: {card: amex}
          not: {query: {test: "1"}}
      all_of:
        - body: {json: {amount: 5}}
    response: {body: {paid: true}}
  - path: /pay
    method: POST
    response: {status: 402, body: {paid: false}}
"""


def test_path_regex_chooses_between_routes_of_one_path(write_spec: WriteSpec, serve: Any) -> None:
    server = serve(write_spec(SPEC))
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/users/42").json() == {"kind": "numeric"}
        assert http.get("/users/abc").json() == {"kind": "other"}
        assert http.get("/users/42/x").json() == {"kind": "other"}


@pytest.mark.parametrize(
    ("headers", "query", "paid"),
    [
        ({"X-Card": "visa"}, {}, True),
        ({}, {"card": "amex"}, True),
        ({}, {"card": "amex", "test": "1"}, False),  # the `not` inside the second alternative
        ({"X-Card": "visa"}, {"test": "1"}, True),  # the first alternative holds alone
        ({}, {}, False),
        ({"X-Card": "mastercard"}, {"card": "diners"}, False),
    ],
    ids=["first-or", "second-or", "second-negated", "first-despite-not", "neither", "wrong-values"],
)
def test_or_and_not_groups(
    headers: dict[str, str], query: dict[str, str], paid: bool, write_spec: WriteSpec, serve: Any
) -> None:
    server = serve(write_spec(SPEC))
    with httpx.Client(base_url=server.url) as http:
        answer = http.post("/pay", headers=headers, params=query, json={"amount": 5})
        assert answer.json() == {"paid": paid}
        # all_of: the body must hold too, whatever the alternatives say.
        assert http.post("/pay", headers=headers, params=query, json={"amount": 6}).json() == {"paid": False}


def test_a_miss_explains_which_alternatives_failed(write_spec: WriteSpec, serve: Any) -> None:
    spec = """
    service: g
    routes:
      - path: /a
        match:
          any_of:
            - query: {x: "1"}
            - headers: {X-Y: "2"}
        response: {body: ok}
    """
    server = serve(write_spec(spec))
    with httpx.Client(base_url=server.url) as http:
        answer = http.get("/a", params={"x": "9"})
    assert answer.status_code == 404
    text = answer.text
    assert "any_of: none held" in text
    assert "query.x: expected '1', got '9'" in text
    assert "headers.x-y" in text


def test_mistakes_inside_groups_are_located(write_spec: WriteSpec) -> None:
    spec = write_spec(
        """
        service: g
        routes:
          - path: /a
            match:
              any_of:
                - query: {q: {matches: '(?<=a)b'}}
              not:
                colour: red
              path: {matches: '(a'}
            response: {body: ok}
        """
    )
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    shown = {(error.line, error.path) for error in caught.value.errors}
    assert (7, "routes[0].match.any_of[0].query.q.matches") in shown
    assert (9, "routes[0].match.not.colour") in shown
    assert (10, "routes[0].match.path.matches") in shown


def test_an_empty_group_is_refused(write_spec: WriteSpec) -> None:
    spec = write_spec("service: g\nroutes:\n  - path: /a\n    match: {any_of: []}\n    response: {body: ok}\n")
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    assert caught.value.errors[0].path == "routes[0].match.any_of"
