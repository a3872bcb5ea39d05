"""Seed data: ``data:`` files (JSON, CSV, JSONL) and inline records served exactly, located errors, ``count``
beyond the seed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery import load_specs
from mockery.errors import SpecError, SpecErrors
from tests.conftest import WriteSpec


def _errors(path: Path) -> list[SpecError]:
    with pytest.raises(SpecErrors) as caught:
        load_specs([path])
    return list(caught.value.errors)


def _relative(file: str, folder: Path) -> str:
    return Path(file).relative_to(folder).as_posix()


def test_inline_records_are_served_exactly_and_count_generates_the_rest(write_spec: WriteSpec, serve: Any) -> None:
    spec = write_spec(
        """
        service: shop
        resources:
          products:
            count: 5
            fields: {name: word, price: {faker: pyint, min_value: 1, max_value: 9}}
            data:
              - {id: 10, name: kettle, price: 25}
              - {id: 20, name: teapot}
        """
    )
    server = serve(spec)
    with httpx.Client(base_url=server.url) as http:
        listed = http.get("/products").json()
        assert [r["id"] for r in listed] == [10, 20, 21, 22, 23]
        assert listed[0] == {"id": 10, "name": "kettle", "price": 25}
        # A declared field the seed record leaves out is generated; the given ones are kept.
        assert listed[1]["name"] == "teapot"
        assert isinstance(listed[1]["price"], int)
        assert http.get("/products/20").json() == listed[1]
        assert http.get("/products/23").json() == listed[4]
        assert http.get("/products/1").status_code == 404
        created = http.post("/products", json={"name": "cup", "price": 3})
        assert created.status_code == 201
        assert created.json()["id"] == 24


def test_a_json_file_seeds_a_collection_and_untrusted_text_is_never_expanded(
    write_spec: WriteSpec, serve: Any, tmp_path: Path
) -> None:
    records = [
        {"id": 1, "title": "${HOME}", "body": "{{ 7 * 6 }}"},
        {"id": 2, "title": "{% for x in y %}", "tags": ["a", "b"]},
    ]
    (tmp_path / "posts.json").write_text(json.dumps(records))
    server = serve(write_spec("service: blog\nresources:\n  posts: {data: posts.json}\n"))
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/posts").json() == records
        assert http.get("/posts?title_like=HOME").json() == [records[0]]
        assert http.get("/posts?tags=b").json() == [records[1]]


def test_a_csv_file_seeds_typed_records(write_spec: WriteSpec, serve: Any, tmp_path: Path) -> None:
    (tmp_path / "users.csv").write_text(
        'id,name,age,active,team_id\n1,Ada,36,true,2\n2,"Grace, Rear Admiral",45,false,\n', encoding="utf-8"
    )
    spec = write_spec(
        """
        service: org
        resources:
          teams: {count: 3, fields: {name: word}}
          users:
            data: users.csv
            fields:
              name: {faker: name}
              age: {faker: pyint, type: integer}
              active: {faker: pybool, type: boolean}
              team_id: {ref: teams}
        """
    )
    server = serve(spec)
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/users").json() == [
            {"id": 1, "name": "Ada", "age": 36, "active": True, "team_id": 2},
            {"id": 2, "name": "Grace, Rear Admiral", "age": 45, "active": False, "team_id": None},
        ]
        assert [u["id"] for u in http.get("/teams/2/users").json()] == [1]


def test_a_bad_csv_row_is_located_by_file_line_and_column(write_spec: WriteSpec, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "users.csv").write_text(
        "id,name,age,role\n1,Ada,36,admin\n2,Bob,old,admin\n3,Cy\n4,Di,20,root\nx,Ed,20,admin\n", encoding="utf-8"
    )
    spec = write_spec(
        """
        service: org
        resources:
          users:
            data: data/users.csv
            fields:
              name: name
              age: {faker: pyint, type: integer}
              role: {choice: [admin, member]}
        """
    )
    errors = _errors(spec)
    shown = [(_relative(e.file, tmp_path), e.line, e.column, e.path) for e in errors]
    assert shown == [
        ("data/users.csv", 3, 3, "/age"),
        ("data/users.csv", 4, 1, ""),
        ("data/users.csv", 5, 4, "/role"),
        ("data/users.csv", 6, 1, "/id"),
    ]
    messages = [e.message for e in errors]
    assert "'old' is not integer" in messages[0]
    assert "2 values for 4 columns" in messages[1]
    assert "'root' is not one of the choices 'admin', 'member'" in messages[2]
    assert "use `id: string`" in messages[3]


def test_a_bad_jsonl_line_and_a_bad_record_are_located(write_spec: WriteSpec, tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").write_text(
        '{"id": 1, "kind": "click"}\n\n{"id": 2, "kind": \n{"id": 1, "kind": "view"}\n[1, 2]\n{"id": 4, "kind": 5}\n'
    )
    spec = write_spec(
        """
        service: stats
        resources:
          events:
            data: events.jsonl
            fields: {kind: {faker: word, type: string}}
        """
    )
    shown = [(_relative(e.file, tmp_path), e.line, e.path, e.message) for e in _errors(spec)]
    assert shown[0][:2] == ("events.jsonl", 3)
    assert shown[0][3].startswith("not JSON")
    assert shown[1] == ("events.jsonl", 4, "/id", "the id 1 is taken by an earlier record (line 1)")
    assert shown[2] == ("events.jsonl", 5, "", "a record must be an object, not an array")
    assert shown[3][:3] == ("events.jsonl", 6, "/kind")
    assert "is not of type 'string'" in shown[3][3]


def test_json_errors_carry_the_pointer_and_the_line_all_at_once(write_spec: WriteSpec, tmp_path: Path) -> None:
    (tmp_path / "posts.json").write_text('[\n  {"id": 1},\n  {"id": "two"},\n  {"id": 3, "n": "x"}\n]\n')
    (tmp_path / "broken.json").write_text('[\n  {"id": 1,\n]\n')
    spec = write_spec(
        """
        service: blog
        resources:
          posts: {data: posts.json, fields: {n: {faker: pyint, type: integer}}}
          drafts: {data: broken.json}
        """
    )
    shown = [(_relative(e.file, tmp_path), e.line, e.path) for e in _errors(spec)]
    assert ("posts.json", 3, "/1/id") in shown
    assert ("posts.json", 4, "/2/n") in shown
    assert any(file == "broken.json" and line == 3 for file, line, _ in shown)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("../outside.json", "outside the spec's folder"),
        ("/etc/passwd.json", "must be a path relative to the spec's folder"),
        ("missing.json", "no data file 'missing.json'"),
        ("notes.txt", "must end in .json, .csv or .jsonl"),
    ],
    ids=["outside", "absolute", "missing", "suffix"],
)
def test_a_data_file_must_be_inside_the_spec_folder(
    data: str, message: str, write_spec: WriteSpec, tmp_path: Path
) -> None:
    (tmp_path / "outside.json").write_text("[]")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "notes.txt").write_text("[]")
    spec = write_spec(f"service: s\nresources:\n  things: {{data: {data!r}}}\n", name="specs/spec.yaml")
    errors = _errors(spec)
    assert len(errors) == 1
    assert message in errors[0].message
    assert errors[0].path == "resources.things.data"
    assert errors[0].line == 3


def test_inline_record_errors_point_into_the_spec(write_spec: WriteSpec) -> None:
    spec = write_spec(
        """
        service: s
        resources:
          teams:
            data: [{id: 1}, {id: 2}]
          users:
            fields: {team_id: {ref: teams}}
            data:
              - {id: 1, team_id: 2}
              - {id: 2, team_id: 9}
              - {name: no id}
        """
    )
    shown = [(e.line, e.path, e.message) for e in _errors(spec)]
    assert (11, "resources.users.data[2]", "this record has no 'id'") in shown
    assert (10, "resources.users.data[1].team_id", "no teams record has the id 9") in shown
    assert len(shown) == 2
