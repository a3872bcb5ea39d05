"""mockery.load.runtime_routes: one route added to a running service, checked exactly like a route of a spec."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockery.errors import ArgumentError, SpecError, SpecErrors
from mockery.load.loader import load_specs
from mockery.load.runtime_routes import RUNTIME_ROUTE_NAME, build_route, conflicting_route
from mockery.model.services import Route, Service
from mockery.templates.values import MappingValue, TemplateValue

WriteSpec = Callable[..., Path]
Where = Callable[..., tuple[int, int]]

SPEC = """\
service: users
base_path: /api/
routes:
  - path: /users/{id:int}
  - path: /users
    method: [GET, POST]
"""


@pytest.fixture
def service(write_spec: WriteSpec) -> Service:
    (loaded,) = load_specs([write_spec(SPEC, "specs/users.yaml")], environ={}).services
    return loaded


def route_errors(service: Service, raw: Any, **options: Any) -> list[SpecError]:
    with pytest.raises(SpecErrors) as info:
        build_route(service, raw, index=len(service.routes), environ=options.pop("environ", {}), **options)
    return list(info.value.errors)


# --- building ---------------------------------------------------------------------------------------------------


def test_a_route_is_built_under_the_base_path_with_its_template_compiled(service: Service) -> None:
    route = build_route(
        service,
        {
            "path": "/users/{name}/greeting",
            "method": "POST",
            "response": {"status": 201, "body": {"hi": "{{ request.path_params.name }}"}},
        },
        index=2,
    )
    assert isinstance(route, Route)
    assert (route.name, route.methods, route.path, route.index) == (
        "POST /api/users/{name}/greeting",
        ("POST",),
        "/api/users/{name}/greeting",
        2,
    )
    assert route.random == "per_request"
    response = route.response
    assert (response.status, response.media_type, response.is_json, response.static_body) == (
        201,
        "application/json",
        True,
        None,
    )
    assert isinstance(response.body, MappingValue)
    (key, value), *_ = response.body.items
    assert key == "hi"
    assert isinstance(value, TemplateValue)
    assert response.body.render({"request": {"path_params": {"name": "ann"}}}) == {"hi": "ann"}


def test_a_route_that_reads_the_request_is_marked(service: Service) -> None:
    route = build_route(
        service, {"path": "/echo/{word}", "response": {"body": "{{ request.path_params.word }}"}}, index=9
    )
    assert route.uses_request
    assert route.path == "/api/echo/{word}"


def test_a_static_route_keeps_its_encoded_body_and_defaults(service: Service) -> None:
    route = build_route(
        service,
        {"name": "ping", "path": "/ping", "random": "per_call", "response": {"headers": {"X-A": 1}, "body": [1]}},
        index=5,
    )
    assert (route.name, route.methods, route.random) == ("ping", ("GET",), "per_call")
    assert route.response.static_body == b"[1]"
    assert [name for name, _ in route.response.headers] == ["x-a"]


def test_yaml_text_is_accepted(service: Service) -> None:
    route = build_route(
        service, "path: /from-yaml\nresponse:\n  status: ${STATUS}\n", index=3, environ={"STATUS": "202"}
    )
    assert (route.path, route.response.status) == ("/api/from-yaml", 202)


def test_files_are_read_relative_to_the_service_spec(service: Service, tmp_path: Path) -> None:
    (tmp_path / "specs" / "data").mkdir(parents=True)
    (tmp_path / "specs" / "data" / "users.csv").write_text("id\n1\n")
    route = build_route(service, {"path": "/export", "response": {"file": "data/users.csv"}}, index=3)
    assert route.response.static_body == b"id\n1\n"
    assert route.response.media_type == "text/csv"


def test_the_service_is_not_changed(service: Service) -> None:
    build_route(service, {"path": "/new"}, index=2)
    assert len(service.routes) == 2


# --- errors -----------------------------------------------------------------------------------------------------


def test_an_invalid_status_names_route_response_status(service: Service) -> None:
    errors = route_errors(service, {"path": "/a", "response": {"status": 99}})
    assert [(e.file, e.line, e.column, e.path, e.message) for e in errors] == [
        (RUNTIME_ROUTE_NAME, 1, 1, "route.response.status", "expected a number >= 100, got 99")
    ]
    assert str(errors[0]) == "<runtime route>:1:1: route.response.status: expected a number >= 100, got 99"


def test_every_mistake_is_reported_at_once(service: Service) -> None:
    errors = route_errors(
        service,
        {"path": "users", "method": "GTE", "reponse": {}, "random": "always"},
        name="<users route>",
    )
    assert [(e.file, e.path, e.message, e.suggestion) for e in errors] == [
        (
            "<users route>",
            "route.method",
            "expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS; got 'GTE'",
            "did you mean 'GET'?",
        ),
        ("<users route>", "route.path", "'users' does not match the pattern '^/'", "paths start with /"),
        (
            "<users route>",
            "route.random",
            "expected one of per_request, per_call; got 'always'",
            None,
        ),
        ("<users route>", "route.reponse", "unknown key 'reponse'", "did you mean 'response'?"),
    ]


def test_a_missing_path_is_an_error(service: Service) -> None:
    errors = route_errors(service, {"response": {"status": 200}})
    assert [(e.path, e.message) for e in errors] == [("route", "missing required key 'path'")]


def test_a_route_that_is_not_a_mapping_is_an_error(service: Service) -> None:
    errors = route_errors(service, "- path: /a\n")
    assert [(e.path, e.message) for e in errors] == [("route", "expected a mapping, got a list")]
    with pytest.raises(ArgumentError, match="a mapping or YAML text") as raised:
        build_route(service, 5, index=0)  # type: ignore[arg-type]
    assert isinstance(raised.value, TypeError)


def test_an_unknown_faker_provider_suggests_the_real_one(service: Service) -> None:
    errors = route_errors(service, {"path": "/a", "response": {"body": {"email": "{{ faker.emial() }}"}}})
    assert [(e.path, e.message, e.suggestion) for e in errors] == [
        ("route.response.body.email", "unknown Faker provider 'emial'", "did you mean 'email'?")
    ]


def test_faker_providers_are_those_of_the_service_locale(write_spec: WriteSpec) -> None:
    (german,) = load_specs([write_spec("service: kunden\nlocale: de_DE\n")], environ={}).services
    (american,) = load_specs([write_spec("service: customers\n", "us.yaml")], environ={}).services
    raw = {"path": "/a", "response": {"body": "{{ faker.zipcode() }}"}}
    build_route(american, raw, index=0)
    errors = route_errors(german, raw)
    assert [(e.path, e.message) for e in errors] == [("route.response.body", "unknown Faker provider 'zipcode'")]


def test_template_and_path_syntax_errors(service: Service) -> None:
    errors = route_errors(service, {"path": "/a/{id:nope}/{id}", "response": {"headers": {"x-a": "{{ oops"}}})
    assert [(e.path, e.message) for e in errors] == [
        ("route.path", "parameter 'id' appears twice"),
        ("route.path", "unknown parameter type 'nope' in '{id:nope}'"),
        ("route.response.headers.x-a", errors[2].message),
    ]
    assert errors[2].message.startswith("template syntax error: ")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../outside.txt", "'../outside.txt' lies outside the spec's folder"),
        ("/etc/hostname", "'/etc/hostname' is an absolute path"),
        ("missing.txt", "file 'missing.txt' does not exist in "),
    ],
    ids=["outside", "absolute", "missing"],
)
def test_files_outside_the_service_folder_are_refused(
    service: Service, tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "outside.txt").write_text("secret")
    errors = route_errors(service, {"path": "/f", "response": {"file": name}})
    assert [e.path for e in errors] == ["route.response.file"]
    assert errors[0].message.startswith(message)


def test_errors_in_yaml_text_are_located(service: Service, where: Where) -> None:
    text = """\
        path: /a
        response:
          status: 700
          body: |
            {{ faker.emial() }}
        """
    errors = route_errors(service, textwrap.dedent(text))
    assert [(e.file, (e.line, e.column), e.path, e.message) for e in errors] == [
        (RUNTIME_ROUTE_NAME, where(text, "700"), "route.response.status", "expected a number <= 599, got 700"),
        (
            RUNTIME_ROUTE_NAME,
            (where(text, "{{")[0], where(text, "|")[1]),
            "route.response.body",
            "unknown Faker provider 'emial'",
        ),
    ]


def test_a_template_whose_constants_are_over_a_limit_is_located(service: Service, where: Where) -> None:
    text = """\
        path: /bomb
        response:
          body:
            items: "{{ ['x' * 1000000] * 1000000 }}"
        """
    errors = route_errors(service, textwrap.dedent(text))
    assert [(e.file, (e.line, e.column), e.path) for e in errors] == [
        (RUNTIME_ROUTE_NAME, where(text, '"{{'), "route.response.body.items")
    ]
    assert errors[0].message == (
        "`*` builds a value of at least 1,000,001,000,001 items or characters, over the limit of 1,000,000: "
        "it fails whenever it runs"
    )
    as_mapping = route_errors(service, {"path": "/bomb", "response": {"headers": {"x-big": "{{ 'x' * 10**9 }}"}}})
    assert [(e.line, e.path) for e in as_mapping] == [(1, "route.response.headers.x-big")]
    assert "over the limit of 1,000,000" in as_mapping[0].message


def test_yaml_text_gets_the_safe_loader_checks(service: Service) -> None:
    errors = route_errors(service, "path: /a\nname: !!python/name:os.system x\n")
    assert (2, "route.name", "tag '!!python/name:os.system' is not allowed") in [
        (e.line, e.path, e.message) for e in errors
    ]
    errors = route_errors(service, "path: /a/${ROUTE_PATH}\n")
    assert [(e.path, e.message) for e in errors] == [("route.path", "environment variable 'ROUTE_PATH' is not set")]


def test_values_json_cannot_carry_are_errors(service: Service) -> None:
    errors = route_errors(service, {"path": "/a", "response": {"body": {"n": float("inf"), "s": {1, 2}}}})
    assert [(e.path, e.message) for e in errors] == [
        ("route.response.body.n", "inf is not a number JSON can carry"),
        ("route.response.body.s", "a set is not JSON-like data"),
    ]


# --- conflicts --------------------------------------------------------------------------------------------------


def test_a_route_of_the_same_method_and_shape_conflicts(service: Service) -> None:
    route = build_route(service, {"path": "/users/{user:int}", "method": ["DELETE", "GET"]}, index=2)
    assert conflicting_route(route, service) is service.routes[0]
    assert conflicting_route(route, service.routes[1:]) is None


def test_other_methods_or_shapes_do_not_conflict(service: Service) -> None:
    for raw in (
        {"path": "/users/{id:int}", "method": "PUT"},
        {"path": "/users/{id}"},  # a str parameter is another shape than an int one
        {"path": "/users", "method": "DELETE"},
    ):
        route = build_route(service, raw, index=2)
        assert conflicting_route(route, service) is None


def test_a_route_does_not_conflict_with_itself(service: Service) -> None:
    assert conflicting_route(service.routes[0], service) is None


def test_a_runtime_route_is_named_apart_from_the_spec_routes(service: Service) -> None:
    """(origin, index): the runtime route 0 shares no seed, store key or rate-limit window with spec route 0."""
    raw = {"path": "/limited", "rate_limit": {"requests": 1, "per": "1s"}, "response": {"body": "{{ uuid() }}"}}
    route = build_route(service, raw, index=0)
    assert (route.origin, route.index, route.key) == ("runtime", 0, "runtime:0")
    assert route.behaviours.rate_limit is not None
    assert route.behaviours.rate_limit.scope == f"route:{service.name}:runtime:0"
    assert service.routes[0].key == service.routes[0].index == 0
