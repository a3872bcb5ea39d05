"""Object types bound to a service's resources: GraphQL reads and writes the collections REST serves.

``types: {Order: {resource: orders}}`` makes every ``Order`` of an answer a record of ``orders``: looked up
by id, paged by lists and connections, created, updated (a merge, as REST's PATCH) and deleted by the
mutations named after the type (``createOrder``/``addOrder``, ``updateOrder``, ``deleteOrder``/``removeOrder``).
A write is validated as a REST write is; what breaks a field is a GraphQL error of the mutation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from graphql import GraphQLError

from mockery.model.resources import RefField, Resource
from mockery.model.services import Service
from mockery.resources.collection import Collection
from mockery.resources.query import QueryError, parse_query
from mockery.resources.records import UnstorableRecord
from mockery.resources.registry import Resources

MUTATION_PREFIXES: tuple[tuple[str, str], ...] = (
    ("create", "create"),
    ("add", "create"),
    ("update", "update"),
    ("delete", "delete"),
    ("remove", "delete"),
)


def mutation_action(field: str, bound: Mapping[str, str]) -> tuple[str, str] | None:
    """``createOrder`` -> ``("Order", "create")`` when ``Order`` is bound; ``None`` for other fields."""
    for prefix, action in MUTATION_PREFIXES:
        if field.startswith(prefix) and field[len(prefix) :] in bound:
            return field[len(prefix) :], action
    return None


class BoundStore:
    """The collections of the bound types, for one request."""

    __slots__ = ("_collections", "_resources")

    def __init__(self, resources: Resources, service: Service, bindings: Mapping[str, str]) -> None:
        by_name: dict[str, Resource] = {resource.name: resource for resource in service.resources}
        self._resources = resources
        self._collections: dict[str, Collection] = {
            type_name: resources.collection(by_name[name]) for type_name, name in bindings.items() if name in by_name
        }

    def binds(self, type_name: str) -> bool:
        return type_name in self._collections

    def get(self, type_name: str, raw_id: Any) -> dict[str, Any] | None:
        return self._collections[type_name].get(raw_id)

    def page(
        self, type_name: str, offset: int, count: int, filters: Mapping[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """Records ``[offset, offset + count)`` and the total; of those whose fields equal ``filters`` (the
        arguments named after the record's fields, or the fields of an input object such as ``filter``), as
        REST's ``?status=paid`` filters."""
        collection = self._collections[type_name]
        pairs = _filter_pairs(filters or {}, collection.field_paths)
        if not pairs:
            return collection.page(offset, offset + count)
        pairs += [("_start", str(offset)), ("_end", str(offset + count))]
        try:
            return collection.select(parse_query(urlencode(pairs), collection.field_paths))
        except QueryError as exc:
            raise GraphQLError(str(exc)) from exc

    def mutate(self, type_name: str, action: str, args: dict[str, Any]) -> Any:
        collection = self._collections[type_name]
        data = args.get("input") if isinstance(args.get("input"), dict) else args
        assert isinstance(data, dict)
        data = {key: value for key, value in data.items() if key != "clientMutationId"}
        raw_id = data.pop("id", args.get("id"))
        if action == "create":
            if raw_id is not None and collection.get(raw_id) is not None:
                raise GraphQLError(f"{type_name} {raw_id!r} already exists")
            if raw_id is None:  # checked before an id is taken, as REST does: a refused write uses none
                self._check(collection, type_name, data)
                return self._put(collection, type_name, {"id": collection.new_id(), **data})
            return self._put(collection, type_name, {"id": raw_id, **data})
        current = collection.get(raw_id) if raw_id is not None else None
        if current is None:
            raise GraphQLError(f"{type_name} {raw_id!r} does not exist")
        if action == "delete":
            collection.delete(raw_id)
            return current
        return self._put(collection, type_name, _merge(current, data))

    def _check(self, collection: Collection, type_name: str, record: dict[str, Any]) -> None:
        violations = self._resources.validators[collection.key].violations(record, self._exists)
        if violations:
            details = "; ".join(f"{v['pointer'] or '/'}: {v['detail']}" for v in violations[:10])
            raise GraphQLError(f"the {type_name} is not valid: {details}", extensions={"violations": violations})

    def _put(self, collection: Collection, type_name: str, record: dict[str, Any]) -> dict[str, Any]:
        if collection.codec.parse(record["id"]) is None:
            raise GraphQLError(f"{record['id']!r} cannot be an id of {type_name}")
        self._check(collection, type_name, record)
        try:
            collection.put(record)
        except UnstorableRecord as exc:
            raise GraphQLError(f"the {type_name} cannot be stored: {exc}") from exc
        return record

    def _exists(self, ref: RefField, value: Any) -> bool:
        target = self._resources.collections.get(ref.target)
        return target is None or target.get(value) is not None


def _filter_pairs(filters: Mapping[str, Any], fields: Iterable[str]) -> list[tuple[str, str]]:
    known = frozenset(fields)
    pairs: list[tuple[str, str]] = []
    for name, value in filters.items():
        if isinstance(value, Mapping):  # filter: {status: PAID}
            pairs.extend(_filter_pairs(value, known))
            continue
        if name not in known or value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, ("true" if item else "false") if isinstance(item, bool) else str(item)))
    return pairs


def _merge(current: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """A merge as REST's PATCH (RFC 7396): ``null`` removes a field, objects merge."""
    merged = dict(current)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
