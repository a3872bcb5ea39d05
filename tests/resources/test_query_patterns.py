"""``_like`` and ``q`` run on RE2 over real HTTP: a pattern that would backtrack answers at once, with the
right records, while other requests are answered; a pattern RE2 refuses is a 400 naming the parameter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hostile_support import hostile_beside_ordinary

from mockery import MockServer
from mockery.http.regexes import MAX_CLIENT_PATTERN_LENGTH

# Python's re needs seconds per record to find that "^(\w+\s?)*$" does not match this title; RE2 does not.
BACKTRACKING_TITLE = "a" * 25 + "!"
CATASTROPHIC = r"^(\w+\s?)*$"

LIBRARY = f"""
service: library
resources:
  books:
    count: 8
    fields:
      title: {{choice: ["{BACKTRACKING_TITLE}", "Plain title"]}}
routes:
  - path: /ping
    response: {{body: pong}}
"""


@pytest.fixture
def library(write_spec: Callable[..., Path], serve: Callable[..., MockServer]) -> MockServer:
    return serve(write_spec(LIBRARY))


def ids(records: list[dict[str, Any]]) -> list[int]:
    return [record["id"] for record in records]


def test_a_catastrophic_like_answers_at_once_with_the_matching_records(library: MockServer) -> None:
    with httpx.Client(base_url=library.url, timeout=10) as http:
        plain = ids(http.get("/books", params={"title": "Plain title"}).json())
        hostile = ids(http.get("/books", params={"title": BACKTRACKING_TITLE}).json())
    assert plain, "the seed should give both kinds of title"
    assert hostile, "the seed should give both kinds of title"

    outcome = hostile_beside_ordinary(library.url, "GET", f"/books?title_like={quote(CATASTROPHIC)}", "/ping")

    assert outcome.status == 200, outcome.body
    assert ids(outcome.json()) == plain
    assert outcome.headers["x-total-count"] == str(len(plain))
    assert outcome.ordinary_seconds < 1.0, outcome.ordinary_seconds


def test_like_is_case_insensitive(library: MockServer) -> None:
    with httpx.Client(base_url=library.url, timeout=10) as http:
        plain = ids(http.get("/books", params={"title": "Plain title"}).json())
        assert ids(http.get("/books", params={"title_like": "^PLAIN T"}).json()) == plain


def test_a_catastrophic_q_is_searched_as_text_at_once(library: MockServer) -> None:
    with httpx.Client(base_url=library.url, timeout=10) as http:
        hostile = ids(http.get("/books", params={"title": BACKTRACKING_TITLE}).json())
        plain = ids(http.get("/books", params={"title": "Plain title"}).json())

    outcome = hostile_beside_ordinary(library.url, "GET", f"/books?q={quote(CATASTROPHIC)}", "/ping")
    assert outcome.status == 200, outcome.body
    assert outcome.json() == []  # no record holds that text
    assert outcome.ordinary_seconds < 1.0, outcome.ordinary_seconds

    with httpx.Client(base_url=library.url, timeout=10) as http:
        assert ids(http.get("/books", params={"q": "A!"}).json()) == hostile  # literal and case-insensitive
        assert ids(http.get("/books", params={"q": "plain TITLE"}).json()) == plain


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(?=a)b", "invalid perl operator: (?="),
        ("(?<!a)b", "invalid perl operator: (?<"),
        (r"(a)\1", r"invalid escape sequence: \1"),
        ("(unclosed", "missing )"),
        ("a" * (MAX_CLIENT_PATTERN_LENGTH + 1), f"longer than the limit of {MAX_CLIENT_PATTERN_LENGTH}"),
    ],
    ids=["look-ahead", "look-behind", "back-reference", "syntax-error", "too-long"],
)
def test_a_like_pattern_re2_refuses_is_a_400_naming_the_parameter(
    library: MockServer, pattern: str, reason: str
) -> None:
    response = httpx.get(f"{library.url}/books", params={"title_like": pattern}, timeout=10)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert "'title_like'" in problem["detail"]
    assert "RE2" in problem["detail"]
    assert reason in problem["detail"]


def test_a_q_longer_than_the_limit_is_a_400(library: MockServer) -> None:
    response = httpx.get(f"{library.url}/books", params={"q": "x" * (MAX_CLIENT_PATTERN_LENGTH + 1)}, timeout=10)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "'q'" in response.json()["detail"]
    assert f"longer than the limit of {MAX_CLIENT_PATTERN_LENGTH}" in response.json()["detail"]
