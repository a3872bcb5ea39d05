"""One collection at run time: generated records, overlaid with the changes kept in the store.

Reading record *n* generates it (or takes it from a bounded LRU cache); nothing is generated up front, so a
million-record collection opens instantly. An unfiltered page generates only its own records, whatever its
offset: deletions are skipped by arithmetic over the (few) stored changes. A query that filters, searches or
sorts reads every record, generated without being cached; it is refused past ``scan_limit`` records, since
each generated record costs tens of microseconds. Counts (``X-Total-Count``) are always exact.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from mockery.resources.generate import IdCodec, RecordFactory, RecordId
from mockery.resources.model import Resource, field_paths
from mockery.resources.query import Query, QueryError
from mockery.resources.records import serialise
from mockery.store import Record, Store

DEFAULT_CACHE_SIZE = 10_000
DEFAULT_SCAN_LIMIT = 200_000
SELECTION_CACHE_SIZE = 32  # filtered and sorted answers kept, as lists of ids


class Collection:
    """Records of one resource: ``get``, ``page``, ``scan`` and the writes, all through the store."""

    def __init__(
        self,
        resource: Resource,
        factory: RecordFactory,
        store: Store,
        *,
        cache_size: int = DEFAULT_CACHE_SIZE,
        scan_limit: int = DEFAULT_SCAN_LIMIT,
    ) -> None:
        self.resource = resource
        self.factory = factory
        self.codec: IdCodec = factory.codec
        self.store = store
        self.key = resource.key
        self.cache_size = cache_size
        self.scan_limit = scan_limit
        self._cache: OrderedDict[int, Record] = OrderedDict()
        self._selections: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()
        self._pages: OrderedDict[tuple[Any, ...], list[Record]] = OrderedDict()
        self.field_paths = field_paths(resource)  # what lists may filter and sort on, decided once

    def __repr__(self) -> str:
        return f"Collection({self.key!r}, count={self.resource.count}, cached={len(self._cache)})"

    @property
    def cached(self) -> int:
        """How many generated records the cache holds now (never more than ``cache_size``)."""
        return len(self._cache)

    def generated(self, number: int, *, cache: bool = True, copy: bool = True) -> Record:
        """Generated record ``number`` (before any change): a fresh copy, or with ``copy=False`` the cached
        record itself, for a caller that only reads it (serialises it) and never changes it."""
        record = self._cache.get(number)
        if record is not None:
            self._cache.move_to_end(number)
        else:
            record = self.factory.record(number)
            if cache:
                self._cache[number] = record
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return _copy(record) if copy else record

    def parse_id(self, raw: object) -> tuple[str, int | None] | None:
        return self.codec.parse(raw)

    def get(self, raw_id: object, *, copy: bool = True) -> Record | None:
        """The current record with this id, or ``None`` (``copy=False``: see ``generated``)."""
        parsed = self.codec.parse(raw_id)
        if parsed is None:
            return None
        key, number = parsed
        changed, record = self.store.get_change(self.key, key)
        if changed:
            return record
        if number is not None and number <= self.resource.count:
            return self.generated(number, copy=copy)
        return None

    def _overlay(self) -> tuple[Mapping[str, Record | None], list[int], list[Record]]:
        """Stored changes; the sorted numbers of deleted generated records; created records, in id order."""
        changes = self.store.changes(self.key)
        deleted: list[int] = []
        created: list[tuple[tuple[int, Any], Record]] = []
        for key, record in changes.items():
            parsed = self.codec.parse(key)
            number = parsed[1] if parsed is not None else None
            generated = number is not None and number <= self.resource.count
            if record is None:
                if generated and number is not None:
                    deleted.append(number)
            elif not generated:
                created.append(((0, number) if number is not None else (1, key), record))
        created.sort(key=lambda item: item[0])
        return changes, sorted(deleted), [record for _, record in created]

    def total(self) -> int:
        """How many records exist now."""
        _, deleted, created = self._overlay()
        return self.resource.count - len(deleted) + len(created)

    def page(self, start: int, stop: int) -> tuple[list[Record], int]:
        """Records ``[start, stop)`` in id order and the total, generating only those records."""
        changes, deleted, created = self._overlay()
        live = self.resource.count - len(deleted)
        out: list[Record] = []
        position = start
        if position < live:
            number = _nth_live(position, deleted)
            while position < min(stop, live) and number <= self.resource.count:
                index = bisect.bisect_left(deleted, number)
                if index < len(deleted) and deleted[index] == number:
                    number += 1
                    continue
                out.append(self._current(number, changes, cache=True))
                number += 1
                position += 1
        out.extend(created[max(0, start - live) : max(0, stop - live)])
        return out, live + len(created)

    def scan(self) -> Iterator[Record]:
        """Every record, in id order; ``QueryError`` when there are more than ``scan_limit``."""
        if self.resource.count > self.scan_limit:
            raise QueryError(
                f"filtering, searching or sorting {self.resource.name} reads all {self.resource.count} records, "
                f"more than the limit of {self.scan_limit}; page without filters, or use a smaller count"
            )
        changes, deleted, created = self._overlay()
        gone = set(deleted)
        for number in range(1, self.resource.count + 1):
            if number not in gone:
                yield self._current(number, changes, cache=False)
        yield from created

    def select(self, query: Query, extra: Any = None) -> tuple[list[Record], int]:
        """The window of records matching ``query`` and their total; ``extra`` (a callable) filters more."""
        if not query.scans and extra is None:
            start, stop = query.window(self.total(), self.resource.list_limit)
            return self.page(start, stop)
        if extra is not None:
            matches = [r for r in self.scan() if query.matches(r) and extra(r)]
            query.sorted(matches)
            start, stop = query.window(len(matches), self.resource.list_limit)
            return matches[start:stop], len(matches)
        ids, key = self._matching_ids(query)
        start, stop = query.window(len(ids), self.resource.list_limit)
        if query.expand or query.embed:  # they add to the records: hand out copies
            window = [self.get(record_id) for record_id in ids[start:stop]]
            return [record for record in window if record is not None], len(ids)
        # Only serialised: the same page of the same answer is the same records, kept with the answer.
        page_key = (key, start, stop)
        records = self._pages.get(page_key)
        if records is None:
            found = [self.get(record_id, copy=False) for record_id in ids[start:stop]]
            records = self._pages[page_key] = [record for record in found if record is not None]
            if len(self._pages) > SELECTION_CACHE_SIZE * 4:
                self._pages.popitem(last=False)
        return records, len(ids)

    def _matching_ids(self, query: Query) -> tuple[list[Any], tuple[Any, ...]]:
        """The ids of the records matching ``query``, in its order.

        Answering a filter or a sort reads every record, so the answer (ids only) is kept for the next page or
        the next client asking the same, as long as the stored changes are the same: any write anywhere,
        in this process or another sharing the store, changes their fingerprint.
        """
        changes = self.store.changes(self.key)
        key = (query.filters, query.text, query.sort, _fingerprint(changes))
        ids = self._selections.get(key)
        if ids is not None:
            self._selections.move_to_end(key)
            return ids, key
        matches = [record for record in self.scan() if query.matches(record)]
        query.sorted(matches)
        ids = [record["id"] for record in matches]
        self._selections[key] = ids
        if len(self._selections) > SELECTION_CACHE_SIZE:
            self._selections.popitem(last=False)
        return ids, key

    def _current(self, number: int, changes: Mapping[str, Record | None], *, cache: bool) -> Record:
        key = self.codec.key(number)
        if key in changes:
            record = changes[key]
            assert record is not None  # deleted numbers are skipped by the callers
            return _copy(record)
        return self.generated(number, cache=cache)

    # Writes.

    def new_id(self) -> RecordId:
        """An id no record has: the next number after ``count`` (integer or its seeded uuid)."""
        while True:
            number = self.store.next_id(self.key, self.resource.count)
            candidate = self.codec.id_for(number)
            if self.get(candidate) is None:
                return candidate

    def put(self, record: Record) -> bytes:
        """Store ``record`` (created, replaced or patched) and return it serialised. It is serialised and
        measured first: ``UnstorableRecord`` (and nothing stored) when a read could not serialise it again."""
        parsed = self.codec.parse(record["id"])
        assert parsed is not None
        payload = serialise(record)
        self.store.put_record(self.key, parsed[0], record)
        return payload

    def delete(self, raw_id: object) -> bool:
        """Delete the record; ``False`` when there is none."""
        parsed = self.codec.parse(raw_id)
        if parsed is None or self.get(raw_id) is None:
            return False
        self.store.delete_record(self.key, parsed[0])
        return True


def _fingerprint(changes: Mapping[str, Record | None]) -> int:
    """Which version of the stored changes a cached selection was computed from."""
    return hash(orjson.dumps(dict(changes), option=orjson.OPT_SORT_KEYS)) if changes else 0


def _nth_live(position: int, deleted: list[int]) -> int:
    """The number of the record at 0-based ``position`` among generated records not deleted."""
    number = position + 1
    for gone in deleted:
        if gone <= number:
            number += 1
        else:
            break
    return number


def _copy(record: Record) -> Record:
    """A deep copy, so that nobody changes the cached record. Records are plain JSON: orjson copies them
    faster than a recursive Python walk."""
    copied: Record = orjson.loads(orjson.dumps(record))
    return copied
