"""The Swagger 2.0 converter: each tricky part of 2.0 in OpenAPI 3.0 terms, located in the original file."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

from mockery import SpecErrors, load_specs
from mockery.openapi.converted import ConvertedDocument
from mockery.openapi.document import OpenAPIDocument, openapi_document
from mockery.openapi.swagger2 import convert
from mockery.source.yaml_loader import load_document

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "swagger2"
DOCUMENTS = sorted(p for p in CORPUS.glob("*") if p.suffix in (".yaml", ".yml", ".json")) if CORPUS.is_dir() else []

TASKS = """\
swagger: "2.0"
info: {title: Tasks, version: "1"}
host: api.example.com
basePath: /v1
schemes: [http, https]
consumes: [application/json]
produces: [application/json]
x-audience: internal
securityDefinitions:
  key_query: {type: apiKey, name: token, in: query}
  key_header: {type: apiKey, name: X-Token, in: header}
  basic: {type: basic, description: user and password}
  oauth: {type: oauth2, flow: accessCode, authorizationUrl: "https://a.example/auth",
          tokenUrl: "https://a.example/token", scopes: {read: reads}}
  robot: {type: oauth2, flow: application, tokenUrl: "https://a.example/token", scopes: {}}
parameters:
  pageSize: {name: pageSize, in: query, type: integer, default: 20, maximum: 100}
  taskId: {name: id, in: path, required: true, type: integer, format: int64}
  taskBody: {name: body, in: body, required: true, schema: {$ref: "#/definitions/Task"}}
responses:
  Error:
    description: an error
    headers:
      X-Error-Code: {type: string}
    schema: {$ref: "#/definitions/Error"}
definitions:
  Task:
    type: object
    required: [title]
    discriminator: kind
    x-nullable: true
    properties:
      id: {type: integer, readOnly: true}
      title: {type: string, x-order: 1}
      kind: {type: string}
      parent: {$ref: "#/definitions/Task"}
      note: {type: string, x-nullable: true}
  Error:
    type: object
    properties:
      message: {type: string}
paths:
  /tasks:
    x-group: tasks
    get:
      x-rate: 10
      parameters:
        - $ref: "#/parameters/pageSize"
        - {name: tags, in: query, type: array, items: {type: string}}
        - {name: status, in: query, type: array, collectionFormat: pipes, items: {type: string, enum: [open, done]}}
        - {name: words, in: query, type: array, collectionFormat: ssv, items: {type: string}}
        - {name: ids, in: query, type: array, collectionFormat: multi, items: {type: integer}}
        - {name: X-Trace, in: header, type: string, x-example: abc}
      responses:
        200:
          description: tasks
          headers:
            X-Total: {type: integer, format: int32}
          schema: {type: array, items: {$ref: "#/definitions/Task"}}
        default: {$ref: "#/responses/Error"}
    post:
      security: [{key_query: []}, {key_header: []}]
      parameters:
        - $ref: "#/parameters/taskBody"
      responses:
        201: {description: created}
  /tasks/{id}:
    parameters:
      - $ref: "#/parameters/taskId"
    put:
      consumes: [application/xml, application/json]
      produces: [application/xml]
      parameters:
        - name: body
          in: body
          schema: {$ref: "#/definitions/Task"}
          x-examples:
            application/json: {title: Write the docs}
      responses:
        200: {description: the task, schema: {$ref: "#/definitions/Task"}}
        204:
  /tasks/{id}/files:
    parameters:
      - $ref: "#/parameters/taskId"
    post:
      consumes: [multipart/form-data]
      parameters:
        - {name: file, in: formData, type: file, required: true}
        - {name: description, in: formData, type: string}
      responses:
        201: {description: uploaded}
  /tasks/{id}/notes:
    post:
      parameters:
        - {name: id, in: path, required: true, type: integer}
        - {name: text, in: formData, type: string, required: true}
        - {name: labels, in: formData, type: array, items: {type: string}}
      responses:
        204: {description: noted}
  /download:
    get:
      produces: [application/octet-stream, text/plain]
      responses:
        200:
          description: a file
          schema: {type: file}
          examples:
            text/plain: hello
  /versions:
    get:
      produces: [application/json, application/xml]
      responses:
        200:
          description: the versions
          examples:
            application/json: "{\\n  \\"versions\\": [1, 2]\\n}"
            application/xml: "<versions/>"
