"""A response whose templates read only the request's method, path and path parameters gets a ``request`` of
just those (mockery.answers.template ``reads_plain_request``): the same bytes as with the whole request, and
the query, headers, cookies and body still there for the templates that read them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mockery import MockServer
from mockery.answers import template
from mockery.answers.template import ResponseSetAnswer, TemplateAnswer
from mockery.load.loader import load_specs

Serve = Callable[..., MockServer]
WriteSpec = Callable[..., Path]

SPEC = """\
service: shop
routes:
  - path: /plain/{id}
    response:
      headers: {x-path: "{{ request.path }}"}
      body: {id: "{{ request.path_params.id }}", method: "{{ request.method }}", name: "{{ faker.name() }}"}
  - path: /query/{id}
    response:
      body: {id: "{{ request.path_params.id }}", q: "{{ request.query.q }}", name: "{{ faker.name() }}"}
  - path: /headers
    response:
      body: {agent: "{{ request.headers['x-agent'] }}", cookie: "{{ request.cookies.session }}"}
  - path: /whole
    response:
      body: "{{ request | length }}"
  - method: POST
    path: /mixed
    responses:
      - when: {query: {kind: body}}
        body: {got: "{{ request.body.name }}"}
      - body: {id: "{{ uuid() }}", path: "{{ request.path }}"}
  - path: /nothing
    response:
      body: {name: "{{ faker.name() }}"}
"""
REQUESTS = [
    ("GET", "/plain/7", None, {}),
    ("HEAD", "/plain/8", None, {}),
    ("GET", "/query/7?q=shoes", None, {}),
    ("GET", "/query/7", None, {}),
    ("GET", "/headers", None, {"x-agent": "tests", "cookie": "session=abc"}),
    ("GET", "/whole", None, {}),
    ("POST", "/mixed?kind=body", {"name": "Ada"}, {}),
    ("POST", "/mixed", {"name": "Ada"}, {}),
    ("POST", "/mixed", b"{not json", {"content-type": "application/json"}),
    ("GET", "/nothing", None, {}),
]


def test_which_responses_read_only_the_plain_request(write_spec: WriteSpec) -> None:
    routes = {route.path: route for route in load_specs([write_spec(SPEC)]).services[0].routes}
    plain = {
        path: route.answer.plain_request for path, route in routes.items() if isinstance(route.answer, TemplateAnswer)
    }
    assert plain == {"/plain/{id}": True, "/query/{id}": False, "/headers": False, "/whole": False, "/nothing": True}
    mixed = routes["/mixed"].answer
    assert isinstance(mixed, ResponseSetAnswer)
    assert sorted(mixed.plain_requests.values()) == [False, True]


def answers(server: MockServer) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    got = []
    with httpx.Client(base_url=server.url) as client:
        for method, path, body, headers in REQUESTS:
            if isinstance(body, bytes):
                response = client.request(method, path, content=body, headers=headers)
            else:
                response = client.request(method, path, json=body, headers=headers)
            kept = [(k, v) for k, v in response.headers.items() if k not in ("date", "server")]
            got.append((response.status_code, kept, response.content))
    return got


def test_the_plain_request_gives_the_bytes_of_the_whole_request(
    serve: Serve, write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write_spec(SPEC)
    plain = answers(serve(spec))
    monkeypatch.setattr(template, "reads_plain_request", lambda response: False)
    whole = answers(serve(spec))
    assert plain == whole
    by_path = {path: (status, body) for (_, path, _, _), (status, _, body) in zip(REQUESTS, plain, strict=True)}
    assert by_path["/plain/7"][0] == 200
    assert b'"id":"7","method":"GET"' in by_path["/plain/7"][1]
    assert b'"q":"shoes"' in by_path["/query/7?q=shoes"][1]
    assert by_path["/headers"][1] == b'{"agent":"tests","cookie":"abc"}'
    assert by_path["/mixed?kind=body"][1] == b'{"got":"Ada"}'
    assert plain[-2][0] == 400  # a response set that reads the body somewhere reads it for every response
