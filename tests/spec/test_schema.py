"""mockery.load.schema: the spec's JSON Schema, and its errors located with readable messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from mockery.errors import SpecError
from mockery.load.schema import spec_schema

WriteSpec = Callable[..., Path]
SpecErrorsOf = Callable[..., list[SpecError]]
Where = Callable[..., tuple[int, int]]

ACCEPTANCE = """\
service: users
description: The users service
port: 8001
routes:
  - name: list users
    path: /users
    method: GET
    response:
      status: abc
      body: []
"""


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = spec_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_acceptance_wrong_status_is_reported_at_its_line(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, where: Where
) -> None:
    line, column = where(ACCEPTANCE, "abc")
    assert line == 9
    errors = spec_errors(write_spec(ACCEPTANCE))
    assert len(errors) == 1
    error = errors[0]
    assert (error.file, error.line, error.column) == ("spec.yaml", 9, column)
    assert error.path == "routes[0].response.status"
    assert str(error).startswith(f"spec.yaml:9:{column}: routes[0].response.status: ")
    assert "expected an integer, got 'abc'" in error.message


THREE_MISTAKES = """\
service: users
routes:
  - path: /users
    method: get
  - path: /users/{id}
    respnse:
      status: 200
  - path: /health
    response:
      status: 700
