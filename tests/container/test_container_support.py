"""Where podman cannot run, the container tests skip and say why; what they stand in for is the Dockerfile's
own base. (No container runs here: these are quick.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from podman_support import Podman, Unavailable, dockerfile_base


def test_the_stand_in_is_keyed_by_the_dockerfiles_default_base() -> None:
    assert dockerfile_base() == "python:3.11-slim"


def test_a_dockerfile_without_a_base_argument_is_named(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.11-slim\n")
    with pytest.raises(AssertionError, match="ARG BASE"):
        dockerfile_base(dockerfile)


@pytest.mark.parametrize("present", [(), ("podman",)], ids=["no-podman", "no-runc"])
def test_a_missing_program_is_the_reason_to_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, present: tuple[str, ...]
) -> None:
    for program in present:
        (tmp_path / program).write_text("#!/bin/sh\nexit 0\n")
        (tmp_path / program).chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    missing = "runc" if present else "podman"
    with pytest.raises(Unavailable, match=f"{missing} is not installed"):
        Podman.here()


def test_podman_that_cannot_start_is_the_reason_to_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "podman").write_text("#!/bin/sh\necho 'cannot connect: no storage' >&2\nexit 125\n")
    (tmp_path / "runc").write_text("#!/bin/sh\nexit 0\n")
    for program in ("podman", "runc"):
        (tmp_path / program).chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(Unavailable, match="podman info failed: cannot connect: no storage"):
        Podman.here()
