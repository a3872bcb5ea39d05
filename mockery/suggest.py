"""Nearest valid names for a mistyped one: the "did you mean" in error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate most like ``word`` (case-insensitively), or ``None`` when none is close."""
    pool = list(candidates)
    lowered = {candidate.lower(): candidate for candidate in pool}
    if word.lower() in lowered:
        return lowered[word.lower()]
    matches = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[matches[0]] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """``"did you mean 'email'?"`` when a candidate is close to ``word``."""
    match = closest(word, candidates)
    return f"did you mean {match!r}?" if match is not None and match != word else None
