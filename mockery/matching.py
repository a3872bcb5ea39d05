"""The route table of one listener: find the route for a request, or explain why none fits.

Lookup does not scan every route: literal paths are a dictionary lookup, and parameterised routes are
bucketed by their first literal segment. Explaining a miss (the 404 body) is allowed to be slow.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.convertors import Convertor
from starlette.routing import compile_path

from mockery.spec.model import Route, Service

_WILD = "\x00"  # bucket of routes whose first segment is a parameter


@dataclass(frozen=True, slots=True, eq=False)
class TableEntry:
    """A route ready for matching."""

    service: Service
    route: Route
    methods: frozenset[str]
    literal: bool
    regex: Any
    convertors: dict[str, Convertor[Any]]

    def parameters(self, path: str) -> dict[str, Any] | None:
        match = self.regex.match(path)
        if match is None:
            return None
        return {name: self.convertors[name].convert(value) for name, value in match.groupdict().items()}


@dataclass(frozen=True, slots=True)
class Match:
    entry: TableEntry
    path_params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Miss:
    """No route answers; ``allowed`` lists the methods that would, when the path matched under others."""

    allowed: tuple[str, ...] = ()


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
    _literal: dict[str, list[TableEntry]] = field(default_factory=dict)
    _buckets: dict[str, list[TableEntry]] = field(default_factory=dict)

    @classmethod
    def build(cls, services: Iterable[Service]) -> RouteTable:
        table = cls()
        for service in services:
            for route in service.routes:
                regex, _, convertors = compile_path(route.path)
                methods = set(route.methods)
                if "GET" in methods:
                    methods.add("HEAD")
                literal = "{" not in route.path
                entry = TableEntry(service, route, frozenset(methods), literal, regex, convertors)
                table.entries.append(entry)
                if literal:
                    table._literal.setdefault(route.path, []).append(entry)
                else:
                    table._buckets.setdefault(_first_segment(route.path), []).append(entry)
        return table

    def _candidates(self, path: str) -> Iterable[TableEntry]:
        yield from self._literal.get(path, ())
        segment = path[1:].split("/", 1)[0]
        yield from self._buckets.get(segment, ())
        yield from self._buckets.get(_WILD, ())

    def match(self, method: str, path: str) -> Match | Miss:
        allowed: set[str] = set()
        for entry in self._candidates(path):
            params = {} if entry.literal else entry.parameters(path)
            if params is None:
                continue
            if method in entry.methods:
                return Match(entry, params)
            allowed |= entry.methods
        return Miss(tuple(sorted(allowed)))

    def explain(self, method: str, path: str, limit: int = 3) -> list[NearMiss]:
        """The routes closest to a request that none answered, each with why it did not match."""
        scored = []
        for entry in self.entries:
            reasons = _reasons(entry, method, path)
            score = difflib.SequenceMatcher(None, _skeleton(entry.route.path), path).ratio()
            if method in entry.methods:
                score += 0.2
            scored.append((score, entry, reasons))
        scored.sort(key=lambda item: -item[0])
        return [NearMiss(entry.service.name, entry.route.name, tuple(reasons)) for _, entry, reasons in scored[:limit]]


def _skeleton(pattern: str) -> str:
    out = []
    for segment in pattern.split("/"):
        out.append("" if segment.startswith("{") else segment)
    return "/".join(out)


def _reasons(entry: TableEntry, method: str, path: str) -> list[str]:
    reasons = []
    pattern_segments = entry.route.path.split("/")
    path_segments = path.split("/")
    if len(pattern_segments) != len(path_segments) and not any(":path}" in s for s in pattern_segments):
        reasons.append(f"the path has {len(path_segments) - 1} segments, the route {len(pattern_segments) - 1}")
    for index, (expected, got) in enumerate(zip(pattern_segments, path_segments, strict=False)):
        if expected.startswith("{") and expected.endswith("}"):
            name, _, kind = expected[1:-1].partition(":")
            if kind in ("", "str", "path"):
                continue
            _, _, convertors = compile_path("/" + expected)
            if not re.fullmatch(convertors[name].regex, got):
                reasons.append(f"path parameter {name!r} must be {_KIND_NAMES.get(kind, kind)}, got {got!r}")
        elif expected != got:
            reasons.append(f"segment {index}: expected {expected!r}, got {got!r}")
    if method not in entry.methods:
        reasons.append(f"method {method} is not one of {', '.join(sorted(entry.methods))}")
    return reasons


_KIND_NAMES = {"int": "an integer", "float": "a number", "uuid": "a UUID"}
