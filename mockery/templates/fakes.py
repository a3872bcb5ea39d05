"""Seeded, realistic fake data: Faker generators, seeds, the clock, and the per-service template context.

Determinism rests on two rules. Every random choice comes from one ``random.Random`` per Faker generator,
reseeded before each render from a seed that is a pure function of (seed, service, route, request). And time
comes from a ``Clock`` that is pinned unless the user asks for the system clock.
"""

from __future__ import annotations

import _random
import base64
import contextvars
import datetime as dt
import functools
import hashlib
import random as random_module
import uuid as uuid_module
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from faker import Faker
from faker.config import AVAILABLE_LOCALES

from mockery.templates.dates import DATE_TYPES, rfc3339, utc_datetimes
from mockery.templates.environment import FakerProxy
from mockery.templates.faker_calls import ProviderNames

DEFAULT_LOCALE = "en_US"
DEFAULT_CLOCK = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

# Provider methods that are not data generators, return bytes or files, or need optional packages.
_EXCLUDED_PROVIDERS = frozenset(
    {
        "binary",
        "image",
        "json_bytes",
        "pyiterable",
        "pyobject",
        "pyset",
        "pystruct",
        "tar",
        "time_series",
        "xml",
        "zip",
        "seed",
        "seed_instance",
        "seed_locale",
        "add_provider",
        "get_providers",
        "get_formatter",
        "set_formatter",
        "set_arguments",
        "del_arguments",
        "get_arguments",
        "format",
        "parse",
        "provider",
    }
)


_CURRENT_CLOCK: contextvars.ContextVar[Clock | None] = contextvars.ContextVar("mockery_clock", default=None)


class _ClockAware(type):
    """Lets the pinned classes below stand in for datetime and date in ``isinstance`` checks."""

    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, cls.__mro__[1])


class _PinnedDatetime(dt.datetime, metaclass=_ClockAware):
    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
        clock = _CURRENT_CLOCK.get()
        if clock is None or clock.pinned is None:
            return dt.datetime.now(tz)
        # Faker works in naive local time when no zone is given: give it the pinned instant in UTC.
        return clock.pinned.astimezone(tz) if tz is not None else clock.pinned.astimezone(dt.UTC).replace(tzinfo=None)


class _PinnedDate(dt.date, metaclass=_ClockAware):
    @classmethod
    def today(cls) -> dt.date:  # type: ignore[override]
        return _PinnedDatetime.now().date()


@functools.cache
def _pin_faker_clock() -> None:
    """Make Faker's relative dates ("-30y", ``past_date()``, ``date_of_birth()``) follow mockery's clock.

    Faker reads the system clock inside its date provider. Its ``datetime`` and ``date`` names are swapped,
    once, for subclasses that ask the clock of the render in progress; outside a mockery render (no clock
    in the context) they answer exactly as before, so other users of Faker in the process see no change.
    """
    from faker.providers import date_time

    date_time.datetime = _PinnedDatetime  # type: ignore[attr-defined]
    date_time.dtdate = _PinnedDate  # type: ignore[attr-defined]


def use_clock(clock: Clock) -> None:
    """Make ``clock`` the time of Faker's date providers for the rest of the current context (one request)."""
    _CURRENT_CLOCK.set(clock)


def faker_version() -> str:
    """The version of the Faker generating the values: a Faker release may change them (``--version``, health)."""
    import faker

    return str(faker.VERSION)


def available_locales() -> tuple[str, ...]:
    """Every locale Faker ships."""
    return tuple(AVAILABLE_LOCALES)


def new_generator(locale: str) -> Any:
    """A Faker generator with a random source of its own. Costs ~20 ms: build once, reseed per render."""
    # Unweighted name choice is ~10x faster and still draws from the locale's real names.
    _pin_faker_clock()
    generator = Faker(locale, use_weighting=False).factories[0]
    generator.seed_instance(0)
    utc_datetimes(generator, provider_names(locale))
    return generator


@functools.cache
def provider_names(locale: str) -> ProviderNames:
    """The Faker providers templates may call for ``locale``."""
    generator = Faker(locale, use_weighting=False).factories[0]
    names = set()
    for provider in generator.get_providers():
        for name in dir(provider):
            if not name.startswith("_") and name not in _EXCLUDED_PROVIDERS and callable(getattr(provider, name)):
                names.add(name)
    return ProviderNames(names, locale)


def derive_seed(*parts: object) -> int:
    """A 64-bit seed from ``parts``, the same in every process and on every machine (unlike ``hash``)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class Clock:
    """Where ``now()`` in templates gets the time: pinned (the default) or the system clock."""

    def __init__(self, pinned: dt.datetime | None = DEFAULT_CLOCK) -> None:
        self.pinned = pinned

    def now(self) -> dt.datetime:
        return self.pinned if self.pinned is not None else dt.datetime.now(dt.UTC)

    @classmethod
    def parse(cls, text: str) -> Clock:
        """``system``, or an ISO 8601 instant such as ``2026-03-01T12:00:00Z`` (UTC when no offset is given)."""
        if text == "system":
            return cls(None)
        instant = dt.datetime.fromisoformat(text)
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=dt.UTC)
        return cls(instant)

    def __repr__(self) -> str:
        return f"Clock({self.pinned.isoformat() if self.pinned else 'system'})"


class SeededRandom:
    """What templates call ``random``: a few drawing methods over the service's seeded source."""

    __slots__ = ("_random",)

    def __init__(self, source: random_module.Random) -> None:
        self._random = source

    def random(self) -> float:
        return self._random.random()

    def randint(self, low: int, high: int) -> int:
        return self._random.randint(low, high)

    def uniform(self, low: float, high: float) -> float:
        return self._random.uniform(low, high)

    def choice(self, options: Sequence[Any]) -> Any:
        return self._random.choice(options)

    def sample(self, options: Sequence[Any], count: int) -> list[Any]:
        return self._random.sample(options, min(count, len(options)))


@dataclass(slots=True)
class ServiceRandomness:
    """A service's seeded generators and the template globals bound to them."""

    seed: int
    source: random_module.Random
    globals: dict[str, Any]
    clock: Clock

    def reseed(self, seed: int) -> None:
        """Prepare one render: the seed of its random choices, and the clock of its Faker dates."""
        source = self.source
        if type(source) is random_module.Random and type(seed) is int:
            # What Random.seed does for an int, without its checks of other kinds of seed: the same state.
            _seed_generator(source, seed)
            source.gauss_next = None  # type: ignore[attr-defined]
        else:
            source.seed(seed)
        use_clock(self.clock)


_seed_generator = _random.Random.seed


def service_randomness(seed: int, generator: Any, locale: str, clock: Clock) -> ServiceRandomness:
    """Template globals for a service whose Faker generator is ``generator``."""
    source: random_module.Random = generator.random

    def new_uuid() -> str:
        return str(uuid_module.UUID(int=source.getrandbits(128), version=4))

    variables: dict[str, Any] = {
        "faker": FakerProxy(generator, provider_names(locale)),
        "uuid": new_uuid,
        "now": clock.now,
        "random": SeededRandom(source),
    }
    return ServiceRandomness(seed, source, variables, clock)


def json_default(value: Any) -> Any:
    """Turn what templates and Faker return into something JSON can carry (orjson's ``default``)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, DATE_TYPES):  # what orjson does not write itself (Faker's own datetime class)
        return rfc3339(value)
    if isinstance(value, (dt.timedelta,)):
        return value.total_seconds()
    if value is None or type(value).__name__.endswith("Undefined"):
        return None
    return str(value)
