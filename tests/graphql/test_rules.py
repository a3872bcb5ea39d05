"""Field rules of the spec (fixed values, errors with partial data), behaviours, and introspection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from graphql import build_client_schema, get_introspection_query, print_schema

from mockery import MockServer
from tests.graphql.support import ask

Serve = Callable[..., MockServer]

SPEC = """\
service: rules
graphql:
  sdl: |
    type User { id: ID! name: String email: String team: Team }
    type Team { name: String size: Int }
    type Query { me: User ping: String users: [User!] }
  fields:
    Query.me: {value: {name: Ada Lovelace, team: {name: Engines}}}
    Query.ping: {value: pong}
    Query.users: {error: "users are offline"}
"""


def test_fixed_values_and_errors_per_field(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(SPEC))
    result = ask(server.url + "/graphql", "{ ping me { name email team { name size } } users { id } }")
    me = result["data"]["me"]
    assert result["data"]["ping"] == "pong"
    assert me["name"] == "Ada Lovelace"
    assert me["team"]["name"] == "Engines"
    assert "@" in me["email"]  # the fields the rule leaves out are generated
    assert isinstance(me["team"]["size"], int)
    assert result["data"]["users"] is None  # partial data: the rest of the answer stays
    assert result["errors"] == [
        {"message": "users are offline", "locations": [{"line": 1, "column": 45}], "path": ["users"]}
    ]


def test_behaviours_apply_to_the_endpoint(write_spec: Callable[..., Path], serve: Serve) -> None:
    spec = SPEC + "behaviours:\n  fault: {status: 503, rate: 1}\n"
    server = serve(write_spec(spec))
    response = httpx.post(server.url + "/graphql", json={"query": "{ ping }"})
    assert response.status_code == 503


def test_introspection_gives_a_client_the_whole_schema(write_spec: Callable[..., Path], serve: Serve) -> None:
    """graphql-core as a client: the introspection query GraphiQL and code generators send, read back."""
    server = serve(write_spec(SPEC))
    result = ask(server.url + "/graphql", get_introspection_query(descriptions=True))
    assert "errors" not in result
    client_schema = build_client_schema(result["data"])
    printed = print_schema(client_schema)
    assert "type User {\n  id: ID!\n  name: String\n  email: String\n  team: Team\n}" in printed
    assert "type Query {\n  me: User\n  ping: String\n  users: [User!]\n}" in printed


TEMPLATED = """\
service: templated
graphql:
  sdl: |
    type User { id: ID! name: String greeting: String }
    type Query { me: User hello(who: String!): String }
  fields:
    Query.me: {value: {name: "{{ faker.first_name() }} Lovelace"}}
    Query.hello: {value: "Hello, {{ args.who }} ({{ variables.who | length }} letters)"}
"""


def test_templates_in_field_values_see_arguments_and_variables(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(TEMPLATED))
    url = server.url + "/graphql"
    result = ask(url, "query($who: String!) { hello(who: $who) me { name id } }", {"who": "Ada"})
    assert result["data"]["hello"] == "Hello, Ada (3 letters)"
    name = result["data"]["me"]["name"]
    assert name.endswith(" Lovelace")
    assert len(name) > len(" Lovelace")
    assert ask(url, "{ me { name } }")["data"]["me"]["name"] == name  # seeded: the same on every call


def test_a_template_mistake_is_located_in_the_spec(write_spec: Callable[..., Path]) -> None:

    from mockery.errors import SpecErrors
    from mockery.load.loader import load_specs

    spec = write_spec(TEMPLATED.replace("args.who", "arg.who").replace("first_name", "frist_name"))
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    messages = [f"{error.line}: {error.path}: {error.message}; {error.suggestion}" for error in caught.value.errors]
    assert messages == [
        "7: graphql.fields.Query.me.value.name: unknown Faker provider 'frist_name'; did you mean 'first_name'?",
        "8: graphql.fields.Query.hello.value: unknown name 'arg'; did you mean 'args'?",
    ]


OPERATIONS = """\
service: ops
routes:
  - path: /graphql
    method: POST
    match:
      body:
        json: {operationName: GetMe, variables: {id: "7"}}
    response:
      body: {data: {me: {id: "7", name: Canned}}}
graphql:
  sdl: |
    type User { id: ID! name: String }
    type Query { me(id: ID): User }
"""


def test_a_route_matching_an_operation_answers_before_the_schema(write_spec: Callable[..., Path], serve: Serve) -> None:
    """Per-operation answers are spec routes on the GraphQL path with the usual conditions (operation name,
    variables); the GraphQL endpoint answers every other request."""
    server = serve(write_spec(OPERATIONS))
    url = server.url + "/graphql"
    query = "query GetMe($id: ID) { me(id: $id) { id name } }"
    assert ask(url, query, {"id": "7"}, "GetMe") == {"data": {"me": {"id": "7", "name": "Canned"}}}
    generated = ask(url, query, {"id": "8"}, "GetMe")["data"]["me"]
    assert generated["id"] == "8"
    assert generated["name"] != "Canned"


def test_a_real_client_library_reads_the_schema_and_queries(write_spec: Callable[..., Path], serve: Serve) -> None:
    """gql (Python's GraphQL client) fetches the schema by introspection and validates queries against it."""
    gql_module = pytest.importorskip("gql")
    from gql.transport.httpx import HTTPXTransport

    server = serve(write_spec(SPEC))
    client = gql_module.Client(transport=HTTPXTransport(url=server.url + "/graphql"), fetch_schema_from_transport=True)
    with client as session:
        result = session.execute(gql_module.gql("query Ping { ping me { name team { name } } }"))
        assert result == {"ping": "pong", "me": {"name": "Ada Lovelace", "team": {"name": "Engines"}}}
        assert client.schema is not None
        assert sorted(client.schema.type_map["User"].fields) == ["email", "id", "name", "team"]
        with pytest.raises(Exception, match="Cannot query field 'nope' on type 'User'"):
            session.execute(gql_module.gql("{ me { nope } }"))  # refused by the client, from the fetched schema
