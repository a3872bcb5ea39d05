"""Resources over real HTTP: the issue's acceptance points, against MockServer listeners."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from mockery import MockServer
from mockery.cli import cli
from mockery.resources.collection import Collection

Serve = Callable[..., MockServer]


def client(server: MockServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=10)


def collection(server: MockServer, key: str) -> Collection:
    return server.app.listener.runtime.resources.collections[key]


def everything(http: httpx.Client, path: str) -> list[dict[str, Any]]:
    response = http.get(path)
    assert response.status_code == 200, response.text
    records: list[dict[str, Any]] = response.json()
    assert len(records) == int(response.headers["x-total-count"])
    return records


def test_a_page_has_its_records_total_and_links(shop: Path, serve: Serve) -> None:
    with client(serve(shop)) as http:
        response = http.get("/users?_page=2&_limit=10")
    assert response.status_code == 200
    assert [user["id"] for user in response.json()] == list(range(11, 21))
    assert response.headers["x-total-count"] == "100"
    links = dict(re.findall(r'<([^>]*)>; rel="(\w+)"', response.headers["link"])[i][::-1] for i in range(4))
    assert set(links) == {"first", "prev", "next", "last"}
    assert links["next"].endswith("/users?_page=3&_limit=10")
    assert links["last"].endswith("/users?_page=10&_limit=10")


def test_a_record_is_the_same_on_every_call_and_after_a_restart(shop: Path, serve: Serve) -> None:
    with client(serve(shop)) as http:
        first = http.get("/users/42").content
        assert http.get("/users/42").content == first
    with client(serve(shop)) as http:
        assert http.get("/users/42").content == first
    with client(serve(shop, seed=1)) as http:
        assert http.get("/users/42").content != first
    user = httpx.Response(200, content=first).json()
    assert user["id"] == 42
    assert user["plan"] == "free"
    assert user["role"] in ("admin", "member", "guest")
    assert 18 <= user["age"] <= 90
    assert 0 <= len(user["tags"]) <= 4
    assert user["bio"].endswith(f"Lives in {user['address']['city']}.")


def test_refs_point_at_existing_records_and_expand_and_embed_resolve(shop: Path, serve: Serve) -> None:
    with client(serve(shop)) as http:
        users = everything(http, "/users")
        companies = {company["id"]: company for company in everything(http, "/companies")}
        assert len(users) == 100
        assert set(companies) == set(range(1, 11))
        assert {user["company_id"] for user in users} <= set(companies)
        expanded = http.get("/users?_expand=company&_limit=5").json()
        assert [user["company"] for user in expanded] == [companies[user["company_id"]] for user in expanded]
        assert http.get("/users/7?_expand=company").json()["company"] == companies[users[6]["company_id"]]
        embedded = http.get("/companies?_embed=users").json()
        for company in embedded:
            assert company["users"] == [user for user in users if user["company_id"] == company["id"]]
        assert http.get("/companies/3?_embed=users").json()["users"] == embedded[2]["users"]
        nested = http.get("/companies/3/users")
        assert nested.json() == embedded[2]["users"]
        assert nested.headers["x-total-count"] == str(len(embedded[2]["users"]))
        assert http.get("/companies/99/users").status_code == 404


def _value(record: Any, path: str) -> Any:
    for part in path.split("."):
        record = record.get(part) if isinstance(record, dict) else None
    return record


QUERIES: list[tuple[str, Callable[[dict[str, Any]], bool], list[tuple[str, bool]]]] = [
    ("role=admin", lambda u: u["role"] == "admin", []),
    ("role=admin&role=guest", lambda u: u["role"] in ("admin", "guest"), []),
    ("role_ne=member", lambda u: u["role"] != "member", []),
    ("age_gte=30&age_lt=40", lambda u: 30 <= u["age"] < 40, []),
    ("age_gt=80", lambda u: u["age"] > 80, []),
    ("age_lte=20", lambda u: u["age"] <= 20, []),
    ("company_id=3", lambda u: u["company_id"] == 3, []),
    ("address.city_like=^north", lambda u: u["address"]["city"].lower().startswith("north"), []),
    ("name_like=an", lambda u: "an" in u["name"].lower(), []),
    ("q=port", lambda u: any("port" in str(v).lower() for v in _leaves(u)), []),
    ("_sort=role,-age", lambda u: True, [("role", False), ("age", True)]),
    ("role=member&_sort=company_id,name", lambda u: u["role"] == "member", [("company_id", False), ("name", False)]),
    ("_sort=-address.city", lambda u: True, [("address.city", True)]),
]


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


@pytest.mark.parametrize(("query", "keep", "order"), QUERIES, ids=[q for q, _, _ in QUERIES])
def test_a_query_returns_what_a_python_filter_over_the_collection_returns(
    shop: Path, serve: Serve, query: str, keep: Callable[[dict[str, Any]], bool], order: list[tuple[str, bool]]
) -> None:
    with client(serve(shop)) as http:
        users = everything(http, "/users")
        expected = [user for user in users if keep(user)]
        for path, descending in reversed(order):
            expected.sort(key=lambda user, path=path: _value(user, path), reverse=descending)  # type: ignore[misc]
        got = everything(http, f"/users?{query}")
        assert [user["id"] for user in got] == [user["id"] for user in expected]
        assert 0 < len(got) < 100 or order
        paged = http.get(f"/users?{query}&_start=2&_end=5")
        assert paged.json() == expected[2:5]
        assert paged.headers["x-total-count"] == str(len(expected))


def test_unknown_query_fields_are_a_400_listing_the_valid_ones(shop: Path, serve: Serve) -> None:
    with client(serve(shop)) as http:
        response = http.get("/users?agee=3")
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert "'agee'" in response.json()["detail"]
        assert {"age", "address.city", "company_id", "_page"} <= set(response.json()["valid"])
        assert http.get("/users?_sort=nope").status_code == 400
        assert http.get("/users?_expand=nope").status_code == 400
        assert http.get("/users?_embed=users").status_code == 400
        assert http.get("/users?name_like=(").status_code == 400


def test_writes_read_back_merge_delete_and_are_validated(shop: Path, serve: Serve) -> None:
    with client(serve(shop)) as http:
        created = http.post("/users", json={"name": "Ada", "age": 36, "company_id": 2, "address": {"city": "Bath"}})
        assert created.status_code == 201
        assert created.json()["id"] == 101
        assert created.headers["location"] == "/users/101"
        assert http.get("/users/101").json() == created.json()
        assert http.get("/users").headers["x-total-count"] == "101"
        patched = http.patch("/users/101", json={"address": {"postcode": "BA1"}, "age": 37})
        assert patched.json() == {
            "id": 101, "name": "Ada", "age": 37, "company_id": 2, "address": {"city": "Bath", "postcode": "BA1"}
        }  # fmt: skip
        assert http.get("/users/101").json() == patched.json()
        replaced = http.put("/users/5", json={"name": "Grace"})
        assert replaced.json() == {"id": 5, "name": "Grace"} == http.get("/users/5").json()
        assert http.delete("/users/101").status_code == 204
        assert http.get("/users/101").status_code == 404
        assert http.delete("/users/101").status_code == 404
        assert http.delete("/users/1").status_code == 204
        assert http.get("/users/1").status_code == 404
        assert http.get("/users?_limit=1").json()[0]["id"] == 2
        assert http.get("/users").headers["x-total-count"] == "99"
        assert http.post("/users", json={"name": "Next"}).json()["id"] == 102


@pytest.mark.parametrize(
    ("method", "path", "body", "pointers"),
    [
        ("POST", "/users", {"age": "old", "name": 3}, ["/age", "/name"]),
        ("POST", "/users", {"company_id": 99}, ["/company_id"]),
        ("POST", "/users", {"tags": ["a", 1]}, ["/tags/1"]),
        ("POST", "/users", {"address": {"city": False}}, ["/address/city"]),
        ("POST", "/users", [1, 2], [""]),
        ("PATCH", "/users/3", {"age": 1.5}, ["/age"]),
        ("PUT", "/users/3", {"role": 7}, ["/role"]),
        ("PUT", "/users/3", {"id": 4}, ["/id"]),
    ],
)
def test_a_bad_body_is_a_422_problem_naming_each_field(
    shop: Path, serve: Serve, method: str, path: str, body: Any, pointers: list[str]
) -> None:
    with client(serve(shop)) as http:
        response = http.request(method, path, json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [error["pointer"] for error in response.json()["errors"]] == pointers
        assert http.get("/users").headers["x-total-count"] == "100"


def test_a_client_id_that_exists_is_a_409_and_a_new_one_is_kept(shop: Path, serve: Serve) -> None:
    with client(serve(shop)) as http:
        assert http.post("/users", json={"id": 5, "name": "Dup"}).status_code == 409
        assert http.post("/users", json={"id": 500, "name": "Mine"}).status_code == 201
        assert http.post("/users", json={"id": 500}).status_code == 409
        assert http.get("/users/500").json() == {"id": 500, "name": "Mine"}
        assert http.post("/users", json={"id": "five"}).status_code == 422


def test_templates_read_records_and_answer_404_for_a_missing_one(shop: Path, serve: Serve) -> None:
    with client(serve(shop)) as http:
        assert http.get("/profiles/42").json() == {"user": http.get("/users/42").json()}
        missing = http.get("/profiles/4200")
        assert missing.status_code == 404
        assert missing.json()["detail"] == "users has no record with the id '4200'"
        admins = [user for user in everything(http, "/users") if user["role"] == "admin"]
        expected = sorted(admins, key=lambda user: user["name"])
        assert http.get("/admins").json() == {"admins": expected, "count": len(admins)}
        http.patch("/users/42", json={"name": "Changed"})
        assert http.get("/profiles/42").json()["user"]["name"] == "Changed"


def test_uuid_ids_are_seeded_and_found(write_spec: Callable[..., Path], serve: Serve) -> None:
    spec = write_spec(
        """
        service: tickets
        resources:
          tickets: {count: 5, id: uuid, fields: {title: sentence}}
        """
    )
    with client(serve(spec)) as http:
        tickets = everything(http, "/tickets")
        assert len({ticket["id"] for ticket in tickets}) == 5
        for ticket in tickets:
            assert re.fullmatch(r"[0-9a-f-]{36}", ticket["id"])
            assert http.get(f"/tickets/{ticket['id']}").json() == ticket
        created = http.post("/tickets", json={"title": "new"}).json()
        assert created["id"] not in {ticket["id"] for ticket in tickets}
        assert http.get(f"/tickets/{created['id']}").json() == created
        assert http.get("/tickets/not-a-uuid").status_code == 404
    with client(serve(spec)) as http:
        assert everything(http, "/tickets") == tickets
        assert http.post("/tickets", json={"title": "new"}).json() == created


@pytest.mark.parametrize("state", ["memory", "sqlite"])
@pytest.mark.slow
def test_200_concurrent_posts_get_200_distinct_ids(shop: Path, serve: Serve, tmp_path: Path, state: str) -> None:
    url = "memory://" if state == "memory" else f"sqlite:///{tmp_path}/state.db"
    server = serve(shop, store=url)

    async def post_all() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as http:
            return await asyncio.gather(*(http.post("/users", json={"name": f"n{i}"}) for i in range(200)))

    responses = asyncio.run(post_all())
    assert [response.status_code for response in responses] == [201] * 200
    ids = {response.json()["id"] for response in responses}
    assert ids == set(range(101, 301))
    with client(server) as http:
        assert http.get("/users").headers["x-total-count"] == "300"
        stored = {user["id"]: user["name"] for user in http.get("/users?_start=100").json()}
    assert stored == {response.json()["id"]: response.json()["name"] for response in responses}


@pytest.mark.slow
def test_sqlite_state_survives_a_restart_and_reset_forgets_it(shop: Path, serve: Serve, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/state.db"
    first = serve(shop, store=url)
    with client(first) as http:
        original = http.get("/users/3").json()
        http.post("/users", json={"name": "Ada"})
        http.patch("/users/3", json={"name": "Patched"})
        http.delete("/users/4")
    first.stop()
    second = serve(shop, store=url)
    with client(second) as http:
        assert http.get("/users/101").json() == {"id": 101, "name": "Ada"}
        assert http.get("/users/3").json() == {**original, "name": "Patched"}
        assert http.get("/users/4").status_code == 404
        second.reset()
        assert http.get("/users/3").json() == original
        assert http.get("/users/101").status_code == 404
        http.delete("/users/4")
    second.stop()
    result = CliRunner().invoke(cli, ["reset", "--state", url])
    assert result.exit_code == 0, result.output
    with client(serve(shop, store=url)) as http:
        assert http.get("/users/4").status_code == 200
        assert http.get("/users").headers["x-total-count"] == "100"


@pytest.mark.slow
def test_a_million_records_are_generated_only_when_read(write_spec: Callable[..., Path], serve: Serve) -> None:
    spec = write_spec(
        """
        service: big
        resources:
          users:
            count: 1000000
            fields: {name: name, email: email, city: city}
        """
    )
    server = serve(spec)
    users = collection(server, "big.users")
    assert users.factory.generated == 0
    with client(server) as http:
        assert http.get("/users/999999").json()["id"] == 999999
        assert users.factory.generated == 1
        assert http.get("/users/1000001").status_code == 404
        seen = 0
        for page in range(1, 101):
            response = http.get(f"/users?_page={page}&_limit=100")
            assert response.headers["x-total-count"] == "1000000"
            seen += len(response.json())
        assert seen == 10_000
        assert users.factory.generated == 10_001
        assert users.cached <= users.cache_size
        deep = http.get("/users?_page=9000&_limit=3").json()
        assert [user["id"] for user in deep] == [26998, 26999, 27000]
        # A filter is no longer refused past 200,000 records: it reads the columns it names (tests/resources/
        # test_columns.py), here Faker's names, a million calls, too slow for this test.
    assert users.factory.generated == 10_004


def test_a_filtered_sorted_answer_is_reused_until_a_write_changes_it(
    write_spec: Callable[..., Path], serve: Serve
) -> None:
    spec = write_spec(
        """
        service: team
        resources:
          people:
            count: 300
            fields:
              age: {faker: pyint, min_value: 18, max_value: 90}
              role: {choice: [admin, member, guest]}
        """
    )
    server = serve(spec)
    people = collection(server, "team.people")
    query = "/people?role=member&_sort=-age,id&_limit=5"
    with httpx.Client(base_url=server.url) as http:
        first = http.get(query)
        scanned = people.factory.generated
        assert scanned >= 300
        again = [http.get(query), http.get(query + "&_page=2")]
        # The same filter and sort, any page: answered from the kept ids, generating at most the page.
        assert people.factory.generated - scanned <= 5
        assert again[0].content == first.content
        everyone = [http.get(f"/people?_start={start}&_end={start + 100}").json() for start in range(0, 300, 100)]
        members = sorted(
            (p for chunk in everyone for p in chunk if p["role"] == "member"), key=lambda p: (-p["age"], p["id"])
        )
        assert [p["id"] for p in first.json()] == [p["id"] for p in members[:5]]
        assert [p["id"] for p in again[1].json()] == [p["id"] for p in members[5:10]]
        # A write changes the answer at once.
        oldest = members[-1]
        assert http.patch(f"/people/{oldest['id']}", json={"age": 200}).status_code == 200
        assert http.get(query).json()[0]["id"] == oldest["id"]
        created = http.post("/people", json={"age": 300, "role": "member"}).json()
        assert http.get(query).json()[0]["id"] == created["id"]
        assert http.get(query).headers["x-total-count"] == str(len(members) + 1)
