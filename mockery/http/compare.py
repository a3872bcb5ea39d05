"""Comparing a value a request carries with the value it is tested against: one module, two callers.

A request carries text (a query field, a header, a path segment) or JSON; a spec or a stored record holds
typed values. Route conditions (``mockery.http.conditions``) and resource list queries (``mockery.resources.query``)
both compare the two with the same coercions: a text equals a number when it reads as that number, ``true``
and ``false`` are the text of booleans and ``null`` that of ``None``, and a boolean is never a number.

Where the two callers differ, the difference is an explicit parameter, so that each keeps what its users
rely on:

- ``finite``: a condition reads ``"inf"`` or ``"nan"`` as no number; a query reads them as floats.
- ``other_as_text``: a query compares a stored value that is not a JSON scalar (an object) and ``null`` by its
  text, as json-server does; a condition gives such values no text.
- ``order_text``: a query orders a stored value that is not a number by its text against the query's text
  (``name_gte=M``); a condition's ``gt``/``lt`` hold only for numbers.

Patterns are compiled by ``mockery.http.regexes`` (RE2), so searching a value is linear in its length.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "nothing"})()
"""The value of a query field, header, cookie, JSON path or record field that is not there."""

ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
"""The ordering operators, by the name conditions and queries give them."""


def is_number(value: Any) -> bool:
    """Whether ``value`` is a JSON number (a boolean is not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def text_of(value: Any, *, other_as_text: bool = False) -> str | None:
    """The text a request would carry for ``value``: ``true``/``false`` for booleans, ``str()`` of strings and
    numbers; ``None`` for anything else, or (``other_as_text``) ``null`` for ``None`` and ``str()`` of the rest.
    A missing value has no text."""
    if value is MISSING:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if other_as_text:
        return "null" if value is None else str(value)
    return None


def number_of(value: Any, *, finite: bool = True) -> float | None:
    """``value`` as a number: a number itself, or a text that reads as one (``finite``: not ``inf`` or ``nan``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) or not finite else None
    return None


def same(actual: Any, expected: Any, *, finite: bool = True, other_as_text: bool = False) -> bool:
    """Equality as a request means it: ``"2"`` in a query equals ``2`` in the spec; ``true`` is not ``1``.

    ``actual`` is what the request carries, ``expected`` what it is compared with. ``other_as_text``: a text
    equals an ``expected`` that is not a JSON scalar when it is that value's ``str()``."""
    if isinstance(actual, str) and not isinstance(expected, str):
        if isinstance(expected, bool) or expected is None:
            return actual == text_of(expected) or (expected is None and actual == "null")
        if isinstance(expected, int | float):
            number = number_of(actual, finite=finite)
            return number is not None and number == expected
        if other_as_text and expected is not MISSING:
            return actual == str(expected)
        return False
    if isinstance(actual, bool) != isinstance(expected, bool):
        return False
    return bool(actual == expected)


def ordered(value: Any, name: str, bound: Any, *, order_text: bool = False) -> bool:
    """Whether ``value <name> bound`` holds, ``name`` one of ``ORDERINGS``.

    By default only numbers are ordered: ``value`` (a number or a text that reads as one) against the number
    ``bound``. With ``order_text`` (``bound`` is a query's text) a stored number is compared with the text read
    as a number when it reads as one (``inf`` included), and any other scalar by its text, as text."""
    check = ORDERINGS[name]
    if not order_text:
        number = number_of(value)
        return number is not None and check(number, bound)
    if value is None or value is MISSING or isinstance(value, dict | list):
        return False
    number = number_of(bound, finite=False)
    if is_number(value) and number is not None:
        return check(value, number)
    return check(text_of(value, other_as_text=True), bound)


def found_in(pattern: Any, value: Any, *, other_as_text: bool = False) -> bool:
    """Whether the compiled RE2 ``pattern`` is found in the text of ``value`` (see ``text_of``)."""
    text = text_of(value, other_as_text=other_as_text)
    return text is not None and pattern.search(text) is not None
