"""End-to-end tests of serving specs: real uvicorn listeners on ephemeral ports, real HTTP through httpx."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from faker import Faker

from mockery import MockServer
from mockery.app.listener import AppConfig
from mockery.errors import SpecErrors
from mockery.templates.fakes import DEFAULT_CLOCK, Clock

Serve = Callable[..., MockServer]
WriteSpec = Callable[..., Path]

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Two or more words of letters; Faker's en_US names may carry a title or suffix with a dot (Dr., Jr.).
NAME = re.compile(r"[^\W\d_]+\.?( [^\W\d_]+\.?)+")
PROBLEM = "application/problem+json"

USERS_SPEC = """\
service: users
port: 0
base_path: /api
seed: 7
routes:
  - method: POST
    path: /login
    response:
      status: 200
      headers: {x-request-id: "{{ uuid() }}"}
      body: {token: "{{ uuid() }}", user: "{{ request.body.username }}"}
  - path: /users/{id:int}
    response:
      body: {id: "{{ request.path_params.id }}", name: "{{ faker.name() }}", email: "{{ faker.email() }}"}
  - path: /avatar.svg
    response: {headers: {content-type: image/svg+xml}, file: avatar.svg}
"""

AVATAR = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle r="4"/></svg>\n'


@pytest.fixture
def users_spec(write_spec: WriteSpec) -> Path:
    write_spec(AVATAR, "avatar.svg")
    return write_spec(USERS_SPEC, "users.yaml")


@pytest.fixture
def users(serve: Serve, users_spec: Path) -> str:
    """Base URL of the users service, on its own listener."""
    return serve(users_spec).url_for("users")


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, trust_env=False) as session:
        yield session


def get_bytes(url: str) -> bytes:
    with httpx.Client(timeout=30, trust_env=False) as session:
        response = session.get(url)
    assert response.status_code == 200, response.text
    return response.content


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    document: dict[str, Any] = response.json()
    assert document["status"] == status
    assert isinstance(document["title"], str)
    assert document["title"]
    assert isinstance(document["detail"], str)
    return document


# --- the example --------------------------------------------------------------------------------------


def test_user_by_id_is_realistic_json(users: str, client: httpx.Client) -> None:
    assert users.startswith("http://127.0.0.1:")
    assert users.endswith("/api")
    response = client.get(f"{users}/users/42")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    user = response.json()
    assert set(user) == {"id", "name", "email"}
    assert user["id"] == 42
    assert type(user["id"]) is int
    assert NAME.fullmatch(user["name"]), user["name"]
    assert EMAIL.fullmatch(user["email"]), user["email"]


def test_same_request_gives_same_bytes_also_after_a_restart(users_spec: Path) -> None:
    with MockServer(users_spec) as first:
        url = f"{first.url_for('users')}/users/42"
        before = get_bytes(url)
        assert get_bytes(url) == before
    with MockServer(users_spec) as restarted:
        url_after = f"{restarted.url_for('users')}/users/42"
        assert get_bytes(url_after) == before


def test_another_seed_gives_other_data(serve: Serve, users_spec: Path) -> None:
    default = get_bytes(f"{serve(users_spec).url_for('users')}/users/42")
    same_seed = get_bytes(f"{serve(users_spec, seed=0).url_for('users')}/users/42")
    other_seed = get_bytes(f"{serve(users_spec, seed=2).url_for('users')}/users/42")
    assert same_seed == default
    assert other_seed != default
    assert json.loads(other_seed)["id"] == json.loads(default)["id"] == 42


def test_spec_seed_changes_the_data(serve: Serve, write_spec: WriteSpec, users_spec: Path) -> None:
    write_spec("x", "other/avatar.svg")
    other = write_spec(USERS_SPEC.replace("seed: 7", "seed: 8"), "other/users.yaml")
    assert get_bytes(f"{serve(other).url_for('users')}/users/42") != get_bytes(
        f"{serve(users_spec).url_for('users')}/users/42"
    )


def test_different_ids_give_different_people(users: str, client: httpx.Client) -> None:
    people = [client.get(f"{users}/users/{number}").json() for number in range(1, 11)]
    assert [person["id"] for person in people] == list(range(1, 11))
    assert len({person["name"] for person in people}) >= 8
    assert len({person["email"] for person in people}) >= 8


def test_query_string_is_part_of_the_request_identity(users: str, client: httpx.Client) -> None:
    plain = client.get(f"{users}/users/42").content
    with_query = client.get(f"{users}/users/42", params={"v": "1"}).content
    assert client.get(f"{users}/users/42", params={"v": "1"}).content == with_query
    assert with_query != plain


def test_login_headers_and_body_are_templated(users: str, client: httpx.Client) -> None:
    response = client.post(f"{users}/login", json={"username": "ann", "password": "secret"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    request_id = response.headers["x-request-id"]
    body = response.json()
    assert UUID.fullmatch(request_id), request_id
    assert UUID.fullmatch(body["token"]), body["token"]
    assert body["token"] != request_id
    assert body["user"] == "ann"
    again = client.post(f"{users}/login", json={"username": "ann", "password": "secret"})
    assert again.headers["x-request-id"] == request_id
    assert again.content == response.content


@pytest.mark.parametrize(
    "username",
    ["{{ 7*7 }}", "{% for i in range(10**9) %}x{% endfor %}", "{{ ''.__class__.__mro__ }}", "élan ✓"],
    ids=["expression", "loop", "private", "unicode"],
)
def test_posted_data_is_echoed_literally(users: str, client: httpx.Client, username: str) -> None:
    response = client.post(f"{users}/login", json={"username": username})
    assert response.status_code == 200
    assert response.json()["user"] == username


def test_file_route_serves_the_file_with_its_content_type(users: str, client: httpx.Client, users_spec: Path) -> None:
    response = client.get(f"{users}/avatar.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content == (users_spec.parent / "avatar.svg").read_bytes()


def test_head_of_a_get_route_has_the_same_headers_and_no_body(users: str, client: httpx.Client) -> None:
    for path in ("/users/42", "/avatar.svg"):
        got = client.get(f"{users}{path}")
        head = client.head(f"{users}{path}")
        assert head.status_code == got.status_code == 200
        assert head.content == b""
        assert dict(head.headers) == dict(got.headers)
        assert int(head.headers["content-length"]) == len(got.content)


# --- request data reachable from templates --------------------------------------------------------------------

ECHO_SPEC = """\
service: echo
routes:
  - method: [GET, POST, PUT]
    path: /echo/{rest:path}
    response:
      body:
        method: "{{ request.method }}"
        path: "{{ request.path }}"
        rest: "{{ request.path_params.rest }}"
        query: "{{ request.query }}"
        custom: "{{ request.headers['x-custom'] }}"
        agent: "{{ request.headers['user-agent'] }}"
        cookies: "{{ request.cookies }}"
        body: "{{ request.body }}"
  - path: /hello
    response:
      body: "Hello {{ request.query.name }}, it is {{ now().year }}"
  - path: /static-text
    response:
      body: plain words
  - method: POST
    path: /created
    response:
      status: 201
      headers: {location: "/things/{{ request.body.id }}", x-count: 3}
      body: {created: "{{ request.body.id }}"}
  - path: /teapot
    response: {status: 418, body: {short: stout}}
  - path: /gone
    response: {status: 410}
  - path: /time
    response:
      body: {now: "{{ now() }}", year: "{{ now().year }}"}
  - path: /precise
    response:
      body: {pi: "{{ 3.14159 }}", big: "{{ 2**62 }}", flag: "{{ 1 < 2 }}", none: "{{ none }}"}
