"""Scenarios: named state machines that routes require (``scenario: {name, state}``) and move (``next:``).

A scenario's state lives in the runtime's store under ``mockery:scenario:<name>``, so a shared store (Redis,
later) gives every replica the same conversation, and a reset puts every scenario back to ``started``.
Scenario names are shared by all the services of a server: two fakes can take part in one conversation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mockery.store import Store

INITIAL_STATE = "started"
_PREFIX = "mockery:scenario:"


@dataclass(frozen=True, slots=True)
class ScenarioStep:
    """A route's place in a scenario: it answers in ``state`` (``None``: any state) and then moves to ``next``."""

    name: str
    state: str | None
    next: str | None = None


def state_of(store: Store, name: str) -> str:
    """The current state of scenario ``name`` (``started`` until something moves it)."""
    return store.get_value(_PREFIX + name) or INITIAL_STATE


def set_state(store: Store, name: str, state: str) -> None:
    store.set_value(_PREFIX + name, state)


def advance(store: Store, step: ScenarioStep, seen: str) -> bool:
    """Move the scenario to ``step.next`` if it is still in ``seen``, the state the route was matched in.

    One compare-and-set: when two requests race (on one server or on replicas sharing a store), only the
    first moves the scenario, so a transition is never applied twice nor from a state the route does not
    answer. ``False`` when another request won the race.
    """
    if step.next is None:
        return True
    return store.compare_and_set(_PREFIX + step.name, seen, step.next, unset_as=INITIAL_STATE)


class Scenario:
    """A handle on one scenario of a running server: read or set ``state`` from a test."""

    def __init__(self, name: str, read: Callable[[], str], write: Callable[[str], None]) -> None:
        self.name = name
        self._read = read
        self._write = write

    @property
    def state(self) -> str:
        return self._read()

    @state.setter
    def state(self, value: str) -> None:
        self._write(value)

    def __repr__(self) -> str:
        return f"Scenario({self.name!r}, state={self.state!r})"
