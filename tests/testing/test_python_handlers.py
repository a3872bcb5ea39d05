"""Python handlers, stubs used N times and removed stubs, over real HTTP."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery import HandlerContext, HandlerRequest, MockServer, Response, SpecErrors, Stub
from mockery.errors import ArgumentError, UnknownServiceError
from mockery.http.answer import Answer

SPEC = """\
service: users
routes:
  - path: /users/{id:int}
    response: {body: {from: spec}}
  - path: /ping
    response: {body: pong}
"""


@pytest.fixture
def mock(serve: Callable[..., MockServer], write_spec: Callable[..., Path]) -> MockServer:
    return serve(write_spec(SPEC))


def test_a_sync_handler_gets_the_typed_request_and_its_dict_is_json(mock: MockServer) -> None:
    seen: list[HandlerRequest] = []
    threads: list[str] = []

    def create(request: HandlerRequest) -> dict[str, Any]:
        seen.append(request)
        threads.append(threading.current_thread().name)
        return {"id": request.path_params["id"], "name": request.body["name"], "tag": request.query["tag"]}

    mock.stub("users", {"method": "POST", "path": "/users/{id:int}"}, handler=create)
    response = httpx.post(mock.url + "/users/7?tag=new", json={"name": "Ada"}, headers={"x-trace": "t1"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"id": 7, "name": "Ada", "tag": "new"}
    request = seen[0]
    assert (request.method, request.path, request.headers["x-trace"]) == ("POST", "/users/7", "t1")
    assert request.content == b'{"name":"Ada"}'
    # Not on the server's loop thread: a slow handler does not hold every other request.
    assert threads[0] != "mockery-server"


def test_a_slow_sync_handler_does_not_block_other_requests(mock: MockServer) -> None:
    release = threading.Event()
    mock.stub("users", {"path": "/slow"}, handler=lambda request: "done" if release.wait(10) else "timeout")
    with httpx.Client(base_url=mock.url) as client, httpx.Client(base_url=mock.url) as other:
        result: list[httpx.Response] = []
        waiter = threading.Thread(target=lambda: result.append(client.get("/slow")))
        waiter.start()
        assert other.get("/ping").text == "pong"  # answered while the handler waits
        release.set()
        waiter.join(10)
    assert result[0].text == "done"


def test_an_async_handler_and_what_each_return_value_becomes(mock: MockServer) -> None:
    async def later(request: HandlerRequest) -> Response:
        await asyncio.sleep(0)
        return Response(201, {"made": True}, headers={"location": "/users/9"})

    mock.stub("users", {"method": "POST", "path": "/made"}, handler=later)
    mock.stub("users", {"path": "/text"}, handler=lambda request: "plain")
    mock.stub("users", {"path": "/bytes"}, handler=lambda request: b"\x00\x01")
    mock.stub("users", {"path": "/none"}, handler=lambda request: None)
    mock.stub("users", {"path": "/typed"}, handler=lambda request: Response(418, "tea", {"content-type": "x/tea"}))
    made = httpx.post(mock.url + "/made")
    assert (made.status_code, made.json(), made.headers["location"]) == (201, {"made": True}, "/users/9")
    text = httpx.get(mock.url + "/text")
    assert (text.text, text.headers["content-type"]) == ("plain", "text/plain; charset=utf-8")
    assert httpx.get(mock.url + "/bytes").content == b"\x00\x01"
    assert httpx.get(mock.url + "/none").status_code == 204
    typed = httpx.get(mock.url + "/typed")
    assert (typed.status_code, typed.text, typed.headers["content-type"]) == (418, "tea", "x/tea")


def test_a_raising_handler_is_a_500_naming_it_and_the_test_sees_the_error(mock: MockServer) -> None:
    def broken(request: HandlerRequest) -> Any:
        raise KeyError("customer")

    mock.stub("users", {"path": "/broken"}, handler=broken)
    response = httpx.get(mock.url + "/broken")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Handler error"
    assert "broken" in problem["handler"]
    assert "KeyError: 'customer'" in problem["detail"]
    assert [type(error) for error in mock.handler_errors] == [KeyError]
    with pytest.raises(KeyError, match="customer") as raised:
        mock.raise_handler_errors()
    assert any("GET /broken" in note for note in raised.value.__notes__)
    assert mock.handler_errors == []
    mock.raise_handler_errors()  # nothing left: no error


def test_a_handler_returning_what_cannot_be_sent_is_a_500_saying_what_it_may_return(mock: MockServer) -> None:
    mock.stub("users", {"path": "/odd"}, handler=lambda request: 404)
    response = httpx.get(mock.url + "/odd")
    assert response.status_code == 500
    assert "a handler returns a dict or list (JSON), a str" in response.json()["detail"]
    assert isinstance(mock.handler_errors[0], TypeError)


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (Response(42, "x"), "a response status is an int from 100 to 599, not 42"),
        (Response("200", "x"), "a response status is an int from 100 to 599, not '200'"),  # type: ignore[arg-type]
        (Response(True, "x"), "not True"),
        (Response(200, "x", {"x-bad": "a\nb"}), "the value of header 'x-bad' holds the control character '\\n'"),
        (Response(200, "x", {"bad name": "v"}), "a header name is a token"),
        (Response(200, "x", {"x-snow": "\u2603"}), "a character HTTP cannot carry"),
        (Answer(1000), "a response status is an int from 100 to 599, not 1000"),
    ],
    ids=["status-42", "status-text", "status-bool", "header-newline", "header-name", "header-unicode", "answer"],
)
def test_a_response_http_cannot_carry_is_a_500_saying_why(mock: MockServer, returned: object, message: str) -> None:
    mock.stub("users", {"path": "/bad"}, handler=lambda request: returned)
    response = httpx.get(mock.url + "/bad")
    assert response.status_code == 500
    assert message in response.json()["detail"]
    assert [type(error) for error in mock.handler_errors] == [ValueError]
    assert httpx.get(mock.url + "/ping").text == "pong"  # the server goes on serving


def test_a_bad_json_body_read_by_a_handler_is_a_400_for_the_client(mock: MockServer) -> None:
    mock.stub("users", {"method": "POST", "path": "/read"}, handler=lambda request: request.body)
    response = httpx.post(mock.url + "/read", content=b"{nope", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    assert mock.handler_errors == []


def test_handlers_draw_seeded_values_the_same_request_gets_the_same_values(
    serve: Callable[..., MockServer], write_spec: Callable[..., Path]
) -> None:
    def person(request: HandlerRequest, context: HandlerContext) -> dict[str, Any]:
        return {"name": context.faker.name(), "n": context.random.randint(1, 10**9), "now": str(context.now())}

    path = write_spec(SPEC)
    answers = []
    for _ in range(2):
        with MockServer(path, seed=3) as mock:
            mock.stub("users", {"path": "/people/{id}"}, handler=person)
            answers.append([httpx.get(mock.url + f"/people/{n}").json() for n in (1, 2, 1)])
    assert answers[0] == answers[1]
    first, second, again = answers[0]
    assert first == again
    assert first != second
    with MockServer(path, seed=4) as other:
        other.stub("users", {"path": "/people/{id}"}, handler=person)
        assert httpx.get(other.url + "/people/1").json() != first


def test_the_route_decorator_and_remove_stub(mock: MockServer) -> None:
    @mock.route("GET", "/users/{id:int}", match={"query": {"v": "2"}})
    def user(request: HandlerRequest) -> dict[str, Any]:
        return {"from": "handler", "id": request.path_params["id"]}

    assert isinstance(user, Stub)
    assert httpx.get(mock.url + "/users/1?v=2").json() == {"from": "handler", "id": 1}
    assert httpx.get(mock.url + "/users/1").json() == {"from": "spec"}  # its condition does not hold
    assert mock.remove_stub(user) is True
    assert httpx.get(mock.url + "/users/1?v=2").json() == {"from": "spec"}
    assert mock.remove_stub(user) is False
    mock.assert_called("GET", "/users/1", times=3)


def test_times_answers_n_times_then_falls_through(mock: MockServer) -> None:
    mock.stub("users", {"path": "/users/{id:int}", "response": {"status": 503}}, times=2)
    handled = mock.stub("users", {"path": "/ping"}, handler=lambda request: "once", times=1)
    statuses = [httpx.get(mock.url + "/users/1").status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert [httpx.get(mock.url + "/ping").text for _ in range(2)] == ["once", "pong"]
    assert mock.remove_stub(handled) is False  # used up
    # Ordered answers (pytest-httpserver's ordered handlers): stubs of one request answer newest first...
    for status in (203, 202, 201):
        mock.stub("users", {"path": "/seq", "response": {"status": status}}, times=1)
    assert [httpx.get(mock.url + "/seq").status_code for _ in range(4)] == [201, 202, 203, 404]
    # ... unless their priority says otherwise.
    for status in (201, 202):
        mock.stub("users", {"path": "/seq", "priority": 203 - status, "response": {"status": status}}, times=1)
    assert [httpx.get(mock.url + "/seq").status_code for _ in range(3)] == [201, 202, 404]


def test_reset_removes_stubs_and_forgets_handler_errors(mock: MockServer) -> None:
    def broken(request: HandlerRequest) -> Any:
        raise RuntimeError("no")

    mock.stub("users", {"path": "/ping"}, handler=broken)
    assert httpx.get(mock.url + "/ping").status_code == 500
    mock.reset()
    assert mock.handler_errors == []
    assert httpx.get(mock.url + "/ping").text == "pong"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"handler": "not callable"}, TypeError, "a handler is a function, not str"),
        ({"handler": lambda: None}, TypeError, r"takes \(request\) or \(request, context\)"),
        ({"handler": lambda a, b, c: None}, TypeError, r"takes \(request\) or \(request, context\)"),
        ({"times": 0}, ValueError, "times is a whole number of 1 or more, not 0"),
        ({"times": True}, ValueError, "not True"),
    ],
    ids=["not-callable", "no-argument", "three-arguments", "times-zero", "times-bool"],
)
def test_bad_handlers_and_counts_are_refused_before_anything_is_added(
    mock: MockServer, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        mock.stub("users", {"path": "/new"}, **kwargs)
    assert httpx.get(mock.url + "/new").status_code == 404


def test_bad_routes_services_and_handles_are_refused(mock: MockServer, serve: Callable[..., MockServer]) -> None:
    with pytest.raises(SpecErrors, match=r"route\.response\.status"):
        mock.stub("users", {"path": "/x", "response": {"status": 42}}, handler=lambda request: None)
    with pytest.raises(UnknownServiceError, match="users"):
        mock.stub("nope", {"path": "/x"}, handler=lambda request: None)
    with pytest.raises(ArgumentError, match="remove_stub takes what stub"):
        mock.remove_stub("1")  # type: ignore[arg-type]


def test_the_route_decorator_needs_a_service_when_there_are_several(
    serve: Callable[..., MockServer], write_spec: Callable[..., Path]
) -> None:
    write_spec(SPEC, "users.yaml")
    folder = write_spec("service: orders\nroutes: [{path: /orders}]\n", "orders.yaml").parent
    mock = serve(folder)
    with pytest.raises(ArgumentError, match=r"name the service of the route: service=\.\.\. \(one of"):
        mock.route("GET", "/x")
    stub = mock.route(["GET", "POST"], "/made", service="orders")(lambda request: {"ok": True})
    assert stub.service == "orders"
    assert httpx.post(mock.url + "/made").json() == {"ok": True}
