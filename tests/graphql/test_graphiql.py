"""GraphiQL beside a GraphQL endpoint, from packaged files: it loads in a headless browser over loopback only."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from mockery import MockServer
from mockery.answers.graphql import GraphiQLAnswer
from mockery.graphql.graphiql import ASSETS, INSTALL, assets_folder

Serve = Callable[..., MockServer]
SPEC = 'service: gi\nbase_path: /api\ngraphql:\n  sdl: "type Query { hello: String }"\n'
needs_assets = pytest.mark.skipif(assets_folder() is None, reason=f"GraphiQL is not installed ({INSTALL})")
# Chromium's own services (sync, accounts, field trials) stay quiet: what is left is the page's traffic.
QUIET = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-default-browser-check",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter,Translate",
)


@needs_assets
def test_the_page_and_its_files_are_served_from_the_package(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(SPEC))
    page = httpx.get(server.url + "/api/graphql/graphiql")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert 'GraphiQL.createFetcher({url: "/api/graphql"})' in page.text
    assert "http" not in page.text.split("<body>")[0]  # every file it loads is relative to this server
    for name, media_type in ASSETS.items():
        asset = httpx.get(f"{server.url}/api/graphql/graphiql/{name}")
        assert asset.status_code == 200
        assert asset.headers["content-type"] == media_type
        assert len(asset.content) > 1000
    missing = httpx.get(server.url + "/api/graphql/graphiql/graphiql.js")
    assert missing.status_code == 404
    assert missing.json()["files"] == sorted(ASSETS)  # only these files: never a path into the package
    assert httpx.get(server.url + "/api/graphql/graphiql/..%2F..%2F__init__.py").status_code == 404


def test_without_the_extra_the_page_names_the_install_line() -> None:
    answer = GraphiQLAnswer(b"<html></html>", None)
    assert answer.static is not None
    assert answer.static.status == 501
    assert json.loads(answer.static.body)["detail"] == f"GraphiQL is served once installed: {INSTALL}"


def _urls(events: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    for event in events:
        params = event.get("params") or {}
        if "url" in params and "network_isolation_key" in params:
            yield params["url"], params["network_isolation_key"]


@needs_assets
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_graphiql_loads_in_headless_chromium_over_loopback_only(
    write_spec: Callable[..., Path], serve: Serve, tmp_path: Path
) -> None:
    server = serve(write_spec(SPEC))
    command = [
        "chromium",
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        *QUIET,
        # A host other than loopback does not even resolve: a CDN file could not load.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--virtual-time-budget=15000",
        f"--log-net-log={tmp_path / 'net.json'}",
        "--dump-dom",
        server.url + "/api/graphql/graphiql",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "graphiql-container" in done.stdout  # GraphiQL rendered its interface
    events = json.loads((tmp_path / "net.json").read_text())["events"]
    page_requests = {url for url, key in _urls(events) if "127.0.0.1" in key}
    assert {urlsplit(url).path for url in page_requests} >= {
        "/api/graphql/graphiql",
        "/api/graphql",
        *(f"/api/graphql/graphiql/{name}" for name in ASSETS),
    }
    assert {urlsplit(url).hostname for url in page_requests} == {"127.0.0.1"}
    # GraphiQL read the schema from the endpoint (its introspection query).
    posted = [call for call in server.calls() if call.method == "POST" and call.path == "/api/graphql"]
    assert posted
    assert "IntrospectionQuery" in json.dumps(posted[0].body)


def test_a_browser_asking_for_the_endpoint_is_sent_to_graphiql(write_spec: Callable[..., Path], serve: Serve) -> None:
    server = serve(write_spec(SPEC))
    browser = httpx.get(server.url + "/api/graphql", headers={"accept": "text/html,application/xhtml+xml,*/*"})
    assert browser.status_code == 303
    assert browser.headers["location"] == "/api/graphql/graphiql"
    client = httpx.get(server.url + "/api/graphql", headers={"accept": "application/json"})
    assert client.status_code == 400  # a GET without a query, from a client: the problem that says so
    assert client.json()["detail"] == "the query string has no `query` (the GraphQL document, as text)"
