"""Loading OpenAPI documents: versions, located errors and warnings, folders that mix them with specs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from mockery import MockServer, SpecErrors, load_specs
from mockery.cli import cli
from tests.openapi.support import ENVIRON, LITERAL, LITERAL_BODY, PETSTORE

MINIMAL = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/hello": {
            "get": {
                "responses": {
                    "200": {
                        "description": "hi",
                        "content": {"application/json": {"schema": {"$ref": "https://example.com/s.json#/Hello"}}},
                    }
                }
            }
        }
    },
}

USERS_SPEC = """\
service: users
routes:
  - path: /users/{id:int}
    response: {body: {id: "{{ request.path_params.id }}"}}
"""


def test_a_swagger_2_document_is_served_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(
        "info: {title: x, version: '1'}\nswagger: '2.0'\nbasePath: /api\n"
        "paths:\n  /ping:\n    get:\n      responses: {200: {description: ok, schema: {type: integer}}}\n"
    )
    (service,) = load_specs([path]).services
    assert service.base_path == "/api"
    with MockServer(path) as server:
        answer = httpx.get(server.url_for(service.name) + "/ping")
    assert answer.status_code == 200
    assert isinstance(answer.json(), int)


def test_an_unsupported_version_is_located(tmp_path: Path) -> None:
    path = tmp_path / "future.yaml"
    path.write_text("openapi: 4.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n")
    with pytest.raises(SpecErrors) as caught:
        load_specs([path])
    assert caught.value.errors[0].line == 1
    assert "4.0.0" in caught.value.errors[0].message


def test_a_dangling_local_reference_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "dangling.yaml"
    path.write_text(PETSTORE.replace("'#/components/schemas/Error'", "'#/components/schemas/Missing'", 1))
    with pytest.raises(SpecErrors) as caught:
        load_specs([path])
    assert any("points to nothing" in error.message for error in caught.value.errors)


def test_a_remote_reference_is_not_fetched_but_warned_where_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "remote.json"
    text = json.dumps(MINIMAL, indent=2)
    path.write_text(text)
    line = next(number for number, row in enumerate(text.splitlines(), 1) if '"$ref"' in row)
    with caplog.at_level(logging.WARNING, logger="mockery.openapi"):
        specs = load_specs([path])
    (record,) = [r for r in caplog.records if "remote reference" in r.getMessage()]
    assert f"remote.json:{line}:" in record.getMessage()
    assert "https://example.com/s.json#/Hello" in record.getMessage()
    with MockServer(specs=specs) as server:
        assert httpx.get(server.url_for("remote") + "/hello").status_code == 200


def test_a_schema_no_value_satisfies_is_warned_where_written(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = PETSTORE.replace(
        "        age: {type: integer, minimum: 0, maximum: 30}",
        "        age: {type: integer, minimum: 0, maximum: 30}\n        code: {type: string, enum: [1, 2]}",
    )
    path = tmp_path / "pets.yaml"
    path.write_text(text)
    with caplog.at_level(logging.WARNING, logger="mockery.openapi"):
        load_specs([path])
    line = text.splitlines().index("        code: {type: string, enum: [1, 2]}") + 1
    messages = [r.getMessage() for r in caplog.records if "no value can satisfy" in r.getMessage()]
    assert messages
    assert messages[0].startswith(f"{path}:{line}:15: components.schemas.NewPet.properties.code")


def test_a_folder_mixing_an_openapi_document_and_a_spec_serves_both(tmp_path: Path) -> None:
    (tmp_path / "pets.yaml").write_text(PETSTORE)
    (tmp_path / "users.yaml").write_text(USERS_SPEC)
    (tmp_path / "hello.json").write_text(json.dumps(MINIMAL))
    specs = load_specs([tmp_path])
    assert sorted(service.name for service in specs.services) == ["hello", "pets", "users"]
    with MockServer(tmp_path) as server:
        assert httpx.get(server.url_for("users") + "/users/3").json() == {"id": 3}
        assert httpx.get(server.url_for("pets") + "/pets/1").json()["id"] == 1
        assert httpx.get(server.url_for("hello") + "/hello").status_code == 200


def test_an_openapi_document_serves_its_text_as_written(tmp_path: Path) -> None:
    (tmp_path / "literal.yaml").write_text(LITERAL)
    with MockServer(tmp_path / "literal.yaml", environ=ENVIRON) as server:
        answer = httpx.get(server.url_for("literal") + "/things")
    assert answer.status_code == 200
    assert answer.json() == LITERAL_BODY


def test_validate_agrees_with_serve_on_an_openapi_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "literal.yaml").write_text(LITERAL)
    monkeypatch.delenv("SECRET_TOKEN", raising=False)  # unset, and no default: a spec would be refused
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "literal.yaml")])
    assert result.exit_code == 0, result.output


BROKEN_STRUCTURE = """\
openapi: 3.0.3
info: {title: t, version: "1"}
components: {schemas: [1]}
paths:
  /a: 3
  /b:
    parameters: x
    get: 4
    post: {responses: 5}
    put: {parameters: [1], requestBody: 2, responses: {"200": 3}}
"""


def test_a_document_of_broken_structure_is_refused_with_every_place_located(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN_STRUCTURE)
    with pytest.raises(SpecErrors) as caught:
        load_specs([path])
    found = {(error.line, error.path): error.message for error in caught.value.errors}
    assert found == {
        (3, "components.schemas"): "'components.schemas' must be a mapping, not list [1]",
        (5, "paths./a"): "a path item must be a mapping, not int 3",
        (7, "paths./b.parameters"): "'parameters' must be a list, not str 'x'",
        (8, "paths./b.get"): "an operation must be a mapping, not int 4",
        (9, "paths./b.post.responses"): "'responses' must be a mapping, not int 5",
        (10, "paths./b.put.parameters[0]"): "a parameter must be a mapping, not int 1",
        (10, "paths./b.put.requestBody"): "'requestBody' must be a mapping, not int 2",
        (10, "paths./b.put.responses.200"): "a response must be a mapping, not int 3",
    }
    result = CliRunner().invoke(cli, ["import", "openapi", str(path), "-o", str(tmp_path / "specs")])
    assert result.exit_code != 0
    assert "broken.yaml:5:7: paths./a: a path item must be a mapping" in result.output


def test_a_swagger_2_document_of_broken_structure_is_located_in_its_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text('swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths:\n  /a: 3\n')
    with pytest.raises(SpecErrors) as caught:
        load_specs([path])
    (error,) = caught.value.errors
    assert (error.line, error.column, error.path) == (4, 7, "paths./a")
    assert error.message == "a path item must be a mapping, not int 3"
