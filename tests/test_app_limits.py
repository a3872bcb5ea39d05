"""What a client controls is bounded: field and header counts, the 404 explanation, header values, log lines,
and a failure of mockery's own still answers a problem document. Each hostile request is sent while another
route is probed: that one must answer promptly."""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from hostile_support import hostile_beside_ordinary

from mockery import MockServer
from mockery.app.listener import AppConfig, ListenerApp
from mockery.app.matching import MAX_QUOTED_CHARS
from mockery.errors import SpecErrors
from mockery.http.logs import AccessLog
from mockery.http.requests import MAX_FIELDS, MAX_HEADERS, query_map

Serve = Callable[..., MockServer]
WriteSpec = Callable[..., Path]
PROBLEM = "application/problem+json"

FORM_SPEC = """\
service: forms
routes:
  - path: /ping
    response: {body: {ok: true}}
  - method: POST
    path: /signup
    response:
      body: {fields: "{{ request.body | length }}"}
  - method: POST
    path: /search
    match:
      body: {form: {kind: book}}
    response: {body: {found: true}}
  - path: /echo
    response:
      headers: {x-echo: "{{ request.query.v }}"}
      body: {ok: true}
"""


@pytest.fixture
def forms(serve: Serve, write_spec: WriteSpec) -> MockServer:
    return serve(write_spec(FORM_SPEC))


def _logged(log: io.StringIO, text: str) -> str:
    """The log once it holds ``text``: the line of a request is written just after its answer is sent."""
    deadline = time.monotonic() + 10
    while text not in log.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    return log.getvalue()


def test_query_map_gathers_repeated_fields_in_order() -> None:
    assert query_map("a=1&b=2&a=3&a=4") == {"a": ["1", "3", "4"], "b": "2"}


@pytest.mark.parametrize("path", ["/signup", "/search"], ids=["template-reads-form", "condition-reads-form"])
def test_a_form_of_repeated_fields_is_refused_at_once(forms: MockServer, path: str) -> None:
    body = b"&".join([b"kind=book"] * 100_000)
    form = {"content-type": "application/x-www-form-urlencoded"}
    outcome = hostile_beside_ordinary(forms.url, "POST", path, "/ping", headers=form, content=body)
    assert outcome.status == 413
    assert outcome.json()["title"] == "Too many form fields"
    assert outcome.ordinary_seconds < 1.0


