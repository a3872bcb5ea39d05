"""Answers known before the request arrives (a static route on a literal path) take a short path through the
listener: these tests check over real HTTP that it answers, journals and counts exactly as the general path,
and that it steps aside whenever a request needs more (a body, an Origin, behaviours, conditions, a scenario)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from mockery import MockServer

SPEC = """
service: known
profiles:
  broken:
    fault: {kind: status, status: 503}
routes:
  - path: /plain
    response: {headers: {x-kind: plain}, body: {ok: true}}
  - path: /chosen
    match: {query: {who: admin}}
    response: {body: admin}
  - path: /chosen
    response: {body: anyone}
  - path: /steps
    scenario: {name: steps, state: started, next: done}
    response: {body: first}
  - path: /steps
    response: {body: after}
  - path: /posted
    method: POST
    response: {status: 201, body: {created: true}}
  - path: /items/{id:int}
    response: {body: item}
  - path: /items/all
    response: {body: all}
"""


def _server(serve: Callable[..., MockServer], write_spec: Callable[..., Path]) -> MockServer:
    return serve(write_spec(SPEC))


def test_a_static_answer_is_sent_journaled_and_counted(
    serve: Callable[..., MockServer], write_spec: Callable[..., Path]
) -> None:
    server = _server(serve, write_spec)
    with httpx.Client(base_url=server.url) as client:
        got = client.get("/plain", params={"page": "2"})
        head = client.head("/plain")
    assert got.status_code == 200
    assert got.json() == {"ok": True}
    assert got.headers["x-kind"] == "plain"
    assert got.headers["content-length"] == str(len(got.content))
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(got.content))
    calls = server.journal.calls(path="/plain")
    assert [(call.method, call.status, call.route, call.query_string) for call in calls] == [
        ("GET", 200, calls[0].route, "page=2"),
        ("HEAD", 200, calls[0].route, ""),
    ]
    assert calls[0].route != "-"
    assert calls[0].response_json == {"ok": True}
    assert calls[0].response_headers["x-kind"] == "plain"
    assert calls[0].headers["host"].startswith("127.0.0.1")
    assert calls[0].duration >= 0
    with httpx.Client(base_url=server.url) as client:
        metrics = client.get("/__mockery/metrics").text
    assert 'mockery_requests_total{service="known"' in metrics
    assert 'status="200"} 2' in metrics


def test_it_steps_aside_for_an_origin_a_body_and_a_profile(
    serve: Callable[..., MockServer], write_spec: Callable[..., Path]
) -> None:
    server = _server(serve, write_spec)
    with httpx.Client(base_url=server.url) as client:
        cors = client.get("/plain", headers={"origin": "http://app.test"})
        posted = client.post("/posted", json={"name": "x"})
        server.profile = "broken"
        broken = client.get("/plain")
        server.profile = None
        healed = client.get("/plain")
    assert cors.headers["access-control-allow-origin"] in ("*", "http://app.test")
    assert posted.status_code == 201
    assert server.journal.calls(path="/posted")[0].body == {"name": "x"}
    assert broken.status_code == 503
    assert healed.status_code == 200


def test_conditions_scenarios_and_parameters_keep_their_order(
    serve: Callable[..., MockServer], write_spec: Callable[..., Path]
) -> None:
    server = _server(serve, write_spec)
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/chosen", params={"who": "admin"}).text == "admin"
        assert client.get("/chosen").text == "anyone"
        server.scenario("steps").state = "started"
        assert client.get("/steps").text == "first"
        assert client.get("/steps").text == "after"
        assert server.scenario("steps").state == "done"
        # An Origin sends a request down the general path: both paths choose the same route.
        general = client.get("/items/all", headers={"origin": "http://app.test"}).text
        assert client.get("/items/all").text == general == "all"
        assert client.get("/items/7").text == "item"
        assert client.put("/plain").status_code == 405
