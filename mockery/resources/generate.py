"""Generated records: field *f* of record *n* is a pure function of (seed, service, resource, n, f).

Each field has a seed of its own, so one field of a million records can be generated without the others
(``mockery.resources.columns``: what a filter or a sort reads). A ``RecordFactory`` reseeds one shared Faker
generator before each field (building a generator costs ~20 ms; reseeding costs microseconds), so records can be
generated lazily, in any order, in any process. Choices, constants, refs, booleans and bounded integers are
``Drawn``: their value is read from a uniform number drawn for the field a block of records at a time, which
generates a whole column in tens of milliseconds instead of seconds. ``IdCodec`` maps record numbers to ids and
back, so ``GET /users/{id}`` finds record *n* without a scan, for uuid ids too.
"""

from __future__ import annotations

import array
import random as random_module
import sys
import uuid as uuid_module
from collections.abc import Callable, Mapping
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
    TemplateField,
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

BLOCK = 1024  # records whose draws of one field come from one seeding: a column is count / BLOCK seedings
_TABLE_BITS = 16  # a small set of values is looked up by a 16-bit draw (bias under 1 in 10,000 for 6 values)
_TABLE_SPAN = 4096  # integer ranges up to this many values are tabled; wider ones use 32-bit draws


class Draws:
    """Uniform ``width``-byte numbers of one field: record *n*'s number is a pure function of (field seed, n).

    The numbers of records ``BLOCK * b + 1 ..`` come from one ``random.Random`` seeded with (seed, b), so a
    column of a million records costs ~4,000 seedings (``column``), and one record reads one block (kept).
    """

    def __init__(self, seed: int, width: int) -> None:
        self.seed = seed
        self.width = width
        self._random = random_module.Random()
        self._block = -1
        self._bytes = b""

    def __repr__(self) -> str:
        return f"Draws(width={self.width})"

    def _block_bytes(self, block: int, source: random_module.Random) -> bytes:
        source.seed(self.seed << 40 | block)
        return source.randbytes(BLOCK * self.width)

    def number(self, number: int) -> int:
        block, offset = divmod(number - 1, BLOCK)
        if block != self._block:
            self._bytes = self._block_bytes(block, self._random)
            self._block = block
        at = offset * self.width
        return int.from_bytes(self._bytes[at : at + self.width], "little")

    def column(self, count: int) -> array.array[int]:
        """The numbers of records 1..``count``, at index ``n - 1``; safe to call from any thread."""
        source = random_module.Random()
        blocks = (count + BLOCK - 1) // BLOCK
        numbers = array.array("H" if self.width == 2 else "I")
        numbers.frombytes(b"".join(self._block_bytes(block, source) for block in range(blocks)))
        if sys.byteorder == "big":
            numbers.byteswap()
        del numbers[count:]
        return numbers


class Drawn:
    """A field whose value is read from its ``Draws``: a choice, a constant, a boolean, a bounded integer
    or a ref. ``values`` and ``table`` (draw -> index into ``values``) when the values are few; ``spread``
    maps a 32-bit draw to a value otherwise."""

    def __init__(
        self,
        draws: Draws | None,
        values: tuple[Any, ...] = (),
        table: list[int] | None = None,
        spread: Callable[[int], Any] | None = None,
    ) -> None:
        self.draws = draws
        self.values = values
        self.table = table
        self.spread = spread

    def __repr__(self) -> str:
        return f"Drawn(values={len(self.values)}, tabled={self.table is not None})"

    def value(self, number: int) -> Any:
        if self.draws is None:
            return self.values[0]
        drawn = self.draws.number(number)
        if self.table is not None:
            return self.values[self.table[drawn]]
        assert self.spread is not None
        return self.spread(drawn)


def _table(weights: tuple[float, ...]) -> list[int]:
    """Draw (0..65535) -> index of the option, each option getting its share of the draws by weight."""
    total = sum(weights)
    size = 1 << _TABLE_BITS
    table: list[int] = []
    running = 0.0
    for index, weight in enumerate(weights):
        running += weight
        stop = size if index == len(weights) - 1 else round(running / total * size)
        table.extend([index] * max(0, stop - len(table)))
    return table


def _integers(low: int, high: int, step: int, seed: int) -> Drawn | None:
    if step < 1 or high < low:
        return None
    span = (high - low) // step + 1
    if span <= _TABLE_SPAN:
        values = tuple(low + step * k for k in range(span))
        return Drawn(Draws(seed, 2), values, [u * span >> _TABLE_BITS for u in range(1 << _TABLE_BITS)])
    if span > 1 << 32:
        return None
    return Drawn(Draws(seed, 4), spread=lambda u: low + step * (u * span >> 32))


_INTEGER_PROVIDERS = {
    "pyint": ("min_value", "max_value", "step", 0, 9999),
    "random_int": ("min", "max", "step", 0, 9999),
}
_BOOLEAN_PROVIDERS = {"boolean": "chance_of_getting_true", "pybool": "truth_probability"}


