"""What templates call ``resources``: read-only views of the collections, so that hand-written routes
answer with the same records as the CRUD endpoints.

``resources.users.get(id)`` is the record, or a 404 answer for the whole route when there is none;
``find(id)`` is the record or ``None``; ``exists(id)``; ``list(role="admin", _sort="name", _limit=5)``
takes the list endpoint's query parameters and ``count(...)`` counts the matches. Another service's
collection is ``resources["billing.companies"]``.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from mockery.resources.collection import Collection
from mockery.resources.query import parse_query
from mockery.store import Record


class RecordNotFound(Exception):
    """A template asked for a record that does not exist: the route answers 404."""


class CollectionView:
    """One collection, read-only."""

    __slots__ = ("_collection", "_fields")

    def __init__(self, collection: Collection, fields: frozenset[str]) -> None:
        self._collection = collection
        self._fields = fields

    def __repr__(self) -> str:
        return f"<resource {self._collection.resource.name}>"

    def get(self, record_id: Any) -> Record:
        record = self._collection.get(record_id)
        if record is None:
            raise RecordNotFound(f"{self._collection.resource.name} has no record with the id {record_id!r}")
        return record

    def find(self, record_id: Any) -> Record | None:
        return self._collection.get(record_id)

    def exists(self, record_id: Any) -> bool:
        return self._collection.get(record_id) is not None

    def list(self, **params: Any) -> builtins.list[Record]:
        records, _ = self._collection.select(parse_query(urlencode(params, doseq=True), self._fields))
        return records

    def count(self, **params: Any) -> int:
        return self._collection.select(parse_query(urlencode(params, doseq=True), self._fields))[1]


class ResourcesView:
    """The collections a service's templates see: its own by name, any by ``service.name``."""

    __slots__ = ("_lookup", "_service")

    def __init__(self, service: str, lookup: Callable[[str], CollectionView | None]) -> None:
        self._service = service
        self._lookup = lookup

    def __getattr__(self, name: str) -> CollectionView:
        return self[name]

    def __getitem__(self, name: str) -> CollectionView:
        view = self._lookup(name if "." in name else f"{self._service}.{name}")
        if view is None:
            raise AttributeError(f"no resource named {name!r}")
        return view
