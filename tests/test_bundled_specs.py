"""The bundled specs in specs/ validate, and the README's tour is what they really answer.

The tour's curl requests are replayed, in the README's order, against a fresh MockServer with the defaults of
`mockery serve specs/` (seed 0, pinned clock). Status lines, headers and every value that does not come from
Faker must match exactly; values Faker generates must have the shown JSON type, since another Faker release
may pick other names for the same seed.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from mockery import MockServer
from mockery.cli import cli
from mockery.load.loader import load_specs

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
README = ROOT / "README.md"

# Keys whose values the bundled specs take from Faker.
FAKER_KEYS = frozenset(
    {"name", "email", "address", "member_since", "amount", "currency", "last4", "city", "total", "placed_on"}
)


@dataclass
class TourRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    data: str | None = None
    include: bool = False
    shown_status: int = 200
    shown_headers: dict[str, str] = field(default_factory=dict)
    shown_body: str = ""


def _parse_curl(command: str) -> TourRequest:
    words = shlex.split(command)
    assert words[0] == "curl", command
    request = TourRequest(method="GET", url="")
    position = 1
    while position < len(words):
        word = words[position]
        if word == "-s":
            pass
        elif word == "-i":
            request.include = True
        elif word == "-I":
            request.include, request.method = True, "HEAD"
        elif word in ("-X", "-H", "-d"):
            position += 1
            value = words[position]
            if word == "-X":
                request.method = value
            elif word == "-H":
                name, _, header_value = value.partition(":")
                request.headers[name.strip()] = header_value.strip()
            else:
                request.data = value
                if request.method == "GET":
                    request.method = "POST"
        else:
            assert not word.startswith("-"), f"the tour test does not know curl option {word}"
            request.url = word if "://" in word else "http://" + word
        position += 1
    return request


def tour() -> list[TourRequest]:
    """Every `$ curl` in the README's console blocks, with the output shown below it."""
    text = README.read_text(encoding="utf-8")
    requests: list[TourRequest] = []
    for block in re.findall(r"^```console\n(.*?)^```", text, re.DOTALL | re.MULTILINE):
        current: TourRequest | None = None
        output: list[str] = []
        for line in [*block.splitlines(), "$ end"]:
            if line.startswith("$ "):
                if current is not None:
                    _attach_output(current, output)
                    requests.append(current)
                current = _parse_curl(line[2:]) if line.startswith("$ curl ") else None
                output = []
            else:
                output.append(line)
    return requests


def _attach_output(request: TourRequest, lines: list[str]) -> None:
    if request.include:
        status_line, *rest = lines
        request.shown_status = int(status_line.split()[1])
        blank = rest.index("") if "" in rest else len(rest)
        for header in rest[:blank]:
            name, _, value = header.partition(":")
            request.shown_headers[name.lower()] = value.strip()
        lines = rest[blank + 1 :]
    request.shown_body = "\n".join(lines).strip()


TOUR = tour()


def test_the_tour_covers_both_services_and_several_statuses() -> None:
    ports = {httpx.URL(request.url).port for request in TOUR}
    assert ports == {8000, 8001}
    assert {request.shown_status for request in TOUR} >= {200, 201, 402, 404}
    assert len(TOUR) >= 8


def test_bundled_specs_validate() -> None:
    specs = load_specs([SPECS])
    assert {service.name for service in specs.services} == {"users", "payments", "shop"}
    result = CliRunner().invoke(cli, ["validate", str(SPECS)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(": OK")


def _listeners(server: MockServer) -> dict[int, str]:
    """README port -> the URL of the listener that stands in for it on the test server."""
    listeners = {8000: server.url}
    for service in server.specs.services:
        if service.port is not None:
            url = server.url_for(service.name)
            listeners[service.port] = url[: len(url) - len(service.base_path)] if service.base_path else url
    return listeners


def _same(shown: Any, got: Any, key: str = "") -> None:
    if isinstance(shown, dict):
        assert isinstance(got, dict), (key, shown, got)
        assert list(got) == list(shown), (key, shown, got)
        for name, value in shown.items():
            _same(value, got[name], name)
    elif isinstance(shown, list):
        assert isinstance(got, list), (key, shown, got)
        assert len(got) == len(shown), (key, shown, got)
        for value, other in zip(shown, got, strict=True):
            _same(value, other, key)
    elif key in FAKER_KEYS:
        assert type(got) is type(shown), (key, shown, got)
    else:
        assert got == shown, (key, shown, got)


def test_every_tour_request_answers_what_the_readme_shows(serve: Callable[..., MockServer]) -> None:
    server = serve(SPECS)
    listeners = _listeners(server)
    with httpx.Client(timeout=10) as client:
        for request in TOUR:
            readme_url = httpx.URL(request.url)
            url = listeners[readme_url.port or 80] + readme_url.raw_path.decode()
            response = client.request(request.method, url, headers=request.headers, content=request.data)
            where = f"{request.method} {request.url}"
            assert response.status_code == request.shown_status, (where, response.text)
            for name, value in request.shown_headers.items():
                if name == "content-length" and request.method != "HEAD" and response.status_code == 200:
                    continue  # the length of Faker text varies with the Faker release
                if name == "content-length":
                    assert response.headers[name] == value, where
                else:
                    assert response.headers.get(name) == value, (where, name, response.headers)
            if request.method == "HEAD":
                assert response.content == b"", where
                continue
            if request.shown_body.startswith(("{", "[")):
                _same(json.loads(request.shown_body), response.json())
            else:
                assert response.text.strip() == request.shown_body, where


def _get(server: MockServer, path: str) -> bytes:
    response = httpx.get(server.url + path, timeout=10)
    assert response.status_code == 200, response.text
    return response.content


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_data(serve: Callable[..., MockServer]) -> None:
    first, second, other = serve(SPECS), serve(SPECS), serve(SPECS, seed=1)
    user = _get(first, "/api/users/42")
    assert json.loads(user)["id"] == 42
    assert _get(first, "/api/users/42") == user
    assert _get(second, "/api/users/42") == user
    assert _get(other, "/api/users/42") != user
    assert _get(first, "/api/users/43") != user


def test_per_call_routes_vary_per_call_and_repeat_after_a_restart(serve: Callable[..., MockServer]) -> None:
    first, second = serve(SPECS), serve(SPECS)
    calls = [_get(first, "/api/lucky") for _ in range(6)]
    assert len(set(calls)) > 1
    assert [_get(second, "/api/lucky") for _ in range(6)] == calls
    first.reset()
    assert [_get(first, "/api/lucky") for _ in range(6)] == calls


def test_payments_has_its_own_listener(serve: Callable[..., MockServer]) -> None:
    server = serve(SPECS)
    payments = server.url_for("payments")
    assert not payments.startswith(server.url + "/")
    response = httpx.post(f"{payments}/payments", json={"amount": 500, "currency": "usd"}, timeout=10)
    assert response.status_code == 201
    assert response.json()["amount"] == 500
    assert response.json()["currency"] == "USD"
    assert re.fullmatch(r"/v1/payments/[0-9a-f-]{36}", response.headers["location"])
    assert httpx.get(f"{server.url}/v1/payments/declined", timeout=10).status_code == 404


@pytest.mark.parametrize("user_id", [1, 42])
def test_avatar_is_the_svg_next_to_the_spec(serve: Callable[..., MockServer], user_id: int) -> None:
    server = serve(SPECS)
    response = httpx.get(f"{server.url_for('users')}/users/{user_id}/avatar", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content == (SPECS / "avatar.svg").read_bytes()
