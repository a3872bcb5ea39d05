"""``mockery import wiremock``: corpus mappings import, validate and serve; a probe table of what WireMock
answers (tests/importers/wiremock/probes.json) is matched over real HTTP; bad input is located."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner

from mockery.cli import cli
from mockery.errors import SpecErrors
from mockery.importers.wiremock import write_specs
from mockery.load.loader import load_specs

CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus" / "wiremock"
HERE = Path(__file__).parent / "wiremock"
PROBES = json.loads((HERE / "probes.json").read_text(encoding="utf-8"))
RECORDED = json.loads((HERE / "recorded.json").read_text(encoding="utf-8"))
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus (../shared/corpus) is absent")
MAPPINGS = sorted(path.name for path in CORPUS.glob("*.json")) if CORPUS.is_dir() else []


def _root(tmp_path: Path, mappings: list[Any], files: dict[str, str] | None = None) -> Path:
    root = tmp_path / "wm"
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "all.json").write_text(json.dumps({"mappings": mappings}), encoding="utf-8")
    for name, text in (files or {}).items():
        target = root / "__files" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


@needs_corpus
@pytest.mark.parametrize("name", MAPPINGS)
def test_every_corpus_mapping_imports_validates_and_serves(name: str, tmp_path: Path, serve: Any) -> None:
    written, warnings = write_specs(CORPUS / name, tmp_path / "out")
    spec = written[0]
    load_specs([spec])  # validates, or raises with every mistake
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    server = serve(spec)
    with httpx.Client(base_url=server.url) as http:
        for route in data["routes"]:
            if "match" not in route and "{" not in route["path"] and "scenario" not in route:
                method = route.get("method", "GET")
                method = method[0] if isinstance(method, list) else method
                assert http.request(method, route["path"]).status_code == route.get("response", {}).get("status", 200)
    for warning in warnings:
        assert str(warning).startswith(f"{CORPUS / name}#/")


@needs_corpus
def test_a_corpus_root_serves_its_body_file(tmp_path: Path, serve: Any) -> None:
    mapping = CORPUS / "jenkinsci-github-branch-source-plugin_cache-failure__mapping-yolo-contents-8rd37-9-4.json"
    body = CORPUS / "__files" / "jenkinsci-github-branch-source-plugin_cache-failure__body-yolo-contents-8rd37.json"
    root = tmp_path / "root"
    (root / "mappings").mkdir(parents=True)
    (root / "__files").mkdir()
    data = json.loads(mapping.read_text(encoding="utf-8"))
    for key in ("scenarioName", "requiredScenarioState", "newScenarioState"):
        data.pop(key, None)  # the mapping's scenario state comes from others of its folder
    (root / "mappings" / "m.json").write_text(json.dumps(data), encoding="utf-8")
    shutil.copy(body, root / "__files" / "body-yolo-contents-8rd37.json")
    written, warnings = write_specs(root, tmp_path / "out")
    assert not any("bodyFileName" in warning.pointer for warning in warnings)
    server = serve(written[0])
    with httpx.Client(base_url=server.url) as http:
        answer = http.get("/repos/cloudbeers/yolo/contents/", params={"ref": "refs/pull/9/merge"})
        assert answer.status_code == 200
        assert answer.content == body.read_bytes()
        assert answer.headers["etag"] == '"d3be5b35b8d84ef7ac03c0cc9c94ed81"'
        assert answer.headers["vary"] == "Accept, Accept-Encoding"
        assert http.get("/repos/cloudbeers/yolo/contents/", headers={"If-Modified-Since": "x"}).status_code == 404


MISS = "Request was not matched"
"""WireMock's text for a request no stub answers: mockery answers a problem+json 404 instead (docs/migrate.md)."""