"""


def load(tmp_path: Path, text: str = TASKS, name: str = "tasks.yaml") -> OpenAPIDocument:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    document, errors = load_document(path)
    assert document is not None, errors
    assert not errors, errors
    doc, problems = openapi_document(document)
    assert doc is not None, problems
    assert not problems, problems
    return doc


def converted(tmp_path: Path, text: str = TASKS) -> dict[str, Any]:
    doc = load(tmp_path, text)
    assert isinstance(doc.source, ConvertedDocument)
    data = doc.source.data
    assert isinstance(data, dict)
    return data


def test_the_converted_document_is_openapi_3_0_and_valid(tmp_path: Path) -> None:
    data = converted(tmp_path)
    assert data["openapi"] == "3.0.3"
    assert "swagger" not in data
    assert "definitions" not in data
    assert list(OpenAPIV30SpecValidator(data).iter_errors()) == []


def test_host_base_path_and_schemes_become_servers(tmp_path: Path) -> None:
    data = converted(tmp_path)
    assert data["servers"] == [{"url": "http://api.example.com/v1"}, {"url": "https://api.example.com/v1"}]
    without_host = converted(tmp_path, TASKS.replace("host: api.example.com\n", ""))
    assert without_host["servers"] == [{"url": "/v1"}]


def test_definitions_parameters_and_responses_become_components_and_refs_follow(tmp_path: Path) -> None:
    data = converted(tmp_path)
    components = data["components"]
    assert set(components["schemas"]) == {"Task", "Error"}
    assert components["schemas"]["Task"]["properties"]["parent"] == {"$ref": "#/components/schemas/Task"}
    # A body parameter cannot be a component parameter: it is inlined where it is used.
    assert set(components["parameters"]) == {"pageSize", "taskId"}
    assert components["parameters"]["pageSize"]["schema"] == {"type": "integer", "default": 20, "maximum": 100}
    tasks = data["paths"]["/tasks"]
    assert tasks["get"]["parameters"][0] == {"$ref": "#/components/parameters/pageSize"}
    assert tasks["get"]["responses"]["default"] == {"$ref": "#/components/responses/Error"}
    assert tasks["post"]["requestBody"] == {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}},
        "required": True,
    }
    error = components["responses"]["Error"]
    assert error["headers"] == {"X-Error-Code": {"schema": {"type": "string"}}}
    assert error["content"] == {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    assert data["paths"]["/tasks/{id}"]["parameters"] == [{"$ref": "#/components/parameters/taskId"}]


@pytest.mark.parametrize(
    ("name", "style", "explode"),
    [
        ("tags", "form", False),
        ("status", "pipeDelimited", False),
        ("words", "spaceDelimited", False),
        ("ids", "form", True),
    ],
    ids=["csv-by-default", "pipes", "ssv", "multi"],
)
def test_collection_format_becomes_style_and_explode(tmp_path: Path, name: str, style: str, explode: bool) -> None:
    parameters = converted(tmp_path)["paths"]["/tasks"]["get"]["parameters"]
    (parameter,) = [p for p in parameters if p.get("name") == name]
    assert (parameter["style"], parameter["explode"]) == (style, explode)
    assert parameter["schema"]["type"] == "array"
    assert "collectionFormat" not in parameter


def test_an_x_example_of_a_parameter_becomes_its_example_and_stays(tmp_path: Path) -> None:
    parameters = converted(tmp_path)["paths"]["/tasks"]["get"]["parameters"]
    (trace,) = [p for p in parameters if p.get("name") == "X-Trace"]
    assert trace == {
        "name": "X-Trace",
        "in": "header",
        "schema": {"type": "string"},
        "example": "abc",
        "x-example": "abc",
    }


def test_form_data_with_a_file_is_a_multipart_body_with_a_binary_field(tmp_path: Path) -> None:
    operation = converted(tmp_path)["paths"]["/tasks/{id}/files"]["post"]
    assert "parameters" not in operation
    assert operation["requestBody"] == {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "description": {"type": "string"},
                    },
                    "required": ["file"],
                }
            }
        },
        "required": True,
    }


def test_form_data_without_a_file_is_an_urlencoded_body(tmp_path: Path) -> None:
    operation = converted(tmp_path)["paths"]["/tasks/{id}/notes"]["post"]
    assert [p["name"] for p in operation["parameters"]] == ["id"]
    (media_type,) = operation["requestBody"]["content"]
    assert media_type == "application/x-www-form-urlencoded"
    schema = operation["requestBody"]["content"][media_type]["schema"]
    assert schema["required"] == ["text"]
    assert schema["properties"]["labels"] == {"type": "array", "items": {"type": "string"}}
    # An array field is csv unless it says multi, as in Swagger 2.0.
    assert operation["requestBody"]["content"][media_type]["encoding"] == {
        "labels": {"style": "form", "explode": False}
    }


def test_an_operations_consumes_and_produces_win_over_the_documents(tmp_path: Path) -> None:
    put = converted(tmp_path)["paths"]["/tasks/{id}"]["put"]
    assert list(put["requestBody"]["content"]) == ["application/xml", "application/json"]
    assert put["requestBody"]["content"]["application/json"]["example"] == {"title": "Write the docs"}
    assert "example" not in put["requestBody"]["content"]["application/xml"]
    assert list(put["responses"]["200"]["content"]) == ["application/xml"]
    assert put["responses"]["204"] == {"description": ""}  # written with no value at all


def test_type_file_in_a_response_is_binary_and_examples_go_to_their_media_types(tmp_path: Path) -> None:
    paths = converted(tmp_path)["paths"]
    download = paths["/download"]["get"]["responses"]["200"]["content"]
    binary = {"type": "string", "format": "binary"}
    assert download["application/octet-stream"] == {"schema": binary}
    assert download["text/plain"] == {"schema": binary, "example": "hello"}
    versions = paths["/versions"]["get"]["responses"]["200"]["content"]
    # A JSON example written as JSON text is the JSON it holds, not a string to encode again.
    assert versions == {
        "application/json": {"example": {"versions": [1, 2]}},
        "application/xml": {"example": "<versions/>"},
    }


def test_security_definitions_become_security_schemes(tmp_path: Path) -> None:
    schemes = converted(tmp_path)["components"]["securitySchemes"]
    assert schemes["key_query"] == {"type": "apiKey", "name": "token", "in": "query"}
    assert schemes["key_header"] == {"type": "apiKey", "name": "X-Token", "in": "header"}
    assert schemes["basic"] == {"type": "http", "scheme": "basic", "description": "user and password"}
    assert schemes["oauth"]["flows"] == {
        "authorizationCode": {
            "authorizationUrl": "https://a.example/auth",
            "tokenUrl": "https://a.example/token",
            "scopes": {"read": "reads"},
        }
    }
    assert schemes["robot"]["flows"] == {"clientCredentials": {"tokenUrl": "https://a.example/token", "scopes": {}}}


def test_schema_dialect_differences_and_extensions(tmp_path: Path) -> None:
    data = converted(tmp_path)
    task = data["components"]["schemas"]["Task"]
    assert task["discriminator"] == {"propertyName": "kind"}
    assert task["nullable"] is True
    assert task["x-nullable"] is True
    assert task["properties"]["note"]["nullable"] is True
    assert task["properties"]["title"]["x-order"] == 1
    assert data["x-audience"] == "internal"
    assert data["paths"]["/tasks"]["x-group"] == "tasks"
    assert data["paths"]["/tasks"]["get"]["x-rate"] == 10


def test_a_body_parameter_of_the_path_item_goes_to_each_operations_body(tmp_path: Path) -> None:
    text = """\
    swagger: "2.0"
    info: {title: t, version: "1"}
    paths:
      /things:
        parameters:
          - {name: body, in: body, schema: {type: object}}
        post:
          responses: {200: {description: ok}}
        put:
          parameters:
            - {name: body, in: body, schema: {type: array}}
          responses: {200: {description: ok}}
    """
    paths = converted(tmp_path, text)["paths"]["/things"]
    assert "parameters" not in paths
    assert paths["post"]["requestBody"]["content"]["application/json"]["schema"] == {"type": "object"}
    assert paths["put"]["requestBody"]["content"]["application/json"]["schema"] == {"type": "array"}


def test_warnings_and_errors_point_into_the_original_file(tmp_path: Path) -> None:
    text = """\
    swagger: "2.0"
    info: {title: t, version: "1"}
    paths:
      /things:
        get:
          parameters:
            - {name: tabs, in: query, type: array, collectionFormat: tsv, items: {type: string}}
          responses:
            200:
              description: ok
              schema: {$ref: "#/definitions/Missing"}
    definitions:
      Code: {type: string, pattern: "(?=a)b"}
    """
    path = tmp_path / "things.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(SpecErrors) as caught:
        load_specs([path])
    (error,) = caught.value.errors
    assert (error.line, error.column) == (11, 26)  # the value of the $ref, as written
    assert error.path == "paths./things.get.responses.200.schema.$ref"
    assert "'#/definitions/Missing' points to nothing" in error.message
    document, _ = load_document(path)
    assert document is not None
    doc, _ = openapi_document(document)
    assert doc is not None
    where = {(w.line, w.path): w.message for w in doc.warnings}
    assert (
        "collectionFormat 'tsv' has no OpenAPI 3 equivalent"
        in where[(7, "paths./things.get.parameters[0].collectionFormat")]
    )
    assert "RE2 cannot compile" in where[(13, "definitions.Code.pattern")]


def test_an_unknown_swagger_version_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text("info: {title: x}\nswagger: '1.2'\npaths: {}\n")
    with pytest.raises(SpecErrors) as caught:
        load_specs([path])
    (error,) = caught.value.errors
    assert (error.line, error.column, error.path) == (2, 10, "swagger")
    assert "'1.2' is not supported" in error.message


def _without_patterns(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_patterns(v) for k, v in node.items() if not (k == "pattern" and isinstance(v, str))}
    if isinstance(node, list):
        return [_without_patterns(v) for v in node]
    return node


@pytest.mark.skipif(not DOCUMENTS, reason=f"the Swagger 2.0 corpus is not at {CORPUS}")
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem[:40])
def test_every_corpus_document_converts_to_a_valid_openapi_3_0_document(path: Path) -> None:
    document, errors = load_document(path)
    assert document is not None
    assert not errors
    result, problems, _ = convert(document)
    assert result is not None
    assert not problems
    # Patterns are left out: two of the documents write patterns ECMA-262 rejects ([\w- ]), as their authors did.
    assert list(OpenAPIV30SpecValidator(_without_patterns(result.data)).iter_errors()) == []


@pytest.mark.parametrize(
    ("operation", "warned"),
    [
        ("parameters: x\n      responses: {200: {description: ok}}", "'parameters' must be a list"),
        ("parameters: [3]\n      responses: {200: {description: ok}}", "a parameter needs a 'name'"),
        ("parameters: [{name: q}]\n      responses: {200: {description: ok}}", "'in' is None, not one of"),
        ("parameters: [{name: q, in: cookie}]\n      responses: {200: {description: ok}}", "'in' is 'cookie'"),
        ("responses: [1]", "'responses' must be a mapping"),
    ],
    ids=["parameters-not-a-list", "parameter-not-a-mapping", "parameter-without-in", "cookie", "responses-list"],
)
def test_what_is_no_parameter_or_response_is_a_located_warning_and_the_rest_serves(
    tmp_path: Path, operation: str, warned: str
) -> None:
    text = f'swagger: "2.0"\ninfo: {{title: t, version: "1"}}\npaths:\n  /a:\n    get:\n      {operation}\n'
    doc = load(tmp_path, text)
    (warning,) = doc.warnings
    assert warned in warning.message
    assert warning.line == 6
    assert warning.path.startswith("paths./a.get.")
    (service,) = load_specs([tmp_path / "tasks.yaml"]).services
    assert [route.path for route in service.routes] == ["/a"]


def test_a_schema_served_under_several_media_types_is_warned_about_once(tmp_path: Path) -> None:
    text = """\
    swagger: "2.0"
    info: {title: t, version: "1"}
    produces: [application/json, application/xml]
    consumes: [application/json, application/xml]
    paths:
      /things:
        post:
          parameters:
            - {name: body, in: body, schema: {type: string, pattern: "(?=a)a"}}
          responses:
            200: {description: ok, schema: {type: string, pattern: "(?=b)b"}}
    """
    doc = load(tmp_path, text)
    where = sorted((warning.line, warning.path) for warning in doc.warnings)
    assert where == [
        (9, "paths./things.post.parameters[0].schema.pattern"),
        (11, "paths./things.post.responses.200.schema.pattern"),
    ]
