"""The ``format`` checks of OpenAPI documents: one checker shared by request validation and by the load-time
search for schemas nothing can satisfy. On top of JSON Schema's formats, OpenAPI's integer sizes: a client that
sends 2**31 where the document says ``int32`` gets the same refusal the real API's parser would give."""

from __future__ import annotations

from jsonschema import FormatChecker

FORMAT_CHECKER = FormatChecker()

_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _in_range(name: str) -> None:
    low, high = _RANGES[name]

    @FORMAT_CHECKER.checks(name)
    def check(value: object) -> bool:
        # A format asserts nothing of another type: `type` says what the value must be.
        if isinstance(value, bool) or not isinstance(value, int):
            return True
        return low <= value <= high


for _name in _RANGES:
    _in_range(_name)
