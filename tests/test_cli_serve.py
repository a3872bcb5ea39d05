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
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from socket_support import SOCKET_TIMEOUT, connect, read_to_end, statuses

from mockery.cli import cli

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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_route_conflict_is_reported_with_both_locations_and_nothing_binds(tmp_path: Path) -> None:
    route = "routes:\n  - path: /things/{id}\n"
    (tmp_path / "a.yaml").write_text("service: a\n" + route)
    (tmp_path / "b.yaml").write_text("service: b\n# a comment line\n" + route.replace("{id}", "{other}"))
    result = run_serve("--port", "0", str(tmp_path))
    assert result.returncode == 1
    assert re.search(r"b\.yaml:4:5: routes\[0\]: GET /things/\{other\} is already claimed .*a\.yaml:3:5", result.stderr)
    assert "listening" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_slow_clients_are_closed_at_the_deadlines_given_by_flag_and_variable_while_a_get_answers(
    specs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOCKERY_HEADER_TIMEOUT", "0.5")
    running = start(str(specs), "--body-timeout", "0.5")
    try:
        payments = running.urls["payments"]
        head = b"POST /payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        bodies = [connect(payments, head + b'{"amount":') for _ in range(50)]
        heads = [connect(payments, b"POST /payments HTTP/1.1\r\nHost: x\r\nX-Slow: ") for _ in range(300)]
        try:
            started = time.perf_counter()
            answer = httpx.get(f"{running.urls['users']}/users/1", timeout=SOCKET_TIMEOUT)
            elapsed = time.perf_counter() - started
            assert answer.status_code == 200
            assert elapsed < 1.0
            body_answers, head_answers = read_to_end(bodies), read_to_end(heads)
        finally:
            for sock in bodies + heads:
                sock.close()
    finally:
        code, output = running.stop()
    assert statuses(body_answers) == {b"HTTP/1.1 408 Request Timeout"}
    assert statuses(head_answers) == {b"HTTP/1.1 408 Request Timeout"}
    assert code == 0
    assert "Traceback" not in output


@pytest.mark.slow
def test_beyond_max_connections_a_connection_is_refused_with_a_503(specs: Path) -> None:
    running = start(str(specs), "--max-connections", "2")
    try:
        users = running.urls["users"]
        idle = [connect(users) for _ in range(2)]
        try:
            refused = httpx.get(f"{users}/users/1", timeout=SOCKET_TIMEOUT)
        finally:
            for sock in idle:
                sock.close()
    finally:
        code, _ = running.stop()
    assert refused.status_code == 503
    assert refused.json()["limit"] == 2
    assert code == 0


@pytest.mark.slow
def test_workers_keep_the_header_deadline(specs: Path, tmp_path: Path) -> None:
    running = start(
        str(specs), "--workers", "2", "--state", f"sqlite:///{tmp_path / 'state.db'}", "--header-timeout", "0.5"
    )
    try:
        heads = [connect(running.urls["users"], b"GET /users/1 HTTP/1.1\r\nHost: x\r\n") for _ in range(20)]
        try:
            answers = read_to_end(heads)
        finally:
            for sock in heads:
                sock.close()
    finally:
        code, output = running.stop()
    assert statuses(answers) == {b"HTTP/1.1 408 Request Timeout"}
    assert code == 0, output


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        pytest.param(["--max-body", "-1"], {}, "'--max-body'", id="max-body -1"),
        pytest.param(["--max-body", "inf"], {}, "'--max-body'", id="max-body inf"),
        pytest.param(["--max-body", "nan"], {}, "'--max-body'", id="max-body nan"),
        pytest.param(["--max-body", "10XB"], {}, "'--max-body'", id="max-body 10XB"),
        pytest.param([], {"MOCKERY_MAX_BODY": "-1"}, "MOCKERY_MAX_BODY", id="MOCKERY_MAX_BODY=-1"),
        pytest.param(["--body-timeout", "-1"], {}, "'--body-timeout'", id="body-timeout -1"),
        pytest.param(["--body-timeout", "0"], {}, "'--body-timeout'", id="body-timeout 0"),
        pytest.param([], {"MOCKERY_BODY_TIMEOUT": "inf"}, "MOCKERY_BODY_TIMEOUT", id="MOCKERY_BODY_TIMEOUT=inf"),
        pytest.param(["--header-timeout", "nan"], {}, "'--header-timeout'", id="header-timeout nan"),
        pytest.param(
            [], {"MOCKERY_HEADER_TIMEOUT": "-0.5"}, "MOCKERY_HEADER_TIMEOUT", id="MOCKERY_HEADER_TIMEOUT=-0.5"
        ),
        pytest.param(["--max-connections", "0"], {}, "'--max-connections'", id="max-connections 0"),
        pytest.param(
            [], {"MOCKERY_MAX_CONNECTIONS": "many"}, "MOCKERY_MAX_CONNECTIONS", id="MOCKERY_MAX_CONNECTIONS=many"
        ),
        pytest.param(["--port", "70000"], {}, "'--port'", id="port 70000"),
        pytest.param(["--port", "-1"], {}, "'--port'", id="port -1"),
        pytest.param(["--shutdown-timeout", "inf"], {}, "'--shutdown-timeout'", id="shutdown-timeout inf"),
        pytest.param(["--workers", "0"], {}, "'--workers'", id="workers 0"),
    ],
)
def test_a_bad_numeric_value_exits_2_naming_its_option_or_variable(
    args: list[str], env: dict[str, str], named: str
) -> None:
    # A path that does not exist: a value that gets through would fail with 1 on loading, never serve.
    result = CliRunner().invoke(cli, ["serve", *args, "/no/such/specs"], env=env)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert named in result.output
    assert "Invalid value" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "named"),
    [(["health", "--timeout", "-1"], "'--timeout'"), (["routes", "--port", "99999", "/no/such/specs"], "'--port'")],
    ids=["health timeout", "routes port"],
)
def test_other_commands_check_their_numbers_too(args: list[str], named: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert named in result.output
