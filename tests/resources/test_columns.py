"""Columns (issue 19, point 4): a filter or a sort over a big collection generates only the fields it names, a
column at a time, and answers exactly what a scan of whole records answers."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery import MockServer
from mockery.resources import columns as columns_module
from mockery.resources.collection import Collection
from mockery.resources.generate import BLOCK, Draws, _table, drawn_kind
from mockery.resources.query import parse_query
from tests.hostile_support import hostile_beside_ordinary

Serve = Callable[..., MockServer]

COUNT = 3000

SPEC = f"""
service: big
resources:
  users:
    count: {COUNT}
    {{id}}
    fields:
      name: name
      age: {{{{faker: pyint, min_value: 18, max_value: 90}}}}
      score: {{{{faker: pyint, min_value: 0, max_value: 1000000, step: 5}}}}
      role: {{{{choice: [admin, member, guest], weights: [1, 8, 1]}}}}
      level: {{{{choice: [1, 1.0, 2, "2", null, true]}}}}
      active: {{{{faker: boolean, chance_of_getting_true: 30}}}}
      plan: {{{{const: free}}}}
      company_id: {{{{ref: companies}}}}
      shape: {{{{choice: [[1, 2], {{{{a: 1}}}}]}}}}
      tags: {{{{array: word, min: 0, max: 2}}}}
      address: {{{{fields: {{{{city: city}}}}}}}}
      motto: "{{{{{{{{ faker.word() }}}}}}}} of {{{{{{{{ record.name }}}}}}}}"
  companies:
    count: 40
    fields: {{{{name: company}}}}
"""

QUERIES = [
    "role=admin&_sort=-age",
    "age_gte=30&age_lt=40&_sort=name",
    "name_like=^a",
    "_sort=company_id,-id",
    "active=true&_sort=score",
    "plan=free&role_ne=guest&_sort=-score,age",
    "id_lte=100&_sort=-age",
    "company_id=3&company_id=7",
    "role=admin&role=guest&_sort=-name",
    "level=1&_sort=-level",
    "_sort=level,-age",
    "level_gte=2&_sort=level",
    "motto_like=of&_sort=motto",
    "score_gt=500000&active=false",
    "plan=paid",
    "_sort=plan,-role",
]


def spec(write_spec: Callable[..., Path], id_kind: str = "integer") -> Path:
    return write_spec(SPEC.format(id=f"id: {id_kind}"), name="big.yaml")


def users_of(server: MockServer) -> Collection:
    collection: Collection = server.app.listener.runtime.resources.collections["big.users"]
    return collection


@pytest.fixture(params=["numpy", "python"])
def way(request: pytest.FixtureRequest) -> str:
    """Columns answer with numpy's arrays when it is installed, else in plain Python: the same answers."""
    if request.param == "numpy" and columns_module.numpy_module() is None:
        pytest.skip("numpy is not installed: only the plain Python path runs")
    return str(request.param)


def served(server: MockServer, way: str) -> Collection:
    users = users_of(server)
    users.columns.use_numpy = way == "numpy"
    return users


def whole_records(users: Collection, query_string: str, parent: Any = None) -> list[Any]:
    """The ids a scan of whole records answers (what the collection did before columns)."""
    query = parse_query(query_string, users.field_paths)
    changes = users.store.changes(users.key)
    records = list(users._records(changes, users._loop_record))
    if parent is not None:
        records = [r for r in records if any(r.get(name) == parent[1] for name in parent[0])]
    matches = [record for record in records if query.matches(record)]
    return [record["id"] for record in query.sorted(matches)]


def from_columns(users: Collection, query_string: str, parent: Any = None) -> list[Any] | None:
    query = parse_query(query_string, users.field_paths)
    changes = users.store.changes(users.key)
    _, _, created = users._overlay(changes)
    return users.columns.select(query, parent, changes, created, lambda: users.factory)


