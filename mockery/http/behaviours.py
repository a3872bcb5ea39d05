"""Behaviours: latency, faults, dribbled bodies and rate limits, as compiled from a spec.

A behaviour may be written on a route, on a service (``behaviours:``), in a named profile of a service
(``profiles:``), or set for the whole server from Python. For each kind (``delay``, ``fault``, ``throttle``,
``chunked``, ``rate_limit``) the narrowest level that sets it wins: route, then the active profile, then the
service, then the server. What they do to a request is in ``mockery.runtime.chaos``.
"""

from __future__ import annotations

import math
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from dataclasses import dataclass, fields
from typing import Any, Literal

from mockery.source.document import DocPath

FaultKind = Literal["status", "reset", "empty", "malformed", "timeout"]
KINDS = ("delay", "fault", "throttle", "chunked", "rate_limit")
DEFAULT_TIMEOUT_SECONDS = 30.0
MAX_SECONDS = 600.0
"""No behaviour holds a request longer than this: a mock must never hang a test run forever."""

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")

Problems = list[tuple[DocPath, str]]


def parse_duration(value: Any) -> float | None:
    """Seconds from ``250ms``, ``1.5s`` or a number of milliseconds; ``None`` if it is none of those."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) / 1000 if value >= 0 else None
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value)
    if match is None:
        return None
    number = float(match.group(1))
    return number if match.group(2) == "s" else number / 1000


@dataclass(frozen=True, slots=True)
class Delay:
    """A fixed delay (``low == high``), a uniform one between ``low`` and ``high``, or a lognormal one."""

    low: float
    high: float
    median: float | None = None
    sigma: float = 0.5

    @property
    def random(self) -> bool:
        return self.median is not None or self.high > self.low

    def sample(self, draw: Any) -> float:
        """Seconds to wait; ``draw`` is a seeded ``random.Random``."""
        if self.median is not None:
            return float(min(draw.lognormvariate(math.log(self.median), self.sigma), self.high))
        if self.high > self.low:
            return float(draw.uniform(self.low, self.high))
        return self.low


@dataclass(frozen=True, slots=True)
class Fault:
    """With probability ``rate``: answer ``status``, or break the connection as ``kind`` says."""

    rate: float
    kind: FaultKind
    status: int = 503
    after: float = DEFAULT_TIMEOUT_SECONDS


@dataclass(frozen=True, slots=True)
class Throttle:
    bytes_per_second: int


@dataclass(frozen=True, slots=True)
class Chunked:
    chunks: int
    over: float


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``requests`` per window of ``per`` seconds, counted in the bucket ``scope`` (where it was set)."""

    requests: int
    per: float
    scope: str


@dataclass(frozen=True, slots=True)
class Behaviours:
    """One level's behaviours; ``None`` means "not set here" (a wider level may set it)."""

    delay: Delay | None = None
    fault: Fault | None = None
    throttle: Throttle | None = None
    chunked: Chunked | None = None
    rate_limit: RateLimit | None = None

    def over(self, wider: Behaviours) -> Behaviours:
        """These behaviours, with what they leave unset taken from ``wider``."""
        if not wider:
            return self
        if not self:
            return wider
        return Behaviours(
            *(
                getattr(self, f.name) if getattr(self, f.name) is not None else getattr(wider, f.name)
                for f in fields(self)
            )
        )

    @property
    def random(self) -> bool:
        """Whether answering needs a random draw (a random delay, or a fault that does not always happen)."""
        return (self.delay is not None and self.delay.random) or (self.fault is not None and 0 < self.fault.rate < 1)

    def __bool__(self) -> bool:
        # Asked on every request: spelled out rather than looping over dataclasses.fields().
        return (
            self.delay is not None
            or self.fault is not None
            or self.throttle is not None
            or self.chunked is not None
            or self.rate_limit is not None
        )


NO_BEHAVIOURS = Behaviours()


def compile_behaviours(raw: Any, path: DocPath, scope: str, problems: Problems) -> Behaviours:
    """The behaviours of a mapping holding (some of) ``delay``, ``fault``, ``throttle``, ``chunked`` and
    ``rate_limit``; ``scope`` names the rate-limit bucket of this level. Mistakes go to ``problems``."""
    if not isinstance(raw, dict):
        return NO_BEHAVIOURS

    def duration(value: Any, where: DocPath) -> float | None:
        seconds = parse_duration(value)
        if seconds is None:
            problems.append((where, f"{value!r} is not a duration such as 250ms or 2s"))
        elif seconds > MAX_SECONDS:
            problems.append((where, f"{value!r} is longer than the limit of {MAX_SECONDS:g}s"))
            return None
        return seconds

    found: dict[str, Any] = {}
    if "delay" in raw:
        found["delay"] = _delay(raw["delay"], (*path, "delay"), duration, problems)
    fault = raw.get("fault")
    if isinstance(fault, dict):
        after = duration(fault["after"], (*path, "fault", "after")) if "after" in fault else DEFAULT_TIMEOUT_SECONDS
        found["fault"] = Fault(
            rate=float(fault.get("rate", 1.0)),
            kind=fault.get("kind", "status"),
            status=int(fault.get("status", 503)),
            after=after if after is not None else DEFAULT_TIMEOUT_SECONDS,
        )
    throttle = raw.get("throttle")
    if isinstance(throttle, dict) and isinstance(throttle.get("bytes_per_second"), int):
        found["throttle"] = Throttle(throttle["bytes_per_second"])
    chunked = raw.get("chunked")
    if isinstance(chunked, dict) and isinstance(chunked.get("chunks"), int):
        over = duration(chunked.get("over", 0), (*path, "chunked", "over"))
        found["chunked"] = Chunked(chunked["chunks"], over or 0.0)
    limit = raw.get("rate_limit")
    if isinstance(limit, dict) and isinstance(limit.get("requests"), int):
        per = duration(limit.get("per", "1s"), (*path, "rate_limit", "per"))
        if per is not None and per <= 0:
            problems.append(((*path, "rate_limit", "per"), "a rate-limit window must be longer than 0"))
        elif per is not None:
            found["rate_limit"] = RateLimit(limit["requests"], per, scope)
    return Behaviours(**{key: value for key, value in found.items() if value is not None})


def _delay(raw: Any, where: DocPath, duration: Any, problems: Problems) -> Delay | None:
    if not isinstance(raw, dict):
        seconds = duration(raw, where)
        return None if seconds is None else Delay(seconds, seconds)
    if raw.get("distribution") == "lognormal":
        if "median" not in raw:
            problems.append((where, "a lognormal delay needs a `median`"))
            return None
        median = duration(raw["median"], (*where, "median"))
        cap = duration(raw["max"], (*where, "max")) if "max" in raw else MAX_SECONDS
        if not median or cap is None:
            if median == 0:
                problems.append(((*where, "median"), "the median of a lognormal delay must be above 0"))
            return None
        return Delay(0.0, cap, median=median, sigma=float(raw.get("sigma", 0.5)))
    if "min" not in raw or "max" not in raw:
        problems.append((where, "a delay range needs both `min` and `max`"))
        return None
    low, high = duration(raw["min"], (*where, "min")), duration(raw["max"], (*where, "max"))
    if low is None or high is None:
        return None
    if low > high:
        problems.append((where, f"`min` ({raw['min']}) is longer than `max` ({raw['max']})"))
        return None
    return Delay(low, high)
