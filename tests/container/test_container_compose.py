"""examples/compose run for real: the topology of its docker-compose.yml driven with podman commands.

podman-compose 1.0 (Debian's) ignores ``depends_on`` conditions, and podman runs health checks from systemd
timers, which a machine without systemd lacks; so the test reads the compose file and does what Docker
Compose does with it: one network, each service's aliases, environment and mounts, mockery started and
waited for until healthy (its health check is run on demand), then the app, then the checks container, whose
exit code is the verdict. Published ports are left out (the test talks only inside the network: no fixed
ports on the host). ``image: python:3.11-slim`` is the stand-in base; ``build: ../..`` the session's image.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from podman_support import ROOT, Podman

pytestmark = [pytest.mark.slow, pytest.mark.container]

COMPOSE = ROOT / "examples" / "compose"
TOKEN = "compose-token-5e0a"


def interpolate(value: str, environ: dict[str, str]) -> str:
    """Compose's ``${VAR:-default}`` (the only form the example uses), for a whole value."""
    if not value.startswith("${"):
        assert "${" not in value, value
        return value
    assert value.endswith("}"), value
    name, _, default = value[2:-1].partition(":-")
    return environ.get(name) or default


def service_options(service: dict[str, Any], environ: dict[str, str]) -> list[str]:
    options: list[str] = []
    for key, value in (service.get("environment") or {}).items():
        options += ["--env", f"{key}={interpolate(str(value), environ)}"]
    for volume in service.get("volumes") or []:
        source, target, *mode = volume.split(":")
        resolved = (COMPOSE / source).resolve() if source.startswith(".") else source
        options += ["--volume", ":".join([str(resolved), target, *mode])]
    return options


def start_order(services: dict[str, Any]) -> list[str]:
    """Services in an order that starts each one after what it depends on (as compose does)."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name not in order:
            for dependency in services[name].get("depends_on") or {}:
                visit(dependency)
            order.append(name)

    for name in services:
        visit(name)
    return order


def test_the_compose_example_runs_to_a_passing_verdict_and_leaves_nothing_behind(
    podman: Podman, image: str, base_image: str
) -> None:
    compose = yaml.safe_load((COMPOSE / "docker-compose.yml").read_text())
    services: dict[str, Any] = compose["services"]
    environ = {"MOCKERY_ADMIN_TOKEN": TOKEN}
    network = podman.network("compose")
    order = start_order(services)
    assert order == ["mockery", "app", "checks"]
    verdict = None
    for name in order:
        service = services[name]
        if "build" in service:
            assert (COMPOSE / service["build"]).resolve() == ROOT
            service_image = image
        else:
            assert service["image"] == "python:3.11-slim"
            service_image = base_image
        for dependency, condition in (service.get("depends_on") or {}).items():
            if condition["condition"] == "service_healthy":
                podman.wait_healthy(podman.name(dependency))
                print(f"{dependency}: healthy")
            else:
                assert condition["condition"] == "service_started"
                assert podman.running(podman.name(dependency))
        options = ["--network", network, "--network-alias", name]
        aliases = ((service.get("networks") or {}).get("default") or {}).get("aliases") or []
        for alias in aliases:
            options += ["--network-alias", alias]
        options += service_options(service, environ)
        healthcheck = service.get("healthcheck")
        if healthcheck:
            assert healthcheck["test"][0] == "CMD"
            options += ["--health-cmd", json.dumps(healthcheck["test"][1:])]
        command = [str(part) for part in service.get("command") or []]
        if name == order[-1]:
            # `docker compose up --abort-on-container-exit checks`: the last one's exit code is the verdict.
            container = podman.name(name)
            podman.containers.append(container)
            label = f"mockery-test={podman.label}"
            verdict = podman.run(
                "run", "--name", container, "--label", label, *options, service_image, *command, check=False
            )
            print(f"{name}: exited {verdict.returncode}")
        else:
            podman.start(name, *options, "--", *command, image=service_image)
            print(f"{name}: started")
    assert verdict is not None
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr + podman.logs(podman.name("app"))
    assert "checks passed" in verdict.stdout

    records = podman.records(podman.name("mockery"))
    requests = [(r["service"], r["method"], r["path"]) for r in records if r["event"] == "request"]
    assert ("users", "GET", "/users/42") in requests
    assert ("payments", "POST", "/payments/charges") in requests
    assert TOKEN not in podman.logs(podman.name("mockery"))

    podman.cleanup()
    assert podman.left_behind() == []
    print("torn down: no container, network or volume left")
