"""What one render may build, and how big a value is: the bounds of templates, and the budget of a response.

A template is fed request data, and a few characters of template can ask for gigabytes: ``'x' * 10**9``,
``['x' * 10**6] * 10**6`` (a million references to one string: eight megabytes in memory, a terabyte once
serialised). Every operation that could build such a value is sized before it runs
(mockery.templates.operations), and refused with ``RenderLimitError`` past a limit. Sizes are counted two ways:

- *size*: what the operation allocates (the characters of a string, the items of a list);
- *weight*: about how many characters the value becomes as text or JSON, nested values and repeated
  references counted each time they appear (a low estimate: JSON adds quotes, ``str()`` adds more).

The templates of one response also share a ``Budget``: what their operations built, and the weight of the
values they produced, in all. So a loop cannot pile up values that are each small enough.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, ItemsView, Iterator, KeysView, Mapping, ValuesView
from contextvars import ContextVar
from typing import Any

import orjson
from jinja2.utils import Namespace

MAX_OUTPUT_CHARS = 1_000_000
MAX_RESPONSE_CHARS = 10 * MAX_OUTPUT_CHARS
MAX_BUILT = 10 * MAX_OUTPUT_CHARS
MAX_INT_BITS = 4_096
MAX_LOOP_STEPS = 1_000_000
MAX_RANGE = 10_000
MAX_SIZE_ARGUMENT = 10_000

# How many values a budget remembers the weight of: the last results of sized operations, so that a loop
# that grows a list (``ns.items + [item]``) weighs the new item, not the whole list again.
_REMEMBERED = 16


class RenderLimitError(Exception):
    """A template broke one of the rendering bounds."""


class Budget:
    """What the templates of one response have built and produced so far (see the module docstring).

    It also knows which values are data the request or the resources brought (``given``): read through
    attributes and items from a root given with ``give``. Such data was never built by a template, so it
    holds no shared references, and its size is measured by encoding it (in C) rather than by a walk."""

    __slots__ = ("_given", "_weights", "built", "produced")

    def __init__(self) -> None:
        self.built = 0
        self.produced = 0
        # id -> (value, weight): the value is held, so that its id cannot be reused while remembered.
        self._weights: dict[int, tuple[Any, int]] = {}
        self._given: dict[int, tuple[Any, int | None]] = {}

    def __repr__(self) -> str:
        return f"Budget(built={self.built}, produced={self.produced}, given={len(self._given)})"

    def build(self, size: int) -> None:
        """Count ``size`` items or characters an operation builds; past ``MAX_BUILT`` in all, refuse."""
        self.built += size
        if self.built > MAX_BUILT:
            raise RenderLimitError(
                f"the templates of this response built more than the limit of {MAX_BUILT} items or characters"
            )

    def produce(self, value: Any) -> None:
        """Count a rendered value; past ``MAX_RESPONSE_CHARS`` (as text or JSON) in all, refuse."""
        left = MAX_RESPONSE_CHARS - self.produced
        size = text_weight(value, left, self)
        if size > left:
            raise RenderLimitError(
                f"the values of this response are over the limit of {MAX_RESPONSE_CHARS} characters in all"
            )
        self.produced += size

    def give(self, value: Any) -> None:
        """Take ``value`` (the request's data, the resources) as given, and what is read from it."""
        if value is not None and id(value) not in self._given:
            self._given[id(value)] = (value, None)

    def read(self, source: Any, value: Any) -> None:
        """``value`` was read from ``source``: given when ``source`` is, unless it is plain (no size to find).
        A method read from given data is given too, for the call to decide about its answer (see ``call``)."""
        if self._given and id(source) in self._given and not isinstance(value, _PLAIN):
            self.give(value)

    def is_given(self, value: Any) -> bool:
        return id(value) in self._given

    def given_weight(self, value: Any) -> int | None:
        entry = self._given.get(id(value))
        if entry is None or entry[0] is not value:
            return None
        if entry[1] is None:
            try:
                weight = len(orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))
            except (TypeError, orjson.JSONEncodeError):
                del self._given[id(value)]  # too deep, or an integer JSON cannot hold: weighed by a walk
                return None
            self._given[id(value)] = (value, weight)
            return weight
        return entry[1]

    def weight_of(self, value: Any) -> int | None:
        entry = self._weights.get(id(value))
        return entry[1] if entry is not None and entry[0] is value else None

    def remember(self, value: Any, weight: int) -> None:
        if len(self._weights) >= _REMEMBERED:
            del self._weights[next(iter(self._weights))]
        self._weights[id(value)] = (value, weight)


