"""The pytest plugin: a ``mockery`` fixture over ``MockServer``, started once per session and reset per test.

Configure it in pytest's ini file::

    [pytest]
    mockery_specs = specs/
    mockery_seed = 0
    mockery_strict = true

and override per module or test with ``@pytest.mark.mockery(specs=[...], seed=...)``; each distinct set of
specs and seed gets a server of its own, on free ports, so that pytest-xdist workers never clash.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pytest loads this plugin in every session: the server is imported when a test asks for it
    from mockery.testing.mock_server import MockServer

_SERVERS = pytest.StashKey[dict[tuple[tuple[str, ...], int], "MockServer"]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("mockery_specs", "Spec files or folders the mockery fixture serves.", type="args", default=[])
    parser.addini("mockery_seed", "Seed of the mockery fixture's generated data.", default="0")
    parser.addini(
        "mockery_strict",
        "Fail a test at teardown when a request it made matched no route.",
        type="bool",
        default=True,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "mockery(specs=None, seed=None, strict=None): the specs, seed and strictness of the mockery fixture"
    )
    config.stash[_SERVERS] = {}


def pytest_unconfigure(config: pytest.Config) -> None:
    for server in config.stash.get(_SERVERS, {}).values():
        server.stop()


def _settings(request: pytest.FixtureRequest) -> tuple[tuple[str, ...], int, bool]:
    config = request.config
    specs: list[str] = list(config.getini("mockery_specs"))
    seed = int(config.getini("mockery_seed"))
    strict = bool(config.getini("mockery_strict"))
    marker = request.node.get_closest_marker("mockery")
    if marker is not None:
        if marker.kwargs.get("specs") is not None:
            given = marker.kwargs["specs"]
            specs = [str(given)] if isinstance(given, (str, Path)) else [str(spec) for spec in given]
        if marker.kwargs.get("seed") is not None:
            seed = int(marker.kwargs["seed"])
        if marker.kwargs.get("strict") is not None:
            strict = bool(marker.kwargs["strict"])
    if not specs:
        raise pytest.UsageError(
            "the mockery fixture has no specs: set `mockery_specs` in pytest's ini file "
            "or use @pytest.mark.mockery(specs=...)"
        )
    root = config.rootpath
    resolved = tuple(str((root / spec).resolve()) if not Path(spec).is_absolute() else str(spec) for spec in specs)
    return resolved, seed, strict


@pytest.fixture
def mockery(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A running MockServer for the configured specs, reset before the test."""
    from mockery.testing.mock_server import MockServer

    specs, seed, strict = _settings(request)
    servers = request.config.stash[_SERVERS]
    server = servers.get((specs, seed))
    if server is None:
        server = servers[(specs, seed)] = MockServer(*specs, seed=seed).start()
    else:
        server.reset()
    yield server
    unmatched = server.unmatched()
    if strict and unmatched:
        listed = "\n".join(f"  {call.describe()}" for call in unmatched)
        pytest.fail(
            f"mockery: {len(unmatched)} request(s) matched no route (mockery_strict is on):\n{listed}",
            pytrace=False,
        )
