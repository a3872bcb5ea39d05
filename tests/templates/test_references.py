"""mockery.templates.references: what a template names (request attributes, path parameters, Faker arguments,
filters, tests) is checked when the spec loads, located, with suggestions by meaning; mockery.suggest."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from mockery import MockServer
from mockery.errors import SpecError, SpecErrors
from mockery.http.requests import RawRequest, template_request
from mockery.load.loader import load_specs
from mockery.suggest import SYNONYMS, closest, did_you_mean
from mockery.templates.environment import compile_template, template_problems
from mockery.templates.fakes import provider_names
from mockery.templates.references import REQUEST_FIELDS, path_parameters

WriteSpec = Callable[..., Path]
FAKER_NAMES = provider_names("en_US")


def errors_of(path: Path) -> list[SpecError]:
    with pytest.raises(SpecErrors) as info:
        load_specs([path], environ={})
    return list(info.value.errors)


def route_spec(path: str, body: str) -> str:
    return f"service: users\nroutes:\n  - path: {path}\n    response:\n      body:\n        value: {body}\n"


def problems(source: str, route_path: str | None = "/users/{id}") -> list[tuple[str, str | None]]:
    found = template_problems(compile_template(source), FAKER_NAMES, route_path=route_path)
    return [(problem.message, problem.suggestion) for problem in found]


# --- the three mistakes of the first hour, as validate reports them ---------------------------------------------


def test_validate_reports_the_first_hour_mistakes_located_and_all_at_once(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        service: users
        routes:
          - path: /users/{id}
            response:
              body:
                a: "{{ request.pathparams.id }}"
                b: "{{ request.path_params.idd }}"
                c: "{{ request.params.id }}"
                d: "{{ faker.pyint(min=1) }}"
        """
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    errors = errors_of(spec)
    found = {(error.line, error.column, error.path, str(error).split(": ", 2)[2]) for error in errors}
    assert found == {
        (6, 12, "routes[0].response.body.a", "unknown attribute 'pathparams' of request; did you mean 'path_params'?"),
        (7, 12, "routes[0].response.body.b", "the path /users/{id} has no parameter 'idd'; did you mean 'id'?"),
        (8, 12, "routes[0].response.body.c", "unknown attribute 'params' of request; did you mean 'query'?"),
        (9, 12, "routes[0].response.body.d", "faker.pyint() has no argument 'min'; did you mean 'min_value'?"),
    }
    assert all(error.file.endswith("spec.yaml") for error in errors)


def test_a_template_of_a_later_line_is_located_at_that_line(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "service: users\nroutes:\n  - path: /users/{id}\n    response:\n      body: |\n"
        "        id {{ request.path_params.id }}\n        name {{ request.path_params.name }}\n"
    )
    (error,) = errors_of(spec)
    assert (error.line, error.message) == (7, "the path /users/{id} has no parameter 'name'")
    assert error.suggestion == "its parameters: id"


def test_each_response_of_a_response_set_is_checked_against_the_route_path(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "service: users\nroutes:\n  - path: /orders/{order}\n    responses:\n"
        '      - body: "{{ request.path_params.order }}"\n'
        '      - body: "{{ request.path_params.orderId }}"\n'
        '        headers: {x-id: "{{ request.path_params.id }}"}\n'
    )
    errors = errors_of(spec)
    found = sorted((error.path, error.message, error.suggestion) for error in errors)
    message = "the path /orders/{order} has no parameter"
    assert found == [
        ("routes[0].responses[1].body", f"{message} 'orderId'", "did you mean 'order'?"),
        ("routes[0].responses[1].headers.x-id", f"{message} 'id'", "its parameters: order"),
    ]


