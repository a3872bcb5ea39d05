"""The journal and the assertions over it, stubs added at runtime, and errors of the server thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from mockery import MockServer, SpecErrors
from mockery.http.journal import Call, Journal
from mockery.server.server import Server

SPEC = """\
service: shop
routes:
  - path: /items/{id:int}
    response: {body: {id: "{{ request.path_params.id }}", name: "{{ faker.word() }}"}}
  - method: POST
    path: /orders
    response: {status: 201, body: {ok: true}}
"""


def test_calls_record_what_was_received_and_answered(serve: Callable[..., MockServer]) -> None:
    mock = serve(inline=SPEC)
    httpx.post(mock.url + "/orders?src=web", json={"item": 3}, headers={"X-Trace": "t1"})
    httpx.get(mock.url + "/nowhere")
    order, miss = mock.calls
    assert (order.method, order.path, order.query, order.status) == ("POST", "/orders", {"src": "web"}, 201)
    assert order.body == {"item": 3}
    assert order.headers["x-trace"] == "t1"
    assert order.route == "POST /orders"
    assert order.matched
    assert (miss.status, miss.matched) == (404, False)
    assert mock.unmatched() == [miss]
    assert mock.journal.calls(status=201) == [order]


def test_assert_called_counts_and_explains_failures(serve: Callable[..., MockServer]) -> None:
    mock = serve(inline=SPEC)
    for _ in range(2):
        httpx.get(mock.url + "/items/41")
    mock.assert_called("GET", "/items/41", times=2)
    mock.assert_not_called("POST", "/orders")
    with pytest.raises(AssertionError) as failure:
        mock.assert_called("GET", "/items/42", times=1)
    message = str(failure.value)
    assert message.startswith("expected GET /items/42 to be called once, it was not called; 2 calls received")
    assert "the closest:\n  #2 GET /items/41 -> 200 [shop: GET /items/{id:int}]: path: expected '/items/42'" in message
    with pytest.raises(AssertionError, match="not to be called, it was called 2 times"):
        mock.assert_not_called("GET", "/items/41")


@pytest.mark.slow
def test_the_journal_is_bounded(serve: Callable[..., MockServer]) -> None:
    mock = serve(inline=SPEC, journal_size=5)
    for item in range(12):
        httpx.get(f"{mock.url}/items/{item}")
    assert [call.path for call in mock.calls] == [f"/items/{item}" for item in range(7, 12)]


def test_journal_keeps_text_bodies_as_text() -> None:
    journal = Journal(2)
    journal.record(Call("s", "POST", "/x", "", {}, b"not json", "-", 404, 0.001))
    assert journal.calls()[0].body == "not json"
    assert journal.calls()[0].as_dict()["query"] == {}


def test_a_call_reads_back_its_request_and_its_answer() -> None:
    call = Call(
        "s",
        "POST",
        "/x",
        "a=1",
        {},
        b"\xff text",
        "POST /x",
        201,
        0.001,
        response_headers={"content-type": "application/json"},
        response_body=b'{"id": 7}',
    )
    assert (call.url, call.text, call.body) == ("/x?a=1", "\ufffd text", "\ufffd text")
    assert (call.response_json, call.response_text) == ({"id": 7}, '{"id": 7}')
    empty = Call("s", "GET", "/x", "", {}, b"", "-", 404, 0.001)
    assert (empty.url, empty.body, empty.response_json, empty.response_text) == ("/x", None, None, "")


def test_marks_select_the_calls_recorded_after_them_even_past_clear_and_the_bound() -> None:
    journal = Journal(3)
    for number in range(2):
        journal.record(Call("s", "GET", f"/{number}", "", {}, b"", "-", 404, 0.001))
    mark = journal.mark()
    assert mark == 2
    assert journal.calls(since=mark) == []
    journal.clear()
    for number in range(2, 7):
        journal.record(Call("s", "GET", f"/{number}", "", {}, b"", "-", 404, 0.001))
    assert [call.path for call in journal.calls(since=mark)] == ["/4", "/5", "/6"]
    assert [call.path for call in journal.calls(since=6, where=lambda call: call.path == "/6")] == ["/6"]
    assert journal.calls(where=lambda call: False) == []


def test_a_stub_answers_first_until_reset(serve: Callable[..., MockServer]) -> None:
    mock = serve(inline=SPEC)
    port = mock.url
    mock.stub("shop", {"path": "/items/{id:int}", "response": {"status": 503, "body": {"down": True}}})
    assert httpx.get(mock.url + "/items/1").status_code == 503
    mock.stub("shop", "path: /health\nresponse: {body: ok}\n")
    assert httpx.get(mock.url + "/health").text == "ok"
    mock.reset()
    assert mock.url == port
    assert httpx.get(mock.url + "/items/1").status_code == 200
    assert httpx.get(mock.url + "/health").status_code == 404


def test_an_invalid_stub_names_the_field_and_changes_nothing(serve: Callable[..., MockServer]) -> None:
    mock = serve(inline=SPEC)
    with pytest.raises(SpecErrors, match=r"route\.response\.status: expected a number >= 100"):
        mock.stub("shop", {"path": "/x", "response": {"status": 42}})
    with pytest.raises(KeyError, match="shop"):
        mock.stub("nope", {"path": "/x"})
    assert httpx.get(mock.url + "/x").status_code == 404


def test_in_process_transport_gives_the_same_bytes(serve: Callable[..., MockServer]) -> None:
    mock = serve(inline=SPEC)
    over_http = httpx.get(mock.url + "/items/9").content

    async def in_process() -> bytes:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app), base_url="http://mock") as client:
            return (await client.get("/items/9")).content

    assert asyncio.run(in_process()) == over_http


def test_an_exception_in_the_server_thread_surfaces_in_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(self: Server, *, handle_signals: bool = True) -> None:
        raise RuntimeError("the listener blew up")

    monkeypatch.setattr(Server, "serve", broken)
    with pytest.raises(RuntimeError, match="the listener blew up"):
        MockServer(inline=SPEC).start()
