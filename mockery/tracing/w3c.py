"""W3C Trace Context (``traceparent``) read and written, and which traces are sampled (OpenTelemetry's
``OTEL_TRACES_SAMPLER`` and ``OTEL_TRACES_SAMPLER_ARG``)."""

from __future__ import annotations

from collections.abc import Mapping

from mockery.errors import ArgumentError

SAMPLERS = (
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
    "always_on",
    "always_off",
    "traceidratio",
)
_HEX = frozenset("0123456789abcdef")
_LOW_64 = (1 << 64) - 1
# tracestate and baggage are carried on as received, up to this size (W3C asks at least 512 and 8192 be kept).
MAX_CARRIED = 8192


def parse_traceparent(value: str) -> tuple[int, int, int] | None:
    """(trace id, parent span id, flags) of a valid ``traceparent``, or ``None`` (a new trace starts)."""
    value = value.strip()
    if len(value) < 55 or value[2] != "-" or value[35] != "-" or value[52] != "-":
        return None
    version = value[:2]
    if version == "ff" or not _HEX.issuperset(version) or (version == "00" and len(value) != 55):
        return None
    if len(value) > 55 and value[55] != "-":
        return None
    trace, parent, flags = value[3:35], value[36:52], value[53:55]
    if not (_HEX.issuperset(trace) and _HEX.issuperset(parent) and _HEX.issuperset(flags)):
        return None
    trace_id, parent_id = int(trace, 16), int(parent, 16)
    if not trace_id or not parent_id:
        return None
    return trace_id, parent_id, int(flags, 16)


def traceparent(trace_id: int, span_id: int, sampled: bool) -> str:
    return f"00-{trace_id:032x}-{span_id:016x}-{'01' if sampled else '00'}"


def carried(value: str | None) -> str | None:
    """A ``tracestate`` or ``baggage`` value as it is carried on (``None``: not at all)."""
    if value is None:
        return None
    value = value.strip()
    return value if value and len(value) <= MAX_CARRIED else None


class Sampler:
    """Whether a request's span is recorded and exported. Parent-based samplers (the default
    ``parentbased_always_on``) follow the sampled flag of the ``traceparent`` received, and their root
    sampler decides for a request that starts a trace."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        name = (environ.get("OTEL_TRACES_SAMPLER") or "parentbased_always_on").strip().lower()
        if name not in SAMPLERS:
            raise ArgumentError(f"OTEL_TRACES_SAMPLER: {name!r} is not one of {', '.join(SAMPLERS)}")
        self.name = name
        self.parent_based = name.startswith("parentbased_")
        root = name.removeprefix("parentbased_")
        ratio = 1.0 if root == "always_on" else 0.0 if root == "always_off" else _ratio(environ)
        self.ratio = ratio
        self._bound = round(ratio * (_LOW_64 + 1))

    def __repr__(self) -> str:
        return f"Sampler({self.name!r}, ratio={self.ratio:g})"

    def root(self, trace_id: int) -> bool:
        """The decision for a trace that starts here (or for any trace, when not parent-based)."""
        return (trace_id & _LOW_64) < self._bound

    def sampled(self, trace_id: int, parent_flags: int) -> bool:
        """The decision for a trace continued from a parent with ``parent_flags``."""
        if self.parent_based:
            return bool(parent_flags & 1)
        return self.root(trace_id)


def _ratio(environ: Mapping[str, str]) -> float:
    text = (environ.get("OTEL_TRACES_SAMPLER_ARG") or "1.0").strip()
    try:
        ratio = float(text)
    except ValueError:
        ratio = -1.0
    if not 0.0 <= ratio <= 1.0:
        raise ArgumentError(f"OTEL_TRACES_SAMPLER_ARG: {text!r} is not a ratio between 0 and 1")
    return ratio
