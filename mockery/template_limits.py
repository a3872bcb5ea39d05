"""What one render may build: every operation that could make a big value is sized from its operands first.

A template is fed request data, and a few characters of template can ask for gigabytes: ``'x' * 10**9``,
``['x' * 10**6] * 10**6`` (a million references to one string: eight megabytes in memory, a terabyte once
serialised), ``'%9999s' * 10**5``. Each such operation is sized here before it runs, and refused with
``RenderLimitError`` past a limit. Sizes are counted two ways:

- *size*: what the operation allocates (the characters of a string, the items of a list);
- *weight*: about how many characters the value becomes as text or JSON, nested values and repeated
  references counted each time they appear (a low estimate: JSON adds quotes, ``str()`` adds more).

The templates of one response also share a ``Budget``: what their operations built, and the weight of the
values they produced, in all. So a loop cannot pile up values that are each small enough.
"""

from __future__ import annotations

import functools
import itertools
import json
import pprint
import string
from collections.abc import Callable, Collection, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from contextvars import ContextVar
from typing import IO, Any, cast

import orjson
import re2  # type: ignore[import-untyped]
from jinja2.filters import make_attrgetter
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

_PRINTF_WIDTH = re2.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d{5,}|\d*\.(?:\*|\d{5,}))")
_PRINTF_FIELD = re2.compile(r"(?s)%(?:\(([^)]*)\))?[-#0 +]*(\d*)(?:\.(\d*))?[hlL]?(.|$)")
_FORMAT_WIDTH = re2.compile(r"\{[^{}]*:[^{}]*(\{|\d{5,})")
_DIGITS = re2.compile(r"\d+")
# The most characters one %-conversion of a number can make beyond its width and precision (``'%f' % 1e308``).
_NUMBER_CHARS = 330
# The characters ``str.splitlines`` (and so the ``indent`` filter) breaks lines at.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_SPACES = " \t\n\r\x0b\x0c"
# str and bytes methods that pad to a width given as their first argument.
_PADDING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
# Filters that never turn their value into text: everything else is sized as text before it runs.
_STRUCTURAL_FILTERS = frozenset(
    {
        "attr", "batch", "count", "d", "default", "dictsort", "first", "groupby", "items", "join", "last",
        "length", "list", "map", "max", "min", "random", "reject", "rejectattr", "reverse", "select",
        "selectattr", "slice", "sort", "sum", "unique", "abs", "round", "int", "float", "bool",
    }
)  # fmt: skip


# Filters whose result holds only items of their value (or pairs of its keys and values): what they pick
# from the request's data is still the request's data.
_SELECTING_FILTERS = frozenset(
    {
        "list", "sort", "reverse", "unique", "first", "last", "select", "reject", "selectattr", "rejectattr",
        "dictsort", "items", "min", "max", "random",
    }
)  # fmt: skip


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


def _is_container(value: Any) -> bool:
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
    if not _is_container(value):
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
                elif kind in _PLAIN_CONTAINERS or _is_container(child):
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


# --- operators ----------------------------------------------------------------------------------------------

_REPEATABLE = (str, bytes, bytearray, list, tuple)


def check_binop(operator: str, left: Any, right: Any) -> int | None:
    """Refuse ``left <operator> right`` when its result would be over a limit; returns the result's
    weight when it is a sequence built from its operands (for the budget to remember), else ``None``."""
    if operator == "*":
        if isinstance(left, _REPEATABLE) and isinstance(right, int):
            return _check_repeat(left, right)
        if isinstance(right, _REPEATABLE) and isinstance(left, int):
            return _check_repeat(right, left)
        if isinstance(left, int) and isinstance(right, int):
            check_bits(abs(left).bit_length() + abs(right).bit_length())
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            check_bits(abs(left).bit_length() * right)
    elif operator == "%" and isinstance(left, (str, bytes)):
        text = left.decode("latin-1") if isinstance(left, bytes) else left
        current_budget().build(check_printf(text, right))
    elif operator == "+" and isinstance(left, _REPEATABLE) and isinstance(right, _REPEATABLE):
        check_size(len(left) + len(right))
        current_budget().build(len(left) + len(right))
        if isinstance(left, (list, tuple)):
            size = check_weight(left) + check_weight(right) - 1
            if size > MAX_OUTPUT_CHARS:
                raise RenderLimitError(f"a value is over the limit of {MAX_OUTPUT_CHARS} characters as text")
            return size
    return None


