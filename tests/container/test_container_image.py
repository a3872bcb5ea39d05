"""The project's image, built and run for real with podman: its health check (present, and following the port
whatever set it), the bundled specs served from a read-only mount with JSON logs, a drain on SIGTERM with exit
code 0, a non-root user, and SQLite state on the /data volume surviving a restart."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from podman_support import ROOT, Podman

pytestmark = [pytest.mark.slow, pytest.mark.container]

SPECS = ROOT / "specs"
READ_ONLY_SPECS = f"{SPECS}:/specs:ro"


def test_the_image_has_its_health_check_and_runs_as_a_non_root_user_owning_data(podman: Podman, image: str) -> None:
    inspected = podman.inspect("image", image)
    config, healthcheck = inspected["Config"], inspected["Healthcheck"]
    assert isinstance(config, dict)
    assert isinstance(healthcheck, dict)
    assert "docker" in str(inspected["ManifestType"])  # OCI, podman's default, would drop the HEALTHCHECK
    assert healthcheck["Test"] == ["CMD", "mockery", "health"]
    assert config["User"] == "mockery"
    assert config["WorkingDir"] == "/data"
    assert set(config["Volumes"]) == {"/specs", "/data"}
    assert config["Entrypoint"] == ["mockery", "serve"]
    probe = podman.run("run", "--rm", "--entrypoint", "sh", image, "-c", "id -u; stat -c %U /data; touch /data/w")
    uid, owner = probe.stdout.split()
    assert int(uid) != 0
    assert owner == "mockery"


def _in_flight_login(port: int) -> socket.socket:
    """A POST whose headers are sent and answered with 100 Continue: the server is inside the request,
    waiting for its body, until the test sends it."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(
        f"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(LOGIN)}\r\nExpect: 100-continue\r\n\r\n".encode()
    )
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(1024)
    assert received.startswith(b"HTTP/1.1 100 Continue"), received
    return sock


LOGIN = b'{"username": "ada", "password": "hunter2"}'


