"""Ids that obey the document: what a collection found in an OpenAPI document calls its records.

mockery's collections number their records (``1..count``, then created ones) and name each by an integer or a
seeded uuid (:class:`mockery.resources.generate.IdCodec`). A document may ask for other ids: ``minimum: 100``,
``maximum: 5``, ``multipleOf: 10``, ``pattern: ^[\\da-z]{26}$``, ``maxLength: 8``, an ``enum``. An ``IdRule``
translates between the collection's own ids (*inner*) and the document's (*outer*), one to one, so that every id
the mock hands out satisfies the id schema and finds its record again:

- ``lattice``: integer ids ``low, low + step, ...`` up to ``high`` (bounds, exclusive bounds, ``multipleOf``,
  ``int32``); record *n* is ``low + (n - 1) * step``, so both ways are arithmetic.
- ``listed``: an ``enum`` of ids; record *n* (generated or created) is its *n*-th value.
- ``drawn``: strings the collection's uuids do not satisfy; generated records get ids drawn from the schema
  (its pattern, format, lengths), seeded by the record number and redrawn until unique. A created record is
  stored under a drawn id of its own, so only the generated ones need the table.
- ``natural``: the collection's uuids already satisfy the schema; nothing is translated.

``capacity`` is how many ids the schema allows (``None``: more than a mock will hold); creating past it is
refused by the caller with a clear error, never answered with a record whose id breaks the schema.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeGuard

from mockery.openapi.document import OpenAPIDocument
from mockery.openapi.generate import SchemaGenerator
from mockery.templates.fakes import derive_seed

Mode = Literal["lattice", "listed", "drawn", "natural"]
ATTEMPTS = 24  # draws of one id before the schema is taken to have no room for another
SCAN = 10_000  # numbers searched for a free one below a bounded lattice's end
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_SAMPLE_UUID = "3f1c2a9e-6b0d-4c47-9a2e-8d5b7f01c3e4"


class Codec(Protocol):
    def id_for(self, number: int) -> int | str: ...

    def parse(self, raw: object) -> tuple[str, int | None] | None: ...


class Records(Protocol):
    """What an ``IdRule`` needs of a collection (:class:`mockery.resources.collection.Collection`)."""

    codec: Any
    factory: Any
    resource: Any

    def get(self, raw_id: object, *, copy: bool = True) -> Any: ...

    def new_id(self) -> int | str: ...


@dataclass(slots=True)
class _Table:
    """The drawn ids of the generated records of one collection (for one seed), both ways."""

    outer: list[Any] = field(default_factory=list)  # outer[n - 1] is record n's id
    numbers: dict[str, int] = field(default_factory=dict)  # str(outer id) -> record number


@dataclass(frozen=True, slots=True, eq=False)
class IdRule:
    """The ids of one collection, as its document defines them (see the module docstring)."""

    mode: Mode
    schema: dict[str, Any]
    document: OpenAPIDocument | None = None
    low: int = 1
    step: int = 1
    high: int | None = None
    values: tuple[Any, ...] = ()
    _tables: dict[int, _Table] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"IdRule({self.mode!r}, capacity={self.capacity})"

    @property
    def capacity(self) -> int | None:
        """How many distinct ids the schema allows; ``None`` when that is more than a mock holds."""
        if self.mode == "listed":
            return len(self.values)
        if self.mode == "lattice" and self.high is not None:
            return max(0, (self.high - self.low) // self.step + 1)
        return None

    @property
    def identity(self) -> bool:
        """Whether inner and outer ids are the same (nothing to translate in answers)."""
        return self.mode == "natural" or (self.mode == "lattice" and self.low == 1 and self.step == 1)

    # -- translation --------------------------------------------------------------------------------

    def outer(self, inner: Any, records: Records, faker: Any) -> Any:
        """The document's id of the record the collection calls ``inner``."""
        if self.identity:
            return inner
        parsed = records.codec.parse(inner)
        number = parsed[1] if parsed is not None else None
        if self.mode == "lattice":
            return self.low + (number - 1) * self.step if number is not None else inner
        if self.mode == "listed":
            return self.values[number - 1] if number is not None and number <= len(self.values) else inner
        if number is None or number > records.resource.count:
            return inner  # a created record: stored under its own outer id
        table = self._table(records, faker)
        return table.outer[number - 1] if number <= len(table.outer) else inner

    def inner(self, outer: Any, records: Records, faker: Any) -> Any:
        """The collection's id of the record the document calls ``outer`` (a path's text read as the id's type);
        ``None`` when no record can have it."""
        if self.mode == "natural":
            return outer
        if self.mode == "lattice":
            number = _integer(outer)
            if number is None or (self.high is not None and number > self.high):
                return None
            if self.step == 1 and self.low == 1:
                return number  # ids below 1 the schema allows are kept under their own number
            if number < self.low or (number - self.low) % self.step:
                return None
            return records.codec.id_for((number - self.low) // self.step + 1)
        if self.mode == "listed":
            for index, value in enumerate(self.values):
                if str(value) == str(outer):
                    return records.codec.id_for(index + 1)
            return None
        if not self.valid(outer):
            return None
        found = self._table(records, faker).numbers.get(str(outer))
        return records.codec.id_for(found) if found is not None else outer

    def allocate(self, records: Records, source: random.Random, faker: Any) -> Any:
        """The inner id for a new record whose outer id satisfies the schema and no record has; ``None`` when
        the schema leaves no room for another."""
        if self.mode == "natural":
            return records.new_id()
        if self.mode == "lattice":
            inner = records.new_id()
            number = records.codec.parse(inner)
            if number is not None and number[1] is not None and self._fits(number[1]):
                return inner
            capacity = self.capacity or 0
            for candidate in range(1, min(capacity, SCAN) + 1):
                if records.get(records.codec.id_for(candidate), copy=False) is None:
                    return records.codec.id_for(candidate)
            return None
        if self.mode == "listed":
            for number in range(1, len(self.values) + 1):
                if records.get(records.codec.id_for(number), copy=False) is None:
                    return records.codec.id_for(number)
            return None
        table = self._table(records, faker)
        generator = SchemaGenerator(self._document, source, faker, use_examples=False)
        for _ in range(ATTEMPTS):
            candidate = generator.generate(self.schema, "id")
            if self.valid(candidate) and str(candidate) not in table.numbers and records.get(candidate) is None:
                return candidate
        return None

    def valid(self, outer: Any) -> bool:
        """Whether ``outer`` satisfies the id schema (a lattice's bounds too: a format's range included)."""
        if self.mode == "lattice":
            number = _integer(outer) if not isinstance(outer, str) else None
            if number is None or (self.high is not None and number > self.high):
                return False
            if not self.identity and (number < self.low or (number - self.low) % self.step):
                return False
        return self._document.validator(self.schema).is_valid(outer)

    # -- internals ----------------------------------------------------------------------------------

    @property
    def _document(self) -> OpenAPIDocument:
        assert self.document is not None
        return self.document

    def _fits(self, number: int) -> bool:
        return number >= 1 and (self.high is None or self.low + (number - 1) * self.step <= self.high)

    def _table(self, records: Records, faker: Any) -> _Table:
        seed = derive_seed(records.factory.seed, records.resource.service, records.resource.name, "ids")
        table = self._tables.get(seed)
        if table is not None:
            return table
        table = _Table()
        for number in range(1, records.resource.count + 1):
            source = random.Random(derive_seed(seed, number))
            faker.seed_instance(source.getrandbits(64))
            generator = SchemaGenerator(self._document, source, faker, use_examples=False)
            for _ in range(ATTEMPTS):
                candidate = generator.generate(self.schema, "id")
                if self.valid(candidate) and str(candidate) not in table.numbers:
                    table.numbers[str(candidate)] = number
                    table.outer.append(candidate)
                    break
            else:
                break  # no room for more: the records past here keep the collection's own ids
        self._tables[seed] = table
        return table


def id_rule(document: OpenAPIDocument, schema: dict[str, Any]) -> IdRule:
    """The rule for ids of ``schema`` (the record's ``id`` property merged with the item path parameter's)."""
    kind = schema.get("type")
    kinds = {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()
    integer = bool(kinds & {"integer", "number"}) and "string" not in kinds
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        validator = document.validator(schema)
        values = tuple(dict.fromkeys(value for value in enum if value is not None and validator.is_valid(value)))
        return IdRule("listed", schema, document, values=values)
    if integer:
        return _lattice(document, schema)
    if document.validator(schema).is_valid(_SAMPLE_UUID):
        return IdRule("natural", schema, document)
    return IdRule("drawn", schema, document)


def _lattice(document: OpenAPIDocument, schema: dict[str, Any]) -> IdRule:
    low = _bound(schema, "minimum", "exclusiveMinimum", up=True)
    high = _bound(schema, "maximum", "exclusiveMaximum", up=False)
    fmt = _INT_RANGES.get(str(schema.get("format")))
    if fmt is not None:
        high = fmt[1] if high is None else min(high, fmt[1])
    if low is None:
        low = 1 if high is None or high >= 1 else high - SCAN
    step = 1
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int) and not isinstance(multiple, bool) and multiple > 0:
        step = multiple
        low = math.ceil(low / step) * step
    elif isinstance(multiple, float) and multiple > 0 and float(multiple).is_integer():
        step = int(multiple)
        low = math.ceil(low / step) * step
    return IdRule("lattice", schema, document, low=low, step=step, high=high)


def _bound(schema: dict[str, Any], inclusive: str, exclusive: str, *, up: bool) -> int | None:
    found: list[int] = []
    value = schema.get(inclusive)
    if _number(value):
        found.append(math.ceil(value) if up else math.floor(value))
    value = schema.get(exclusive)
    if _number(value):
        found.append(math.floor(value) + 1 if up else math.ceil(value) - 1)
    if not found:
        return None
    return max(found) if up else min(found)


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    return None