@pytest.mark.parametrize("id_kind", ["integer", "uuid"])
def test_a_field_generated_alone_is_the_field_of_the_whole_record(
    write_spec: Callable[..., Path], serve: Serve, id_kind: str
) -> None:
    users = users_of(serve(spec(write_spec, id_kind)))
    factory = users.factory
    assert set(factory.drawn) == {"age", "score", "role", "level", "active", "plan", "company_id", "shape"}
    for number in (1, 2, BLOCK - 1, BLOCK, BLOCK + 1, COUNT - 1, COUNT):
        record = factory.record(number)
        for name, _ in users.resource.fields:
            assert factory.value(name, number) == record[name], (name, number)
    for name in ("age", "role", "company_id", "name", "motto"):
        column = users.columns.column(name, lambda: factory)
        assert column is not None
        for number in (1, BLOCK, BLOCK + 1, COUNT):
            assert column.values[column.codes[number]] == factory.record(number)[name]


def test_records_are_the_same_in_another_process_and_in_any_order(
    write_spec: Callable[..., Path], serve: Serve
) -> None:
    path = spec(write_spec)
    first, second = users_of(serve(path)), users_of(serve(path))
    forwards = [first.factory.record(n) for n in range(1, 600)]
    backwards = [second.factory.record(n) for n in reversed(range(1, 600))]
    assert forwards == backwards[::-1]
    assert len({record["age"] for record in forwards}) > 50  # drawn, yet spread over the range


@pytest.mark.parametrize("query", QUERIES)
def test_a_query_from_columns_answers_what_whole_records_answer(
    write_spec: Callable[..., Path], serve: Serve, query: str, way: str
) -> None:
    users = served(serve(spec(write_spec, "uuid" if "name" in query else "integer")), way)
    picked = from_columns(users, query)
    assert picked is not None
    assert picked == whole_records(users, query)


def test_writes_are_overlaid_on_the_columns(write_spec: Callable[..., Path], serve: Serve, way: str) -> None:
    server = serve(spec(write_spec))
    users = served(server, way)
    query = "role_ne=guest&_sort=-age,role"
    before = from_columns(users, query)
    with httpx.Client(base_url=server.url) as http:
        assert http.patch("/users/5", json={"role": "guest"}).status_code == 200
        assert http.patch("/users/6", json={"role": "admin", "age": 200}).status_code == 200
        assert http.patch("/users/7", json={"age": 18}).status_code == 200
        assert http.delete("/users/8").status_code in (200, 204)
        assert http.post("/users", json={"name": "N", "role": "member", "age": 55}).status_code == 201
        assert http.post("/users", json={"name": "M", "role": "guest", "age": 56}).status_code == 201
    after = from_columns(users, query)
    assert after == whole_records(users, query)
    assert before is not None
    assert after is not None
    assert after[0] == 6  # patched to the oldest admin
    assert 5 not in after  # patched to a guest
    assert 8 not in after  # deleted
    assert COUNT + 1 in after  # created, a member
    assert COUNT + 2 not in after  # created, a guest
    for other in ("age=55", "_sort=age", "role=guest&_sort=-id", "age=18&_sort=role"):
        assert from_columns(users, other) == whole_records(users, other), other


def test_a_nested_list_from_columns(write_spec: Callable[..., Path], serve: Serve, way: str) -> None:
    users = served(serve(spec(write_spec)), way)
    for parent in ((("company_id",), 3), (("company_id", "age"), 30)):
        picked = from_columns(users, "_sort=-age", parent)
        assert picked == whole_records(users, "_sort=-age", parent)
        assert picked


@pytest.mark.parametrize(
    "query",
    ["shape=1", "tags=a", "address.city=x", "q=an", "_sort=tags"],
    ids=["unhashable-choice", "array", "nested", "text-search", "sort-array"],
)
def test_what_columns_cannot_answer_falls_back_to_whole_records(
    write_spec: Callable[..., Path], serve: Serve, query: str
) -> None:
    server = serve(spec(write_spec))
    users = users_of(server)
    assert from_columns(users, query) is None
    with httpx.Client(base_url=server.url) as http:
        answer = http.get(f"/users?{query}&_limit=5")
    assert answer.status_code == 200
    assert [r["id"] for r in answer.json()] == whole_records(users, query)[:5]
    assert int(answer.headers["x-total-count"]) == len(whole_records(users, query))


