"""mockery.source.inline: specs given from Python, as a mapping or YAML text, loaded with the checks of files."""

from __future__ import annotations

import datetime
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockery.errors import ArgumentError, SpecError, SpecErrors
from mockery.load.loader import load_specs
from mockery.model.services import SpecSet
from mockery.source.inline import inline_document, load_inline
from mockery.templates.values import TemplateValue

WriteSpec = Callable[..., Path]
Where = Callable[..., tuple[int, int]]

USERS: dict[str, Any] = {
    "service": "users",
    "base_path": "/api",
    "routes": [
        {"path": "/users/{id:int}", "response": {"body": {"id": "{{ request.path_params.id }}"}}},
        {"path": "/health", "method": ["GET", "HEAD"], "response": {"status": 204}},
    ],
}


def inline_errors(*specs: Any, paths: tuple[str | Path, ...] = (), **options: Any) -> list[SpecError]:
    with pytest.raises(SpecErrors) as info:
        load_specs(paths, environ=options.pop("environ", {}), inline=specs, **options)
    return list(info.value.errors)


# --- valid specs ------------------------------------------------------------------------------------------------


def test_a_mapping_loads_like_the_same_yaml_file(write_spec: WriteSpec) -> None:
    from_dict = load_specs([], environ={}, inline=[USERS])
    from_text = load_specs(
        [],
        environ={},
        inline=[
            """\
service: users
base_path: /api
routes:
  - path: "/users/{id:int}"
    response:
      body:
        id: "{{ request.path_params.id }}"
  - path: /health
    method: [GET, HEAD]
    response:
      status: 204
"""
        ],
    )
    for specs in (from_dict, from_text):
        (service,) = specs.services
        assert service.name == "users"
        assert service.display_name == "<inline 1>"
        assert [(route.methods, route.path) for route in service.routes] == [
            (("GET",), "/api/users/{id:int}"),
            (("GET", "HEAD"), "/api/health"),
        ]
        assert service.routes[0].uses_request
        assert service.routes[1].response.status == 204


def test_the_mapping_is_copied_not_kept(write_spec: WriteSpec) -> None:
    spec = {"service": "users", "routes": [{"path": "/a", "response": {"body": {"n": 1}}}]}
    document = load_inline(spec)
    spec["routes"][0]["path"] = "/changed"  # type: ignore[index]
    assert document.data["routes"][0]["path"] == "/a"


def test_one_spec_alone_is_taken_as_a_list_of_one() -> None:
    assert [service.name for service in load_specs([], environ={}, inline=USERS).services] == ["users"]
    assert [service.name for service in load_specs([], environ={}, inline="service: solo\n").services] == ["solo"]


def test_files_and_inline_specs_load_together(write_spec: WriteSpec) -> None:
    path = write_spec("service: orders\nroutes:\n  - path: /orders\n")
    specs = load_specs([path], environ={}, inline=[USERS, "service: billing\n"])
    assert [service.name for service in specs.services] == ["orders", "users", "billing"]


def test_yaml_text_fills_environment_variables() -> None:
    text = "service: users\nport: ${PORT}\nroutes:\n  - path: /a\n    response:\n      body: $${{ faker.name() }}\n"
    specs = load_specs([], environ={"PORT": "8081"}, inline=[text])
    (service,) = specs.services
    assert service.port == 8081


def test_a_mapping_is_taken_as_written_without_environment_variables() -> None:
    spec = {"service": "users", "routes": [{"path": "/a", "response": {"body": "costs ${PRICE}"}}]}
    (service,) = load_specs([], environ={}, inline=[spec]).services
    assert service.routes[0].response.static_body == b"costs ${PRICE}"


def test_load_inline_names_the_document_and_keeps_the_name(tmp_path: Path) -> None:
    document = load_inline("service: users\n", name="users-spec")
    assert document.display_name == "users-spec"
    assert document.file.parent == tmp_path.resolve()
    specs = load_specs([], environ={}, inline=[document])
    assert specs.services[0].display_name == "users-spec"


# --- errors in YAML text ----------------------------------------------------------------------------------------


