"""The one answer type: immutable, built once, sent in one place."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from mockery.http.answer import Answer, problem, send_answer, store_unavailable


def test_problem_is_an_rfc_9457_document() -> None:
    answer = problem(404, "Not found", "no such thing", extra=[1])
    assert answer.status == 404
    assert answer.headers == ((b"content-type", b"application/problem+json"),)
    assert orjson.loads(answer.body) == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "no such thing",
        "extra": [1],
    }


def test_an_answer_is_immutable_and_headers_make_a_new_one() -> None:
    answer = Answer.json({"a": 1}, 201)
    with pytest.raises(AttributeError):
        answer.status = 200  # type: ignore[misc]
    more = answer.with_headers((b"x-a", b"1"))
    assert more is not answer
    assert answer.headers == ((b"content-type", b"application/json"),)
    assert more.headers == ((b"content-type", b"application/json"), (b"x-a", b"1"))
    assert (more.status, more.body) == (201, b'{"a":1}')
    assert answer.with_headers() is answer
    assert repr(answer) == "Answer(201, 1 headers, 7 bytes)"


def test_store_unavailable_names_the_store_and_asks_for_a_retry() -> None:
    answer = store_unavailable(ConnectionError("refused"), "redis://cache:6379/0")
    assert answer.status == 503
    assert answer.headers[-1] == (b"retry-after", b"1")
    assert orjson.loads(answer.body)["store"] == "redis://cache:6379/0"


def test_a_streamed_answer_is_sent_chunk_by_chunk() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"data: 1\n\n"
        yield b"data: 2\n\n"

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    answer = Answer.streamed(200, ((b"content-type", b"text/event-stream"),), chunks())
    asyncio.run(send_answer(send, answer))
    assert sent[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"text/event-stream")],
    }
    assert [message["body"] for message in sent[1:]] == [b"data: 1\n\n", b"data: 2\n\n", b""]
    assert [message.get("more_body", False) for message in sent[1:]] == [True, True, False]
