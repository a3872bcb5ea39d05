"""Hostile queries cost little: size, depth, fields (fragments expanded), aliases and answer size are capped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mockery import MockServer
from mockery.graphql.bounds import MAX_ALIASES, MAX_DEPTH, MAX_FIELDS, MAX_QUERY_BYTES, MAX_VALUES
from tests.graphql.support import ask

Serve = Callable[..., MockServer]

SPEC = """\
service: deep
graphql:
  sdl: |
    type User { id: ID! name: String friends(first: Int): [User!]! }
    type Query { me: User }
"""


def _nested(depth: int) -> str:
    """A query ``depth`` fields deep: ``me``, then ``friends`` nested, then ``name``."""
    return "{ me " + "{ friends(first: 1) " * (depth - 2) + "{ name }" + " }" * (depth - 2) + " }"


def _fragment_bomb(levels: int) -> str:
    """Each fragment spreads the next twice: 2**levels fields once expanded, from a query of a few lines."""
    parts = ["{ me { ...F0 } }"]
    for level in range(levels):
        parts.append(f"fragment F{level} on User {{ friends {{ ...F{level + 1} }} friends {{ ...F{level + 1} }} }}")
    parts.append(f"fragment F{levels} on User {{ name }}")
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ me { name } }" + " " * MAX_QUERY_BYTES, f"the query is longer than {MAX_QUERY_BYTES} bytes"),
        (_nested(MAX_DEPTH + 1), f"the query nests deeper than {MAX_DEPTH} levels"),
        ("{ me { " + "name " * (MAX_FIELDS + 1) + "} }", f"the query asks for more than {MAX_FIELDS} fields"),
        (_fragment_bomb(12), f"the query asks for more than {MAX_FIELDS} fields (fragments expanded)"),
        (
            "{ me { " + " ".join(f"a{i}: name" for i in range(MAX_ALIASES + 1)) + " } }",
            f"more than {MAX_ALIASES} aliases",
        ),
        ("{ me { " + "a " * 9000 + "} }", "Syntax Error: Document contains more than 8000 tokens."),
    ],
    ids=["size", "depth", "fields", "fragment-bomb", "aliases", "tokens"],
)
def test_a_query_past_a_bound_is_refused_with_the_bound(
    write_spec: Callable[..., Path], serve: Serve, query: str, message: str
) -> None:
    server = serve(write_spec(SPEC))
    result = ask(server.url + "/graphql", query)
    assert "data" not in result
    assert message in result["errors"][0]["message"], result["errors"][0]["message"]


def test_an_answer_that_would_be_too_large_is_refused(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(SPEC))
    query = "{ me { friends(first: 50) { friends(first: 50) { friends(first: 50) { name } } } } }"  # 125,000 names
    result = ask(server.url + "/graphql", query)
    assert result == {
        "errors": [
            {"message": f"the answer would hold more than {MAX_VALUES} values; ask for fewer fields or shorter lists"}
        ]
    }
    assert ask(server.url + "/graphql", _nested(MAX_DEPTH))["data"]["me"]["friends"]  # at the bound: answered


def test_a_big_query_is_validated_off_the_loop_with_the_same_answers(
    write_spec: Callable[..., Path], serve: Serve
) -> None:
    """Past OFF_LOOP_FIELDS fields validation runs in a worker thread: errors and answers are as on the loop."""
    from mockery.graphql.bounds import OFF_LOOP_FIELDS

    server = serve(write_spec(SPEC))
    names = " ".join(f"n{i}: name" for i in range(MAX_ALIASES))
    fields = "{ me { " + names + " id " * (OFF_LOOP_FIELDS - MAX_ALIASES + 1) + " } }"
    answered = ask(server.url + "/graphql", fields)["data"]["me"]
    assert len(answered) == MAX_ALIASES + 1
    assert len({answered[f"n{i}"] for i in range(MAX_ALIASES)}) == 1  # one field, one value
    wrong = ask(server.url + "/graphql", fields.replace(" id ", " nope ", 1))
    assert wrong["errors"][0]["message"] == "Cannot query field 'nope' on type 'User'. Did you mean 'name'?"
    assert wrong["errors"][0]["locations"][0]["line"] == 1


def test_big_arguments_under_long_lists_count_against_the_answer(write_spec: Callable[..., Path], serve: Serve) -> None:
    spec = SPEC.replace("name: String", "name(tags: [String!]): String")
    server = serve(write_spec(spec))
    query = "query($t: [String!]) { me { friends(first: 50) { friends(first: 50) { name(tags: $t) } } } }"
    small = ask(server.url + "/graphql", query, {"t": ["a"]})
    assert len(small["data"]["me"]["friends"]) == 50
    big = ask(server.url + "/graphql", query, {"t": ["x" * 100] * 100})  # 10 KB, seeded per item: 25 MB
    assert big["errors"][0]["message"].startswith(f"the answer would hold more than {MAX_VALUES} values")
