"""json-server's databases served by mockery answer as json-server 0.17 does, query by query.

The expected answers were recorded from json-server itself (tests/resources/json_server: README.md says how);
this test never runs json-server. Every recorded answer is matched: status and body.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import WriteSpec

HERE = Path(__file__).parent / "json_server"
CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus" / "json-server"
DATABASES = {
    "fixture": "typicode-json-server_fixtures__db.json",
    "placeholder": "typicode-jsonplaceholder__data.json",
}
RECORDED = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))


def _exchanges(name: str) -> list[dict[str, Any]]:
    return list(RECORDED[name])


@pytest.mark.parametrize("name", sorted(DATABASES))
def test_json_server_database_answers_as_json_server_does(
    name: str, tmp_path: Path, write_spec: WriteSpec, serve: Any
) -> None:
    shutil.copy(CORPUS / DATABASES[name], tmp_path / "db.json")
    server = serve(write_spec(f"service: {name}\ndb: db.json\n"))
    base = server.url_for(name)
    mismatches = []
    with httpx.Client(base_url=base) as client:
        for exchange in _exchanges(name):
            method, path, *body = exchange["query"]
            answer = client.request(method, path, json=body[0] if body else None)
            got = answer.json() if answer.content else None
            if answer.status_code != exchange["status"] or got != exchange["body"]:
                mismatches.append(
                    f"{method} {path}: {answer.status_code} {json.dumps(got)[:300]}\n"
                    f"   json-server: {exchange['status']} {json.dumps(exchange['body'])[:300]}"
                )
            elif exchange["total"] is not None and answer.headers.get("x-total-count") != exchange["total"]:
                mismatches.append(f"{method} {path}: X-Total-Count {answer.headers.get('x-total-count')}")
    assert not mismatches, "\n".join(mismatches)


def test_the_recording_covers_the_queries_the_issue_names() -> None:
    paths = [exchange["query"][1] for name in DATABASES for exchange in RECORDED[name]]
    for needle in ("_embed=", "_expand=", "_like=", "q=", "_page=", "/posts/1/comments", "/profile", "/db"):
        assert any(needle in path for path in paths), needle
    assert any(e["query"][0] == "PATCH" and e["query"][1] == "/profile" for e in RECORDED["fixture"])
    assert RECORDED["version"] == "0.17.4"
