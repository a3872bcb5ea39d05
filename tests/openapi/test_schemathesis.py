"""Schemathesis, bounded in time, against served documents: every response must conform to the document.
Run as its CLI in a subprocess, so that a hard timeout bounds it; the mock runs in this process.

Real third-party documents of the corpus (OpenAPI 3.0 and Swagger 2.0) run with every check except the
authentication ones (``ignored_auth``, ``object_level_authorization``), each sending the credentials its
document asks for; the exported document of the bundled shop spec runs with the response checks (its
export is mockery's own document, checked apart from the corpus). Each takes a few seconds on two cores:
``--max-examples`` per operation, positive data, fixed seed, no shrinking. Where the corpus is absent the
corpus cases are skipped, saying where it was looked for.
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
CORPUS = ROOT.parent / "shared" / "corpus"
HARD_TIMEOUT = 60
RESPONSE_CHECKS = "status_code_conformance,response_schema_conformance,not_a_server_error"
AUTHENTICATION_CHECKS = ("ignored_auth", "object_level_authorization")
BEARER = ("Authorization: Bearer token",)
CASES = [
    pytest.param(ROOT / "specs" / "shop.yaml", "shop", RESPONSE_CHECKS, (), id="exported-shop"),
    pytest.param(
        CORPUS / "openapi" / "OAI-OpenAPI-Specification_v3.0__petstore-expanded.yaml",
        None,
        "all",
        BEARER,
        id="petstore-expanded",
    ),
    pytest.param(
        CORPUS / "openapi" / "OAI-OpenAPI-Specification_v3.0__petstore.yaml", None, "all", BEARER, id="petstore"
    ),
    pytest.param(CORPUS / "openapi" / "OAI-OpenAPI-Specification_v3.0__uspto.json", None, "all", BEARER, id="uspto"),
    pytest.param(
        CORPUS / "swagger2" / "OAI-OpenAPI-Specification_v2.0__api-with-examples.json",
        None,
        "all",
        BEARER,
        id="swagger2-api-with-examples",
    ),
]


def schemathesis() -> list[str]:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if found is None:
        pytest.fail("schemathesis is not installed: pip install -e '.[test]'")
    return [found]


@pytest.mark.parametrize(("spec", "service", "checks", "headers"), CASES)
@pytest.mark.slow
def test_responses_conform_to_the_served_document(
    spec: Path, service: str | None, checks: str, headers: tuple[str, ...], tmp_path: Path
) -> None:
    if not spec.exists():
        pytest.skip(f"the corpus is not at {CORPUS}")
    selection = ["--checks", checks]
    if checks == "all":
        selection += ["--exclude-checks", ",".join(AUTHENTICATION_CHECKS)]
    with MockServer(spec) as server:
        name = service or httpx.get(f"{server.url}/__mockery/openapi").json()["documents"][0]["service"]
        command = [
            *schemathesis(),
            "run",
            f"{server.url}/__mockery/openapi/{name}.json",
            "--url",
            server.url_for(name),
            *selection,
            *(argument for header in headers for argument in ("--header", header)),
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
