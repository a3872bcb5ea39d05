"""Template answers over real HTTP: the seed of a request sees its body, and a lone expression that gives a
mapping or a list in a text body is sent as JSON."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mockery import MockServer

Serve = Callable[..., MockServer]
WriteSpec = Callable[..., Path]

SPEC = """\
service: auth
routes:
  - method: POST
    path: /login
    response:
      body: {token: "{{ uuid() }}", name: "{{ faker.name() }}"}
  - path: /me
    response:
      body: {token: "{{ uuid() }}"}
  - method: POST
    path: /echo
    response:
      body: "{{ request.body }}"
  - method: POST
    path: /echo-text
    response:
      headers: {content-type: text/plain}
      body: "{{ request.body.items }}"
  - method: POST
    path: /sentence
    response:
      body: "items: {{ request.body['items'] | length }}"
"""


@pytest.fixture
def auth(serve: Serve, write_spec: WriteSpec) -> MockServer:
    return serve(write_spec(SPEC))


def test_two_bodies_get_two_tokens_and_one_body_gets_one(auth: MockServer) -> None:
    ada = httpx.post(auth.url + "/login", json={"user": "ada"}).json()
    bob = httpx.post(auth.url + "/login", json={"user": "bob"}).json()
    assert ada["token"] != bob["token"]
    assert httpx.post(auth.url + "/login", json={"user": "ada"}).json() == ada
    # The same bytes under another content type are another request.
    as_text = httpx.post(auth.url + "/login", content=b'{"user":"ada"}', headers={"content-type": "text/plain"})
    assert as_text.json()["token"] != ada["token"]


def test_a_request_without_a_body_keeps_its_seed(auth: MockServer, serve: Serve, write_spec: WriteSpec) -> None:
    first = httpx.get(auth.url + "/me").json()
    assert httpx.get(auth.url + "/me").json() == first
    again = serve(write_spec(SPEC, "again.yaml"))
    assert httpx.get(again.url + "/me").json() == first  # across servers: nothing but the request decides


def test_a_lone_expression_giving_a_mapping_is_sent_as_json(auth: MockServer) -> None:
    answer = httpx.post(auth.url + "/echo", json={"a": 1, "items": [1, "two"]})
    assert answer.headers["content-type"] == "application/json"
    assert answer.content == b'{"a":1,"items":[1,"two"]}'


def test_a_written_content_type_is_kept_and_a_list_is_sent_as_json(auth: MockServer) -> None:
    answer = httpx.post(auth.url + "/echo-text", json={"items": [1, "two"]})
    assert answer.headers["content-type"] == "text/plain"
    assert answer.content == b'[1,"two"]'


def test_text_around_an_expression_stays_text(auth: MockServer) -> None:
    answer = httpx.post(auth.url + "/sentence", json={"items": [1, 2, 3]})
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.text == "items: 3"