def test_draws_are_the_same_by_record_and_by_column() -> None:
    for width in (2, 4):
        draws = Draws(12345, width)
        column = draws.column(3 * BLOCK + 7)
        assert len(column) == 3 * BLOCK + 7
        assert [draws.number(n) for n in range(1, len(column) + 1)] == list(column)
        assert list(Draws(12345, width).column(BLOCK)) == list(column[:BLOCK])
        assert list(Draws(12346, width).column(BLOCK)) != list(column[:BLOCK])


def test_a_weighted_table_gives_each_option_its_share() -> None:
    table = _table((1.0, 8.0, 1.0))
    assert len(table) == 1 << 16
    shares = [table.count(index) / len(table) for index in range(3)]
    assert shares == pytest.approx([0.1, 0.8, 0.1], abs=1e-4)
    assert _table((0.0, 1.0)).count(0) == 0


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"min_value": 3, "max_value": 3}, {3}),
        ({"min_value": -2, "max_value": 2}, {-2, -1, 0, 1, 2}),
        ({"min_value": 0, "max_value": 10, "step": 5}, {0, 5, 10}),
    ],
)
def test_drawn_integers_cover_their_bounds(arguments: dict[str, int], expected: set[int]) -> None:
    from mockery.model.resources import FakerField

    drawn = drawn_kind(FakerField("pyint", arguments), 7, lambda ref: None)
    assert drawn is not None
    assert {drawn.value(n) for n in range(1, 2000)} == expected


@pytest.mark.parametrize(
    "arguments",
    [
        {"min_value": 5, "max_value": 1},
        {"min_value": "1"},
        {"step": 0},
        {"min_value": 0, "max_value": 1 << 40},
        {"x": 1},
    ],
    ids=["reversed", "text", "step-0", "too-wide", "unknown-argument"],
)
def test_integers_faker_would_refuse_or_that_do_not_fit_are_left_to_faker(arguments: dict[str, Any]) -> None:
    from mockery.model.resources import FakerField

    assert drawn_kind(FakerField("pyint", arguments), 7, lambda ref: None) is None


MILLION = """
service: big
resources:
  users:
    count: 1000000
    fields:
      name: name
      age: {faker: pyint, min_value: 18, max_value: 90}
      role: {choice: [admin, member, guest], weights: [1, 8, 1]}
"""


def test_a_query_over_a_million_records_answers_and_never_holds_the_loop(
    write_spec: Callable[..., Path], serve: Serve
) -> None:
    server = serve(write_spec(MILLION, name="big.yaml"))
    users = users_of(server)
    outcome = hostile_beside_ordinary(server.url, "GET", "/users?role=admin&_sort=-age&_limit=20", "/users/777")
    assert outcome.status == 200, outcome.body
    page = outcome.json()
    assert len(page) == 20
    assert all(record["role"] == "admin" for record in page)
    assert [record["age"] for record in page] == sorted((record["age"] for record in page), reverse=True)
    assert page[0]["age"] == 90
    total = int(outcome.headers["x-total-count"])
    assert 90_000 < total < 110_000  # a weight of 1 in 10
    # Only the fields the query names were generated, a column each; the records of the page, whole.
    assert set(users.columns.kept) == {"age", "role"}
    ties = [record["id"] for record in page if record["age"] == 90]
    assert ties == sorted(ties)  # equal ages stay in id order, as a stable sort of whole records leaves them
    for record in page:
        assert users.factory.record(record["id"]) == record
    assert list(itertools.islice(users.factory.drawn, 0, None)) == ["age", "role"]


def test_a_template_scanning_a_big_collection_on_the_event_loop_is_still_refused(
    write_spec: Callable[..., Path], serve: Serve
) -> None:
    server = serve(
        write_spec(
            """
            service: big
            resources:
              users:
                count: 300000
                fields: {role: {choice: [admin, member]}}
            routes:
              - path: /admins
                response:
                  body: {count: "{{ resources.users.count(role='admin') }}"}
            """,
            name="big.yaml",
        )
    )
    answer = httpx.get(server.url + "/admins", timeout=30)
    assert answer.status_code == 500
    assert "reads all 300000 records, more than the limit of 200000" in answer.json()["detail"]
    # The same filter as a REST list runs off the loop, from columns.
    listed = httpx.get(server.url + "/users?role=admin&_limit=1", timeout=30)
    assert listed.status_code == 200
    assert 140_000 < int(listed.headers["x-total-count"]) < 160_000
