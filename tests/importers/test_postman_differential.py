"""Differential probes for `mockery import postman`: every saved example of the corpus collections is asked for
as Postman's mock server is asked for one (its `originalRequest`, with `x-mock-response-name: <example>`), and
the answer is compared with the example itself, which is what Postman's mock server sends back (status, body
text, Content-Type). The figure is printed; at least 95% must match, and every mismatch is named in
docs/migrate.md."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery import MockServer
from mockery.importers.postman import write_spec

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "postman"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the Postman corpus is not at {CORPUS}")
_VARIABLE = re.compile(r"\{\{([^{}]+)\}\}")


def _examples(items: list[Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    found = []
    for item in items:
        if isinstance(item.get("item"), list):
            found.extend(_examples(item["item"]))
            continue
        for example in item.get("response") or []:
            original = example.get("originalRequest")
            found.append((example, original if isinstance(original, dict) and original.get("url") else item["request"]))
    return found


def _probe(request: dict[str, Any], variables: dict[str, str]) -> dict[str, Any]:
    def resolve(text: str) -> str:
        for _ in range(5):
            text = _VARIABLE.sub(lambda m: variables.get(m.group(1).strip(), "1"), text)
        return text

    url = request["url"]
    if isinstance(url, dict):
        hosts = url.get("host") or []
        host = ".".join(hosts) if isinstance(hosts, list) else str(hosts)
        path = url.get("path") or []
        segments = path if isinstance(path, list) else str(path).split("/")
        raw = resolve(host) + "/" + "/".join(resolve(str(part)) for part in segments)
        query = [(q["key"], resolve(q.get("value") or "")) for q in url.get("query") or [] if not q.get("disabled")]
    else:
        raw, _, query_text = resolve(url).partition("?")
        query = [(pair.partition("=")[0], pair.partition("=")[2]) for pair in query_text.split("&") if pair]
    after_scheme = raw.split("://", 1)[-1]
    path = "/" + after_scheme.partition("/")[2] if "/" in after_scheme else "/"
    path = re.sub(r"/:([A-Za-z_]\w*)", "/1", path)
    probe: dict[str, Any] = {"method": request.get("method", "GET"), "url": path, "params": query}
    body = request.get("body") or {}
    if body.get("mode") == "raw" and body.get("raw"):
        probe["content"] = resolve(body["raw"])
        probe["headers"] = {"content-type": "application/json"}
    elif body.get("mode") == "graphql":
        variables_text = body["graphql"].get("variables") or "{}"
        probe["json"] = {"query": body["graphql"].get("query", ""), "variables": json.loads(variables_text or "{}")}
    elif body.get("mode") == "urlencoded":
        probe["data"] = {f["key"]: resolve(f.get("value") or "") for f in body["urlencoded"] if not f.get("disabled")}
    return probe


def _same(example: dict[str, Any], answer: httpx.Response) -> bool:
    if answer.status_code != example.get("code"):
        return False
    saved = example.get("body") or ""
    if answer.text != saved:
        return False
    saved_type = next(
        (h["value"] for h in example.get("header") or [] if h.get("key", "").lower() == "content-type"), None
    )
    return saved_type is None or answer.headers.get("content-type", "").split(";")[0] == saved_type.split(";")[0]


@needs_corpus
@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.json")) if CORPUS.is_dir() else [])
def test_the_imported_spec_answers_each_saved_example(tmp_path: Path, name: str, capsys: Any) -> None:
    collection = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    variables = {v["key"]: v.get("value") or "" for v in collection.get("variable") or [] if not v.get("disabled")}
    write_spec(CORPUS / name, tmp_path)
    probes = _examples(collection["item"])
    misses = []
    with MockServer(tmp_path) as server, httpx.Client(base_url=server.url) as client:
        for example, request in probes:
            probe = _probe(request, variables)
            headers = {**probe.pop("headers", {}), "x-mock-response-name": example["name"]}
            answer = client.request(headers=headers, **probe)
            if not _same(example, answer):
                misses.append(f"{example['name']}: {answer.status_code} {answer.text[:60]!r}")
    matched = len(probes) - len(misses)
    with capsys.disabled():
        print(f"\npostman {name}: {matched}/{len(probes)} probes match ({100 * matched / len(probes):.0f}%)")
    assert matched >= 0.95 * len(probes), misses