def test_a_path_without_parameters_says_how_to_declare_one(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(route_spec("/users", '"{{ request.path_params.id }}"'))
    (error,) = errors_of(spec)
    assert error.message == "the path /users has no parameter 'id'"
    assert error.suggestion == "declare it in the path, as in /items/{id}"


def test_resource_field_templates_have_their_faker_arguments_checked(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "service: shop\nresources:\n  items:\n    count: 2\n    fields:\n"
        '      stock: "{{ faker.pyint(max=3) }}"\n      price: "{{ faker.pyfloat(1, 2, 3, 4, 5, 6, 7, 8, 9) }}"\n'
    )
    errors = errors_of(spec)
    assert sorted((error.line, error.message, error.suggestion) for error in errors) == [
        (6, "faker.pyint() has no argument 'max'", "did you mean 'max_value'?"),
        (7, "faker.pyfloat() takes at most 5 positional arguments, and 9 are given", None),
    ]


def test_a_stubbed_route_is_checked_like_a_spec_route(serve: Callable[..., MockServer], write_spec: WriteSpec) -> None:
    server = serve(write_spec("service: users\nroutes:\n  - path: /ok\n    response: {body: ok}\n"))
    stub = {"path": "/users/{id}", "response": {"body": {"name": "{{ request.path_params.ide }}"}}}
    with pytest.raises(SpecErrors) as info:
        server.stub("users", stub)
    (error,) = info.value.errors
    assert (error.message, error.suggestion) == ("the path /users/{id} has no parameter 'ide'", "did you mean 'id'?")


# --- what is fine, and what cannot be known, is not reported ----------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "{{ request.path_params.id }}",
        "{{ request['path_params']['id'] }}",
        "{{ request.path_params.get('id') }}",
        "{{ request.method }} {{ request.path }} {{ request.cookies.session }}",
        "{{ request.query.anything }} {{ request.headers['x-any'] }} {{ request.body.any.depth }}",
        "{{ request }}",
        "{{ request.items() | list }}",
        "{% for key in request.path_params %}{{ request.path_params[key] }}{% endfor %}",
        "{% set request = {'pathparams': 1} %}{{ request.pathparams }}",
        "{% for request in [1] %}{{ request.nothing }}{% endfor %}",
        "{% set p = request.path_params %}{{ p.idd }}",
        "{% set name = 'body' %}{{ request[name] }}",
        "{{ faker.pyint(min_value=1, max_value=9) }} {{ faker.pyint(1, 9) }}",
        "{% set options = {'min': 1} %}{% set values = [1, 2, 3, 4, 5] %}"
        "{{ faker.pyint(**options) }} {{ faker.pyint(*values) }}",
        "{{ faker.random_element(elements=['a', 'b']) }}",
        "{{ 'x' | upper }} {{ 3 is odd }}",
    ],
    ids=["attribute", "subscripts", "get", "other-fields", "data-keys", "whole", "dict-method", "loop-key",
         "shadowed-by-set", "shadowed-by-loop", "through-a-variable", "dynamic-key", "right-arguments",
         "spread-arguments", "keyword-list", "known-filter-and-test"],
)  # fmt: skip
def test_nothing_is_said_of_what_is_right_or_cannot_be_known(source: str) -> None:
    assert problems(source) == []


def test_path_parameters_are_not_judged_without_a_route() -> None:
    assert problems("{{ request.path_params.anything }}", None) == []
    assert problems("{{ request.pathparams }}", None) == [
        ("unknown attribute 'pathparams' of request", "did you mean 'path_params'?")
    ]


def test_request_fields_are_what_the_request_view_holds() -> None:
    raw = RawRequest("GET", "/", "", {}, b"")
    assert set(template_request(raw, {})) == set(REQUEST_FIELDS)


@pytest.mark.parametrize(
    ("path", "names"),
    [("/users", ()), ("/users/{id}", ("id",)), ("/a/{x:int}/b/{rest:path}", ("x", "rest"))],
    ids=["none", "one", "convertors"],
)
def test_path_parameters(path: str, names: tuple[str, ...]) -> None:
    assert path_parameters(path) == names


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ faker.name(x=1) }}", [("faker.name() has no argument 'x'", "it takes no arguments")]),
        ("{{ faker.name(1) }}", [("faker.name() takes no positional arguments, and 1 is given", None)]),
        (
            "{{ faker.pyint(min_value=1, step=1, nope=2) }}",
            [("faker.pyint() has no argument 'nope'", "its arguments: min_value, max_value, step")],
        ),
        ("{{ faker.pyint(1, min_value=2) }}", [("faker.pyint(): multiple values for argument 'min_value'", None)]),
    ],
    ids=["keyword-of-none", "positional-of-none", "listed-arguments", "twice"],
)
def test_faker_arguments_checked_against_the_signature(source: str, expected: list[tuple[str, str | None]]) -> None:
    assert problems(source) == expected


def test_unknown_filters_and_tests_are_reported_even_in_a_branch_never_taken() -> None:
    source = "{% if false %}{{ 'x' | lowercase }}{% endif %}{{ 3 is od }}\n{{ [1] | tojsn }}"
    assert [(p.line, p.message, p.suggestion) for p in template_problems(compile_template(source), FAKER_NAMES)] == [
        (1, "unknown filter 'lowercase'", "did you mean 'lower'?"),
        (1, "unknown test 'od'", "did you mean 'odd'?"),
        (2, "unknown filter 'tojsn'", "did you mean 'tojson'?"),
    ]


