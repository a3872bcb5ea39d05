"""One way to write a date or a time, wherever a response carries one: RFC 3339.

An instant is ``2025-10-30T14:10:51.528707+00:00`` (``T`` between date and time, the zone always written, the
fraction of a second only when there is one), a date ``2025-10-30``, a time of day ``14:10:51``. Faker's
datetimes carry no zone: they are taken as UTC, the zone of mockery's pinned clock. The same text comes out
of a JSON body (orjson writes aware datetimes so; ``fakes.json_default`` the rest), a header, a resource field
and a string around it (``"at {{ now() }}"``); ``strftime`` gives any other format.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable
from typing import Any

DATE_TYPES = (dt.date, dt.time)  # a datetime is a date


def rfc3339(value: dt.date | dt.time) -> str:
    """``value`` as RFC 3339 text: an instant with its zone (UTC when it has none), a date, a time of day."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return dt.datetime.isoformat(value)
    if isinstance(value, dt.date):
        return dt.date.isoformat(value)
    return dt.time.isoformat(value)


def as_text(value: Any) -> Any:
    """``value``, with a date or time made RFC 3339 text: what a template writes of it."""
    return rfc3339(value) if isinstance(value, DATE_TYPES) else value


def _in_utc(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def aware(*args: Any, **kwargs: Any) -> Any:
        value = function(*args, **kwargs)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value

    return aware


def _utc_by_default(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def with_zone(*args: Any, **kwargs: Any) -> Any:
        if not args:
            kwargs.setdefault("tzinfo", dt.UTC)
        return function(*args, **kwargs)

    return with_zone


def utc_datetimes(generator: Any, names: frozenset[str]) -> None:
    """Make the providers of ``generator`` that give a datetime give it in UTC when they would give it without
    a zone, and ``iso8601`` write the zone: the same instants (the same random draws), with their zone."""
    for name in names:
        method = getattr(generator, name, None)
        if method is None:
            continue
        try:
            returns = inspect.signature(method).return_annotation
        except (TypeError, ValueError):
            continue
        if name == "iso8601":
            setattr(generator, name, _utc_by_default(method))
        elif returns is dt.datetime or returns == "datetime":
            setattr(generator, name, _in_utc(method))


__all__ = ["DATE_TYPES", "as_text", "rfc3339", "utc_datetimes"]
