"""`mockery serve` as a user starts it, configured by the environment: plain HTTP on one port, HTTPS with the
local CA on another, both in the log and both answering."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest
from sidecar_support import serve


@pytest.mark.slow  # a process of its own, as the other `mockery serve` tests
def test_serve_answers_http_and_https_side_by_side_from_the_variables(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "service: hello\nroutes:\n  - path: /hello\n    response: {body: {hello: world}}\n", encoding="utf-8"
    )
    process = serve(
        "--port",
        "0",
        "--log-format",
        "json",
        str(spec),
        env={"MOCKERY_TLS_PORT": "0", "MOCKERY_TLS": "auto", "MOCKERY_TLS_DIR": str(tmp_path / "ca")},
    )
    try:
        urls = [str(record["url"]) for record in process.records() if record.get("event") == "listening"]
        assert [url.split("://")[0] for url in urls] == ["http", "https"]
        plain, secure = urls
        assert httpx.get(plain + "/hello", timeout=10).json() == {"hello": "world"}
        trusted = ssl.create_default_context(cafile=str(tmp_path / "ca" / "rootCA.pem"))
        assert httpx.get(secure + "/hello", verify=trusted, timeout=10).json() == {"hello": "world"}
    finally:
        assert process.stop() == 0