def test_errors_in_inline_yaml_are_located(where: Where) -> None:
    text = """\
        service: users
        routes:
          - path: /a
            response:
              status: 99
              body: "{{ faker.emial() }}"
          - path: /b
            mehtod: GET
        """
    errors = inline_errors("service: first\n", textwrap.dedent(text))
    assert [(e.file, (e.line, e.column), e.path, e.message, e.suggestion) for e in errors] == [
        ("<inline 2>", where(text, "99"), "routes[0].response.status", "expected a number >= 100, got 99", None),
        (
            "<inline 2>",
            where(text, '"{{ faker'),
            "routes[0].response.body",
            "unknown Faker provider 'emial'",
            "did you mean 'email'?",
        ),
        ("<inline 2>", where(text, "mehtod"), "routes[1].mehtod", "unknown key 'mehtod'", "did you mean 'method'?"),
    ]
    assert str(errors[0]).startswith("<inline 2>:5:15: routes[0].response.status: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("service: users\nport: !!python/object:os.system 1\n", "tag '!!python/object:os.system' is not allowed"),
        ("service: users\ndescription: 2024-01-02\n", "'2024-01-02' is read as a date, which JSON cannot carry"),
        ("service: users\ndescription: ${MISSING}\n", "environment variable 'MISSING' is not set"),
        ("service: users\nroutes: [\n", "invalid YAML: "),
    ],
    ids=["tag", "date", "environment", "syntax"],
)
def test_inline_yaml_gets_every_check_of_the_safe_loader(text: str, message: str) -> None:
    with pytest.raises(SpecErrors) as info:
        load_inline(text, name="<users>", environ={})
    (error,) = info.value.errors
    assert error.file == "<users>"
    assert error.line >= 2
    assert error.message.startswith(message)


@pytest.mark.slow
def test_an_alias_bomb_in_inline_yaml_is_stopped() -> None:
    lines = ["service: users", 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in "bcdefgh":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{', '.join(['*' + previous] * 10)}]")
    document, errors = inline_document("\n".join(lines) + "\n", environ={})
    assert document is None
    assert any("alias bomb" in error.message for error in errors)


# --- errors in a mapping ----------------------------------------------------------------------------------------


def test_errors_in_a_mapping_name_the_document_path() -> None:
    spec = {
        "service": "users",
        "routes": [
            {"path": "/a", "response": {"status": "200"}},
            {"path": "/b", "reponse": {}},
            {"path": "/c/{id:nope}", "response": {"body": "{{ faker.emial() }}"}},
        ],
    }
    errors = inline_errors(spec)
    assert [(e.file, e.line, e.column, e.path, e.message, e.suggestion) for e in errors] == [
        ("<inline 1>", 1, 1, "routes[0].response.status", "expected an integer, got '200'", None),
        ("<inline 1>", 1, 1, "routes[1].reponse", "unknown key 'reponse'", "did you mean 'response'?"),
        (
            "<inline 1>",
            1,
            1,
            "routes[2].path",
            "unknown parameter type 'nope' in '{id:nope}'",
            "use one of: str, path, int, float, uuid",
        ),
        ("<inline 1>", 1, 1, "routes[2].response.body", "unknown Faker provider 'emial'", "did you mean 'email'?"),
    ]


def test_values_json_cannot_carry_are_errors_at_their_path() -> None:
    spec = {
        "service": "users",
        "routes": [
            {
                "path": "/a",
                "response": {"body": {"when": datetime.date(2024, 1, 2), "ratio": float("nan"), "by_id": {1: "x"}}},
            }
        ],
    }
    errors = inline_errors(spec)
    assert [(e.path, e.message) for e in errors] == [
        ("routes[0].response.body.by_id", "mapping keys must be strings, got 1"),
        ("routes[0].response.body.ratio", "nan is not a number JSON can carry"),
        ("routes[0].response.body.when", "a date is not JSON-like data"),
    ]


def test_tuples_and_mappings_of_any_kind_are_accepted() -> None:
    from types import MappingProxyType

    spec = MappingProxyType({"service": "users", "routes": ({"path": "/a", "method": ("GET", "POST")},)})
    (service,) = load_specs([], environ={}, inline=[spec]).services
    assert service.routes[0].methods == ("GET", "POST")


