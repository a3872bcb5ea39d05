"""Who may call the admin API: listening on 0.0.0.0 (reached through 127.0.0.1), tokens, browsers, rebinding."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sidecar_support import Process, serve

from mockery import MockServer

SPEC = """\
service: users
routes:
  - path: /users/{id:int}
    response: {body: {id: "{{ request.path_params.id }}"}}
"""
TOKEN = "s3cret-Token-7f1e9c"


@pytest.fixture
def specs(write_spec: Callable[..., Path]) -> Path:
    return write_spec(SPEC, "specs/users.yaml").parent


@pytest.fixture
def everywhere(specs: Path) -> Iterator[Process]:
    """No token, listening on every address."""
    process = serve(str(specs), "--host", "0.0.0.0", "--port", "0", "--log-format", "json")
    yield process
    process.stop()


@pytest.mark.slow
def test_on_0000_without_a_token_only_health_ready_and_metrics_answer(everywhere: Process) -> None:
    url = everywhere.url
    assert url.startswith("http://127.0.0.1:")
    for path in ("health", "ready", "metrics"):
        assert httpx.get(f"{url}/__mockery/{path}").status_code == 200, path
    refused = httpx.post(f"{url}/__mockery/reset")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "MOCKERY_ADMIN_TOKEN" in refused.json()["detail"]
    assert httpx.get(f"{url}/__mockery/requests").status_code == 403
    # The reload report quotes spec files: it is guarded like every other endpoint.
    assert httpx.get(f"{url}/__mockery/reload").status_code == 403
    # The address the request seems to come from is never trusted.
    spoofed = httpx.post(f"{url}/__mockery/reset", headers={"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1"})
    assert spoofed.status_code == 403
    # The services themselves answer as usual.
    assert httpx.get(f"{url}/users/1").status_code == 200


@pytest.mark.slow
def test_on_0000_with_a_token_reset_needs_it_and_the_token_is_never_logged(specs: Path) -> None:
    process = serve(
        str(specs), "--host", "0.0.0.0", "--port", "0", "--log-format", "json", env={"MOCKERY_ADMIN_TOKEN": TOKEN}
    )
    try:
        url = process.url
        answers = [
            httpx.post(f"{url}/__mockery/reset"),
            httpx.post(f"{url}/__mockery/reset", headers={"Authorization": "Bearer wrong"}),
            httpx.post(f"{url}/__mockery/reset", headers={"Authorization": f"Bearer {TOKEN}x"}),
            httpx.post(f"{url}/__mockery/reset", headers={"Authorization": f"Basic {TOKEN}"}),
            httpx.post(f"{url}/__mockery/reset", headers={"Authorization": f"Bearer {TOKEN}"}),
            httpx.get(f"{url}/__mockery/health"),
            httpx.get(f"{url}/__mockery/requests", headers={"Authorization": f"bearer {TOKEN}"}),
            httpx.get(f"{url}/users/1", headers={"Authorization": "Bearer wrong"}),
        ]
        assert [answer.status_code for answer in answers] == [401, 401, 401, 401, 200, 200, 200, 200]
        assert answers[0].headers["www-authenticate"].startswith("Bearer")
        for answer in answers:
            assert TOKEN not in answer.text
            assert TOKEN not in str(answer.headers)
    finally:
        assert process.stop() == 0
    assert process.records(), process.output
    assert TOKEN not in process.output


@pytest.mark.slow
def test_the_token_given_as_a_flag_is_never_logged_either(specs: Path) -> None:
    process = serve(str(specs), "--port", "0", "--admin-token", TOKEN)
    try:
        assert httpx.post(f"{process.url}/__mockery/reset").status_code == 401
        headers = {"Authorization": f"Bearer {TOKEN}"}
        assert httpx.post(f"{process.url}/__mockery/reset", headers=headers).status_code == 200
    finally:
        assert process.stop() == 0
    assert "token required" in process.output
    assert TOKEN not in process.output


@pytest.fixture
def loopback(serve: Callable[..., MockServer], write_spec: Callable[..., Path]) -> MockServer:
    return serve(write_spec(SPEC))


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({}, 200, id="plain"),
        pytest.param({"Origin": "http://evil.example"}, 403, id="foreign-origin"),
        pytest.param({"Origin": "null"}, 403, id="null-origin"),
        pytest.param({"Origin": "http://localhost:1"}, 403, id="other-local-port"),
        pytest.param({"Sec-Fetch-Site": "cross-site"}, 403, id="fetch-cross-site"),
        pytest.param({"Sec-Fetch-Site": "same-site"}, 403, id="fetch-same-site"),
        pytest.param({"Host": "evil.example"}, 403, id="rebinding-host"),
        pytest.param({"Host": "evil.example", "X-Forwarded-Host": "127.0.0.1"}, 403, id="forwarded-host"),
        pytest.param({"Host": "127.0.0.1:1"}, 403, id="other-port"),
        pytest.param({"Host": "localhost"}, 200, id="localhost"),
    ],
)
def test_on_loopback_without_a_token_browsers_and_rebinding_are_refused(
    loopback: MockServer, headers: dict[str, str], status: int
) -> None:
    answer = httpx.post(f"{loopback.url}/__mockery/reset", headers=headers)
    assert answer.status_code == status, answer.text


def test_the_listeners_own_origin_and_host_are_accepted(loopback: MockServer) -> None:
    port = loopback.url.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        headers = {"Host": host, "Origin": f"http://{host}"}
        assert httpx.post(f"{loopback.url}/__mockery/reset", headers=headers).status_code == 200


def test_admin_routes_send_no_cors_headers(loopback: MockServer) -> None:
    preflight = httpx.options(
        f"{loopback.url}/__mockery/requests",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "DELETE"},
    )
    assert preflight.status_code == 403
    for answer in (
        preflight,
        httpx.get(f"{loopback.url}/__mockery/requests"),
        httpx.options(loopback.url + "/__mockery/requests"),
    ):
        assert not [name for name in answer.headers if name.lower().startswith("access-control-")]
