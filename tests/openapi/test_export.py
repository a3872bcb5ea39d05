"""/__mockery/openapi/{service}.json: every service's OpenAPI 3.1 document, checked by openapi-spec-validator
for every bundled spec and every spec example of the docs, and read for what it says of routes and resources."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_spec_validator import validate

from mockery import MockServer, load_specs
from mockery.openapi.export import export_service, openapi_path
from mockery.runtime.state import Runtime

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
BUNDLED = sorted(path.stem for path in SPECS.glob("*.yaml"))
_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
DOC_EXAMPLES = [
    pytest.param(match.group("body"), id=f"{doc.name}:{doc.read_text().count(chr(10), 0, match.start()) + 1}")
    for doc in (ROOT / "docs" / "spec.md", ROOT / "README.md")
    for match in _FENCE.finditer(doc.read_text(encoding="utf-8"))
    if match.group("info").strip() == "yaml"
]


@pytest.fixture(scope="module")
def bundled() -> Iterator[MockServer]:
    with MockServer(SPECS) as server:
        yield server


def document(server: MockServer, service: str) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/__mockery/openapi/{service}.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    data: dict[str, Any] = response.json()
    return data


@pytest.mark.parametrize("service", BUNDLED)
def test_every_bundled_spec_publishes_a_valid_openapi_31_document(bundled: MockServer, service: str) -> None:
    data = document(bundled, service)
    assert data["openapi"] == "3.1.0"
    validate(data)


def test_the_index_lists_every_document(bundled: MockServer) -> None:
    listed = httpx.get(f"{bundled.url}/__mockery/openapi").json()["documents"]
    assert sorted(entry["service"] for entry in listed) == BUNDLED
    assert all(entry["url"] == f"/__mockery/openapi/{entry['service']}.json" for entry in listed)


@pytest.mark.parametrize("text", DOC_EXAMPLES)
def test_every_spec_example_of_the_docs_exports_a_valid_document(text: str, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    for route in yaml.safe_load(text).get("routes") or []:
        name = (route.get("response") or {}).get("file")
        if isinstance(name, str):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text('{"example": true}\n', encoding="utf-8")
    specs = load_specs([spec], environ={})
    runtime = Runtime(specs)
    for service in specs.services:
        validate(export_service(service, lambda resource: runtime.resources.validators[resource.key].schema()))


def test_an_unknown_service_is_a_404_problem_naming_the_known_ones(bundled: MockServer) -> None:
    response = httpx.get(f"{bundled.url}/__mockery/openapi/user.json")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["services"] == ["shop", "users", "payments"] or sorted(problem["services"]) == BUNDLED
    assert "'users'" in problem["detail"]  # did you mean


@pytest.mark.parametrize(
    ("path", "template", "schema"),
    [
        ("/users/{id:int}", "/users/{id}", {"type": "integer", "minimum": 0}),
        ("/p/{id:uuid}", "/p/{id}", {"type": "string", "format": "uuid"}),
        ("/price/{x:float}", "/price/{x}", {"type": "number", "minimum": 0}),
        ("/files/{rest:path}", "/files/{rest}", {"type": "string", "description": "may hold '/'"}),
        ("/tags/{name}", "/tags/{name}", {"type": "string", "pattern": "^[^/]+$"}),
    ],
    ids=["int", "uuid", "float", "path", "str"],
)
def test_path_parameters_are_typed_by_their_convertor(path: str, template: str, schema: dict[str, Any]) -> None:
    found, parameters = openapi_path(path)
    assert found == template
    assert parameters == [{"name": template.split("{")[1][:-1], "in": "path", "required": True, "schema": schema}]


def test_routes_document_their_statuses_bodies_and_headers(bundled: MockServer) -> None:
    data = document(bundled, "users")
    assert data["servers"] == [{"url": "/api", "description": "this mockery server"}]
    lucky = data["paths"]["/lucky"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert lucky == {"type": "object", "properties": {"number": {}, "color": {}}, "required": ["number", "color"]}
    avatar = data["paths"]["/users/{id}/avatar"]["get"]
    assert avatar["parameters"][0]["schema"]["type"] == "integer"
    assert avatar["responses"]["200"]["headers"]["cache-control"]["example"] == "max-age=3600"
    assert "image/svg+xml" in avatar["responses"]["200"]["content"]
    payments = document(bundled, "payments")
    assert payments["servers"][0]["url"] == bundled.url_for("payments")  # its own listener
    declined = payments["paths"]["/payments/declined"]["post"]["responses"]["402"]["content"]
    media = declined["application/problem+json"]  # the Content-Type header the route sets
    assert media["example"]["title"] == "Card declined"
    assert media["schema"]["properties"]["status"] == {"type": "integer"}
    # Two routes on one path, each answering in a scenario state: one operation, and the 404 of other states.
    status = payments["paths"]["/refunds/status"]["get"]
    assert status["summary"] == "refund processing / refund done"
    assert set(status["responses"]) == {"200", "404"}


def test_resources_get_their_rest_endpoints_with_record_schemas(bundled: MockServer) -> None:
    data = document(bundled, "shop")
    customers = data["components"]["schemas"]["customers"]
    assert customers["properties"]["id"] == {"type": "integer"}
    assert customers["properties"]["tier"] == {"type": "string"}
    assert data["components"]["schemas"]["orders"]["properties"]["customer_id"] == {"type": ["integer", "null"]}
    listing = data["paths"]["/customers"]["get"]
    assert {"_page", "_limit", "_sort", "q"} <= {parameter["name"] for parameter in listing["parameters"]}
    assert set(listing["responses"]["200"]["headers"]) == {"X-Total-Count", "Link"}
    assert listing["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/customers"},
    }
    create = data["paths"]["/customers"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/customers"}
    assert set(create["responses"]) == {"201", "409", "422"}
    assert "Location" in create["responses"]["201"]["headers"]
    item = data["paths"]["/customers/{id}"]
    assert set(item) == {"get", "put", "patch", "delete"}
    assert set(item["delete"]["responses"]) == {"204", "404"}
    assert item["get"]["responses"]["404"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    patch = item["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert patch["properties"]["tier"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert "/customers/{id}/orders" in data["paths"]


def test_a_service_built_from_an_openapi_document_republishes_it(
    serve: Callable[..., MockServer], write_spec: Callable[..., Path]
) -> None:
    source = """\
    openapi: 3.1.0
    info: {title: Pets, version: "2"}
    servers: [{url: "https://api.example.com/v1"}]
    paths:
      /pets:
        get:
          responses:
            "200": {description: pets, content: {application/json: {schema: {type: array}}}}
    """
    server = serve(write_spec(source, "pets.yaml"))
    data = document(server, "pets")
    assert data["servers"] == [{"url": "/v1", "description": "this mockery server"}]
    assert data["info"] == {"title": "Pets", "version": "2"}
    assert data["paths"] == yaml.safe_load(textwrap.dedent(source))["paths"]
    validate(data)


def test_a_republished_document_points_servers_at_every_level_at_the_mock(
    serve: Callable[..., MockServer], write_spec: Callable[..., Path]
) -> None:
    source = """\
    openapi: 3.0.3
    info: {title: Pets, version: "2"}
    servers: [{url: "https://api.example.com/v1"}, {url: "https://eu.example.com/v1"}]
    paths:
      /pets:
        servers: [{url: "https://pets.example.com/v1"}]
        get:
          servers: [{url: "https://read.example.com/v1"}]
          responses:
            "200": {description: pets, content: {application/json: {schema: {type: array}}}}
        post:
          callbacks:
            created:
              "{$request.body#/hook}":
                post:
                  servers: [{url: "https://client.example.com"}]
                  responses: {"200": {description: ok}}
          responses:
            "201": {description: created}
      /owners:
        get:
          responses:
            "200": {description: owners}
    """
    server = serve(write_spec(source, "pets.yaml"))
    data = document(server, "pets")
    mock = [{"url": "/v1", "description": "this mockery server"}]
    assert data["servers"] == mock
    assert data["paths"]["/pets"]["servers"] == mock
    assert data["paths"]["/pets"]["get"]["servers"] == mock
    assert "servers" not in data["paths"]["/pets"]["post"]
    assert "servers" not in data["paths"]["/owners"]
    # A callback is the client's server: it stays.
    hook = data["paths"]["/pets"]["post"]["callbacks"]["created"]["{$request.body#/hook}"]["post"]
    assert hook["servers"] == [{"url": "https://client.example.com"}]
    validate(data)
    # Every server URL of an operation leads to the mock: calling it there answers.
    assert httpx.get(server.url + data["paths"]["/pets"]["get"]["servers"][0]["url"] + "/pets").status_code == 200


SWAGGER = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "swagger2"
SWAGGER_DOCUMENTS = (
    sorted(p for p in SWAGGER.glob("*") if p.suffix in (".yaml", ".yml", ".json")) if SWAGGER.is_dir() else []
)


@pytest.mark.skipif(not SWAGGER_DOCUMENTS, reason=f"the Swagger 2.0 corpus is not at {SWAGGER}")
@pytest.mark.parametrize("path", SWAGGER_DOCUMENTS, ids=lambda p: p.stem[:40])
def test_a_swagger_2_document_exports_as_the_openapi_3_document_served(path: Path) -> None:
    (service,) = load_specs([path]).services
    with MockServer(path) as server:
        data = document(server, service.name)
    assert data["openapi"] == "3.0.3"
    assert "swagger" not in data
    assert data["servers"] == [{"url": service.base_path or "/", "description": "this mockery server"}]
    assert data["paths"]
    for item in data["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "parameters" in operation:
                assert all(parameter.get("in") not in ("body", "formData") for parameter in operation["parameters"])