def test_a_form_under_the_field_limit_is_parsed_with_its_repeats(forms: MockServer) -> None:
    repeated = httpx.post(
        forms.url + "/signup",
        content="&".join(["tag=x"] * (MAX_FIELDS - 1)),
        headers={"content-type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert repeated.status_code == 200
    assert repeated.json() == {"fields": 1}  # one key, whose value is the list of every repeat


def test_a_query_of_too_many_fields_is_a_400(forms: MockServer) -> None:
    query = "&".join(["a=1"] * (MAX_FIELDS + 1))
    answer = httpx.get(f"{forms.url}/ping?{query}", timeout=10)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["limit"] == MAX_FIELDS
    assert httpx.get(f"{forms.url}/ping?{'&'.join(['a=1'] * (MAX_FIELDS - 1))}").status_code == 200


def test_too_many_headers_is_a_431(forms: MockServer) -> None:
    headers = {f"x-h{number}": "1" for number in range(MAX_HEADERS + 1)}
    answer = httpx.get(forms.url + "/ping", headers=headers, timeout=10)
    assert answer.status_code == 431
    assert answer.headers["content-type"] == PROBLEM


def _many_routes(count: int) -> str:
    lines = ["service: wide", "routes:", "  - path: /ping", "    response: {body: {ok: true}}"]
    for number in range(count):
        lines += [f"  - path: /area{number}/items/{{id:int}}/detail{number}", "    response: {body: {n: 1}}"]
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_a_long_unmatched_path_is_explained_as_fast_as_any_404(serve: Serve, write_spec: WriteSpec) -> None:
    server = serve(write_spec(_many_routes(2000)))
    path = "/area7/items/" + "x" * 60_000
    outcome = hostile_beside_ordinary(server.url, "GET", path, "/ping")
    assert outcome.status == 404
    assert outcome.ordinary_seconds < 1.0
    assert len(outcome.body) < 4096  # the client's value is quoted cut short, never echoed whole
    closest = httpx.get(server.url + "/area7/items/abc/detail7").json()["closest"]
    assert closest[0]["route"] == "GET /area7/items/{id:int}/detail7"
    assert "path parameter 'id' must be an integer, got 'abc'" in closest[0]["reasons"]


def test_a_reason_quotes_a_long_value_cut_short(serve: Serve, write_spec: WriteSpec) -> None:
    server = serve(write_spec(_many_routes(3)))
    segment = "y" * 500
    closest = httpx.get(f"{server.url}/area1/items/{segment}/detail1").json()["closest"]
    reason = next(reason for reason in closest[0]["reasons"] if "'id'" in reason)
    assert f"{'y' * MAX_QUOTED_CHARS!r}... (500 chars)" in reason


def test_a_control_character_echoed_into_a_header_is_a_logged_500(serve: Serve, write_spec: WriteSpec) -> None:
    log = io.StringIO()
    server = serve(write_spec(FORM_SPEC), config=AppConfig(access_log=AccessLog(stream=log)))
    answer = httpx.get(server.url + "/echo", params={"v": "a\x00b"})
    assert answer.status_code == 500
    assert answer.headers["content-type"] == PROBLEM
    assert "control character" in answer.json()["detail"]
    assert server.calls[-1].status == 500
    assert "GET    /echo?v=a%00b -> 500" in _logged(log, "/echo")
    assert httpx.get(server.url + "/echo", params={"v": "fine\tvalue"}).headers["x-echo"] == "fine\tvalue"


def test_a_line_break_in_the_path_cannot_forge_a_log_line(serve: Serve, write_spec: WriteSpec) -> None:
    log = io.StringIO()
    server = serve(write_spec(FORM_SPEC), config=AppConfig(access_log=AccessLog(stream=log)))
    forged = "/x%0a00:00:00.000 forms        GET    /admin -> 200  [GET /admin]  0.1ms"
    assert httpx.get(server.url + forged).status_code == 404
    lines = _logged(log, "-> 404").splitlines()
    assert len(lines) == 1
    assert "/x\\x0a00:00:00.000" in lines[0]


def test_an_unexpected_failure_answers_a_problem_and_is_logged(
    serve: Serve, write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = io.StringIO()
    server = serve(write_spec(FORM_SPEC), config=AppConfig(access_log=AccessLog(stream=log)))

    def broken(self: ListenerApp, *args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a defect")

    monkeypatch.setattr(ListenerApp, "_not_found", broken)
    answer = httpx.get(server.url + "/nowhere")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["title"] == "Internal error"
    assert "GET    /nowhere -> 500" in _logged(log, "/nowhere")
    assert "internal error: ZeroDivisionError: a defect" in log.getvalue()
    assert httpx.get(server.url + "/ping").status_code == 200


def test_a_stalled_body_is_answered_408(serve: Serve, write_spec: WriteSpec) -> None:
    server = serve(write_spec(FORM_SPEC), config=AppConfig(body_timeout=0.3))
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"POST /signup HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf")
        began = time.perf_counter()
        answer = sock.recv(65536)
        waited = time.perf_counter() - began
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"connection: close" in answer.lower()
    assert waited >= 0.25  # it waited for the body rather than refusing at once


def test_a_base_path_under_the_admin_prefix_is_a_located_error(write_spec: WriteSpec) -> None:
    from mockery import load_specs

    path = write_spec("service: a\nbase_path: /__mockery\nroutes:\n  - path: /x\n    response: {status: 999}\n")
    with pytest.raises(SpecErrors) as caught:
        load_specs([path])
    messages = [str(error) for error in caught.value.errors]
    assert any(":2:12: base_path: paths under /__mockery are reserved" in message for message in messages)
    assert any("status" in message for message in messages)  # every error at once


def test_a_404_line_shows_the_query_and_why_the_closest_route_missed(serve: Serve, write_spec: WriteSpec) -> None:
    log = io.StringIO()
    server = serve(write_spec(FORM_SPEC), config=AppConfig(access_log=AccessLog(stream=log)))
    assert httpx.post(server.url + "/search", params={"q": "shoes"}, json={"wrong": 1}).status_code == 404
    line = _logged(log, "-> 404")
    assert "/search?q=shoes -> 404" in line
    closest = httpx.post(server.url + "/search", json={"wrong": 1}).json()["closest"][0]
    assert f"{closest['route']}: {closest['reasons'][0]}" in line


def test_a_404_json_line_carries_the_query_and_the_reason(serve: Serve, write_spec: WriteSpec) -> None:
    log = io.StringIO()
    server = serve(write_spec(FORM_SPEC), config=AppConfig(access_log=AccessLog(stream=log, format="json")))
    assert httpx.get(server.url + "/nowhere", params={"page": "2"}).status_code == 404
    record = orjson.loads(_logged(log, '"status":404').splitlines()[0])
    assert record["query"] == "page=2"
    assert record["path"] == "/nowhere"