"""


@pytest.fixture
def echo_server(serve: Serve, write_spec: WriteSpec) -> MockServer:
    return serve(write_spec(ECHO_SPEC, "echo.yaml"))


@pytest.fixture
def echo(echo_server: MockServer) -> str:
    url = echo_server.url_for("echo")
    assert url == echo_server.url  # no port: the service is on the shared listener
    return url


def test_query_headers_cookies_reach_templates(echo: str, client: httpx.Client) -> None:
    response = client.get(
        f"{echo}/echo/a/b",
        params=[("q", "1"), ("tag", "x"), ("tag", "y"), ("empty", "")],
        headers={"X-Custom": "Mixed Case", "Cookie": "session=abc123; theme=dark"},
    )
    assert response.status_code == 200
    echoed = response.json()
    assert echoed["method"] == "GET"
    assert echoed["path"] == "/echo/a/b"
    assert echoed["rest"] == "a/b"
    assert echoed["query"] == {"q": "1", "tag": ["x", "y"], "empty": ""}
    assert echoed["custom"] == "Mixed Case"
    assert echoed["agent"] == client.headers["user-agent"]
    assert echoed["cookies"] == {"session": "abc123", "theme": "dark"}
    assert echoed["body"] is None


def test_header_names_are_lower_case_in_templates(write_spec: WriteSpec, serve: Serve, client: httpx.Client) -> None:
    spec = write_spec(
        """\
        service: headers
        routes:
          - path: /h
            response: {body: {names: "{{ request.headers|list }}"}}
        """
    )
    names = client.get(f"{serve(spec).url}/h", headers={"X-UPPER": "1", "X-Mixed-Case": "2"}).json()["names"]
    assert "x-upper" in names
    assert "x-mixed-case" in names
    assert all(name == name.lower() for name in names)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"json": {"a": [1, {"b": None}], "n": 1.5}}, {"a": [1, {"b": None}], "n": 1.5}),
        ({"data": {"username": "ann", "tags": ["x", "y"]}}, {"username": "ann", "tags": ["x", "y"]}),
        ({"content": "just text ✓", "headers": {"content-type": "text/plain"}}, "just text ✓"),
        ({"content": b'{"a": 1}', "headers": {"content-type": "application/vnd.api+json"}}, {"a": 1}),
        ({"content": b""}, None),
    ],
    ids=["json", "form-urlencoded", "text", "plus-json", "empty"],
)
def test_request_body_is_parsed_by_content_type(
    echo: str, client: httpx.Client, kwargs: dict[str, Any], expected: Any
) -> None:
    response = client.post(f"{echo}/echo/x", **kwargs)
    assert response.status_code == 200, response.text
    assert response.json()["body"] == expected
    assert response.json()["method"] == "POST"


def test_text_body_is_text_plain(echo: str, client: httpx.Client) -> None:
    response = client.get(f"{echo}/hello", params={"name": "Ann"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == f"Hello Ann, it is {DEFAULT_CLOCK.year}"
    static = client.get(f"{echo}/static-text")
    assert static.headers["content-type"] == "text/plain; charset=utf-8"
    assert static.text == "plain words"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("POST", "/created", 201), ("GET", "/teapot", 418), ("GET", "/gone", 410)],
    ids=["201", "418", "410"],
)
def test_status_other_than_200(echo: str, client: httpx.Client, method: str, path: str, status: int) -> None:
    response = client.request(method, f"{echo}{path}", json={"id": 5})
    assert response.status_code == status


def test_templated_headers_and_status(echo: str, client: httpx.Client) -> None:
    response = client.post(f"{echo}/created", json={"id": 77})
    assert response.status_code == 201
    assert response.headers["location"] == "/things/77"
    assert response.headers["x-count"] == "3"
    assert response.json() == {"created": 77}


def test_native_values_keep_their_json_type(echo: str, client: httpx.Client) -> None:
    assert client.get(f"{echo}/precise").json() == {"pi": 3.14159, "big": 2**62, "flag": True, "none": None}


def test_now_is_pinned_by_default(echo: str, client: httpx.Client) -> None:
    body = client.get(f"{echo}/time").json()
    assert body == {"now": DEFAULT_CLOCK.isoformat(), "year": DEFAULT_CLOCK.year}
    assert DEFAULT_CLOCK.year == 2026


def test_clock_can_be_pinned_elsewhere(serve: Serve, write_spec: WriteSpec, client: httpx.Client) -> None:
    clock = Clock.parse("2030-05-01T00:00:00Z")
    assert clock.pinned is not None
    mock = serve(write_spec(ECHO_SPEC, "echo.yaml"), clock=clock)
    assert client.get(f"{mock.url}/time").json() == {"now": clock.pinned.isoformat(), "year": 2030}
    assert client.get(f"{mock.url}/hello", params={"name": "B"}).text == "Hello B, it is 2030"


# --- per_call randomness ---------------------------------------------------------------------------------------

PER_CALL_SPEC = """\
service: counter
routes:
  - path: /next
    random: per_call
    response: {body: {n: "{{ random.randint(0, 10**12) }}", id: "{{ uuid() }}", name: "{{ faker.name() }}"}}
  - path: /fixed
    response: {body: {n: "{{ random.randint(0, 10**12) }}"}}
