"""mockery.load.build: the checks the schema cannot express (templates, paths, files, locales) and the model."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from mockery.errors import SpecError
from mockery.load.loader import load_specs
from mockery.model.services import Route
from mockery.templates.values import ConstantValue, MappingValue, TemplateValue

WriteSpec = Callable[..., Path]
SpecErrorsOf = Callable[..., list[SpecError]]
Where = Callable[..., tuple[int, int]]


def one_route(path: Path) -> Route:
    specs = load_specs([path], environ={})
    (service,) = specs.services
    (route,) = service.routes
    return route


def route_with(response: str) -> str:
    """A one-route spec whose response block is ``response`` (already indented by six spaces)."""
    return f"service: users\nroutes:\n  - path: /a\n    response:\n{response}"


# --- templates --------------------------------------------------------------------------------------------------


def test_unknown_faker_provider_suggests_the_real_one(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, where: Where
) -> None:
    text = """\
        service: users
        routes:
          - path: /users
            response:
              body:
                email: "{{ faker.emial() }}"
        """
    errors = spec_errors(write_spec(text))
    assert len(errors) == 1
    error = errors[0]
    assert (error.line, error.column) == where(text, '"{{ faker.emial')
    assert error.path == "routes[0].response.body.email"
    assert error.message == "unknown Faker provider 'emial'"
    assert error.suggestion == "did you mean 'email'?"
    assert str(error).endswith("unknown Faker provider 'emial'; did you mean 'email'?")


def test_template_error_inside_a_block_names_the_file_line(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, where: Where
) -> None:
    text = """\
        service: users
        routes:
          - path: /users
            response:
              body: |
                Dear {{ faker.name() }},

                your mail is {{ faker.emial() }}.
        """
    errors = spec_errors(write_spec(text))
    assert [(error.line, error.message, error.suggestion) for error in errors] == [
        (where(text, "faker.emial")[0], "unknown Faker provider 'emial'", "did you mean 'email'?")
    ]


def test_unknown_template_name_suggests_request(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    errors = spec_errors(write_spec(route_with('      body: "id {{ reqest.path_params.id }}"\n')))
    assert [(error.line, error.path, error.message, error.suggestion) for error in errors] == [
        (5, "routes[0].response.body", "unknown name 'reqest'", "did you mean 'request'?")
    ]


def test_template_syntax_error_names_the_file_line(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, where: Where
) -> None:
    text = """\
        service: users
        routes:
          - path: /users
            response:
              body: |
                first line
                second {{ 1 + }}
                third line
        """
    errors = spec_errors(write_spec(text))
    assert len(errors) == 1
    assert errors[0].message.startswith("template syntax error: ")
    assert errors[0].path == "routes[0].response.body"
    assert errors[0].line == where(text, "second")[0]


def test_template_syntax_error_on_one_line(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    errors = spec_errors(write_spec(route_with('      headers:\n        x-a: "{{ 1 + }}"\n')))
    assert [(error.line, error.path) for error in errors] == [(6, "routes[0].response.headers.x-a")]
    assert errors[0].message.startswith("template syntax error: ")


@pytest.mark.parametrize(
    "template",
    ["{{ ''.__class__.__mro__ }}", "{{ request['__class__'] }}", "x {{ request._body }}"],
    ids=["dunder-chain", "subscript", "private-attribute"],
)
def test_private_attribute_access_is_rejected_at_validation(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, template: str
) -> None:
    errors = spec_errors(write_spec(route_with(f'      body: "{template}"\n')))
    assert errors
    assert all(error.line == 5 and error.path == "routes[0].response.body" for error in errors)
    assert all("private attribute" in error.message and "is not allowed" in error.message for error in errors)


def test_every_template_mistake_of_a_file_is_reported(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    text = route_with(
        "      headers:\n"
        '        x-a: "{{ faker.nme() }}"\n'
        "      body:\n"
        '        b: "{{ reqest }}"\n'
        '        c: ["{{ 1 + }}"]\n'
    )
    errors = spec_errors(write_spec(text))
    assert [(error.line, error.path) for error in errors] == [
        (6, "routes[0].response.headers.x-a"),
        (8, "routes[0].response.body.b"),
        (9, "routes[0].response.body.c[0]"),
    ]


# --- paths ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "message", "suggestion"),
    [
        ("/users/{id:integer}", "unknown parameter type 'integer' in '{id:integer}'", "did you mean 'int'?"),
        ("/users/{id:zzz}", "unknown parameter type 'zzz' in '{id:zzz}'", "use one of: "),
        ("/users/{id", "unbalanced '{' or '}'", "parameters look like {name} or {name:int}"),
        ("/users/id}", "unbalanced '{' or '}'", "parameters look like {name} or {name:int}"),
        ("/a/{id}/b/{id:int}", "parameter 'id' appears twice", "give each parameter its own name"),
        ("/users?active=1", "a path cannot hold a query or fragment", "match the query"),
        ("/users#top", "a path cannot hold a query or fragment", "match the query"),
        ("/__mockery/state", "paths under /__mockery are reserved for mockery itself", None),
        ("/__mockery", "paths under /__mockery are reserved for mockery itself", None),
        ("/users/{1id}", "'{1id}' is not a valid parameter", "use {name} or {name:int}"),
    ],
    ids=[
        "convertor-typo",
        "convertor-unknown",
        "unclosed-brace",
        "stray-close",
        "duplicate-parameter",
        "query",
        "fragment",
        "reserved-below",
        "reserved-exact",
        "bad-name",
    ],
)
def test_bad_path_syntax(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, path: str, message: str, suggestion: str | None
) -> None:
    errors = spec_errors(write_spec(f'service: users\nroutes:\n  - path: "{path}"\n'))
    assert [(error.line, error.column, error.path, error.message) for error in errors] == [
        (3, 11, "routes[0].path", message)
    ]
    if suggestion is None:
        assert errors[0].suggestion is None
    else:
        assert errors[0].suggestion is not None
        assert errors[0].suggestion.startswith(suggestion)


def test_base_path_is_put_before_every_route(write_spec: WriteSpec) -> None:
    specs = load_specs([write_spec("service: users\nbase_path: /api/\nroutes:\n  - path: /users/{id:int}\n")])
    assert [route.path for route in specs.service("users").routes] == ["/api/users/{id:int}"]
    assert specs.service("users").routes[0].name == "GET /api/users/{id:int}"


# --- files ------------------------------------------------------------------------------------------------------


def test_file_is_read_relative_to_the_spec(write_spec: WriteSpec, tmp_path: Path) -> None:
    (tmp_path / "specs" / "data").mkdir(parents=True)
    (tmp_path / "specs" / "data" / "users.json").write_bytes(b'[{"id": 1}]')
    route = one_route(write_spec(route_with("      file: data/users.json\n"), "specs/users.yaml"))
    assert route.response.static_body == b'[{"id": 1}]'
    assert route.response.media_type == "application/json"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.json", "file 'missing.json' does not exist in "),
        ("/etc/hostname", "'/etc/hostname' is an absolute path"),
        ("../outside.txt", "'../outside.txt' lies outside the spec's folder"),
        ("data/../../outside.txt", "'data/../../outside.txt' lies outside the spec's folder"),
    ],
    ids=["missing", "absolute", "parent", "parent-through-subfolder"],
)
def test_bad_file_references(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "outside.txt").write_text("secret")
    (tmp_path / "specs" / "data").mkdir(parents=True)
    errors = spec_errors(write_spec(route_with(f"      file: {name}\n"), "specs/users.yaml"))
    assert [(error.file, error.line, error.column, error.path) for error in errors] == [
        (os.path.join("specs", "users.yaml"), 5, 13, "routes[0].response.file")
    ]
    assert errors[0].message.startswith(message)


def test_symlink_inside_the_folder_pointing_outside_is_rejected(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, tmp_path: Path
) -> None:
    (tmp_path / "outside.txt").write_text("secret")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "link.txt").symlink_to(tmp_path / "outside.txt")
    errors = spec_errors(write_spec(route_with("      file: link.txt\n"), "specs/users.yaml"))
    assert [(error.line, error.message) for error in errors] == [(5, "'link.txt' lies outside the spec's folder")]


def test_body_and_file_together_is_an_error(write_spec: WriteSpec, spec_errors: SpecErrorsOf, tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text("[]")
    errors = spec_errors(write_spec(route_with("      body: []\n      file: users.json\n")))
    assert [(error.line, error.column, error.path, error.message) for error in errors] == [
        (6, 7, "routes[0].response.file", "a response has a body or a file, not both")
    ]


# --- locale -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "suggestion"),
    [("en_us", "did you mean 'en_US'?"), ("de-DE", "did you mean 'de_DE'?"), ("fr_FX", "did you mean 'fr_FR'?")],
    ids=["case", "dash", "typo"],
)
def test_unknown_locale_suggests_a_real_one(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf, locale: str, suggestion: str
) -> None:
    errors = spec_errors(write_spec(f"service: users\nlocale: {locale}\n"))
    assert [(error.line, error.column, error.path, error.message, error.suggestion) for error in errors] == [
        (2, 9, "locale", f"unknown Faker locale {locale!r}", suggestion)
    ]


def test_known_locale_is_kept(write_spec: WriteSpec) -> None:
    specs = load_specs([write_spec("service: users\nlocale: ja_JP\n")])
    assert specs.service("users").locale == "ja_JP"


# --- bodies -----------------------------------------------------------------------------------------------------


def test_static_json_body_is_encoded_once(write_spec: WriteSpec) -> None:
    route = one_route(write_spec(route_with("      body: {id: 1, tags: [a, b], ok: true, none: null}\n")))
    response = route.response
    assert response.body is None
    assert response.static_body is not None
    assert orjson.loads(response.static_body) == {"id": 1, "tags": ["a", "b"], "ok": True, "none": None}
    assert response.is_json
    assert response.media_type == "application/json"
    assert not route.uses_request


def test_static_text_body_is_encoded_once(write_spec: WriteSpec) -> None:
    response = one_route(write_spec(route_with("      body: plain text\n"))).response
    assert (response.body, response.static_body, response.is_json) == (None, b"plain text", False)
    assert response.media_type == "text/plain; charset=utf-8"


def test_templated_body_is_compiled_not_encoded(write_spec: WriteSpec) -> None:
    route = one_route(write_spec(route_with('      body:\n        id: "{{ request.query.id }}"\n        kind: user\n')))
    response = route.response
    assert response.static_body is None
    assert isinstance(response.body, MappingValue)
    items = dict(response.body.items)
    assert isinstance(items["id"], TemplateValue)
    assert isinstance(items["kind"], ConstantValue)
    assert route.uses_request


@pytest.mark.parametrize(
    ("template", "native", "rendered"),
    [("{{ 40 + 2 }}", True, 42), ("  {{ [1, 2] }}  ", True, [1, 2]), ("n={{ 40 + 2 }}", False, "n=42")],
    ids=["lone", "lone-with-spaces", "text"],
)
def test_lone_expression_compiles_as_a_native_template(
    write_spec: WriteSpec, template: str, native: bool, rendered: object
) -> None:
    response = one_route(write_spec(route_with(f'      body:\n        value: "{template}"\n'))).response
    assert isinstance(response.body, MappingValue)
    (_, value), *_ = response.body.items
    assert isinstance(value, TemplateValue)
    assert value.template.native is native
    assert value.render({}) == rendered


def test_content_type_header_sets_the_media_type(write_spec: WriteSpec) -> None:
    text = route_with("      headers: {Content-Type: text/csv, X-Id: 7}\n      body: a,b\n")
    response = one_route(write_spec(text)).response
    assert response.media_type == "text/csv"
    assert [name for name, _ in response.headers] == ["x-id"]
    assert response.headers[0][1].render({}) == "7"
