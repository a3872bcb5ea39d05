"""Resource writes are parsed, bounded and serialised before anything is stored (issue 13, finding 5).

A write that cannot be kept is a 4xx problem and leaves the collection as it was: its list and its records
still answer 200 afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery import MockServer
from mockery.resources.collection import Collection
from mockery.resources.records import MAX_RECORD_VALUES, UnstorableRecord

Serve = Callable[..., MockServer]

WRITES = [("POST", "/users"), ("PUT", "/users/3"), ("PATCH", "/users/3")]
WRITE_IDS = ["post", "put", "patch"]


def client(server: MockServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30)


def nested(depth: int) -> bytes:
    """A record whose undeclared field ``extra`` holds arrays ``depth`` levels deep."""
    return b'{"name": "Deep", "extra": ' + b"[" * depth + b"]" * depth + b"}"


def send(http: httpx.Client, method: str, path: str, body: bytes) -> httpx.Response:
    return http.request(method, path, content=body, headers={"content-type": "application/json"})


def assert_unchanged(http: httpx.Client, before: Any) -> None:
    """The collection answers as it did before the refused write: 100 records, record 3 as it was, no 101."""
    listing = http.get("/users")
    assert listing.status_code == 200, listing.text
    assert listing.headers["x-total-count"] == "100"
    assert len(listing.json()) == 100
    assert http.get("/users/3").json() == before
    assert http.get("/users/101").status_code == 404
    assert http.get("/users?_sort=-id&_limit=1").status_code == 200


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    return problem


@pytest.mark.parametrize(("method", "path"), WRITES, ids=WRITE_IDS)
def test_a_300_deep_body_is_a_400_and_nothing_is_stored(shop: Path, serve: Serve, method: str, path: str) -> None:
    with client(serve(shop)) as http:
        before = http.get("/users/3").json()
        problem = assert_problem(send(http, method, path, nested(300)), 400)
        assert problem["limit"] == 128
        assert "nested more than 128 levels deep" in problem["detail"]
        assert_unchanged(http, before)


@pytest.mark.parametrize(("method", "path"), WRITES, ids=WRITE_IDS)
def test_a_100000_deep_body_is_a_400_naming_the_limit(shop: Path, serve: Serve, method: str, path: str) -> None:
    with client(serve(shop)) as http:
        before = http.get("/users/3").json()
        problem = assert_problem(send(http, method, path, nested(100_000)), 400)
        assert problem["limit"] == 128
        assert "128" in problem["detail"]
        assert_unchanged(http, before)


@pytest.mark.parametrize(("method", "path"), WRITES, ids=WRITE_IDS)
@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"name": "Ada",', "not JSON"),
        (b"{'name': 'Ada'}", "not JSON"),
        (b'{"name": "\xff\xfe"}', "not JSON"),
        (b"", "empty"),
        (b"   ", "empty"),
    ],
    ids=["truncated", "single-quotes", "not-utf8", "empty", "blank"],
)
def test_a_body_that_is_not_json_is_a_400(
    shop: Path, serve: Serve, method: str, path: str, body: bytes, detail: str
) -> None:
    with client(serve(shop)) as http:
        before = http.get("/users/3").json()
        problem = assert_problem(send(http, method, path, body), 400)
        assert detail in problem["detail"]
        assert_unchanged(http, before)


@pytest.mark.parametrize(("method", "path"), WRITES, ids=WRITE_IDS)
@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"name": "Ada", "extra": 1180591620717411303424}', 422),  # 2**70
        (b'{"name": "Ada", "extra": {"deeper": [-18446744073709551616]}}', 422),  # -2**64
        (b'{"name": "Ada", "extra": NaN}', 400),
        (b'{"name": "Ada", "extra": Infinity}', 400),
        (b'{"name": "Ada", "extra": -Infinity}', 400),
        (b'{"name": "Ada", "extra": 1e400}', 400),
        (b'{"name": "Ada", "extra": "\\ud800"}', 400),
        (b'{"name": "Ada", "extra": "\\udc00 alone"}', 400),
    ],
    ids=[
        "int-2**70",
        "int-minus-2**64",
        "nan",
        "infinity",
        "minus-infinity",
        "1e400",
        "high-surrogate",
        "low-surrogate",
    ],
)
def test_a_value_json_cannot_keep_is_a_4xx_and_nothing_is_stored(
    shop: Path, serve: Serve, method: str, path: str, body: bytes, status: int
) -> None:
    with client(serve(shop)) as http:
        before = http.get("/users/3").json()
        problem = assert_problem(send(http, method, path, body), status)
        if status == 422:
            assert "64-bit" in problem["detail"]
            assert problem["errors"][0]["pointer"] in ("/extra", "/extra/deeper/0")
        assert_unchanged(http, before)


@pytest.mark.parametrize(("method", "path"), WRITES, ids=WRITE_IDS)
def test_a_body_with_too_many_values_is_a_413(shop: Path, serve: Serve, method: str, path: str) -> None:
    body = b'{"name": "Many", "extra": [' + b",".join([b"0"] * (MAX_RECORD_VALUES + 1)) + b"]}"
    with client(serve(shop)) as http:
        before = http.get("/users/3").json()
        problem = assert_problem(send(http, method, path, body), 413)
        assert problem["limit"] == MAX_RECORD_VALUES
        assert_unchanged(http, before)


def test_patches_cannot_grow_a_record_past_the_values_limit(shop: Path, serve: Serve) -> None:
    half = MAX_RECORD_VALUES // 2 + 10
    with client(serve(shop)) as http:
        assert http.patch("/users/3", json={"first": list(range(half))}).status_code == 200
        grown = http.get("/users/3").json()
        problem = assert_problem(http.patch("/users/3", json={"second": list(range(half))}), 422)
        assert f"more than {MAX_RECORD_VALUES} values" in problem["detail"]
        assert http.get("/users/3").json() == grown
        assert http.get("/users").status_code == 200


@pytest.mark.parametrize(("method", "path"), WRITES, ids=WRITE_IDS)
def test_a_valid_write_is_stored_exactly(shop: Path, serve: Serve, method: str, path: str) -> None:
    edge = {"big": 2**64 - 1, "small": -(2**63), "float": 1e21, "deep": nested_list(120), "text": "\u00e9\U0001f600"}
    with client(serve(shop)) as http:
        response = http.request(method, path, json={"name": "Ada", "extra": edge})
        assert response.status_code == (201 if method == "POST" else 200), response.text
        record = response.json()
        assert record["extra"] == edge
        assert http.get(f"/users/{record['id']}").json() == record
        listing = http.get("/users?_sort=-id&_limit=1" if method == "POST" else "/users?_start=2&_limit=1")
        assert listing.status_code == 200
        assert listing.json() == [record]
        assert http.get("/users").headers["x-total-count"] == ("101" if method == "POST" else "100")


def nested_list(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    "extra",
    [2**70, -(2**64), {1: "a non-string key"}, "\ud800", nested_list(300), list(range(MAX_RECORD_VALUES + 1))],
    ids=["int-2**70", "int-minus-2**64", "int-key", "lone-surrogate", "300-deep", "too-many-values"],
)
def test_a_collection_never_stores_a_record_it_cannot_serialise(shop: Path, serve: Serve, extra: Any) -> None:
    server = serve(shop)
    users: Collection = server.app.listener.runtime.resources.collections["shop.users"]
    before = dict(users.store.changes(users.key))
    with pytest.raises(UnstorableRecord):
        users.put({"id": 3, "name": "Ada", "extra": extra})
    with pytest.raises(UnstorableRecord):
        users.put({"id": 500, "extra": extra})
    assert dict(users.store.changes(users.key)) == before
    with client(server) as http:
        assert http.get("/users").status_code == 200
        assert http.get("/users/3").status_code == 200
        assert http.get("/users/500").status_code == 404
