"""Seed records read from a big JSONL file when they are needed, through an index of line offsets.

A JSONL data file past ``LAZY_BYTES`` is not loaded: one pass notes where each record's line starts (8 bytes
a record, plus its line number), and record *i* is read again (one ``pread`` and a parse) when the
collection needs it, so a 100 MB file costs the index, not 100 MB of records. Its ids are kept apart: a
``range`` when they are 1, 2, 3, ... (nothing to keep), else the list of ids.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

import orjson

LAZY_BYTES = 16 * 1024 * 1024


class Unreadable:
    """A line of the file that is not JSON: where, and why (what iterating the file yields for it)."""

    __slots__ = ("column", "message")

    def __init__(self, message: str, column: int) -> None:
        self.message = message
        self.column = column


class LazyRecords(Sequence[Any]):
    """The records of a JSONL file, read on demand by index; iterating reads the file once, in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offsets = array("q")
        self.lines = array("q")
        self.numbered = False  # records without ids: record i gets id i + 1
        self.ids: Sequence[Any] = ()
        offset = 0
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                if raw.strip():
                    self.offsets.append(offset)
                    self.lines.append(number)
                offset += len(raw)
        self._ends = self.offsets[1:]  # where each record's text ends
        self._ends.append(offset)
        self._fd: int | None = None

    def __repr__(self) -> str:
        return f"LazyRecords({self.path.name!r}, {len(self)} records)"

    def __len__(self) -> int:
        return len(self.offsets)

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY)
        start = self.offsets[index]
        record = orjson.loads(os.pread(self._fd, self._ends[index] - start, start))
        if self.numbered and isinstance(record, dict):
            record["id"] = index + 1
        return record

    def __iter__(self) -> Iterator[Any]:
        with self.path.open("rb") as handle:
            for raw in handle:
                if not raw.strip():
                    continue
                try:
                    yield orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    yield Unreadable(f"not JSON: {exc.msg}", exc.colno)

    def __del__(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
