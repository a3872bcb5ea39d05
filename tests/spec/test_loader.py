"""mockery.load.loader: finding spec files, and the checks across files (names, route conflicts)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery.errors import SpecError, SpecErrors
from mockery.load.loader import find_spec_files, load_specs

WriteSpec = Callable[..., Path]
SpecErrorsOf = Callable[..., list[SpecError]]
Where = Callable[..., tuple[int, int]]


def service_with(name: str, *paths: str, port: int | None = None) -> str:
    """A spec of service ``name`` with one GET route per path; routes start on line 3 (4 with a port)."""
    lines = [f"service: {name}"]
    if port is not None:
        lines.append(f"port: {port}")
    lines.append("routes:")
    lines.extend(f'  - path: "{path}"' for path in paths)
    return "\n".join(lines) + "\n"


def test_folders_are_searched_recursively_in_sorted_order(write_spec: WriteSpec, tmp_path: Path) -> None:
    for name in ["zeta.yaml", "alpha.yml", "nested/deeper/beta.yaml", "nested/gamma.yml"]:
        write_spec(f"service: {Path(name).stem}\n", f"specs/{name}")
    (tmp_path / "specs" / "notes.txt").write_text("service: nope\n")
    (tmp_path / "specs" / "nested" / "README.md").write_text("# nope\n")
    files, errors = find_spec_files([tmp_path / "specs"])
    assert errors == []
    found = [file.relative_to(tmp_path / "specs").as_posix() for file in files]
    assert found == ["alpha.yml", "nested/deeper/beta.yaml", "nested/gamma.yml", "zeta.yaml"]
    specs = load_specs([tmp_path / "specs"], environ={})
    assert [service.name for service in specs.services] == ["alpha", "beta", "gamma", "zeta"]


def test_a_file_named_twice_is_loaded_once(write_spec: WriteSpec, tmp_path: Path) -> None:
    path = write_spec(service_with("users", "/a"))
    specs = load_specs([path, tmp_path, "spec.yaml"], environ={})
    assert [service.name for service in specs.services] == ["users"]


def test_missing_path_is_an_error(spec_errors: SpecErrorsOf) -> None:
    errors = spec_errors("nowhere.yaml")
    assert [(error.file, error.line, error.column, error.message) for error in errors] == [
        ("nowhere.yaml", 1, 1, "no such file or folder")
    ]


def test_empty_folder_is_an_error(tmp_path: Path, spec_errors: SpecErrorsOf) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "notes.txt").write_text("not a spec")
    errors = spec_errors(tmp_path / "specs")
    assert [(error.file, error.message) for error in errors] == [("specs", "the folder holds no *.yaml or *.yml spec")]


def test_duplicate_service_names_name_both_locations(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    first = write_spec(service_with("users", "/a"), "a.yaml")
    second = write_spec("# the same name again\nservice: users\n", "b.yaml")
    errors = spec_errors(first, second)
    assert [(error.file, error.line, error.column, error.path) for error in errors] == [("b.yaml", 2, 10, "service")]
    assert errors[0].message == "service 'users' is already defined at a.yaml:1:10"
    assert errors[0].suggestion == "service names must be unique"


def test_same_route_in_two_files_names_both_locations(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    first = write_spec(service_with("users", "/health", "/users/{id}"), "a.yaml")
    second = write_spec(service_with("accounts", "/users/{uid}"), "b.yaml")
    errors = spec_errors(first, second)
    assert [(error.file, error.line, error.column, error.path) for error in errors] == [("b.yaml", 3, 5, "routes[0]")]
    assert errors[0].message == (
        "GET /users/{uid} is already claimed on the same listener by a.yaml:4:5 (GET /users/{id}) of service 'users'"
    )
    assert "give one service a port of its own" in (errors[0].suggestion or "")


def test_conflict_is_per_method(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    first = write_spec("service: users\nroutes:\n  - path: /x\n    method: [GET, POST]\n", "a.yaml")
    second = write_spec("service: accounts\nroutes:\n  - path: /x\n    method: [PUT, POST]\n", "b.yaml")
    errors = spec_errors(first, second)
    assert len(errors) == 1
    assert errors[0].message.startswith("POST /x is already claimed")


def test_conflict_includes_the_base_path(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    first = write_spec("service: users\nbase_path: /api\nroutes:\n  - path: /users\n", "a.yaml")
    second = write_spec(service_with("accounts", "/api/users"), "b.yaml")
    errors = spec_errors(first, second)
    assert [(error.file, error.line) for error in errors] == [("b.yaml", 3)]
    assert "a.yaml:4:5" in errors[0].message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("/users/{id:int}", "/users/{id}"),
        ("/users/{id:int}", "/users/{id:uuid}"),
        ("/users/me", "/users/{id}"),
        ("/users/{id}", "/users/{id}/orders"),
    ],
    ids=["int-vs-str", "int-vs-uuid", "literal-vs-parameter", "longer"],
)
def test_different_shapes_do_not_conflict(write_spec: WriteSpec, first: str, second: str) -> None:
    a = write_spec(service_with("users", first), "a.yaml")
    b = write_spec(service_with("accounts", second), "b.yaml")
    assert load_specs([a, b], environ={}).route_count == 2


def test_services_with_their_own_ports_do_not_conflict(write_spec: WriteSpec) -> None:
    a = write_spec(service_with("users", "/users/{id}", port=8101), "a.yaml")
    b = write_spec(service_with("accounts", "/users/{id}", port=8102), "b.yaml")
    c = write_spec(service_with("shared", "/users/{id}"), "c.yaml")
    specs = load_specs([a, b, c], environ={})
    assert [service.port for service in specs.services] == [8101, 8102, None]


def test_services_on_the_same_own_port_conflict(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    a = write_spec(service_with("users", "/users/{id}", port=8101), "a.yaml")
    b = write_spec(service_with("accounts", "/users/{key}", port=8101), "b.yaml")
    errors = spec_errors(a, b)
    assert [(error.file, error.line) for error in errors] == [("b.yaml", 4)]
    assert "a.yaml:4:5" in errors[0].message


def test_errors_from_several_files_are_reported_together(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    broken_yaml = write_spec("service: a\nroutes: [\n", "a.yaml")
    bad_schema = write_spec("service: b\nroutes:\n  - path: /x\n    method: get\n", "b.yaml")
    bad_template = write_spec(
        'service: c\nroutes:\n  - path: /x\n    response:\n      body: "{{ faker.emial() }}"\n', "c.yaml"
    )
    good = write_spec(service_with("d", "/d"), "d.yaml")
    errors = spec_errors(broken_yaml, bad_schema, bad_template, good, "missing.yaml")
    assert [(error.file, error.line) for error in errors] == [
        ("a.yaml", 3),
        ("b.yaml", 4),
        ("c.yaml", 5),
        ("missing.yaml", 1),
    ]
    assert "did you mean 'GET'?" in str(errors[1])
    assert "did you mean 'email'?" in str(errors[2])


def test_a_valid_set_is_built(write_spec: WriteSpec) -> None:
    a = write_spec(service_with("users", "/users", "/users/{id:int}"), "a.yaml")
    b = write_spec(service_with("orders", "/orders"), "b.yaml")
    specs = load_specs([a, b], environ={})
    assert specs.route_count == 3
    assert [route.position.line for route in specs.service("users").routes] == [3, 4]
    assert specs.service("orders").file == b.resolve()


def test_a_spec_route_and_a_resource_endpoint_on_one_path_conflict(tmp_path: Path) -> None:
    """Routes are named by (origin, index): the first route written and the first endpoint are two routes."""
    spec = tmp_path / "shop.yaml"
    spec.write_text(
        "service: shop\nroutes:\n  - path: /users\n    response:\n      body: [1]\n"
        "resources:\n  users:\n    count: 1\n    fields:\n      name: name\n"
    )
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    [error] = caught.value.errors
    assert (error.line, error.column, error.path) == (3, 5, "routes[0]")
    assert error.message == f"GET /users is already claimed by resource 'users' (list) at {error.file}:8:5"
    assert error.suggestion is not None
    assert "override: true" in error.suggestion
    assert "port of its own" not in error.suggestion


def test_two_routes_of_one_service_get_no_port_hint(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    errors = spec_errors(write_spec(service_with("users", "/x", "/x")))
    assert [(error.line, error.path) for error in errors] == [(4, "routes[1]")]
    assert errors[0].message == "GET /x is already claimed on the same listener by spec.yaml:3:5 (GET /x)"
    assert errors[0].suggestion == "change the path or method, or tell the routes apart with `match` conditions"


def test_a_route_of_another_service_names_that_service(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    first = write_spec(service_with("users", "/x"), "a.yaml")
    second = write_spec(service_with("accounts", "/x"), "b.yaml")
    [error] = spec_errors(first, second)
    assert error.message.endswith("(GET /x) of service 'users'")


_WITH_USERS = "resources:\n  users:\n    count: 2\n    fields: {name: name}\n"


@pytest.mark.parametrize(
    ("route", "named"),
    [
        ("  - path: /users/{id}\n", "resource 'users' (get one)"),
        ("  - path: /users\n    method: POST\n", "resource 'users' (create)"),
        ("  - path: /users/{uid}\n    method: DELETE\n", "resource 'users' (delete)"),
        ("  - path: /users/{id}/orders\n", "resource 'orders' (list by 'users')"),
    ],
    ids=["get", "create", "delete", "nested"],
)
def test_endpoints_are_named_by_resource_and_action(
    route: str, named: str, write_spec: WriteSpec, spec_errors: SpecErrorsOf
) -> None:
    orders = "  orders:\n    count: 1\n    fields: {user: {ref: users}}\n"
    [error] = spec_errors(write_spec(f"service: shop\nroutes:\n{route}{_WITH_USERS}{orders}"))
    assert (error.line, error.path) == (3, "routes[0]")
    assert named in error.message
    assert "resource:" not in error.message
    assert "routes[1" not in error.message


def test_override_replaces_the_endpoint_and_keeps_the_others(write_spec: WriteSpec) -> None:
    spec = write_spec(
        "service: shop\nroutes:\n  - path: /users/{id}\n    override: true\n    response: {body: mine}\n" + _WITH_USERS
    )
    service = load_specs([spec], environ={}).service("shop")
    claims = [(route.origin, method, route.path) for route in service.routes for method in route.methods]
    assert claims.count(("spec", "GET", "/users/{id}")) == 1
    assert ("resource", "GET", "/users/{id}") not in claims
    assert ("resource", "PUT", "/users/{id}") in claims
    assert ("resource", "GET", "/users") in claims


def test_override_answers_in_the_endpoints_place(write_spec: WriteSpec, serve: Any) -> None:
    spec = write_spec(
        "service: shop\nroutes:\n  - path: /users/{id}\n    override: true\n    response: {body: mine}\n" + _WITH_USERS
    )
    server = serve(spec, environ={})
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get("/users/1").text == "mine"
        assert client.get("/users").json()[0]["id"] == 1


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ("  - path: /other\n    override: true\n", "`override: true`, but no resource endpoint answers GET /other"),
        (
            "  - path: /users\n    override: true\n    match: {query: {q: x}}\n",
            "a route with `match` or `scenario` answers beside the endpoint on its path, it replaces none",
        ),
    ],
    ids=["nothing-to-override", "conditional"],
)
def test_a_needless_override_is_located(
    route: str, message: str, write_spec: WriteSpec, spec_errors: SpecErrorsOf
) -> None:
    [error] = spec_errors(write_spec(f"service: shop\nroutes:\n{route}{_WITH_USERS}"))
    assert (error.line, error.column, error.path, error.message) == (4, 5, "routes[0].override", message)
    assert error.suggestion is not None
    assert error.suggestion.startswith("remove `override`")


def test_an_endpoint_of_another_service_is_named_by_resource_and_service(
    write_spec: WriteSpec, spec_errors: SpecErrorsOf
) -> None:
    first = write_spec("service: a\nresources:\n  users: {count: 1}\n", "a.yaml")
    second = write_spec("service: b\nresources:\n  users: {count: 1}\n", "b.yaml")
    errors = {error.message for error in spec_errors(first, second)}
    claimed = "GET /users/{id} is already claimed on the same listener by resource 'users' (get one) at a.yaml:3:10"
    assert f"{claimed} of service 'a'" in errors
    assert {error.path for error in spec_errors(first, second)} == {"resources.users"}


def test_a_head_route_on_an_endpoint_names_the_endpoint(write_spec: WriteSpec, spec_errors: SpecErrorsOf) -> None:
    [error] = spec_errors(write_spec("service: a\nroutes:\n  - {path: /users, method: HEAD}\n" + _WITH_USERS))
    assert error.message == (
        "HEAD /users is already answered by resource 'users' (list) at spec.yaml:6:5, which answers HEAD too"
    )
