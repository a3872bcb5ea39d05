"""Route path syntax (Starlette's): checked at load time with located messages, normalised for conflicts."""

from __future__ import annotations

import re  # re-ok: fixed patterns, none supplied by a client or a spec

from starlette.convertors import CONVERTOR_TYPES

from mockery.suggest import did_you_mean

_PARAMETER = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED_PREFIX = "/__mockery"


def path_problems(path: str) -> list[tuple[str, str | None]]:
    """Every problem with ``path`` as (message, suggestion)."""
    problems: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for match in _PARAMETER.finditer(path):
        name, _, convertor = match.group(1).partition(":")
        if not _NAME.match(name):
            problems.append((f"{match.group(0)!r} is not a valid parameter", "use {name} or {name:int}"))
            continue
        if convertor and convertor not in CONVERTOR_TYPES:
            suggestion = did_you_mean(convertor, CONVERTOR_TYPES) or f"use one of: {', '.join(CONVERTOR_TYPES)}"
            problems.append((f"unknown parameter type {convertor!r} in {match.group(0)!r}", suggestion))
        if name in seen:
            problems.append((f"parameter {name!r} appears twice", "give each parameter its own name"))
        seen.add(name)
    leftover = _PARAMETER.sub("", path)
    if "{" in leftover or "}" in leftover:
        problems.append(("unbalanced '{' or '}'", "parameters look like {name} or {name:int}"))
    if "?" in path or "#" in path:
        problems.append(("a path cannot hold a query or fragment", "match the query with parameters in templates"))
    if is_reserved(path):
        problems.append((RESERVED_MESSAGE, None))
    return problems


RESERVED_MESSAGE = f"paths under {RESERVED_PREFIX} are reserved for mockery itself"


def is_reserved(path: str) -> bool:
    """Whether ``path`` lies under the admin API's prefix, which no spec may claim."""
    return path == RESERVED_PREFIX or path.startswith(RESERVED_PREFIX + "/")


def shape(path: str) -> str:
    """The path with parameter names dropped: two routes of the same shape and method claim the same requests."""

    def normalise(match: re.Match[str]) -> str:
        convertor = match.group(1).partition(":")[2] or "str"
        return "{:" + convertor + "}"

    return _PARAMETER.sub(normalise, path)


def join(base_path: str, path: str) -> str:
    """A route's full path under its service's base path."""
    return base_path.rstrip("/") + path if base_path else path
