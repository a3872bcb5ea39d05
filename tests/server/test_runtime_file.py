"""The URL file: a server named by MOCKERY_URL_FILE writes where it answers, and `mockery health` follows it,
whatever chose the port; a missing, foreign or unwritable file is an error that says so."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sidecar_support import clean_environ, serve

from mockery import MockServer
from mockery.cli import cli
from mockery.errors import ServeError
from mockery.server.runtime_file import URL_FILE_VAR, announced, local_url, read_url, url_file, write_url

SPEC = """
service: hello
routes:
  - path: /hello
    response: {body: hi}
"""


@pytest.mark.parametrize(
    ("listening", "reached"),
    [
        ("http://0.0.0.0:9000", "http://127.0.0.1:9000"),
        ("http://[::]:9000", "http://[::1]:9000"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("http://10.0.0.5:9000", "http://10.0.0.5:9000"),
        ("http://0.0.0.0.example:9000", "http://0.0.0.0.example:9000"),
    ],
    ids=["any-ipv4", "any-ipv6", "loopback", "loopback-ipv6", "an-address", "a-name-that-starts-alike"],
)
def test_the_written_url_is_the_one_a_local_client_reaches(listening: str, reached: str) -> None:
    assert local_url(listening) == reached


def test_no_variable_or_an_empty_one_names_no_file(tmp_path: Path) -> None:
    assert url_file({}) is None
    assert url_file({URL_FILE_VAR: ""}) is None
    assert url_file({URL_FILE_VAR: str(tmp_path / "url")}) == tmp_path / "url"
    with announced("http://0.0.0.0:1", {}) as path:
        assert path is None
    assert list(tmp_path.iterdir()) == []


def test_the_file_lives_while_the_block_runs_and_a_newer_server_keeps_its_own(tmp_path: Path) -> None:
    target = tmp_path / "mockery.url"
    environ = {URL_FILE_VAR: str(target)}
    with announced("http://0.0.0.0:9000", environ) as path:
        assert path == target
        assert target.read_text() == "http://127.0.0.1:9000\n"
        with announced("http://127.0.0.1:9001", environ):
            assert read_url(target) == "http://127.0.0.1:9001"
        assert not target.exists()  # the newer one removed its own URL
    write_url(target, "http://127.0.0.1:9002")
    with announced("http://127.0.0.1:9003", environ):
        write_url(target, "http://127.0.0.1:9004")  # another server started since
    assert read_url(target) == "http://127.0.0.1:9004"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mockery.url"]  # no staging file left


def test_an_unwritable_file_is_a_serve_error_saying_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ServeError) as raised:
        write_url(tmp_path / "no-such-folder" / "mockery.url", "http://127.0.0.1:1")
    message = str(raised.value)
    assert "no-such-folder" in message
    assert URL_FILE_VAR in message
    assert "--tmpfs /tmp" in message


@pytest.mark.parametrize(
    "text",
    ["", "127.0.0.1:8000\n", "http://127.0.0.1:1\nhttp://127.0.0.1:2\n", "ftp://127.0.0.1:1"],
    ids=["empty", "no-scheme", "two-lines", "not-http"],
)
def test_a_file_that_holds_no_url_is_refused_by_name(tmp_path: Path, text: str) -> None:
    target = tmp_path / "mockery.url"
    target.write_text(text)
    with pytest.raises(ValueError, match="holds no URL"):
        read_url(target)
    result = CliRunner().invoke(cli, ["health"], env={URL_FILE_VAR: str(target)})
    assert result.exit_code == 1
    assert "unhealthy" in result.output
    assert "holds no URL" in result.output


def test_health_follows_the_url_file_whatever_the_port_and_fails_once_the_server_stopped(
    tmp_path: Path, write_spec: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "mockery.url"
    monkeypatch.setenv(URL_FILE_VAR, str(target))
    runner = CliRunner()
    # MOCKERY_PORT names a port nobody serves: the file, written by the server, wins.
    environ = {URL_FILE_VAR: str(target), "MOCKERY_PORT": "9", "MOCKERY_HEALTH_URL": None}
    with MockServer(write_spec(SPEC)) as mock:
        assert read_url(target) == mock.url
        healthy = runner.invoke(cli, ["health"], env=environ)
        assert healthy.exit_code == 0, healthy.output
        assert f"ok: {mock.url}/__mockery/health" in healthy.output
        explicit = runner.invoke(cli, ["health", "--url", "http://127.0.0.1:9", "--timeout", "2"], env=environ)
        assert explicit.exit_code == 1  # --url wins over the file
    assert not target.exists()
    stopped = runner.invoke(cli, ["health"], env=environ)
    assert stopped.exit_code == 1
    assert "not started yet, or stopped" in stopped.output
    assert str(target) in stopped.output


def test_a_server_that_cannot_write_its_url_file_does_not_start(
    tmp_path: Path, write_spec: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(URL_FILE_VAR, str(tmp_path / "missing" / "mockery.url"))
    with pytest.raises(ServeError, match=URL_FILE_VAR), MockServer(write_spec(SPEC)):
        pass


def test_serve_names_the_url_file_it_cannot_write_and_exits_1(tmp_path: Path, write_spec: Callable[..., Path]) -> None:
    environ = {URL_FILE_VAR: str(tmp_path / "missing" / "mockery.url"), "MOCKERY_PORT": "0"}
    finished = subprocess.run(
        [sys.executable, "-m", "mockery", "serve", str(write_spec(SPEC))],
        env=clean_environ(environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 1
    assert "cannot write the URL file" in finished.stderr
    assert "Traceback" not in finished.stderr


@pytest.mark.slow
def test_forked_workers_announce_one_url_and_remove_it_when_they_stop(
    tmp_path: Path, write_spec: Callable[..., Path]
) -> None:
    target = tmp_path / "mockery.url"
    state = f"sqlite:///{tmp_path / 'state.db'}"
    environ = {URL_FILE_VAR: str(target)}
    process = serve(str(write_spec(SPEC)), "--port", "0", "--workers", "2", "--state", state, env=environ)
    try:
        assert read_url(target) == process.url
        checked = subprocess.run(
            [sys.executable, "-m", "mockery", "health"],
            env=clean_environ({**environ, "MOCKERY_PORT": "9"}),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert checked.returncode == 0, checked.stderr
    finally:
        assert process.stop() == 0
    assert sorted(path.name for path in tmp_path.iterdir() if "url" in path.name) == []
