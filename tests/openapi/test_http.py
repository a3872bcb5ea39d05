"""An OpenAPI document served over real HTTP: validation, Prefer, credentials and state (issue #7's acceptance)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockery import MockServer
from tests.openapi.support import PETSTORE


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    path = tmp_path_factory.mktemp("openapi") / "pets.yaml"
    path.write_text(PETSTORE)
    with MockServer(path) as server, httpx.Client(base_url=server.url_for("pets"), timeout=10) as http:
        yield http
        server.reset()


def test_a_post_missing_a_required_field_gets_422_problem_json_naming_it(client: httpx.Client) -> None:
    answer = client.post("/pets", json={"species": "cat"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert {"location": "body.name", "message": "'name' is a required property"} in problem["errors"]
    assert "name" in problem["detail"]


def test_post_then_get_by_id_returns_the_posted_pet_and_delete_removes_it(client: httpx.Client) -> None:
    created = client.post("/pets", json={"name": "Rex", "species": "dog", "age": 3})
    assert created.status_code == 201
    pet = created.json()
    assert pet["name"] == "Rex"
    assert pet["species"] == "dog"
    assert pet["age"] == 3
    assert pet["id"] == 5  # x-mockery-count: 4 records at start; the next id follows them
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", pet["created_at"])  # readOnly, filled in
    fetched = client.get(f"/pets/{pet['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == pet
    assert [p["id"] for p in client.get("/pets").json()] == [1, 2, 3, 4, 5]
    assert client.delete(f"/pets/{pet['id']}").status_code == 204
    gone = client.get(f"/pets/{pet['id']}")
    assert gone.status_code == 404
    # the documented 404's shape (not mockery's problem+json), with the real reason in its message
    assert gone.headers["content-type"] == "application/json"
    assert gone.json()["code"] == 404
    assert re.fullmatch(r"pets has no record with the id '?5'?", gone.json()["message"])


def test_generated_records_are_stable_and_honour_the_schema(client: httpx.Client) -> None:
    first = client.get("/pets/2").json()
    assert client.get("/pets/2").json() == first
    assert first["id"] == 2
    assert first["species"] in ("cat", "dog")
    assert "secret" not in first  # writeOnly stays out of responses
    if "chip" in first:
        assert re.fullmatch(r"[A-F0-9]{6}", first["chip"])
    if "email" in first:
        assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", first["email"])


def test_a_list_honours_the_documented_shape_and_paging(client: httpx.Client) -> None:
    pets = client.get("/pets", params={"limit": 2})
    assert pets.status_code == 200
    assert [p["id"] for p in pets.json()] == [1, 2]
    owners = client.get("/owners").json()
    assert set(owners) == {"items", "total"}
    assert owners["total"] == len(owners["items"]) == 10
    owner = client.get(f"/owners/{owners['items'][0]['id']}").json()
    assert owner == owners["items"][0]
    assert re.fullmatch(r"[0-9a-f-]{36}", owner["id"])


def test_prefer_code_returns_the_documented_response(client: httpx.Client) -> None:
    answer = client.get("/pets/1", headers={"prefer": "code=404"})
    assert answer.status_code == 404
    assert answer.json() == {"code": 404, "message": "no such pet"}
    assert answer.headers["preference-applied"] == "code=404"


def test_prefer_code_that_is_not_documented_is_ignored(client: httpx.Client) -> None:
    answer = client.get("/pets/1", headers={"prefer": "code=418"})
    assert answer.status_code == 200
    assert "preference-applied" not in answer.headers


def test_prefer_example_by_name_and_dynamic_false_use_the_examples(client: httpx.Client) -> None:
    named = client.get("/pets/1", headers={"prefer": "example=garfield"})
    assert named.json()["name"] == "Garfield"
    assert "example=garfield" in named.headers["preference-applied"]
    static = client.get("/pets/3", headers={"prefer": "dynamic=false"})
    assert static.json()["name"] == "Garfield"
    dynamic = client.get("/pets/3", headers={"prefer": "dynamic=true"})
    assert dynamic.status_code == 200
    assert dynamic.json().get("name") != "Garfield"


def test_a_missing_credential_is_401_with_a_challenge(client: httpx.Client) -> None:
    answer = client.get("/me")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer realm="mockery"'
    assert answer.json()["schemes"] == ["bearer"]
    me = client.get("/me", headers={"authorization": "Bearer abc"}).json()
    assert re.fullmatch(r"[A-Z][a-z]+", me["first_name"])
    assert re.fullmatch(r"[A-Z][A-Za-z .'-]+", me["city"])


@pytest.mark.parametrize(
    ("params", "headers", "location"),
    [
        ({"q": "a"}, {"x-trace": "abc", "cookie": "session=1"}, "query.q"),
        ({"q": "abc"}, {"x-trace": "ABC", "cookie": "session=1"}, "header.X-Trace"),
        ({"q": "abc"}, {"x-trace": "abc", "cookie": "session=x"}, "cookie.session"),
        ({}, {"x-trace": "abc", "cookie": "session=1"}, "query.q"),
    ],
    ids=["query", "header", "cookie", "missing"],
)
def test_each_parameter_location_is_validated(
    client: httpx.Client, params: dict[str, str], headers: dict[str, str], location: str
) -> None:
    answer = client.get("/search", params=params, headers=headers)
    assert answer.status_code == 422
    assert [error["location"] for error in answer.json()["errors"]] == [location]


def test_valid_parameters_pass(client: httpx.Client) -> None:
    answer = client.get("/search", params={"q": "abc"}, headers={"x-trace": "abc", "cookie": "session=1"})
    assert answer.status_code == 200
    assert isinstance(answer.json(), list)


def test_form_bodies_are_read_as_their_schema_types(client: httpx.Client) -> None:
    assert client.post("/forms", data={"count": "3"}).status_code == 204
    too_many = client.post("/forms", data={"count": "9"})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["location"] == "body.count"
    missing = client.post("/forms", data={"other": "1"})
    assert missing.json()["errors"][0]["location"] == "body.count"


def test_unknown_path_is_404_and_unknown_method_405(client: httpx.Client) -> None:
    assert client.get("/nothing").status_code == 404
    answer = client.put("/pets")
    assert answer.status_code == 405
    assert "GET" in answer.headers["allow"]


def test_a_wrong_content_type_is_415_and_named(client: httpx.Client) -> None:
    answer = client.post("/pets", content=b"name=x", headers={"content-type": "text/plain"})
    assert answer.status_code == 415
    assert answer.headers["content-type"] == "application/problem+json"  # the document has no 415, 4XX or default
    assert answer.json()["errors"][0]["location"] == "header.content-type"
    assert "application/json" in answer.json()["detail"]


def test_a_body_that_is_not_json_is_422(client: httpx.Client, tmp_path: Path) -> None:
    answer = client.post("/pets", content=b"{", headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert "not valid JSON" in answer.json()["detail"]
