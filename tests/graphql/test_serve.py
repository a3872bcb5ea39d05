"""GraphQL services end to end: real schemas serve, answers follow the selection set, errors are standard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery import MockServer
from tests.graphql.support import ANIMALS, CORPUS, GITHUB, SKIP_REASON, SWAPI, ask, corpus_spec

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=SKIP_REASON)
Serve = Callable[..., MockServer]


def _shape(value: Any) -> Any:
    """The keys of every object of an answer, recursively (lists by their first item)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


SWAPI_QUERY = """
query Films($count: Int, $withPlanets: Boolean!) {
  allFilms(first: $count) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { ...FilmParts } }
    films { id }
  }
  first: node(id: "RmlsbTox") { __typename ... on Film { title } }
}
fragment FilmParts on Film {
  id
  name: title
  episodeID
  planetConnection(first: 1) @include(if: $withPlanets) { planets { name } }
  producers @skip(if: true)
}
"""


@needs_corpus
def test_swapi_answers_with_the_selection_set_exactly(tmp_path: Path, serve: Serve) -> None:
    server = serve(corpus_spec(tmp_path, SWAPI))
    result = ask(server.url + "/graphql", SWAPI_QUERY, {"count": 2, "withPlanets": True}, "Films")
    assert "errors" not in result
    films = result["data"]["allFilms"]
    assert list(films) == ["totalCount", "pageInfo", "edges", "films"]
    assert len(films["edges"]) == 2
    node = films["edges"][0]["node"]
    assert list(node) == ["id", "name", "episodeID", "planetConnection"]  # alias kept, @skip dropped
    assert isinstance(node["name"], str)
    assert isinstance(node["episodeID"], int)
    assert len(node["planetConnection"]["planets"]) == 1
    # The connection's parts agree: the plural list holds the edges' nodes, the last cursor ends the page.
    assert [film["id"] for film in films["films"]] == [edge["node"]["id"] for edge in films["edges"]]
    assert films["pageInfo"]["endCursor"] == films["edges"][-1]["cursor"]
    assert films["totalCount"] >= 2
    # A Relay global id names its type: node(id: base64("Film:1")) is a Film.
    assert result["data"]["first"]["__typename"] == "Film"
    without = ask(server.url + "/graphql", SWAPI_QUERY, {"count": 1, "withPlanets": False}, "Films")
    assert "planetConnection" not in without["data"]["allFilms"]["edges"][0]["node"]


ANIMALS_QUERY = """
{
  classroomPets {
    __typename
    ... on Animal { species height { feet } }
    ... on Pet { humanName }
    ... on PetRock { favoriteToy }
  }
  pets(filters: {species: ["Cat"]}) { __typename id humanName }
}
"""


@needs_corpus
def test_unions_and_interfaces_answer_with_their_concrete_types(tmp_path: Path, serve: Serve) -> None:
    """The Apollo schema uses an undeclared client directive (@typePolicy): it still serves."""
    server = serve(corpus_spec(tmp_path, ANIMALS))
    result = ask(server.url + "/graphql", ANIMALS_QUERY)
    assert "errors" not in result, result
    for pet in result["data"]["classroomPets"]:
        # Cat, Bird and Rat are Animals and Pets; a PetRock is only a Pet.
        animal = {"species", "height"} if pet["__typename"] != "PetRock" else {"favoriteToy"}
        assert pet["__typename"] in {"Cat", "Bird", "Rat", "PetRock"}
        assert set(pet) == {"__typename", "humanName", *animal}, pet
    for pet in result["data"]["pets"]:
        assert set(pet) == {"__typename", "id", "humanName"}


@needs_corpus
def test_githubs_public_schema_serves(tmp_path: Path, serve: Serve) -> None:
    server = serve(corpus_spec(tmp_path, GITHUB))
    query = """
    query($owner: String!) {
      repository(owner: $owner, name: "mockery") {
        nameWithOwner url createdAt
        issues(first: 3) { totalCount nodes { number title author { login } } }
        owner { __typename login ... on Organization { name } }
      }
    }"""
    result = ask(server.url + "/graphql", query, {"owner": "acme"})
    assert "errors" not in result, result
    repository = result["data"]["repository"]
    assert repository["url"].startswith("http")
    assert repository["createdAt"].endswith("Z")
    assert len(repository["issues"]["nodes"]) == 3
    assert repository["owner"]["__typename"] in {"Organization", "User"}


@pytest.mark.parametrize(
    ("query", "message", "line", "column"),
    [
        ("{ me { nme } }", "Cannot query field 'nme' on type 'User'. Did you mean 'name'?", 1, 8),
        ("{ me { name }", "Syntax Error: Expected Name, found <EOF>.", 1, 14),
        ("query($id: ID!) { user(id: $id) { name } }\n", None, None, None),
        ("{ user(id: 3.5) { name } }", "ID cannot represent a non-string and non-integer value: 3.5", 1, 12),
    ],
    ids=["unknown-field", "syntax", "missing-variable", "bad-argument"],
)
def test_invalid_queries_answer_standard_errors_with_locations(
    write_spec: Callable[..., Path], serve: Serve, query: str, message: str | None, line: int, column: int
) -> None:
    server = serve(write_spec(SMALL))
    result = ask(server.url + "/graphql", query)
    assert "data" not in result or result["data"] is None
    error = result["errors"][0]
    if message is None:  # a variable the request did not give
        assert error["message"] == "Variable '$id' of required type 'ID!' was not provided."
        assert error["locations"] == [{"line": 1, "column": 7}]
    else:
        assert error["message"] == message
        assert error["locations"] == [{"line": line, "column": column}]


