"""Over a real server, each journal call keeps the answer the client got: status, headers and body."""

from __future__ import annotations

from pathlib import Path

import httpx

from mockery import MockServer
from mockery.app.listener import JOURNAL_BODY_LIMIT

HALF = JOURNAL_BODY_LIMIT // 2 + 1
SPEC = """\
service: shop
routes:
  - path: /orders/{id:int}
    response:
      headers: {x-order: "{{ request.path_params.id }}"}
      body: {id: "{{ request.path_params.id }}", total: 550.25}
  - path: /big
    response:
      body: {a: "{{ 'x' * HALF }}", b: "{{ 'y' * HALF }}"}
""".replace("HALF", str(HALF))


def test_a_call_keeps_the_answers_headers_and_body(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC)
    with MockServer(spec) as server:
        got = httpx.get(server.url + "/orders/7")
        call = server.calls[-1]
        assert call.response_body == got.content
        assert call.response_json == got.json() == {"id": 7, "total": 550.25}
        assert call.response_headers["x-order"] == got.headers["x-order"] == "7"
        assert call.response_headers["content-type"] == got.headers["content-type"]
        missed = httpx.get(server.url + "/nowhere")
        assert server.calls[-1].response_json == missed.json()
        assert missed.json()["status"] == 404


def test_a_body_over_the_limit_is_not_kept(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC)
    with MockServer(spec) as server:
        got = httpx.get(server.url + "/big")
        assert len(got.content) > JOURNAL_BODY_LIMIT
        assert server.calls[-1].response_body == b""
        assert server.calls[-1].status == 200
