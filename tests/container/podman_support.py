"""Podman as the container tests drive it: the project's image built for real, containers run and removed.

No image registry is needed. The Dockerfile's base (``ARG BASE``, by default ``python:3.11-slim``) is stood in
for by an image built from Debian's packages with mmdebstrap, with the official image's layout (a Python at
/usr/local/bin with pip), cached in podman's image store under a tag keyed by the base it stands in for and
the recipe. The project's image is built from this checkout in docker format (OCI drops HEALTHCHECK), once
per session; podman's layer cache makes a second build of the same tree (another xdist worker) instant.

Every container, network and volume a test makes carries the session's label and is removed by ``cleanup``;
the two images stay as caches (the project's is replaced, and the old one removed, when the tree changes).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/mockery-test:latest"
BASE_REPOSITORY = "localhost/mockery-test-base"
# Debian's Python 3.11 in a minimal root file system; a venv at /usr/local gives /usr/local/bin/python and pip.
SUITE, PACKAGES = "bookworm", ("python3", "python3-venv", "ca-certificates")
STAND_IN = """\
FROM {raw}
RUN python3 -m venv /usr/local && /usr/local/bin/python -m pip --version
ENV LANG=C.UTF-8
CMD ["python3"]
"""
# Measured on machines of this kind: crun fails (cgroup v1 hybrid, rlimits); runc with these settings works.
CONTAINERS_CONF = """\
[containers]
default_ulimits = []
pids_limit = 0

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "mockery-tests"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def locked(name: str) -> Iterator[None]:
    """Hold a lock shared by every process of this machine (xdist workers, parallel runs)."""
    with (cache_dir() / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def dockerfile_base(dockerfile: Path = ROOT / "Dockerfile") -> str:
    """The default of the Dockerfile's ``ARG BASE``: the image the stand-in stands in for."""
    for line in dockerfile.read_text().splitlines():
        if line.startswith("ARG BASE="):
            return line.split("=", 1)[1].strip()
    raise AssertionError("the Dockerfile declares no ARG BASE=...")


class Unavailable(Exception):
    """Podman cannot run containers here; the message says why."""


@dataclass
class Podman:
    """``podman --runtime runc`` with the settings that work here, and what this session made with it."""

    conf: Path
    label: str = field(default_factory=lambda: f"mockery-test-{uuid.uuid4().hex[:8]}")
    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    anonymous: list[str] = field(default_factory=list)

    @classmethod
    def here(cls) -> Podman:
        """Podman, if it is installed and can run a container; else ``Unavailable`` with the reason."""
        for program in ("podman", "runc"):
            if shutil.which(program) is None:
                raise Unavailable(f"{program} is not installed (./scripts/test installs it as root with apt-get)")
        conf = cache_dir() / "containers.conf"
        with locked("conf"):
            if not conf.exists() or conf.read_text() != CONTAINERS_CONF:
                staging = conf.with_name(f"containers.conf.{os.getpid()}")
                staging.write_text(CONTAINERS_CONF)
                staging.replace(conf)  # at once: another worker's podman may be reading it
        podman = cls(conf)
        info = podman.run("info", "--format", "{{.Host.OCIRuntime.Name}}", check=False)
        if info.returncode != 0:
            raise Unavailable(f"podman info failed: {info.stderr.strip()[-500:]}")
        return podman

    def command(self, *args: str) -> list[str]:
        return ["podman", "--runtime", "runc", *args]

    def run(
        self, *args: str, check: bool = True, timeout: float = 120, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        finished = subprocess.run(
            self.command(*args),
            env={**os.environ, "CONTAINERS_CONF": str(self.conf)},
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
        if check and finished.returncode != 0:
            raise AssertionError(f"podman {' '.join(args)} exited {finished.returncode}:\n{finished.stderr[-3000:]}")
        return finished

    def image_exists(self, name: str) -> bool:
        return self.run("image", "exists", name, check=False).returncode == 0

    def image_id(self, name: str) -> str | None:
        found = self.run("image", "inspect", "--format", "{{.Id}}", name, check=False)
        return found.stdout.strip() if found.returncode == 0 else None

    def inspect(self, kind: str, name: str) -> dict[str, Any]:
        [found] = json.loads(self.run(kind, "inspect", name).stdout)
        assert isinstance(found, dict)
        return found

    # What a test makes: labelled, remembered, removed by cleanup().

    def name(self, role: str) -> str:
        return f"{self.label}-{role}"

    def start(self, role: str, *args: str, image: str = IMAGE) -> str:
        """``podman run -d`` a container named for ``role``; ``args`` go before the image, then its arguments
        after a ``--`` among them."""
        name = self.name(role)
        split = args.index("--") if "--" in args else len(args)
        options, arguments = args[:split], args[split + 1 :]
        self.containers.append(name)
        self.run("run", "-d", "--name", name, "--label", f"mockery-test={self.label}", *options, image, *arguments)
        return name

    def network(self, role: str) -> str:
        name = self.name(role)
        self.networks.append(name)
        self.run("network", "create", "--label", f"mockery-test={self.label}", name)
        return name

    def volume(self, role: str) -> str:
        name = self.name(role)
        self.volumes.append(name)
        self.run("volume", "create", "--label", f"mockery-test={self.label}", name)
        return name

    def cleanup(self) -> None:
        """Remove every container, network and volume this session made (running or not)."""
        for name in reversed(self.containers):
            # --volumes: the image's VOLUMEs give each container anonymous volumes of its own.
            self.anonymous += self.anonymous_volumes(name)
            self.run("rm", "--force", "--volumes", "--time", "0", "--ignore", name, check=False)
        for name in self.networks:
            self.run("network", "rm", "--force", name, check=False)
        for name in self.volumes:
            self.run("volume", "rm", "--force", name, check=False)
        self.containers.clear()
        self.networks.clear()
        self.volumes.clear()

    def left_behind(self) -> list[str]:
        """Containers, networks and volumes still carrying this session's label."""
        selector = f"label=mockery-test={self.label}"
        found = self.run("ps", "--all", "--filter", selector, "--format", "{{.Names}}").stdout.split()
        found += self.run("network", "ls", "--filter", selector, "--format", "{{.Name}}").stdout.split()
        found += self.run("volume", "ls", "--filter", selector, "--format", "{{.Name}}").stdout.split()
        found += [name for name in self.anonymous if self.run("volume", "exists", name, check=False).returncode == 0]
        return found

    def anonymous_volumes(self, container: str) -> list[str]:
        """The volumes of ``container`` that no one named (the image's VOLUMEs it was given no mount for)."""
        found = self.run("inspect", "--type", "container", container, check=False)
        if found.returncode != 0:
            return []
        [inspected] = json.loads(found.stdout)
        return [
            str(mount["Name"])
            for mount in inspected.get("Mounts", [])
            if mount.get("Type") == "volume" and mount.get("Name") not in self.volumes
        ]

    # A running container.

    def host_port(self, name: str, port: int) -> int:
        """The loopback port published for the container's ``port``."""
        mapped = self.run("port", name, f"{port}/tcp").stdout.strip().splitlines()[0]
        return int(mapped.rsplit(":", 1)[1])

    def health(self, name: str) -> tuple[int, str]:
        """Run the container's health check now: (exit code, the status podman records)."""
        # Podman schedules health checks with systemd timers; without systemd they run only when asked.
        code = self.run("healthcheck", "run", name, check=False).returncode
        state = self.inspect("container", name)["State"]
        assert isinstance(state, dict)
        health = state.get("Health") or state.get("Healthcheck") or {}
        return code, str(health.get("Status", "")) if isinstance(health, dict) else ""

    def wait_healthy(self, name: str, timeout: float = 60) -> float:
        """Seconds until the container's health check passes; fails with its logs after ``timeout``."""
        started = time.monotonic()
        while True:
            code, status = self.health(name)
            if code == 0 and status == "healthy":
                return time.monotonic() - started
            if time.monotonic() - started > timeout or not self.running(name):
                raise AssertionError(f"{name} not healthy ({status}) within {timeout} s:\n{self.logs(name)}")
            time.sleep(0.2)

    def running(self, name: str) -> bool:
        state = self.inspect("container", name)["State"]
        return isinstance(state, dict) and bool(state.get("Running"))

    def logs(self, name: str) -> str:
        finished = self.run("logs", name, check=False)
        return finished.stdout + finished.stderr

    def records(self, name: str) -> list[dict[str, object]]:
        """The container's JSON log lines (mockery logs to stderr; podman keeps both streams)."""
        logged = self.run("logs", name)
        lines = logged.stderr.splitlines() + logged.stdout.splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def wait_exit(self, name: str, timeout: float = 60) -> int:
        return int(self.run("wait", name, timeout=timeout).stdout.strip().splitlines()[-1])


def stand_in_base(podman: Podman) -> str:
    """The stand-in for the Dockerfile's base: built from Debian's packages once, then found in the cache."""
    base = dockerfile_base()
    recipe = f"{base}|{SUITE}|minbase|{','.join(PACKAGES)}|{STAND_IN}"
    tag = f"{BASE_REPOSITORY}:{hashlib.sha256(recipe.encode()).hexdigest()[:12]}"
    with locked("base"):
        if podman.image_exists(tag):
            ran = podman.run("run", "--rm", "--network", "none", tag, "true", check=False)
            if ran.returncode != 0:
                raise Unavailable(f"podman cannot run a container: {ran.stderr.strip()[-500:]}")
            return tag
        if shutil.which("mmdebstrap") is None:
            raise Unavailable(f"mmdebstrap is not installed, and it builds the stand-in for {base}")
        with tempfile.TemporaryDirectory(dir=cache_dir()) as work:
            rootfs = Path(work) / "rootfs.tar"
            built = subprocess.run(
                ["mmdebstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, str(rootfs)],
                capture_output=True,
                text=True,
                timeout=600,
            )
            if built.returncode != 0:
                raise Unavailable(f"mmdebstrap could not build the stand-in for {base}: {built.stderr[-500:]}")
            raw = f"{tag}-rootfs"
            podman.run("import", str(rootfs), raw, timeout=300)
            (Path(work) / "Containerfile").write_text(STAND_IN.format(raw=raw))
            try:
                # Its RUN step is the first container podman runs here: a failure says podman cannot.
                stood_in = podman.run("build", "--network", "host", "-t", tag, work, timeout=300, check=False)
            finally:
                podman.run("rmi", raw, check=False)
            if stood_in.returncode != 0:
                raise Unavailable(f"podman cannot build (run) the stand-in for {base}: {stood_in.stderr[-500:]}")
    return tag


def build_image(podman: Podman, base: str, context: Path = ROOT) -> str:
    """Build the project's image from ``context`` in docker format; the image it replaces is removed."""
    with locked("image"):
        previous = podman.image_id(IMAGE)
        podman.run(*build_args(base, context), timeout=600)
        if previous is not None and previous != podman.image_id(IMAGE):
            podman.run("rmi", previous, check=False)  # refused while another run's containers use it
    return IMAGE


def build_args(base: str, context: Path) -> Sequence[str]:
    return (
        "build",
        # OCI, podman's default, has no HEALTHCHECK: the image would have no health check.
        "--format",
        "docker",
        "--build-arg",
        f"BASE={base}",
        # pip inside the build reaches the package index as this machine does.
        "--network",
        "host",
        "--volume",
        "/etc/ssl/certs:/etc/ssl/certs:ro",
        "--tag",
        IMAGE,
        str(context),
    )
