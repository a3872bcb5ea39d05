"""`mockery record` as a real process against a real upstream: the written spec validates, serves the same
statuses and shapes, and holds none of the upstream's personal data."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mockery.http.requests import DEFAULT_MAX_BODY
from mockery.load.loader import load_specs
from mockery.server.admin_guard import ADMIN_MAX_BODY
from mockery.server.connections import MAX_REQUEST_HEAD
from tests.record.upstream import API_KEY, LITERAL, LITERAL_TEXT, ORDER_ID, TOKEN, USERS, Upstream

REQUESTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/users", None),
    ("GET", "/users/1", None),
    ("GET", "/users/2", None),
    ("GET", "/users/999", None),
    ("GET", f"/orders/{ORDER_ID}", None),
    ("POST", "/login", {"username": "margaret", "password": "hunter2"}),
]
KINDS = {
    "email": re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"),
    "name": re.compile(r"^\S+( \S+)+$"),
    "phone": re.compile(r"^[\d+().x -]{7,}$"),
    "card": re.compile(r"^\d{12,19}$"),
    "iban": re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$"),
    "last_login_ip": re.compile(r"^\d{1,3}(\.\d{1,3}){3}$"),
    "address": re.compile(r"^\d+ \S+"),
}


def _start(upstream: Upstream, out: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "mockery", "record", "--upstream", upstream.url, "--out", str(out)]
    process = subprocess.Popen(
        [*command, "--port", "0", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"recording (http://127\.0\.0\.1:\d+)", line)
    assert found, line + (process.stderr.read() if process.stderr else "")
    return process, found.group(1)


def _play(base: str) -> list[httpx.Response]:
    with httpx.Client(base_url=base, timeout=10) as client:
        return [client.request(method, path, json=body) for method, path, body in REQUESTS]


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def _originals() -> list[str]:
    values = [TOKEN, API_KEY, "abc123"]
    for user in USERS:
        values.extend(str(user[key]) for key in ("name", "email", "phone", "card", "iban", "address", "last_login_ip"))
    values.extend(word for user in USERS for word in str(user["name"]).split())
    return values


@pytest.mark.parametrize("stop", ["sigint", "endpoint"])
@pytest.mark.slow
def test_record_writes_a_safe_spec_that_answers_alike(
    stop: str, upstream: Upstream, tmp_path: Path, serve: Any
) -> None:
    out = tmp_path / "specs" / "accounts.yaml"
    process, base = _start(upstream, out, "--summary")
    try:
        recorded = _play(base)
        if stop == "sigint":
            process.send_signal(signal.SIGINT)
        else:
            assert httpx.post(f"{base}/__mockery/record/stop", timeout=10).status_code == 200
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill() if process.poll() is None else None
    assert process.returncode == 0, stderr
    assert f"wrote {out}" in stdout
    assert "replaced personal data:" in stdout
    assert "dropped headers: set-cookie, x-api-key" in stdout
    assert (tmp_path / "specs" / "accounts.summary.txt").read_text().startswith("replaced personal data:")

    text = out.read_text(encoding="utf-8")
    for original in _originals():
        assert original not in text, original
    specs = load_specs([out], environ={})
    paths = {(route.methods[0], route.path) for route in specs.services[0].routes}
    assert ("GET", "/users/{id:int}") in paths
    assert ("GET", "/orders/{id:uuid}") in paths
    assert ("GET", "/users/999") in paths  # the 404 keeps a literal route of its own
    assert "faker.email()" in text
    assert "faker.credit_card_number()" in text
    assert yaml.safe_load(text)["service"] == "accounts"

    server = serve(out)
    served = _play(server.url)
    for (method, path, _), before, after in zip(REQUESTS, recorded, served, strict=True):
        assert after.status_code == before.status_code, (method, path, after.text)
        assert _shape(after.json()) == _shape(before.json()), (method, path)
    users = served[0].json()["users"]
    for user in [*users, served[1].json()]:
        for key, pattern in KINDS.items():
            assert pattern.match(str(user[key])), (key, user[key])
        assert str(user[key]) not in _originals()
    assert served[1].json()["id"] == 1
    assert served[2].json()["id"] == 2
    assert served[4].json()["id"] == ORDER_ID
    login = served[5].json()
    assert login["access_token"] != TOKEN
    assert login["note"].startswith("Bearer ")


@pytest.mark.slow
def test_keep_pii_writes_values_as_recorded(upstream: Upstream, tmp_path: Path) -> None:
    out = tmp_path / "raw.yaml"
    process, base = _start(upstream, out, "--keep-pii")
    try:
        httpx.get(f"{base}/users", timeout=10)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill() if process.poll() is None else None
    assert process.returncode == 0, stderr
    assert "anonymisation off" in stdout
    assert str(USERS[0]["email"]) in out.read_text(encoding="utf-8")
    load_specs([out], environ={})


@pytest.mark.slow
def test_record_refuses_a_non_http_upstream(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "mockery", "record", "--upstream", "file:///etc/passwd", "--out", "x.yaml"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False)
    assert done.returncode == 2
    assert "not an http:// or https:// URL" in done.stderr


@contextlib.contextmanager
def _recording(upstream: Upstream, out: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A `mockery record` process and its URL; killed and reaped at the end if it is still running."""
    process, base = _start(upstream, out)
    try:
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def _stop(process: subprocess.Popen[str], base: str, **headers: str) -> httpx.Response:
    """Ask the recorder to stop; once it accepted, wait until it has written the spec and exited."""
    answer = httpx.post(f"{base}/__mockery/record/stop", headers=headers, timeout=10)
    if answer.status_code == 200:
        _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
    return answer


