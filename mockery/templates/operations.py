"""Every template operation that could build a big value, sized from its operands before it runs.

The operators the sandbox intercepts (``*``, ``**``, ``%``, ``+``), ``~`` and the output of text templates,
%-formats and ``str.format``, the str methods that pad, replace, join or translate, and the filters and
globals that can build big values (``join``, ``format``, ``indent``, ``wordwrap``, ``batch``, ``slice``,
``sum``, ``tojson``, ``pprint``, ``range``, ``lipsum``...): each computes the size of its result first, and
counts what it builds in the response's budget (mockery.templates.limits).
"""

from __future__ import annotations

import functools
import itertools
import json
import pprint
import string
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any, cast

import re2  # type: ignore[import-untyped]
from jinja2.filters import make_attrgetter

from mockery.templates.dates import DATE_TYPES, rfc3339
from mockery.templates.limits import (
    MAX_OUTPUT_CHARS,
    MAX_RANGE,
    RenderLimitError,
    check_bits,
    check_size,
    check_weight,
    check_width,
    current_budget,
    is_container,
    size_of,
    text_weight,
)

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
    for index, part in enumerate(parts):
        if type(part) is str:
            size += len(part)
        else:
            if isinstance(part, DATE_TYPES):
                parts[index] = part = rfc3339(part)
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
        if isinstance(value, DATE_TYPES):
            return rfc3339(value)  # "at {{ now() }}" writes the instant as a lone {{ now() }} does
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
                if is_container(argument):
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
