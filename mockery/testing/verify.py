"""Verifying what a mock received: assertions over the journal that fail with one short paragraph.

Which calls count is a ``CallPattern`` (``mockery.testing.patterns``: the spec's condition language). A
failed assertion says what was expected, how many calls matched, and the closest calls with the first field
where each differs (``body.json: amount: expected 1999, got 2000``). Every helper sets ``__tracebackhide__``
so that pytest shows the test's own line, not mockery's frames.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, SupportsIndex, overload

from mockery.errors import ArgumentError, UnknownServiceError
from mockery.http.journal import Call
from mockery.suggest import did_you_mean
from mockery.testing.patterns import CallPattern

CLOSEST = 3
"""How many of the closest calls a failure shows."""
LISTED = 5
"""How many matching calls a failure lists (too many calls, a call that should not have happened)."""


class CallList(list[Call]):
    """The calls of a journal, oldest first: a list, and callable to filter it as ``assert_called`` would,
    e.g. ``mock.calls("POST", "/orders", json={"amount": 1999})``."""

    def __call__(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        json: Any = None,
        body: Mapping[str, Any] | str | None = None,
        service: str | None = None,
    ) -> CallList:
        pattern = CallPattern(
            method,
            path,
            query=query,
            headers=headers,
            cookies=cookies,
            json=json,
            body=body,
            service=service,
            caller="calls",
        )
        return CallList(call for call in self if pattern.matches(call))

    @property
    def last(self) -> Call:
        """The most recent call; ``AssertionError`` when there is none."""
        __tracebackhide__ = True
        if not self:
            raise AssertionError("no call was received")
        return self[-1]

    @overload
    def __getitem__(self, index: SupportsIndex) -> Call: ...

    @overload
    def __getitem__(self, index: slice) -> CallList: ...

    def __getitem__(self, index: SupportsIndex | slice) -> Call | CallList:
        if isinstance(index, slice):
            return CallList(super().__getitem__(index))
        return super().__getitem__(index)


def check_service(pattern: CallPattern, services: Iterable[str]) -> None:
    """``UnknownServiceError`` when the pattern names a service that is not served (a typo never just passes)."""
    names = list(services)
    if pattern.service is not None and pattern.service not in names:
        hint = did_you_mean(pattern.service, names)
        raise UnknownServiceError(
            f"no service named {pattern.service!r}; services: {names}" + (f"; {hint}" if hint else "")
        )


def times(count: int) -> str:
    """``once``, ``2 times``: how many times something was called."""
    return "once" if count == 1 else f"{count} times"


def _bounds(exactly: int | None, at_least: int | None, at_most: int | None) -> tuple[int, int | None, str]:
    """The lowest and highest count allowed (``None``: no highest), and how an expectation says them."""
    for name, value in (("times", exactly), ("at_least", at_least), ("at_most", at_most)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ArgumentError(f"{name} is a count (an integer >= 0), not {value!r}")
    if exactly is not None:
        if at_least is not None or at_most is not None:
            raise ArgumentError("give times= alone, or at_least= and/or at_most=")
        return exactly, exactly, "not to be called" if exactly == 0 else f"to be called {times(exactly)}"
    if at_least is not None and at_most is not None:
        if at_least > at_most:
            raise ArgumentError(f"at_least={at_least} is more than at_most={at_most}")
        if at_least == at_most:
            return at_least, at_most, f"to be called {times(at_least)}"
        return at_least, at_most, f"to be called between {at_least} and {at_most} times"
    if at_most is not None:
        return 0, at_most, "not to be called" if at_most == 0 else f"to be called at most {times(at_most)}"
    lowest = 1 if at_least is None else at_least
    return lowest, None, f"to be called at least {times(lowest)}"


def _was_called(count: int) -> str:
    return "it was not called" if count == 0 else f"it was called {times(count)}"


def _listed(calls: Sequence[Call], everything: Sequence[Call]) -> str:
    numbers = {id(call): number for number, call in enumerate(everything, 1)}
    lines = [f"  #{numbers[id(call)]} {call.describe()}" for call in calls[:LISTED]]
    if len(calls) > LISTED:
        lines.append(f"  ... and {len(calls) - LISTED} more")
    return "\n".join(lines)


def closest(pattern: CallPattern, calls: Sequence[Call], everything: Sequence[Call] | None = None) -> str:
    """The calls of ``calls`` closest to ``pattern``, each with the first field where it differs, as lines."""
    everything = calls if everything is None else everything
    numbers = {id(call): number for number, call in enumerate(everything, 1)}
    wanted = f"{pattern.method or ''} {pattern.path or ''}"
    ranked = []
    for call in calls:
        differences = pattern.differences(call)
        if not differences:
            continue
        heads = {difference.split(":", 1)[0] for difference in differences}
        similarity = difflib.SequenceMatcher(None, f"{call.method} {call.path}", wanted, autojunk=False).ratio()
        key = ("path" in heads, "method" in heads, "service" in heads, len(differences), -similarity)
        ranked.append((key, -numbers[id(call)], call, differences))
    ranked.sort(key=lambda item: (item[0], item[1]))
    lines = []
    for _, _, call, differences in ranked[:CLOSEST]:
        more = f" (and {len(differences) - 1} more)" if len(differences) > 1 else ""
        lines.append(f"  #{numbers[id(call)]} {call.describe()}: {differences[0]}{more}")
    return "\n".join(lines)


def _received(calls: Sequence[Call], capacity: int | None) -> str:
    if not calls:
        return "no call was received"
    count = f"{len(calls)} call{'s' if len(calls) != 1 else ''} received"
    if capacity is not None and len(calls) >= capacity:
        count += f" (the journal keeps the last {capacity}: earlier calls are not counted)"
    return count


def assert_called(
    calls: Sequence[Call],
    pattern: CallPattern,
    *,
    exactly: int | None = None,
    at_least: int | None = None,
    at_most: int | None = None,
    capacity: int | None = None,
) -> CallList:
    """The calls that match ``pattern``; ``AssertionError`` unless their number is within the bounds (by default
    at least one). ``capacity``: the size of the journal ``calls`` come from, named in a failure when it is full."""
    __tracebackhide__ = True
    lowest, highest, expected = _bounds(exactly, at_least, at_most)
    found = [call for call in calls if pattern.matches(call)]
    if lowest <= len(found) and (highest is None or len(found) <= highest):
        return CallList(found)
    head = f"expected {pattern} {expected}, {_was_called(len(found))}"
    if highest is not None and len(found) > highest:
        raise AssertionError(f"{head}:\n{_listed(found, calls)}")
    near = closest(pattern, calls)
    if not near:
        raise AssertionError(f"{head}; {_received(calls, capacity)}")
    raise AssertionError(f"{head}; {_received(calls, capacity)}, the closest:\n{near}")


def assert_in_order(calls: Sequence[Call], patterns: Sequence[CallPattern]) -> CallList:
    """The calls that matched ``patterns`` one after the other (other calls may come between them);
    ``AssertionError`` naming the first pattern that no later call matched."""
    __tracebackhide__ = True
    if not patterns:
        raise ArgumentError("assert_called_in_order needs at least one call to expect")
    found: list[Call] = []
    start = 0
    for index, pattern in enumerate(patterns):
        hit = next((number for number in range(start, len(calls)) if pattern.matches(calls[number])), None)
        if hit is not None:
            found.append(calls[hit])
            start = hit + 1
            continue
        expected = "; ".join(f"{number}. {each}" for number, each in enumerate(patterns, 1))
        numbers = {id(call): number for number, call in enumerate(calls, 1)}
        matched = "".join(f"{number}. was call #{numbers[id(call)]}, " for number, call in enumerate(found, 1))
        after = f"no call after #{start}" if start else "no call"
        head = f"expected calls in this order: {expected}. {matched}but {after} matched {index + 1}."
        earlier = [number + 1 for number in range(start) if pattern.matches(calls[number])]
        if earlier:
            head += f" (it was called before: #{', #'.join(map(str, earlier[:LISTED]))})"
        if not calls:
            raise AssertionError(f"{head}: no call was received")
        near = closest(pattern, calls[start:], calls)
        raise AssertionError(f"{head}; the closest{' after' if start else ''}:\n{near}" if near else head)
    return CallList(found)


def assert_not_called(calls: Sequence[Call], pattern: CallPattern) -> None:
    """``AssertionError`` listing the calls that match ``pattern``, if any."""
    __tracebackhide__ = True
    found = [call for call in calls if pattern.matches(call)]
    if found:
        raise AssertionError(
            f"expected {pattern} not to be called, {_was_called(len(found))}:\n{_listed(found, calls)}"
        )


def assert_no_unmatched(calls: Sequence[Call]) -> None:
    """``AssertionError`` listing the calls no route answered (a 404 or 405 of mockery's own), if any."""
    __tracebackhide__ = True
    unmatched = [call for call in calls if not call.matched]
    if unmatched:
        count = len(unmatched)
        raise AssertionError(
            f"expected every call to match a route, {count} call{'s' if count != 1 else ''} matched none:\n"
            f"{_listed(unmatched, calls)}"
        )
