"""`mockery serve api.yaml` as a user runs it: a real process on a free port, serving the document."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.openapi.support import PETSTORE
from tests.test_cli_serve import start


@pytest.mark.slow
def test_mockery_serve_serves_an_openapi_document(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(PETSTORE)
    served = start(str(path))
    try:
        base = served.urls["pets"] + "/v1"
        created = httpx.post(base + "/pets", json={"name": "Rex", "species": "dog"})
        assert created.status_code == 201
        assert httpx.get(f"{base}/pets/{created.json()['id']}").json() == created.json()
        missing = httpx.post(base + "/pets", json={"species": "dog"})
        assert missing.status_code == 422
        assert missing.headers["content-type"] == "application/problem+json"
        assert httpx.get(base + "/pets/1", headers={"prefer": "code=404"}).status_code == 404
    finally:
        code, output = served.stop()
    assert code == 0, output
    assert "POST   /v1/pets -> 422" in output  # the access log names the route the operation answered
    assert "GET    /v1/pets/1 -> 404  [GET /pets/{petId}]" in output
