"""Generated values: believable, deterministic across restarts, and one entity per (type, id)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from mockery import MockServer
from tests.graphql.support import ask

Serve = Callable[..., MockServer]

SCHEMA = """\
service: people
graphql:
  sdl: |
    scalar DateTime
    scalar UUID
    scalar URL
    scalar JSON
    enum Role { ADMIN EDITOR VIEWER OLD @deprecated }
    interface Node { id: ID! }
    type User implements Node {
      id: ID!
      name: String!
      email: String!
      createdAt: DateTime!
      token: UUID!
      avatarUrl: URL!
      settings: JSON
      role: Role!
      age: Int
      price: Float
      active: Boolean
      friends(first: Int): [User!]!
    }
    type Query { me: User! user(id: ID!): User users(first: Int): [User!]! node(id: ID!): Node }
"""

QUERY = "{ me { id name email createdAt token avatarUrl settings role age price active friends { id name } } }"


def test_values_follow_field_and_type_names(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(SCHEMA))
    me = ask(server.url + "/graphql", QUERY)["data"]["me"]
    assert "@" in me["email"]
    assert " " in me["name"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", me["createdAt"])
    assert uuid.UUID(me["token"]).version == 4
    assert me["avatarUrl"].startswith("http")
    assert isinstance(me["settings"], dict)
    assert me["role"] in {"ADMIN", "EDITOR", "VIEWER"}  # never the deprecated value
    assert isinstance(me["age"], int)
    assert isinstance(me["price"], float)
    assert isinstance(me["active"], bool)
    assert 1 <= len(me["friends"]) <= 3


def test_the_same_query_gets_the_same_bytes_across_restarts(write_spec: Callable[..., Path]) -> None:
    spec = write_spec(SCHEMA)
    bodies = []
    for _ in range(2):
        with MockServer(spec) as server:
            bodies.append(httpx.post(server.url + "/graphql", json={"query": QUERY}).content)
    assert bodies[0] == bodies[1]
    with MockServer(spec, seed=7) as server:  # another seed, other values
        assert httpx.post(server.url + "/graphql", json={"query": QUERY}).content != bodies[0]


def test_aliases_and_selections_do_not_change_values(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(SCHEMA))
    url = server.url + "/graphql"
    whole = ask(url, "{ me { name email } }")["data"]["me"]
    aliased = ask(url, "{ who: me { mail: email } me { name } }")["data"]
    assert aliased["who"]["mail"] == whole["email"]
    assert aliased["me"]["name"] == whole["name"]


def test_an_id_is_the_same_object_wherever_it_appears(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(SCHEMA))
    url = server.url + "/graphql"
    listed = ask(url, "{ users(first: 4) { id name email friends { id name } } }")["data"]["users"]
    assert len(listed) == 4
    for user in listed:
        alone = ask(url, "query($id: ID!) { user(id: $id) { id name email } }", {"id": user["id"]})
        assert alone["data"]["user"] == {"id": user["id"], "name": user["name"], "email": user["email"]}
        friend = user["friends"][0]
        again = ask(url, "query($id: ID!) { node(id: $id) { __typename ... on User { name } } }", {"id": friend["id"]})
        assert again["data"]["node"] == {"__typename": "User", "name": friend["name"]}
    # The global id of a type that implements Node names the type (Relay).
    assert listed[0]["id"] != listed[1]["id"]


def test_first_bounds_a_list_and_is_capped(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(SCHEMA))
    url = server.url + "/graphql"
    assert len(ask(url, "{ users(first: 7) { id } }")["data"]["users"]) == 7
    assert len(ask(url, "{ users(first: 5000) { id } }")["data"]["users"]) == 50
    negative = ask(url, "{ users(first: -1) { id } }")
    assert negative["errors"][0]["message"] == "first must not be negative, got -1"
    assert negative["errors"][0]["path"] == ["users"]


def test_dates_follow_the_servers_clock(write_spec: Callable[..., Path], serve: Serve) -> None:
    """Relative dates are relative to the server's clock (pinned by default): the same bytes on any day."""
    import datetime as dt

    from mockery.templates.fakes import Clock

    server = serve(write_spec(SCHEMA), clock=Clock(dt.datetime(2001, 6, 1, tzinfo=dt.UTC)))
    created = ask(server.url + "/graphql", "{ users(first: 10) { createdAt } }")["data"]["users"]
    assert all("1999-06-01" <= user["createdAt"] <= "2001-06-01" for user in created)
