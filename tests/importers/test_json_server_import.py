"""mockery import json-server: a db.json (or db.json5) served through `db:`, the database copied beside the spec."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from mockery import MockServer
from mockery.cli import cli
from mockery.errors import SpecErrors
from mockery.importers.json_server import write_spec
from mockery.load.loader import load_specs

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "json-server"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the json-server corpus is not at {CORPUS}")


def test_a_database_is_served_as_json_server_serves_it(tmp_path: Path) -> None:
    source = tmp_path / "shop" / "db.json"
    source.parent.mkdir()
    source.write_text(
        json.dumps({"posts": [{"id": 1, "title": "{{ x }}", "price": 550.00}], "count": 3}), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["import", "json-server", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'out' / 'shop.yaml'}" in result.output
    assert "db.json#/count: 'count' is neither a collection nor an object: left out" in result.stderr
    assert json.loads((tmp_path / "out" / "db.json").read_text(encoding="utf-8")) == {
        "posts": [{"id": 1, "title": "{{ x }}", "price": 550.00}]
    }
    with MockServer(tmp_path / "out") as server:
        assert httpx.get(server.url + "/posts/1").json()["title"] == "{{ x }}"
        created = httpx.post(server.url + "/posts", json={"title": "new"})
        assert created.status_code == 201


def test_another_database_of_the_same_name_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "db.json").write_text('{"mine": []}', encoding="utf-8")
    (tmp_path / "db.json").write_text('{"theirs": []}', encoding="utf-8")
    with pytest.raises(SpecErrors, match="exists and holds another database"):
        write_spec(tmp_path / "db.json", tmp_path / "out")
    assert (tmp_path / "out" / "db.json").read_text(encoding="utf-8") == '{"mine": []}'


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "db.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(SpecErrors, match="not a json-server database"):
        write_spec(tmp_path / "db.json", tmp_path / "out")


@needs_corpus
@pytest.mark.parametrize("name", sorted(path.name for path in CORPUS.iterdir()) if CORPUS.is_dir() else [])
def test_every_corpus_database_imports_and_validates(tmp_path: Path, name: str) -> None:
    spec, _ = write_spec(CORPUS / name, tmp_path)
    [service] = load_specs([spec]).services
    assert service.resources


@needs_corpus
def test_json5_is_written_as_json_and_served(tmp_path: Path) -> None:
    write_spec(CORPUS / "typicode-json-server_fixtures__db.json5", tmp_path)
    with MockServer(tmp_path) as server:
        assert httpx.get(server.url + "/posts/1").json() == {"id": "1", "title": "a title"}
        assert httpx.get(server.url + "/profile").json() == {"name": "typicode"}
