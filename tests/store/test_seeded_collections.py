"""Seed data, string ids, singletons, ``/db`` and ``on_delete`` over every store backend: changes are kept as
the store's overlay on the seed records, whatever the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from test_contract import STORES

from mockery import MockServer
from mockery.store import Store

SPEC = """
service: blog
db: db.json
resources:
  notes:
    count: 3
    id: {type: string, format: ulid}
    fields:
      post: {ref: posts, on_delete: set_null}
      text: sentence
"""
DB = """{
  "posts": [{"id": "1", "title": "a title"}, {"id": "abc", "title": "another title"}],
  "comments": [{"id": "1", "text": "about 1", "postId": "1"}, {"id": "2", "text": "about abc", "postId": "abc"}],
  "profile": {"name": "typicode"}
}
"""


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    # A file or a key prefix of its own: nothing to clean up (the server closes the store when it stops).
    return STORES[request.param](request, tmp_path)


def test_seeded_collections_keep_their_changes_in_every_store(tmp_path: Path, store: Store, serve: Any) -> None:
    (tmp_path / "db.json").write_text(DB)
    (tmp_path / "blog.yaml").write_text(SPEC)
    server: MockServer = serve(tmp_path / "blog.yaml", store=store)
    with httpx.Client(base_url=server.url) as http:
        notes = http.get("/notes").json()
        assert http.patch(f"/notes/{notes[0]['id']}", json={"post": "abc"}).status_code == 200
        assert http.patch("/profile", json={"site": "example.org"}).json() == {
            "name": "typicode",
            "site": "example.org",
        }
        created = http.post("/posts", json={"title": "third"})
        assert created.json() == {"id": "2", "title": "third"}  # the next number after the largest numeric id
        deleted = http.delete("/posts/abc")
        assert (deleted.status_code, deleted.json()) == (200, {})  # a db: service deletes as json-server does
        whole = http.get("/db").json()
        assert whole["posts"] == [{"id": "1", "title": "a title"}, {"id": "2", "title": "third"}]
        assert whole["comments"] == [{"id": "1", "text": "about 1", "postId": "1"}]  # cascade
        assert whole["notes"][0]["post"] is None  # set_null
        assert whole["profile"] == {"name": "typicode", "site": "example.org"}
    server.reset()
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/profile").json() == {"name": "typicode"}
        assert [p["id"] for p in http.get("/posts").json()] == ["1", "abc"]
