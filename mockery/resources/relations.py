"""Relations between collections: refs pinned to their parents, and what deleting a parent does.

``per_parent: 3..7`` hands the records out to the parents in order: parent 1 gets the first k1 records, parent
2 the next k2, each k drawn from the seed, so "post 1 has comments 1-5" holds in every process and ``_embed``
and nested lists agree with the records' own ref values. ``on_delete`` is a real database's integrity rule:
``cascade`` deletes the records that ref a deleted parent, ``set_null`` clears their ref, ``restrict`` refuses
to delete a parent that still has some (409, naming them).
"""

from __future__ import annotations

import bisect
import random
import threading
from collections.abc import Callable
from typing import Any

from mockery.resources.generate import IdCodec, RecordId
from mockery.templates.fakes import derive_seed


class Distribution:
    """Which parent record *n* of a collection belongs to, under ``per_parent: low..high``."""

    def __init__(self, low: int, high: int, seed: int, parents: Callable[[], tuple[int, IdCodec] | None]) -> None:
        self.low, self.high, self.seed = low, high, seed
        self._parents = parents
        self._ends: list[int] = []  # the last record number of each parent, in parent order
        self._lock = threading.Lock()  # the worker thread that scans big collections draws too

    def __repr__(self) -> str:
        return f"Distribution({self.low}..{self.high})"

    def parent_of(self, number: int) -> RecordId | None:
        """The id of the parent of record ``number``; ``None`` past the last parent's share."""
        target = self._parents()
        if target is None:
            return None
        count, codec = target
        with self._lock:
            while (not self._ends or self._ends[-1] < number) and len(self._ends) < count:
                share = random.Random(derive_seed(self.seed, len(self._ends) + 1)).randint(self.low, self.high)
                self._ends.append((self._ends[-1] if self._ends else 0) + share)
            index = bisect.bisect_left(self._ends, number)
            if index >= len(self._ends):
                return None
        return codec.id_for(index + 1)


def describe_ids(ids: list[Any], shown: int = 10) -> str:
    """``1, 2, 3`` (and how many more)."""
    text = ", ".join(map(str, ids[:shown]))
    return f"{text} and {len(ids) - shown} more" if len(ids) > shown else text
