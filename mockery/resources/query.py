"""List queries in json-server's conventions: parse them once per request, then filter, sort and page.

``field=value`` (repeated: any of), dotted paths into nested fields, the suffixes ``_ne`` (none of),
``_gt``, ``_gte``, ``_lt``, ``_lte`` and ``_like`` (a case-insensitive regular expression), ``q`` (any
value contains the text, case-insensitively), ``_sort=name,-age`` (and ``_order``), ``_page``/``_limit``,
``_start``/``_end``, ``_embed`` and ``_expand``. A query value is compared with a number as a number, with
``true``/``false`` as a boolean, and with anything else as text; a list matches when one of its items does.

``_like`` and ``q`` are compiled by ``mockery.http.regexes`` (RE2, searched in linear time, the length capped):
a pattern RE2 refuses is a ``QueryError`` naming the parameter and RE2's reason.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from mockery.http.compare import MISSING, found_in, is_number, ordered, same
from mockery.http.regexes import compile_client_regex
from mockery.store import Record

OPERATORS = ("ne", "gt", "gte", "lt", "lte", "like")
RESERVED = frozenset({"_page", "_limit", "_start", "_end", "_sort", "_order", "_embed", "_expand", "q"})
DEFAULT_PAGE_LIMIT = 10
MAX_LIMIT = 100_000


class QueryError(Exception):
    """A query mockery cannot answer: a 400 with this message (and the valid names, when given)."""

    def __init__(self, message: str, valid: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.valid = sorted(valid)


@dataclass(frozen=True, slots=True)
class Filter:
    path: tuple[str, ...]
    operator: str  # "eq" or one of OPERATORS
    values: tuple[str, ...]
    # Compiled from ``values``, which stand for them in comparisons (and so in cache keys).
    patterns: tuple[Any, ...] = field(default=(), compare=False)

    def test(self, record: Record) -> bool:
        found = lookup(record, self.path)
        if self.operator == "eq":
            return any(_equal(found, value) for value in self.values)
        if self.operator == "ne":
            return not any(_equal(found, value) for value in self.values)
        if self.operator == "like":
            return any(_like(found, pattern) for pattern in self.patterns)
        return all(_compare(found, self.operator, value) for value in self.values)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed list query."""

    filters: tuple[Filter, ...] = ()
    text: str | None = None
    text_pattern: Any = field(default=None, compare=False)  # ``text`` compiled for a literal search
    sort: tuple[tuple[tuple[str, ...], bool], ...] = ()  # (path, descending)
    page: int | None = None
    limit: int | None = None
    start: int | None = None
    end: int | None = None
    embed: tuple[str, ...] = ()
    expand: tuple[str, ...] = ()
    rest: tuple[tuple[str, str], ...] = field(default=())
    rest_text: str = field(default="", compare=False)  # ``rest`` URL-encoded: the query a page's links keep

    @property
    def scans(self) -> bool:
        """Whether answering needs every record (filters, full text or sorting), not just one page."""
        return bool(self.filters or self.text is not None or self.sort)

    def matches(self, record: Record) -> bool:
        if self.text_pattern is not None and not _contains(record, self.text_pattern):
            return False
        return all(one.test(record) for one in self.filters)

    def sorted(self, records: list[Record]) -> list[Record]:
        for path, descending in reversed(self.sort):
            records.sort(key=_sort_by(path), reverse=descending)
        return records

    def window(self, total: int, cap: int) -> tuple[int, int]:
        """``[start, stop)`` of the records to return out of ``total`` matches."""
        if self.page is not None or (self.limit is not None and self.start is None):
            limit = self.limit if self.limit is not None else DEFAULT_PAGE_LIMIT
            start = ((self.page or 1) - 1) * limit
            return start, start + limit
        start = self.start or 0
        if self.end is not None:
            return start, max(start, self.end)
        return start, start + (self.limit if self.limit is not None else cap)


def parse_query(query_string: str, fields: Iterable[str]) -> Query:
    """Parse ``query_string``; ``fields`` are the dotted paths that may be filtered and sorted on.

    A query is immutable: the same text (a page after page, a client polling) is parsed once and kept, up to
    a few hundred queries of reasonable length."""
    valid = fields if type(fields) is frozenset else frozenset(fields)
    if len(query_string) <= _CACHED_QUERY_CHARS:
        return _parse_cached(query_string, valid)
    return _parse(query_string, valid)


