"""The container tests' fixtures: podman (or a skip saying why not), the project's image built once per
session, and a per-test podman whose containers, networks and volumes are removed however the test ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from podman_support import Podman, Unavailable, build_image, stand_in_base


@pytest.fixture(scope="session")
def podman_here() -> Podman:
    try:
        return Podman.here()
    except Unavailable as exc:
        pytest.skip(f"podman cannot run containers here: {exc}")


@pytest.fixture(scope="session")
def base_image(podman_here: Podman) -> str:
    """The stand-in for the Dockerfile's base image, built from Debian's packages (cached)."""
    try:
        return stand_in_base(podman_here)
    except Unavailable as exc:
        pytest.skip(f"no base image to build on: {exc}")


@pytest.fixture(scope="session")
def image(podman_here: Podman, base_image: str) -> str:
    """The project's image, built from this checkout in docker format, once per session."""
    return build_image(podman_here, base_image)


@pytest.fixture
def podman(podman_here: Podman) -> Iterator[Podman]:
    """Podman for one test: what it makes carries a label of its own, and is removed however the test ends;
    anything still there afterwards fails the test."""
    own = Podman(podman_here.conf)
    try:
        yield own
    finally:
        own.cleanup()
    assert own.left_behind() == []
