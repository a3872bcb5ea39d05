"""Realistic values from JSON Schema: what an OpenAPI mock answers when the document gives no example.

Every choice comes from one seeded ``random.Random`` and one Faker generator seeded from it, so the same seed
gives the same value. The generator aims at values that validate: bounds, lengths, ``multipleOf``, patterns
(through :mod:`mockery.openapi.patterns`), formats, ``allOf`` (merged into one schema), ``oneOf``/``anyOf``
(a branch is drawn, and kept only if the whole schema accepts the value) and discriminators. Recursion is
bounded: inside a cycle of ``$ref`` s, or past a depth, only what the schema requires is generated.
Strings with no format or pattern get Faker values chosen from the property name (:mod:`.names`).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import math
import random
import uuid
from collections.abc import Callable
from typing import Any, Literal, TypeGuard

import orjson

from mockery.openapi.document import OpenAPIDocument, ref_path
from mockery.openapi.names import (
    FORMAT_ALIASES,
    FORMAT_PROVIDERS,
    GENERIC,
    canonical,
    faker_provider,
    number_range,
    provider_maker,
    string_maker,
)
from mockery.openapi.patterns import matching_string
from mockery.words import singular

Direction = Literal["response", "request"]
Tally = Callable[[str, str], None]
"""Told ``(property name, rule)`` for each named string generated: which rule made it (``example``, ``const``,
``enum``, ``pattern``, ``format``, ``name``) or ``word``, the fallback of a name that says nothing."""
LEAN_DEPTH = 5  # past this many nested objects/arrays only what is required is generated
MAX_DEPTH = 24  # a schema that requires deeper nesting than this has no finite instance worth the wait
ATTEMPTS = 6

_LOWER = ("minimum", "minLength", "minItems", "minProperties", "exclusiveMinimum", "minContains")
_UPPER = ("maximum", "maxLength", "maxItems", "maxProperties", "exclusiveMaximum", "maxContains")
_DROPPED_ON_MERGE = frozenset({"example", "examples", "discriminator", "$ref", "allOf", "$id", "$schema"})


def _iso_instant(faker: Any, source: random.Random) -> str:
    instant: dt.datetime = faker.date_time_between(start_date="-2y", end_date="now", tzinfo=dt.UTC)
    return instant.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _uuid(faker: Any, source: random.Random) -> str:
    return str(uuid.UUID(int=source.getrandbits(128), version=4))


FORMATS: dict[str, Callable[[Any, random.Random], str]] = {
    **{fmt: provider_maker(provider) for fmt, provider in FORMAT_PROVIDERS.items()},
    **{alias: provider_maker(FORMAT_PROVIDERS[fmt]) for alias, fmt in FORMAT_ALIASES.items()},
    "uuid": _uuid,
    "date-time": _iso_instant,
    "time": lambda faker, source: faker.time() + "Z",
    "duration": lambda faker, source: f"P{source.randint(1, 30)}D",
    "uri-reference": lambda faker, source: faker.uri_path(),
    "iri-reference": lambda faker, source: faker.uri_path(),
    "uri-template": lambda faker, source: faker.url() + "{id}",
    "byte": lambda faker, source: base64.b64encode(source.randbytes(source.randint(6, 24))).decode(),
    "binary": lambda faker, source: faker.pystr(min_chars=8, max_chars=24),
    "password": lambda faker, source: faker.password(length=12),
    "regex": lambda faker, source: "^[a-z]+$",
    "json-pointer": lambda faker, source: "/" + faker.word(),
    "relative-json-pointer": lambda faker, source: "0/" + faker.word(),
}
_IMAGE_WORDS = ("avatar", "image", "img", "photo", "picture", "thumb", "logo", "icon", "banner", "cover")
_INT_FORMATS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


class SchemaGenerator:
    """Generates values for the schemas of one document, from one request's seeded sources.

    ``direction`` says which optional properties make sense: responses leave out ``writeOnly`` ones and
    requests ``readOnly`` ones. With ``use_examples`` (the default) a schema's own valid example is used.
    """

    def __init__(
        self,
        document: OpenAPIDocument,
        source: random.Random,
        faker: Any,
        *,
        direction: Direction = "response",
        use_examples: bool = True,
        tally: Tally | None = None,
    ) -> None:
        self.document = document
        self.source = source
        self.faker = faker
        self.direction = direction
        self.use_examples = use_examples
        self.tally = tally
        self._parent: str | None = None  # the name of the object whose properties are being generated

    def generate(self, schema: Any, name: str | None = None) -> Any:
        """A value for ``schema``; ``name`` is the property (or parameter) name it is for, if any."""
        return self._value(schema, name, 0, (), False)

    # -- dispatch ------------------------------------------------------------------------------------

    def _value(self, schema: Any, name: str | None, depth: int, refs: tuple[str, ...], lean: bool) -> Any:
        if schema is True or schema is None:
            schema = {}
        if not isinstance(schema, dict) or depth > MAX_DEPTH:
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = self.document.resolve({"$ref": ref})
            siblings = {key: value for key, value in schema.items() if key != "$ref"}
            lean = lean or ref in refs
            refs = (*refs, ref)
            schema = self.merge([target, siblings]) if siblings else target
            if not isinstance(schema, dict):
                return self._value(schema, name, depth, refs, lean)
        if self.use_examples:
            found, example = self._example(schema)
            if found:
                return self._told(name, "example", example)
        if isinstance(schema.get("allOf"), list):
            rest = {key: value for key, value in schema.items() if key != "allOf"}
            return self._value(self.merge([*schema["allOf"], rest]), name, depth, refs, lean)
        if "const" in schema:
            return self._told(name, "const", copy.deepcopy(schema["const"]))
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            options = [option for option in schema["enum"] if option is not None] or schema["enum"]
            return self._told(name, "enum", copy.deepcopy(self.source.choice(options)))
        if isinstance(schema.get("oneOf"), list) or isinstance(schema.get("anyOf"), list):
            return self._choice(schema, name, depth, refs, lean)
        mapping = _mapping(schema)
        if mapping:
            dispatched = self._dispatch(schema, mapping, name, depth, refs, lean)
            if dispatched is not None:
                return dispatched
        kind = self._type(schema)
        if kind == "object":
            return self._object(schema, depth, refs, lean or depth >= LEAN_DEPTH, name)
        if kind == "array":
            return self._array(schema, name, depth, refs, lean or depth >= LEAN_DEPTH)
        if kind == "string":
            return self._string(schema, name)
        if kind == "integer":
            return self._integer(schema, name)
        if kind == "number":
            return self._number(schema, name)
        if kind == "boolean":
            return self.source.random() < 0.5
        return None

    def _told(self, name: str | None, rule: str, value: Any) -> Any:
        if self.tally is not None and name and isinstance(value, str):
            self.tally(name, rule)
        return value

    def _type(self, schema: dict[str, Any]) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            options = [option for option in kind if option != "null"]
            return str(self.source.choice(options)) if options else "null"
        if isinstance(kind, str):
            return kind
        if any(key in schema for key in ("properties", "additionalProperties", "required", "patternProperties")):
            return "object"
        if any(key in schema for key in ("items", "prefixItems", "minItems", "maxItems")):
            return "array"
        if any(key in schema for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
            return "integer" if isinstance(schema.get("multipleOf"), int) else "number"
        if schema.get("format") in _INT_FORMATS:
            return "integer"
        return "string"

    def _example(self, schema: dict[str, Any]) -> tuple[bool, Any]:
        candidates: list[Any] = []
        if "example" in schema:
            candidates.append(schema["example"])
        if isinstance(schema.get("examples"), list):
            candidates.extend(schema["examples"])
        for candidate in candidates:
            if self.document.validator(schema).is_valid(candidate):
                return True, copy.deepcopy(candidate)
        return False, None

    # -- composition -----------------------------------------------------------------------------------

    def merge(self, parts: list[Any], depth: int = 0) -> dict[str, Any]:
        """One schema meaning (close enough, for generation) all of ``parts``: ``allOf`` flattened."""
        merged: dict[str, Any] = {}
        for raw in parts:
            part = raw
            if isinstance(part, dict) and isinstance(part.get("$ref"), str):
                siblings = {key: value for key, value in part.items() if key != "$ref"}
                part = self.document.resolve({"$ref": part["$ref"]})
                if siblings and isinstance(part, dict) and depth < 16:
                    part = self.merge([part, siblings], depth + 1)
            if not isinstance(part, dict):
                continue
            if isinstance(part.get("allOf"), list) and depth < 16:
                rest = {key: value for key, value in part.items() if key != "allOf"}
                part = self.merge([*part["allOf"], rest], depth + 1)
            for key, value in part.items():
                if key in _DROPPED_ON_MERGE:
                    continue
                if key not in merged:
                    merged[key] = dict(value) if key == "properties" and isinstance(value, dict) else value
                elif key == "properties" and isinstance(value, dict):
                    for prop, sub in value.items():
                        known = merged[key].get(prop)
                        merged[key][prop] = sub if known is None else {"allOf": [known, sub]}
                elif key == "required" and isinstance(value, list):
                    merged[key] = list(dict.fromkeys([*merged[key], *value]))
                elif key == "type":
                    merged[key] = _intersect_types(merged[key], value)
                elif key in _LOWER and _is_number(value) and _is_number(merged[key]):
                    merged[key] = max(merged[key], value)
                elif key in _UPPER and _is_number(value) and _is_number(merged[key]):
                    merged[key] = min(merged[key], value)
                elif key == "enum" and isinstance(value, list):
                    common = [option for option in merged[key] if option in value]
                    merged[key] = common or merged[key]
                elif key in ("oneOf", "anyOf"):
                    merged.setdefault("allOf", []).append({key: value})
                else:
                    merged[key] = value
        return merged

    def _choice(self, schema: dict[str, Any], name: str | None, depth: int, refs: tuple[str, ...], lean: bool) -> Any:
        keyword = "oneOf" if isinstance(schema.get("oneOf"), list) else "anyOf"
        branches: list[Any] = list(schema[keyword])
        rest = {key: value for key, value in schema.items() if key not in (keyword, "discriminator")}
        mapping = _mapping(schema)
        labels = {ref: label for label, ref in mapping.items()}
        possible = [branch for branch in branches if not self.document.impossible(branch)]
        branches = possible or branches
        self.source.shuffle(branches)
        # A branch that leads back into a cycle is drawn last, so that recursion ends where it can.
        branches.sort(key=lambda branch: isinstance(branch, dict) and branch.get("$ref") in refs)
        validator = self.document.validator(schema)
        value: Any = None
        for attempt in range(ATTEMPTS):
            branch = branches[attempt % len(branches)] if branches else {}
            part = self.merge([rest, branch]) if _constrains(rest) else branch
            value = self._value(part, name, depth, refs, lean)
            property_name = _discriminator_property(schema)
            if property_name and isinstance(value, dict) and isinstance(branch, dict):
                ref = branch.get("$ref")
                if isinstance(ref, str):
                    value[property_name] = labels.get(ref, _schema_name(ref))
            if validator.is_valid(value):
                return value
        return value

    def _dispatch(
        self,
        schema: dict[str, Any],
        mapping: dict[str, str],
        name: str | None,
        depth: int,
        refs: tuple[str, ...],
        lean: bool,
    ) -> Any:
        """A value of one of the schemas a discriminator maps to (which extend ``schema``), labelled as such."""
        property_name = _discriminator_property(schema)
        labels = [label for label in sorted(mapping) if not self.document.impossible({"$ref": mapping[label]})]
        if not labels:
            return None
        label = self.source.choice(labels)
        target = mapping[label]
        if target in refs or not property_name:
            return None
        value = self._value({"$ref": target}, name, depth, refs, lean)
        if isinstance(value, dict):
            value[property_name] = label
            if self.document.validator(schema).is_valid(value):
                return value
        return None

    # -- types -----------------------------------------------------------------------------------------

    def _object(
        self, schema: dict[str, Any], depth: int, refs: tuple[str, ...], lean: bool, name: str | None = None
    ) -> dict[str, Any]:
        outer, self._parent = self._parent, name
        try:
            return self._properties(schema, depth, refs, lean)
        finally:
            self._parent = outer

    def _properties(self, schema: dict[str, Any], depth: int, refs: tuple[str, ...], lean: bool) -> dict[str, Any]:
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        assert isinstance(properties, dict)
        required = [key for key in schema.get("required", []) if isinstance(key, str)]
        result: dict[str, Any] = {}
        skip = "writeOnly" if self.direction == "response" else "readOnly"
        for key, sub in properties.items():
            if key not in required:
                resolved = self.document.resolve(sub)
                hidden = _flag(sub, skip) or _flag(resolved, skip)
                if lean or hidden or self.source.random() < 0.1 or self.document.impossible(sub):
                    continue
            result[key] = self._value(sub, key, depth + 1, refs, lean)
        additional = schema.get("additionalProperties", schema.get("unevaluatedProperties", True))
        patterns = schema.get("patternProperties") if isinstance(schema.get("patternProperties"), dict) else {}
        assert isinstance(patterns, dict)
        extra_schema: Any = additional if isinstance(additional, dict) else {}
        for key in required:
            if key not in result:
                result[key] = self._value(extra_schema, key, depth + 1, refs, lean)
        minimum = _int(schema.get("minProperties"), 0)
        maximum = _int(schema.get("maxProperties"), None)
        wanted = minimum
        if not properties and additional is not False and not lean and (isinstance(additional, dict) or patterns):
            wanted = max(minimum, self.source.randint(1, 3))
        if maximum is not None:
            wanted = min(wanted, maximum)
        for _ in range(wanted * 4):
            if len(result) >= wanted:
                break
            if patterns:
                pattern = self.source.choice(sorted(patterns))
                key = matching_string(pattern, self.source) or self.faker.word()
                value_schema = patterns[pattern]
            elif additional is not False:
                key, value_schema = self.faker.word(), extra_schema
            else:
                missing = [key for key in properties if key not in result]
                if not missing:
                    break
                key = missing[0]
                value_schema = properties[key]
            if key not in result:
                result[key] = self._value(value_schema, key, depth + 1, refs, lean)
        if maximum is not None and len(result) > maximum:
            for key in [key for key in result if key not in required][: len(result) - maximum]:
                del result[key]
        return result

    def _array(
        self, schema: dict[str, Any], name: str | None, depth: int, refs: tuple[str, ...], lean: bool
    ) -> list[Any]:
        minimum = _int(schema.get("minItems"), 0)
        maximum = _int(schema.get("maxItems"), None)
        prefix = schema.get("prefixItems") if isinstance(schema.get("prefixItems"), list) else []
        assert isinstance(prefix, list)
        items = schema.get("items", True)
        if lean:
            count = minimum
        else:
            high = minimum + 3 if maximum is None else min(maximum, minimum + 3)
            count = self.source.randint(min(max(minimum, 1), high), high)
        if items is False or self.document.impossible(items):
            count = min(count, len(prefix))
        item_name = singular(name) if name else name
        values: list[Any] = []
        seen: set[bytes] = set()
        unique = schema.get("uniqueItems") is True
        for index in range(count):
            item_schema = prefix[index] if index < len(prefix) else items
            value: Any = None
            for _ in range(ATTEMPTS * 4 if unique else 1):
                value = self._value(item_schema, item_name, depth + 1, refs, lean)
                key = orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str)
                if key not in seen:
                    seen.add(key)
                    break
            else:
                if index >= minimum:
                    break
            values.append(value)
        contains = schema.get("contains")
        if isinstance(contains, dict) and values:
            validator = self.document.validator(contains)
            if not any(validator.is_valid(value) for value in values):
                values[-1] = self._value(contains, item_name, depth + 1, refs, lean)
        elif isinstance(contains, dict):
            values.append(self._value(contains, item_name, depth + 1, refs, lean))
        return values

    def _string(self, schema: dict[str, Any], name: str | None) -> str:
        minimum = _int(schema.get("minLength"), 0)
        maximum = _int(schema.get("maxLength"), None)
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            return str(self._told(name, "pattern", matching_string(pattern, self.source, minimum, maximum)))
        fmt = schema.get("format")
        maker = string_maker(name)
        if name and canonical(name) in GENERIC and string_maker(self._parent) is not None:
            name = self._parent  # an email's value is an email
            maker = string_maker(name)
        rule = "format"
        if fmt in ("uri", "url") and name and any(word in name.lower() for word in _IMAGE_WORDS):
            text = self.faker.image_url()
        elif isinstance(fmt, str) and fmt in FORMATS:
            text = FORMATS[fmt](self.faker, self.source)
        elif schema.get("contentEncoding") == "base64":
            text = FORMATS["byte"](self.faker, self.source)
        elif maker is not None:
            text = str(maker(self.faker, self.source))
            rule = "word" if faker_provider(name) == "word" else "name"
        else:
            text = self.faker.word()
            rule = "word"
        self._told(name, rule, text)
        if len(text) < minimum:
            letters = "abcdefghijklmnopqrstuvwxyz"
            text += "".join(self.source.choice(letters) for _ in range(minimum - len(text)))
        if maximum is not None and len(text) > maximum:
            text = text[:maximum]
        return str(text)

    def _bounds(self, schema: dict[str, Any], name: str | None, integer: bool) -> tuple[float, float, int]:
        hint = number_range(name)
        default_low, default_high, decimals = hint if hint else (1, 1000, 0 if integer else 2)
        low: float | None = schema.get("minimum") if _is_number(schema.get("minimum")) else None
        high: float | None = schema.get("maximum") if _is_number(schema.get("maximum")) else None
        exclusive_low = schema.get("exclusiveMinimum")
        exclusive_high = schema.get("exclusiveMaximum")
        step = 1 if integer else 10**-decimals
        if _is_number(exclusive_low):
            low = max(low, exclusive_low + step) if low is not None else exclusive_low + step
        if _is_number(exclusive_high):
            high = min(high, exclusive_high - step) if high is not None else exclusive_high - step
        fmt_range = _INT_FORMATS.get(str(schema.get("format")))
        if low is None and high is None:
            low, high = default_low, default_high
        elif low is None:
            low = min(default_low, high - 1000) if high is not None and high < default_low else default_low
            low = min(low, high) if high is not None else low
        elif high is None:
            high = max(default_high, low + 1000) if low >= default_high else default_high
        assert low is not None
        assert high is not None
        if fmt_range:
            low, high = max(low, fmt_range[0]), min(high, fmt_range[1])
        return low, max(low, high), decimals

    def _integer(self, schema: dict[str, Any], name: str | None) -> int:
        low, high, _ = self._bounds(schema, name, integer=True)
        first, last = math.ceil(low), math.floor(high)
        multiple = schema.get("multipleOf")
        if _is_number(multiple) and multiple > 0:
            k_low, k_high = math.ceil(first / multiple), math.floor(last / multiple)
            if k_low <= k_high:
                return int(self.source.randint(k_low, k_high) * multiple)
        return self.source.randint(first, max(first, last))

    def _number(self, schema: dict[str, Any], name: str | None) -> float | int:
        low, high, decimals = self._bounds(schema, name, integer=False)
        multiple = schema.get("multipleOf")
        if _is_number(multiple) and multiple > 0:
            k_low, k_high = math.ceil(low / multiple), math.floor(high / multiple)
            for _ in range(ATTEMPTS):
                if k_low > k_high:
                    break
                candidate = round(self.source.randint(k_low, k_high) * multiple, 10)
                quotient = candidate / multiple
                if quotient == int(quotient):
                    return candidate
            return int(multiple) if float(multiple).is_integer() else multiple
        value = round(self.source.uniform(low, high), decimals)
        if value < low or value > high:
            value = low
        return value


def _mapping(schema: dict[str, Any]) -> dict[str, str]:
    discriminator = schema.get("discriminator")
    if not isinstance(discriminator, dict) or not isinstance(discriminator.get("mapping"), dict):
        return {}
    return {str(key): value for key, value in discriminator["mapping"].items() if isinstance(value, str)}


def _discriminator_property(schema: dict[str, Any]) -> str | None:
    discriminator = schema.get("discriminator")
    if isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str):
        return str(discriminator["propertyName"])
    return None


def _schema_name(ref: str) -> str:
    path = ref_path(ref)
    return str(path[-1]) if path else ref


def _constrains(schema: dict[str, Any]) -> bool:
    return any(key not in ("description", "title", "example", "examples", "nullable") for key in schema)


def _flag(schema: Any, key: str) -> bool:
    return isinstance(schema, dict) and schema.get(key) is True


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _int(value: Any, default: int | None) -> Any:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def _intersect_types(first: Any, second: Any) -> Any:
    a = {first} if isinstance(first, str) else set(first) if isinstance(first, list) else set()
    b = {second} if isinstance(second, str) else set(second) if isinstance(second, list) else set()
    # An integer is a number: {number} and {integer} meet at {integer}.
    a |= {"integer"} if "number" in a else set()
    b |= {"integer"} if "number" in b else set()
    common = a & b
    if not common:
        return second
    return sorted(common) if len(common) > 1 else next(iter(common))
