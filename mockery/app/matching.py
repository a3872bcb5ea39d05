"""The route table of one listener: find the route for a request, or explain why none fits.

Which route answers when several could: the highest ``priority``; then the most specific (a literal path;
then, segment by segment from the left, a literal segment before a parameter, and any parameter before a
``{rest:path}``; then more conditions before fewer); then the order written (services in load order).

Lookup does not scan every route: the candidates of a literal path, and of each first segment, are listed
once at build time, already in that order; a request walks only its list, and evaluates the conditions of
a route only when its path and method fit. Explaining a miss (the 404 body) costs about what a match
costs: it scores at most ``MAX_EXPLAINED`` routes (the request's own bucket first), compares at most
``MAX_COMPARED_CHARS`` of the path, and quotes at most ``MAX_QUOTED_CHARS`` of a client's value, so that a
long unmatched path against thousands of routes is answered as fast as any other 404.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import re2  # type: ignore[import-untyped]
from starlette.convertors import Convertor
from starlette.routing import compile_path

from mockery.http.conditions import RequestView
from mockery.http.scenarios import INITIAL_STATE
from mockery.model.services import Route, Service

StateOf = Callable[[str], str]

_WILD = "\x00"  # bucket of routes whose first segment is a parameter
MAX_EXPLAINED = 64
MAX_COMPARED_CHARS = 256
MAX_QUOTED_CHARS = 64


@dataclass(frozen=True, slots=True, eq=False)
class TableEntry:
    """A route ready for matching."""

    service: Service
    route: Route
    methods: frozenset[str]
    literal: bool
    regex: Any
    convertors: dict[str, Convertor[Any]]
    rank: tuple[Any, ...] = ()

    @property
    def conditional(self) -> bool:
        return bool(self.route.conditions) or self.route.scenario is not None

    def failures(self, view: RequestView, state_of: StateOf) -> list[str]:
        """Every condition of the route (its scenario's state included) that the request does not meet."""
        reasons = self.route.conditions.failures(view)
        step = self.route.scenario
        if step is not None and step.state is not None and (state := state_of(step.name)) != step.state:
            reasons.append(f"scenario {step.name!r}: expected state {step.state!r}, got {state!r}")
        return reasons

    def parameters(self, path: str) -> dict[str, Any] | None:
        match = self.regex.match(path)
        if match is None:
            return None
        return {name: self.convertors[name].convert(value) for name, value in match.groupdict().items()}


@dataclass(frozen=True, slots=True)
class Match:
    entry: TableEntry
    path_params: dict[str, Any]
    scenario_state: str | None = None
    """The state of the route's scenario when it matched: a transition starts only from there."""


@dataclass(frozen=True, slots=True)
class Miss:
    """No route answers. ``allowed`` lists the methods that would, when the path matched under others;
    ``failed`` the routes whose path and method fit but whose conditions did not hold."""

    allowed: tuple[str, ...] = ()
    failed: tuple[TableEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class NearMiss:
    service: str
    route: str
    reasons: tuple[str, ...]


def _first_segment(path: str) -> str:
    segment = path[1:].split("/", 1)[0]
    return _WILD if "{" in segment else segment


@dataclass(slots=True)
class RouteTable:
    """Routes of the services sharing one listener, in their order of precedence."""

    entries: list[TableEntry] = field(default_factory=list)
    _literal: dict[str, tuple[TableEntry, ...]] = field(default_factory=dict)
    _buckets: dict[str, tuple[TableEntry, ...]] = field(default_factory=dict)
    _wild: tuple[TableEntry, ...] = ()

    @classmethod
    def build(cls, services: Iterable[Service]) -> RouteTable:
        table = cls()
        literal: dict[str, list[TableEntry]] = {}
        buckets: dict[str, list[TableEntry]] = {}
        for service_order, service in enumerate(services):
            for route_order, route in enumerate(service.routes):
                regex, _, convertors = compile_path(route.path)
                methods = set(route.methods)
                if "GET" in methods:
                    methods.add("HEAD")
                is_literal = "{" not in route.path
                entry = TableEntry(
                    service,
                    route,
                    frozenset(methods),
                    is_literal,
                    regex,
                    convertors,
                    rank_key(route, service_order, route_order),
                )
                table.entries.append(entry)
                if is_literal:
                    literal.setdefault(route.path, []).append(entry)
                else:
                    buckets.setdefault(_first_segment(route.path), []).append(entry)
        wild = buckets.pop(_WILD, [])

        def ranked(*groups: Iterable[TableEntry]) -> tuple[TableEntry, ...]:
            return tuple(sorted((entry for group in groups for entry in group), key=lambda entry: entry.rank))

        table._wild = ranked(wild)
        table._buckets = {segment: ranked(bucket, wild) for segment, bucket in buckets.items()}
        table._literal = {
            path: ranked(entries, buckets.get(path[1:].split("/", 1)[0], ()), wild) for path, entries in literal.items()
        }
        return table

    def candidates(self, path: str) -> tuple[TableEntry, ...]:
        """The routes that may answer ``path``, best first: one dictionary lookup."""
        found = self._literal.get(path)
        if found is None:
            found = self._buckets.get(path[1:].split("/", 1)[0], self._wild)
        return found

    def match(
        self, method: str, path: str, view: RequestView | None = None, state_of: StateOf | None = None
    ) -> Match | Miss:
        """The best route for the request, or a ``Miss``. Conditions need ``view`` (and scenarios ``state_of``);
        without them, a route with conditions never matches."""
        allowed: set[str] = set()
        failed: list[TableEntry] = []
        for entry in self.candidates(path):
            params = {} if entry.literal else entry.parameters(path)
            if params is None:
                continue
            if method not in entry.methods:
                allowed |= entry.methods
                continue
            route = entry.route
            if route.conditions and (view is None or not route.conditions.holds(view)):
                failed.append(entry)
                continue
            step = route.scenario
            if step is None:
                return Match(entry, params)
            state = state_of(step.name) if state_of is not None else None
            if state is None or (step.state is not None and state != step.state):
                failed.append(entry)
                continue
            return Match(entry, params, state)
        if failed:
            return Miss((), tuple(failed))
        return Miss(tuple(sorted(allowed)))

    def methods_at(self, path: str, method: str) -> tuple[frozenset[str], TableEntry | None]:
        """What a CORS preflight for ``method`` on ``path`` is answered from: every method the routes of the path
        answer, and the route whose service's policy applies (the best one for ``method``, else for the path)."""
        methods: set[str] = set()
        chosen: TableEntry | None = None
        first: TableEntry | None = None
        for entry in self.candidates(path):
            if not entry.literal and entry.regex.match(path) is None:
                continue
            methods |= entry.methods
            first = first or entry
            if chosen is None and method in entry.methods:
                chosen = entry
        return frozenset(methods), chosen or first

    def explain(
        self,
        method: str,
        path: str,
        limit: int = 3,
        *,
        miss: Miss | None = None,
        view: RequestView | None = None,
        state_of: StateOf | None = None,
    ) -> list[NearMiss]:
        """The routes closest to a request that none answered, each with why it did not match.

        Routes whose path and method fit but whose conditions failed (``miss.failed``) come first (the fewest
        failures first), each with every condition that failed,
        e.g. ``query.status: expected 'active', got 'banned'``."""
        near: list[NearMiss] = []
        if miss is not None and miss.failed and view is not None:
            explained = [
                (entry, entry.failures(view, state_of or (lambda name: INITIAL_STATE))) for entry in miss.failed
            ]
            # Closest first: the fewest failed conditions, then a literal path, then the order of choice.
            explained.sort(key=lambda item: (len(item[1]), not item[0].literal, item[0].rank))
            for entry, reasons in explained[:limit]:
                near.append(NearMiss(entry.service.name, entry.route.name, tuple(reasons)))
            if len(near) >= limit:
                return near
        scored = []
        compared = path[:MAX_COMPARED_CHARS]
        path_segments = path.split("/", MAX_COMPARED_CHARS)
        for entry in self._explainable(path):
            if miss is not None and entry in miss.failed:
                continue
            reasons = _reasons(entry, method, path_segments)
            score = difflib.SequenceMatcher(None, _skeleton(entry.route.path), compared, autojunk=False).ratio()
            if method in entry.methods:
                score += 0.2
            scored.append((score, entry, reasons))
        scored.sort(key=lambda item: -item[0])
        rest = limit - len(near)
        return near + [
            NearMiss(entry.service.name, entry.route.name, tuple(reasons)) for _, entry, reasons in scored[:rest]
        ]

    def _explainable(self, path: str) -> list[TableEntry]:
        """The routes a miss is compared with: its own bucket's first, then the rest, ``MAX_EXPLAINED`` at most."""
        if len(self.entries) <= MAX_EXPLAINED:
            return self.entries
        chosen = list(self.candidates(path)[:MAX_EXPLAINED])
        if len(chosen) < MAX_EXPLAINED:
            seen = set(chosen)
            for entry in self.entries:
                if entry not in seen:
                    chosen.append(entry)
                    if len(chosen) == MAX_EXPLAINED:
                        break
        return chosen


def rank_key(route: Route, service_order: int, route_order: int) -> tuple[Any, ...]:
    """Sort key of a route among those that may answer one request: smaller is tried first."""
    segments = tuple(2 if ":path}" in segment else 1 if "{" in segment else 0 for segment in route.path.split("/")[1:])
    conditions = len(route.conditions) + (route.scenario is not None and route.scenario.state is not None)
    return (-route.priority, "{" in route.path, segments, -conditions, service_order, route_order)


def _skeleton(pattern: str) -> str:
    out = []
    for segment in pattern.split("/"):
        out.append("" if segment.startswith("{") else segment)
    return "/".join(out)


def _reasons(entry: TableEntry, method: str, path_segments: list[str]) -> list[str]:
    reasons = []
    pattern_segments = entry.route.path.split("/")
    if len(pattern_segments) != len(path_segments) and not any(":path}" in s for s in pattern_segments):
        count = f"{len(path_segments) - 1}" if len(path_segments) <= MAX_COMPARED_CHARS else "too many"
        reasons.append(f"the path has {count} segments, the route {len(pattern_segments) - 1}")
    for index, (expected, got) in enumerate(zip(pattern_segments, path_segments, strict=False)):
        if expected.startswith("{") and expected.endswith("}"):
            name, _, kind = expected[1:-1].partition(":")
            if kind in ("", "str", "path"):
                continue
            if _convertor_pattern(kind).fullmatch(got) is None:
                reasons.append(f"path parameter {name!r} must be {_KIND_NAMES.get(kind, kind)}, got {_quote(got)}")
        elif expected != got:
            reasons.append(f"segment {index}: expected {expected!r}, got {_quote(got)}")
    if method not in entry.methods:
        reasons.append(f"method {method} is not one of {', '.join(sorted(entry.methods))}")
    return reasons


@functools.cache
def _convertor_pattern(kind: str) -> Any:
    """Starlette's pattern of a parameter type, on RE2: the segment it is matched against is the client's."""
    _, _, convertors = compile_path("/{value:" + kind + "}")
    return re2.compile(convertors["value"].regex)


def _quote(value: str) -> str:
    """A client's value as a reason quotes it: cut short, so that a 404 body stays small whatever was sent."""
    return repr(value) if len(value) <= MAX_QUOTED_CHARS else f"{value[:MAX_QUOTED_CHARS]!r}... ({len(value)} chars)"


_KIND_NAMES = {"int": "an integer", "float": "a number", "uuid": "a UUID"}
