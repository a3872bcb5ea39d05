"""`mockery import openapi`: the written spec passes `mockery validate` and serves what the document says."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from mockery import MockServer, SpecErrors, load_specs
from mockery.cli import cli
from mockery.openapi.operation import Operation
from tests.openapi.support import ENVIRON, LITERAL, LITERAL_BODY, PETSTORE

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "openapi"
DOCUMENTS = sorted(p for p in CORPUS.glob("*") if p.suffix in (".yaml", ".yml", ".json")) if CORPUS.is_dir() else []


def imported(document: Path, output: Path) -> Path:
    result = CliRunner().invoke(cli, ["import", "openapi", str(document), "-o", str(output)])
    assert result.exit_code == 0, result.output
    written = Path(result.output.strip().removeprefix("wrote "))
    assert written.parent == output
    assert written.suffix == ".yaml"
    return written


def test_the_petstore_imports_as_a_resource_with_faker_fields_and_serves_state(tmp_path: Path) -> None:
    (tmp_path / "pets.yaml").write_text(PETSTORE)
    written = imported(tmp_path / "pets.yaml", tmp_path / "specs")
    text = written.read_text()
    assert "    fields:\n      name: name\n      species:\n        choice: [cat, dog]\n      email: email\n" in text
    assert "age: {faker: pyint, min_value: 0, max_value: 30}" in text
    validated = CliRunner().invoke(cli, ["validate", str(written)])
    assert validated.exit_code == 0, validated.output
    original = load_specs([tmp_path / "pets.yaml"]).services[0]
    schema_of = {route.path: route.handler for route in original.routes}
    with MockServer(written) as server:
        base = server.url_for("pets")
        pets = httpx.get(base + "/pets").json()
        assert [pet["id"] for pet in pets] == [1, 2, 3, 4]
        record_schema = schema_of["/v1/pets/{p0}"]
        assert isinstance(record_schema, Operation)
        item = record_schema.document.data["components"]["schemas"]["NewPet"]
        for pet in pets:
            errors = list(record_schema.document.validator(item).iter_errors(pet))
            assert not errors, errors[0].message
        created = httpx.post(base + "/pets", json={"name": "Rex", "species": "dog"}).json()
        assert httpx.get(f"{base}/pets/{created['id']}").json() == created
        search = httpx.get(base + "/search", params={"q": "abc"})
        assert search.status_code == 200
        assert isinstance(search.json(), list)


@pytest.mark.skipif(not DOCUMENTS, reason=f"the OpenAPI corpus is not at {CORPUS}")
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem[:40])
@pytest.mark.slow
def test_every_corpus_document_imports_validates_and_answers_its_plain_gets(document: Path, tmp_path: Path) -> None:
    written = imported(document, tmp_path)
    spec = load_specs([written]).services[0]  # what `mockery validate` runs
    original = load_specs([document]).services[0]
    documented = {route.path: route.handler for route in original.routes if route.methods == ("GET",)}
    with MockServer(written) as server, httpx.Client(base_url=server.url_for(spec.name), timeout=30) as client:
        for route in spec.routes:
            if route.methods != ("GET",) or "{" in route.path:
                continue
            operation = documented.get(route.path)
            assert isinstance(operation, Operation), route.path
            if any(parameter.required for parameter in operation.parameters):
                continue
            answer = client.get(route.path[len(spec.base_path) :])
            code = operation._success()
            assert code is not None
            if code.isdigit():
                assert answer.status_code == int(code), (route.path, answer.text[:200])
        for resource in spec.resources:
            listed = client.get(resource.path[len(spec.base_path) :])
            assert listed.status_code in (200, 405), (resource.name, listed.text[:200])


def test_an_imported_spec_serves_the_documents_text_as_written(tmp_path: Path) -> None:
    (tmp_path / "literal.yaml").write_text(LITERAL)
    written = imported(tmp_path / "literal.yaml", tmp_path / "specs")
    with MockServer(written, environ=ENVIRON) as server:
        answer = httpx.get(server.url_for("literal") + "/things")
    assert answer.status_code == 200
    assert answer.json() == LITERAL_BODY


def test_import_refuses_a_document_serve_refuses(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(PETSTORE.replace("openapi: 3.0.3\n", "openapi: 3.0.3\nx-a: !!binary aGk=\n", 1))
    with pytest.raises(SpecErrors):
        load_specs([tmp_path / "api.yaml"])
    result = CliRunner().invoke(cli, ["import", "openapi", str(tmp_path / "api.yaml"), "-o", str(tmp_path / "specs")])
    assert result.exit_code != 0
    assert "api.yaml:2:6: x-a: tag '!!binary' is not allowed" in result.output
    assert not (tmp_path / "specs").exists()


def test_import_names_a_file_that_is_no_openapi_document(tmp_path: Path) -> None:
    (tmp_path / "users.yaml").write_text("service: users\nroutes: []\n")
    result = CliRunner().invoke(cli, ["import", "openapi", str(tmp_path / "users.yaml"), "-o", str(tmp_path / "specs")])
    assert result.exit_code != 0
    assert "users.yaml:1:1: the file is not an OpenAPI document" in result.output
