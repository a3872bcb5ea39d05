"""A real browser: a page served on one loopback port calls mockery on others with fetch() in headless Chromium,
and reads the answers (a preflighted DELETE, a list's exposed headers, credentials) or is blocked (credentials
against a `*` policy, an origin the policy does not list)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mockery import MockServer

SCRIPT = """
const out = {};
async function call(name, url, options) {
  try {
    const answer = await fetch(url, options);
    out[name] = [answer.status, await answer.text(), answer.headers.get("X-Total-Count"), answer.headers.get("X-Id")];
  } catch (error) {
    out[name] = "blocked";
  }
}
async function run() {
  await call("preflighted", API.open + "/items/7", {method: "DELETE", headers: {"X-Trace": "t1"}});
  await call("listed", API.open + "/users");
  await call("missing", API.open + "/nothing");
  await call("credentials", API.creds + "/me", {credentials: "include"});
  await call("credentials_on_star", API.open + "/items/7", {method: "DELETE", credentials: "include"});
  await call("foreign", API.narrow + "/x");
  document.getElementById("out").textContent = "RESULT" + JSON.stringify(out) + "END";
}
run();
"""

OPEN = {
    "service": "open",
    "port": 0,
    "headers": {"X-Id": "abc"},
    "routes": [{"path": "/items/{id:int}", "method": "DELETE", "response": {"body": "deleted"}}],
    "resources": {"users": {"count": 2, "fields": {"name": "{{ faker.first_name() }}"}}},
}
CREDS = {
    "service": "creds",
    "port": 0,
    "cors": {"credentials": True},
    "routes": [{"path": "/me", "response": {"body": "me"}}],
}
NARROW = {
    "service": "narrow",
    "port": 0,
    "cors": {"origins": ["http://elsewhere.test"]},
    "routes": [{"path": "/x", "response": {"body": "x"}}],
}


def page(api: dict[str, str]) -> dict[str, Any]:
    html = (
        '<html><body><pre id="out">pending</pre><script>const API = '
        + json.dumps(api)
        + ";\n"
        + SCRIPT
        + "</script></body></html>"
    )
    return {
        "service": "page",
        "routes": [{"path": "/", "response": {"headers": {"Content-Type": "text/html"}, "body": html}}],
    }


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed (apt-get install chromium)")
@pytest.mark.slow
def test_a_page_on_another_port_reads_mockery_through_cors_and_a_foreign_origin_is_blocked(tmp_path: Path) -> None:
    with MockServer(inline=[OPEN, CREDS, NARROW]) as api:
        urls = {name: api.url_for(name) for name in ("open", "creds", "narrow")}
        with MockServer(inline=page(urls)) as site:
            assert site.url not in urls.values()
            dom = subprocess.run(
                [
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
                    "--dump-dom",
                    f"{site.url}/",
                ],
                capture_output=True,
                text=True,
                timeout=60,
            )
            # The foreign origin's request did reach mockery: the browser, not the server, kept it from the page.
            api.assert_called("GET", "/x", times=1, service="narrow")
            # The preflight was answered automatically, and the DELETE followed it.
            preflights = [call for call in api.calls if call.method == "OPTIONS" and call.path == "/items/7"]
    text = dom.stdout
    assert "RESULT" in text, dom.stderr[-2000:]
    result = json.loads(text[text.index("RESULT") + 6 : text.index("END")])
    # A DELETE with a custom header is preflighted: the automatic 204 let it through, and the page reads it.
    assert result["preflighted"] == [200, "deleted", None, "abc"]
    # X-Total-Count and a service-wide header are readable because they are exposed.
    status, body, total, request_id = result["listed"]
    assert (status, total, request_id) == (200, "2", "abc")
    assert len(json.loads(body)) == 2
    # The explained 404 is readable too.
    assert result["missing"][0] == 404
    assert "No route matches" in result["missing"][1]
    # Credentials: the origin is echoed with Allow-Credentials, so the page reads the answer.
    assert result["credentials"] == [200, "me", None, None]
    # Credentials against a policy that answers `*`: the browser refuses, as it must.
    assert result["credentials_on_star"] == "blocked"
    # An origin the policy does not list: the answer is sent, the browser keeps it from the page.
    assert result["foreign"] == "blocked"
    assert preflights
    assert preflights[0].headers["access-control-request-headers"] == "x-trace"
