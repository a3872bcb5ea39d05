"""Pages and records served from their kept JSON bytes (mockery.resources.collection ``encoded``,
``get_encoded``, ``page_encoded``, ``select_encoded``): the same bytes as encoding the records on each request,
before and after writes, and ``Link`` headers as they were."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
import pytest

from mockery import MockServer
from mockery.load.loader import load_specs
from mockery.resources.collection import Collection
from mockery.resources.query import parse_query
from mockery.runtime.state import Runtime

Serve = Callable[..., MockServer]

SPEC = """\
service: shop
resources:
  users:
    count: 1200
    fields:
      name: name
      age: {faker: pyint, min_value: 18, max_value: 90}
      role: {choice: [admin, member, guest], weights: [1, 8, 1]}
      tags: {array: word, min: 0, max: 3}
      address: {fields: {city: city}}
      team_id: {ref: teams}
  teams:
    count: 6
    fields: {name: company}
"""

QUERIES = [
    "",
    "_page=1&_limit=20",
    "_page=3&_limit=20",
    "_page=61&_limit=20",
    "_page=62&_limit=20",
    "_start=5&_end=9",
    "_start=1190",
    "_limit=7",
    "role=member&_sort=-age&_limit=20&_page=3",
    "role=admin&_sort=name",
    "role=guest&role=admin&_sort=-age,name&_page=2&_limit=15",
    "age_gte=80&_sort=age",
    "name_like=^A&_limit=30",
    "q=son&_limit=10",
    "address.city_like=a&_page=2&_limit=5",
    "role=nobody",
]


def users(tmp_path: Path) -> Collection:
    folder = tmp_path / "in-process"
    folder.mkdir(exist_ok=True)
    (folder / "shop.yaml").write_text(SPEC, encoding="utf-8")
    runtime = Runtime(load_specs([folder]))
    collection: Collection = runtime.resources.collections["shop.users"]
    return collection


def assert_same_bytes(collection: Collection) -> None:
    for text in QUERIES:
        query = parse_query(text, collection.field_paths)
        records, total = collection.select(query)
        assert collection.select_encoded(query) == (orjson.dumps(records), total), text
        # the second time comes from what was kept
        assert collection.select_encoded(query) == (orjson.dumps(records), total), text
    for record_id in (1, 2, 600, 1200, 1201, "7", "x", 0, -1):
        record = collection.get(record_id)
        expected = None if record is None else orjson.dumps(record)
        assert collection.get_encoded(record_id) == expected, record_id


def test_pages_and_records_are_the_bytes_their_records_encode_to(tmp_path: Path) -> None:
    assert_same_bytes(users(tmp_path))


def test_writes_are_seen_in_the_kept_bytes_at_once(tmp_path: Path) -> None:
    collection = users(tmp_path)
    assert_same_bytes(collection)  # everything encoded and kept first
    changed = collection.get(2)
    assert changed is not None
    collection.put({**changed, "name": "Ada Lovelace", "age": 99, "role": "admin"})
    collection.delete(3)
    collection.delete(1199)
    collection.put({"id": collection.new_id(), "name": "Grace Hopper", "age": 85, "role": "member", "tags": []})
    assert collection.get_encoded(2) == orjson.dumps(collection.get(2))
    assert b"Ada Lovelace" in collection.get_encoded(2)  # type: ignore[operator]
    assert collection.get_encoded(3) is None
    assert_same_bytes(collection)
    page, total = collection.select_encoded(parse_query("role=admin&_sort=-age", collection.field_paths))
    assert orjson.loads(page)[0]["name"] == "Ada Lovelace"
    first, _ = collection.page_encoded(0, 3)
    assert [record["id"] for record in orjson.loads(first)] == [1, 2, 4]
    last, total = collection.page_encoded(1195, 1300)
    assert orjson.loads(last)[-1]["name"] == "Grace Hopper"
    assert total == 1200 - 2 + 1


def test_generated_records_are_encoded_once(tmp_path: Path) -> None:
    collection = users(tmp_path)
    first = collection.encoded(10)
    assert collection.encoded(10) is first
    collection.cache_size = 5
    for number in range(20, 40):
        collection.encoded(number)
    assert collection.encoded(10) == first  # encoded again, the same bytes
    assert len(collection._encoded) <= 5


def links(response: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]*)>; rel="(\w+)"', response.headers["link"])}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "role=member&_sort=-age&_limit=20&_page=3",
            {
                "first": "/users?role=member&_sort=-age&_page=1&_limit=20",
                "prev": "/users?role=member&_sort=-age&_page=2&_limit=20",
                "next": "/users?role=member&_sort=-age&_page=4&_limit=20",
            },
        ),
        ("_page=1&_limit=600", {"first": "/users?_page=1&_limit=600", "next": "/users?_page=2&_limit=600"}),
        ("_page=2&_limit=600", {"first": "/users?_page=1&_limit=600", "prev": "/users?_page=1&_limit=600"}),
        ("name_like=a%20b&_limit=5", {"first": "/users?name_like=a+b&_page=1&_limit=5"}),
    ],
    ids=["filtered", "first page", "last page", "encoded value"],
)
def test_a_page_over_http_has_the_bytes_and_links_of_its_query(
    tmp_path: Path, serve: Serve, query: str, expected: dict[str, str]
) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "shop.yaml").write_text(SPEC, encoding="utf-8")
    server = serve(tmp_path / "specs")
    collection = users(tmp_path)  # the same seed: the same records as the server's
    with httpx.Client(base_url=server.url) as http:
        for _ in range(2):  # computed, then kept
            response = http.get(f"/users?{query}")
            assert response.status_code == 200
            records, total = collection.select(parse_query(response.request.url.query.decode(), collection.field_paths))
            assert response.content == orjson.dumps(records)
            assert response.headers["x-total-count"] == str(total)
            found = links(response)
            host = server.url.rstrip("/")
            for rel, path in expected.items():
                assert found[rel] == host + path
            assert set(found) >= {"first", "last"}
        # a write is in the next page at once
        first = response.json()[0]
        assert http.patch(f"/users/{first['id']}", json={"tags": ["changed"]}).status_code == 200
        assert http.get(f"/users?{query}").json()[0] == {**first, "tags": ["changed"]}
        assert http.get(f"/users/{first['id']}").json() == {**first, "tags": ["changed"]}
        assert http.get("/users/100000").status_code == 404
        assert http.get("/users/abc").status_code == 404
