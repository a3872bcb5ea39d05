"""Collections found in a document: which path pairs become one, how ``x-mockery-*`` tunes them, and state that
obeys the document (ids within the id schema, list/detail consistency, PUT that creates, documented errors)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest
import yaml

from mockery import MockServer, SpecErrors, load_specs
from mockery.http.answer import problem
from mockery.model.services import Service
from mockery.openapi.state import SchemaRecords
from mockery.openapi.stateful import documented_status
from tests.conftest import WriteSpec
from tests.openapi.support import PETSTORE
from tests.openapi.test_conformance import answer_errors


def service(tmp_path: Path, text: str) -> Service:
    path = tmp_path / "pets.yaml"
    path.write_text(text)
    return load_specs([path]).services[0]


def test_id_pairs_become_collections_and_lookups_by_another_field_do_not(tmp_path: Path) -> None:
    data = yaml.safe_load(PETSTORE)
    data["paths"]["/users/{username}"] = {"get": data["paths"]["/owners/{id}"]["get"]}
    data["paths"]["/users"] = data["paths"]["/owners"]
    loaded = service(tmp_path, yaml.safe_dump(data))
    resources = {r.name: r for r in loaded.resources}
    assert sorted(resources) == ["owners", "pets"]
    assert (resources["pets"].count, resources["pets"].id_kind) == (4, "integer")
    assert (resources["owners"].count, resources["owners"].id_kind) == (10, "uuid")
    assert resources["pets"].maker is not None
    assert {"name", "species"} <= resources["pets"].maker.paths


def test_x_mockery_resource_names_or_disables_a_collection(tmp_path: Path) -> None:
    data = yaml.safe_load(PETSTORE)
    data["paths"]["/pets"]["x-mockery-resource"] = "animals"
    data["paths"]["/owners"]["x-mockery-resource"] = False
    loaded = service(tmp_path, yaml.safe_dump(data))
    assert [r.name for r in loaded.resources] == ["animals"]


def test_a_bad_count_is_a_located_error(tmp_path: Path) -> None:
    text = PETSTORE.replace("x-mockery-count: 4", "x-mockery-count: many")
    with pytest.raises(SpecErrors) as caught:
        service(tmp_path, text)
    (error,) = caught.value.errors
    assert error.path == "paths./pets.x-mockery-count"
    assert error.line == text.splitlines().index("    x-mockery-count: many") + 1


# -- ids that obey the document ------------------------------------------------------------------------------

STATEFUL = """\
openapi: 3.0.3
info: {title: Ids, version: "1"}
x-mockery-service: ids
x-mockery-seed: 7
components:
  schemas:
    Ulid:
      type: object
      required: [id, name]
      properties:
        id: {type: string, pattern: "^[\\\\da-z]{26}$", readOnly: true}
        name: {type: string}
        secret: {type: string, writeOnly: true}
        size: {type: integer}
        labels: {type: array, xml: {wrapped: true}, items: {type: string, xml: {name: label}}}
    Slot:
      type: object
      required: [id]
      properties:
        id: {type: integer, minimum: 1, maximum: 5}
        label: {type: string}
    Step:
      type: object
      required: [id]
      properties:
        id: {type: integer, minimum: 100, multipleOf: 10}
    Colour:
      type: object
      required: [id]
      properties:
        id: {type: string, enum: [red, green, blue]}
    Ulids: {type: array, items: {$ref: '#/components/schemas/Ulid'}}
    Task:
      type: object
      required: [id, title, reportedBy]
      properties:
        id: {type: integer, format: int64, readOnly: true}
        title: {type: string}
        reportedBy:
          type: object
          required: [id, name]
          properties:
            id: {type: integer, readOnly: true}
            name: {type: string}
    Tasks: {type: array, items: {$ref: '#/components/schemas/Task'}}
    Slots: {type: array, items: {$ref: '#/components/schemas/Slot'}}
    Steps: {type: array, items: {$ref: '#/components/schemas/Step'}}
    Colours: {type: array, items: {$ref: '#/components/schemas/Colour'}}
