"""Generated records: record *n* of a collection is a pure function of (seed, service, resource, n).

A ``RecordFactory`` reseeds one shared Faker generator before each record (building a generator costs
~20 ms; reseeding costs microseconds), so records can be generated lazily, in any order, in any process.
``IdCodec`` maps record numbers to ids and back, so ``GET /users/{id}`` finds record *n* without a scan,
for uuid ids too.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable
from typing import Any

import orjson

from mockery.model.resources import (
    ArrayField,
    ChoiceField,
    ConstField,
    FakerField,
    FieldKind,
    IdKind,
    ObjectField,
    RefField,
    Resource,
)
from mockery.store import Record
from mockery.templates.fakes import Clock, derive_seed, json_default, new_generator, service_randomness

RecordId = int | str

_LOW_BITS = 48
_LOW_MASK = (1 << _LOW_BITS) - 1
_MULTIPLIER = 0x5DEECE66D  # odd, so invertible modulo 2**48: ids look scattered yet decode exactly
_INVERSE = pow(_MULTIPLIER, -1, 1 << _LOW_BITS)


class IdCodec:
    """Ids of a collection: record number *n* <-> id (``n`` itself, or a uuid derived from the seed)."""

    def __init__(self, kind: IdKind, seed: int) -> None:
        self.kind = kind
        high = derive_seed(seed, "uuid") << 16 | derive_seed(seed, "uuid", 2) & 0xFFFF
        self._high = uuid_module.UUID(int=high << _LOW_BITS, version=4).int >> _LOW_BITS

    def id_for(self, number: int) -> RecordId:
        """The id of record ``number`` (1-based; created records continue the numbering)."""
        if self.kind == "integer":
            return number
        low = (number * _MULTIPLIER) & _LOW_MASK
        return str(uuid_module.UUID(int=self._high << _LOW_BITS | low))

    def parse(self, raw: object) -> tuple[str, int | None] | None:
        """``(store key, record number or None)`` for an id as given in a path or body; ``None`` if it
        cannot be an id of this collection (a non-integer for integer ids)."""
        if self.kind == "integer":
            if isinstance(raw, bool):
                return None
            if isinstance(raw, int):
                return str(raw), raw if raw > 0 else None
            if isinstance(raw, str) and raw.lstrip("-").isdigit() and len(raw) < 20:
                number = int(raw)
                return str(number), number if number > 0 else None
            return None
        if not isinstance(raw, str) or not raw:
            return None
        try:
            value = uuid_module.UUID(raw).int
        except ValueError:
            return raw, None
        key = str(uuid_module.UUID(int=value))
        if value >> _LOW_BITS != self._high:
            return key, None
        return key, ((value & _LOW_MASK) * _INVERSE) & _LOW_MASK

    def key(self, number: int) -> str:
        return str(self.id_for(number))


RefResolver = Callable[[RefField], tuple[int, IdCodec] | None]


class RecordFactory:
    """Generates the records of one collection from its fields."""

    def __init__(
        self, resource: Resource, seed: int, generator: Any, locale: str, clock: Clock, refs: RefResolver
    ) -> None:
        self.resource = resource
        self.seed = seed
        self.codec = IdCodec(resource.id_kind, derive_seed(seed, resource.name))
        self._generator = generator
        self._locale = locale
        self._clock = clock
        self._randomness = service_randomness(seed, generator, locale, clock)
        self._random = self._randomness.source
        self._refs = refs
        self.generated = 0  # records generated so far: how tests see that generation is lazy

    def twin(self) -> RecordFactory:
        """A factory of the same records over a Faker generator of its own (~20 ms to build): records are a
        pure function of the seed, so another thread can generate with it while this one is in use."""
        return RecordFactory(
            self.resource, self.seed, new_generator(self._locale), self._locale, self._clock, self._refs
        )

    def record(self, number: int) -> Record:
        """Record ``number``, as plain JSON data."""
        self.generated += 1
        self._randomness.reseed(derive_seed(self.seed, self.resource.service, self.resource.name, number))
        record: Record = {"id": self.codec.id_for(number)}
        if self.resource.maker is not None:
            made = self.resource.maker(self._random, self._generator)
            record.update((key, value) for key, value in made.items() if key != "id")
        for name, spec in self.resource.fields:
            record[name] = self._value(spec.kind, record)
        plain: Record = orjson.loads(orjson.dumps(record, default=json_default))
        return plain

    def _value(self, kind: FieldKind, record: Record) -> Any:
        if isinstance(kind, FakerField):
            return getattr(self._generator, kind.provider)(**kind.arguments)
        if isinstance(kind, ChoiceField):
            if kind.weights is None:
                return self._random.choice(kind.options)
            return self._random.choices(kind.options, kind.weights)[0]
        if isinstance(kind, ConstField):
            return kind.value
        if isinstance(kind, RefField):
            target = self._refs(kind)
            if target is None or target[0] < 1:
                return None
            count, codec = target
            return codec.id_for(self._random.randint(1, count))
        if isinstance(kind, ArrayField):
            size = self._random.randint(kind.min, kind.max)
            return [self._value(kind.item.kind, record) for _ in range(size)]
        if isinstance(kind, ObjectField):
            return {name: self._value(spec.kind, record) for name, spec in kind.fields}
        variables = dict(self._randomness.globals)
        variables["record"] = record
        return kind.template.render(variables)


def json_type(value: Any) -> str | None:
    """The JSON Schema type of a plain value (``None`` for null, which constrains nothing)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return None


def infer_schema(kind: FieldKind, sample: Any, refs: RefResolver) -> dict[str, Any]:
    """The JSON Schema written values of a field must satisfy, from its kind and a generated sample."""
    if isinstance(kind, ChoiceField):
        types = sorted({t for t in map(json_type, kind.options) if t is not None})
        return _types(types)
    if isinstance(kind, RefField):
        target = refs(kind)
        return {"type": ["integer" if target is None or target[1].kind == "integer" else "string", "null"]}
    if isinstance(kind, ArrayField):
        items = sample if isinstance(sample, list) and sample else [None]
        return {"type": "array", "items": infer_schema(kind.item.kind, items[0], refs)}
    if isinstance(kind, ObjectField):
        values = sample if isinstance(sample, dict) else {}
        properties = {name: infer_schema(spec.kind, values.get(name), refs) for name, spec in kind.fields}
        return {"type": "object", "properties": properties}
    found = json_type(kind.value if isinstance(kind, ConstField) else sample)
    return _types([found] if found is not None else [])


def _types(types: list[str]) -> dict[str, Any]:
    if not types:
        return {}
    if "number" in types and "integer" in types:
        types.remove("integer")
    return {"type": types[0] if len(types) == 1 else types}
