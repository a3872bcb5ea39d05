"""``mockery import mockoon``: corpus environments import, validate and serve; the answers the real Mockoon CLI
gave to a probe table (tests/importers/mockoon/recorded.json) are matched over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner

from mockery.cli import cli
from mockery.errors import SpecErrors
from mockery.importers.mockoon import write_specs
from mockery.load.loader import load_specs

CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus" / "mockoon"
HERE = Path(__file__).parent / "mockoon"
RECORDED = json.loads((HERE / "recorded.json").read_text(encoding="utf-8"))
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus (../shared/corpus) is absent")
ENVIRONMENTS = sorted(path.name for path in CORPUS.glob("*.json")) if CORPUS.is_dir() else []

KNOWN = {
    "unknown path": "a miss is mockery's problem+json 404, not Mockoon's HTML page (docs/migrate.md)",
    "outside the prefix": "a miss is mockery's problem+json 404, not Mockoon's HTML page (docs/migrate.md)",
}
"""Probes whose body differs on purpose; their status is still compared."""


@needs_corpus
@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_every_corpus_environment_imports_validates_and_serves(name: str, tmp_path: Path, serve: Any) -> None:
    written, warnings = write_specs(CORPUS / name, tmp_path / "out")
    load_specs([written[0]])
    spec = yaml.safe_load(written[0].read_text(encoding="utf-8"))
    environment = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    assert len(spec["routes"]) == len([r for r in environment["routes"] if r.get("type") in (None, "http")])
    server = serve(written[0])
    base = spec.get("base_path", "")
    with httpx.Client(base_url=server.url) as http:
        for route in spec["routes"]:
            if "{" not in route["path"] and route.get("method", "GET") == "GET":
                assert http.get(base + route["path"]).status_code < 500
    for warning in warnings:
        assert str(warning).startswith(f"{CORPUS / name}#/")


def _differs(answer: httpx.Response, expected: dict[str, Any], name: str) -> str | None:
    if answer.status_code != expected["status"]:
        return f"status {answer.status_code}, expected {expected['status']}"
    if name in KNOWN:
        return None
    if answer.text != expected["body"]:
        return f"body {answer.text!r}, expected {expected['body']!r}"
    for header, value in expected["headers"].items():
        if header == "content-type" and (not expected["body"] or value.startswith("text/html")):
            continue  # Express names a type for an empty body; mockery sends none
        got = answer.headers.get(header, "")
        if got.split(";")[0] != value.split(";")[0]:
            return f"header {header}: {got!r}, expected {value!r}"
    return None


def test_imported_environment_answers_as_mockoon_did(tmp_path: Path, serve: Any) -> None:
    written, _ = write_specs(HERE / "environment.json", tmp_path / "out")
    server = serve(written[0])
    mismatches = []
    with httpx.Client(base_url=server.url) as http:
        for probe in RECORDED["probes"]:
            headers = dict(probe.get("headers", {}))
            if "json_body" in probe:
                content = json.dumps(probe["json_body"]).encode()
                headers["Content-Type"] = "application/json"
            else:
                content = probe.get("body", "").encode()
                if "body" in probe:
                    headers["Content-Type"] = "application/x-www-form-urlencoded"
            answer = http.request(probe["method"], probe["path"], content=content, headers=headers)
            reason = _differs(answer, probe["expected"], probe["name"])
            if reason is not None:
                mismatches.append(f"{probe['name']}: {reason}")
    total = len(RECORDED["probes"])
    share = 1 - len(mismatches) / total
    print(f"mockoon: {share:.0%} of {total} probes match the answers recorded from {RECORDED['tool']}")
    assert not mismatches, mismatches


def test_the_cli_writes_the_spec_and_prints_located_warnings(tmp_path: Path) -> None:
    environment = json.loads((HERE / "environment.json").read_text(encoding="utf-8"))
    environment["routes"][0]["responses"][0]["rules"] = [
        {"target": "request_number", "modifier": "", "value": "1", "operator": "equals", "invert": False}
    ]
    environment["routes"][0]["responses"].append({**environment["routes"][0]["responses"][0], "default": False})
    environment["routes"][0]["responses"][0]["default"] = True
    source = tmp_path / "env.json"
    source.write_text(json.dumps(environment), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "mockoon", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'out' / 'probe-shop.yaml'}" in result.output
    assert f"{source}#/routes/0/responses/1/rules/0: a rule on 'request_number' is not translated" in result.output
    load_specs([tmp_path / "out" / "probe-shop.yaml"])


def test_untrusted_text_is_never_evaluated(tmp_path: Path, serve: Any) -> None:
    environment = json.loads((HERE / "environment.json").read_text(encoding="utf-8"))
    body = "{{#if x}}{{/if}} {% for %} ${HOME} {{ request.headers }} {{urlParam 'id'}}"
    environment["routes"][0]["responses"][0]["body"] = body
    source = tmp_path / "env.json"
    source.write_text(json.dumps(environment), encoding="utf-8")
    written, warnings = write_specs(source, tmp_path / "out")
    assert {w.message.split("'")[1] for w in warnings} == {"{{#if x}}", "{{/if}}", "{{ request.headers }}"}
    server = serve(written[0])
    with httpx.Client(base_url=server.url) as http:
        text = http.get("/api/users/5").text
    assert text == "{{#if x}}{{/if}} {% for %} ${HOME} {{ request.headers }} 5"


@pytest.mark.parametrize(
    ("content", "message"),
    [("[1]", "not a Mockoon environment"), ("{", "not JSON"), ('{"routes": 3}', "not a Mockoon environment")],
    ids=["list", "broken", "routes-not-a-list"],
)
def test_bad_input_is_a_located_error(content: str, message: str, tmp_path: Path) -> None:
    source = tmp_path / "env.json"
    source.write_text(content)
    with pytest.raises(SpecErrors) as caught:
        write_specs(source, tmp_path / "out")
    assert message in str(caught.value)
    assert str(source) in str(caught.value)


def test_a_file_outside_the_environment_folder_is_not_served(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    folder = tmp_path / "env"
    folder.mkdir()
    environment = json.loads((HERE / "environment.json").read_text(encoding="utf-8"))
    response = environment["routes"][0]["responses"][0]
    response.update(bodyType="FILE", filePath="../secret.txt")
    (folder / "env.json").write_text(json.dumps(environment), encoding="utf-8")
    written, warnings = write_specs(folder / "env.json", tmp_path / "out")
    assert [w.pointer for w in warnings] == ["/routes/0/responses/0/filePath"]
    assert len(written) == 1


def test_plain_data_buckets_are_read_at_import(tmp_path: Path, serve: Any) -> None:
    environment = json.loads((HERE / "environment.json").read_text(encoding="utf-8"))
    environment["data"] = [
        {"uuid": "u1", "id": "b1", "name": "Users", "documentation": "", "value": '{"list": [{"email": "a@b.c"}]}'},
        {"uuid": "u2", "id": "b2", "name": "Live", "documentation": "", "value": "{{faker 'person.firstName'}}"},
    ]
    body = "{{data 'b1' 'list.0.email'}} {{dataRaw 'Users' 'list'}} {{data 'Live'}} {{data 'b1' 'nope'}}"
    environment["routes"][0]["responses"][0]["body"] = body
    source = tmp_path / "env.json"
    source.write_text(json.dumps(environment), encoding="utf-8")
    written, warnings = write_specs(source, tmp_path / "out")
    assert sorted(w.message.split('"')[1] for w in warnings) == ["{{data 'Live'}}", "{{data 'b1' 'nope'}}"]
    with httpx.Client(base_url=serve(written[0]).url) as http:
        text = http.get("/api/users/1").text
    assert text == """a@b.c [{"email":"a@b.c"}] {{data 'Live'}} {{data 'b1' 'nope'}}"""
