"""A spec's graphql key: every mistake located, in the spec or in the schema file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mockery.errors import SpecErrors
from mockery.load.loader import load_specs


def _errors(spec: Path) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    return [str(error) for error in caught.value.errors]


def test_mistakes_in_a_schema_file_are_located_in_it(write_spec: Callable[..., Path], tmp_path: Path) -> None:
    (tmp_path / "api.graphql").write_text("type Query {\n  me: User\n  age: Int\n}\n\ntype Query { again: Int }\n")
    spec = write_spec("service: api\ngraphql:\n  schema: api.graphql\n")
    errors = _errors(spec)
    assert any(error.endswith("/api.graphql:2:7: Unknown type 'User'.; fix the SDL schema") for error in errors)
    assert any("/api.graphql:1:6: There can be only one type named 'Query'." in error for error in errors)
    assert len(errors) == 2


def test_a_syntax_error_of_inline_sdl_is_located_in_the_spec(write_spec: Callable[..., Path]) -> None:
    spec = write_spec("service: api\ngraphql:\n  sdl: |\n    type Query {\n      me: String\n      age Int\n    }\n")
    [error] = _errors(spec)
    assert error.endswith(
        "/spec.yaml:6:8: graphql.sdl: line 3 of the SDL: Syntax Error: Expected ':', found Name 'Int'."
    )


@pytest.mark.parametrize(
    ("graphql", "expected"),
    [
        (
            "schema: ../outside.graphql",
            "spec.yaml:3:11: graphql.schema: '../outside.graphql' lies outside the spec's folder",
        ),
        ("schema: missing.graphql", "spec.yaml:3:11: graphql.schema: file 'missing.graphql' does not exist in"),
        (
            '{schema: a.graphql, sdl: "type Query { a: Int }"}',
            "spec.yaml:3:3: graphql: give the schema as a file (`schema`) or inline (`sdl`), one of the two",
        ),
        (
            'sdl: "type Query { a: Int }"\n  path: "no-slash"',
            "spec.yaml:4:9: graphql.path: 'no-slash' does not match the pattern",
        ),
        (
            'sdl: "type User { id: ID } type Query { a: Int }"\n  types: {Usr: {resource: users}}',
            "graphql.types.Usr: the schema has no object type 'Usr'; did you mean 'User'?",
        ),
        (
            'sdl: "type User { id: ID } type Query { a: Int }"\n  types: {User: {resource: user}}',
            "graphql.types.User.resource: the service has no resource 'user'; did you mean 'users'?",
        ),
        (
            'sdl: "type Query { name: Int }"\n  fields: {Query.nme: {value: 1}}',
            "graphql.fields.Query.nme: Query has no field 'nme'; did you mean 'name'?",
        ),
        (
            'sdl: "type Query { name: Int }"\n  fields: {Quer.name: {value: 1}}',
            "graphql.fields.Quer.name: the schema has no object type 'Quer'; did you mean 'Query'?",
        ),
        (
            'sdl: "type Mutation { a: Int }"',
            "spec.yaml:3:8: graphql.sdl: line 1 of the SDL: Query root type must be provided.",
        ),
    ],
    ids=["outside", "missing", "both", "path", "type", "resource", "field", "field-type", "no-query"],
)
def test_mistakes_of_the_key_are_located(write_spec: Callable[..., Path], graphql: str, expected: str) -> None:
    spec = write_spec(
        f"service: api\ngraphql:\n  {graphql}\nresources:\n  users: {{count: 2, fields: {{name: name}}}}\n"
    )
    errors = _errors(spec)
    assert any(expected in error for error in errors), errors


def test_an_undeclared_client_directive_is_tolerated(write_spec: Callable[..., Path]) -> None:
    spec = write_spec('service: api\ngraphql:\n  sdl: "type Query @typePolicy(keyFields: \\"id\\") { a: Int }"\n')
    [service] = load_specs([spec]).services
    assert [route.path for route in service.routes] == ["/graphql/graphiql", "/graphql/graphiql/{asset}", "/graphql"]
