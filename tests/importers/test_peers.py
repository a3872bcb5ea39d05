"""Peer formats given to ``validate``/``serve`` are named, with the import command to run, instead of schema errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockery.cli import cli
from mockery.errors import SpecErrors
from mockery.load.loader import load_specs
from mockery.load.peers import detect, peer_error

CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus (../shared/corpus) is absent")

CASES = [
    ("wiremock", "wiremock-wiremock_remoteloader__with-several-mappings-in-one-file.json", "wiremock", "/mappings"),
    (
        "wiremock",
        "spring-cloud-spring-cloud-contract_wiremock-example-mappings__shouldMarkClientAsFraud.json",
        "wiremock",
        "/request",
    ),
    ("mockoon", "mockoon-mockoon_app-test__response-rules.json", "mockoon", "/lastMigration"),
    ("postman", "thedevsaddam-docgen_examples__example.json", "postman", "/info"),
    ("har", "mitmproxy-mitmproxy_test-flows__successful_log.har", "har", "/log"),
]


@needs_corpus
@pytest.mark.parametrize(("folder", "name", "command", "pointer"), CASES, ids=[case[1][:40] for case in CASES])
def test_validate_names_the_import_command_for_each_peer_format(
    folder: str, name: str, command: str, pointer: str, tmp_path: Path
) -> None:
    target = tmp_path / name
    shutil.copy(CORPUS / folder / name, target)
    result = CliRunner().invoke(cli, ["validate", str(target)])
    assert result.exit_code != 0
    first = result.output.splitlines()[0]
    assert first.startswith(f"{target}:")
    assert f"{pointer}: this looks like" in first
    assert f"convert it with: mockery import {command} {target}" in first
    assert "unknown key" not in result.output
    assert "1 error found" in result.output


@needs_corpus
def test_a_json_server_database_names_the_import_command_and_db(tmp_path: Path) -> None:
    target = tmp_path / "db.json"
    shutil.copy(CORPUS / "json-server" / "typicode-json-server_fixtures__db.json", target)
    result = CliRunner().invoke(cli, ["validate", str(target)])
    assert result.exit_code != 0
    first = result.output.splitlines()[0]
    assert first.startswith(f"{target}:1:1: this looks like a json-server database (collections posts, comments")
    assert f"convert it with: mockery import json-server {target}" in first
    assert "`db: db.json`" in first
    assert "1 error found" in result.output


def test_the_error_is_located_at_the_key_that_gave_the_format_away(tmp_path: Path) -> None:
    mapping = tmp_path / "stub.json"
    mapping.write_text('{\n  "priority": 1,\n    "request": {"url": "/a"},\n  "response": {"body": "${nope}"}\n}\n')
    with pytest.raises(SpecErrors) as caught:
        load_specs([mapping])
    [error] = caught.value.errors
    assert (error.line, error.column, error.path) == (3, 5, "/request")
    # The peer's own ${...} is never read as a mockery variable: the one error is the format's.
    assert "WireMock stub mapping" in error.message


def test_a_wiremock_root_folder_is_named_too(tmp_path: Path) -> None:
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "a.json").write_text(json.dumps({"request": {"url": "/"}, "response": {}}))
    with pytest.raises(SpecErrors) as caught:
        load_specs([tmp_path])
    [error] = caught.value.errors
    assert error.suggestion is not None
    assert f"mockery import wiremock {tmp_path}" in error.suggestion


@pytest.mark.parametrize(
    "data",
    [
        {"service": "s", "routes": []},
        {"routes": [{"path": "/"}]},
        {"openapi": "3.0.0", "paths": {}},
        {"log": {"entries": "none"}},
        [1, 2],
        "text",
    ],
    ids=["spec", "routes-only", "openapi", "log-not-har", "list", "string"],
)
def test_other_documents_are_not_taken_for_a_peer(data: object, tmp_path: Path) -> None:
    assert detect(data) is None
    file = tmp_path / "x.json"
    file.write_text(json.dumps(data))
    assert peer_error(file) is None


@pytest.mark.parametrize(
    "data",
    [{"mappings": [{"request": {}}]}, {"info": {"schema": "https://example.com/other"}, "item": []}],
    ids=["mapping-without-response", "other-info"],
)
def test_near_misses_of_a_format_are_not_taken_for_it(data: object) -> None:
    peer = detect(data)
    assert peer is not None
    # An object of arrays and objects is what json-server serves, as the loader's own check says too.
    assert peer.command == "json-server"


def test_files_that_are_not_json_are_left_to_the_spec_loader(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"request": ')
    assert peer_error(broken) is None
    yaml_file = tmp_path / "a.yaml"
    yaml_file.write_text('{"request": {}, "response": {}}')
    assert peer_error(yaml_file) is None


@needs_corpus
def test_serve_names_the_import_command_too(tmp_path: Path) -> None:
    target = tmp_path / "env.json"
    shutil.copy(CORPUS / "mockoon" / "mockoon-mockoon_app-test__response-rules.json", target)
    result = CliRunner().invoke(cli, ["serve", str(target), "--port", "0"])
    assert result.exit_code != 0
    assert f"convert it with: mockery import mockoon {target}" in result.output
