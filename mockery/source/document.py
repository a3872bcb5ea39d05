"""A loaded spec document: plain JSON-like data plus where each value was written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DocPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in a file."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class ScalarSource:
    """How a string was written, so that errors inside a multi-line template can name the file line."""

    position: Position
    block: bool  # a literal (|) or folded (>) block: its text starts on the line after the indicator


@dataclass(frozen=True, slots=True)
class Document:
    """Data of one spec file, with the position of every value and every mapping key."""

    file: Path
    display_name: str
    data: Any
    positions: Mapping[DocPath, Position] = field(default_factory=dict)
    key_positions: Mapping[DocPath, Position] = field(default_factory=dict)
    scalars: Mapping[DocPath, ScalarSource] = field(default_factory=dict)

    def position(self, path: DocPath, *, key: bool = False) -> Position:
        """Where ``path`` was written; the key's position when ``key``; else the nearest written ancestor."""
        if key and path in self.key_positions:
            return self.key_positions[path]
        probe = path
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.positions.get((), Position(1, 1))

    def template_line(self, path: DocPath, template_line: int) -> Position:
        """The file position of line ``template_line`` (1-based) of the string at ``path``."""
        source = self.scalars.get(path)
        if source is None:
            return self.position(path)
        if source.block:
            return Position(source.position.line + template_line, source.position.column)
        if template_line == 1:
            return source.position
        return Position(source.position.line + template_line - 1, 1)


def format_path(path: DocPath) -> str:
    """``('routes', 0, 'response', 'status')`` -> ``routes[0].response.status``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out:
            out.append(f".{part}")
        else:
            out.append(part)
    return "".join(out)
