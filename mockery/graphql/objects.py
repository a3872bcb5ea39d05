"""The objects an answer is made of, and the field resolver that makes them as the query asks.

Every object is a ``Node``: its type, a seed, and what is already known of it (a stored record, a value the
spec fixes, the pages of a connection). A field's value is generated from the seed of its object and the
field's name and arguments (never its alias), so a field asked twice, in two queries or under two aliases,
has one value. An object with an ``id`` is seeded by ``(type, id)`` alone: the same entity wherever it appears.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
)

from mockery.graphql.bounds import LIST_LENGTHS, MAX_LIST, MAX_VALUES
from mockery.graphql.values import entity_id, enum_value, relay_type, scalar_value
from mockery.templates.fakes import derive_seed

# Arguments that page a list rather than choose what is in it: they do not change the items' seeds.
PAGING = frozenset({"first", "last", "after", "before", "offset", "limit", "skip", "page", "perPage", "pageSize"})
_ID_RANGE = (1, 10_000)


@dataclass(slots=True)
class Node:
    """One object of an answer."""

    type_name: str
    seed: int
    id: Any = None
    record: Mapping[str, Any] | None = None


class Store(Protocol):
    """The resources bound to object types (``mockery.graphql.state``): what ``Generation`` reads and writes."""

    def binds(self, type_name: str) -> bool: ...

    def get(self, type_name: str, raw_id: Any) -> dict[str, Any] | None: ...

    def page(
        self, type_name: str, offset: int, count: int, filters: Mapping[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], int]: ...

    def mutate(self, type_name: str, action: str, args: dict[str, Any]) -> Any: ...


@dataclass(frozen=True, slots=True)
class FieldRule:
    """What the spec says of one field (``Type.field``): a fixed value, or an error it answers with."""

    value: Any = None
    has_value: bool = False
    error: str | None = None
    # A value with templates (``mockery.templates.values.Value``): rendered by ``Generation.render``.
    template: Any = None


class TooLarge(Exception):
    """The answer would hold more than ``MAX_VALUES`` values."""


@dataclass(slots=True)
class Generation:
    """What one execution needs: the schema, the service's seed, Faker, the rules and the bound store."""

    schema: GraphQLSchema
    seed: int
    faker: Callable[[int], Any]  # a Faker generator seeded with the given seed
    rules: Mapping[str, FieldRule] = field(default_factory=dict)
    store: Store | None = None
    mutations: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # field -> (type, action)
    # Renders a rule's template, seeded, given the field's arguments (``args`` in the template).
    render: Callable[[Any, int, Mapping[str, Any]], Any] | None = None
    spent: int = 0
    too_large: bool = False

    def spend(self, count: int = 1) -> None:
        self.spent += count
        if self.spent > MAX_VALUES:
            self.too_large = True
            raise TooLarge

    def root(self, operation: str) -> Node:
        type_name = {
            "query": self.schema.query_type,
            "mutation": self.schema.mutation_type,
            "subscription": self.schema.subscription_type,
        }[operation]
        name = type_name.name if type_name is not None else operation
        return Node(name, derive_seed(self.seed, "graphql", name))

    # -- resolution ------------------------------------------------------------------------------------

    def resolve(self, source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        """graphql-core's field resolver: the value of ``info.field_name`` of ``source``."""
        if self.too_large:
            return None
        self.spend()
        name = info.field_name
        rule = self.rules.get(f"{info.parent_type.name}.{name}")
        if rule is not None and rule.error is not None:
            raise GraphQLError(rule.error)
        if not isinstance(source, Node):
            return source.get(name) if isinstance(source, Mapping) else None
        key = _arguments_key(args)
        if len(key) > 1024:  # a big argument under a long list is work per item: it counts as values
            self.spend(len(key) // 1024)
        seed = derive_seed(source.seed, name, key)
        if rule is not None and rule.has_value:
            return self.convert(rule.value, info.return_type, seed, name)
        if rule is not None and rule.template is not None and self.render is not None:
            return self.convert(self.render(rule.template, seed, args), info.return_type, seed, name)
        action = self.mutations.get(name) if info.parent_type is self.schema.mutation_type else None
        if action is not None and self.store is not None:
            done = self.store.mutate(action[0], action[1], args)
            return self.mutated(done, info.return_type, action[0], seed, name)
        if source.record is not None and name in source.record:
            return self.convert(source.record[name], info.return_type, seed, name)
        if name == "id" and source.id is not None:
            return source.id
        return self.generate(info.return_type, seed, name, args)

    def _stored(self, type_name: str, seed: int, raw_id: Any) -> Mapping[str, Any] | None:
        assert self.store is not None
        if raw_id is not None:
            return self.store.get(type_name, raw_id)
        _, total = self.store.page(type_name, 0, 0)
        if total == 0:
            return None
        records, _ = self.store.page(type_name, random.Random(seed).randrange(total), 1)
        return records[0] if records else None

    def mutated(self, value: Any, kind: GraphQLOutputType, type_name: str, seed: int, name: str) -> Any:
        """A mutation's answer as its field's type asks: the record, its id, ``true``, or a payload that
        holds the record (``createOrder: CreateOrderPayload { order }``)."""
        named = _named(kind)
        if isinstance(named, GraphQLObjectType) and named.name != type_name and isinstance(value, Mapping):
            holders = {key for key, spec in named.fields.items() if getattr(_named(spec.type), "name", "") == type_name}
            value = dict.fromkeys(holders, value)
        elif isinstance(named, GraphQLScalarType) and isinstance(value, Mapping):
            value = True if named.name == "Boolean" else value.get("id")
        return self.convert(value, kind, seed, name)

    def resolve_type(self, value: Any, info: GraphQLResolveInfo, abstract: Any) -> str | None:
        return value.type_name if isinstance(value, Node) else None

    # -- generation ------------------------------------------------------------------------------------

    def generate(self, kind: GraphQLOutputType, seed: int, name: str, args: Mapping[str, Any]) -> Any:
        """A value of ``kind`` for the field ``name`` (called with ``args``)."""
        if isinstance(kind, GraphQLNonNull):
            kind = kind.of_type
        if isinstance(kind, GraphQLList):
            offset = _offset(args.get("after"))
            count = self._length(seed, args)
            item = _named(kind.of_type)
            if isinstance(item, GraphQLObjectType) and self.store is not None and self.store.binds(item.name):
                records, _ = self.store.page(item.name, offset, count, _filters(args))
                self.spend(len(records))
                return [self.node(item, seed, {}, record) for record in records]
            self.spend(count)
            return [self.generate(kind.of_type, derive_seed(seed, offset + i), name, {}) for i in range(count)]
        if isinstance(kind, GraphQLScalarType):
            return scalar_value(kind, name, self.faker(seed))
        if isinstance(kind, GraphQLEnumType):
            return enum_value(kind, random.Random(seed))
        return self.node(kind, seed, args)

    def node(
        self, kind: Any, seed: int, args: Mapping[str, Any], record: Mapping[str, Any] | None = None
    ) -> Node | None:
        """An object of ``kind`` (an object type, or an interface or union it is chosen for); ``None`` for an id
        a bound type's collection does not hold."""
        raw_id = args.get("id") if record is None else record.get("id")
        if isinstance(kind, (GraphQLInterfaceType, GraphQLUnionType)):
            kind = self._concrete(kind, seed, raw_id, record)
        assert isinstance(kind, GraphQLObjectType)
        if record is None and self.store is not None and self.store.binds(kind.name):
            record = self._stored(kind.name, seed, raw_id)
            if record is None:
                return None  # no such record: null, as a real server answers a missing id
        if is_connection(kind):
            return self.connection(kind, seed, args)
        id_field = kind.fields.get("id")
        if id_field is None:
            return Node(kind.name, seed, record=record)
        if raw_id is None:
            number = random.Random(seed).randint(*_ID_RANGE)
            scalar = _named(id_field.type)
            relay = any(interface.name == "Node" for interface in kind.interfaces)
            raw_id = entity_id(kind.name, scalar.name if scalar is not None else "ID", number, relay)
        return Node(kind.name, derive_seed(self.seed, "entity", kind.name, str(raw_id)), raw_id, record)

    def connection(self, kind: GraphQLObjectType, seed: int, args: Mapping[str, Any]) -> Node:
        """A Relay connection whose parts agree: edges, their nodes and cursors, the plural list, pageInfo."""
        edge_type = _named(kind.fields["edges"].type)
        assert isinstance(edge_type, GraphQLObjectType)
        node_type = _named(edge_type.fields["node"].type) if "node" in edge_type.fields else None
        offset = _offset(args.get("after"))
        count = self._length(seed, args)
        total: int
        items: list[Any]
        if isinstance(node_type, GraphQLObjectType) and self.store is not None and self.store.binds(node_type.name):
            records, total = self.store.page(node_type.name, offset, count, _filters(args))
            items = [self.node(node_type, seed, {}, record) for record in records]
        else:
            total = offset + count + random.Random(seed).randint(0, 40)
            items = (
                [self.node(node_type, derive_seed(seed, offset + i), {}) for i in range(count)]
                if node_type is not None
                else []
            )
        self.spend(len(items))
        cursors = [_cursor(offset + i) for i in range(len(items))]
        edges = [
            Node(edge_type.name, derive_seed(seed, "edge", offset + i), record={"node": item, "cursor": cursor})
            for i, (item, cursor) in enumerate(zip(items, cursors, strict=True))
        ]
        page_info = {
            "hasNextPage": offset + len(items) < total,
            "hasPreviousPage": offset > 0,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        }
        record: dict[str, Any] = {"edges": edges, "totalCount": total, "pageInfo": page_info}
        for name, definition in kind.fields.items():
            if name != "edges" and node_type is not None and _list_of(definition.type) is node_type:
                record[name] = items  # `nodes`, SWAPI's `films`: the edges' nodes
        return Node(kind.name, seed, record=record)

    def convert(self, value: Any, kind: GraphQLOutputType, seed: int, name: str) -> Any:
        """A value from a record or the spec as ``kind`` asks: mappings become objects, the rest is generated."""
        if isinstance(kind, GraphQLNonNull):
            kind = kind.of_type
        if value is None or isinstance(value, Node):
            return value
        if isinstance(kind, GraphQLList):
            items = value if isinstance(value, list) else [value]
            self.spend(len(items))
            return [self.convert(item, kind.of_type, derive_seed(seed, i), name) for i, item in enumerate(items)]
        if isinstance(kind, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
            if not isinstance(value, Mapping):
                return self.generate(kind, seed, name, {"id": value})  # a reference: the id of an object
            return self.node(kind, seed, {}, value)
        return value

    def _concrete(self, kind: Any, seed: int, raw_id: Any, record: Mapping[str, Any] | None) -> GraphQLObjectType:
        possible = sorted(self.schema.get_possible_types(kind), key=lambda t: t.name)
        wanted = record.get("__typename") if record is not None else relay_type(raw_id)
        for candidate in possible:
            if candidate.name == wanted:
                return candidate
        if not possible:
            raise GraphQLError(f"{kind.name} has no object type that implements it")
        key = str(raw_id) if raw_id is not None else seed
        return possible[random.Random(derive_seed(self.seed, "type", kind.name, key)).randrange(len(possible))]

    def _length(self, seed: int, args: Mapping[str, Any]) -> int:
        for key in ("first", "last", "limit", "pageSize", "perPage"):
            wanted = args.get(key)
            if isinstance(wanted, int) and not isinstance(wanted, bool):
                if wanted < 0:
                    raise GraphQLError(f"{key} must not be negative, got {wanted}")
                return min(wanted, MAX_LIST)
        return random.Random(derive_seed(seed, "length")).randint(*LIST_LENGTHS)


def is_connection(kind: GraphQLObjectType) -> bool:
    """Whether ``kind`` is a Relay connection (``edges`` of objects with a ``node``, and ``pageInfo``)."""
    edges = kind.fields.get("edges")
    if edges is None or "pageInfo" not in kind.fields:
        return False
    edge = _named(edges.type)
    return isinstance(edge, GraphQLObjectType) and "node" in edge.fields


def _named(kind: Any) -> Any:
    while isinstance(kind, (GraphQLNonNull, GraphQLList)):
        kind = kind.of_type
    return kind


def _list_of(kind: Any) -> Any:
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return _named(kind.of_type) if isinstance(kind, GraphQLList) else None


def _arguments_key(args: Mapping[str, Any]) -> str:
    chosen = {key: value for key, value in args.items() if key not in PAGING}
    return orjson.dumps(chosen, option=orjson.OPT_SORT_KEYS, default=str).decode() if chosen else ""


def _filters(args: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in args.items() if key not in PAGING}


def _cursor(position: int) -> str:
    return base64.b64encode(f"cursor:{position}".encode()).decode()


def _offset(after: Any) -> int:
    """The position after the cursor ``after`` (0 without one, or for a cursor mockery did not give)."""
    if not isinstance(after, str) or len(after) > 100:
        return 0
    try:
        text = base64.b64decode(after, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return 0
    prefix, _, number = text.partition(":")
    return int(number) + 1 if prefix == "cursor" and number.isdigit() and int(number) < 10**9 else 0
