"""The pytest plugin: ``MockServer`` fixtures at three scopes, started once per session and reset as their scope
begins.

Configure it in pytest's ini file::

    [pytest]
    mockery_specs = specs/
    mockery_seed = 0
    mockery_strict = true

and override per module or test with ``@pytest.mark.mockery(specs=[...], seed=...)``; each distinct scope, set
of specs and seed gets a server of its own, on free ports, so that pytest-xdist workers never clash.

- ``mockery`` (function scope): reset before each test, so every test starts from the specs' own data, an
  empty journal and no stubs; strict mode checks the test's calls at its teardown.
- ``mockery_module``: reset when a module's first test asks for it; what one test stores, stubs or calls is
  seen by the next tests of the module; strict mode checks the module's calls at its last teardown.
- ``mockery_session``: reset once, when the first test asks for it; shared by the whole session.
- ``amockery``: ``mockery`` for async tests (``@pytest.mark.anyio``), started or reset off their event loop.

``--mockery-journal`` adds the calls a failing test made to its report, as a "Captured mockery journal"
section next to its captured output.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # pytest loads this plugin in every session: the server is imported when a test asks for it
    from mockery.testing.mock_server import MockServer

_SERVERS = pytest.StashKey[dict[tuple[str, tuple[str, ...], int], "MockServer"]]()
_MARKS = pytest.StashKey[dict[int, int]]()
_JOURNAL_SHOWN = 50
"""At most this many calls (the last) go in a failing test's journal section."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("mockery_specs", "Spec files or folders the mockery fixtures serve.", type="args", default=[])
    parser.addini("mockery_seed", "Seed of the mockery fixtures' generated data.", default="0")
    parser.addini(
        "mockery_strict",
        "Fail a test at teardown when a request it made matched no route.",
        type="bool",
        default=True,
    )
    group = parser.getgroup("mockery", "mockery: fake services for tests")
    group.addoption(
        "--mockery-journal",
        action="store_true",
        default=False,
        help="Show the requests a failing test sent to mockery (and the answers) in its report.",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mockery(specs=None, seed=None, strict=None): the spec files or folders, the seed and the strict mode of "
        "the mockery fixtures for this test or module (default: the mockery_specs, mockery_seed and "
        "mockery_strict ini options); other specs or another seed get a server of their own.",
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


def _serve(request: pytest.FixtureRequest, scope: str) -> Iterator[MockServer]:
    """The server of this scope, specs and seed, reset (or started); strict mode checked when the scope ends."""
    from mockery.testing.mock_server import MockServer

    specs, seed, strict = _settings(request)
    servers = request.config.stash[_SERVERS]
    server = servers.get((scope, specs, seed))
    if server is None:
        server = servers[(scope, specs, seed)] = MockServer(*specs, seed=seed).start()
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


@pytest.fixture
def mockery(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A running MockServer for the configured specs, reset before the test."""
    yield from _serve(request, "function")


@pytest.fixture(scope="module")
def mockery_module(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A running MockServer for the configured specs, reset when the module starts and shared by its tests."""
    yield from _serve(request, "module")


@pytest.fixture(scope="session")
def mockery_session(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A running MockServer for the configured specs, reset once and shared by the whole session."""
    yield from _serve(request, "session")


@pytest.fixture
async def amockery(request: pytest.FixtureRequest) -> AsyncIterator[MockServer]:
    """``mockery`` for async tests (``@pytest.mark.anyio``): the same server, reset before the test and checked
    after it, started or reset in a worker thread so that the test's event loop never waits on it."""
    import anyio.to_thread

    serving = _serve(request, "function")
    yield await anyio.to_thread.run_sync(next, serving)
    await anyio.to_thread.run_sync(next, serving, None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    """Marks each running server's journal before the test's fixtures are set up, so that its report shows
    only the calls of this test (a module or session server has the calls of earlier tests too)."""
    if item.config.getoption("mockery_journal"):
        servers = item.config.stash[_SERVERS]
        item.stash[_MARKS] = {id(server): server.journal.mark() for server in servers.values()}
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """With ``--mockery-journal``, a failing test's report gets the calls it sent to each of its servers."""
    failed = call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception)
    if failed and item.config.getoption("mockery_journal") and (text := _journal_of(item)):
        item.add_report_section(call.when, "mockery journal", text)
    return (yield)


def _journal_of(item: pytest.Item) -> str:
    module = sys.modules.get("mockery.testing.mock_server")
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    if module is None or not funcargs:
        return ""
    marks = item.stash.get(_MARKS, {})
    parts = []
    for name, value in funcargs.items():
        if not isinstance(value, module.MockServer):
            continue
        calls = value.journal.calls(since=marks.get(id(value), 0))
        lines = [f"{name} ({value.url}): {len(calls)} call{'s' if len(calls) != 1 else ''}"]
        if len(calls) > _JOURNAL_SHOWN:
            lines.append(f"  ... {len(calls) - _JOURNAL_SHOWN} earlier calls left out")
        lines.extend(
            _described(number, call) for number, call in enumerate(calls, 1) if number > len(calls) - _JOURNAL_SHOWN
        )
        parts.append("\n".join(lines))
    return "\n".join(parts)


def _described(number: int, call: Any) -> str:
    """One call as a journal section shows it: the request line, its answer, and the bodies cut short."""
    line = f"  #{number} {call.describe()}"
    if call.raw_body:
        line += f"\n      request body: {_short(call.text)}"
    if call.response_body:
        line += f"\n      response body: {_short(call.response_text)}"
    return line


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"
