"""Real Swagger 2.0 documents of the corpus, served over real HTTP: answers, request validation, credentials."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockery import MockServer, load_specs

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "swagger2"
TASKS = CORPUS / "go-swagger-go-swagger_examples-task-tracker__swagger.yml"
PETS = CORPUS / "Redocly-redoc_demo__swagger.yaml"
EXAMPLES = CORPUS / "OAI-OpenAPI-Specification_v2.0__api-with-examples.json"
VENDOR_JSON = "application/vnd.goswagger.examples.task-tracker.v1+json"

pytestmark = pytest.mark.skipif(not TASKS.is_file(), reason=f"the Swagger 2.0 corpus is not at {CORPUS}")


def _client(path: Path) -> Iterator[httpx.Client]:
    service = load_specs([path]).services[0]
    with MockServer(path) as server, httpx.Client(base_url=server.url_for(service.name), timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def tasks() -> Iterator[httpx.Client]:
    yield from _client(TASKS)


@pytest.fixture(scope="module")
def pets() -> Iterator[httpx.Client]:
    yield from _client(PETS)


def test_the_base_path_of_the_document_is_the_services() -> None:
    assert load_specs([TASKS]).services[0].base_path == "/api"
    assert load_specs([PETS]).services[0].base_path == "/v2"


def test_a_list_answers_an_array_of_documented_records(tasks: httpx.Client) -> None:
    answer = tasks.get("/tasks")
    assert answer.status_code == 200
    cards = answer.json()
    assert isinstance(cards, list)
    assert cards
    assert all(isinstance(card["id"], int) and isinstance(card["title"], str) for card in cards)


def test_a_query_array_with_pipes_is_read_item_by_item(tasks: httpx.Client) -> None:
    assert tasks.get("/tasks", params={"status": "open|closed"}).status_code == 200
    # Each item is checked against the enum: a wrong one, or items split by commas (one unknown item), is a 422.
    assert tasks.get("/tasks", params={"status": "open|lost"}).status_code == 422
    assert tasks.get("/tasks", params={"status": "open,closed"}).status_code == 422


def test_an_api_key_in_the_query_or_a_header_is_asked_for_and_accepted(tasks: httpx.Client) -> None:
    body = {"title": "A task to do", "status": "open"}
    headers = {"content-type": VENDOR_JSON}
    refused = tasks.post("/tasks", json=body, headers=headers)
    assert refused.status_code == 401
    assert "api_key" in refused.text
    by_query = tasks.post("/tasks", params={"token": "t"}, json=body, headers=headers)
    by_header = tasks.post("/tasks", json=body, headers={**headers, "x-token": "t"})
    assert by_query.status_code == 201, by_query.text
    assert by_header.status_code == 201, by_header.text


def test_a_bad_body_answers_422_naming_each_violation(tasks: httpx.Client) -> None:
    answer = tasks.post("/tasks?token=t", json={"title": 5}, headers={"content-type": VENDOR_JSON})
    assert answer.status_code == 422
    # Whatever shape the error takes (the document's own, or a problem document), it names each violation.
    assert "body.title" in answer.text
    assert "body.status" in answer.text


def test_an_undeclared_media_type_for_the_body_is_refused(tasks: httpx.Client) -> None:
    answer = tasks.post("/tasks?token=t", content=b"title=x", headers={"content-type": "text/plain"})
    assert answer.status_code in (415, 422)
    assert VENDOR_JSON in answer.text


def test_a_multipart_upload_with_a_file_field_is_accepted(tasks: httpx.Client) -> None:
    answer = tasks.post(
        "/tasks/1/files", params={"token": "t"}, files={"file": ("a.txt", b"hi")}, data={"description": "notes"}
    )
    assert answer.status_code == 201, answer.text


def test_a_missing_required_query_parameter_answers_400(pets: httpx.Client) -> None:
    answer = pets.get("/user/login")
    assert answer.status_code == 400
    assert {error["location"] for error in answer.json()["errors"]} == {"query.username", "query.password"}
    assert pets.get("/user/login", params={"username": "u", "password": "p"}).status_code == 200


def test_a_form_body_is_validated_against_its_fields(pets: httpx.Client) -> None:
    auth = {"authorization": "Bearer token"}
    answer = pets.post("/pet/1", content=b"name=Rex", headers={**auth, "content-type": "application/json"})
    assert answer.status_code in (415, 422)
    assert "application/x-www-form-urlencoded" in answer.text
    assert pets.post("/pet/1", data={"name": "Rex", "status": "sold"}, headers=auth).status_code == 405  # documented


def test_the_login_example_for_json_is_served(pets: httpx.Client) -> None:
    answer = pets.get("/user/login", params={"username": "u", "password": "p"}, headers={"accept": "application/json"})
    assert answer.status_code == 200
    assert answer.json() == "OK"


def test_a_json_example_written_as_json_text_is_served_as_that_json() -> None:
    service = load_specs([EXAMPLES]).services[0]
    with MockServer(EXAMPLES) as server:
        answer = httpx.get(server.url_for(service.name) + "/")
    assert answer.status_code == 200
    assert answer.json()["versions"][0]["id"] == "v2.0"
