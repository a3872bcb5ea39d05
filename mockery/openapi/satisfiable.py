"""Schemas no value can satisfy: found once at load time, reported, and kept out of generated data.

Real documents hold schemas that contradict themselves: an ``allOf`` of an object type and a string type,
``type: string`` with an ``enum`` of integers, a subtype whose ``allOf`` gives a required property two
disjoint types. Generating "something" for them would only hide the mistake behind a body that fails its own
schema. Instead each such schema is named in a located warning when the document loads, the generator leaves
out optional properties, array items and ``oneOf``/``anyOf`` branches that cannot exist, and what remains
(a required part that cannot exist) is reported rather than papered over.

The check is deliberately partial: it finds contradictions between ``type``, ``enum``/``const`` and the
required properties and items of ``allOf`` parts, which is what documents get wrong in practice. A schema it
does not prove impossible is taken as satisfiable.
"""

from __future__ import annotations

import random
from typing import Any

from mockery.openapi.formats import FORMAT_CHECKER
from mockery.openapi.patterns import matching_string
from mockery.source.document import DocPath

_CACHE_LIMIT = 50_000
_SAMPLES = 12
_ALL_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object", "null"})
_PYTHON_TYPE = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}
# Keywords under which a schema holds schemas that the load-time walk also checks, one location each.
_CHILD_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")
_CHILD_MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
_CHILD_NAMED = ("properties", "patternProperties", "$defs", "dependentSchemas")


class Satisfiability:
    """Answers "can any value satisfy this schema?" for the schemas of one document, with the reason when not.

    ``resolve`` follows a ``$ref`` (to the referenced schema, or ``{}`` when there is none); results are
    cached by schema object, since the same component is asked about from many places.
    """

    def __init__(self, resolve: Any) -> None:
        self._resolve = resolve
        self._cache: dict[int, str | None] = {}
        self._keep: list[Any] = []  # keeps cached schemas alive, so that their ids stay theirs

    def target(self, ref: str) -> Any:
        """The schema ``ref`` points to."""
        return self._resolve(ref)

    def reason(self, schema: Any) -> str | None:
        """Why no value satisfies ``schema``, or ``None`` when one may."""
        return self._reason(schema, ())

    def _reason(self, schema: Any, seen: tuple[str, ...]) -> str | None:
        if schema is False:
            return "the schema is 'false'"
        if not isinstance(schema, dict):
            return None
        key = id(schema)
        if key in self._cache:
            return self._cache[key]
        parts = self._conjunction(schema, seen)
        if parts is None:  # a cycle: assume satisfiable rather than loop
            return None
        result = self._check(parts, seen + tuple(p["$ref"] for p in parts if isinstance(p.get("$ref"), str)))
        if len(self._cache) > _CACHE_LIMIT:  # schemas merged at request time are new objects each time
            self._cache.clear()
            self._keep.clear()
        self._cache[key] = result
        self._keep.append(schema)
        return result

    def _conjunction(
        self, schema: dict[str, Any], seen: tuple[str, ...], depth: int = 0
    ) -> list[dict[str, Any]] | None:
        """Every schema ``schema`` requires at once: itself, its ``$ref`` target and its ``allOf`` parts."""
        if depth > 32:
            return None
        parts: list[dict[str, Any]] = []
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref in seen:
                return None
            target = self._resolve(ref)
            if isinstance(target, dict):
                inner = self._conjunction(target, (*seen, ref), depth + 1)
                if inner is None:
                    return None
                parts.extend(inner)
        parts.append(schema)
        for part in schema.get("allOf", []) if isinstance(schema.get("allOf"), list) else []:
            if part is False:
                parts.append({"not": {}})
            elif isinstance(part, dict):
                inner = self._conjunction(part, seen, depth + 1)
                if inner is None:
                    return None
                parts.extend(inner)
        return parts

    def _check(self, parts: list[dict[str, Any]], seen: tuple[str, ...]) -> str | None:
        types = set(_ALL_TYPES)
        declared: list[str] = []
        for part in parts:
            kinds = _types(part.get("type"))
            if kinds is not None:
                declared.append("|".join(sorted(kinds)))
                types &= _widen(kinds)
        if not types:
            return "allOf needs a value of type " + " and of type ".join(dict.fromkeys(declared))
        for part in parts:
            options = [part["const"]] if "const" in part else part.get("enum")
            if isinstance(options, list) and not any(_of_types(option, types) for option in options):
                shown = ", ".join(repr(option) for option in options[:4]) + (", ..." if len(options) > 4 else "")
                return f"type {' or '.join(sorted(types))} but the allowed values are {shown}"
        enums = [p["enum"] for p in parts if isinstance(p.get("enum"), list)]
        if len(enums) > 1 and not [option for option in enums[0] if all(option in other for other in enums[1:])]:
            return "allOf allows no value: its enums have none in common"
        if types <= {"string", "null"} and "null" not in types:
            clash = _pattern_format_clash(parts)
            if clash:
                return clash
        for part in parts:
            for keyword in ("oneOf", "anyOf"):
                branches = part.get(keyword)
                if isinstance(branches, list) and branches:
                    reasons = [self._reason(branch, seen) for branch in branches]
                    if all(reasons):
                        return f"no branch of {keyword} can hold a value ({reasons[0]})"
        if "object" in types and types <= {"object", "null"} and "null" not in types:
            found = self._properties(parts, seen)
            if found:
                return found
        if types == {"array"}:
            low = max((p["minItems"] for p in parts if isinstance(p.get("minItems"), int)), default=0)
            if low > 0:
                for part in parts:
                    if "items" in part:
                        why = self._reason(part["items"], seen)
                        if why:
                            return f"at least {low} items are required, and no item can exist: {why}"
        return None

    def _properties(self, parts: list[dict[str, Any]], seen: tuple[str, ...]) -> str | None:
        required: list[str] = []
        for part in parts:
            if isinstance(part.get("required"), list):
                required.extend(name for name in part["required"] if isinstance(name, str))
        for name in dict.fromkeys(required):
            subs = [
                p["properties"][name]
                for p in parts
                if isinstance(p.get("properties"), dict) and name in p["properties"]
            ]
            if not subs:
                continue
            why = self._reason(subs[0] if len(subs) == 1 else {"allOf": subs}, seen)
            if why:
                return f"required property {name!r}: {why}"
        return None