def _probe(http: httpx.Client, probe: dict[str, Any], recorded: dict[str, Any]) -> str | None:
    """Why mockery's answer differs from what WireMock answered, or ``None``."""
    content = json.dumps(probe["json_body"]).encode() if "json_body" in probe else probe.get("body", "").encode()
    headers = dict(probe.get("headers", {}))
    if "json_body" in probe:
        headers.setdefault("Content-Type", "application/json")
    try:
        answer = http.request(probe["method"], probe["path"], content=content, headers=headers)
    except httpx.TransportError:
        return None if "fault" in recorded else "the connection broke"
    if "fault" in recorded:
        return f"expected a broken connection, got {answer.status_code}"
    if answer.status_code != recorded["status"]:
        return f"status {answer.status_code}, expected {recorded['status']}"
    if MISS in recorded["body"]:
        return None
    if answer.text != recorded["body"]:
        return f"body {answer.text!r}, expected {recorded['body']!r}"
    wanted = recorded["headers"].get("content-type")
    if wanted is not None and answer.headers.get("content-type", "").split(";")[0] != wanted.split(";")[0]:
        return f"content-type {answer.headers.get('content-type')!r}, expected {wanted!r}"
    return None


def test_imported_mappings_answer_the_probes_as_wiremock_did(tmp_path: Path, serve: Any) -> None:
    written, warnings = write_specs(HERE / "root", tmp_path / "out")
    assert warnings == []
    server = serve(written[0])
    answers = RECORDED["answers"]
    assert [answer["name"] for answer in answers] == [probe["name"] for probe in PROBES["probes"]]
    mismatches = []
    with httpx.Client(base_url=server.url) as http:
        for probe, recorded in zip(PROBES["probes"], answers, strict=True):
            reason = _probe(http, probe, recorded)
            if reason is not None:
                mismatches.append(f"{probe['name']}: {reason}")
    share = 1 - len(mismatches) / len(answers)
    print(f"wiremock: {share:.0%} of {len(answers)} probes match the answers recorded from {RECORDED['tool']}")
    assert not mismatches, mismatches


def test_the_cli_writes_the_spec_and_prints_located_warnings(tmp_path: Path) -> None:
    root = _root(tmp_path, [{"request": {"urlPath": "/a", "bodyPatterns": [{"equalToXml": "<a/>"}]}, "response": {}}])
    result = CliRunner().invoke(cli, ["import", "wiremock", str(root), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {tmp_path / 'out' / 'wm.yaml'}"
    assert f"{root / 'mappings' / 'all.json'}#/mappings/0/request/bodyPatterns/0/equalToXml" in result.stderr
    load_specs([tmp_path / "out" / "wm.yaml"])


def test_a_body_file_outside_files_is_never_read(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    root = _root(
        tmp_path, [{"request": {"urlPath": "/a"}, "response": {"bodyFileName": "../../secret.txt"}}], {"ok": ""}
    )
    written, warnings = write_specs(root, tmp_path / "out")
    assert [w.message for w in warnings] == ["'../../secret.txt' lies outside __files: not served"]
    assert "secret" not in written[0].read_text(encoding="utf-8").replace("secret.txt", "")
    assert len(written) == 1


def test_decimals_and_xml_keep_their_form(tmp_path: Path, serve: Any) -> None:
    root = _root(tmp_path, [{"request": {"urlPath": "/xml"}, "response": {"body": "<a><b>1</b></a>"}}])
    (root / "mappings" / "fee.json").write_text(
        '{"request": {"urlPath": "/fee"}, "response": {"jsonBody": {"amount": 550.00, "rate": 0.1}}}'
    )
    written, _ = write_specs(root, tmp_path / "out")
    server = serve(written[0])
    with httpx.Client(base_url=server.url) as http:
        fee = http.get("/fee")
        assert fee.text == '{"amount":550.00,"rate":0.1}'
        assert fee.headers["content-type"] == "application/json"
        assert http.get("/xml").headers["content-type"].startswith("application/xml")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not JSON"),
        ('{"something": 1}', "not a WireMock mapping"),
    ],
    ids=["broken-json", "not-a-mapping"],
)
def test_bad_input_is_a_located_error(content: str, message: str, tmp_path: Path) -> None:
    file = tmp_path / "m.json"
    file.write_text(content)
    with pytest.raises(SpecErrors) as caught:
        write_specs(file, tmp_path / "out")
    assert message in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecErrors) as caught:
        write_specs(tmp_path, tmp_path / "out")
    assert "no WireMock mapping" in str(caught.value)


