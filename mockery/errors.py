"""The exceptions mockery raises: one tree, so ``except mockery.MockeryError`` catches every mistake a user makes.

    MockeryError                 base of everything mockery raises on purpose
    ├── ArgumentError            a value of a type the function does not take (also a TypeError)
    ├── SpecErrors               one or more located mistakes in spec files (always reported together)
    ├── ServeError               the specs are fine but they cannot be served (a port in use, ...)
    ├── ProfileError             a behaviour profile that no service defines was asked for
    ├── UnknownServiceError      a service name that no served spec defines (also a KeyError)
    └── StoreError               the state store cannot be opened or used (mockery.store.base)
        └── StoreUnavailable     a networked store (Redis) cannot be reached right now

A ``SpecError`` is not an exception: it is one located mistake. Loading collects them all and raises a single
``SpecErrors`` so that a user fixes every mistake in one pass instead of one per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, order=True)
class SpecError:
    """One mistake in a spec: where it is, what is wrong, and what to do about it."""

    file: str
    line: int
    column: int
    path: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        what = f"{self.path}: {self.message}" if self.path else self.message
        if self.suggestion:
            what = f"{what}; {self.suggestion}"
        return f"{where}: {what}"


class MockeryError(Exception):
    """Base class of all errors mockery raises on purpose: the CLI prints these without a traceback."""

    exit_code = 1


class SpecErrors(MockeryError):
    """Every mistake found in a set of spec files, sorted by file and position."""

    def __init__(self, errors: Iterable[SpecError]) -> None:
        self.errors: tuple[SpecError, ...] = tuple(sorted(set(errors)))
        super().__init__(self._summary())

    def _summary(self) -> str:
        count = len(self.errors)
        lines = [str(error) for error in self.errors]
        lines.append(f"{count} error{'s' if count != 1 else ''} found")
        return "\n".join(lines)


class ServeError(MockeryError):
    """The specs are valid but cannot be served as asked, e.g. a port that is already in use."""


class ProfileError(MockeryError):
    """A profile that no service defines was asked for."""


class ArgumentError(MockeryError, TypeError):
    """A public function was given a value of a type it does not take, e.g. a stub route that is neither a
    mapping nor YAML text. A ``TypeError`` too, as Python's own check of an argument's type would be."""


class UnknownServiceError(MockeryError, KeyError):
    """A service was named that no served spec defines (``MockServer.stub``, ``url_for``). A ``KeyError`` too,
    as a lookup by name that found nothing; its text is the plain message, naming the services there are."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def display_path(path: Path) -> str:
    """A path as a user would type it: relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
