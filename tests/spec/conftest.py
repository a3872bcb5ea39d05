"""Helpers for the spec tests: run in the test's folder (so files are named as users type them), collect the
errors a load raises, and find where a piece of the YAML written by a test lies."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from mockery.errors import SpecError, SpecErrors
from mockery.load.loader import load_specs

SpecErrorsOf = Callable[..., list[SpecError]]
Where = Callable[..., tuple[int, int]]


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Errors name files relative to the working directory: work in the test's folder."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def spec_errors() -> SpecErrorsOf:
    """Load ``paths`` (with an empty environment unless given) and return the errors; fails if it loads."""

    def collect(*paths: str | Path, environ: Mapping[str, str] | None = None) -> list[SpecError]:
        with pytest.raises(SpecErrors) as info:
            load_specs(paths, environ={} if environ is None else environ)
        return list(info.value.errors)

    return collect


def where(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """The 1-based (line, column) of the ``occurrence``-th line of dedented ``text`` holding ``needle``."""
    seen = 0
    for number, line in enumerate(textwrap.dedent(text).splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} is not in the text")


@pytest.fixture(name="where")
def where_fixture() -> Where:
    """``where(text, needle)``: the line and column of ``needle`` in the YAML a test writes."""
    return where
