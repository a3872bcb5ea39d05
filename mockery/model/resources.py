"""The frozen model of a spec's ``resources:``: collections, their fields and their REST endpoints.

A field is one of a few kinds (a Faker provider, a weighted choice, a constant, a ref to another
collection, an array, nested fields, a template), each a small frozen dataclass. ``Resource`` is what the
runtime turns into a ``Collection``; ``Endpoint`` marks a route that a resource serves.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from mockery.source.document import Position
from mockery.templates.environment import CompiledTemplate

IdKind = Literal["integer", "uuid", "string"]
# How a string id beyond the seed data is generated: "" continues the numbers of the seed ids as text.
IdFormat = Literal["", "slug", "ulid", "nanoid", "uuid"]
ID_FORMATS: tuple[str, ...] = ("slug", "ulid", "nanoid", "uuid")
OnDelete = Literal["cascade", "restrict", "set_null"]
ON_DELETE: tuple[str, ...] = ("cascade", "restrict", "set_null")
EndpointName = Literal["list", "get", "create", "replace", "update", "delete", "nested", "db"]
ENDPOINTS: tuple[str, ...] = ("list", "get", "create", "replace", "update", "delete")
DEFAULT_LIST_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class FakerField:
    """``name`` or ``{faker: pyint, min_value: 1}``: a Faker provider called with keyword arguments."""

    provider: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChoiceField:
    """``{choice: [a, b], weights: [3, 1]}``: one of the options."""

    options: tuple[Any, ...]
    weights: tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class ConstField:
    """``{const: value}``: the same value in every record."""

    value: Any


@dataclass(frozen=True, slots=True)
class RefField:
    """``{ref: companies}`` or ``{ref: billing.companies}``: the id of an existing record there."""

    service: str
    resource: str
    # Where the ref was written (file position and document path), for errors found across services.
    where: tuple[Position, str] = field(default=(Position(1, 1), ""), compare=False)
    # ``per_parent: 3..7``: records are handed out to the parents in order, each parent getting between these
    # many (seeded), instead of a random parent each.
    per_parent: tuple[int, int] | None = None
    # What deleting a parent does to the records that ref it (``None``: nothing, the ref dangles).
    on_delete: OnDelete | None = None

    @property
    def target(self) -> str:
        return f"{self.service}.{self.resource}"


@dataclass(frozen=True, slots=True)
class ArrayField:
    """``{array: word, min: 0, max: 4}``: a list of ``min``..``max`` generated items."""

    item: FieldSpec
    min: int = 0
    max: int = 3


@dataclass(frozen=True, slots=True)
class ObjectField:
    """``{fields: {...}}``: a nested mapping of fields."""

    fields: tuple[tuple[str, FieldSpec], ...]


@dataclass(frozen=True, slots=True)
class TemplateField:
    """A string holding ``{{ }}``: rendered with ``faker``, ``random``, ``uuid``, ``now`` and ``record``."""

    template: CompiledTemplate


FieldKind = FakerField | ChoiceField | ConstField | RefField | ArrayField | ObjectField | TemplateField


class RecordMaker(Protocol):
    """Makes a whole record from the record's seeded sources, in place of ``fields``: how a collection
    found in an OpenAPI document generates records from its schema. ``paths`` are the dotted field paths
    a list may filter and sort on."""

    @property
    def paths(self) -> frozenset[str]: ...

    def __call__(self, source: random.Random, faker: Any) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field: how it is generated, and the JSON Schema its written values must satisfy (``None``:
    inferred from a generated sample when the collection is opened)."""

    kind: FieldKind
    schema: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Resource:
    """One collection of a service: ``count`` generated records behind REST endpoints at ``path``."""

    service: str
    name: str
    count: int
    id_kind: IdKind
    fields: tuple[tuple[str, FieldSpec], ...]
    path: str
    endpoints: frozenset[str]
    list_limit: int = DEFAULT_LIST_LIMIT
    maker: RecordMaker | None = field(default=None, compare=False)
    # Records given as data (``data:``, ``db:``): records 1..len(seed), exact; ``count`` includes them.
    # A tuple, or the records of a big JSONL file read when needed (a sequence over an index of offsets).
    seed: Sequence[Mapping[str, Any]] = field(default=(), compare=False, repr=False)
    id_format: IdFormat = ""
    # One record without an id, at ``path``: GET, PUT and PATCH (json-server's singular resources).
    singleton: bool = False
    # The path of the service's ``/db`` (the whole database), served with its first resource; "" for none.
    database: str = ""

    @property
    def key(self) -> str:
        """``service.resource``: the name of the collection in the store and in cross-service refs."""
        return f"{self.service}.{self.name}"

    def refs(self) -> dict[str, RefField]:
        """Top-level ref fields by field name."""
        return {name: spec.kind for name, spec in self.fields if isinstance(spec.kind, RefField)}

    def __repr__(self) -> str:
        return f"Resource({self.key!r}, count={self.count})"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What a route built from a resource does: ``list`` (or ``nested`` under ``parent``), ``get``, ..."""

    resource: Resource
    action: EndpointName
    parent: Resource | None = None

    def __repr__(self) -> str:
        return f"Endpoint({self.resource.key!r}, {self.action!r})"


def field_paths(resource: Resource) -> frozenset[str]:
    """The dotted paths a list may filter and sort on: ``id``, every field, every nested field."""
    paths = {"id"}

    def walk(prefix: str, kind: FieldKind) -> None:
        if isinstance(kind, ObjectField):
            for name, spec in kind.fields:
                paths.add(f"{prefix}.{name}")
                walk(f"{prefix}.{name}", spec.kind)
        elif isinstance(kind, ArrayField):
            walk(prefix, kind.item.kind)

    for name, spec in resource.fields:
        paths.add(name)
        walk(name, spec.kind)
    # Records read from a file when needed are sampled: the first thousand say what their fields are.
    sample = resource.seed if isinstance(resource.seed, tuple) else itertools.islice(resource.seed, 1000)
    for record in sample:
        _data_paths("", record, paths)
    if resource.maker is not None:
        paths |= resource.maker.paths
    return frozenset(paths)


def _data_paths(prefix: str, value: Mapping[str, Any], paths: set[str]) -> None:
    """The dotted paths of the keys of a seed record, nested mappings included."""
    for key, item in value.items():
        path = f"{prefix}{key}"
        paths.add(path)
        if isinstance(item, Mapping):
            _data_paths(f"{path}.", item, paths)
