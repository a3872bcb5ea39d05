"""Mistakes in ``resources:`` are reported where they were written, with a suggestion."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mockery.errors import SpecErrors
from mockery.load.loader import load_specs


def errors(write_spec: Callable[..., Path], text: str, *more: str) -> list[str]:
    paths = [write_spec(text, name="a.yaml")]
    paths += [write_spec(other, name=f"b{index}.yaml") for index, other in enumerate(more)]
    with pytest.raises(SpecErrors) as caught:
        load_specs(paths)
    return str(caught.value).splitlines()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            "{nick: nmae}",
            "a.yaml:6:13: resources.users.fields.nick: 'nmae' is not a Faker provider of locale en_US; "
            "did you mean 'name'? or use {const: nmae} for a literal value",
        ),
        (
            "{plan: free_tier}",
            "or use {const: free_tier} for a literal value",
        ),
        ("{mail: {fakr: email}}", "did you mean 'faker'?"),
        ("{age: {faker: pyint, min_valu: 3}}", "bad arguments for Faker provider 'pyint'"),
        ("{x: {const: 1, choice: [1]}}", "a field has one kind, this one has choice, const"),
        ("{boss: {ref: user}}", "resources.users.fields.boss.ref: no resource named 'user' in this service"),
        ("{bio: '{{ faker.sentense() }}'}", "unknown Faker provider 'sentense'"),
        ("{bio: '{{ recrd.name }}'}", "unknown name 'recrd'; did you mean 'record'?"),
        ("{r: {choice: [a, b], weights: [1]}}", "1 weights for 2 choices"),
        ("{n: {array: word, min: 3, max: 1}}", "min 3 is greater than max 1"),
        ("{n: {const: 1, typ: string}}", "unknown key 'typ' for a const field; did you mean 'type'?"),
        ("{n: {const: 1, type: strng}}", "did you mean 'string'?"),
        ("{n: 5}", "expected a string or a mapping, got 5"),
    ],
)
def test_field_mistakes_are_located(write_spec: Callable[..., Path], fields: str, expected: str) -> None:
    text = f"""\
        service: shop
        resources:
          users:
            count: 3
            fields:
              {fields[1:-1]}
        """
    found = errors(write_spec, text)
    assert any(expected in line for line in found), found


def test_resource_keys_are_checked_by_the_schema(write_spec: Callable[..., Path]) -> None:
    found = errors(
        write_spec,
        """\
        service: shop
        resources:
          Users: {count: 1}
          orders: {cont: 3, id: uuuid, endpoints: [lists]}
        """,
    )
    assert any(
        "a.yaml:3:3: resources.Users: 'Users' is not a valid name here; use lower-case" in line for line in found
    )
    assert any("unknown key 'cont'; did you mean 'count'?" in line for line in found), found
    assert any("resources.orders.id: expected one of integer, uuid, string; got 'uuuid'" in line for line in found), (
        found
    )
    assert any("resources.orders.endpoints[0]" in line for line in found), found


def test_a_ref_to_another_services_missing_collection_is_located(write_spec: Callable[..., Path]) -> None:
    found = errors(
        write_spec,
        """\
        service: shop
        resources:
          users:
            fields: {company_id: {ref: billing.companys}}
        """,
        """\
        service: billing
        resources:
          companies: {count: 2}
        """,
    )
    assert found[0].endswith(
        "a.yaml:4:32: resources.users.fields.company_id.ref: no resource 'companys' in a service named 'billing'; "
        "did you mean 'billing.companies'?"
    )


def test_a_route_that_claims_a_resource_path_is_a_conflict(write_spec: Callable[..., Path]) -> None:
    found = errors(
        write_spec,
        """\
        service: shop
        routes:
          - path: /users/{id}
            response: {body: {}}
        resources:
          users: {count: 1}
        """,
    )
    assert any("GET /users/{id} is already claimed" in line for line in found), found


def test_endpoints_path_and_base_path_shape_the_routes(write_spec: Callable[..., Path]) -> None:
    spec = write_spec(
        """\
        service: shop
        base_path: /api
        resources:
          users: {count: 1, path: /people, endpoints: [list, get]}
          orders: {count: 1, fields: {user_id: {ref: users}}}
        """
    )
    routes = {(route.methods[0], route.path) for route in load_specs([spec]).services[0].routes}
    assert ("GET", "/api/people") in routes
    assert ("GET", "/api/people/{id}") in routes
    assert ("POST", "/api/people") not in routes
    assert ("GET", "/api/people/{id}/orders") in routes
    assert ("DELETE", "/api/orders/{id}") in routes


def test_a_resource_path_under_the_admin_prefix_is_located(write_spec: Callable[..., Path]) -> None:
    spec = write_spec(
        "service: shop\nresources:\n  things:\n    path: /__mockery/things\n    fields: {name: name}\n"
        "  others:\n    path: /others?x=1\n    fields: {name: name}\n"
    )
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    messages = [str(error) for error in caught.value.errors]
    assert any(":4:11: resources.things.path: paths under /__mockery are reserved" in m for m in messages), messages
    assert any(":7:11: resources.others.path: a path cannot hold a query" in m for m in messages), messages
