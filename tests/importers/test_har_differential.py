"""Differential probes for `mockery import har`: a HAR file holds the real server's answers, so every entry of
the corpus recordings is replayed against the imported spec (--keep-pii: values as recorded) and compared
with the recorded answer (status, Content-Type, body). The figure is printed; at least 95% must match."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockery import MockServer
from mockery.record.har import write_specs

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "har"


def _same(expected: dict[str, Any], answer: httpx.Response) -> bool:
    content = expected["content"]
    text, media = content.get("text") or "", (content.get("mimeType") or "").split(";")[0]
    if answer.status_code != expected["status"] or answer.headers.get("content-type", "").split(";")[0] != media:
        return False
    return bool(answer.json() == json.loads(text)) if "json" in media else answer.text == text


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the HAR corpus is not at {CORPUS}")
@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.har")) if CORPUS.is_dir() else [])
def test_the_imported_specs_answer_as_the_recorded_server_did(tmp_path: Path, name: str, capsys: Any) -> None:
    written, _ = write_specs(CORPUS / name, tmp_path, anonymise=False)
    entries = json.loads((CORPUS / name).read_text(encoding="utf-8"))["log"]["entries"]
    misses = []
    with MockServer(*written) as server:
        for entry in entries:
            request = entry["request"]
            url = httpx.URL(request["url"])
            body = (request.get("postData") or {}).get("text")
            answer = httpx.request(request["method"], server.url + url.raw_path.decode(), content=body)
            if not _same(entry["response"], answer):
                misses.append(f"{request['method']} {url}: {answer.status_code} {answer.text[:60]!r}")
    matched = len(entries) - len(misses)
    with capsys.disabled():
        print(
            f"\nhar {name}: {matched}/{len(entries)} probes match the recording ({100 * matched / len(entries):.0f}%)"
        )
    assert matched >= 0.95 * len(entries), misses
