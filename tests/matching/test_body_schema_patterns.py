"""JSON Schema patterns run on RE2 wherever a schema checks client data: a route's ``match.body.schema`` and a
resource field's ``schema``. A body that would make Python's ``re`` backtrack for seconds is answered at once
while other requests are served; a pattern RE2 cannot run is a located spec error at load time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hostile_support import hostile_beside_ordinary

from mockery import MockServer
from mockery.errors import SpecErrors
from mockery.load.loader import load_specs

WriteSpec = Callable[..., Path]
Serve = Callable[..., MockServer]

# Python's re takes seconds to find that "^(a+)+$" does not match this; RE2 takes microseconds.
BACKTRACKING = "a" * 27 + "!"

SCHEMAS = """
service: shapes
routes:
  - path: /ping
    response: {body: pong}
  - name: pattern
    path: /pattern
    method: POST
    match:
      body:
        schema:
          type: object
          required: [code]
          properties: {code: {type: string, pattern: "^(a+)+$"}}
    response: {body: matched}
  - name: pattern-properties
    path: /pattern-properties
    method: POST
    match:
      body:
        schema:
          type: object
          patternProperties: {"^(a+)+$": {type: integer}}
    response: {body: matched}
  - name: additional-properties
    path: /additional-properties
    method: POST
    match:
      body:
        schema:
          type: object
          patternProperties: {"^(a+)+$": {}}
          additionalProperties: false
    response: {body: matched}
  - name: unevaluated-properties
    path: /unevaluated-properties
    method: POST
    match:
      body:
        schema:
          type: object
          patternProperties: {"^(a+)+$": {}}
          unevaluatedProperties: false
    response: {body: matched}
  - name: property-names
    path: /property-names
    method: POST
    match:
      body:
        schema: {type: object, propertyNames: {pattern: "^(a+)+$"}}
    response: {body: matched}
resources:
  codes:
    count: 2
    fields:
      code: {const: aaaa, schema: {type: string, pattern: "^(a+)+$"}}
"""


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("shapes") / "shapes.yaml"
    path.write_text(SCHEMAS, encoding="utf-8")
    with MockServer(path) as server:
        yield server


# (route, a body it matches, a body that would backtrack and must not match)
CASES = [
    ("pattern", {"code": "aaaa"}, {"code": BACKTRACKING}),
    ("pattern-properties", {"aaaa": 1}, {BACKTRACKING: 1, "aaaa": "not an integer"}),
    ("additional-properties", {"aaaa": 1}, {BACKTRACKING: 1}),
    ("unevaluated-properties", {"aaaa": 1}, {BACKTRACKING: 1}),
    ("property-names", {"aaaa": 1}, {BACKTRACKING: 1}),
]


@pytest.mark.parametrize(("route", "good", "hostile"), CASES, ids=[case[0] for case in CASES])
def test_a_body_that_would_backtrack_is_answered_at_once(
    shapes: MockServer, route: str, good: dict[str, Any], hostile: dict[str, Any]
) -> None:
    matched = httpx.post(f"{shapes.url}/{route}", json=good, timeout=10)
    assert (matched.status_code, matched.text) == (200, "matched")

    outcome = hostile_beside_ordinary(shapes.url, "POST", f"/{route}", "/ping", body=hostile)

    assert outcome.status == 404, outcome.body
    closest = next(near for near in outcome.json()["closest"] if near["route"] == route)
    assert closest["reasons"][0].startswith("body.schema: "), closest
    assert outcome.ordinary_seconds < 1.0, outcome.ordinary_seconds


def test_a_resource_field_pattern_checks_a_written_body_at_once(shapes: MockServer) -> None:
    created = httpx.post(f"{shapes.url}/codes", json={"code": "aaa"}, timeout=10)
    assert created.status_code == 201, created.text

    outcome = hostile_beside_ordinary(shapes.url, "POST", "/codes", "/ping", body={"code": BACKTRACKING})

    assert outcome.status == 422, outcome.body
    assert outcome.headers["content-type"] == "application/problem+json"
    assert outcome.json()["errors"] == [{"pointer": "/code", "detail": f"{BACKTRACKING!r} does not match '^(a+)+$'"}]
    assert outcome.ordinary_seconds < 1.0, outcome.ordinary_seconds


def load_errors(write_spec: WriteSpec, text: str) -> list[str]:
    """The errors loading ``text`` raises, each with its file named as written (``spec.yaml:...``)."""
    path = write_spec(text)
    with pytest.raises(SpecErrors) as caught:
        load_specs([path])
    return [str(error).removeprefix(f"{path.parent}/") for error in caught.value.errors]


def test_a_match_schema_pattern_re2_cannot_run_is_a_located_error(write_spec: WriteSpec) -> None:
    found = load_errors(
        write_spec,
        """\
        service: bad
        routes:
          - path: /x
            method: POST
            match:
              body:
                schema:
                  properties:
                    password: {type: string, pattern: "(?=.*[0-9])"}
        """,
    )
    assert found == [
        "spec.yaml:9:47: routes[0].match.body.schema.properties.password.pattern: "
        "RE2 cannot compile the regex '(?=.*[0-9])': invalid perl operator: (?="
    ]


def test_a_pattern_properties_name_re2_cannot_run_is_a_located_error(write_spec: WriteSpec) -> None:
    found = load_errors(
        write_spec,
        """\
        service: bad
        routes:
          - path: /x
            method: POST
            match:
              body:
                schema:
                  allOf:
                    - patternProperties:
                        '(a)\\1': {type: integer}
        """,
    )
    assert len(found) == 1, found
    assert found[0].startswith("spec.yaml:10:"), found
    assert "routes[0].match.body.schema.allOf[0].patternProperties" in found[0]
    assert r"RE2 cannot compile the regex '(a)\\1': invalid escape sequence: \1" in found[0]


def test_a_resource_field_pattern_re2_cannot_run_is_a_located_error(write_spec: WriteSpec) -> None:
    found = load_errors(
        write_spec,
        """\
        service: shop
        resources:
          users:
            count: 3
            fields:
              name: {faker: name, schema: {type: string, pattern: "^(?!admin)"}}
        """,
    )
    assert found == [
        "spec.yaml:6:59: resources.users.fields.name.schema.pattern: "
        "RE2 cannot compile the regex '^(?!admin)': invalid perl operator: (?!"
    ]


def test_a_pattern_in_re2_syntax_that_python_lacks_loads_and_is_enforced(write_spec: WriteSpec, serve: Serve) -> None:
    server = serve(
        write_spec(
            r"""
            service: letters
            routes:
              - path: /letters
                method: POST
                match:
                  body:
                    schema: {properties: {word: {type: string, pattern: '^\pL+$'}}}
                response: {body: letters}
            """
        )
    )
    assert httpx.post(f"{server.url}/letters", json={"word": "Straße"}, timeout=10).text == "letters"
    assert httpx.post(f"{server.url}/letters", json={"word": "R2-D2"}, timeout=10).status_code == 404
