"""What templates call ``faker``: the provider methods of one Faker generator, with their size arguments
bounded (``faker.paragraphs(nb=10**7)`` is refused before Faker starts on it)."""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Iterable
from typing import Any

from faker import Faker

from mockery.templates.limits import MAX_SIZE_ARGUMENT, RenderLimitError, check_size, check_width

# The parameters of Faker providers that say how much to make.
SIZE_PARAMETERS = frozenset(
    {
        "nb",
        "nb_words",
        "nb_sentences",
        "nb_texts",
        "nb_elements",
        "max_nb_chars",
        "min_chars",
        "max_chars",
        "length",
        "max_length",
        "size",
        "count",
        "digits",
        "left_digits",
        "right_digits",
        "num_rows",
        "num_files",
        "uncompressed_size",
    }
)


class FakerMethod:
    """A Faker provider method as templates see it: callable, with size arguments bounded."""

    __slots__ = ("_signature", "function")

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        signature = _signature(function)
        # Most providers (name, email, city, ...) take no size argument: they need no check per call.
        sized = signature is not None and bool(SIZE_PARAMETERS & set(signature.parameters))
        self._signature = signature if sized else None

    def check(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if self._signature is None:
            return
        try:
            # Jinja passes its own bookkeeping to every call in a loop or block; the provider never sees it.
            given = {k: v for k, v in kwargs.items() if k not in ("_loop_vars", "_block_vars")}
            bound = self._signature.bind(*args, **given)
        except TypeError as exc:
            raise RenderLimitError(f"bad arguments: {exc}") from None
        for name, value in bound.arguments.items():
            if name not in SIZE_PARAMETERS:
                continue
            if isinstance(value, int) and value > MAX_SIZE_ARGUMENT:
                raise RenderLimitError(f"{name}={value} is over the limit of {MAX_SIZE_ARGUMENT}")
            if isinstance(value, (tuple, list)) and all(isinstance(item, int) for item in value):
                # A size such as an image's (width, height): each side bounded, and their product.
                for item in value:
                    check_width(item, name)
                check_size(math.prod(value))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)


def _signature(function: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):
        return None


class ProviderNames(frozenset[str]):
    """The Faker providers of one locale: a set of names that knows its locale, so that a check of a call can
    read the provider's signature."""

    locale: str

    def __new__(cls, names: Iterable[str], locale: str) -> ProviderNames:
        made = super().__new__(cls, names)
        made.locale = locale
        return made


@functools.cache
def _locale_generator(locale: str) -> Any:
    return Faker(locale, use_weighting=False).factories[0]


@functools.cache
def provider_signature(locale: str, name: str) -> inspect.Signature | None:
    """The signature of provider ``name`` of ``locale`` as templates call it (bound: no ``self``), or ``None``
    when it has none to read. Computed once per provider."""
    try:
        return inspect.signature(getattr(_locale_generator(locale), name))
    except (TypeError, ValueError, AttributeError):
        return None


class FakerProxy:
    """What templates call ``faker``: the provider methods of one Faker generator, and nothing else."""

    __slots__ = ("_generator", "_methods", "_names")

    def __init__(self, generator: Any, names: frozenset[str]) -> None:
        self._generator = generator
        self._names = names
        # Wrapped on first use: a locale has ~280 providers, a spec calls a handful, and start-up matters.
        self._methods: dict[str, FakerMethod] = {}

    def __getattr__(self, name: str) -> Any:
        method = self._methods.get(name)
        if method is None:
            if name not in self._names:
                raise AttributeError(f"unknown Faker provider {name!r}")
            method = self._methods[name] = FakerMethod(getattr(self._generator, name))
        return method


__all__ = ["SIZE_PARAMETERS", "FakerMethod", "FakerProxy", "ProviderNames", "provider_signature"]
