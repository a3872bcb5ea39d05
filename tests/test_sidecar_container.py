"""The Dockerfile and the compose example, tested without a container engine: their commands run as
processes with the environment they declare, and the compose file's wiring is checked. tests/container/
builds and runs them for real with podman."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sidecar_support import clean_environ, serve, wait_for

# The redis-server helper lives beside the store tests, which use it too.
sys.path.insert(0, str(Path(__file__).resolve().parent / "store"))

from redis_server import running_redis

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "examples" / "compose"


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) of every instruction, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def instruction(name: str) -> list[str]:
    return [arguments for found, arguments in dockerfile() if found == name]


def image_environ() -> dict[str, str]:
    environ: dict[str, str] = {}
    for arguments in instruction("ENV"):
        for pair in shlex.split(arguments):
            key, _, value = pair.partition("=")
            environ[key] = value
    return environ


def exec_form(arguments: str) -> list[str]:
    loaded = json.loads(arguments)
    assert isinstance(loaded, list)
    return [str(part) for part in loaded]


def as_process(argv: list[str]) -> list[str]:
    """The image's `mockery` script, as this interpreter runs it."""
    assert argv[0] == "mockery"
    return [sys.executable, "-m", "mockery", *argv[1:]]


def image_process_environ(tmp_path: Path) -> dict[str, str]:
    """The image's environment for a process of this machine: its URL file in the test's own folder."""
    return {**image_environ(), "MOCKERY_URL_FILE": str(tmp_path / "mockery.url")}


def test_the_dockerfile_builds_a_slim_non_root_image_serving_specs() -> None:
    assert instruction("FROM") == ["${BASE}"]
    [base] = [arguments.split("=", 1)[1] for arguments in instruction("ARG") if arguments.startswith("BASE=")]
    assert base.startswith("python:3.11")
    assert base.endswith("-slim")
    [user] = instruction("USER")
    assert user not in ("root", "0")
    assert "useradd" in " ".join(instruction("RUN"))
    environ = image_environ()
    assert environ["MOCKERY_SPECS"] == "/specs"
    assert environ["MOCKERY_HOST"] == "0.0.0.0"
    assert environ["MOCKERY_PORT"] in " ".join(instruction("EXPOSE"))
    assert exec_form(instruction("VOLUME")[0]) == ["/specs", "/data"]
    assert instruction("WORKDIR")[-1] == "/data"  # relative state and recordings land on the writable volume
    assert "chown mockery:mockery /specs /data" in " ".join(instruction("RUN"))
    assert environ["MOCKERY_URL_FILE"].startswith("/tmp/")
    assert exec_form(instruction("ENTRYPOINT")[0]) == ["mockery", "serve"]
    [healthcheck] = instruction("HEALTHCHECK")
    assert exec_form(healthcheck.split("CMD", 1)[1]) == ["mockery", "health"]
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", "tests", "**/__pycache__"} <= set(ignored)


