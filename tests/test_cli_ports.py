"""Moving one service's port from the command line or the environment, and what a busy port says."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockery.cli import cli
from mockery.errors import ServeError
from mockery.load.loader import load_specs
from mockery.server.options import ServerOptions, build_server
from mockery.server.ports import holder_of, parse_port_of, port_variable, requested_ports

WriteSpec = Callable[..., Path]

TWO = "service: users\nroutes: [{path: /users}]\n", "service: pay-ments\nroutes: [{path: /pay}]\n"


@pytest.fixture
def taken() -> Iterator[int]:
    """A port this process listens on: busy for anyone else."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def two(write_spec: WriteSpec) -> tuple[Path, Path]:
    return write_spec(TWO[0], "users.yaml"), write_spec(TWO[1], "payments.yaml")


@pytest.mark.parametrize(
    ("service", "variable"),
    [("payments", "MOCKERY_PORT_PAYMENTS"), ("pay-ments", "MOCKERY_PORT_PAY_MENTS"), ("v2.api", "MOCKERY_PORT_V2_API")],
)
def test_the_variable_is_the_name_upper_cased_with_underscores(service: str, variable: str) -> None:
    assert port_variable(service) == variable


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["payments"], "'payments' is not SERVICE=PORT, e.g. payments=9001"),
        (["=9001"], "'=9001' is not SERVICE=PORT"),
        (["payments=x"], "--port-of payments=x: 'x' is not a port number (0-65535)"),
        (["payments=70000"], "--port-of payments=70000: 70000 is not a port number (0-65535)"),
    ],
    ids=["no-port", "no-service", "not-a-number", "out-of-range"],
)
def test_bad_port_of_values_say_what_is_wrong(values: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        parse_port_of(values)


def test_the_flag_wins_over_the_variable(two: tuple[Path, Path]) -> None:
    specs = load_specs(two, environ={})
    environ = {"MOCKERY_PORT_PAY_MENTS": "9001", "MOCKERY_PORT_USERS": "9002"}
    assert requested_ports(specs, {"users": 9003}, environ) == {"pay-ments": 9001, "users": 9003}


def test_an_unknown_service_or_a_bad_variable_is_an_error(two: tuple[Path, Path]) -> None:
    specs = load_specs(two, environ={})
    with pytest.raises(ServeError) as caught:
        requested_ports(specs, {"user": 1}, {"MOCKERY_PORT_USERS": "many"})
    assert str(caught.value).splitlines() == [
        "MOCKERY_PORT_USERS: 'many' is not a port number (0-65535)",
        "--port-of user=1: no service named 'user'; did you mean 'users'?",
    ]


def test_port_of_gives_a_service_a_listener_of_its_own(two: tuple[Path, Path]) -> None:
    server = build_server(ServerOptions(paths=two, port=0, ports={"pay-ments": 0}, environ={}))
    try:
        listeners = {tuple(s.name for s in listener.plan.services): listener.url for listener in server.bind()}
        assert set(listeners) == {("users",), ("pay-ments",)}
        assert listeners[("users",)] != listeners[("pay-ments",)]
    finally:
        server.close()


def test_the_variable_moves_a_service_too(two: tuple[Path, Path]) -> None:
    server = build_server(ServerOptions(paths=two, port=0, environ={"MOCKERY_PORT_PAY_MENTS": "0"}))
    try:
        assert [[s.name for s in plan.services] for plan in server.plans] == [["users"], ["pay-ments"]]
    finally:
        server.close()


def test_a_moved_service_is_found_by_url_for(two: tuple[Path, Path]) -> None:
    server = build_server(ServerOptions(paths=two, port=0, ports={"pay-ments": 0}, environ={}))
    try:
        urls = {listener.plan.services[0].name: listener.url for listener in server.bind()}
        assert server.url_for("pay-ments").startswith(urls["pay-ments"])
    finally:
        server.close()


def test_the_process_holding_a_port_is_named(taken: int) -> None:
    holder = holder_of(taken)
    if not Path("/proc/net/tcp").exists():
        assert holder is None
        return
    assert holder is not None
    assert holder.startswith(f"pid {os.getpid()} (")


def test_no_holder_is_no_error(tmp_path: Path) -> None:
    assert holder_of(1, proc=tmp_path) is None  # no /proc: the message is shorter, nothing fails
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "tcp").write_text("garbage\nnot a table line\n")
    assert holder_of(1, proc=tmp_path) is None


def test_a_busy_port_names_the_service_the_flag_the_variable_and_the_holder(two: tuple[Path, Path], taken: int) -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", "0", "--port-of", f"pay-ments={taken}", *map(str, two)])
    assert result.exit_code == 1, result.output
    message = result.output.strip().splitlines()[-1]
    assert message.startswith(f"cannot listen on 127.0.0.1:{taken} for pay-ments: ")
    assert message.endswith("move it with --port-of pay-ments=PORT (MOCKERY_PORT_PAY_MENTS=PORT)")
    if Path("/proc/net/tcp").exists():
        assert f"held by pid {os.getpid()} (" in message
    assert "Traceback" not in result.output


def test_a_busy_shared_port_names_port_and_its_variable(two: tuple[Path, Path], taken: int) -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", str(taken), *map(str, two)])
    assert result.exit_code == 1, result.output
    message = result.output.strip().splitlines()[-1]
    assert message.startswith(f"cannot listen on 127.0.0.1:{taken} for users, pay-ments: ")
    assert message.endswith("move it with --port PORT (MOCKERY_PORT=PORT)")


def test_the_variable_is_read_by_serve(two: tuple[Path, Path], taken: int) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--port", "0", *map(str, two)], env={"MOCKERY_PORT_PAY_MENTS": str(taken)}
    )
    assert result.exit_code == 1, result.output
    assert f"cannot listen on 127.0.0.1:{taken} for pay-ments" in result.output


def test_a_bad_port_of_is_a_usage_error(two: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(cli, ["serve", "--port-of", "pay-ments", *map(str, two)])
    assert result.exit_code == 2
    assert "'pay-ments' is not SERVICE=PORT, e.g. payments=9001" in result.output


def test_the_bundled_payments_port_comes_from_its_variable() -> None:
    spec = Path(__file__).resolve().parent.parent / "specs" / "payments.yaml"
    assert "port: ${PAYMENTS_PORT:-8001}" in spec.read_text(encoding="utf-8")
    assert load_specs([spec], environ={}).service("payments").port == 8001
    assert load_specs([spec], environ={"PAYMENTS_PORT": "9101"}).service("payments").port == 9101


def test_a_moved_service_stays_moved_after_a_reload(two: tuple[Path, Path]) -> None:
    server = build_server(ServerOptions(paths=two, port=0, ports={"pay-ments": 0}, environ={}))
    try:
        server.bind()
        own = server.url_for("pay-ments")
        assert not own.startswith(server.url_for("users"))
        server.apply_specs(load_specs(two, environ={}))  # what a reload does with the files as written
        assert server.url_for("pay-ments") == own
        assert server.specs.service("pay-ments").port == 0
    finally:
        server.close()
