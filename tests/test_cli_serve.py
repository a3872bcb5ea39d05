"""`mockery serve` as a user runs it: a real process, real listeners on free ports, real logs and signals."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

STARTUP_TIMEOUT = 20.0

USERS = """\
service: users
seed: 7
routes:
  - path: /users/{id:int}
    response:
      body: {id: "{{ request.path_params.id }}", name: "{{ faker.name() }}", email: "{{ faker.email() }}"}
"""

PAYMENTS = """\
service: payments
port: 0
routes:
  - method: POST
    path: /payments
    response: {status: 201, body: {id: "{{ uuid() }}", amount: "{{ request.body.amount }}"}}
"""


class Served:
    """A running `mockery serve` process and the listener URLs it printed."""

    def __init__(self, process: subprocess.Popen[str], urls: dict[str, str], lines: list[str]) -> None:
        self.process = process
        self.urls = urls
        self.lines = lines

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        try:
            _, rest = self.process.communicate(timeout=STARTUP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return self.process.returncode, "".join(self.lines) + rest


def start(*args: str) -> Served:
    process = subprocess.Popen(
        [sys.executable, "-m", "mockery", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    urls: dict[str, str] = {}
    lines: list[str] = []
    for line in process.stderr:
        lines.append(line)
        if line.startswith("{"):
            record = json.loads(line)
            url, services = record.get("url"), record.get("services", "")
        else:
            found = re.search(r"url=(\S+)\s+services=(.*)$", line)
            url, services = (found.group(1), found.group(2)) if found else (None, "")
        if url:
            for name in str(services).split(", "):
                urls[name.strip()] = url
        if "ready" in line:
            return Served(process, urls, lines)
    process.wait(timeout=STARTUP_TIMEOUT)
    pytest.fail("mockery serve exited before it was ready:\n" + "".join(lines))


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "users.yaml").write_text(USERS)
    (folder / "payments.yaml").write_text(PAYMENTS)
    return folder


@pytest.fixture
def served(specs: Path) -> Iterator[Served]:
    running = start(str(specs))
    yield running
    if running.process.poll() is None:
        running.stop()


def test_serves_each_service_on_its_listener_and_logs_every_request(served: Served) -> None:
    users, payments = served.urls["users"], served.urls["payments"]
    assert users != payments
    user = httpx.get(f"{users}/users/42")
    assert user.status_code == 200
    assert user.json()["id"] == 42
    payment = httpx.post(f"{payments}/payments", json={"amount": 12.5})
    assert payment.status_code == 201
    assert payment.json()["amount"] == 12.5
    # Each service answers on its own listener only.
    assert httpx.get(f"{payments}/users/42").status_code == 404
    code, output = served.stop()
    assert code == 0
    assert re.search(r"users\s+GET\s+/users/42 -> 200\s+\[GET /users/\{id:int\}\]\s+[0-9.]+ms", output)
    assert re.search(r"payments\s+POST\s+/payments -> 201", output)
    assert "Traceback" not in output


def test_same_bytes_after_a_restart_and_other_bytes_with_another_seed(specs: Path) -> None:
    bodies = []
    for args in ([], [], ["--seed", "2"]):
        running = start(str(specs), *args)
        try:
            bodies.append(httpx.get(f"{running.urls['users']}/users/42").content)
        finally:
            assert running.stop()[0] == 0
    assert bodies[0] == bodies[1]
    assert bodies[0] != bodies[2]


def test_json_logs_are_one_object_per_line(specs: Path) -> None:
    running = start(str(specs), "--log-format", "json")
    try:
        httpx.get(f"{running.urls['users']}/users/7")
        httpx.get(f"{running.urls['users']}/nope")
    finally:
        code, output = running.stop()
    assert code == 0
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests = [record for record in records if record["event"] == "request"]
    assert [(r["path"], r["status"]) for r in requests] == [("/users/7", 200), ("/nope", 404)]
    assert requests[0]["route"] == "GET /users/{id:int}"
    assert all(isinstance(r["duration_ms"], float) for r in requests)


def run_serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockery", "serve", *args],
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def test_a_route_conflict_is_reported_with_both_locations_and_nothing_binds(tmp_path: Path) -> None:
    route = "routes:\n  - path: /things/{id}\n"
    (tmp_path / "a.yaml").write_text("service: a\n" + route)
    (tmp_path / "b.yaml").write_text("service: b\n# a comment line\n" + route.replace("{id}", "{other}"))
    result = run_serve("--port", "0", str(tmp_path))
    assert result.returncode == 1
    assert re.search(r"b\.yaml:4:5: routes\[0\]: GET /things/\{other\} is already claimed .*a\.yaml:3:5", result.stderr)
    assert "listening" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_busy_port_is_reported_naming_the_service(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (tmp_path / "s.yaml").write_text(f"service: busy\nport: {port}\nroutes: [{{path: /}}]\n")
        result = run_serve("--port", "0", str(tmp_path))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port} for busy" in result.stderr
    assert "listening" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_spec_prints_located_errors_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        textwrap.dedent(
            """\
            service: bad
            routes:
              - path: /x
                respnse: {status: 200}
            """
        )
    )
    result = run_serve("--port", "0", str(tmp_path))
    assert result.returncode == 1
    assert "bad.yaml:4:5: routes[0].respnse: unknown key 'respnse'; did you mean 'response'?" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--max-body", "lots", "is not a size"),
        ("--clock", "yesterday", "neither 'system' nor an ISO 8601 time"),
    ],
    ids=["max-body", "clock"],
)
def test_bad_options_are_usage_errors(specs: Path, option: str, value: str, message: str) -> None:
    result = run_serve(str(specs), option, value)
    assert result.returncode == 2
    assert message in result.stderr
