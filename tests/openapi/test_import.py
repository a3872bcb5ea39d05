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


SWAGGER_CORPUS = CORPUS.parent / "swagger2"
EVERY_DOCUMENT = DOCUMENTS + (
    sorted(p for p in SWAGGER_CORPUS.glob("*") if p.suffix in (".yaml", ".yml", ".json"))
    if SWAGGER_CORPUS.is_dir()
    else []
)

MEDIA = """\
openapi: 3.0.3
info: {title: Media, version: "1"}
x-mockery-service: media
paths:
  /notes:
    get:
      responses:
        "200":
          description: plain text
          content:
            text/plain:
              schema: {type: string}
              example: hello, world
  /download:
    get:
      responses:
        "200":
          description: bytes
          content:
            application/octet-stream:
              schema: {type: string, format: binary}
  /logo:
    get:
      responses:
        "200":
          description: an image
          content:
            image/png:
              schema: {type: string, format: binary}
  /things:
    get:
      responses:
        "200":
          description: things
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Thing"}}
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Thing"}
      responses:
        "200":
          description: created, answered 200 by this API
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
  /things/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200":
          description: a thing
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
    delete:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200": {description: deleted, answered 200}
components:
  schemas:
    Thing:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
"""


def test_a_long_file_name_becomes_a_valid_short_service_name_that_stays_unique(tmp_path: Path) -> None:
    stem = "a-very-long-name-of-an-api-document-that-someone-downloaded-from-a-registry-of-apis"
    for suffix in ("one", "two"):
        (tmp_path / f"{stem}-{suffix}.yaml").write_text(LITERAL.replace("x-mockery-service: literal\n", ""))
    written = [imported(tmp_path / f"{stem}-{suffix}.yaml", tmp_path / "specs") for suffix in ("one", "two")]
    names = [path.stem for path in written]
    assert all(len(name) <= 63 for name in names)
    assert names[0] != names[1]
    assert all(name.startswith("a-very-long-name-of-an-api-document") for name in names)
    for path in written:
        validated = CliRunner().invoke(cli, ["validate", str(path)])
        assert validated.exit_code == 0, validated.output
    # serve names the document's service as import does
    served = [load_specs([tmp_path / f"{stem}-{suffix}.yaml"]).services[0].name for suffix in ("one", "two")]
    assert served == names


def test_documents_with_the_same_name_import_side_by_side(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "api.yaml").write_text(PETSTORE.replace("x-mockery-service: pets\n", ""))
    first = imported(tmp_path / "a" / "api.yaml", tmp_path / "specs")
    again = imported(tmp_path / "a" / "api.yaml", tmp_path / "specs")
    second = imported(tmp_path / "b" / "api.yaml", tmp_path / "specs")
    assert first == again  # importing the same document again rewrites its spec
    assert (first.stem, second.stem) == ("api", "api-2")
    assert "service: api-2\n" in second.read_text()
    validated = CliRunner().invoke(cli, ["validate", str(second)])
    assert validated.exit_code == 0, validated.output


def test_media_types_and_documented_statuses_survive_import(tmp_path: Path) -> None:
    (tmp_path / "media.yaml").write_text(MEDIA)
    written = imported(tmp_path / "media.yaml", tmp_path / "specs")
    with MockServer(written) as server, httpx.Client(base_url=server.url_for("media")) as client:
        notes = client.get("/notes")
        assert notes.headers["content-type"].startswith("text/plain")
        assert notes.text == "hello, world"
        download = client.get("/download")
        assert (download.status_code, download.headers["content-type"]) == (200, "application/octet-stream")
        assert client.get("/logo").headers["content-type"] == "image/png"
        # Only 200 is documented for the create and the delete: no 201, no 204.
        created = client.post("/things", json={"name": "x"})
        assert created.status_code == 200
        assert isinstance(created.json(), dict)
        assert client.delete("/things/1").status_code == 200
        listed = client.get("/things")
        assert listed.status_code == 200
        assert isinstance(listed.json(), list)
        assert client.get("/things/1").status_code == 200


@pytest.mark.skipif(not EVERY_DOCUMENT, reason=f"the corpus is not at {CORPUS.parent}")
@pytest.mark.slow
def test_every_spec_imported_from_both_corpus_folders_validates(tmp_path: Path) -> None:
    output = tmp_path / "specs"
    written = [imported(document, output) for document in EVERY_DOCUMENT]
    assert len(set(written)) == len(EVERY_DOCUMENT)  # a file, and a service name, each
    for spec in written:
        # Each on its own: several are the same pet store, whose paths would clash on one listener.
        result = CliRunner().invoke(cli, ["validate", str(spec)])
        assert result.exit_code == 0, result.output
        assert len(spec.stem) <= 63


SWAGGER_DOCUMENTS = [p for p in EVERY_DOCUMENT if p.parent == SWAGGER_CORPUS]


@pytest.mark.skipif(not SWAGGER_DOCUMENTS, reason=f"the Swagger 2.0 corpus is not at {SWAGGER_CORPUS}")
@pytest.mark.parametrize("document", SWAGGER_DOCUMENTS, ids=lambda p: p.stem[:40])
def test_a_swagger_2_document_imports_and_serves_its_documented_answers(document: Path, tmp_path: Path) -> None:
    written = imported(document, tmp_path)
    spec = load_specs([written]).services[0]
    original = load_specs([document]).services[0]
    assert spec.name == original.name
    assert spec.base_path == original.base_path
    plain_gets = [
        route
        for route in original.routes
        if route.methods == ("GET",)
        and isinstance(route.handler, Operation)
        and not any(parameter.required for parameter in route.handler.parameters)
    ]
    assert plain_gets
    with MockServer(written) as server, httpx.Client(base_url=server.url_for(spec.name), timeout=30) as client:
        for route in plain_gets:
            operation = route.handler
            assert isinstance(operation, Operation)
            answer = client.get(route.path[len(spec.base_path) :])
            code = operation._success()
            assert code is not None
            assert answer.status_code == (int(code) if code.isdigit() else 200), (route.path, answer.text[:200])