@pytest.mark.slow
def test_recorded_text_is_served_back_byte_identical(
    upstream: Upstream, tmp_path: Path, serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "literal.yaml"
    with _recording(upstream, out) as (process, base):
        recorded = [httpx.get(f"{base}{path}", timeout=10) for path in ("/literal", "/literal.txt")]
        assert _stop(process, base).status_code == 200
    assert recorded[0].json() == LITERAL
    assert recorded[1].text == LITERAL_TEXT
    monkeypatch.setenv("SECRET_TOKEN", "s3cr3t")
    monkeypatch.setenv("X", "x")
    server = serve(out)
    for before in recorded:
        after = httpx.get(server.url + before.url.path, timeout=10)
        assert after.status_code == 200, after.text
        assert after.content == before.content
        assert after.headers["content-type"] == before.headers["content-type"]


@pytest.mark.slow
def test_the_stop_endpoint_refuses_cross_site_and_foreign_host_requests(upstream: Upstream, tmp_path: Path) -> None:
    with _recording(upstream, tmp_path / "guarded.yaml") as (process, base):
        port = base.rsplit(":", 1)[1]
        refused = [
            _stop(process, base, origin="http://evil.example"),
            _stop(process, base, **{"sec-fetch-site": "cross-site"}),
            _stop(process, base, host=f"evil.example:{port}"),
        ]
        for answer in refused:
            assert answer.status_code == 403, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["detail"].startswith("the recorder's stop endpoint answers no request from a web page")
        assert _stop(process, base, origin=base).status_code == 200  # same-site: the recorder's own page


@pytest.mark.slow
def test_bodies_over_the_caps_are_refused_413_and_never_forwarded(upstream: Upstream, tmp_path: Path) -> None:
    with _recording(upstream, tmp_path / "capped.yaml") as (process, base):
        proxied = httpx.post(f"{base}/echo", content=b"x" * (DEFAULT_MAX_BODY + 1), timeout=60)
        stop = httpx.post(f"{base}/__mockery/record/stop", content=b"{}" + b" " * ADMIN_MAX_BODY, timeout=30)
        assert _stop(process, base).status_code == 200  # the oversized stop did not stop it
    for answer, limit in ((proxied, DEFAULT_MAX_BODY), (stop, ADMIN_MAX_BODY)):
        assert answer.status_code == 413, answer.text[:200]
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["detail"] == f"the body is over the limit of {limit} bytes"
    assert [path for _, path, _ in upstream.requests] == []


@pytest.mark.slow
def test_the_recorder_refuses_a_request_head_over_the_limit(upstream: Upstream, tmp_path: Path) -> None:
    with _recording(upstream, tmp_path / "heads.yaml") as (process, base):
        answer = httpx.get(f"{base}/echo", headers={"x-big": "x" * (MAX_REQUEST_HEAD + 1)}, timeout=30)
        assert answer.status_code == 431, answer.text[:200]
        assert answer.headers["content-type"] == "application/problem+json"
        assert _stop(process, base).status_code == 200
    assert [path for _, path, _ in upstream.requests] == []
