"""Numbers of a spec's response bodies and headers are sent as written: ``550.00`` stays ``550.00``."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import WriteSpec

SPEC = """
service: prices
routes:
  - path: /fee
    response:
      headers: {X-Rate: 0.10, X-Count: 3}
      body: {fee_amount: 550.00, rate: 0.1, big: 1.50e+3, list: [1.0, 2.50, -0.0], nested: {total: 12.340}, n: 7}
  - path: /templated
    response:
      body: {fee_amount: 550.00, who: "{{ request.query.get('who', 'you') }}"}
  - path: /set
    responses:
      - when: {query: {late: "true"}}
        body: {fee: 20.00}
      - body: {fee: 10.00}
"""


def test_static_bodies_and_headers_keep_the_written_numbers(write_spec: WriteSpec, serve: Any) -> None:
    server = serve(write_spec(SPEC))
    with httpx.Client(base_url=server.url) as http:
        answer = http.get("/fee")
    assert answer.text == (
        '{"fee_amount":550.00,"rate":0.1,"big":1.50e+3,"list":[1.0,2.50,-0.0],"nested":{"total":12.340},"n":7}'
    )
    assert answer.json()["fee_amount"] == 550
    assert answer.headers["x-rate"] == "0.10"
    assert answer.headers["x-count"] == "3"


def test_rendered_bodies_and_response_sets_keep_them_too(write_spec: WriteSpec, serve: Any) -> None:
    server = serve(write_spec(SPEC))
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/templated", params={"who": "ann"}).text == '{"fee_amount":550.00,"who":"ann"}'
        assert http.get("/set", params={"late": "true"}).text == '{"fee":20.00}'
        assert http.get("/set").text == '{"fee":10.00}'


def test_numbers_elsewhere_are_read_as_numbers(write_spec: WriteSpec, serve: Any) -> None:
    spec = """
    service: s
    routes:
      - path: /a
        match: {query: {n: 2.50}}
        response: {body: matched}
    """
    server = serve(write_spec(spec))
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/a", params={"n": "2.5"}).text == "matched"
        assert http.get("/a", params={"n": "2.50"}).text == "matched"
