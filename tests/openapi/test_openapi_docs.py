"""docs/openapi.md tells the truth: its OpenAPI document is served, and every request shown in an ```http block
is sent in order and must get the answer in the ```http block after it (status, the headers shown, and the
body shown as a subset of the real one). Its imported spec example must pass validation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import yaml

from mockery import MockServer, load_specs
from mockery.importers.openapi import import_openapi

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.md"
_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def fenced(kind: str) -> list[str]:
    return [m.group("body") for m in _FENCE.finditer(DOC.read_text(encoding="utf-8")) if m.group("info") == kind]


def parse(block: str) -> tuple[str, dict[str, str], bytes]:
    head, _, body = block.partition("\n\n")
    first, *rows = head.splitlines()
    headers = {name.strip().lower(): value.strip() for name, _, value in (row.partition(":") for row in rows)}
    return first, headers, body.strip().encode()


def contains(actual: Any, expected: Any) -> bool:
    """Whether ``expected`` is ``actual`` with some keys (and list items) left out."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and all(any(contains(a, e) for a in actual) for e in expected)
    return bool(actual == expected)


def test_the_examples_load_and_every_request_gets_the_answer_shown(tmp_path: Path) -> None:
    document, imported = fenced("yaml")
    (tmp_path / "api.yaml").write_text(document)
    (tmp_path / "imported" / "pets.yaml").parent.mkdir()
    (tmp_path / "imported" / "pets.yaml").write_text(imported)
    assert load_specs([tmp_path / "imported"]).services[0].resources[0].name == "pets"
    shown = yaml.safe_load(imported)["resources"]["pets"]
    _, text = import_openapi(tmp_path / "api.yaml")
    real = yaml.safe_load(text)["resources"]["pets"]
    assert {key: value for key, value in real.items() if key != "fields"} == {
        key: value for key, value in shown.items() if key != "fields"
    }
    assert list(real["fields"]) == list(shown["fields"])
    for name in ("name", "species", "owner_email"):
        assert real["fields"][name] == shown["fields"][name]
    assert all(
        re.fullmatch("[A-F0-9]{6}", chip)
        for chip in [*real["fields"]["chip"]["choice"], *shown["fields"]["chip"]["choice"]]
    )
    exchanges = fenced("http")
    assert len(exchanges) % 2 == 0
    assert len(exchanges) >= 10
    origin = "http://127.0.0.1"
    with MockServer(tmp_path / "api.yaml") as server, httpx.Client() as client:
        found = re.match(r"http://[^/]+", server.url_for("pets"))
        assert found is not None
        origin = found.group(0)  # the paths shown include the base path
        for request_block, answer_block in zip(exchanges[::2], exchanges[1::2], strict=True):
            line, headers, body = parse(request_block)
            method, target = line.split(" ", 1)
            answer = client.request(method, origin + target, headers=headers, content=body or None)
            status_line, expected_headers, expected_body = parse(answer_block)
            assert answer.status_code == int(status_line.split()[1]), (line, answer.text)
            for name, value in expected_headers.items():
                assert answer.headers.get(name) == value, (line, name, answer.headers)
            if expected_body:
                assert contains(answer.json(), orjson.loads(expected_body)), (line, answer.text)


def test_the_readme_links_this_page() -> None:
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "docs/openapi.md" in readme


@pytest.mark.parametrize("key", ["x-mockery-count", "x-mockery-resource", "x-mockery-service", "x-mockery-seed"])
def test_every_extension_the_code_reads_is_documented(key: str) -> None:
    assert f"`{key}`" in DOC.read_text(encoding="utf-8")
    package = DOC.parents[1] / "mockery"
    sources = "".join(p.read_text() for folder in ("openapi", "load") for p in (package / folder).glob("*.py"))
    assert key in sources
