"""A real PostgreSQL for the tests: one server per test run, on a free port, in a temporary folder.

``initdb`` and ``pg_ctl`` come from Debian's ``postgresql`` package (scripts/test installs it; Debian keeps them
in /usr/lib/postgresql/<version>/bin). PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` user the package creates. Test processes of one run (pytest-xdist workers) share the server: the
first starts it, the last one out stops it (a count kept under a file lock beside the run's temporary folders).
SQL is run with ``psql`` over TCP (trust authentication, local only). Where any of it is missing, the tests
skip with the reason; in CI (CI=true) they fail instead.
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

START_TIMEOUT = 60


def unavailable(reason: str) -> None:
    """Skip the test, or fail it in CI, where the PostgreSQL tests must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run)")
    pytest.skip(reason)


def _program(name: str) -> str | None:
    found = shutil.which(name)
    if found is not None:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Postgres:
    """A running server: ``run_sql`` a script, ``query`` for rows (as text, tab-separated)."""

    port: int
    psql: str

    def _command(self, database: str) -> list[str]:
        return [self.psql, "-X", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]

    def run_sql(self, script: str, database: str = "postgres") -> subprocess.CompletedProcess[str]:
        """Run ``script`` stopping at the first error; the completed process (check its returncode)."""
        return subprocess.run(
            [*self._command(database), "-v", "ON_ERROR_STOP=1", "-f", "-"],
            input=script,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def query(self, sql: str, database: str = "postgres") -> list[list[str]]:
        done = subprocess.run(
            [*self._command(database), "-A", "-t", "-F", "\t", "-c", sql], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return [line.split("\t") for line in done.stdout.splitlines() if line]

    def new_database(self) -> str:
        """A fresh, empty database: each test loads its script into one of its own."""
        with socket.socket() as sock:  # a unique enough name: the port of a socket nobody else holds now
            sock.bind(("127.0.0.1", 0))
            name = f"t{os.getpid()}_{sock.getsockname()[1]}"
        done = self.run_sql(f"CREATE DATABASE {name};")
        assert done.returncode == 0, done.stderr
        return name


def _as_postgres_user() -> list[str]:
    """The prefix running a command as a user PostgreSQL accepts: nothing, or ``runuser -u postgres --`` as root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        unavailable("running as root and there is no 'postgres' user to run PostgreSQL as (apt-get install postgresql)")
    runuser = shutil.which("runuser")
    if runuser is None:
        unavailable("running as root without runuser to start PostgreSQL as the 'postgres' user")
    return [str(runuser), "-u", "postgres", "--"]


def _start(folder: Path) -> dict[str, object]:
    initdb, pg_ctl, psql = _program("initdb"), _program("pg_ctl"), _program("psql")
    if initdb is None or pg_ctl is None or psql is None:
        unavailable("no PostgreSQL (Debian: apt-get install postgresql; scripts/test does it as root)")
    assert initdb is not None
    assert pg_ctl is not None
    assert psql is not None
    prefix = _as_postgres_user()
    data = Path(tempfile.mkdtemp(prefix="mockery-pg-"))
    if prefix:
        shutil.chown(data, "postgres", "postgres")
    done = subprocess.run(
        [*prefix, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
    )
    if done.returncode != 0:
        shutil.rmtree(data, ignore_errors=True)
        pytest.fail(f"initdb failed: {done.stderr.strip()}")
    port = _free_port()
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    done = subprocess.run(
        [
            *prefix,
            pg_ctl,
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT),
            "-l",
            str(data / "log"),
            "start",
        ],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT + 10,
    )
    if done.returncode != 0:
        log = (data / "log").read_text(errors="replace") if (data / "log").exists() else ""
        shutil.rmtree(data, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start on port {port}: {done.stderr.strip()} {log[-2000:]}")
    return {"port": port, "data": str(data), "psql": psql, "pg_ctl": pg_ctl, "prefix": prefix, "users": 0}


def _stop(info: dict[str, object]) -> None:
    prefix = [str(part) for part in info["prefix"]]  # type: ignore[attr-defined]
    subprocess.run(
        [*prefix, str(info["pg_ctl"]), "-D", str(info["data"]), "-m", "immediate", "-w", "stop"],
        capture_output=True,
        timeout=START_TIMEOUT,
    )
    shutil.rmtree(str(info["data"]), ignore_errors=True)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def running_postgres(shared: Path) -> Iterator[Postgres]:
    """The run's PostgreSQL (started by the first user, stopped by the last), or a skip (a failure in CI).
    ``shared`` is a folder every process of the run sees (the parent of pytest's base temporary folder)."""
    state = shared / "mockery-postgres.json"
    with _locked(shared / "mockery-postgres.lock"):
        info = json.loads(state.read_text()) if state.exists() else None
        if info is None or not _answers(int(info["port"])):  # none yet, or left by a run that was killed
            info = _start(shared)
        info["users"] = int(info["users"]) + 1  # type: ignore[call-overload]
        state.write_text(json.dumps(info))
    try:
        yield Postgres(int(info["port"]), str(info["psql"]))  # type: ignore[call-overload]
    finally:
        with _locked(shared / "mockery-postgres.lock"):
            info = json.loads(state.read_text())
            info["users"] -= 1
            if info["users"] <= 0:
                _stop(info)
                state.unlink()
            else:
                state.write_text(json.dumps(info))
