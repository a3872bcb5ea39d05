"""``db: db.json``: json-server databases of the corpus serve; mistakes in one, or one given as a spec, are located."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from mockery.cli import cli
from mockery.errors import SpecErrors
from mockery.load.loader import load_specs
from tests.conftest import WriteSpec

CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus" / "json-server"
DATABASES = sorted(path.name for path in CORPUS.glob("*.json"))


@pytest.mark.parametrize("name", DATABASES)
def test_every_json_server_database_of_the_corpus_serves_its_records(
    name: str, tmp_path: Path, write_spec: WriteSpec, serve: Any
) -> None:
    shutil.copy(CORPUS / name, tmp_path / "db.json")
    data = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    server = serve(write_spec("service: fixture\ndb: db.json\n"))
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/db").json() == data
        for collection, records in data.items():
            if isinstance(records, list) and records:
                last = records[-1]
                assert http.get(f"/{collection}/{last['id']}").json() == last
                assert http.get(f"/{collection}?_limit=1").headers["x-total-count"] == str(len(records))


def test_a_database_given_as_a_spec_says_what_it_is(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "typicode-json-server_fixtures__db.json", tmp_path / "db.json")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "db.json")])
    assert result.exit_code != 0
    first = result.output.splitlines()[0]
    assert first.startswith(f"{tmp_path / 'db.json'}:1:1: this looks like a json-server database")
    assert "(collections posts, comments; singular profile)" in first
    assert "`db: db.json`" in first
    assert "1 error found" in result.output


def test_mistakes_in_a_database_are_located(tmp_path: Path, write_spec: WriteSpec) -> None:
    (tmp_path / "db.json").write_text(
        '{\n  "posts": [\n    {"id": 1},\n    {"id": 1}\n  ],\n  "count": 3,\n  "tags": ["a"]\n}\n'
    )
    spec = write_spec("service: s\ndb: db.json\n")
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    shown = [(Path(e.file).name, e.line, e.path, e.message) for e in caught.value.errors]
    assert ("db.json", 4, "/posts/1/id", "the id 1 is taken by an earlier record (line 3)") in shown
    assert any(line == 6 and path == "/count" and "holds arrays" in message for _, line, path, message in shown)
    assert ("db.json", 7, "/tags/0", "a record must be an object, not a string") in shown


def test_a_missing_database_file_is_located_at_the_key(write_spec: WriteSpec) -> None:
    spec = write_spec("service: s\ndb: nothing.json\n")
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    [error] = caught.value.errors
    assert (error.line, error.path) == (2, "db")
    assert "no data file 'nothing.json'" in error.message


def test_a_json5_database_is_refused_with_the_reason(tmp_path: Path, write_spec: WriteSpec) -> None:
    shutil.copy(CORPUS / "typicode-json-server_fixtures__db.json5", tmp_path / "db.json5")
    spec = write_spec("service: s\ndb: db.json5\n")
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    [error] = caught.value.errors
    assert error.path == "db"
    assert "JSON5 is not read" in error.message
