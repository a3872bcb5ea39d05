"""Verifying what a mock received: call patterns in the spec's own condition language, and assertions over
the journal that fail with one short paragraph.

A ``CallPattern`` is a method, a path (a literal, a route pattern such as ``/orders/{id:int}``, or a URL whose
query becomes conditions) and the conditions of a route's ``match:`` (``query``, ``headers``, ``cookies``,
``body`` with ``json``, ``json_path``, ``schema``, ``text``, ``form``; ``json=`` is ``body.json``). The
conditions are checked against the spec language's schema and compiled by ``mockery.http.conditions``, the
code that matches routes, so a test can say anything a route can match and a mistake in a condition is a
``SpecErrors`` naming the field, never an assertion that silently holds.

A failed assertion says what was expected, how many calls matched, and the closest calls with the first
field where each differs (``body.json: amount: expected 1999, got 2000``). Every helper sets
``__tracebackhide__`` so that pytest shows the test's own line, not mockery's frames.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, SupportsIndex, overload
from urllib.parse import urlsplit

from starlette.routing import compile_path

from mockery.errors import ArgumentError, SpecError, SpecErrors, UnknownServiceError
from mockery.http.conditions import Conditions, RequestView, compile_conditions
from mockery.http.journal import Call
from mockery.http.regexes import compile_regex
from mockery.http.requests import RawRequest, query_map
from mockery.load.schema import route_schema_errors
from mockery.source.document import Document, format_path
from mockery.suggest import did_you_mean

CLOSEST = 3
"""How many of the closest calls a failure shows."""
LISTED = 5
"""How many matching calls a failure lists (too many calls, a call that should not have happened)."""


class CallPattern:
    """Which calls to count: ``CallPattern("POST", "/orders", json={"amount": 1999})``.

    ``method`` and ``path`` may be ``None`` (any). ``path`` is the whole request path (a service's
    ``base_path`` included); ``{name}`` segments match any value, as in a route (``{id:int}``, ``{rest:path}``);
    ``"/orders?status=paid"`` (or a full URL) means the path ``/orders`` with the condition
    ``query={"status": "paid"}``. The other arguments are the conditions of a route's ``match:``: ``query``,
    ``headers`` (names in any case), ``cookies``, ``body`` (its ``json``, ``json_path``, ``schema``, ``text``
    and ``form`` conditions; a plain string means ``{"text": ...}``), ``json`` (``body.json``: a subset of the
    JSON body). Each value is a value to equal or a mapping of operators: ``{"matches": "^Bearer "}``,
    ``{"present": True}``, ``{"gt": 10}``, ``{"one_of": [...]}``, ``{"not": ...}``. ``service`` counts only
    the calls answered for that service.

    A mistake in a condition raises ``SpecErrors`` naming the field (``query.status.matchs: unknown key
    'matchs'; did you mean 'matches'?``).
    """

    __slots__ = ("_path_regex", "conditions", "method", "path", "service", "shown")

    def __init__(
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
        caller: str = "CallPattern",
    ) -> None:
        if method is not None and (not isinstance(method, str) or not method.strip().isalpha()):
            raise ArgumentError(f"a method is a name such as 'GET', not {method!r}")
        if service is not None and not isinstance(service, str):
            raise ArgumentError(f"a service is named by a string, not {type(service).__name__}")
        self.method = method.strip().upper() if method is not None else None
        self.service = service
        self.path, url_query = _split_url(path)
        match, shown = _match_of(query, url_query, headers, cookies, json, body)
        self.conditions = _compiled(match, caller, json_given=json is not None)
        self._path_regex = _path_regex(self.path)
        target = f"{self.method or 'any method'} {path if path is not None else 'any path'}"
        self.shown = " with ".join((target, ", ".join(shown))) if shown else target
        if service is not None:
            self.shown += f" of service {service!r}"

    @classmethod
    def of(cls, item: CallPattern | Sequence[Any] | str, caller: str = "CallPattern") -> CallPattern:
        """A pattern from ``item``: a pattern itself, ``"POST /orders"``, ``("POST", "/orders")`` or
        ``("POST", "/orders", {"json": {...}})`` (the mapping holds the keyword arguments)."""
        if isinstance(item, CallPattern):
            return item
        if isinstance(item, str):
            method, _, path = item.strip().partition(" ")
            return cls(method, path.strip() or None, caller=caller)
        if isinstance(item, Sequence) and len(item) in (2, 3):
            options = item[2] if len(item) == 3 else {}
            if not isinstance(options, Mapping):
                raise ArgumentError(f"the third item of {item!r} is a mapping of conditions, e.g. {{'json': ...}}")
            return cls(item[0], item[1], caller=caller, **options)
        raise ArgumentError(
            f"a call to expect is a CallPattern, 'METHOD /path', (method, path) or (method, path, {{conditions}}), "
            f"not {item!r}"
        )

    def matches(self, call: Call) -> bool:
        """Whether ``call`` is one of the calls this pattern counts."""
        return not self.differences(call, first_only=True)

    def differences(self, call: Call, *, first_only: bool = False) -> list[str]:
        """Every field where ``call`` differs from the pattern, e.g. ``query.status: expected 'paid', got 'new'``:
        the service, the method, the path, then each condition in the order of ``match:``."""
        found: list[str] = []
        if self.service is not None and call.service != self.service:
            found.append(f"service: expected {self.service!r}, got {call.service!r}")
        if self.method is not None and call.method != self.method:
            found.append(f"method: expected {self.method}, got {call.method}")
        if self.path is not None and not self._path_fits(call.path):
            found.append(f"path: expected {self.path!r}, got {call.path!r}")
        if found and first_only:
            return found
        if self.conditions:
            view = RequestView(RawRequest(call.method, call.path, call.query_string, call.headers, call.raw_body))
            if first_only:
                return [] if self.conditions.holds(view) else self.conditions.failures(view)[:1]
            found.extend(self.conditions.failures(view))
        return found

    def _path_fits(self, path: str) -> bool:
        if self._path_regex is None:
            return path == self.path
        return self._path_regex.search(path) is not None

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return f"CallPattern({self.shown})"


def _split_url(path: str | None) -> tuple[str | None, str]:
    """The path and the query of ``path``, which may be a path, a path with a query, or a full URL."""
    if path is None:
        return None, ""
    if not isinstance(path, str):
        raise ArgumentError(f"a path is a string such as '/orders', not {type(path).__name__}")
    if path.startswith(("http://", "https://")):
        parts = urlsplit(path)
        return parts.path or "/", parts.query
    if not path.startswith("/"):
        raise ArgumentError(f"a path starts with '/': {path!r}; did you mean {'/' + path!r}?")
    bare, _, query = path.partition("?")
    return bare, query


def _path_regex(path: str | None) -> Any:
    """RE2 for a path with ``{name}`` segments (starlette's route pattern, as the route table compiles it)."""
    if path is None or "{" not in path:
        return None
    try:
        regex, _, _ = compile_path(path)
    except (AssertionError, ValueError, KeyError) as exc:  # an unknown parameter type
        raise ArgumentError(f"the path {path!r} is not a route pattern: {exc}") from None
    compiled, reason = compile_regex(regex.pattern)
    if compiled is None:
        raise ArgumentError(f"the path {path!r} is not a route pattern: {reason}")
    return compiled


def _match_of(
    query: Mapping[str, Any] | None,
    url_query: str,
    headers: Mapping[str, Any] | None,
    cookies: Mapping[str, Any] | None,
    json: Any,
    body: Mapping[str, Any] | str | None,
) -> tuple[dict[str, Any], list[str]]:
    """The ``match:`` mapping the arguments describe, and the arguments as a failure shows them."""
    match: dict[str, Any] = {}
    shown: list[str] = []
    fields: dict[str, Any] = {}
    for name, value in query_map(url_query).items():
        fields[name] = {"equals": value} if isinstance(value, list) else value
    if query is not None:
        _mapping("query", query)
        for name, value in query.items():
            if name in fields:
                raise ArgumentError(f"the query field {name!r} is given both in the path and in query=")
            fields[name] = {"equals": list(value)} if isinstance(value, list | tuple) else value
        shown.append(f"query={dict(query)!r}")
    if fields:
        match["query"] = fields
    for name, part in (("headers", headers), ("cookies", cookies)):
        if part is not None:
            match[name] = dict(_mapping(name, part))
            shown.append(f"{name}={match[name]!r}")
    if body is not None:
        if isinstance(body, str):
            match["body"] = {"text": body}
        else:
            match["body"] = dict(_mapping("body", body))
        shown.append(f"body={body!r}")
    if json is not None:
        if "json" in match.get("body", {}):
            raise ArgumentError("the JSON body is given twice: as json= and as body={'json': ...}")
        match.setdefault("body", {})["json"] = json
        shown.append(f"json={json!r}")
    return match, shown


def _mapping(name: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ArgumentError(f"{name}= is a mapping of field name -> value or operators, not {value!r}")
    return value


def _compiled(match: dict[str, Any], caller: str, *, json_given: bool) -> Conditions:
    """The conditions of ``match``, checked against the spec language's schema first: all mistakes at once."""
    name = f"<{caller} arguments>"
    document = Document(file=Path(name), display_name=name, data={"route": {"path": "/", "match": match}})
    errors = [replace(error, path=_argument_path(error.path, json_given)) for error in route_schema_errors(document)]
    if errors:
        raise SpecErrors(errors)
    problems: list[tuple[Any, str]] = []
    conditions = compile_conditions(match, (), problems)
    if problems:
        raise SpecErrors(
            SpecError(name, 1, 1, _argument_path(format_path(path), json_given), message) for path, message in problems
        )
    return conditions


def _argument_path(path: str, json_given: bool) -> str:
    """A field of the wrapped route as the caller wrote it: ``route.match.query.page`` -> ``query.page``."""
    path = path.removeprefix("route.match").lstrip(".")
    if json_given and (path == "body.json" or path.startswith("body.json.")):
        return path.removeprefix("body.")
    return path


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
