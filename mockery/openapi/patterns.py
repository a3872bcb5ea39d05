"""Strings that really match a schema's ``pattern``, drawn from the request's seeded random source.

Generation is rstr's ``xeger`` (it walks Python's own parse of the regex), so every construct Python's ``re``
understands is covered; lookaheads it cannot honour by construction are met by drawing again and checking.
Patterns written JavaScript-style with slashes (``/^a+$/``) are unwrapped first, as OpenAPI tools do.
"""

from __future__ import annotations

import functools
import random
import re  # re-ok: generation from a document's pattern (rstr walks re's parse); matching uses RE2

import rstr

ATTEMPTS = 20


def python_pattern(pattern: str) -> str:
    """``/^a+$/`` -> ``^a+$``: the slashes some documents wrap ECMA-262 patterns in are not part of them."""
    if len(pattern) >= 2 and pattern.startswith("/") and pattern.endswith("/"):
        return pattern[1:-1]
    return pattern


# ECMA-262 reads ``[\w- ]`` as a class holding ``-``; Python refuses it as a bad range.
_CLASS_DASH = re.compile(r"(\\[dDwWsS])-(?!\])")


@functools.lru_cache(maxsize=1024)
def compiled(pattern: str) -> re.Pattern[str] | None:
    """The compiled pattern, or ``None`` when Python cannot read it (such a pattern constrains nothing here).
    A ``-`` right after a class escape in a character class is read as ECMA-262 reads it: a literal dash."""
    for text in (python_pattern(pattern), _CLASS_DASH.sub(r"\1\\-", python_pattern(pattern))):
        try:
            return re.compile(text)
        except re.error:
            continue
    return None


def matching_string(pattern: str, source: random.Random, min_length: int = 0, max_length: int | None = None) -> str:
    """A string ``re.search`` finds ``pattern`` in, within the length bounds when the pattern allows it."""
    regex = compiled(pattern)
    if regex is None:
        return ""
    generator = rstr.Rstr(source)
    lookaheads = _lookaheads(regex.pattern)
    best = ""
    for _ in range(ATTEMPTS):
        try:
            # A lookahead consumes nothing, so xeger leaves it out: what each asks for is put in front.
            candidate = "".join(generator.xeger(inner) for inner in lookaheads) + generator.xeger(regex.pattern)
        except Exception:  # rstr raises on constructs it cannot expand (backreferences to nothing, ...)
            break
        if regex.search(candidate) is None:
            continue
        best = candidate
        if len(candidate) >= min_length and (max_length is None or len(candidate) <= max_length):
            return candidate
    return best


def _lookaheads(pattern: str) -> list[str]:
    """The bodies of the top-level ``(?=...)`` groups of ``pattern`` (``.*`` in front of each dropped)."""
    found: list[str] = []
    index = 0
    while (start := pattern.find("(?=", index)) != -1:
        depth, end = 0, start
        while end < len(pattern):
            char = pattern[end]
            if char == "\\":
                end += 2
                continue
            depth += char == "("
            depth -= char == ")"
            if depth == 0:
                break
            end += 1
        body = pattern[start + 3 : end]
        found.append(body[2:] if body.startswith(".*") else body)
        index = end + 1
    return found
