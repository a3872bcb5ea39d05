"""Configuration by environment, and `mockery health` for container health checks."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner
from sidecar_support import serve

from mockery import MockServer
from mockery.cli import cli

SPEC = "service: hello\nroutes:\n  - path: /hello\n    response: {body: hi}\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_every_serve_option_has_a_mockery_variable() -> None:
    command = cli.commands["serve"]
    assert isinstance(command, click.Command)
    for parameter in command.params:
        if parameter.name == "help":
            continue
        if parameter.name == "ports":  # --port-of: one variable per service, MOCKERY_PORT_<SERVICE> (test_cli_ports)
            assert parameter.envvar is None
            continue
        assert parameter.envvar == f"MOCKERY_{str(parameter.name).upper()}" or (
            parameter.name == "paths" and parameter.envvar == "MOCKERY_SPECS"
        ), parameter.name


@pytest.mark.slow
def test_mockery_port_and_mockery_specs_configure_a_server_with_no_flags(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "hello.yaml").write_text(SPEC)
    port = free_port()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environ = {"MOCKERY_PORT": str(port), "MOCKERY_SPECS": str(tmp_path / "specs"), "MOCKERY_LOG_FORMAT": "json"}
    process = serve(env=environ, cwd=elsewhere)
    try:
        assert process.url == f"http://127.0.0.1:{port}"
        assert httpx.get(f"{process.url}/hello").text == "hi"
    finally:
        assert process.stop() == 0
    assert any(record["event"] == "request" for record in process.records())


@pytest.mark.slow
def test_with_no_path_and_no_variable_serves_specs_in_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "hello.yaml").write_text(SPEC)
    process = serve(env={"MOCKERY_PORT": "0"}, cwd=tmp_path)
    try:
        assert httpx.get(f"{process.url}/hello").text == "hi"
    finally:
        assert process.stop() == 0


@pytest.mark.slow
def test_flags_win_over_variables(tmp_path: Path) -> None:
    (tmp_path / "hello.yaml").write_text(SPEC)
    environ = {"MOCKERY_HOST": "not-an-address.invalid", "MOCKERY_PORT": "1", "MOCKERY_SPECS": "/nowhere"}
    process = serve(str(tmp_path), "--host", "127.0.0.1", "--port", "0", env=environ)
    try:
        assert httpx.get(f"{process.url}/hello").text == "hi"
    finally:
        assert process.stop() == 0


def test_health_exits_0_when_healthy_and_1_otherwise(
    serve: Callable[..., MockServer], write_spec: Callable[..., Path]
) -> None:
    mock = serve(write_spec(SPEC))
    runner = CliRunner()
    healthy = runner.invoke(cli, ["health", "--url", mock.url])
    assert healthy.exit_code == 0, healthy.output
    assert "ok" in healthy.output
    port = mock.url.rsplit(":", 1)[1]
    assert runner.invoke(cli, ["health"], env={"MOCKERY_PORT": port}).exit_code == 0
    assert runner.invoke(cli, ["health"], env={"MOCKERY_HEALTH_URL": mock.url + "/__mockery/health"}).exit_code == 0
    mock.stop()
    unhealthy = runner.invoke(cli, ["health", "--url", mock.url, "--timeout", "2"])
    assert unhealthy.exit_code == 1
    assert "unhealthy" in unhealthy.output
    not_mockery = runner.invoke(cli, ["health", "--url", "http://127.0.0.1:9"])
    assert not_mockery.exit_code == 1
