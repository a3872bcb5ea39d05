"""The click types of mockery's numeric options: each value is checked once, where it is parsed.

A bad value, from a flag or from its MOCKERY_* variable, is a usage error (exit code 2) that names the option
(and the variable, when the value came from one) and says what was expected: never a traceback, and never a
value that is accepted and then breaks every request (a negative body limit, an infinite timeout).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import click

# Binary units, as memory is counted: 10M, 10MB and 10MiB are all 10 * 1024 * 1024 bytes.
SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
PORT = click.IntRange(0, 65535)

if TYPE_CHECKING:
    _IntType = click.ParamType[int]
    _FloatType = click.ParamType[float]
else:  # click < 8.4 has no generic ParamType
    _IntType = _FloatType = click.ParamType


class Size(_IntType):
    """A number of bytes, 0 or more, with an optional unit: ``1048576``, ``512k``, ``10M``, ``10MiB``, ``1GB``."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        text = str(value).strip().lower().removesuffix("ib").removesuffix("b")
        unit = text[-1:] if text[-1:] in SIZE_UNITS else ""
        try:
            number = float(text.removesuffix(unit) if unit else text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or number < 0:
            self.fail(f"{value!r} is not a size such as 512k, 10M, 10MiB or 1048576 (bytes, 0 or more)", param, ctx)
        return int(number * SIZE_UNITS[unit])


class Seconds(_FloatType):
    """A finite number of seconds: above 0, or 0 too where ``zero`` is allowed."""

    name = "seconds"

    def __init__(self, *, zero: bool = False) -> None:
        self.zero = zero

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = math.nan
        if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not self.zero):
            least = "0 or more" if self.zero else "above 0"
            self.fail(f"{value!r} is not a number of seconds {least}", param, ctx)
        return seconds