def _check_repeat(sequence: Any, times: int) -> int | None:
    times = max(times, 0)
    check_size(len(sequence) * times)
    current_budget().build(len(sequence) * times)
    if isinstance(sequence, (list, tuple)) and sequence and times:
        # The copies share their brackets: n copies of a list of weight w weigh (w - 1) * n + 1.
        each = text_weight(sequence, MAX_OUTPUT_CHARS // times + 1) - 1
        if each * times + 1 > MAX_OUTPUT_CHARS:
            raise RenderLimitError(
                f"{times} copies of a value of {each} characters as text are over the limit of {MAX_OUTPUT_CHARS}"
            )
        return each * times + 1
    return None


def check_concat(values: Iterable[Any]) -> list[Any]:
    """Size the text ``~`` makes of ``values`` before it is made; returns the values."""
    parts = list(values)
    size = 0
    for part in parts:
        if type(part) is str:
            size += len(part)
        else:
            size += text_weight(part, MAX_OUTPUT_CHARS - size)
        if size > MAX_OUTPUT_CHARS:
            raise RenderLimitError(f"the text `~` makes is over the limit of {MAX_OUTPUT_CHARS} characters")
    current_budget().build(size)
    return parts


def capped_concat(chunks: Iterable[str]) -> str:
    """Join the output of a block (``{% set %}``, a macro, a filter block): at most ``MAX_OUTPUT_CHARS``."""
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise RenderLimitError(f"the output is over the limit of {MAX_OUTPUT_CHARS} characters")
        parts.append(chunk)
    current_budget().build(size)
    return "".join(parts)


class _CappedText:
    """A stream that refuses to hold more than ``MAX_OUTPUT_CHARS`` characters."""

    __slots__ = ("parts", "size")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        if self.size > MAX_OUTPUT_CHARS:
            raise RenderLimitError(f"the output is over the limit of {MAX_OUTPUT_CHARS} characters")
        self.parts.append(text)
        return len(text)


def bounded_json_dumps(value: Any, **kwargs: Any) -> str:
    """What ``tojson`` encodes with: with an ``indent``, every line gets it, so the text is capped as it is
    made; without, the value was sized as text already."""
    if kwargs.get("indent") is None:
        return json.dumps(value, **kwargs)
    return capped_concat(json.JSONEncoder(**kwargs).iterencode(value))


def bounded_pprint(value: Any) -> str:
    """The ``pprint`` filter: nested values are indented line by line, so the text is capped as it is made."""
    stream = _CappedText()
    pprint.PrettyPrinter(stream=cast(IO[str], stream)).pprint(value)
    current_budget().build(stream.size)
    return "".join(stream.parts)[:-1]  # pprint() ends the text with a line break, pformat() does not


def checked_output(value: Any) -> Any:
    """The ``finalize`` of text templates: a value is sized as text before it is turned into text."""
    if type(value) is not str:
        check_weight(value)
    return value


# --- %-formatting and str.format ----------------------------------------------------------------------------


def check_printf(text: str, arguments: Any) -> int:
    """Refuse ``text % arguments`` when its result would be over the limit; returns its size."""
    if _PRINTF_WIDTH.search(text):
        raise RenderLimitError("a %-format width is too large")
    budget = current_budget()
    size = len(text) + text_weight(arguments, MAX_OUTPUT_CHARS, budget)
    if size > MAX_OUTPUT_CHARS:
        raise RenderLimitError(f"the formatted text is over the limit of {MAX_OUTPUT_CHARS} characters")
    if "%" not in text:
        return size
    mapping = arguments if isinstance(arguments, Mapping) else None
    for field in _PRINTF_FIELD.finditer(text):
        key, width, precision, conversion = field.groups()
        size += int(width or 0) + int(precision or 0)
        if conversion in ("f", "F", "e", "E", "g", "G"):
            size += _NUMBER_CHARS
        if key is not None and mapping is not None:
            size += text_weight(mapping.get(key), MAX_OUTPUT_CHARS, budget)
        if size > MAX_OUTPUT_CHARS:
            raise RenderLimitError(f"the formatted text is over the limit of {MAX_OUTPUT_CHARS} characters")
    return size


def check_str_format(text: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse ``text.format(*args, **kwargs)`` when its result would be over the limit."""
    if _FORMAT_WIDTH.search(text):
        raise RenderLimitError("a format width is too large")
    budget = current_budget()
    size = 0
    automatic = 0
    try:
        for literal, name, spec, _ in string.Formatter().parse(text):
            size += len(literal)
            if name is not None:
                first = name.split(".", 1)[0].split("[", 1)[0]
                if first == "":
                    first, automatic = str(automatic), automatic + 1
                position = int(first) if first.isdigit() else None
                argument = args[position] if position is not None and position < len(args) else kwargs.get(first)
                size += text_weight(argument, MAX_OUTPUT_CHARS, budget)
                size += sum(int(digits) for digits in _DIGITS.findall(spec or ""))
                if isinstance(argument, float):
                    size += _NUMBER_CHARS
            if size > MAX_OUTPUT_CHARS:
                raise RenderLimitError(f"the formatted text is over the limit of {MAX_OUTPUT_CHARS} characters")
    except ValueError:
        return  # str.format raises the same error, having built nothing
    budget.build(size)


# --- str and bytes methods ----------------------------------------------------------------------------------


def check_str_method(text: str | bytes, name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Refuse a call of a str or bytes method that would build a value over the limits; returns the
    arguments to use (an iterable given to ``join`` is read once, here)."""
    if name in _PADDING_METHODS and args:
        check_width(args[0])
        if name == "expandtabs" and isinstance(args[0], int):
            tabs = text.count("\t") if isinstance(text, str) else text.count(b"\t")
            check_size(len(text) + tabs * args[0])
    elif name == "replace" and len(args) >= 2:
        check_replace(text, args[0], args[1])
    elif name == "join" and args:
        items = list(args[0])
        size = len(text) * max(len(items) - 1, 0) + sum(len(item) for item in items if isinstance(item, (str, bytes)))
        check_size(size)
        return (items, *args[1:])
    elif name == "translate" and args and isinstance(text, str) and isinstance(args[0], Mapping):
        longest = max((len(value) for value in args[0].values() if isinstance(value, str)), default=1)
        check_size(len(text) * max(longest, 1))
    return args


def check_replace(text: Any, old: Any, new: Any) -> None:
    same = type(old) is type(text) and type(new) is type(text)
    if same and isinstance(old, (str, bytes)) and len(new) > len(old):
        occurrences = len(text) + 1 if not old else text.count(old)
        check_size(len(text) + occurrences * (len(new) - len(old)))


# --- filters and globals ------------------------------------------------------------------------------------


def charged(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``function`` (a filter) with its arguments sized as text first, unless the filter keeps them
    structured, and what it builds counted in the budget."""
    textual = name not in _STRUCTURAL_FILTERS
    selecting = name in _SELECTING_FILTERS
    # The value comes after the context, eval context or environment a filter may ask for (@pass_context...).
    first = 0 if getattr(function, "jinja_pass_arg", None) is None else 1

    @functools.wraps(function)
    def charge(*args: Any, **kwargs: Any) -> Any:
        if textual:
            for argument in itertools.chain(args[first:], kwargs.values()):
                if _is_container(argument):
                    check_weight(argument)
        result = function(*args, **kwargs)
        budget = current_budget()
        budget.build(size_of(result))
        if selecting and len(args) > first and budget.is_given(args[first]):
            budget.give(result)  # the request's items, sorted or picked, are still the request's
        return result

    return charge


def bounded_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise RenderLimitError(f"range() of {len(result)} items is over the limit of {MAX_RANGE}")
    return result


def bounded_width(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    """``center``: its width is bounded."""

    @functools.wraps(filter_function)
    def bounded(value: Any, width: Any = 80, *args: Any, **kwargs: Any) -> Any:
        check_width(width)
        return filter_function(value, width, *args, **kwargs)

    return bounded


def checked_indent(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    """``indent``: its width is bounded, and the indentation of every line counted before it is added."""

    @functools.wraps(filter_function)
    def checked(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> Any:
        check_width(width)
        text = value if isinstance(value, str) else str(value)
        each = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        lines = 1 + sum(text.count(mark) for mark in _LINE_BREAKS)
        check_size(len(text) + lines * max(each, 0))
        return filter_function(value, width, *args, **kwargs)

    return checked


def checked_format(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    """``format``: sized like the ``%`` operator it runs."""

    @functools.wraps(filter_function)
    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            check_printf(value, kwargs or args)
        return filter_function(value, *args, **kwargs)

    return checked


def bounded_lipsum(lipsum: Callable[..., str]) -> Callable[..., str]:
    @functools.wraps(lipsum)
    def bounded(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        for name, value in (("n", n), ("min", min), ("max", max)):
            check_width(value, f"lipsum {name}")
        return lipsum(n, html, min, max)

    return bounded


def checked_replace(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(filter_function)
    def checked(eval_ctx: Any, value: Any, old: Any, new: Any, *args: Any, **kwargs: Any) -> Any:
        # Each was sized as text already (``charged``): turning them into text here is bounded.
        check_replace(str(value), str(old), str(new))
        return filter_function(eval_ctx, value, old, new, *args, **kwargs)

    return checked


def checked_join(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    """``join``: the text of every item, and the separators, counted before anything is joined."""

    @functools.wraps(filter_function)
    def checked(eval_ctx: Any, value: Any, d: Any = "", attribute: Any = None) -> Any:
        items = list(value)
        if attribute is not None:
            items = list(map(make_attrgetter(eval_ctx.environment, attribute), items))
        budget = current_budget()
        size = text_weight(d, MAX_OUTPUT_CHARS, budget) * max(len(items) - 1, 0)
        check_size(size)
        for item in items:
            size += text_weight(item, MAX_OUTPUT_CHARS - size, budget)
            if size > MAX_OUTPUT_CHARS:
                raise RenderLimitError(f"the joined text is over the limit of {MAX_OUTPUT_CHARS} characters")
        return filter_function(eval_ctx, items, d)

    return checked


def checked_wordwrap(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    """``wordwrap``: the wrap string a line can get is counted for every line the text can make."""

    @functools.wraps(filter_function)
    def checked(environment: Any, value: Any, width: Any = 79, *args: Any, **kwargs: Any) -> Any:
        wrapstring = kwargs.get("wrapstring", args[1] if len(args) > 1 else None)
        text = str(value)
        if isinstance(wrapstring, str) and isinstance(width, int):
            breaks = sum(text.count(space) for space in _SPACES) + text.count("-")
            lines = min(len(text), len(text) // max(width, 1) + breaks) + 1
            check_size(len(text) + lines * len(wrapstring))
        return filter_function(environment, value, width, *args, **kwargs)

    return checked


def checked_batch(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    """``batch``: a last batch filled up to ``linecount`` items can be no longer than a size argument."""

    @functools.wraps(filter_function)
    def checked(value: Any, linecount: Any, fill_with: Any = None) -> Any:
        if fill_with is not None:
            check_width(linecount, "a filled batch")
        return filter_function(value, linecount, fill_with)

    return checked


def checked_slice(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    """``slice``: it makes ``slices`` lists, whatever the value's length."""

    @functools.wraps(filter_function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        slices = kwargs.get("slices", args[2] if len(args) > 2 else None)
        check_width(slices, "a slice count")
        return filter_function(*args, **kwargs)

    return checked


def checked_sum(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    """``sum``: adding lists (``start=[]``) is sized first, and done in one pass rather than one copy each."""

    @functools.wraps(filter_function)
    def checked(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
        if not isinstance(start, (list, tuple)):
            return filter_function(environment, iterable, attribute, start)
        items = list(iterable)
        if attribute is not None:
            items = list(map(make_attrgetter(environment, attribute), items))
        parts = [start, *items]
        if not all(isinstance(part, type(start)) for part in parts):
            return filter_function(environment, items, None, start)  # the TypeError sum would give
        check_size(sum(map(len, parts)))
        check_weight(parts)
        current_budget().build(sum(map(len, parts)))
        return type(start)(itertools.chain.from_iterable(parts))

    return checked


def checked_slice_length(obj: Any, key: slice) -> None:
    """A slice copies: count the copy in the budget before it is made."""
    if isinstance(obj, (str, bytes, list, tuple)):
        current_budget().build(len(range(*key.indices(len(obj)))))


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
    "current_budget",
    "run_with_budget",
    "text_weight",
]
