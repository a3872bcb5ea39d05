"""`mockery routes` and the start-up table of `mockery serve`: one function makes both; readable, coloured on a
terminal only."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from mockery.cli import cli
from mockery.http.logs import AccessLog, use_colour
from mockery.load.loader import load_specs
from mockery.server.route_table import render, route_rows

WriteSpec = Callable[..., Path]

SHOP = """\
service: shop
routes:
  - name: search
    path: /search
    match: {query: {q: {present: true}}, headers: {accept: application/json}}
  - path: /cart
    method: [GET, DELETE]
    priority: 2
  - path: /order
    scenario: {name: checkout, state: started, next: paid}
  - path: /order
    scenario: {name: checkout, state: paid}
resources:
  users: {count: 1, fields: {name: name}}
"""
PETS = """\
openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets/{petId}/toys/{toy-id}:
    get:
      operationId: getToy
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
        - {name: toy-id, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
"""


def table(*args: str) -> list[list[str]]:
    result = CliRunner().invoke(cli, ["routes", *args])
    assert result.exit_code == 0, result.output
    return [re.split(r"\s{2,}", line) for line in result.output.splitlines()]


def test_routes_lists_method_path_name_kind_and_conditions(write_spec: WriteSpec) -> None:
    rows = table(str(write_spec(SHOP, "shop.yaml")))
    assert rows[0] == ["SERVICE", "LISTENER", "METHOD", "PATH", "NAME", "KIND", "CONDITIONS"]
    assert rows[1:6] == [
        ["shop", "127.0.0.1:8000", "GET", "/search", "search", "template", "query.q, headers.accept"],
        ["shop", "127.0.0.1:8000", "GET", "/cart", "GET|DELETE /cart", "template", "priority 2"],
        ["shop", "127.0.0.1:8000", "DELETE", "/cart", "GET|DELETE /cart", "template", "priority 2"],
        ["shop", "127.0.0.1:8000", "GET", "/order", "GET /order", "template", "scenario checkout: started -> paid"],
        ["shop", "127.0.0.1:8000", "GET", "/order", "GET /order", "template", "scenario checkout: paid"],
    ]
    assert ["shop", "127.0.0.1:8000", "GET", "/users/{id}", "users get", "resource", "-"] in rows


def test_openapi_routes_show_the_documents_parameter_names(write_spec: WriteSpec) -> None:
    rows = table(str(write_spec(PETS, "pets.yaml")))
    assert rows[1][3:6] == ["/pets/{petId}/toys/{toy-id}", "getToy", "openapi"]
    assert not any("{p0}" in cell for row in rows for cell in row)


def test_no_row_is_repeated(write_spec: WriteSpec) -> None:
    specs = load_specs([write_spec(SHOP, "shop.yaml")], environ={})
    listeners = [("127.0.0.1:8000", specs.services), ("127.0.0.1:8000", specs.services)]
    rows = route_rows(listeners)
    assert len(rows) == len(set(rows)) == len(route_rows(listeners[:1]))


def test_the_bundled_specs_give_no_duplicate_lines() -> None:
    rows = table(str(Path(__file__).resolve().parent.parent / "specs"))
    lines = ["  ".join(row) for row in rows]
    assert len(lines) == len(set(lines))
    assert ["payments", "127.0.0.1:8001", "POST", "/v1/payments", "create payment", "template", "-"] in rows


def test_routes_follows_port_of(write_spec: WriteSpec) -> None:
    rows = table("--port-of", "shop=9100", str(write_spec(SHOP, "shop.yaml")))
    assert {row[1] for row in rows[1:]} == {"127.0.0.1:9100"}
    result = CliRunner().invoke(cli, ["routes", "--port-of", "shp=1", str(write_spec(SHOP, "shop.yaml"))])
    assert result.exit_code == 1
    assert "no service named 'shp'; did you mean 'shop'?" in result.output


@pytest.mark.slow
def test_the_start_up_table_is_what_routes_prints(write_spec: WriteSpec) -> None:
    shop, pets = write_spec(SHOP, "shop.yaml"), write_spec(PETS, "pets.yaml")
    process = subprocess.Popen(
        [sys.executable, "-m", "mockery", "serve", "--port", "0", str(shop), str(pets)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"},
    )
    assert process.stderr is not None
    lines = []
    try:
        for line in process.stderr:
            if "mockery: ready" in line:
                break
            lines.append(line)
    finally:
        process.terminate()
        process.communicate(timeout=20)
    started = [re.split(r"\s{2,}", line.strip()) for line in lines if not line.startswith("mockery: ")]
    printed = [
        re.split(r"\s{2,}", line)
        for line in CliRunner().invoke(cli, ["routes", "--port", "0", str(shop), str(pets)]).output.splitlines()
    ]
    assert started[0] == printed[0]
    assert len(started) == len(printed) > 10
    for served, listed in zip(started[1:], printed[1:], strict=True):
        assert served[1].startswith("127.0.0.1:")
        assert served[1] != "127.0.0.1:0"  # the port it got
        assert [served[0], *served[2:]] == [listed[0], *listed[2:]]


@pytest.mark.parametrize(
    ("environ", "tty", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "0"}, False, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
    ],
    ids=["tty", "pipe", "no-color", "empty-no-color", "force", "force-0", "no-color-wins"],
)
def test_colour_on_a_terminal_only(environ: dict[str, str], tty: bool, expected: bool) -> None:
    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    assert use_colour(Stream(), environ) is expected


def test_a_coloured_line_still_escapes_what_the_client_sent() -> None:
    stream = io.StringIO()
    AccessLog(stream=stream, colour=True).request("shop", "GET", "/x\n\x1b[2J", 404, "-", 0.001, "no route")
    line = stream.getvalue()
    assert line.count("\n") == 1
    assert "\x1b[33m404\x1b[0m" in line
    assert "/x\\x0a\\x1b[2J" in line
    assert "\x1b[2J" not in line


def test_json_lines_are_never_coloured() -> None:
    stream = io.StringIO()
    log = AccessLog(stream=stream, format="json", colour=True)
    log.request("shop", "GET", "/x", 500, "-", 0.0, "boom", query="a=1")
    log.event("ready", services=1)
    assert "\x1b" not in stream.getvalue()
    first = orjson.loads(stream.getvalue().splitlines()[0])
    assert (first["query"], first["note"]) == ("a=1", "boom")


def test_a_request_line_shows_the_query_string_and_the_note() -> None:
    stream = io.StringIO()
    AccessLog(stream=stream, colour=False).request(
        "shop", "GET", "/users", 404, "-", 0.0, "segment 1: expected 'user', got 'users'", query="page=2"
    )
    assert re.search(r" shop +GET +/users\?page=2 -> 404  \[-\]  0\.0ms  segment 1: expected 'user'", stream.getvalue())


def test_the_table_is_coloured_only_when_asked(write_spec: WriteSpec) -> None:
    rows = route_rows([("127.0.0.1:8000", load_specs([write_spec(SHOP, "shop.yaml")], environ={}).services)])
    assert "\x1b[" not in render(rows)
    assert render(rows, colour=True).startswith("\x1b[1mSERVICE")


def test_routes_prints_no_colour_into_a_pipe(write_spec: WriteSpec, monkeypatch: Any) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = CliRunner().invoke(cli, ["routes", str(write_spec(SHOP, "shop.yaml"))]).output
    assert coloured.startswith("\x1b[1mSERVICE")
    monkeypatch.delenv("FORCE_COLOR")
    assert "\x1b" not in CliRunner().invoke(cli, ["routes", str(write_spec(SHOP, "shop.yaml"))]).output