def _refuses(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/__mockery/health", timeout=2)
    except httpx.TransportError:
        return True
    return False


def test_the_image_serves_the_bundled_specs_read_only_logs_json_and_drains_on_sigterm(
    podman: Podman, image: str
) -> None:
    started = time.monotonic()
    name = podman.start(
        "serve", "-v", READ_ONLY_SPECS, "-p", "127.0.0.1::8000", "-p", "127.0.0.1::8001", "-e", "MOCKERY_SEED=7"
    )
    print(
        f"healthy {podman.wait_healthy(name):.1f} s after the health checks began ({time.monotonic() - started:.1f} s)"
    )
    shared, payments = podman.host_port(name, 8000), podman.host_port(name, 8001)

    user = httpx.get(f"http://127.0.0.1:{shared}/api/users/42")
    assert user.status_code == 200
    assert user.json()["id"] == 42
    charge = httpx.post(f"http://127.0.0.1:{payments}/v1/payments", json={"amount": 1999, "currency": "eur"})
    assert charge.status_code == 201, charge.text
    missing = httpx.get(f"http://127.0.0.1:{shared}/api/users/abc")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"

    [mount] = [m for m in podman.inspect("container", name)["Mounts"] if m["Destination"] == "/specs"]
    assert mount["RW"] is False
    refused = podman.run("exec", name, "sh", "-c", "touch /specs/written", check=False)
    assert refused.returncode != 0
    assert "Read-only file system" in refused.stderr

    sock = _in_flight_login(shared)
    try:
        podman.run("kill", "--signal", "TERM", name)
        deadline = time.monotonic() + 10
        while not _refuses(shared):  # stopped accepting, the request in flight still open
            assert time.monotonic() < deadline, "the server kept accepting after SIGTERM"
            time.sleep(0.05)
        assert podman.running(name)  # draining: it waits for the body
        sock.sendall(LOGIN)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 200 OK"), answer
    assert b'"username":"ada"' in answer
    assert podman.wait_exit(name) == 0

    records = podman.records(name)
    logged = [line for line in podman.run("logs", name).stderr.splitlines() if line.strip()]
    assert len(records) == len(logged), logged  # one JSON object per line, nothing else
    events = [record["event"] for record in records]
    assert events.count("listening") == 2, events
    assert "admin" in events
    assert "ready" in events
    assert events[-1] == "stopped"
    requests = [(r["method"], r["path"], r["status"]) for r in records if r["event"] == "request"]
    assert ("GET", "/api/users/42", 200) in requests
    assert ("POST", "/v1/payments", 201) in requests
    assert ("GET", "/api/users/abc", 404) in requests
    assert requests[-1] == ("POST", "/api/login", 200)  # the one answered while draining
    listening = [str(r["url"]) for r in records if r["event"] == "listening"]
    assert sorted(listening) == ["http://0.0.0.0:8000", "http://0.0.0.0:8001"]


@pytest.mark.parametrize(
    ("how", "arguments"),
    [
        ("the --port flag", ("--", "--port", "9000")),
        ("MOCKERY_PORT", ("-e", "MOCKERY_PORT=9000")),
    ],
    ids=["flag", "variable"],
)
def test_the_health_check_follows_the_port_whatever_set_it(
    podman: Podman, image: str, how: str, arguments: tuple[str, ...]
) -> None:
    options = ("-v", READ_ONLY_SPECS, "-p", "127.0.0.1::9000")
    split = arguments.index("--") if "--" in arguments else len(arguments)
    name = podman.start("port", *options, *arguments[:split], "--", *arguments[split + 1 :])
    podman.wait_healthy(name)
    assert podman.health(name) == (0, "healthy"), how
    checked = podman.run("exec", name, "mockery", "health")
    assert "ok: http://127.0.0.1:9000/__mockery/health" in checked.stdout
    health = httpx.get(f"http://127.0.0.1:{podman.host_port(name, 9000)}/__mockery/health")
    assert health.json()["status"] == "ok"
    podman.run("stop", "--time", "10", name)
    assert podman.wait_exit(name) == 0


def test_sqlite_state_on_the_data_volume_survives_a_restart(podman: Podman, image: str) -> None:
    data = podman.volume("data")
    name = podman.start(
        "state",
        "-v",
        READ_ONLY_SPECS,
        "-v",
        f"{data}:/data",
        "-p",
        "127.0.0.1::8000",
        "--",
        "--state",
        "sqlite:///state.db",
    )
    podman.wait_healthy(name)
    port = podman.host_port(name, 8000)
    ada = {"name": "Ada Lovelace", "email": "ada@example.com", "city": "London", "tier": "gold"}
    created = httpx.post(f"http://127.0.0.1:{port}/shop/customers", json=ada)
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    changed = httpx.patch(f"http://127.0.0.1:{port}{location}", json={"tier": "basic"})
    assert changed.status_code == 200
    listed = podman.run("exec", name, "ls", "/data").stdout.split()
    assert "state.db" in listed

    podman.run("stop", "--time", "10", name)
    assert podman.wait_exit(name) == 0
    podman.run("start", name)
    podman.wait_healthy(name)
    port = podman.host_port(name, 8000)
    kept = httpx.get(f"http://127.0.0.1:{port}{location}")
    assert kept.status_code == 200
    assert kept.json() == {**ada, "tier": "basic", "id": created.json()["id"]}

    # A new container on the same volume reads it too: the state is the volume's, not the container's.
    podman.run("rm", "--force", "--volumes", "--time", "10", name)
    again = podman.start(
        "state-again",
        "-v",
        READ_ONLY_SPECS,
        "-v",
        f"{data}:/data",
        "-p",
        "127.0.0.1::8000",
        "--",
        "--state",
        "sqlite:///state.db",
    )
    podman.wait_healthy(again)
    kept = httpx.get(f"http://127.0.0.1:{podman.host_port(again, 8000)}{location}")
    assert kept.json()["tier"] == "basic"