@pytest.mark.slow
def test_the_entrypoint_serves_on_every_address_and_the_healthcheck_passes_then_fails(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(COMPOSE / "specs", specs)
    environ = {**image_process_environ(tmp_path), "MOCKERY_SPECS": str(specs), "MOCKERY_PORT": "0"}
    process = serve(command=as_process(exec_form(instruction("ENTRYPOINT")[0])), env=environ)
    healthcheck = as_process(exec_form(instruction("HEALTHCHECK")[0].split("CMD", 1)[1]))
    port = process.url.rsplit(":", 1)[1]
    # The check runs with the image's environment (MOCKERY_PORT=0 here, 8000 in the image): it finds the
    # port the server chose in the URL file.
    try:
        listening = [r for r in process.records() if r["event"] == "listening"]
        assert str(listening[0]["url"]).startswith("http://0.0.0.0:")
        healthy = subprocess.run(healthcheck, env=clean_environ(environ), capture_output=True, text=True)
        assert healthy.returncode == 0, healthy.stderr
        assert f"ok: http://127.0.0.1:{port}/__mockery/health" in healthy.stdout
    finally:
        assert process.stop() == 0
    unhealthy = subprocess.run(healthcheck, env=clean_environ(environ), capture_output=True, text=True)
    assert unhealthy.returncode != 0
    assert "unhealthy" in unhealthy.stderr
    assert "not started yet, or stopped" in unhealthy.stderr


def pip_installed_extras() -> set[str]:
    """The extras of this project that the image's `pip install .[...]` installs."""
    extras: set[str] = set()
    for run in instruction("RUN"):
        for command in run.split("&&"):
            words = shlex.split(command)
            if words[:2] != ["pip", "install"]:
                continue
            for target in words[2:]:
                found = re.fullmatch(r"\.\[([\w,\s-]+)\]", target)
                if found:
                    extras |= {extra.strip() for extra in found.group(1).split(",")}
    return extras


def test_the_image_installs_the_redis_extra_so_a_redis_store_needs_no_other_layer() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "redis" in pip_installed_extras()
    assert any(requirement.startswith("redis") for requirement in project["optional-dependencies"]["redis"])
    assert "mockery[redis]" in (ROOT / "docs" / "sidecar.md").read_text()
    assert "mockery-redis" not in (ROOT / "docs" / "deploy.md").read_text()  # no image of its own any more


def test_the_image_installs_the_fast_extra_for_big_collections() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "fast" in pip_installed_extras()
    assert any(requirement.startswith("numpy") for requirement in project["optional-dependencies"]["fast"])


@pytest.mark.slow
def test_the_entrypoint_serves_with_a_redis_store_from_the_image_environment(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(COMPOSE / "specs", specs)
    with running_redis() as redis:
        environ = {
            **image_process_environ(tmp_path),
            "MOCKERY_SPECS": str(specs),
            "MOCKERY_PORT": "0",
            "MOCKERY_STATE": redis.url,
        }
        process = serve(command=as_process(exec_form(instruction("ENTRYPOINT")[0])), env=environ)
        try:
            port = process.url.rsplit(":", 1)[1]
            ready = httpx.get(f"http://127.0.0.1:{port}/__mockery/ready")
            assert (ready.status_code, ready.json()) == (200, {"ready": True})
        finally:
            assert process.stop() == 0


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((COMPOSE / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_the_compose_file_wires_the_app_to_two_fake_services_behind_a_health_check() -> None:
    services = compose()["services"]
    mockery, app, checks = services["mockery"], services["app"], services["checks"]
    assert mockery["build"] == "../.."
    assert (COMPOSE / mockery["build"] / "Dockerfile").is_file()
    assert "./specs:/specs:ro" in mockery["volumes"]
    assert (COMPOSE / "specs" / "users.yaml").is_file()
    assert (COMPOSE / "specs" / "payments.yaml").is_file()
    assert mockery["ports"] == ["127.0.0.1:8000:8000"]
    assert mockery["healthcheck"]["test"] == ["CMD", "mockery", "health"]
    assert mockery["environment"]["MOCKERY_RELOAD"] == "true"
    aliases = mockery["networks"]["default"]["aliases"]
    assert sorted(aliases) == ["payments", "users"]
    assert app["environment"]["USERS_URL"] == "http://users:8000/users"
    assert app["environment"]["PAYMENTS_URL"] == "http://payments:8000/payments"
    assert app["depends_on"]["mockery"] == {"condition": "service_healthy"}
    assert checks["depends_on"]["mockery"] == {"condition": "service_healthy"}
    token = mockery["environment"]["MOCKERY_ADMIN_TOKEN"]
    assert token.startswith("${MOCKERY_ADMIN_TOKEN")
    assert checks["environment"]["MOCKERY_ADMIN_TOKEN"] == token
    assert checks["environment"]["MOCKERY_URL"] == "http://mockery:8000"
    assert checks["environment"]["APP_URL"] == f"http://app:{app['environment']['PORT']}"
    for service, folder in ((app, "app"), (checks, "checks")):
        mount = next(volume for volume in service["volumes"] if volume.startswith(f"./{folder}:"))
        script = service["command"][-1]
        assert script.startswith(mount.split(":")[1])
        assert (COMPOSE / folder / Path(script).name).is_file()


@pytest.mark.parametrize("token", ["compose-token-1b7c"])
@pytest.mark.slow
def test_the_compose_stack_runs_as_processes(tmp_path: Path, token: str) -> None:
    """Each container's command, with its compose environment; service names become 127.0.0.1 ports."""
    services = compose()["services"]
    environ = {**image_process_environ(tmp_path), **services["mockery"]["environment"]}
    environ.update({"MOCKERY_SPECS": str(COMPOSE / "specs"), "MOCKERY_PORT": "0", "MOCKERY_ADMIN_TOKEN": token})
    mockery = serve(command=as_process(exec_form(instruction("ENTRYPOINT")[0])), env=environ)
    base = mockery.url
    app_environ = {
        key: value.replace("http://users:8000", base).replace("http://payments:8000", base)
        for key, value in services["app"]["environment"].items()
    }
    app = subprocess.Popen(
        [sys.executable, str(COMPOSE / "app" / "app.py")],
        env=clean_environ({**app_environ, "PORT": "0"}),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert app.stdout is not None
        app_port = app.stdout.readline().split()[-1]
        checks_environ = {
            **services["checks"]["environment"],
            "APP_URL": f"http://127.0.0.1:{app_port}",
            "MOCKERY_URL": base,
            "MOCKERY_ADMIN_TOKEN": token,
        }
        checked = subprocess.run(
            [sys.executable, str(COMPOSE / "checks" / "check.py")],
            env=clean_environ(checks_environ),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "checks passed" in checked.stdout
    finally:
        app.terminate()
        app.wait(timeout=10)
        if app.stdout is not None:
            app.stdout.close()
        assert mockery.stop() == 0
    wait_for(lambda: True)
    assert token not in mockery.output


def test_the_image_installs_the_otel_extra_so_it_can_trace() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "otel" in pip_installed_extras()
    assert any(requirement.startswith("opentelemetry-sdk") for requirement in project["optional-dependencies"]["otel"])