_CURRENT: ContextVar[Budget | None] = ContextVar("mockery_template_budget", default=None)


def current_budget() -> Budget:
    """The budget of the render under way (a fresh one outside of any: only each operation's own bounds)."""
    budget = _CURRENT.get()
    return budget if budget is not None else Budget()


def run_with_budget(budget: Budget, function: Callable[..., Any], *args: Any) -> Any:
    """Call ``function(*args)`` with ``budget`` as the budget of every sized operation it runs."""
    token = _CURRENT.set(budget)
    try:
        return function(*args)
    finally:
        _CURRENT.reset(token)


# --- weight: a value's size as text or JSON, without making the text ----------------------------------------

_SCALAR_WEIGHTS: dict[type, int] = {bool: 4, float: 3, type(None): 4}
_PLAIN = (str, bytes, int, float, type(None))
_PLAIN_CONTAINERS = frozenset({list, tuple, dict, set, frozenset})
# Checked by type first: an isinstance check against an abstract class runs Python code, and this is hot.
_TEXTS = (str, bytes, bytearray)
_CONTAINERS = (list, tuple, set, frozenset, range, Mapping, KeysView, ValuesView, ItemsView, Namespace)


def _int_weight(value: int) -> int:
    return value.bit_length() * 30103 // 100000 + 1


def _scalar_weight(value: Any) -> int:
    if isinstance(value, _TEXTS):
        return len(value)
    if isinstance(value, int):
        return _int_weight(value)
    return _SCALAR_WEIGHTS.get(type(value), 16)


def is_container(value: Any) -> bool:
    """Whether ``value`` holds other values (a list, a mapping, a namespace...): its weight needs a walk."""
    kind = type(value)
    if kind in _PLAIN_CONTAINERS:
        return True
    if kind is str or kind is int or kind in _SCALAR_WEIGHTS or isinstance(value, (*_TEXTS, int, float)):
        return False
    return isinstance(value, _CONTAINERS)


def _flat_weight(items: Collection[Any]) -> int | None:
    """The weight of ``items`` when all are of one plain kind, in one pass of C; ``None`` otherwise."""
    kinds = set(map(type, items))
    if len(kinds) > 1:
        return None
    kind = next(iter(kinds), str)
    if kind is str:
        return sum(map(len, items))
    if kind is int:
        return sum(map(int.bit_length, items)) * 30103 // 100000 + len(items)
    if kind in _SCALAR_WEIGHTS:
        return _SCALAR_WEIGHTS[kind] * len(items)
    return None


def _open(item: Any) -> tuple[int, Iterator[Any]]:
    """A container's own weight (brackets, separators, plain items) and its items still to weigh."""
    kind = type(item)
    if kind is dict or (kind not in _PLAIN_CONTAINERS and isinstance(item, Mapping)):
        own = 2 * len(item) + 1
        try:
            own += sum(map(len, item))  # keys: text, nearly always
        except TypeError:
            return own, filter(None, itertools.chain(item.keys(), item.values()))
        return own, filter(None, item.values())
    if kind not in _PLAIN_CONTAINERS:
        if isinstance(item, Namespace):
            return 2, iter((object.__getattribute__(item, "_Namespace__attrs"),))
        if isinstance(item, range):
            return 16, iter(())
        if isinstance(item, ItemsView):
            return 2 * len(item) + 1, filter(None, itertools.chain.from_iterable(item))
    own = len(item) + 1
    if own > 64:
        flat = _flat_weight(item)
        if flat is not None:
            return own + flat, iter(())
    # An empty or false item is counted by its separator: skipping it keeps a million empty lists cheap.
    return own, filter(None, item)


