"""mockery import har: a recording becomes a spec per host, anonymised by the recorder's rules, repeated
requests collapsed, answers that depended on the query matched on it, binary bodies served from files."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from mockery import MockServer
from mockery.cli import cli
from mockery.errors import SpecErrors
from mockery.load.loader import load_specs
from mockery.record.har import write_specs

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "har"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the HAR corpus is not at {CORPUS}")


def _entry(url: str, status: int, text: str, mime: str = "application/json", **content: Any) -> dict[str, Any]:
    return {
        "request": {"method": "GET", "url": url, "headers": []},
        "response": {
            "status": status,
            "headers": [{"name": "Set-Cookie", "value": "session=secret"}],
            "content": {"mimeType": mime, "text": text, **content},
        },
    }


def _har(tmp_path: Path) -> Path:
    person = {"id": 1, "email": "ada@example.org", "note": "{{ 7 * 7 }} ${HOME}"}
    entries = [
        _entry("https://api.example.com/people/1", 200, json.dumps(person)),
        _entry("https://api.example.com/people/1", 200, json.dumps(person)),
        _entry("https://api.example.com/search?q=a", 200, '["a"]'),
        _entry("https://api.example.com/search?q=b", 200, '["b"]'),
        _entry(
            "https://api.example.com/logo.png",
            200,
            base64.b64encode(b"\x89PNG\x00\xff").decode(),
            "image/png",
            encoding="base64",
        ),
        _entry("https://api.example.com/blocked", 0, ""),
        _entry(
            "https://cdn.example.com/hello.txt",
            200,
            base64.b64encode(b"hello").decode(),
            "text/plain",
            encoding="base64",
        ),
    ]
    path = tmp_path / "session.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}), encoding="utf-8")
    return path


def test_a_recording_serves_per_host_anonymised_and_collapsed(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "har", str(_har(tmp_path)), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (tmp_path / "out").glob("*.yaml")) == [
        "api-example-com.yaml",
        "cdn-example-com.yaml",
    ]
    [api] = load_specs([tmp_path / "out" / "api-example-com.yaml"]).services
    assert [route.path for route in api.routes].count("/people/{id:int}") == 1  # two identical requests, one route
    with MockServer(tmp_path / "out" / "api-example-com.yaml") as server:
        person = httpx.get(server.url + "/people/1")
        assert person.json()["id"] == 1
        assert person.json()["email"] != "ada@example.org"  # personal data replaced by a fake of its kind
        assert "@" in person.json()["email"]
        assert person.json()["note"] == "{{ 7 * 7 }} ${HOME}"  # recorded text is never run
        assert "set-cookie" not in person.headers
        assert httpx.get(server.url + "/search?q=a").json() == ["a"]
        assert httpx.get(server.url + "/search?q=b").json() == ["b"]
        logo = httpx.get(server.url + "/logo.png")  # a binary body: a file beside the spec, the same bytes
        assert (logo.content, logo.headers["content-type"]) == (b"\x89PNG\x00\xff", "image/png")
    assert (tmp_path / "out" / "api-example-com-files" / "1.png").read_bytes() == b"\x89PNG\x00\xff"
    with MockServer(tmp_path / "out" / "cdn-example-com.yaml") as server:
        assert httpx.get(server.url + "/hello.txt").text == "hello"  # base64 text decoded


def test_what_is_not_imported_is_a_located_warning(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "har", str(_har(tmp_path)), "-o", str(tmp_path / "out")])
    warnings = result.stderr.splitlines()
    assert not any("entries/4" in line for line in warnings), warnings  # the image is served, not skipped
    assert any(
        line.endswith("session.har#/log/entries/5/response/status: status 0 was not an answer: skipped")
        for line in warnings
    )


def test_keep_pii_writes_values_as_recorded(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "har", str(_har(tmp_path)), "-o", str(tmp_path / "out"), "--keep-pii"])
    assert result.exit_code == 0
    with MockServer(tmp_path / "out" / "api-example-com.yaml") as server:
        assert httpx.get(server.url + "/people/1").json()["email"] == "ada@example.org"


def test_a_file_that_is_not_har_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.har"
    path.write_text('{"log": {}}', encoding="utf-8")
    with pytest.raises(SpecErrors, match="not a HAR document"):
        write_specs(path, tmp_path / "out")


@needs_corpus
@pytest.mark.parametrize("name", sorted(path.name for path in CORPUS.glob("*.har")) if CORPUS.is_dir() else [])
def test_every_corpus_recording_imports_validates_and_serves(tmp_path: Path, name: str) -> None:
    written, _ = write_specs(CORPUS / name, tmp_path)
    assert written
    entries = json.loads((CORPUS / name).read_text(encoding="utf-8"))["log"]["entries"]
    with MockServer(*written) as server:
        for entry in entries:
            url = httpx.URL(entry["request"]["url"])
            answer = httpx.request(entry["request"]["method"], server.url + url.raw_path.decode())
            assert answer.status_code == entry["response"]["status"], url
