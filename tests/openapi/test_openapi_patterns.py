"""OpenAPI request validation runs schema patterns on RE2: a body or parameter that would backtrack is a 422
at once while other requests are served; a document's pattern RE2 cannot run (a look-ahead) does not refuse
the document, it is left unenforced."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hostile_support import hostile_beside_ordinary

from mockery import MockServer, load_specs
from mockery.errors import SpecError, SpecErrors

WriteSpec = Callable[..., Path]
Serve = Callable[..., MockServer]

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
REDOC_31 = CORPUS / "openapi" / "Redocly-redoc_demo__openapi-3-1.yaml"
REDOC_SWAGGER = CORPUS / "swagger2" / "Redocly-redoc_demo__swagger.yaml"

BACKTRACKING = "a" * 27 + "!"  # Python's re takes seconds to refuse it against "^(a+)+$"

CODES = """\
openapi: 3.0.3
info: {title: Codes, version: "1"}
x-mockery-service: codes
paths:
  /ping:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: string, enum: [pong]}}}}
  /codes:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                code: {type: string, pattern: "^(a+)+$"}
                password: {type: string, pattern: "(?=.*[0-9])"}
      responses: {"201": {description: created}}
    get:
      parameters:
        - {name: code, in: query, schema: {type: string, pattern: "^(a+)+$"}}
      responses: {"200": {description: ok}}
"""


@pytest.fixture(scope="module")
def codes(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("codes") / "codes.yaml"
    path.write_text(CODES, encoding="utf-8")
    with MockServer(path) as server:
        yield server


def test_a_body_that_would_backtrack_is_a_422_at_once(codes: MockServer) -> None:
    assert httpx.post(f"{codes.url}/codes", json={"code": "aaaa"}, timeout=10).status_code == 201

    outcome = hostile_beside_ordinary(codes.url, "POST", "/codes", "/ping", body={"code": BACKTRACKING})

    assert outcome.status == 422, outcome.body
    locations = [violation["location"] for violation in outcome.json()["errors"]]
    assert locations == ["body.code"]
    assert outcome.ordinary_seconds < 1.0, outcome.ordinary_seconds


def test_a_parameter_that_would_backtrack_is_a_422_at_once(codes: MockServer) -> None:
    outcome = hostile_beside_ordinary(codes.url, "GET", f"/codes?code={BACKTRACKING.replace('!', '%21')}", "/ping")

    assert outcome.status == 422, outcome.body
    assert [violation["location"] for violation in outcome.json()["errors"]] == ["query.code"]
    assert outcome.ordinary_seconds < 1.0, outcome.ordinary_seconds


def test_a_look_ahead_the_document_has_is_not_enforced(codes: MockServer) -> None:
    for password in ("has digit 1", "no digit"):
        response = httpx.post(f"{codes.url}/codes", json={"password": password}, timeout=10)
        assert response.status_code == 201, response.text


def test_the_corpus_document_with_look_aheads_loads_and_enforces_what_re2_runs(serve: Serve) -> None:
    if not REDOC_31.is_file():
        pytest.skip(f"the corpus is not at {REDOC_31}")
    service = load_specs([REDOC_31]).services[0]
    server = serve(REDOC_31)
    user = {"username": "John78", "password": "onlylowercase", "phone": "+1-202-555-0192"}
    with httpx.Client(base_url=server.url_for(service.name), timeout=10) as http:
        # The password's /(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])/ is a look-ahead RE2 cannot run: not enforced.
        accepted = http.post("/user", json=user)
        assert accepted.status_code < 300, accepted.text
        # The phone's /^\+(?:[0-9]-?){6,14}[0-9]$/ runs on RE2 (the slashes unwrapped): enforced.
        refused = http.post("/user", json={**user, "phone": "call me"})
    assert refused.status_code == 422, refused.text
    assert [violation["location"] for violation in refused.json()["errors"]] == ["body.phone"]


def _load_errors(path: Path) -> list[SpecError]:
    try:
        load_specs([path])
    except SpecErrors as caught:
        return list(caught.errors)
    return []


def _as_openapi_30(definitions: dict[str, Any]) -> str:
    """The Swagger 2.0 definitions as the components of an OpenAPI 3.0 document posting a User."""
    text = yaml.safe_dump(definitions).replace("#/definitions/", "#/components/schemas/")
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Redoc demo users", "version": "1"},
        "x-mockery-service": "users",
        "paths": {
            "/user": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
                    "responses": {"201": {"description": "created"}},
                }
            }
        },
        "components": {"schemas": yaml.safe_load(text)},
    }
    return yaml.safe_dump(document)


def test_the_swagger_corpus_look_aheads_do_not_refuse_a_document(write_spec: WriteSpec, serve: Serve) -> None:
    if not REDOC_SWAGGER.is_file():
        pytest.skip(f"the corpus is not at {REDOC_SWAGGER}")
    data = yaml.safe_load(REDOC_SWAGGER.read_text(encoding="utf-8"))
    # Swagger 2.0 itself may be refused, but never over its patterns.
    assert not [error for error in _load_errors(REDOC_SWAGGER) if "pattern" in error.path or "RE2" in error.message]
    server = serve(write_spec(_as_openapi_30(data["definitions"]), name="users.yaml"))
    user = {"username": "John78", "password": "onlylowercase", "phone": "+1-202-555-0192"}
    with httpx.Client(base_url=server.url_for("users"), timeout=10) as http:
        assert http.post("/user", json=user).status_code == 201
        refused = http.post("/user", json={**user, "phone": "call me"})
    assert refused.status_code == 422, refused.text
    assert [violation["location"] for violation in refused.json()["errors"]] == ["body.phone"]


def test_a_pattern_re2_cannot_run_is_warned_where_written(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "codes.yaml"
    path.write_text(CODES, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="mockery.openapi"):
        load_specs([path])
    line = CODES.splitlines().index('                password: {type: string, pattern: "(?=.*[0-9])"}') + 1
    warned = [r.getMessage() for r in caplog.records if "does not enforce this pattern" in r.getMessage()]
    assert len(warned) == 1, warned
    assert warned[0].startswith(f"{path}:{line}:51: paths./codes.post.requestBody")
    assert "properties.password.pattern: RE2 cannot compile the regex '(?=.*[0-9])'" in warned[0]