def test_patterns_with_no_equivalent_are_warned_and_the_rest_kept(tmp_path: Path) -> None:
    mappings = [
        {
            "request": {
                "urlPathPattern": "/x/(?<=a)b",
                "method": "GET",
            },
            "response": {},
        },
        {
            "request": {"urlPath": "/y", "headers": {"X": {"hasExactly": [{"equalTo": "1"}]}}},
            "response": {"proxyBaseUrl": "http://other", "statusMessage": "Fine"},
            "postServeActions": [],
        },
        {"request": {"urlPattern": ".*"}, "response": {"proxyBaseUrl": "http://upstream.example/"}},
        {"request": {"urlPath": "/z"}, "response": {"fixedDelayMilliseconds": 5, "fault": "RANDOM_DATA_THEN_CLOSE"}},
        {
            "request": {"urlPath": "/w"},
            "response": {"delayDistribution": {"type": "lognormal", "median": 80, "sigma": 0.4}},
        },
    ]
    written, warnings = write_specs(_root(tmp_path, mappings), tmp_path / "out")
    pointers = {warning.pointer for warning in warnings}
    assert "/mappings/0/request/urlPathPattern" in pointers
    assert "/mappings/1/request/headers/X" in pointers
    assert "/mappings/1/response/proxyBaseUrl" in pointers
    assert "/mappings/1/postServeActions" in pointers
    assert "/mappings/3/response/fault" in pointers
    spec = yaml.safe_load(written[0].read_text(encoding="utf-8"))
    assert spec["proxy"] == {"upstream": "http://upstream.example"}
    by_path = {route["path"]: route for route in spec["routes"]}
    assert by_path["/z"]["delay"] == "5ms"
    assert by_path["/z"]["fault"] == {"kind": "malformed"}
    assert by_path["/w"]["delay"] == {"distribution": "lognormal", "median": "80ms", "sigma": 0.4}
    load_specs(written[:1])


def test_helpers_with_a_jinja_twin_render(tmp_path: Path, serve: Any) -> None:
    body = (
        "{{base64 request.query.x}}|{{base64 request.query.y decode=true}}|{{urlEncode request.query.x}}|"
        "{{regexExtract request.path '[0-9]+'}}|{{upper request.query.x}}|{{size request.query.x}}|"
        "{{now offset='-3 days' format='yyyy-MM-dd'}}|{{now format='epoch'}}"
    )
    headers = {"Date": "{{now offset='-3 seconds' timezone='GMT' format='EEE, dd MMM yyyy HH:mm:ss z'}}"}
    response = {"body": body, "headers": headers, "transformers": ["response-template"]}
    root = _root(tmp_path, [{"request": {"urlPath": "/h/42"}, "response": response}])
    written, warnings = write_specs(root, tmp_path / "out")
    assert warnings == []
    server = serve(written[0])
    with httpx.Client(base_url=server.url) as http:
        answer = http.get("/h/42", params={"x": "a b", "y": "aGk="})
    parts = answer.text.split("|")
    assert parts[:6] == ["YSBi", "hi", "a%20b", "42", "A B", "3"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", parts[6])
    assert re.fullmatch(r"\d{13}", parts[7])
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT", answer.headers["date"])


def test_global_templating_translates_stubs_without_the_transformer(tmp_path: Path, serve: Any) -> None:
    root = _root(tmp_path, [{"request": {"urlPath": "/m"}, "response": {"body": "{{request.method}}"}}])
    plain, _ = write_specs(root, tmp_path / "plain")
    templated, _ = write_specs(root, tmp_path / "templated", global_templating=True)
    with httpx.Client(base_url=serve(plain[0]).url) as http:
        assert http.get("/m").text == "{{request.method}}"
    with httpx.Client(base_url=serve(templated[0]).url) as http:
        assert http.get("/m").text == "GET"
