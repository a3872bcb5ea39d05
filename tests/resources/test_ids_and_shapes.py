"""String ids (as given, or generated in a format), singleton resources, and ``/db``."""

from __future__ import annotations

import re  # re-ok: fixed patterns of the id formats
from typing import Any

import httpx
import pytest

from mockery.model.resources import Resource
from mockery.resources.ids import CROCKFORD, NANOID_ALPHABET, SeededCodec
from tests.conftest import WriteSpec

SHAPES = {
    "uuid": re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"),
    "ulid": re.compile(f"^[0-7][{CROCKFORD}]{{25}}$"),
    "nanoid": re.compile(f"^[{re.escape(NANOID_ALPHABET)}]{{21}}$"),
    "slug": re.compile(r"^[a-z]+-[a-z]+-[0-9a-z]+$"),
    "": re.compile(r"^[0-9]+$"),
}


def _resource(id_format: str, seed: tuple[dict[str, Any], ...] = ()) -> Resource:
    return Resource(
        service="s",
        name="things",
        count=len(seed) + 50,
        id_kind="string",
        fields=(),
        path="/things",
        endpoints=frozenset(),
        seed=seed,
        id_format=id_format,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("id_format", sorted(SHAPES), ids=lambda f: f or "numbers-as-text")
def test_every_generated_string_id_has_its_shape_and_decodes(id_format: str) -> None:
    seed = ({"id": "abc"}, {"id": "7"})
    codec = SeededCodec(_resource(id_format, seed), 1234)
    assert codec.id_for(1) == "abc"
    assert codec.parse("abc") == ("abc", 1)
    generated = [codec.id_for(n) for n in range(3, 3 + 200)]
    assert len(set(generated)) == len(generated)
    for number, record_id in enumerate(generated, 3):
        assert isinstance(record_id, str)
        assert SHAPES[id_format].match(record_id), record_id
        assert codec.parse(record_id) == (record_id, number)
    # Ids of another seed, or not of this shape, are valid keys (a created record's) but no generated record.
    other = SeededCodec(_resource(id_format, seed), 99)
    if id_format:
        assert codec.parse(other.id_for(3)) == (other.id_for(3), None)
    assert codec.parse("nope") == ("nope", None)
    assert codec.parse("") is None
    assert codec.parse(None) is None
    assert codec.parse(True) is None


def test_numbers_as_text_continue_after_the_largest_seed_id() -> None:
    codec = SeededCodec(_resource("", ({"id": "1"}, {"id": "x"}, {"id": "12"})), 1)
    assert [codec.id_for(n) for n in (1, 2, 3, 4, 5)] == ["1", "x", "12", "13", "14"]
    assert codec.parse("13") == ("13", 4)
    assert codec.parse("5") == ("5", None)  # below the seed's largest: not a generated record


def test_string_ids_as_given_and_generated(write_spec: WriteSpec, serve: Any) -> None:
    spec = write_spec(
        """
        service: s
        resources:
          tags:
            id: string
            data: [{id: news, label: News}, {id: "42", label: Answer}]
          notes:
            count: 3
            id: {type: string, format: nanoid}
            fields: {text: sentence}
        """
    )
    server = serve(spec)
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/tags/news").json() == {"id": "news", "label": "News"}
        assert http.get("/tags/42").json() == {"id": "42", "label": "Answer"}
        created = http.post("/tags", json={"label": "Next"}).json()
        assert created["id"] == "43"
        assert http.post("/tags", json={"id": "sport", "label": "Sport"}).status_code == 201
        assert http.get("/tags/sport").json()["label"] == "Sport"
        assert http.post("/tags", json={"id": "news"}).status_code == 409
        notes = http.get("/notes").json()
        assert len(notes) == 3
        assert all(SHAPES["nanoid"].match(n["id"]) for n in notes)
        assert http.get(f"/notes/{notes[2]['id']}").json() == notes[2]
        assert http.delete(f"/notes/{notes[0]['id']}").status_code == 204
        assert http.get(f"/notes/{notes[0]['id']}").status_code == 404
        assert [n["id"] for n in http.get("/notes").json()] == [notes[1]["id"], notes[2]["id"]]


def test_a_singleton_answers_get_put_and_patch_and_nothing_else(write_spec: WriteSpec, serve: Any) -> None:
    spec = write_spec(
        """
        service: s
        base_path: /api
        db: db.json
        resources:
          settings:
            singleton: true
            fields: {theme: {choice: [dark, light]}, size: {faker: pyint, type: integer}}
          profile:
            singleton: true
            data: {name: typicode, id: "keeps its own id"}
        """
    )
    (spec.parent / "db.json").write_text('{"posts": [{"id": 1, "title": "t"}]}')
    server = serve(spec)
    with httpx.Client(base_url=server.url) as http:
        settings = http.get("/api/settings").json()
        assert set(settings) == {"theme", "size"}
        assert http.patch("/api/settings", json={"theme": "dark"}).json() == {**settings, "theme": "dark"}
        assert http.put("/api/settings", json={"size": 3}).json() == {"size": 3}
        assert http.get("/api/settings").json() == {"size": 3}
        invalid = http.patch("/api/settings", json={"size": "big"})
        assert invalid.status_code == 422
        assert invalid.json()["errors"][0]["pointer"] == "/size"
        assert http.post("/api/settings", json={}).status_code == 405
        assert http.delete("/api/settings").status_code == 405
        assert http.get("/api/settings/1").status_code == 404
        assert http.get("/api/profile").json() == {"name": "typicode", "id": "keeps its own id"}
        whole = http.get("/api/db").json()
        assert whole == {"posts": [{"id": 1, "title": "t"}], "settings": {"size": 3}, "profile": whole["profile"]}
        assert http.get("/db").status_code == 404  # under the service's base path only


def test_db_refuses_a_database_too_big_to_answer_whole(write_spec: WriteSpec, serve: Any) -> None:
    spec = write_spec("service: s\ndb: db.json\nresources:\n  events: {count: 200000, fields: {n: pyint}}\n")
    (spec.parent / "db.json").write_text('{"posts": []}')
    server = serve(spec)
    answer = httpx.get(server.url + "/db")
    assert answer.status_code == 413
    assert answer.json()["limit"] == 100_000
    assert "200000 records" in answer.json()["detail"]