def text_weight(value: Any, limit: int, budget: Budget | None = None) -> int:
    """About how many characters ``value`` takes as text or JSON, nested values and each repeated reference
    counted; the count stops soon after ``limit`` is passed, so it costs no more than the limit allows."""
    kind = type(value)
    if kind is str:
        return len(value)
    if kind is int:
        return _int_weight(value)
    if not is_container(value):
        return _scalar_weight(value)
    budget = budget if budget is not None else current_budget()
    remembered = budget._weights
    entry = remembered.get(id(value))
    if entry is not None and entry[0] is value:
        return entry[1]
    given = budget._given
    if given:
        known = budget.given_weight(value)
        if known is not None:
            return known
    # A walk after the items, each container weighed once: a value that holds one list a million times
    # costs a million additions, not a million walks of that list.
    weights: dict[int, int] = {}
    total = 0
    stack: list[tuple[Any, Iterator[Any], int]] = []
    item: Any = value
    while item is not None:
        own, rest = _open(item)
        stack.append((item, rest, total))
        total += own
        if total > limit:
            return total
        item = None
        while stack:
            parent, rest, start = stack[-1]
            for child in rest:
                kind = type(child)
                if kind is str:
                    total += len(child)
                elif kind is int:
                    total += child.bit_length() * 30103 // 100000 + 1
                elif kind in _PLAIN_CONTAINERS or is_container(child):
                    known = weights.get(id(child))
                    if known is None:
                        entry = remembered.get(id(child))
                        if entry is not None and entry[0] is child:
                            known = entry[1]
                        elif given:
                            known = budget.given_weight(child)
                        if known is None:
                            item = child
                            break
                    total += known
                else:
                    total += _scalar_weight(child)
                if total > limit:
                    return total
            else:
                stack.pop()
                weights[id(parent)] = total - start
                continue
            break
    budget.remember(value, total)
    return total


def check_size(size: int) -> None:
    if size > MAX_OUTPUT_CHARS:
        raise RenderLimitError(f"a value of {size} items or characters is over the limit of {MAX_OUTPUT_CHARS}")


def check_weight(value: Any, limit: int = MAX_OUTPUT_CHARS) -> int:
    """Refuse ``value`` when it would be over ``limit`` characters as text; returns its weight."""
    size = text_weight(value, limit)
    if size > limit:
        raise RenderLimitError(f"a value is over the limit of {limit} characters as text")
    return size


def check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise RenderLimitError(f"an integer of about {bits} bits is over the limit of {MAX_INT_BITS}")


def check_width(width: Any, what: str = "a width") -> None:
    if isinstance(width, int) and width > MAX_SIZE_ARGUMENT:
        raise RenderLimitError(f"{what} of {width} is over the limit of {MAX_SIZE_ARGUMENT}")


def size_of(value: Any) -> int:
    """What a value allocated, in items or characters (0 for what has no length, or is lazy)."""
    if isinstance(value, (str, bytes, bytearray, list, tuple, dict, set, frozenset)):
        return len(value)
    return 0


__all__ = [
    "MAX_BUILT",
    "MAX_INT_BITS",
    "MAX_LOOP_STEPS",
    "MAX_OUTPUT_CHARS",
    "MAX_RANGE",
    "MAX_RESPONSE_CHARS",
    "MAX_SIZE_ARGUMENT",
    "Budget",
    "RenderLimitError",
    "check_bits",
    "check_size",
    "check_weight",
    "check_width",
    "current_budget",
    "is_container",
    "run_with_budget",
    "size_of",
    "text_weight",
]