def test_a_mapping_that_holds_itself_is_an_error_not_a_crash() -> None:
    spec: dict[str, Any] = {"service": "users"}
    spec["x-self"] = spec
    errors = inline_errors(spec)
    assert errors
    assert all(error.file == "<inline 1>" for error in errors)


def test_not_a_spec_is_an_argument_error() -> None:
    with pytest.raises(ArgumentError, match="an inline spec is a mapping or YAML text, not a bytes") as raised:
        load_specs([], environ={}, inline=[b"service: users\n"])  # type: ignore[list-item]
    assert isinstance(raised.value, TypeError)


# --- across specs -----------------------------------------------------------------------------------------------


def test_a_service_in_a_file_and_inline_is_a_duplicate(write_spec: WriteSpec) -> None:
    path = write_spec("service: users\n")
    errors = inline_errors({"service": "orders"}, USERS, paths=(path,))
    assert [(e.file, e.path, e.message) for e in errors] == [
        ("<inline 2>", "service", "service 'users' is already defined at spec.yaml:1:10")
    ]


def test_two_inline_specs_of_one_name_are_duplicates() -> None:
    errors = inline_errors("service: users\n", "\n\nservice: users\n")
    assert [(e.file, e.line, e.message) for e in errors] == [
        ("<inline 2>", 3, "service 'users' is already defined at <inline 1>:1:10")
    ]


def test_routes_of_a_file_and_an_inline_spec_conflict_on_a_shared_listener(write_spec: WriteSpec) -> None:
    path = write_spec("service: orders\nroutes:\n  - path: /api/users/{n:int}\n")
    errors = inline_errors(USERS, paths=(path,))
    assert [(e.file, e.path) for e in errors] == [("<inline 1>", "routes[0]")]
    assert errors[0].message.startswith("GET /api/users/{id:int} is already claimed on the same listener by spec.yaml")


# --- files sent by inline specs ---------------------------------------------------------------------------------


def file_spec(name: str) -> dict[str, Any]:
    return {"service": "files", "routes": [{"path": "/f", "response": {"file": name}}]}


def test_files_are_read_from_the_current_directory_by_default(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "users.json").write_bytes(b"[]")
    specs: SpecSet = load_specs([], environ={}, inline=[file_spec("data/users.json")])
    response = specs.services[0].routes[0].response
    assert (response.static_body, response.media_type) == (b"[]", "application/json")


def test_files_are_read_from_the_folder_given(tmp_path: Path) -> None:
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "hello.txt").write_text("hi")
    specs = load_specs([], environ={}, inline=[file_spec("hello.txt")], inline_folder=tmp_path / "fixtures")
    assert specs.services[0].routes[0].response.static_body == b"hi"
    document = load_inline(file_spec("hello.txt"), folder="fixtures")
    assert load_specs([], environ={}, inline=[document]).services[0].routes[0].response.static_body == b"hi"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../outside.txt", "'../outside.txt' lies outside the spec's folder"),
        ("/etc/hostname", "'/etc/hostname' is an absolute path"),
        ("missing.txt", "file 'missing.txt' does not exist in "),
    ],
    ids=["outside", "absolute", "missing"],
)
def test_files_outside_the_folder_are_refused(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "outside.txt").write_text("secret")
    (tmp_path / "fixtures").mkdir()
    errors = inline_errors(file_spec(name), inline_folder=tmp_path / "fixtures")
    assert [(e.file, e.line, e.column, e.path) for e in errors] == [("<inline 1>", 1, 1, "routes[0].response.file")]
    assert errors[0].message.startswith(message)


@pytest.mark.parametrize("name", ["..", "../../x", "a/b", "."])
def test_a_strange_name_does_not_move_the_folder(tmp_path: Path, name: str) -> None:
    (tmp_path / "hello.txt").write_text("hi")
    document = load_inline(file_spec("hello.txt"), name=name)
    assert document.file.parent == tmp_path.resolve()
    assert document.display_name == name
    assert load_specs([], environ={}, inline=[document]).services[0].routes[0].response.static_body == b"hi"


def test_a_template_in_an_inline_spec_is_compiled() -> None:
    (service,) = load_specs([], environ={}, inline=[USERS]).services
    body = service.routes[0].response.body
    assert body is not None
    assert not isinstance(body, TemplateValue)  # a mapping holding a template
