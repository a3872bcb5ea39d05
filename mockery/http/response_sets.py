"""Several responses for one route: answered in sequence, in a cycle, or at random by weight.

A response with a ``when:`` condition answers whenever it holds (the first such, in order); the others are
picked by the mode. The position of a sequence is a counter in the store, moved with its atomic
``increment``, so it resets with everything else and a shared store shares it.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from mockery.http.conditions import NO_CONDITIONS, Conditions, RequestView
from mockery.http.response_spec import ResponseSpec
from mockery.store import Store

Mode = Literal["sequence", "cycle", "random"]


@dataclass(frozen=True, slots=True)
class ResponseOption:
    response: ResponseSpec
    weight: float = 1.0
    when: Conditions = NO_CONDITIONS


@dataclass(frozen=True, slots=True)
class ResponseSet:
    """The responses of a route: ``conditional`` ones (with ``when:``) first, then ``plain`` ones by ``mode``."""

    mode: Mode
    conditional: tuple[ResponseOption, ...]
    plain: tuple[ResponseOption, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, mode: Mode, options: tuple[ResponseOption, ...]) -> ResponseSet:
        plain = tuple(option for option in options if not option.when)
        return cls(
            mode,
            tuple(option for option in options if option.when),
            plain,
            tuple(itertools.accumulate(option.weight for option in plain)),
        )

    @property
    def all(self) -> tuple[ResponseOption, ...]:
        return (*self.conditional, *self.plain)

    def choose(self, view: RequestView, store: Store, counter: str, draw: Callable[[], random.Random]) -> ResponseSpec:
        """The response for this request. ``counter`` is the route's store key; ``draw`` a seeded generator."""
        for option in self.conditional:
            if option.when.holds(view):
                return option.response
        if len(self.plain) == 1:
            return self.plain[0].response
        if self.mode == "random":
            weights = self.cumulative
            point = draw().random() * weights[-1]
            return self.plain[min(bisect.bisect_right(weights, point), len(self.plain) - 1)].response
        position = store.increment(counter) - 1
        if self.mode == "cycle":
            return self.plain[position % len(self.plain)].response
        return self.plain[min(position, len(self.plain) - 1)].response