"""


def calls(client: httpx.Client, url: str, count: int = 5) -> list[bytes]:
    return [client.get(url).content for _ in range(count)]


def test_per_call_values_change_on_every_call(serve: Serve, write_spec: WriteSpec, client: httpx.Client) -> None:
    mock = serve(write_spec(PER_CALL_SPEC))
    sequence = calls(client, f"{mock.url}/next")
    assert len(set(sequence)) == len(sequence)
    assert len({json.loads(body)["n"] for body in sequence}) == len(sequence)
    fixed = calls(client, f"{mock.url}/fixed")
    assert len(set(fixed)) == 1


@pytest.mark.slow
def test_per_call_sequence_repeats_after_restart_and_reset(write_spec: WriteSpec, client: httpx.Client) -> None:
    spec = write_spec(PER_CALL_SPEC)
    with MockServer(spec) as first:
        fixed = client.get(f"{first.url}/fixed").content
        sequence = calls(client, f"{first.url}/next")
        assert client.get(f"{first.url}/fixed").content == fixed  # per_request is not moved by per_call calls
        first.reset()
        assert calls(client, f"{first.url}/next") == sequence
        first.reset()
        assert calls(client, f"{first.url}/next", 2) == sequence[:2]
        assert calls(client, f"{first.url}/next", 3) == sequence[2:]
    with MockServer(spec) as restarted:
        assert calls(client, f"{restarted.url}/next") == sequence
        assert client.get(f"{restarted.url}/fixed").content == fixed
    with MockServer(spec, seed=3) as reseeded:
        assert calls(client, f"{reseeded.url}/next") != sequence


# --- errors ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "route", "reason"),
    [
        ("/users/abc", "GET /api/users/{id:int}", "path parameter 'id' must be an integer, got 'abc'"),
        ("/users/42/extra", "GET /api/users/{id:int}", "the path has 4 segments, the route 3"),
        ("/avatar.svgx", "GET /api/avatar.svg", "segment 2: expected 'avatar.svg', got 'avatar.svgx'"),
    ],
    ids=["bad-int", "too-long", "typo"],
)
def test_unmatched_path_is_a_404_naming_the_closest_route(
    users: str, client: httpx.Client, path: str, route: str, reason: str
) -> None:
    document = assert_problem(client.get(f"{users}{path}"), 404)
    assert f"/api{path}" in document["detail"]
    closest = document["closest"]
    assert 1 <= len(closest) <= 3
    assert closest[0]["service"] == "users"
    assert closest[0]["route"] == route
    assert reason in closest[0]["reasons"]
    assert all(near["reasons"] for near in closest)


def test_path_outside_the_base_path_is_a_404(users: str, client: httpx.Client) -> None:
    document = assert_problem(client.get(users.removesuffix("/api") + "/users/42"), 404)
    assert any(near["route"] == "GET /api/users/{id:int}" for near in document["closest"])


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("DELETE", "/users/42", "GET, HEAD"), ("POST", "/users/42", "GET, HEAD"), ("GET", "/login", "POST")],
    ids=["delete", "post-on-get", "get-on-post"],
)
def test_wrong_method_is_a_405_with_allow(
    users: str, client: httpx.Client, method: str, path: str, allowed: str
) -> None:
    response = client.request(method, f"{users}{path}")
    document = assert_problem(response, 405)
    assert response.headers["allow"] == allowed
    assert document["allowed"] == allowed.split(", ")


def test_body_over_the_default_limit_is_a_413(users: str, client: httpx.Client) -> None:
    response = client.post(f"{users}/login", content=b"x" * (20 * 1024 * 1024))
    document = assert_problem(response, 413)
    assert document["limit"] == AppConfig().max_body
    # the server keeps serving
    assert client.get(f"{users}/users/1").status_code == 200


def test_configured_body_limit(serve: Serve, users_spec: Path, client: httpx.Client) -> None:
    limit = 1024
    users = serve(users_spec, config=AppConfig(max_body=limit)).url_for("users")
    assert_problem(client.post(f"{users}/login", content=b"x" * 2048), 413)
    # a chunked body, with no content-length, is counted as it arrives
    chunked = client.post(f"{users}/login", content=iter([b'{"username": "', b"y" * 2048, b'"}']))
    assert assert_problem(chunked, 413)["limit"] == limit
    fits = client.post(f"{users}/login", json={"username": "z" * (limit - 100)})
    assert fits.status_code == 200
    assert fits.json()["user"] == "z" * (limit - 100)
    # a limit counts bytes: exactly at it is fine
    body = json.dumps({"username": "u" * limit}).encode()[:limit]
    assert client.post(f"{users}/login", content=body).status_code == 200


@pytest.mark.parametrize(
    "content",
    [b'{"username": ', b"{'username': 'ann'}", b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000,
     b'{"a":' * 200 + b"1" + b"}" * 200],
    ids=["truncated", "single-quotes", "not-utf8", "100k-deep", "200-deep"],
)  # fmt: skip
def test_bad_json_to_a_route_reading_the_body_is_a_400(users: str, client: httpx.Client, content: bytes) -> None:
    response = client.post(f"{users}/login", content=content, headers={"content-type": "application/json"})
    document = assert_problem(response, 400)
    assert "JSON" in document["detail"]


def test_moderately_nested_json_is_fine(users: str, client: httpx.Client) -> None:
    nested: Any = "deep"
    for _ in range(50):
        nested = {"k": nested}
    response = client.post(f"{users}/login", json={"username": nested})
    assert response.status_code == 200
    assert response.json()["user"] == nested


@pytest.mark.parametrize("digits", ["1" + "0" * 400, "-" + "9" * 5000, "1e400"], ids=["10**400", "-9x5000", "1e400"])
def test_huge_numbers_never_give_a_500(users: str, client: httpx.Client, digits: str) -> None:
    response = client.post(
        f"{users}/login", content=f'{{"username": {digits}}}', headers={"content-type": "application/json"}
    )
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert_problem(response, 400)
    else:
        assert response.json()["user"] == json.loads(digits)


def test_bad_json_to_a_route_not_reading_the_body_is_ignored(users: str, client: httpx.Client) -> None:
    response = client.request(
        "GET", f"{users}/users/3", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["id"] == 3


def test_bad_json_to_a_route_using_the_whole_request_is_a_400(
    serve: Serve, write_spec: WriteSpec, client: httpx.Client
) -> None:
    spec = write_spec(
        """\
        service: whole
        routes:
          - method: POST
            path: /whole
            response: {body: {request: "{{ request }}"}}
          - method: POST
            path: /query
            response: {body: {q: "{{ request.query }}"}}
        """
    )
    url = serve(spec).url
    headers = {"content-type": "application/json"}
    assert_problem(client.post(f"{url}/whole", content=b"{bad", headers=headers), 400)
    ok = client.post(f"{url}/whole", params={"a": "1"}, json={"b": 2})
    assert ok.status_code == 200
    assert ok.json()["request"]["body"] == {"b": 2}
    assert ok.json()["request"]["query"] == {"a": "1"}
    query = client.post(f"{url}/query", params={"a": "1"}, content=b"{bad", headers=headers)
    assert query.status_code == 200
    assert query.json() == {"q": {"a": "1"}}


def test_head_renders_like_get_even_when_the_body_names_the_method(
    serve: Serve, write_spec: WriteSpec, client: httpx.Client
) -> None:
    spec = write_spec(
        """\
        service: methods
        routes:
          - path: /m
            response: {headers: {x-method: "{{ request.method }}"}, body: {m: "{{ request.method }}"}}
          - method: [GET, HEAD]
            path: /explicit
            response: {body: {m: "{{ request.method }}"}}
        """
    )
    url = serve(spec).url
    got, head = client.get(f"{url}/m"), client.head(f"{url}/m")
    assert got.json() == {"m": "GET"}
    assert dict(head.headers) == dict(got.headers)
    assert head.headers["x-method"] == "GET"
    assert head.content == b""
    # a route that lists HEAD itself sees HEAD
    explicit_get, explicit_head = client.get(f"{url}/explicit"), client.head(f"{url}/explicit")
    assert explicit_get.json() == {"m": "GET"}
    assert int(explicit_head.headers["content-length"]) == len(b'{"m":"HEAD"}')


# The sizes come from the request (none is sent: the defaults apply), so the spec loads and each route fails when
# it renders; the same templates with constant sizes are refused when the spec loads (tests/test_template_bombs.py).
HOSTILE_SPEC = """\
service: hostile
routes:
  - {name: repeat, path: /repeat, response: {body: {x: "{{ 'x' * request.query.n|default(10**9)|int }}"}}}
  - {name: tower, path: /tower, response: {body: "{{ 9**(9**request.query.n|default(9)|int) }}"}}
  - {name: range, path: /range, response: {body: {x: "{{ range(request.query.n|default(10**8)|int)|list }}"}}}
  - {name: divide, path: /divide, response: {body: {x: "{{ 1 // 0 }}"}}}
  - name: loops
    path: /loops
    response: {body: "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"}
  - {name: output, path: /output, response: {body: "{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}"}}
  - {name: faker, path: /faker, response: {body: {x: "{{ faker.paragraphs(nb=request.query.n|default(10**7)|int) }}"}}}
  - {name: lipsum, path: /lipsum, response: {body: {x: "{{ lipsum(request.query.n|default(10**9)|int) }}"}}}
  - {name: pad, path: /pad, response: {body: {x: "{{ 'x'.ljust(request.query.n|default(10**9)|int) }}"}}}
  - name: header
    path: /header
    response: {headers: {x-big: "{{ 'x' * request.query.n|default(10**9)|int }}"}, body: {ok: true}}
  - {name: newline, path: /newline, response: {headers: {x-split: "a{{ '\\r\\n' }}set-cookie: x=1"}}}
  - {name: recursion, path: /recursion, response: {body: "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}"}}
  - {name: fine, path: /fine, response: {body: {n: "{{ faker.name() }}"}}}