# --- suggestions by meaning ---------------------------------------------------------------------------------------


MEANINGS = [
    # (what a template says, the wrong name, the suggestion in the error)
    ("{{ faker.full_name() }}", "full_name", "name"),
    ("{{ faker.company_name() }}", "company_name", "company"),
    ("{{ faker.phone() }}", "phone", "phone_number"),
    ("{{ faker.mobile() }}", "mobile", "phone_number"),
    ("{{ faker.zip() }}", "zip", "postcode"),
    ("{{ faker.telephone() }}", "telephone", "phone_number"),
    ("{{ faker.surname() }}", "surname", "last_name"),
    ("{{ faker.lastname() }}", "lastname", "last_name"),
    ("{{ faker.firstname() }}", "firstname", "first_name"),
    ("{{ faker.mail() }}", "mail", "email"),
    ("{{ faker.e_mail() }}", "e_mail", "email"),
    ("{{ faker.username() }}", "username", "user_name"),
    ("{{ faker.uuid() }}", "uuid", "uuid4"),
    ("{{ faker.guid() }}", "guid", "uuid4"),
    ("{{ faker.address_line() }}", "address_line", "street_address"),
    ("{{ faker.town() }}", "town", "city"),
    ("{{ faker.country_name() }}", "country_name", "country"),
    ("{{ faker.datetime() }}", "datetime", "date_time"),
    ("{{ faker.timestamp() }}", "timestamp", "iso8601"),
    ("{{ faker.link() }}", "link", "url"),
    ("{{ faker.image() }}", "image", "image_url"),
    ("{{ faker.avatar() }}", "avatar", "image_url"),
    ("{{ faker.lorem() }}", "lorem", "paragraph"),
    ("{{ faker.job_title() }}", "job_title", "job"),
    ("{{ faker.birthdate() }}", "birthdate", "date_of_birth"),
    ("{{ 'a' | uppercase }}", "uppercase", "upper"),
    ("{{ 'A' | lowercase }}", "lowercase", "lower"),
    ("{{ [1] | to_json }}", "to_json", "tojson"),
    ("{{ [1] | json }}", "json", "tojson"),
    ("{{ [1] | len }}", "len", "length"),
    ("{{ request.params.id }}", "params", "query"),
    ("{{ request.pathparams.id }}", "pathparams", "path_params"),
    ("{{ request.path_parameters.id }}", "path_parameters", "path_params"),
    ("{{ request.header.host }}", "header", "headers"),
    ("{{ request.payload.x }}", "payload", "body"),
    ("{{ request.url }}", "url", "path"),
    ("{{ faker.pyint(min=1) }}", "min", "min_value"),
]


@pytest.mark.parametrize(("template", "wrong", "meant"), MEANINGS, ids=[wrong for _, wrong, _ in MEANINGS])
def test_a_common_wrong_name_gets_the_name_it_means(tmp_path: Path, template: str, wrong: str, meant: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(route_spec("/users/{id}", f'"{template}"'))
    (error,) = errors_of(spec)
    assert repr(wrong) in error.message
    assert f"did you mean {meant!r}?" in str(error)


def test_at_least_twenty_meanings_are_table_tested() -> None:
    assert len({wrong for _, wrong, _ in MEANINGS}) >= 20


@pytest.mark.parametrize(
    ("word", "candidates", "expected"),
    [
        ("Email", ["email", "name"], "email"),
        ("firstName", ["first_name", "last_name"], "first_name"),
        ("state", ["province", "city"], "province"),
        ("state", ["region", "city"], "region"),
        ("params", ["path_params", "body"], "path_params"),
        ("company_name", ["company", "domain_name"], "company"),
        ("emial", ["email", "name"], "email"),
        ("zzz", ["email", "name"], None),
        ("uuid", ["email"], None),
    ],
    ids=["case", "separators", "state-as-province", "state-as-region", "meaning-among-candidates",
         "meaning-before-spelling", "spelling", "nothing-close", "meaning-not-a-candidate"],
)  # fmt: skip
def test_closest_by_case_separators_meaning_then_spelling(word: str, candidates: list[str], expected: str) -> None:
    assert closest(word, candidates) == expected


def test_did_you_mean_offers_nothing_for_the_name_itself() -> None:
    assert did_you_mean("upper", ["upper", "lower"]) is None
    assert did_you_mean("uppercase", ["upper", "lower"]) == "did you mean 'upper'?"


def test_synonym_keys_are_written_as_they_are_looked_up() -> None:
    assert all(key == key.lower().replace("_", "").replace("-", "") for key in SYNONYMS)
