"""MockServer follows the CORS policy its AppConfig holds, as ``mockery serve`` follows ``--cors``."""

from __future__ import annotations

from pathlib import Path

import httpx

from mockery import MockServer
from mockery.app.listener import AppConfig
from mockery.http.cors import parse_cors_option

SPEC = """\
service: hello
routes:
  - path: /hello
    response: {body: {hello: world}}
"""
ORIGIN = {"origin": "http://localhost:3000"}


def test_the_default_allows_every_origin(tmp_path: Path) -> None:
    spec = tmp_path / "hello.yaml"
    spec.write_text(SPEC)
    with MockServer(spec) as server:
        assert httpx.get(server.url + "/hello", headers=ORIGIN).headers["access-control-allow-origin"] == "*"


def test_a_config_policy_is_the_one_served(tmp_path: Path) -> None:
    spec = tmp_path / "hello.yaml"
    spec.write_text(SPEC)
    with MockServer(spec, config=AppConfig(cors=parse_cors_option("off"))) as server:
        answer = httpx.get(server.url + "/hello", headers=ORIGIN)
        assert answer.status_code == 200
        assert "access-control-allow-origin" not in answer.headers
    narrowed = AppConfig(cors=parse_cors_option("http://localhost:3000"))
    with MockServer(spec, config=narrowed) as server:
        allowed = httpx.get(server.url + "/hello", headers=ORIGIN)
        assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
        foreign = httpx.get(server.url + "/hello", headers={"origin": "http://evil.test"})
        assert "access-control-allow-origin" not in foreign.headers