paths:
  /ulids:
    x-mockery-count: 4
    get:
      responses:
        "200": {description: all, content: {application/json: {schema: {$ref: '#/components/schemas/Ulids'}}}}
    post:
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/Ulid'}}
          application/x-www-form-urlencoded: {schema: {$ref: '#/components/schemas/Ulid'}}
          application/xml: {schema: {$ref: '#/components/schemas/Ulid'}}
      responses:
        "201": {description: made, content: {application/json: {schema: {$ref: '#/components/schemas/Ulid'}}}}
  /ulids/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      responses:
        "200": {description: one, content: {application/json: {schema: {$ref: '#/components/schemas/Ulid'}}}}
        "404": {description: none}
    put:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Ulid'}}}}
      responses:
        "200": {description: replaced, content: {application/json: {schema: {$ref: '#/components/schemas/Ulid'}}}}
    patch:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        "200": {description: patched, content: {application/json: {schema: {$ref: '#/components/schemas/Ulid'}}}}
    delete:
      responses:
        "204": {description: gone}
  /slots:
    x-mockery-count: 3
    get:
      responses:
        "200": {description: all, content: {application/json: {schema: {$ref: '#/components/schemas/Slots'}}}}
    post:
      requestBody: {content: {application/json: {schema: {type: object, properties: {label: {type: string}}}}}}
      responses:
        "201": {description: made, content: {application/json: {schema: {$ref: '#/components/schemas/Slot'}}}}
        "400": {description: invalid}
        "409": {description: full}
  /slots/{slotId}:
    parameters: [{name: slotId, in: path, required: true, schema: {type: integer}}]
    get:
      responses:
        "200": {description: one, content: {application/json: {schema: {$ref: '#/components/schemas/Slot'}}}}
    put:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        "204": {description: replaced}
        "404": {description: none}
    delete:
      responses:
        "204": {description: gone}
  /tasks:
    get:
      parameters: [{name: limit, in: query, schema: {type: integer, format: int32}}]
      responses:
        "200": {description: all, content: {application/json: {schema: {$ref: '#/components/schemas/Tasks'}}}}
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Task'}}}}
      responses:
        "201":
          description: made
          headers: {Location: {schema: {type: string, format: uri}}}
          content: {application/json: {schema: {$ref: '#/components/schemas/Task'}}}
  /tasks/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get:
      responses:
        "200": {description: one, content: {application/json: {schema: {$ref: '#/components/schemas/Task'}}}}
    put:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Task'}}}}
      responses:
        "200": {description: replaced, content: {application/json: {schema: {$ref: '#/components/schemas/Task'}}}}
  /steps:
    get:
      responses:
        "200": {description: all, content: {application/json: {schema: {$ref: '#/components/schemas/Steps'}}}}
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Step'}}}}
      responses:
        "201": {description: made, content: {application/json: {schema: {$ref: '#/components/schemas/Step'}}}}
        "400": {description: invalid input}
  /steps/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200": {description: one, content: {application/json: {schema: {$ref: '#/components/schemas/Step'}}}}
  /colours:
    get:
      responses:
        "200": {description: all, content: {application/json: {schema: {$ref: '#/components/schemas/Colours'}}}}
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        "201": {description: made, content: {application/json: {schema: {$ref: '#/components/schemas/Colour'}}}}
  /colours/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: one, content: {application/json: {schema: {$ref: '#/components/schemas/Colour'}}}}
    delete:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "204": {description: gone}
