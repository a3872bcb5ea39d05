"""Written records: parsed, bounded and serialised before the store sees them.

A record in the store is read back by every list and get of its collection, so one that cannot be
serialised (nested past orjson's 255 levels, an integer past 64 bits, a key that is not a string) would
turn each of those reads into an error until a reset. So a written body is parsed strictly and bounded
first (``read_record``), and every record is serialised and measured before it is stored (``serialise``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson

from mockery.http.requests import MAX_JSON_DEPTH

# Values (object members and array items, nested ones included) a written body or a stored record may hold.
MAX_RECORD_VALUES = 10_000
# orjson reads integers from -2**63 to 2**64 - 1 as integers, and any other as a float: silently inexact.
_INT_RANGE = range(-(2**63), 2**64)
_WIDE = float(2**63)


class UnstorableRecord(ValueError):
    """A record no store may keep: it does not serialise as JSON, or it is past a limit that reads rely on."""


@dataclass(frozen=True, slots=True)
class BodyProblem:
    """Why a written body was refused: the status (400 not JSON or too deep, 413 too many values, 422 a
    value that cannot be kept), a title and a detail, the JSON pointer of the value when known, the limit."""

    status: int
    title: str
    detail: str
    pointer: str = ""
    limit: int | None = None


def read_record(body: bytes) -> dict[str, Any] | BodyProblem:
    """The JSON object a POST, PUT or PATCH carries, or why it cannot be a record.

    The body must be UTF-8 JSON (no ``NaN``, no lone surrogate), nested at most ``MAX_JSON_DEPTH`` levels,
    with at most ``MAX_RECORD_VALUES`` values, and its integers must fit in 64 bits. The work is linear in
    the body and stops at the first limit passed.
    """
    if not body.strip():
        return BodyProblem(400, "Bad request body", "the body is empty; a JSON object is required")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc) or "recursion" in str(exc):
            return _too_deep()
        return BodyProblem(400, "Bad request body", f"the body is not JSON: {exc}")
    shape = _measure(data)
    if shape == "deep":
        return _too_deep()
    if shape == "many":
        return BodyProblem(
            413,
            "Too many values",
            f"the body holds more than {MAX_RECORD_VALUES} values (object members and array items)",
            limit=MAX_RECORD_VALUES,
        )
    if shape == "wide":
        wide = _wide_integer(body, data)
        if wide is not None:
            return wide
    if not isinstance(data, dict):
        return BodyProblem(422, "Invalid record", "the body must be a JSON object")
    return data


def serialise(record: dict[str, Any]) -> bytes:
    """``record`` as JSON, checked to be storable and readable again; ``UnstorableRecord`` if it is not."""
    shape = _measure(record)
    if shape == "deep":
        raise UnstorableRecord(f"the record is nested more than {MAX_JSON_DEPTH} levels deep")
    if shape == "many":
        raise UnstorableRecord(f"the record holds more than {MAX_RECORD_VALUES} values")
    try:
        return orjson.dumps(record)
    except orjson.JSONEncodeError as exc:  # an integer past 64 bits, a key that is not a string, a lone surrogate
        raise UnstorableRecord(f"the record cannot be stored as JSON: {exc}") from None


def _too_deep() -> BodyProblem:
    return BodyProblem(
        400,
        "Bad request body",
        f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep",
        limit=MAX_JSON_DEPTH,
    )


def _measure(data: Any) -> str | None:
    """``"deep"``, ``"many"``, ``"wide"`` (a float that may stand for an integer past 64 bits) or ``None``.
    Iterative, so depth cannot overflow the stack; it stops as soon as a limit is passed."""
    if not isinstance(data, dict | list):
        return "wide" if isinstance(data, float) and abs(data) >= _WIDE and data.is_integer() else None
    stack: list[tuple[Any, int]] = [(data, 1)]
    values = 0
    wide = False
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        if depth > MAX_JSON_DEPTH:
            return "deep"
        values += len(children)
        if values > MAX_RECORD_VALUES:
            return "many"
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
            elif isinstance(child, float) and abs(child) >= _WIDE and child.is_integer():
                wide = True
    return "wide" if wide else None


class _WideInteger(Exception):
    def __init__(self, text: str) -> None:
        self.text = text


def _check_integer(text: str) -> int:
    number = int(text)
    if number not in _INT_RANGE:
        raise _WideInteger(text)
    return number


def _wide_integer(body: bytes, data: Any) -> BodyProblem | None:
    """A 422 for an integer literal outside 64 bits, which orjson read as an inexact float. Only called when
    such a float is there (``1e20`` written as a float is fine); the body is known to be bounded JSON."""
    try:
        json.loads(body, parse_int=_check_integer)
    except _WideInteger as exc:
        shown = exc.text if len(exc.text) <= 40 else f"{exc.text[:20]}...{exc.text[-10:]}"
        pointer = _pointer_of(data, float(int(exc.text)))
        return BodyProblem(
            422,
            "Invalid record",
            f"the integer {shown} is outside the 64-bit range a record can keep "
            f"({-(2**63)} to {2**64 - 1}); send it as a string",
            pointer=pointer,
        )
    return None


def _pointer_of(data: Any, target: float) -> str:
    """The JSON pointer of the first value equal to ``target`` (the inexact float of a wide integer)."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, pointer = stack.pop()
        if isinstance(value, float) and value == target:
            return pointer
        if isinstance(value, dict):
            items: Any = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        for key, child in reversed(list(items)):
            stack.append((child, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"))
    return ""
