"""Service-wide headers over real HTTP: on every answer of the service (routes, resources, errors of its routes,
proxied answers), templated, and overridden by a route's own header of the same name in any case."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from mockery import MockServer, SpecErrors, load_specs

Serve = Callable[..., MockServer]
WriteSpec = Callable[..., Path]

ORDERS = """
service: orders
headers:
  X-Request-Id: "{{ uuid() }}"
  Cache-Control: no-store
  X-Asked-Path: "{{ request.path }}"
  X-Version: 3
routes:
  - path: /orders
    response:
      body: []
  - path: /catalogue
    response:
      headers:
        cache-control: max-age=60
      body: []
  - path: /broken
    response:
      status: 500
      body: {error: down}
  - path: /limited
    rate_limit: {requests: 1, per: 600s}
    response: {body: ok}
resources:
  customers:
    count: 2
    fields:
      name: "{{ faker.first_name() }}"
"""


@pytest.fixture
def orders(serve: Serve, write_spec: WriteSpec) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=serve(write_spec(ORDERS)).url) as client:
        yield client


def test_every_answer_of_a_route_carries_the_service_headers(orders: httpx.Client) -> None:
    answer = orders.get("/orders")
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-version"] == "3"
    assert answer.headers["x-asked-path"] == "/orders"
    assert uuid.UUID(answer.headers["x-request-id"])
    assert answer.json() == []


def test_a_routes_own_header_wins_whatever_its_case(orders: httpx.Client) -> None:
    answer = orders.get("/catalogue")
    assert answer.headers.get_list("cache-control") == ["max-age=60"]
    assert answer.headers["x-version"] == "3"


def test_resource_answers_carry_them_and_keep_their_own_headers(orders: httpx.Client) -> None:
    listed = orders.get("/customers")
    assert listed.headers["x-total-count"] == "2"
    assert listed.headers["cache-control"] == "no-store"
    created = orders.post("/customers", json={"name": "Ada"})
    assert created.status_code == 201
    assert created.headers["location"].startswith("/customers/")
    assert created.headers["x-version"] == "3"
    missing = orders.get("/customers/999")
    assert missing.status_code == 404
    assert missing.headers["x-version"] == "3"


def test_error_answers_of_the_services_routes_carry_them(orders: httpx.Client) -> None:
    assert orders.get("/broken").headers["x-version"] == "3"
    assert orders.get("/limited").status_code == 200
    limited = orders.get("/limited")
    assert limited.status_code == 429
    assert limited.headers["x-version"] == "3"
    assert limited.headers["x-ratelimit-remaining"] == "0"


def test_head_gets_them_as_the_get_would(orders: httpx.Client) -> None:
    answer = orders.head("/orders")
    assert answer.headers["x-version"] == "3"
    assert answer.content == b""


def test_their_names_are_exposed_to_pages(orders: httpx.Client) -> None:
    answer = orders.get("/orders", headers={"Origin": "http://localhost:3000"})
    exposed = answer.headers["access-control-expose-headers"].split(", ")
    assert {"X-Request-Id", "X-Asked-Path", "X-Version"} <= set(exposed)
    assert "Cache-Control" not in exposed  # safelisted: a script reads it anyway


def test_proxied_answers_carry_them(serve: Serve, write_spec: WriteSpec) -> None:
    upstream = serve(write_spec("service: real\nroutes:\n  - path: /thing\n    response: {body: real}\n", "u/r.yaml"))
    fake = write_spec(f"service: fake\nproxy: {{upstream: '{upstream.url}'}}\nheaders: {{X-Fake: yes}}\n", "f/f.yaml")
    with httpx.Client(base_url=serve(fake).url) as client:
        answer = client.get("/thing")
    assert answer.text == "real"
    assert answer.headers["x-fake"] == "true"  # YAML 1.1: an unquoted yes is true, written as JSON


def test_a_service_header_template_that_fails_is_a_500_naming_it(serve: Serve, write_spec: WriteSpec) -> None:
    spec = write_spec(
        'service: odd\nheaders:\n  X-Odd: "{{ 1 // request.query.n|int }}"\n'
        "routes:\n  - path: /x\n    response: {body: 1}\n"
    )
    with httpx.Client(base_url=serve(spec).url) as client:
        assert client.get("/x?n=1").headers["x-odd"] == "1"
        failed = client.get("/x?n=0")
    assert failed.status_code == 500
    assert failed.headers["content-type"] == "application/problem+json"
    assert "x-odd" in failed.json()["detail"]
    assert "ZeroDivisionError" in failed.json()["detail"]


def test_other_services_on_the_listener_do_not_get_them(serve: Serve, write_spec: WriteSpec) -> None:
    one = write_spec("service: one\nheaders: {X-One: '1'}\nroutes:\n  - path: /a\n    response: {body: 1}\n", "a.yaml")
    two = write_spec("service: two\nroutes:\n  - path: /b\n    response: {body: 1}\n", "b.yaml")
    with httpx.Client(base_url=serve(one, two).url) as client:
        assert client.get("/a").headers["x-one"] == "1"
        assert "x-one" not in client.get("/b").headers


@pytest.mark.parametrize(
    ("headers", "where", "message"),
    [
        pytest.param("{'Bad Name': x}", "headers", "X-Request-Id", id="a name that is not a token"),
        pytest.param("{X-A: '{{ faker.nam() }}'}", "headers.X-A", "name", id="an unknown Faker provider"),
        pytest.param("{X-A: '{{ oops( }}'}", "headers.X-A", "syntax", id="a template syntax error"),
        pytest.param("[X-A]", "headers", "mapping", id="a list"),
    ],
)
def test_a_bad_service_header_is_a_located_spec_error(
    write_spec: WriteSpec, headers: str, where: str, message: str
) -> None:
    spec = write_spec(f"service: bad\nheaders: {headers}\nroutes:\n  - path: /x\n    response: {{body: 1}}\n")
    with pytest.raises(SpecErrors) as raised:
        load_specs([spec])
    errors = raised.value.errors
    assert any(error.path.startswith(where) and error.line == 2 for error in errors), errors
    assert any(message in f"{error.message} {error.suggestion}" for error in errors), errors
