"""Differential probes for `mockery import json-server`: the databases of the recorded json-server 0.17.4 table
(tests/resources/json_server) are imported with the command, served, and asked every recorded query; the
status and body are compared with json-server's, every one. The figure is printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery import MockServer
from mockery.importers.json_server import write_spec
from tests.resources.test_json_server_parity import CORPUS, DATABASES, RECORDED


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the json-server corpus is not at {CORPUS}")
@pytest.mark.parametrize("name", sorted(DATABASES))
def test_the_imported_database_answers_as_json_server_did(name: str, tmp_path: Path, capsys: Any) -> None:
    source = tmp_path / "src" / "db.json"
    source.parent.mkdir()
    source.write_bytes((CORPUS / DATABASES[name]).read_bytes())
    spec, warnings = write_spec(source, tmp_path / "out")
    assert warnings == []
    exchanges = RECORDED[name]
    matched, unexplained = 0, []
    with MockServer(spec) as server, httpx.Client(base_url=server.url) as client:
        for exchange in exchanges:
            method, path, *body = exchange["query"]
            answer = client.request(method, path, json=body[0] if body else None)
            got = answer.json() if answer.content else None
            if answer.status_code == exchange["status"] and got == exchange["body"]:
                matched += 1
            else:
                unexplained.append(f"{method} {path}: {answer.status_code}, json-server {exchange['status']}")
    with capsys.disabled():
        share = 100 * matched / len(exchanges)
        print(f"\njson-server {name}: {matched}/{len(exchanges)} probes match json-server 0.17.4 ({share:.0f}%)")
    assert unexplained == []
    assert matched == len(exchanges)
