"""Schemathesis, bounded in time, against served documents: every response must conform to the document
(status codes documented, bodies valid against their schemas). Run as its CLI in a subprocess, so that a
hard timeout bounds it; the mock runs in this process.

Two documents: the exported one of the bundled shop spec (resources: list, get, create, replace, update,
delete) and the corpus petstore served by mockery (skipped, with a message, where the corpus is absent).
Each takes a few seconds on two cores: ``--max-examples`` per operation, fixed seed, no shrinking.
``content_type_conformance`` is left out: the corpus petstore documents its errors as ``application/json``
while mockery answers them as ``application/problem+json`` (a known gap of the OpenAPI serving).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mockery import MockServer

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "openapi"
PETSTORE = CORPUS / "OAI-OpenAPI-Specification_v3.0__petstore-expanded.yaml"
HARD_TIMEOUT = 50
CASES = [
    pytest.param(ROOT / "specs" / "shop.yaml", "shop", id="exported-shop"),
    pytest.param(PETSTORE, None, id="corpus-petstore-expanded"),
]


def schemathesis() -> list[str]:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if found is None:
        pytest.fail("schemathesis is not installed: pip install -e '.[test]'")
    return [found]


@pytest.mark.parametrize(("spec", "service"), CASES)
@pytest.mark.slow
def test_responses_conform_to_the_served_document(spec: Path, service: str | None, tmp_path: Path) -> None:
    if not spec.exists():
        pytest.skip(f"the OpenAPI corpus is not at {CORPUS}")
    with MockServer(spec) as server:
        name = service or httpx.get(f"{server.url}/__mockery/openapi").json()["documents"][0]["service"]
        command = [
            *schemathesis(),
            "run",
            f"{server.url}/__mockery/openapi/{name}.json",
            "--url",
            server.url_for(name),
            "--checks",
            "status_code_conformance,response_schema_conformance,not_a_server_error",
            "--mode",
            "positive",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            "15",
            "--seed",
            "1",
            "--no-shrink",
            "--workers",
            "1",
            "--request-timeout",
            "5",
            "--no-color",
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=HARD_TIMEOUT, cwd=tmp_path, stdin=subprocess.DEVNULL
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
