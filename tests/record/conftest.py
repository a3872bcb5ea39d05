"""Fixtures of the proxy and record tests: a real upstream, and a second host that must never be reached."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.record.upstream import Upstream, running


@pytest.fixture
def elsewhere() -> Iterator[Upstream]:
    """A server on 127.0.0.2: the host a hostile request would like to reach."""
    with running("127.0.0.2") as server:
        yield server


@pytest.fixture
def upstream(elsewhere: Upstream) -> Iterator[Upstream]:
    """The real API, on 127.0.0.1; its /redirect points at ``elsewhere``."""
    with running(redirect_to=f"{elsewhere.url}/stolen") as server:
        yield server