"""


def test_three_different_mistakes_are_all_reported(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, where: Where
) -> None:
    errors = spec_errors(write_spec(THREE_MISTAKES))
    assert [(error.line, error.column, error.path) for error in errors] == [
        (*where(THREE_MISTAKES, "get"), "routes[0].method"),
        (*where(THREE_MISTAKES, "respnse"), "routes[1].respnse"),
        (*where(THREE_MISTAKES, "700"), "routes[2].response.status"),
    ]
    method, unknown, status = errors
    assert method.suggestion == "did you mean 'GET'?"
    assert "expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS; got 'get'" in method.message
    assert unknown.message == "unknown key 'respnse'"
    assert unknown.suggestion == "did you mean 'response'?"
    assert status.message == "expected a number <= 599, got 700"


def test_unknown_key_without_a_close_match_lists_the_known_keys(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf
) -> None:
    errors = spec_errors(write_spec("service: users\nroutes:\n  - path: /a\n    zzzzzz: 1\n"))
    assert len(errors) == 1
    assert errors[0].message == "unknown key 'zzzzzz'"
    assert errors[0].suggestion == (
        "expected one of: name, method, path, random, response, events, websocket, responses, mode, priority, "
        "override, match, callbacks, scenario, delay, fault, throttle, chunked, rate_limit"
    )
    assert (errors[0].line, errors[0].column) == (4, 5)


def test_top_level_extension_keys_are_allowed(write_spec: WriteSpec) -> None:
    from mockery.load.loader import load_specs

    specs = load_specs([write_spec("service: users\nx-anchors: {a: 1}\nx-anything: [1]\n")], environ={})
    assert specs.service("users").routes == ()


@pytest.mark.parametrize(
    ("method", "suggestion"),
    [("get", "did you mean 'GET'?"), ("Post", "did you mean 'POST'?"), ("PUTT", "did you mean 'PUT'?")],
    ids=["lower", "mixed-case", "typo"],
)
def test_mistyped_method_suggests_the_real_one(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, method: str, suggestion: str
) -> None:
    errors = spec_errors(write_spec(f"service: users\nroutes:\n  - path: /a\n    method: {method}\n"))
    assert [(error.line, error.path, error.suggestion) for error in errors] == [(4, "routes[0].method", suggestion)]


def test_mistyped_method_in_a_list_is_located_at_the_item(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    text = "service: users\nroutes:\n  - path: /a\n    method: [GET, pots]\n"
    errors = spec_errors(write_spec(text))
    assert len(errors) == 1
    assert errors[0].path == "routes[0].method[1]"
    assert (errors[0].line, errors[0].column) == (4, text.splitlines()[3].index("pots") + 1)
    assert errors[0].suggestion == "did you mean 'POST'?"


@pytest.mark.parametrize(
    "name",
    ["Users", "users_api", "1users", "-users", "us ers"],
    ids=["upper", "underscore", "digit-first", "dash-first", "space"],
)
def test_bad_service_name_has_a_hint(write_spec: WriteSpec, spec_errors: SpecErrorsOf, name: str) -> None:
    errors = spec_errors(write_spec(f'service: "{name}"\n'))
    assert len(errors) == 1
    error = errors[0]
    assert (error.line, error.column, error.path) == (1, 10, "service")
    assert error.message == f"{name!r} does not match the pattern '^[a-z][a-z0-9-]*$'"
    assert error.suggestion == "use lower-case letters, digits and dashes, starting with a letter"


@pytest.mark.parametrize(
    ("yaml_value", "message"),
    [
        ("99", "expected a number >= 100, got 99"),
        ("600", "expected a number <= 599, got 600"),
        ("-1", "expected a number >= 100, got -1"),
    ],
    ids=["below", "above", "negative"],
)
def test_status_out_of_range(write_spec: WriteSpec, spec_errors: SpecErrorsOf, yaml_value: str, message: str) -> None:
    text = f"service: users\nroutes:\n  - path: /a\n    response:\n      status: {yaml_value}\n"
    errors = spec_errors(write_spec(text))
    assert [(error.line, error.column, error.path, error.message) for error in errors] == [
        (5, 15, "routes[0].response.status", message)
    ]


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("service: 12\n", "service", "expected a string, got 12"),
        ("service: users\nport: eighty\n", "port", "expected an integer, got 'eighty'"),
        ("service: users\nport: 70000\n", "port", "expected a number <= 65535, got 70000"),
        ("service: users\nseed: 1.5\n", "seed", "expected an integer, got 1.5"),
        ("service: users\nroutes: {path: /a}\n", "routes", "expected a list, got a mapping"),
        ("service: users\nroutes: [/a]\n", "routes[0]", "expected a mapping, got '/a'"),
        ("service: users\nroutes:\n  - path: 5\n", "routes[0].path", "expected a string, got 5"),
        ("service: users\nroutes:\n  - path: a\n", "routes[0].path", "'a' does not match the pattern '^/'"),
        ("service: users\nroutes:\n  - path: /a\n    response: ok\n", "routes[0].response", "expected a mapping"),
        (
            "service: users\nroutes:\n  - path: /a\n    random: always\n",
            "routes[0].random",
            "expected one of per_request, per_call; got 'always'",
        ),
        (
            "service: users\nroutes:\n  - path: /a\n    response:\n      headers: {x-a: [1]}\n",
            "routes[0].response.headers.x-a",
            "expected a string or a number or true or false, got a list",
        ),
        (
            "service: users\nbase_path: api\n",
            "base_path",
            "'api' does not match the pattern",
        ),
    ],
    ids=[
        "service-int",
        "port-string",
        "port-range",
        "seed-float",
        "routes-mapping",
        "route-string",
        "path-int",
        "path-no-slash",
        "response-string",
        "random-enum",
        "header-list",
        "base-path",
    ],
)
def test_wrong_types_and_values(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, text: str, path: str, message: str
) -> None:
    errors = spec_errors(write_spec(text))
    located = [error for error in errors if error.path == path]
    assert len(located) == 1, errors
    assert message in located[0].message
    assert located[0].line == len(text.splitlines())


def test_missing_required_keys(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    errors = spec_errors(write_spec("description: no name\nroutes:\n  - method: GET\n"))
    assert [(error.line, error.path, error.message) for error in errors] == [
        (1, "", "missing required key 'service'"),
        (3, "routes[0]", "missing required key 'path'"),
    ]


def test_top_level_list_is_not_a_spec(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    errors = spec_errors(write_spec("- service: users\n"))
    assert [(error.line, error.message) for error in errors] == [(1, "expected a mapping, got a list")]


def test_invalid_header_name_is_located_at_the_key(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    text = (
        "service: users\nroutes:\n  - path: /a\n    response:\n"
        '      headers:\n        x-ok: y\n        "bad header": x\n'
    )
    errors = spec_errors(write_spec(text))
    assert len(errors) == 1
    assert (errors[0].line, errors[0].column) == (7, 9)
    assert errors[0].path == "routes[0].response.headers.bad header"
    assert errors[0].message == "'bad header' is not a valid name here"