"""
HOSTILE_ROUTES = [
    "repeat", "tower", "range", "divide", "loops", "output", "faker", "lipsum", "pad", "header", "newline", "recursion",
]  # fmt: skip


@pytest.fixture
def hostile(serve: Serve, write_spec: WriteSpec) -> str:
    return serve(write_spec(HOSTILE_SPEC, "hostile.yaml")).url


@pytest.mark.parametrize("route", HOSTILE_ROUTES)
def test_failing_template_is_a_500_and_the_server_keeps_serving(hostile: str, client: httpx.Client, route: str) -> None:
    fine = client.get(f"{hostile}/fine")
    assert fine.status_code == 200
    response = client.get(f"{hostile}/{route}")
    document = assert_problem(response, 500)
    assert document["route"] == route
    assert document["service"] == "hostile"
    assert f"route {route} " in document["detail"]
    assert "set-cookie" not in response.headers
    after = client.get(f"{hostile}/fine")
    assert after.status_code == 200
    assert after.content == fine.content
    # and the same failure again, the same way
    assert client.get(f"{hostile}/{route}").content == response.content


def test_zero_division_is_named_in_the_problem(hostile: str, client: httpx.Client) -> None:
    document = assert_problem(client.get(f"{hostile}/divide"), 500)
    assert "ZeroDivisionError" in document["detail"]


# --- several services ------------------------------------------------------------------------------------------


def test_each_service_answers_on_its_own_listener_only(
    serve: Serve, write_spec: WriteSpec, client: httpx.Client
) -> None:
    write_spec(
        """\
        service: alpha
        port: 0
        routes:
          - path: /alpha
            response: {body: {who: alpha}}
        """,
        "services/alpha.yaml",
    )
    folder = write_spec(
        """\
        service: beta
        base_path: /b
        routes:
          - path: /beta
            response: {body: {who: beta, n: "{{ faker.name() }}"}}
        """,
        "services/beta.yaml",
    ).parent
    mock = serve(folder)
    alpha, beta = mock.url_for("alpha"), mock.url_for("beta")
    assert beta == f"{mock.url}/b"
    assert not alpha.startswith(mock.url)
    assert client.get(f"{alpha}/alpha").json() == {"who": "alpha"}
    assert client.get(f"{beta}/beta").json()["who"] == "beta"
    assert_problem(client.get(f"{mock.url}/alpha"), 404)
    assert_problem(client.get(f"{alpha}/b/beta"), 404)
    with pytest.raises(KeyError):
        mock.url_for("gamma")


# --- in process ------------------------------------------------------------------------------------------------


def test_in_process_asgi_gives_the_same_bytes_as_http(echo_server: MockServer, client: httpx.Client) -> None:
    requests = [
        ("GET", "/echo/a?x=1", {}),
        ("POST", "/echo/b", {"json": {"u": "{{ 7*7 }}"}}),
        ("GET", "/hello?name=Zed", {}),
        ("GET", "/nowhere", {}),
        ("DELETE", "/teapot", {}),
    ]
    headers = {"user-agent": "same-agent", "x-custom": "v"}

    async def in_process() -> list[tuple[int, bytes]]:
        transport = httpx.ASGITransport(app=echo_server.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", headers=headers) as session:
            answers = []
            for method, path, kwargs in requests:
                response = await session.request(method, path, **kwargs)
                answers.append((response.status_code, response.content))
            return answers

    over_http = []
    for method, path, kwargs in requests:
        response = client.request(method, f"{echo_server.url}{path}", headers=headers, **kwargs)
        over_http.append((response.status_code, response.content))
    assert [status for status, _ in over_http] == [200, 200, 200, 404, 405]
    assert asyncio.run(in_process()) == over_http


# --- precedence and load-time refusal ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "route"),
    [("/users/me", "literal"), ("/users/bob", "param"), ("/a/x", "a-bucket"), ("/b/x", "wild")],
    ids=["literal-before-param", "param", "literal-first-segment-before-wild", "wild"],
)
def test_which_route_answers(serve: Serve, write_spec: WriteSpec, client: httpx.Client, path: str, route: str) -> None:
    spec = write_spec(
        """\
        service: order
        routes:
          - path: /users/{name}
            response: {body: {route: param}}
          - path: /users/me
            response: {body: {route: literal}}
          - path: /{any}/x
            response: {body: {route: wild}}
          - path: /a/{y}
            response: {body: {route: a-bucket}}
        """
    )
    assert client.get(f"{serve(spec).url}{path}").json() == {"route": route}


def test_private_attribute_in_a_spec_is_refused_at_load(write_spec: WriteSpec) -> None:
    spec = write_spec(
        """\
        service: sneaky
        routes:
          - path: /x
            response:
              body:
                ok: true
                leak: "{{ ''.__class__.__mro__ }}"
        """
    )
    with pytest.raises(SpecErrors) as caught:
        MockServer(spec)
    errors = caught.value.errors
    assert {(error.line, error.path) for error in errors} == {(7, "routes[0].response.body.leak")}
    messages = " ".join(error.message for error in errors)
    assert "'__class__'" in messages
    assert "'__mro__'" in messages


def test_a_templated_content_type_is_sent_once_as_rendered(
    write_spec: Callable[..., Path], serve: Callable[..., MockServer]
) -> None:
    path = write_spec(
        """\
        service: typed
        routes:
          - path: /doc/{kind}
            response:
              headers: {content-type: "application/{{ request.path_params.kind }}"}
              body: {ok: true}
        """
    )
    response = httpx.get(serve(path).url + "/doc/vnd.api+json")
    assert response.headers.get_list("content-type") == ["application/vnd.api+json"]
    assert response.json() == {"ok": True}


def test_faker_relative_dates_follow_the_pinned_clock(
    write_spec: Callable[..., Path], serve: Callable[..., MockServer]
) -> None:
    path = write_spec(
        """\
        service: dates
        routes:
          - path: /dates
            response:
              body:
                past: "{{ faker.past_date() }}"
                this_year: "{{ faker.date_time_this_year().isoformat() }}"
                born: "{{ faker.date_of_birth(minimum_age=30, maximum_age=30) }}"
        """
    )
    for clock, year in ((None, 2026), (Clock.parse("2031-07-01T00:00:00Z"), 2031)):
        body = httpx.get(serve(path, clock=clock).url + "/dates").json()
        assert f"{year - 1}-" in body["past"] or f"{year}-" in body["past"]
        assert body["this_year"].startswith(f"{year}-")
        assert body["born"].startswith((f"{year - 31}-", f"{year - 30}-"))
    # Outside a mockery render Faker keeps the real clock.
    assert Faker().date_time_this_year().year == dt.date.today().year
