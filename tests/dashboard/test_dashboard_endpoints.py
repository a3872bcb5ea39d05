"""The dashboard's endpoints over real HTTP: the page and its files under a strict policy, the journal as
server-sent events (with Last-Event-ID), the route table with file:line, and the HAR export, which follows
the HAR 1.2 structure and replays against the server to the same answers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from mockery import MockServer
from mockery.http.journal import Call
from mockery.server.har import har_entry, har_log

SPEC = """\
service: shop
routes:
  - path: /orders
    method: POST
    match:
      headers: {X-Key: abc}
    response: {status: 201, body: {created: "{{ request.body.item }}"}}
  - {path: /cart, scenario: {name: checkout, state: started}, response: {body: {cart: open}}}
resources:
  users: {count: 3, fields: {name: "{{ faker.first_name() }}"}}
"""

Serve = Callable[..., MockServer]


@pytest.fixture
def shop(write_spec: Callable[..., Path], serve: Serve) -> MockServer:
    return serve(write_spec(SPEC))


def events(url: str, headers: dict[str, str] | None = None, wanted: int = 1) -> list[tuple[str, dict[str, Any]]]:
    """The first ``wanted`` events of the journal stream (``(event, data)``)."""
    found: list[tuple[str, dict[str, Any]]] = []
    event = ""
    with httpx.stream("GET", f"{url}/__mockery/requests/stream", headers=headers, timeout=10) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        for line in answer.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                found.append((event, json.loads(line[6:])))
                if len(found) == wanted:
                    break
    return found


def test_the_page_and_its_files_are_served_from_the_package_under_a_strict_policy(shop: MockServer) -> None:
    page = httpx.get(f"{shop.url}/__mockery/ui")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy
    assert "http" not in page.text.replace('content="width=device-width', "")  # no absolute URL: nothing external
    for name, media in (("app.js", "text/javascript"), ("style.css", "text/css")):
        asset = httpx.get(f"{shop.url}/__mockery/ui/assets/{name}")
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(media)
    missing = httpx.get(f"{shop.url}/__mockery/ui/assets/../admin.py")
    assert missing.status_code == 404
    unknown = httpx.get(f"{shop.url}/__mockery/ui/assets/secret.js")
    assert unknown.status_code == 404
    assert "app.js" in unknown.json()["detail"]


def test_the_stream_sends_the_kept_calls_then_new_ones_and_resumes_after_last_event_id(shop: MockServer) -> None:
    httpx.post(f"{shop.url}/orders", json={"item": "lamp"}, headers={"X-Key": "abc"})
    httpx.post(f"{shop.url}/orders", json={"item": "desk"})
    (first, created), (_, missed) = events(shop.url, wanted=2)
    assert first == "call"
    assert (created["id"], created["status"], created["route"]) == (0, 201, "POST /orders")
    assert json.loads(created["body"]) == {"item": "lamp"}
    assert json.loads(created["response_body"]) == {"created": "lamp"}
    assert created["response_headers"]["content-type"] == "application/json"
    assert missed["matched"] is False
    assert json.loads(missed["response_body"])["closest"][0]["reasons"] == [
        "headers.x-key: expected 'abc', got nothing"
    ]
    # A reconnecting browser sends the last id it saw: only later calls come.
    httpx.get(f"{shop.url}/cart")
    [(_, resumed)] = events(shop.url, headers={"Last-Event-ID": "1"})
    assert (resumed["id"], resumed["path"]) == (2, "/cart")


def test_the_route_table_names_each_routes_kind_conditions_and_place(shop: MockServer) -> None:
    routes = httpx.get(f"{shop.url}/__mockery/routes").json()["routes"]
    orders = routes[0]
    assert {key: orders[key] for key in ("methods", "path", "kind", "conditions", "line", "column")} == {
        "methods": ["POST"],
        "path": "/orders",
        "kind": "template",
        "conditions": "headers.x-key",
        "line": 3,
        "column": 5,
    }
    assert orders["file"].endswith("spec.yaml")
    assert routes[1]["conditions"] == "scenario checkout: started"
    assert {route["name"] for route in routes} >= {"users list", "users delete"}


# The HAR 1.2 structure (http://www.softwareishard.com/blog/har-12-spec/): required members and their types.
_NV = {"type": "object", "required": ["name", "value"], "properties": {"name": {"type": "string"}}}
HAR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["log"],
    "properties": {
        "log": {
            "type": "object",
            "required": ["version", "creator", "entries"],
            "properties": {
                "version": {"const": "1.2"},
                "creator": {"type": "object", "required": ["name", "version"]},
                "pages": {"type": "array"},
                "entries": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["startedDateTime", "time", "request", "response", "cache", "timings"],
                        "properties": {
                            "startedDateTime": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"},
                            "time": {"type": "number", "minimum": 0},
                            "request": {
                                "type": "object",
                                "required": [
                                    "method",
                                    "url",
                                    "httpVersion",
                                    "cookies",
                                    "headers",
                                    "queryString",
                                    "headersSize",
                                    "bodySize",
                                ],
                                "properties": {
                                    "headers": {"type": "array", "items": _NV},
                                    "queryString": {"type": "array", "items": _NV},
                                    "postData": {"type": "object", "required": ["mimeType", "text"]},
                                    "bodySize": {"type": "integer"},
                                },
                            },
                            "response": {
                                "type": "object",
                                "required": [
                                    "status",
                                    "statusText",
                                    "httpVersion",
                                    "cookies",
                                    "headers",
                                    "content",
                                    "redirectURL",
                                    "headersSize",
                                    "bodySize",
                                ],
                                "properties": {
                                    "status": {"type": "integer"},
                                    "headers": {"type": "array", "items": _NV},
                                    "content": {
                                        "type": "object",
                                        "required": ["size", "mimeType"],
                                        "properties": {"encoding": {"const": "base64"}},
                                    },
                                },
                            },
                            "timings": {
                                "type": "object",
                                "required": ["send", "wait", "receive"],
                            },
                        },
                    },
                },
            },
        }
    },
}


def test_the_har_export_follows_har_1_2_and_replays_to_the_same_answers(shop: MockServer) -> None:
    httpx.post(f"{shop.url}/orders?via=test", json={"item": "lamp"}, headers={"X-Key": "abc"})
    httpx.post(f"{shop.url}/orders", json={"item": "desk"})
    httpx.get(f"{shop.url}/cart")
    answer = httpx.get(f"{shop.url}/__mockery/requests.har")
    assert answer.status_code == 200
    assert 'filename="mockery.har"' in answer.headers["content-disposition"]
    har = answer.json()
    jsonschema.validate(har, HAR_SCHEMA)
    entries = har["log"]["entries"]
    assert [entry["response"]["status"] for entry in entries] == [201, 404, 200]
    created = entries[0]
    assert created["request"]["queryString"] == [{"name": "via", "value": "test"}]
    assert json.loads(created["response"]["content"]["text"]) == {"created": "lamp"}
    # Imported back: each entry's request, sent again as the HAR has it, gets the same answer.
    shop.reset()
    for entry in entries:
        request = entry["request"]
        headers = {h["name"]: h["value"] for h in request["headers"] if h["name"] not in ("host", "content-length")}
        body = request.get("postData", {}).get("text", "").encode()
        again = httpx.request(request["method"], request["url"], headers=headers, content=body)
        assert again.status_code == entry["response"]["status"]
        assert again.content == entry["response"]["content"]["text"].encode()


def test_a_body_that_is_not_utf8_is_kept_as_base64() -> None:
    call = Call(
        "shop",
        "PUT",
        "/logo",
        "",
        {"content-type": "image/png"},
        b"\x89PNG",
        "logo",
        200,
        0.002,
        time=0.0,
        response_headers={"content-type": "image/png"},
        response_body=b"\x89PNG\x00",
    )
    entry = har_entry(call, "http://127.0.0.1:8000")
    jsonschema.validate(har_log([call], {"shop": "http://127.0.0.1:8000"}), HAR_SCHEMA)
    assert entry["startedDateTime"] == "1970-01-01T00:00:00.000+00:00"
    assert entry["request"]["url"] == "http://127.0.0.1:8000/logo"
    assert entry["request"]["postData"]["mimeType"] == "image/png"
    content = entry["response"]["content"]
    assert (content["encoding"], base64.b64decode(content["text"]), content["size"]) == ("base64", b"\x89PNG\x00", 5)


def test_the_stream_sends_the_start_of_a_large_body_and_its_size(shop: MockServer) -> None:
    big = "x" * (200 * 1024)
    httpx.post(f"{shop.url}/orders", content=big.encode(), headers={"X-Key": "abc", "Content-Type": "text/plain"})
    [(_, sent)] = events(shop.url)
    assert (len(sent["body"]), sent["body_size"]) == (64 * 1024, 200 * 1024)
    har = httpx.get(f"{shop.url}/__mockery/requests.har").json()
    assert har["log"]["entries"][0]["request"]["postData"]["text"] == big