def impossible_schemas(check: Satisfiability, roots: list[tuple[DocPath, Any]]) -> list[tuple[DocPath, str]]:
    """Where the impossible schemas below ``roots`` are: the outermost one on each branch, with its reason.

    A ``$ref`` is not followed (its target is checked where it is written); a schema found impossible is
    reported and not descended into, so that one mistake gives one warning.
    """
    found: list[tuple[DocPath, str]] = []
    stack = list(reversed(roots))
    while stack:
        path, schema = stack.pop()
        if not isinstance(schema, dict):
            continue
        why = check.reason(schema)
        if why:
            ref = schema.get("$ref")
            if not (isinstance(ref, str) and check.reason(check.target(ref))):  # else reported at its target
                found.append((path, why))
            continue
        children: list[tuple[DocPath, Any]] = []
        for key in _CHILD_ONE:
            if isinstance(schema.get(key), dict):
                children.append(((*path, key), schema[key]))
        for key in _CHILD_MANY:
            if isinstance(schema.get(key), list):
                children.extend(((*path, key, index), item) for index, item in enumerate(schema[key]))
        for key in _CHILD_NAMED:
            if isinstance(schema.get(key), dict):
                children.extend(((*path, key, name), item) for name, item in schema[key].items())
        stack.extend(reversed(children))
    return found


def _pattern_format_clash(parts: list[dict[str, Any]]) -> str | None:
    """A ``pattern`` whose strings never have the ``format`` (a time-of-day pattern on a ``date-time``).

    Judged by sampling: when none of a few strings drawn from the pattern has the format, they are taken to
    exclude each other. A sample can miss a rare match, so the message says how it was judged.
    """
    patterns = [p["pattern"] for p in parts if isinstance(p.get("pattern"), str)]
    formats = [
        p["format"] for p in parts if isinstance(p.get("format"), str) and p["format"] in FORMAT_CHECKER.checkers
    ]
    if not patterns or not formats:
        return None
    source = random.Random(0)
    samples = [matching_string(patterns[0], source) for _ in range(_SAMPLES)]
    if any(FORMAT_CHECKER.conforms(sample, formats[0]) for sample in samples if sample):
        return None
    return f"none of {_SAMPLES} strings matching the pattern {patterns[0]!r} is a {formats[0]}"


def _types(value: Any) -> set[str] | None:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {kind for kind in value if isinstance(kind, str)}
    return None


def _widen(kinds: set[str]) -> set[str]:
    """An integer is a number: a ``number`` part admits what an ``integer`` part does."""
    return kinds | {"integer"} if "number" in kinds else kinds


def _of_types(value: Any, types: set[str]) -> bool:
    for kind in types:
        if kind in ("integer", "number") and isinstance(value, bool):
            continue
        if kind == "integer" and isinstance(value, float) and value.is_integer():
            return True
        if isinstance(value, _PYTHON_TYPE[kind]):
            return True
    return False
