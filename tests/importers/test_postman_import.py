"""mockery import postman: saved examples answer on their method, path and query; variables come from the
collection; what is not translated is a located warning; the corpus collections import, validate and serve."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from mockery import MockServer
from mockery.cli import cli
from mockery.errors import SpecErrors
from mockery.importers.postman import write_spec
from mockery.load.loader import load_specs

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "postman"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the Postman corpus is not at {CORPUS}")
SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _example(name: str, code: int, body: str, url: Any, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "code": code,
        "originalRequest": {"method": extra.pop("method", "GET"), "url": url, **extra},
        "header": [{"key": "Content-Type", "value": "application/json"}],
        "body": body,
    }


def _collection(tmp_path: Path) -> Path:
    shop = {
        "info": {"name": "Shop API", "schema": SCHEMA},
        "variable": [
            {"key": "baseUrl", "value": "https://api.example.com/v1"},
            {"key": "secret", "value": "from-collection", "disabled": True},
        ],
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "t"}]},
        "item": [
            {
                "name": "Orders",
                "item": [
                    {
                        "name": "Get order",
                        "request": {"method": "GET", "url": "{{baseUrl}}/orders/:id"},
                        "response": [
                            _example("Found", 200, '{"id": 7, "total": 550.00}', "{{baseUrl}}/orders/:id"),
                            _example("Gone", 410, '{"error": "gone"}', "{{baseUrl}}/orders/:id"),
                        ],
                    },
                    {
                        "name": "Search",
                        "request": {"method": "GET", "url": "{{baseUrl}}/orders"},
                        "response": [
                            _example(
                                "By status",
                                200,
                                '["paid {{ not_a_template }} ${HOME}"]',
                                {
                                    "host": ["{{baseUrl}}"],
                                    "path": ["orders"],
                                    "query": [{"key": "status", "value": "paid"}, {"key": "x", "disabled": True}],
                                },
                            ),
                            _example("All", 200, "[]", "{{baseUrl}}/orders"),
                        ],
                    },
                    {"name": "No example", "request": {"method": "DELETE", "url": "{{baseUrl}}/orders/:id"}},
                ],
            }
        ],
    }
    path = tmp_path / "shop.postman_collection.json"
    path.write_text(json.dumps(shop), encoding="utf-8")
    return path


def test_examples_answer_on_method_path_and_query(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "postman", str(_collection(tmp_path)), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'out' / 'shop-api.yaml'}" in result.output
    with MockServer(tmp_path / "out") as server:
        found = httpx.get(server.url + "/v1/orders/7")
        assert found.status_code == 200
        assert found.text == '{"id": 7, "total": 550.00}'  # the saved text: 550.00 stays 550.00
        assert found.headers["content-type"].startswith("application/json")
        gone = httpx.get(server.url + "/v1/orders/7", headers={"x-mock-response-name": "Gone"})
        assert (gone.status_code, gone.json()) == (410, {"error": "gone"})
        by_code = httpx.get(server.url + "/v1/orders/7", headers={"x-mock-response-code": "410"})
        assert (by_code.status_code, by_code.json()) == (410, {"error": "gone"})
        assert httpx.get(server.url + "/v1/orders/7", headers={"x-mock-response-code": "418"}).status_code == 200
        # Text of the collection is served as saved: never a template, never a variable.
        assert httpx.get(server.url + "/v1/orders?status=paid").json() == ["paid {{ not_a_template }} ${HOME}"]
        assert httpx.get(server.url + "/v1/orders").json() == []
        assert httpx.delete(server.url + "/v1/orders/7").status_code in (404, 405)


def test_untranslated_constructs_are_located_warnings(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "postman", str(_collection(tmp_path)), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert any(
        line.endswith("shop.postman_collection.json#/auth: bearer authentication is ignored: every request is answered")
        for line in lines
    ), lines
    assert any("#/item/0/item/2/response: 'Orders / No example' has no saved example" in line for line in lines)


def test_names_and_descriptions_are_kept_as_written(tmp_path: Path) -> None:
    source = _collection(tmp_path)
    data = json.loads(source.read_text(encoding="utf-8"))
    data["info"]["name"] = "Shop {{ env }} ${HOME}"
    data["item"][0]["item"][0]["response"][0]["name"] = "Found {{ it }}"
    source.write_text(json.dumps(data), encoding="utf-8")
    path, _ = write_spec(source, tmp_path / "out")
    [service] = load_specs([path]).services
    assert service.description == "Imported from the Postman collection 'Shop {{ env }} ${HOME}'"
    assert "Orders / Get order: Found {{ it }}" in [route.name for route in service.routes]


def test_variables_come_from_the_collection_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("baseUrl", "https://elsewhere.example/v9")
    path, _ = write_spec(_collection(tmp_path), tmp_path / "out")
    routes = {route.path for route in load_specs([path]).services[0].routes}
    assert routes == {"/v1/orders/{id}", "/v1/orders"}


def test_a_file_that_is_not_a_collection_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"info": {}, "item": []}', encoding="utf-8")
    with pytest.raises(SpecErrors, match="not a Postman collection"):
        write_spec(path, tmp_path / "out")
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(SpecErrors, match=r"other.json:1:2: not JSON"):
        write_spec(path, tmp_path / "out")


@needs_corpus
@pytest.mark.parametrize("name", sorted(path.name for path in CORPUS.glob("*.json")) if CORPUS.is_dir() else [])
def test_every_corpus_collection_imports_and_validates(tmp_path: Path, name: str) -> None:
    path, _ = write_spec(CORPUS / name, tmp_path)
    [service] = load_specs([path]).services
    assert service.routes


@needs_corpus
def test_graphql_examples_on_one_url_are_told_apart_by_their_body(tmp_path: Path) -> None:
    write_spec(CORPUS / "microcks-microcks_samples__films-postman.json", tmp_path)
    query = "query film ($id: String) {\n  film (id: $id) { id title }\n}"
    with MockServer(tmp_path) as server:
        second = httpx.post(server.url + "/", json={"query": query, "variables": {"id": "ZmlsbXM6Mg=="}})
        assert second.json()["data"]["film"]["title"] == "The Empire Strikes Back"
        first = httpx.post(server.url + "/", json={"query": query, "variables": {"id": "ZmlsbXM6MQ=="}})
        assert first.json()["data"]["film"]["title"] == "A New Hope"
        films = httpx.post(server.url + "/", json={"query": "query allFilms { allFilms { films { id } } }"})
        assert len(films.json()["data"]["allFilms"]["films"]) == 6


@needs_corpus
def test_examples_differing_by_query_answer_by_query(tmp_path: Path) -> None:
    write_spec(CORPUS / "thedevsaddam-docgen_examples__example.json", tmp_path)
    with MockServer(tmp_path) as server:
        filtered = httpx.get(server.url + "/v1/articles?page=1&limit=20&user_id=1")
        unfiltered = httpx.get(server.url + "/v1/articles?page=1&limit=20")
        assert filtered.status_code == unfiltered.status_code == 200
        assert filtered.json() == unfiltered.json()  # the collection saved the same body twice
        # limit={{limit}} is the collection's variable (20): another limit is no example's request.
        assert httpx.get(server.url + "/v1/articles?page=1&limit=5").status_code == 404
        named = httpx.get(
            server.url + "/v1/articles?page=1&limit=20&user_id=1", headers={"x-mock-response-name": "Invalid token"}
        )
        assert named.status_code == 401


def test_a_raw_url_starts_with_its_host_even_an_undefined_variable(tmp_path: Path) -> None:
    collection = {
        "info": {"name": "raw", "schema": SCHEMA},
        "item": [
            {
                "name": "a",
                "request": {"url": "{{host}}/users/{{id}}"},
                "response": [_example("ok", 200, "[]", "{{host}}/users/{{id}}")],
            },
            {
                "name": "b",
                "request": {"url": {"raw": "{{host}}/things"}},
                "response": [_example("ok", 200, "[]", {"raw": "{{host}}/things"})],
            },
            {"name": "c", "request": {"url": "/plain"}, "response": [_example("ok", 200, "[]", "/plain")]},
        ],
    }
    source = tmp_path / "raw.json"
    source.write_text(json.dumps(collection), encoding="utf-8")
    path, warnings = write_spec(source, tmp_path / "out")
    assert warnings == []
    assert [route.path for route in load_specs([path]).services[0].routes] == ["/users/{id}", "/things", "/plain"]
