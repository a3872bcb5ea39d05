"""/__mockery/docs: Swagger UI served from the installed package, with no request leaving the machine.

What is checked: the page and every file it references are served by mockery (200); the HTML names no
absolute http(s) URL; the Content-Security-Policy lets a browser fetch from this origin only. The JS bundle
does hold absolute URLs, and each host is accounted for below: XML/JSON Schema namespaces and spec
identifiers, links printed in error messages, link builders of a Markdown linkifier, Swagger UI's online
validator badge (turned off by ``validatorUrl: null`` in our initialiser) and its default petstore document
(never used: we pass ``urls``). Where Chromium is installed, the page is loaded headless with a network log,
and every request it made must have gone to 127.0.0.1; the rendered DOM must show the operations.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from mockery import MockServer
from mockery.server.admin_guard import AdminGuard
from mockery.server.docs_ui import INIT_JS, swagger_ui_folder

SPECS = Path(__file__).resolve().parents[2] / "specs"
# Hosts named inside Swagger UI's bundle and why none is fetched by the page.
INERT_HOSTS = {
    "www.w3.org": "SVG/XML namespaces",
    "json-schema.org": "JSON Schema $id and $schema identifiers",
    "spec.openapis.org": "OpenAPI dialect identifiers",
    "datatracker.ietf.org": "links in descriptions of keywords",
    "www.rfc-editor.org": "links in descriptions of keywords",
    "spdx.org": "licence identifiers",
    "github.com": "links in messages",
    "reactjs.org": "links in React error messages",
    "fb.me": "links in React error messages",
    "redux.js.org": "links in Redux error messages",
    "twitter.com": "a Markdown linkifier's hashtag and mention links",
    "www.facebook.com": "a Markdown linkifier's hashtag and mention links",
    "instagram.com": "a Markdown linkifier's hashtag and mention links",
    "www.tiktok.com": "a Markdown linkifier's hashtag and mention links",
    "soundcloud.com": "a Markdown linkifier's hashtag and mention links",
    "example.com": "sample values of format: hostname and email",
    "base": "a dummy base for URL parsing in sanitizeUrl",
    "vladimirgorej.com": "a dummy base for URL parsing in a URL check",
    "swagger.io": "the default petstore document, replaced by our urls",
    "validator.swagger.io": "the validator badge, off with validatorUrl: null",
}


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend(value for name, value in attrs if name in ("src", "href") and value)


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(SPECS) as running:
        yield running


def test_the_page_and_every_file_it_references_are_served_locally(server: MockServer) -> None:
    page = httpx.get(f"{server.url}/__mockery/docs")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    parser = References()
    parser.feed(page.text)
    assert len(parser.found) >= 6  # icon, css, two bundles, init.js, and the document links
    for reference in parser.found:
        url = urljoin(str(page.url), reference)
        assert urlsplit(url).netloc == urlsplit(server.url).netloc, reference
        assert httpx.get(url).status_code == 200, reference
    assert re.findall(r"https?://", page.text) == []
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy
    # payments listens on a listener of its own: "try it out" may call it, and nothing else.
    assert f"connect-src 'self' {server.url_for('payments').removesuffix('/v1')};" in policy


def test_the_page_lists_every_service_document(server: MockServer) -> None:
    page = httpx.get(f"{server.url}/__mockery/docs").text
    config = json.loads(re.search(r'<script id="mockery-docs" type="application/json">(.*?)</script>', page).group(1))  # type: ignore[union-attr]
    assert sorted(entry["name"] for entry in config["urls"]) == ["payments", "shop", "users"]
    for entry in config["urls"]:
        assert httpx.get(server.url + entry["url"]).json()["openapi"] == "3.1.0"


def test_unknown_assets_are_404(server: MockServer) -> None:
    for name in ("index.html", "..%2F..%2F__init__.py", "swagger-ui.js.map"):
        assert httpx.get(f"{server.url}/__mockery/docs/assets/{name}").status_code == 404


def test_the_bundles_remote_urls_are_inert_strings() -> None:
    assert "validatorUrl: null" in INIT_JS
    assert "urls: config.urls" in INIT_JS
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        text = (swagger_ui_folder() / name).read_text(encoding="utf-8", errors="replace")
        hosts = set(re.findall(r"https?://([A-Za-z0-9.\-]+)", text))
        assert hosts <= set(INERT_HOSTS), (name, hosts - set(INERT_HOSTS))


def test_the_docs_follow_the_admin_rule_off_loopback() -> None:
    """Only health, ready and metrics answer without a token on a non-loopback listener (issue #6)."""
    for path in ("/__mockery/docs", "/__mockery/openapi/users.json", "/__mockery/docs/assets/swagger-ui.css"):
        scope = {"type": "http", "path": path, "headers": [(b"host", b"10.0.0.5:8000")]}
        assert AdminGuard("0.0.0.0", 8000, None).check(scope) is not None
        refusal = AdminGuard("0.0.0.0", 8000, "secret").check(scope)
        assert refusal is not None
        assert refusal[0] == 401
        scope["headers"].append((b"authorization", b"Bearer secret"))
        assert AdminGuard("0.0.0.0", 8000, "secret").check(scope) is None


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed (apt-get install chromium)")
@pytest.mark.slow
def test_a_headless_browser_renders_the_docs_with_every_request_to_this_machine(
    server: MockServer, tmp_path: Path
) -> None:
    netlog = tmp_path / "net.json"
    flags = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=10000",
    ]
    url = f"{server.url}/__mockery/docs?service=shop"
    dom = subprocess.run(
        [*flags, f"--log-net-log={netlog}", "--dump-dom", url], capture_output=True, text=True, timeout=60
    )
    assert "customers list" in dom.stdout, dom.stderr[-2000:]
    assert 'data-path="/customers/{id}"' in dom.stdout
    assert "OAS 3.1" in dom.stdout
    log = json.loads(netlog.read_text() if netlog.read_text().rstrip().endswith("}") else netlog.read_text() + "]}")
    kinds = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    requests = {
        (event["params"]["url"], event["params"].get("initiator"))
        for event in log["events"]
        if kinds.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in event.get("params", {})
    }
    origin = server.url
    by_page = {url for url, initiator in requests if initiator == origin}
    assert f"{origin}/__mockery/openapi/shop.json" in by_page
    assert {urlsplit(url).hostname for url in by_page} == {"127.0.0.1"}, sorted(by_page)
    # Chromium's own traffic (its clock, updates, accounts) has no page as initiator: not the page's doing.
    elsewhere = {(url, initiator) for url, initiator in requests if urlsplit(url).hostname != "127.0.0.1"}
    assert {initiator for _, initiator in elsewhere} <= {"not an origin"}, sorted(elsewhere)
    shot = tmp_path / "docs.png"
    subprocess.run([*flags, "--window-size=1280,1600", f"--screenshot={shot}", url], capture_output=True, timeout=60)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
