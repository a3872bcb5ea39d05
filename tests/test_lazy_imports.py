"""Start-up pays only for what the specs use: `mockery serve` of a plain spec imports no GraphQL, no cryptography,
no numpy and no HTTP client; a spec that uses one of them imports it.

Each test runs a real `mockery serve` process (through a wrapper that writes ``sys.modules`` when the process
exits), asks it one request, stops it with SIGTERM and reads what it had imported.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

TIMEOUT = 60
# Runs `python3 -m mockery` and writes the names of the modules the process holds when it exits.
WRAPPER = """\
import atexit, json, runpy, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv[0] = "mockery"
runpy.run_module("mockery", run_name="__main__", alter_sys=True)
"""
# Optional machinery a plain spec needs none of: third-party packages, and mockery's own OpenAPI and GraphQL.
OPTIONAL = ("graphql", "cryptography", "numpy", "httpx", "httpcore", "mockery.openapi", "mockery.graphql")

PLAIN = """\
service: shop
routes:
  - path: /static
    response: {body: {ok: true}}
  - path: /users/{id:int}
    response: {body: {id: "{{ request.path_params.id }}", name: "{{ faker.name() }}"}}
resources:
  orders:
    count: 20
    fields: {total: {faker: pyint, min_value: 5, max_value: 500}, status: {choice: [open, shipped]}}
"""

OPENAPI = """\
openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200":
          description: pets
          content: {application/json: {schema: {type: array, items: {type: string}}}}
"""

GRAPHQL = """\
service: graph
graphql:
  sdl: |
    type User { id: ID! name: String }
    type Query { user(id: ID!): User }
"""


def _imported(spec: Path, probe: str, tmp_path: Path) -> set[str]:
    """The packages (``numpy``, ``mockery.openapi``) a `mockery serve` of ``spec`` holds after answering ``probe``."""
    out = tmp_path / "modules.json"
    process = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, str(out), "serve", str(spec), "--port", "0", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stderr is not None
        url = None
        for line in process.stderr:
            if "url=" in line and url is None:
                url = line.split("url=", 1)[1].split()[0]
            if "ready" in line:
                break
        assert url is not None, "mockery serve exited before it was ready"
        assert httpx.get(url + probe, timeout=TIMEOUT).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0
    modules = json.loads(out.read_text(encoding="utf-8"))
    return {name.split(".")[0] for name in modules} | {".".join(name.split(".")[:2]) for name in modules}


def test_serving_a_plain_spec_imports_no_optional_machinery(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(PLAIN, encoding="utf-8")
    imported = _imported(spec, "/users/7", tmp_path)
    assert {"mockery", "faker", "uvicorn"} <= imported  # the wrapper saw the server that answered
    assert sorted(imported & set(OPTIONAL)) == []


@pytest.mark.parametrize(
    ("text", "probe", "package"),
    [
        (GRAPHQL, "/graphql?query=%7Buser(id%3A1)%7Bname%7D%7D", "graphql"),
        (PLAIN + "proxy: {upstream: 'http://127.0.0.1:9'}\n", "/static", "httpx"),
        (OPENAPI, "/pets", "mockery.openapi"),
    ],
    ids=["graphql-spec-imports-graphql", "proxy-spec-imports-httpx", "openapi-document-imports-the-openapi-package"],
)
def test_a_spec_that_uses_optional_machinery_imports_it(text: str, probe: str, package: str, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    assert package in _imported(spec, probe, tmp_path)
