"""CORS end to end over real HTTP: preflights for routes, resources and OpenAPI operations; ACAO on answers and
errors; credentials; the off switch; narrowed origins; a spec OPTIONS route; the proxy; the admin API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from mockery import MockServer, SpecErrors, load_specs

PAGE = "http://localhost:3000"
Serve = Callable[..., MockServer]
WriteSpec = Callable[..., Path]

SHOP = """
service: shop
routes:
  - path: /items
    method: [GET, POST]
    response:
      headers: {X-Custom: one}
      body: [{id: 1}]
  - path: /items/{id:int}
    method: DELETE
    response: {status: 204}
  - path: /limited
    rate_limit: {requests: 1, per: 600s}
    response: {body: ok}
resources:
  users:
    count: 3
    fields:
      name: "{{ faker.first_name() }}"
"""

PETS = """
openapi: 3.0.3
info: {title: Pets, version: "1"}
x-mockery-service: pets
paths:
  /pets/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200":
          description: a pet
          content:
            application/json:
              schema: {type: object, properties: {id: {type: integer}}}
    put:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "204": {description: replaced}
"""


def preflight(client: httpx.Client, path: str, method: str, origin: str = PAGE, **headers: str) -> httpx.Response:
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": method, **headers})


@pytest.fixture
def connect() -> Iterator[Callable[[MockServer], httpx.Client]]:
    """A client of a server, closed after the test."""
    clients: list[httpx.Client] = []

    def client(server: MockServer) -> httpx.Client:
        clients.append(httpx.Client(base_url=server.url))
        return clients[-1]

    yield client
    for client_ in clients:
        client_.close()


Connect = Callable[[MockServer], httpx.Client]


@pytest.fixture
def shop(serve: Serve, write_spec: WriteSpec, connect: Connect) -> httpx.Client:
    return connect(serve(write_spec(SHOP), write_spec(PETS, name="pets.yaml")))


def test_a_preflight_for_a_route_is_204_with_its_methods_and_the_asked_headers(shop: httpx.Client) -> None:
    answer = preflight(shop, "/items", "POST", **{"Access-Control-Request-Headers": "Content-Type, X-Trace"})
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD, POST"
    assert answer.headers["access-control-allow-headers"] == "Content-Type, X-Trace"
    assert answer.headers["access-control-max-age"] == "600"
    assert answer.content == b""


def test_a_preflight_for_a_path_parameter_route_lists_that_routes_methods(shop: httpx.Client) -> None:
    answer = preflight(shop, "/items/7", "DELETE")
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-methods"] == "DELETE"


def test_a_preflight_for_a_resource_endpoint_lists_the_endpoints_methods(shop: httpx.Client) -> None:
    answer = preflight(shop, "/users/1", "PATCH")
    assert answer.status_code == 204
    assert set(answer.headers["access-control-allow-methods"].split(", ")) >= {"GET", "PATCH", "PUT", "DELETE"}
    assert answer.headers["access-control-allow-origin"] == "*"


def test_a_preflight_for_an_openapi_operation_lists_its_methods(shop: httpx.Client) -> None:
    answer = preflight(shop, "/pets/3", "PUT")
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD, PUT"
    assert shop.put("/pets/3", headers={"Origin": PAGE}).headers["access-control-allow-origin"] == "*"


def test_actual_answers_and_errors_carry_the_allow_origin_header(shop: httpx.Client) -> None:
    origin = {"Origin": PAGE}
    listed = shop.get("/users", headers=origin)
    assert listed.status_code == 200
    assert listed.headers["access-control-allow-origin"] == "*"
    exposed = listed.headers["access-control-expose-headers"].split(", ")
    assert {"X-Total-Count", "Link", "Location", "X-Custom"} <= set(exposed)
    missing = shop.get("/nothing/here", headers=origin)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.headers["access-control-allow-origin"] == "*"
    wrong_method = shop.put("/items", headers=origin)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["access-control-allow-origin"] == "*"
    assert shop.get("/users/999", headers=origin).headers["access-control-allow-origin"] == "*"
    assert shop.get("/limited", headers=origin).status_code == 200
    limited = shop.get("/limited", headers=origin)
    assert limited.status_code == 429
    assert limited.headers["access-control-allow-origin"] == "*"
    too_large = shop.post("/items", headers=origin, content=b"x" * (11 * 1024 * 1024))
    assert too_large.status_code == 413
    assert too_large.headers["access-control-allow-origin"] == "*"
    many_headers = shop.get("/items", headers=[("Origin", PAGE), *[(f"x-h{n}", "1") for n in range(200)]])
    assert many_headers.status_code == 431
    assert many_headers.headers["access-control-allow-origin"] == "*"


def test_a_preflight_on_a_path_no_route_has_lets_the_page_read_the_404(shop: httpx.Client) -> None:
    answer = preflight(shop, "/nothing", "GET")
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-methods"] == "GET"


def test_a_preflight_asking_for_no_method_name_is_not_answered_as_one(shop: httpx.Client) -> None:
    answer = preflight(shop, "/items", "GET, DELETE")
    assert answer.status_code == 405
    assert "access-control-allow-methods" not in answer.headers
    assert answer.headers["access-control-allow-origin"] == "*"


def test_a_request_without_origin_gets_no_cors_header(shop: httpx.Client) -> None:
    answer = shop.get("/items")
    assert not [name for name in answer.headers if name.startswith("access-control-")]
    assert shop.options("/items").status_code == 405


def test_the_admin_api_never_sends_cors_headers(shop: httpx.Client) -> None:
    health = shop.get("/__mockery/health", headers={"Origin": PAGE})
    assert not [name for name in health.headers if name.startswith("access-control-")]
    assert health.status_code == 403
    refused = preflight(shop, "/__mockery/routes", "GET")
    assert not [name for name in refused.headers if name.startswith("access-control-")]
    same_origin = shop.get("/__mockery/health")
    assert same_origin.status_code == 200
    assert not [name for name in same_origin.headers if name.startswith("access-control-")]


def test_credentials_mode_echoes_the_origin_and_never_sends_a_star(
    serve: Serve, write_spec: WriteSpec, connect: Connect
) -> None:
    spec = write_spec("service: accounts\ncors: {credentials: true}\nroutes:\n  - path: /me\n    response: {body: 1}\n")
    client = connect(serve(spec))
    answers = [
        preflight(client, "/me", "GET", **{"Access-Control-Request-Headers": "Authorization"}),
        client.get("/me", headers={"Origin": PAGE}),
        client.get("/missing", headers={"Origin": PAGE}),
    ]
    for answer in answers:
        assert answer.headers["access-control-allow-origin"] == PAGE
        assert answer.headers["access-control-allow-credentials"] == "true"
        assert "Origin" in answer.headers.get_list("vary")
        assert "*" not in answer.headers.get("access-control-allow-headers", "")
    assert answers[0].headers["access-control-allow-headers"] == "Authorization"


def test_narrowed_origins_answer_the_listed_one_and_refuse_the_others(
    serve: Serve, write_spec: WriteSpec, connect: Connect
) -> None:
    spec = write_spec(
        f"service: narrow\ncors:\n  origins: [{PAGE}]\n  methods: [GET]\n  max_age: 30\n"
        "routes:\n  - path: /x\n    method: [GET, DELETE]\n    response: {body: 1}\n"
    )
    client = connect(serve(spec))
    allowed = preflight(client, "/x", "GET")
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == PAGE
    assert allowed.headers["access-control-allow-methods"] == "GET"
    assert allowed.headers["access-control-max-age"] == "30"
    refused = preflight(client, "/x", "GET", origin="http://evil.test")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "http://evil.test" in refused.json()["detail"]
    assert "access-control-allow-origin" not in refused.headers
    foreign = client.get("/x", headers={"Origin": "http://evil.test"})
    assert foreign.status_code == 200
    assert "access-control-allow-origin" not in foreign.headers
    assert client.get("/x", headers={"Origin": PAGE}).headers["access-control-allow-origin"] == PAGE


def test_cors_off_sends_nothing_and_answers_no_preflight(serve: Serve, write_spec: WriteSpec, connect: Connect) -> None:
    spec = write_spec("service: closed\ncors: off\nroutes:\n  - path: /x\n    response: {body: 1}\n")
    client = connect(serve(spec))
    answer = preflight(client, "/x", "GET")
    assert answer.status_code == 405
    assert not [name for name in answer.headers if name.startswith("access-control-")]
    assert "access-control-allow-origin" not in client.get("/x", headers={"Origin": PAGE}).headers
    assert "access-control-allow-origin" not in client.get("/y", headers={"Origin": PAGE}).headers


def test_a_spec_options_route_wins_over_the_automatic_preflight(
    serve: Serve, write_spec: WriteSpec, connect: Connect
) -> None:
    spec = write_spec(
        "service: own\nroutes:\n  - path: /x\n    response: {body: 1}\n"
        "  - path: /x\n    method: OPTIONS\n    response:\n      status: 200\n"
        "      headers: {Access-Control-Allow-Methods: PATCH}\n      body: mine\n"
    )
    client = connect(serve(spec))
    answer = preflight(client, "/x", "GET")
    assert answer.status_code == 200
    assert answer.text == "mine"
    assert answer.headers["access-control-allow-methods"] == "PATCH"
    assert answer.headers["access-control-allow-origin"] == "*"


def test_each_route_follows_its_own_services_policy_on_a_shared_listener(
    serve: Serve, write_spec: WriteSpec, connect: Connect
) -> None:
    narrow = write_spec(
        f"service: narrow\ncors: {{origins: [{PAGE}]}}\nroutes:\n  - path: /a\n    response: {{body: 1}}\n",
        name="narrow.yaml",
    )
    closed = write_spec("service: closed\ncors: off\nroutes:\n  - path: /b\n    response: {body: 1}\n", name="b.yaml")
    client = connect(serve(narrow, closed))
    other = {"Origin": "http://other.test"}
    assert "access-control-allow-origin" not in client.get("/a", headers=other).headers
    assert client.get("/a", headers={"Origin": PAGE}).headers["access-control-allow-origin"] == PAGE
    assert "access-control-allow-origin" not in client.get("/b", headers={"Origin": PAGE}).headers
    assert preflight(client, "/b", "GET").status_code == 405
    # No service answers: the server's default (every origin).
    assert client.get("/c", headers=other).headers["access-control-allow-origin"] == "*"
    assert preflight(client, "/c", "GET", origin="http://other.test").status_code == 204


def test_a_proxied_answer_carries_the_mocks_policy_not_the_upstreams(
    serve: Serve, write_spec: WriteSpec, connect: Connect
) -> None:
    upstream = serve(
        write_spec(
            "service: real\nroutes:\n  - path: /v1/thing\n    response:\n      headers:\n"
            "        Access-Control-Allow-Origin: https://upstream.example\n"
            "        Access-Control-Allow-Credentials: 'true'\n      body: real\n",
            name="up/real.yaml",
        )
    )
    fake = write_spec(
        f"service: fake\nproxy: {{upstream: '{upstream.url}/v1'}}\ncors: {{origins: [{PAGE}]}}\n"
        "routes:\n  - path: /local\n    response: {body: 1}\n",
        name="fake/fake.yaml",
    )
    client = connect(serve(fake))
    answer = client.get("/thing", headers={"Origin": PAGE})
    assert answer.text == "real"
    assert answer.headers.get_list("access-control-allow-origin") == [PAGE]
    assert "access-control-allow-credentials" not in answer.headers
    plain = client.get("/thing")
    assert not [name for name in plain.headers if name.startswith("access-control-")]
    ahead = preflight(client, "/thing", "DELETE")
    assert ahead.status_code == 204
    assert ahead.headers["access-control-allow-methods"] == "DELETE"


@pytest.mark.parametrize(
    ("cors", "where", "message"),
    [
        pytest.param("maybe", "cors", "expected", id="a word that is not off or on"),
        pytest.param("{origins: [localhost:3000]}", "cors.origins[0]", "does not match", id="an origin without scheme"),
        pytest.param(
            "{origins: ['http://a.test/app']}", "cors.origins[0]", "does not match", id="an origin with a path"
        ),
        pytest.param("{origins: ['http://a.test', '*']}", "cors.origins[1]", "write it alone", id="a star in a list"),
        pytest.param("{max_age: -1}", "cors.max_age", ">= 0", id="a negative max age"),
        pytest.param("{credential: true}", "cors.credential", "credentials", id="a mistyped key"),
        pytest.param("{methods: [FETCH]}", "cors.methods[0]", "expected one of", id="an unknown method"),
    ],
)
def test_a_bad_cors_key_is_a_located_spec_error(write_spec: WriteSpec, cors: str, where: str, message: str) -> None:
    spec = write_spec(f"service: bad\ncors: {cors}\nroutes:\n  - path: /x\n    response: {{body: 1}}\n")
    with pytest.raises(SpecErrors) as raised:
        load_specs([spec])
    errors = raised.value.errors
    assert any(error.path == where and error.line == 2 for error in errors), errors
    assert any(message in f"{error.message} {error.suggestion}" for error in errors), errors