def drawn_kind(kind: FieldKind, seed: int, refs: RefResolver) -> Drawn | None:
    """The ``Drawn`` of a field of this kind, or ``None`` when its values come from Faker or a template."""
    if isinstance(kind, ConstField):
        return Drawn(None, (kind.value,))
    if isinstance(kind, ChoiceField):
        weights = kind.weights if kind.weights is not None else (1.0,) * len(kind.options)
        if not kind.options or len(weights) != len(kind.options) or sum(weights) <= 0:
            return None
        return Drawn(Draws(seed, 2), kind.options, _table(weights))
    if isinstance(kind, RefField):
        if getattr(kind, "per_parent", None) is not None:
            return None

        def pick(u: int) -> Any:
            target = refs(kind)
            if target is None or target[0] < 1:
                return None
            count, codec = target
            return codec.id_for(1 + (u * count >> 32))

        return Drawn(Draws(seed, 4), spread=pick)
    if isinstance(kind, FakerField):
        return _drawn_faker(kind.provider, kind.arguments, seed)
    return None


def _drawn_faker(provider: str, arguments: Mapping[str, Any], seed: int) -> Drawn | None:
    if provider in _INTEGER_PROVIDERS:
        low_name, high_name, step_name, low, high = _INTEGER_PROVIDERS[provider]
        if set(arguments) - {low_name, high_name, step_name}:
            return None
        bounds = (arguments.get(low_name, low), arguments.get(high_name, high), arguments.get(step_name, 1))
        if not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
            return None
        return _integers(*bounds, seed)
    if provider in _BOOLEAN_PROVIDERS:
        name = _BOOLEAN_PROVIDERS[provider]
        if set(arguments) - {name}:
            return None
        chance = arguments.get(name, 50)
        if not isinstance(chance, int | float) or isinstance(chance, bool) or not 0 <= chance <= 100:
            return None
        return Drawn(Draws(seed, 2), (True, False), _table((float(chance), 100.0 - chance)))
    return None


def uses_record(kind: FieldKind) -> bool:
    """Whether generating a value of this kind may read the other fields of its record (a template)."""
    if isinstance(kind, TemplateField):
        return True
    if isinstance(kind, ArrayField):
        return uses_record(kind.item.kind)
    if isinstance(kind, ObjectField):
        return any(uses_record(spec.kind) for _, spec in kind.fields)
    return False


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
        self.drawn: dict[str, Drawn] = {}
        for name, spec in resource.fields:
            found = drawn_kind(spec.kind, self.field_seed(name), refs)
            if found is not None:
                self.drawn[name] = found

    def field_seed(self, name: str) -> int:
        """The seed of one field's draws."""
        return derive_seed(self.seed, self.resource.service, self.resource.name, "field", name)

    def twin(self) -> RecordFactory:
        """A factory of the same records over a Faker generator of its own (~20 ms to build): records are a
        pure function of the seed, so another thread can generate with it while this one is in use."""
        return RecordFactory(
            self.resource, self.seed, new_generator(self._locale), self._locale, self._clock, self._refs
        )

    def resized(self, resource: Resource, refs: RefResolver | None = None) -> RecordFactory:
        """A factory of the same records for ``resource`` (the same collection with another ``count``), its refs
        resolved by ``refs`` (default: as this factory resolves them)."""
        return RecordFactory(
            resource, self.seed, new_generator(self._locale), self._locale, self._clock, refs or self._refs
        )

    @property
    def refs(self) -> RefResolver:
        """How this factory finds the collection a ref points to (its count and ids)."""
        return self._refs

    def record(self, number: int) -> Record:
        """Record ``number``, as plain JSON data."""
        self.generated += 1
        record: Record = {"id": self.codec.id_for(number)}
        if self.resource.maker is not None:
            self._randomness.reseed(derive_seed(self.seed, self.resource.service, self.resource.name, number))
            made = self.resource.maker(self._random, self._generator)
            record.update((key, value) for key, value in made.items() if key != "id")
        for name, spec in self.resource.fields:
            record[name] = self._field(name, spec.kind, number, record)
        plain: Record = orjson.loads(orjson.dumps(record, default=json_default))
        return plain

    def value(self, name: str, number: int) -> Any:
        """Field ``name`` of record ``number`` as plain JSON data, the same as in ``record(number)``, generating
        no other field unless it is a template (which may read them)."""
        kinds = dict(self.resource.fields)
        kind = kinds[name].kind
        if uses_record(kind):
            return self.record(number)[name]
        return orjson.loads(orjson.dumps(self._field(name, kind, number, {}), default=json_default))

    def _field(self, name: str, kind: FieldKind, number: int, record: Record) -> Any:
        drawn = self.drawn.get(name)
        if drawn is not None:
            return drawn.value(number)
        self._randomness.reseed(derive_seed(self.seed, self.resource.service, self.resource.name, number, name))
        return self._value(kind, record)

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
        if types and None in kind.options:  # a generated null must pass a write that keeps it
            types.append("null")
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