SMALL = """\
service: small
graphql:
  sdl: |
    type User { id: ID! name: String email: String friends(first: Int): [User!]! }
    type Query { me: User user(id: ID!): User }
    type Mutation { rename(name: String!): User }
"""


def test_get_runs_queries_and_refuses_mutations(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(SMALL))
    url = server.url + "/graphql"
    got = httpx.get(url, params={"query": "query Me { me { name } }", "operationName": "Me"})
    assert got.status_code == 200
    assert isinstance(got.json()["data"]["me"]["name"], str)
    refused = httpx.get(url, params={"query": 'mutation { rename(name: "x") { id } }'})
    assert refused.status_code == 405
    assert refused.headers["allow"] == "POST"
    posted = httpx.post(url, json={"query": 'mutation { rename(name: "x") { id } }'})
    assert posted.status_code == 200
    assert posted.json()["data"]["rename"]["id"]


@pytest.mark.parametrize(
    ("content", "media_type", "status", "detail"),
    [
        (b"{not json", "application/json", 400, "the body is not JSON"),
        (b"[1]", "application/json", 400, "the body is a JSON object with a `query`"),
        (b'{"variables": {}}', "application/json", 400, "the body has no `query`"),
        (b'{"query": "{ me { id } }", "variables": [1]}', "application/json", 400, "`variables` is a JSON object"),
        (b"query=x", "application/x-www-form-urlencoded", 415, "a GraphQL POST has an application/json body"),
    ],
    ids=["not-json", "not-object", "no-query", "bad-variables", "form"],
)
def test_requests_that_are_not_graphql_are_problems(
    write_spec: Callable[..., Path], serve: Serve, content: bytes, media_type: str, status: int, detail: str
) -> None:
    server = serve(write_spec(SMALL))
    response = httpx.post(server.url + "/graphql", content=content, headers={"content-type": media_type})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(detail)


def test_the_graphql_response_media_type_gets_400_without_data(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(SMALL))
    accept = {"accept": "application/graphql-response+json"}
    bad = httpx.post(server.url + "/graphql", json={"query": "{ nope }"}, headers=accept)
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/graphql-response+json")
    assert bad.json()["errors"][0]["locations"] == [{"line": 1, "column": 3}]
    good = httpx.post(server.url + "/graphql", json={"query": "{ me { id } }"}, headers=accept)
    assert good.status_code == 200
    assert good.json()["data"]["me"]["id"]


def test_application_graphql_bodies_are_queries(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(SMALL))
    response = httpx.post(
        server.url + "/graphql", content=b"{ me { email } }", headers={"content-type": "application/graphql"}
    )
    assert "@" in response.json()["data"]["me"]["email"]


def test_a_subscription_is_refused_with_a_graphql_error(tmp_path: Path, serve: Serve) -> None:
    (tmp_path / "sub.yaml").write_text(
        'service: sub\ngraphql:\n  sdl: "type Query { a: Int } type Subscription { ticks: Int }"\n'
    )
    server = serve(tmp_path / "sub.yaml")
    result = ask(server.url + "/graphql", "subscription { ticks }")
    assert result == {
        "errors": [
            {
                "message": "subscriptions are not served: send a query or a mutation",
                "locations": [{"line": 1, "column": 1}],
            }
        ]
    }


def _root_queries(schema_text: str) -> list[tuple[str, str, list[str]]]:
    """Every root field without required arguments, as a query of its scalar fields (objects), of
    ``__typename`` (interfaces, unions) or of nothing (leaves): (field, query, the keys each answer has)."""
    from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, Undefined

    from mockery.graphql.sdl import load_schema

    schema, problems = load_schema(schema_text)
    assert schema is not None, problems
    assert schema.query_type is not None

    def named(kind: Any) -> Any:
        while isinstance(kind, (GraphQLNonNull, GraphQLList)):
            kind = kind.of_type
        return kind

    def required(arguments: Any) -> bool:
        return any(isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined for a in arguments.values())

    found = []
    for name, field in schema.query_type.fields.items():
        if required(field.args):
            continue
        kind = named(field.type)
        if isinstance(kind, (GraphQLScalarType, GraphQLEnumType)):
            found.append((name, "{ " + name + " }", []))
            continue
        leaves = []
        if isinstance(kind, GraphQLObjectType):
            leaves = [
                key
                for key, sub in kind.fields.items()
                if isinstance(named(sub.type), (GraphQLScalarType, GraphQLEnumType)) and not required(sub.args)
            ][:8]
        found.append((name, "{ " + name + " { __typename " + " ".join(leaves) + " } }", ["__typename", *leaves]))
    return found


@needs_corpus
@pytest.mark.parametrize("schema", [SWAPI, ANIMALS, GITHUB], ids=["swapi", "animals", "github"])
def test_every_root_field_of_the_corpus_answers_its_selection(tmp_path: Path, serve: Serve, schema: str) -> None:
    server = serve(corpus_spec(tmp_path, schema))
    queries = _root_queries((CORPUS / schema).read_text(encoding="utf-8"))
    assert len(queries) >= 2
    for name, query, keys in queries:
        result = ask(server.url + "/graphql", query)
        assert "errors" not in result, (query, result)
        value = result["data"][name]
        for item in value if isinstance(value, list) else [value]:
            if keys:
                assert list(item) == keys, (query, item)