def _parse(query_string: str, valid: frozenset[str]) -> Query:
    grouped: dict[str, list[str]] = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        grouped.setdefault(name, []).append(value)
    filters: list[Filter] = []
    for name, values in grouped.items():
        if name in RESERVED:
            continue
        path_text, operator = name, "eq"
        if name not in valid:
            base, _, suffix = name.rpartition("_")
            if suffix in OPERATORS and base in valid:
                path_text, operator = base, suffix
            else:
                allowed = [*sorted(valid), *(f"<field>_{op}" for op in OPERATORS), *sorted(RESERVED)]
                raise QueryError(f"unknown query parameter {name!r}", allowed)
        patterns: tuple[Any, ...] = ()
        if operator == "like":
            patterns = tuple(_regex(name, value, literal=False) for value in values)
        filters.append(Filter(tuple(path_text.split(".")), operator, tuple(values), patterns))
    sort = _sort(grouped, valid)
    text = grouped.get("q", [None])[-1] or None
    rest = tuple((k, v) for k, values in grouped.items() if k not in ("_page", "_limit") for v in values)
    return Query(
        filters=tuple(filters),
        text=text,
        text_pattern=_regex("q", text, literal=True) if text is not None else None,
        sort=sort,
        page=_number(grouped, "_page", 1),
        limit=_number(grouped, "_limit", 0),
        start=_number(grouped, "_start", 0),
        end=_number(grouped, "_end", 0),
        embed=tuple(_names(grouped, "_embed")),
        expand=tuple(_names(grouped, "_expand")),
        rest=rest,
        rest_text=urlencode(rest),
    )


_CACHED_QUERY_CHARS = 2048
_parse_cached = functools.lru_cache(maxsize=256)(_parse)


def _names(grouped: dict[str, list[str]], key: str) -> list[str]:
    return [name for value in grouped.get(key, []) for name in value.split(",") if name]


def _number(grouped: dict[str, list[str]], key: str, minimum: int) -> int | None:
    values = grouped.get(key)
    if not values:
        return None
    text = values[-1]
    if not text.isdigit() or int(text) < minimum or int(text) > MAX_LIMIT * 1000:
        raise QueryError(f"{key} must be an integer >= {minimum}, got {text!r}")
    return int(text)


def _sort(grouped: dict[str, list[str]], valid: frozenset[str]) -> tuple[tuple[tuple[str, ...], bool], ...]:
    names = _names(grouped, "_sort")
    orders = _names(grouped, "_order")
    keys = []
    for index, name in enumerate(names):
        descending = name.startswith("-")
        name = name.lstrip("-")
        if name not in valid:
            raise QueryError(f"cannot sort on unknown field {name!r}", valid)
        if index < len(orders):
            if orders[index] not in ("asc", "desc"):
                raise QueryError(f"_order takes asc or desc, got {orders[index]!r}")
            descending = descending != (orders[index] == "desc")
        keys.append((tuple(name.split(".")), descending))
    return tuple(keys)


def _regex(name: str, text: str, *, literal: bool) -> Any:
    regex, reason = compile_client_regex(text, ignore_case=True, literal=literal)
    if regex is None:
        kind = "text" if literal else "regular expression (RE2 syntax)"
        raise QueryError(f"the query parameter {name!r} takes a {kind}: {reason}")
    return regex


def lookup(record: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(record, dict) or part not in record:
            return MISSING
        record = record[part]
    return record


# The comparisons are mockery.http.compare's, shared with route conditions, with the query policy spelled out: a
# query's text reads "inf" as a number, a stored object or null has a text, and text is ordered as text.


def _equal(found: Any, text: str) -> bool:
    if isinstance(found, list):
        return any(_equal(item, text) for item in found)
    return same(text, found, finite=False, other_as_text=True)


def _compare(found: Any, operator: str, text: str) -> bool:
    return ordered(found, operator, text, order_text=True)


def _like(found: Any, pattern: Any) -> bool:
    if isinstance(found, list):
        return any(_like(item, pattern) for item in found)
    return found_in(pattern, found, other_as_text=True)


def _contains(value: Any, needle: Any) -> bool:
    if isinstance(value, dict):
        return any(_contains(item, needle) for item in value.values())
    if isinstance(value, list):
        return any(_contains(item, needle) for item in value)
    return value is not None and found_in(needle, value, other_as_text=True)


def _sort_by(path: tuple[str, ...]) -> Callable[[Record], tuple[int, Any]]:
    return lambda record: sort_key(lookup(record, path))


def sort_key(value: Any) -> tuple[int, Any]:
    """Numbers, then text, then anything else (as JSON text); missing and null last."""
    if is_number(value) or isinstance(value, bool):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    if value is None or value is MISSING:
        return (3, 0)
    return (2, str(value))
