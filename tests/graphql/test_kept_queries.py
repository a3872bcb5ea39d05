"""Valid GraphQL queries kept parsed: asked again they skip reading and validating, and answer as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse

import mockery.answers.graphql as graphql_answer
from mockery import MockServer
from mockery.graphql.execute import Parsed
from mockery.graphql.kept import KEPT_QUERIES, KEPT_TEXT_BYTES, KeptQueries
from tests.graphql.support import ask

SPEC = """\
service: small
graphql:
  sdl: |
    type User { id: ID! name: String email: String }
    type Query { me: User user(id: ID!): User }
    type Mutation { rename(name: String!): User }
"""

Serve = Callable[..., MockServer]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The query texts the endpoint reads (parses) from here on."""
    seen: list[str] = []
    real = graphql_answer.read

    def counting(query: str) -> Any:
        seen.append(query)
        return real(query)

    monkeypatch.setattr(graphql_answer, "read", counting)
    return seen


def test_a_query_asked_again_is_read_once_and_answers_as_a_fresh_server_does(
    write_spec: Callable[..., Path], serve: Serve, reads: list[str]
) -> None:
    spec = write_spec(SPEC)
    query = "query One($id: ID!) { user(id: $id) { id name email } }"
    kept = serve(spec)
    answers = [ask(kept.url + "/graphql", query, {"id": str(number)}) for number in (1, 2, 1)]
    assert reads == [query]
    assert answers[0]["data"]["user"]["id"] == "1"
    assert answers[1]["data"]["user"]["id"] == "2"
    # The same request sequence on a server of its own (nothing kept yet) gives the same bytes.
    fresh = serve(spec)
    assert [ask(fresh.url + "/graphql", query, {"id": str(number)}) for number in (1, 2, 1)] == answers


def test_a_kept_query_still_checks_its_variables_operation_and_method(
    write_spec: Callable[..., Path], serve: Serve, reads: list[str]
) -> None:
    server = serve(write_spec(SPEC))
    url = server.url + "/graphql"
    query = (
        'query Me { me { name } } query User($id: ID!) { user(id: $id) { id } } mutation M { rename(name: "x") { id } }'
    )
    assert ask(url, query, name="Me")["data"]["me"]["name"]
    missing = ask(url, query, name="User")  # kept now; the variable is still required
    assert missing["errors"][0]["message"] == "Variable '$id' of required type 'ID!' was not provided."
    assert ask(url, query, {"id": "7"}, name="User")["data"] == {"user": {"id": "7"}}
    unknown = ask(url, query, name="Nope")
    assert unknown["errors"][0]["message"] == "no operation named 'Nope'"
    unnamed = httpx.get(url, params={"query": query})
    assert unnamed.status_code == 200
    assert "must be named" in unnamed.json()["errors"][0]["message"]
    assert httpx.get(url, params={"query": query, "operationName": "M"}).status_code == 405
    mutation = 'mutation { rename(name: "x") { id } }'
    assert httpx.post(url, json={"query": mutation}).status_code == 200
    assert httpx.get(url, params={"query": mutation}).status_code == 405  # kept by the POST; GET still refused
    assert reads == [query, mutation]


def test_an_invalid_query_is_not_kept(write_spec: Callable[..., Path], serve: Serve, reads: list[str]) -> None:
    server = serve(write_spec(SPEC))
    url = server.url + "/graphql"
    for query in ("{ me { nope } }", "{ me { name }"):
        first, second = ask(url, query), ask(url, query)
        assert first == second
        assert "data" not in first
    assert first["errors"][0]["message"].startswith("Syntax Error")
    assert reads == ["{ me { nope } }", "{ me { nope } }", "{ me { name }", "{ me { name }"]


def _parsed(text: str) -> Parsed:
    return Parsed(parse(text), heavy=False)


def test_kept_queries_are_bounded_by_count_oldest_forgotten_first() -> None:
    kept = KeptQueries()
    texts = [f"{{ me {{ name }} }} # {number}" for number in range(KEPT_QUERIES + 3)]
    for text in texts:
        kept.keep(text, _parsed(text))
    assert len(kept) == KEPT_QUERIES
    assert [kept.get(text) is None for text in texts[:4]] == [True, True, True, False]
    assert kept.get(texts[-1]) is not None


def test_kept_queries_are_bounded_by_the_length_of_their_texts() -> None:
    kept = KeptQueries()
    padding = "#" * (KEPT_TEXT_BYTES // 4)
    texts = [f"{{ me {{ id }} }} {padding}{number}\n" for number in range(5)]
    for text in texts:
        kept.keep(text, _parsed(text))
    assert len(kept) == 3  # each a little over a quarter of the budget: three fit, the first two forgotten
    assert kept.get(texts[0]) is None
    assert kept.get(texts[1]) is None
    assert kept.get(texts[4]) is not None
    too_long = "{ me { id } } " + "#" * KEPT_TEXT_BYTES
    kept.keep(too_long, _parsed(too_long))
    assert kept.get(too_long) is None
    assert len(kept) == 3
    kept.keep(texts[4], _parsed(texts[4]))  # kept twice: counted once
    assert len(kept) == 3