"""
ULID = re.compile(r"[\da-z]{26}")


@pytest.fixture
def ids(write_spec: WriteSpec, serve: Callable[..., MockServer]) -> Iterator[httpx.Client]:
    server = serve(write_spec(STATEFUL, "ids.yaml"))
    with httpx.Client(base_url=server.url_for("ids"), timeout=10) as client:
        yield client


def test_patterned_ids_are_handed_out_by_lists_and_find_their_records(ids: httpx.Client) -> None:
    listed = ids.get("/ulids").json()
    assert len(listed) == 4
    assert all(ULID.fullmatch(record["id"]) for record in listed), listed
    assert len({record["id"] for record in listed}) == 4
    for record in listed:
        assert ids.get(f"/ulids/{record['id']}").json() == record
    assert ids.get("/ulids/" + "0" * 26).status_code == 404
    assert ids.get("/ulids/not-an-id").status_code == 404
    assert ids.get("/ulids").json() == listed, "the same ids on every read"


def test_patterned_ids_round_trip_create_list_get_update_delete(ids: httpx.Client) -> None:
    created = ids.post("/ulids", json={"name": "new", "secret": "hush"})
    assert created.status_code == 201, created.text
    record = created.json()
    assert ULID.fullmatch(record["id"]), record
    assert "secret" not in record, "a writeOnly property is never answered"
    assert created.headers["location"].endswith(f"/ulids/{record['id']}")
    assert record in ids.get("/ulids").json()
    assert ids.get(f"/ulids/{record['id']}").json() == record
    first = ids.get("/ulids").json()[0]
    assert ids.put(f"/ulids/{first['id']}", json={"id": first["id"], "name": "renamed"}).json() == {
        "id": first["id"],
        "name": "renamed",
    }
    assert ids.patch(f"/ulids/{first['id']}", json={"name": "patched"}).json()["name"] == "patched"
    assert ids.get(f"/ulids/{first['id']}").json()["name"] == "patched"
    for gone in (first["id"], record["id"]):
        assert ids.delete(f"/ulids/{gone}").status_code == 204
        assert ids.get(f"/ulids/{gone}").status_code == 404
    assert len(ids.get("/ulids").json()) == 3


def test_a_created_id_that_breaks_the_id_schema_is_refused(ids: httpx.Client) -> None:
    refused = ids.post("/ulids", json={"id": "UPPER-CASE", "name": "x"})
    assert refused.status_code in (400, 422), refused.text
    assert ids.get("/ulids/UPPER-CASE").status_code == 404


def test_a_bounded_id_range_fills_up_with_a_clear_error_and_frees_on_delete(ids: httpx.Client) -> None:
    assert [record["id"] for record in ids.get("/slots").json()] == [1, 2, 3]
    assert [ids.post("/slots", json={"label": str(n)}).json()["id"] for n in (4, 5)] == [4, 5]
    full = ids.post("/slots", json={"label": "six"})
    assert full.status_code == 409, full.text
    assert [record["id"] for record in ids.get("/slots").json()] == [1, 2, 3, 4, 5]
    assert ids.delete("/slots/2").status_code == 204
    again = ids.post("/slots", json={"label": "again"})
    assert again.status_code == 201, again.text
    assert again.json()["id"] == 2
    assert ids.get("/slots/2").json()["label"] == "again"


def test_a_count_past_the_id_range_is_capped_with_a_located_warning(tmp_path: Path) -> None:
    text = STATEFUL.replace("x-mockery-count: 3", "x-mockery-count: 9")
    loaded = service(tmp_path, text)
    slots = next(r for r in loaded.resources if r.name == "slots")
    assert slots.count == 5
    assert isinstance(slots.maker, SchemaRecords)
    document = slots.maker.document
    (warning,) = [w for w in document.warnings if "id schema allows only 5" in w.message]
    assert warning.path == "paths./slots.x-mockery-count"
    assert warning.line == text.splitlines().index("    x-mockery-count: 9") + 1
    colours = next(r for r in loaded.resources if r.name == "colours")
    assert colours.count == 1, "without x-mockery-count, half the ids: room for a client to create"
    assert not [w for w in document.warnings if "colours" in (w.suggestion or "")]


def test_stepped_ids_follow_minimum_and_multiple_of(ids: httpx.Client) -> None:
    listed = [record["id"] for record in ids.get("/steps").json()]
    assert listed == list(range(100, 200, 10))
    assert ids.get("/steps/130").json()["id"] == 130
    assert ids.get("/steps/135").status_code == 404
    assert ids.get("/steps/90").status_code == 404
    assert ids.get("/steps/3").status_code == 404, "an inner record number is not an id of the document"


def test_enumerated_ids_are_the_enum_and_run_out(ids: httpx.Client) -> None:
    listed = [record["id"] for record in ids.get("/colours").json()]
    assert listed == ["red"], "a collection with few ids starts with half of them: room to create"
    assert [ids.post("/colours", json={}).json()["id"] for _ in range(2)] == ["green", "blue"]
    assert ids.get("/colours/green").json() == {"id": "green"}
    assert ids.get("/colours/purple").status_code == 404
    assert ids.post("/colours", json={}).status_code == 409
    assert ids.delete("/colours/green").status_code == 204
    assert ids.post("/colours", json={}).json()["id"] == "green"


def test_put_to_an_unknown_id_creates_when_the_put_answers_the_resource(ids: httpx.Client) -> None:
    new_id = "a" * 26
    assert ids.get(f"/ulids/{new_id}").status_code == 404
    put = ids.put(f"/ulids/{new_id}", json={"name": "upserted"})
    assert put.status_code in (200, 201), put.text
    assert put.json() == {"id": new_id, "name": "upserted"}
    assert ids.get(f"/ulids/{new_id}").json() == {"id": new_id, "name": "upserted"}


def test_put_to_an_unknown_id_is_its_404_when_the_put_does_not_answer_the_resource(ids: httpx.Client) -> None:
    missing = ids.put("/slots/4", json={"label": "x"})
    assert missing.status_code == 404, missing.text
    assert ids.get("/slots/4").status_code == 404


NEAREST = [
    (409, {"200", "400"}, 400),
    (409, {"201", "409", "400"}, 409),
    (409, {"200", "default"}, 409),
    (404, {"204", "4XX"}, 404),
    (404, {"200", "400"}, 400),
    (422, {"200", "400"}, 400),
    (409, {"200", "405"}, 409),
    (409, set(), 409),
]


@pytest.mark.parametrize(("status", "documented", "expected"), NEAREST, ids=[f"{c[0]}-{sorted(c[1])}" for c in NEAREST])
def test_an_error_the_operation_does_not_document_takes_the_nearest_documented_status(
    status: int, documented: set[str], expected: int
) -> None:
    answer = documented_status(problem(status, "Conflict", "pets already has 10", extra=1), frozenset(documented))
    assert answer.status == expected
    body = orjson.loads(answer.body)
    assert (body["status"], body["detail"], body["extra"]) == (expected, "pets already has 10", 1)


def test_a_conflict_on_a_create_that_documents_only_400_is_its_400(ids: httpx.Client) -> None:
    conflict = ids.post("/steps", json={"id": 110})
    assert conflict.status_code == 400, conflict.text
    assert "already has a record with the id 110" in conflict.text
    assert ids.post("/steps", json={"id": 250}).json() == {"id": 250}
    assert ids.get("/steps/250").json() == {"id": 250}
    taken = ids.post("/slots", json={"id": 1, "label": "again"})
    assert taken.status_code == 409, "the slots' create documents 409"
    assert "already has a record with the id 1" in taken.text


def test_documented_paging_values_mockery_cannot_use_are_clamped_or_dropped_not_refused(ids: httpx.Client) -> None:
    everything = ids.get("/tasks").json()
    assert len(everything) == 10
    assert ids.get("/tasks", params={"limit": 2**31 - 1}).json() == everything
    assert ids.get("/tasks", params={"limit": -3}).json() == everything
    assert len(ids.get("/tasks", params={"limit": 2}).json()) == 2


def test_nested_read_only_properties_are_filled_in_on_create_and_replace(ids: httpx.Client) -> None:
    created = ids.post("/tasks", json={"title": "t", "reportedBy": {"name": "ada"}})
    assert created.status_code == 201, created.text
    task = created.json()
    assert isinstance(task["reportedBy"]["id"], int), "the server makes the reporter's readOnly id"
    assert task["reportedBy"]["name"] == "ada"
    assert created.headers["location"] == f"{ids.base_url}/tasks/{task['id']}", "an absolute URL: format uri"
    replaced = ids.put(f"/tasks/{task['id']}", json={"id": task["id"], "title": "u", "reportedBy": {"name": "bo"}})
    assert replaced.status_code == 200, replaced.text
    assert isinstance(replaced.json()["reportedBy"]["id"], int)
    assert ids.get(f"/tasks/{task['id']}").json() == replaced.json()


def test_ids_below_one_that_the_schema_allows_are_kept_and_found(ids: httpx.Client) -> None:
    created = ids.put("/tasks/-5", json={"title": "negative", "reportedBy": {"name": "x"}})
    assert created.status_code in (200, 201), created.text
    assert created.json()["id"] == -5
    assert ids.get("/tasks/-5").json()["title"] == "negative"
    assert -5 in [task["id"] for task in ids.get("/tasks").json()]


def test_a_read_only_id_a_client_sends_is_replaced_by_the_servers(ids: httpx.Client) -> None:
    created = ids.post("/tasks", json={"id": 3, "title": "mine", "reportedBy": {"name": "x"}})
    assert created.status_code == 201, created.text
    assert created.json()["id"] == 11
    assert ids.get("/tasks/3").json()["title"] != "mine"


def test_generated_records_satisfy_every_constraint_of_their_schema(ids: httpx.Client, tmp_path: Path) -> None:
    loaded = service(tmp_path, STATEFUL)
    for resource in loaded.resources:
        assert isinstance(resource.maker, SchemaRecords)
        document = resource.maker.document
        listed = ids.get(resource.path).json()
        assert listed, resource.name
        for record in listed:
            errors = answer_errors(document, resource.maker.schema, record)
            assert not errors, (resource.name, record, errors)
            assert not resource.maker.write_only & set(record), record


def test_a_form_or_xml_create_is_read_as_the_record_it_carries(ids: httpx.Client) -> None:
    form = ids.post("/ulids", content=b"name=web&size=3", headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 201, form.text
    assert {key: form.json()[key] for key in ("name", "size")} == {"name": "web", "size": 3}
    xml = b"<Ulid><name>xml</name><size>4</size><labels><label>a</label><label>b</label></labels></Ulid>"
    made = ids.post("/ulids", content=xml, headers={"content-type": "application/xml"})
    assert made.status_code == 201, made.text
    record = made.json()
    assert (record["name"], record["size"], record["labels"]) == ("xml", 4, ["a", "b"])
    assert ids.get(f"/ulids/{record['id']}").json() == record
    entity = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Ulid><name>&a;</name></Ulid>'
    refused = ids.post("/ulids", content=entity, headers={"content-type": "application/xml"})
    assert refused.status_code >= 400
    assert len(ids.get("/ulids").json()) == 6


def test_a_create_without_the_body_its_operation_makes_optional_is_an_empty_record(ids: httpx.Client) -> None:
    made = ids.post("/colours")
    assert made.status_code == 201, made.text
    assert made.json() == {"id": "green"}


def test_records_with_drawn_ids_are_capped_with_a_located_warning(tmp_path: Path) -> None:
    text = STATEFUL.replace("x-mockery-count: 4", "x-mockery-count: 100000")
    loaded = service(tmp_path, text)
    ulids = next(r for r in loaded.resources if r.name == "ulids")
    assert ulids.count == 5_000
    assert isinstance(ulids.maker, SchemaRecords)
    (warning,) = [w for w in ulids.maker.document.warnings if "drawn from their schema" in w.message]
    assert warning.line == text.splitlines().index("    x-mockery-count: 100000") + 1
