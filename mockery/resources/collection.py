"""One collection at run time: generated records, overlaid with the changes kept in the store.

Reading record *n* generates it (or takes it from a bounded LRU cache); nothing is generated up front, so a
million-record collection opens instantly. An unfiltered page generates only its own records, whatever its
offset: deletions are skipped by arithmetic over the (few) stored changes. A query that filters or
sorts on top-level fields reads only those fields, a column of the whole collection each
(``mockery.resources.columns``); a text search, a nested path or ``_embed`` reads every record, generated
without being cached. On the event loop (templates) either is refused past ``scan_limit`` records, since each
generated record costs tens of microseconds. Counts (``X-Total-Count``) are always exact.

Such a scan over more than ``loop_scan`` records would hold the event loop for a while, so a REST request
``prepare``s it first: it runs in the collection's worker thread, with a Faker generator of its own (records
are a pure function of the seed, so the answer is the same), and its ids are kept for ``select``. Only the
scans of templates (``resources.users.list(...)``) still run on the loop.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import orjson

from mockery.model.resources import Resource, field_paths
from mockery.resources.columns import Columns
from mockery.resources.generate import IdCodec, RecordFactory, RecordId, RefResolver
from mockery.resources.ids import SeededCodec
from mockery.resources.query import Query, QueryError
from mockery.resources.records import serialise
from mockery.resources.relations import Distribution
from mockery.resources.scanner import SerialWorker
from mockery.store import Record, Store
from mockery.templates.fakes import derive_seed

DEFAULT_CACHE_SIZE = 10_000
DEFAULT_SCAN_LIMIT = 200_000
# A REST list that must generate more records than this (~30 ms of work) scans in the collection's worker thread.
DEFAULT_LOOP_SCAN = 1_000
MAX_PENDING_SCANS = 8  # distinct scans queued for one collection's worker; more requests wait for a turn
SELECTION_CACHE_SIZE = 32  # filtered and sorted answers kept, as lists of ids

Parent = tuple[tuple[str, ...], Any]  # a nested list: the ref fields that point at the parent, and its id


class Collection:
    """Records of one resource: ``get``, ``page``, ``select``, ``referrers`` and the writes, through the store."""

    def __init__(
        self,
        resource: Resource,
        factory: RecordFactory,
        store: Store,
        *,
        cache_size: int = DEFAULT_CACHE_SIZE,
        scan_limit: int = DEFAULT_SCAN_LIMIT,
        loop_scan: int = DEFAULT_LOOP_SCAN,
        refs: RefResolver | None = None,
    ) -> None:
        self.resource = resource
        self.factory = factory
        self.codec: IdCodec = factory.codec
        if not resource.singleton and (resource.seed or resource.id_kind == "string" or resource.id_format):
            self.codec = SeededCodec(resource, derive_seed(factory.seed, resource.name))
        # Refs pinned to their parents (per_parent), by field name.
        self._pins = {
            name: Distribution(
                *ref.per_parent,
                derive_seed(factory.seed, resource.service, resource.name, name),
                functools.partial(refs, ref) if refs is not None else lambda: None,
            )
            for name, ref in resource.refs().items()
            if ref.per_parent is not None
        }
        self._field_names = [name for name, _ in resource.fields]
        self.store = store
        self.key = resource.key
        self.cache_size = cache_size
        self.scan_limit = scan_limit
        self.loop_scan = loop_scan
        self._cache: OrderedDict[int, Record] = OrderedDict()
        self._selections: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()
        self._referrers: OrderedDict[tuple[Any, ...], dict[Any, list[Any]]] = OrderedDict()
        # Scans of big collections run on a worker thread (mockery.resources.scanner), with a factory of its own.
        self._worker: SerialWorker | None = None
        self._twin: RecordFactory | None = None
        self._pending: dict[tuple[Any, ...], asyncio.Future[Any]] = {}
        # What a request's ``prepare`` worked out, by (request task, key), for the ``select`` of the same request
        # when a write landed during the scan and made its key out of date: its answer is as of the scan's start.
        self._handed: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._pages: OrderedDict[tuple[Any, ...], list[Record]] = OrderedDict()
        # The JSON of generated records (they never change: a write is stored as a change over them), and of the
        # pages of kept answers (their key holds the fingerprint of the changes: a write makes another key).
        self._encoded: OrderedDict[int, bytes] = OrderedDict()
        self._page_bytes: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self.field_paths = field_paths(resource)  # what lists may filter and sort on, decided once
        self.columns = Columns(resource, self.codec, factory.drawn)  # a field of every record: what big scans read

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
            record = self._make(number, self.factory)
            if cache:
                self._cache[number] = record
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return _copy(record) if copy else record

    def _make(self, number: int, factory: RecordFactory) -> Record:
        """Record ``number`` before any change: the seed record (its missing fields generated), or generated
        with the collection's ids and pinned refs."""
        seed = self.resource.seed
        if number <= len(seed):
            given = seed[number - 1]
            if all(name in given for name in self._field_names) and not self.resource.maker:
                copied: Record = orjson.loads(orjson.dumps(given))
                return copied
            record = factory.record(number)
            for name, pin in self._pins.items():
                record[name] = pin.parent_of(number)
            record.update(orjson.loads(orjson.dumps(given)))
            return record
        record = factory.record(number)
        if self.codec is not factory.codec:
            record["id"] = self.codec.id_for(number)
        for name, pin in self._pins.items():
            record[name] = pin.parent_of(number)
        return record

    def encoded(self, number: int) -> bytes:
        """Generated record ``number`` as JSON (what ``orjson.dumps(self.generated(number))`` gives), encoded once
        and kept, as many as records are."""
        payload = self._encoded.get(number)
        if payload is not None:
            self._encoded.move_to_end(number)
            return payload
        # The record is kept too (as any read keeps it): an ``_embed`` or a write reads it as a record.
        payload = self._encoded[number] = orjson.dumps(self.generated(number, copy=False))
        if len(self._encoded) > self.cache_size:
            self._encoded.popitem(last=False)
        return payload

    def get_encoded(self, raw_id: object) -> bytes | None:
        """The current record with this id as JSON (the bytes of ``orjson.dumps(self.get(raw_id))``), or ``None``."""
        parsed = self.codec.parse(raw_id)
        if parsed is None:
            return None
        key, number = parsed
        changed, record = self.store.get_change(self.key, key)
        if changed:
            return None if record is None else orjson.dumps(record)
        if number is not None and number <= self.resource.count:
            return self.encoded(number)
        return None

    def singleton(self) -> Record:
        """A singleton's record as it is now (a copy)."""
        changed, record = self.store.get_change(self.key, "1")
        if changed and record is not None:
            return _copy(record)
        base = self._make(1, self.factory)
        if not self.resource.seed:
            base.pop("id", None)  # generated from fields: a singleton has no id
        return base

    def put_singleton(self, record: Record) -> bytes:
        """Store a singleton's new record and return it serialised."""
        payload = serialise(record)
        self.store.put_record(self.key, "1", record)
        return payload

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

    def _overlay(
        self, changes: Mapping[str, Record | None] | None = None
    ) -> tuple[Mapping[str, Record | None], list[int], list[Record]]:
        """Stored changes (read now unless given); the sorted numbers of deleted generated records; created
        records, in id order."""
        if changes is None:
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
        out = [self._current(number, changes, cache=True) for number in self._live_numbers(start, stop, deleted)]
        out.extend(created[max(0, start - live) : max(0, stop - live)])
        return out, live + len(created)

    def _live_numbers(self, start: int, stop: int, deleted: list[int]) -> Iterator[int]:
        """The numbers of the generated records at positions ``[start, stop)`` among those not deleted
        (``deleted``: sorted numbers), in order: a page walks only its own records."""
        live = self.resource.count - len(deleted)
        position = start
        if position >= live:
            return
        number = _nth_live(position, deleted)
        while position < min(stop, live) and number <= self.resource.count:
            index = bisect.bisect_left(deleted, number)
            if index < len(deleted) and deleted[index] == number:
                number += 1
                continue
            yield number
            number += 1
            position += 1

    def select(self, query: Query, parent: Parent | None = None) -> tuple[list[Record], int]:
        """The window of records matching ``query`` and their total; with ``parent`` (ref field names, an id)
        only the records whose one of those fields holds the id: a nested list."""
        if not query.scans and parent is None:
            start, stop = query.window(self.total(), self.resource.list_limit)
            return self.page(start, stop)
        ids, key = self._matching_ids(query, parent)
        start, stop = query.window(len(ids), self.resource.list_limit)
        # _expand and _embed add to the records: copies. An answer as of older changes (key None) is not kept.
        if query.expand or query.embed or key is None:
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

    def page_encoded(self, start: int, stop: int) -> tuple[bytes, int]:
        """``page(start, stop)`` as the JSON array of its records, and the total: the same bytes as
        ``orjson.dumps`` of the page, joined from each record's kept JSON."""
        changes, deleted, created = self._overlay()
        live = self.resource.count - len(deleted)
        parts: list[bytes] = []
        for number in self._live_numbers(start, stop, deleted):
            changed = changes.get(self.codec.key(number)) if changes else None
            parts.append(orjson.dumps(changed) if changed is not None else self.encoded(number))
        parts.extend(orjson.dumps(record) for record in created[max(0, start - live) : max(0, stop - live)])
        return b"[" + b",".join(parts) + b"]", live + len(created)

    def select_encoded(self, query: Query, parent: Parent | None = None) -> tuple[bytes, int]:
        """``select(query, parent)`` as the JSON array of its records, and the total; for a query with no
        ``_expand`` or ``_embed`` (those add to the records). A page of a kept answer is kept as bytes."""
        if not query.scans and parent is None:
            start, stop = query.window(self.total(), self.resource.list_limit)
            return self.page_encoded(start, stop)
        ids, key = self._matching_ids(query, parent)
        start, stop = query.window(len(ids), self.resource.list_limit)
        if key is None:  # an answer as of older changes: not kept
            found = (self.get_encoded(record_id) for record_id in ids[start:stop])
            return b"[" + b",".join(part for part in found if part is not None) + b"]", len(ids)
        page_key = (key, start, stop)
        payload = self._page_bytes.get(page_key)
        if payload is None:
            found = (self.get_encoded(record_id) for record_id in ids[start:stop])
            payload = self._page_bytes[page_key] = b"[" + b",".join(part for part in found if part is not None) + b"]"
            if len(self._page_bytes) > SELECTION_CACHE_SIZE * 4:
                self._page_bytes.popitem(last=False)
        else:
            self._page_bytes.move_to_end(page_key)
        return payload, len(ids)

    def records_by_id(self, ids: Iterable[Any]) -> dict[Any, Record]:
        """The current records (copies) with these ids, reading the stored changes once; ids of records that
        are gone are left out."""
        changes = self.store.changes(self.key)
        found: dict[Any, Record] = {}
        for record_id in ids:
            parsed = self.codec.parse(record_id)
            if parsed is None:
                continue
            key, number = parsed
            if key in changes:
                changed = changes[key]
                if changed is not None:
                    found[record_id] = _copy(changed)
            elif number is not None and number <= self.resource.count:
                found[record_id] = self.generated(number)
        return found

    def referrers(self, fields: tuple[str, ...]) -> Mapping[Any, list[Any]]:
        """The ids of the records whose ``fields`` hold each value, in id order (a record is listed once per
        field that holds it): what ``_embed`` looks up. Kept like a selection, until a write."""
        changes = self.store.changes(self.key)
        key = (fields, _fingerprint(changes))
        prepared = self._prepared(key)
        found: dict[Any, list[Any]] | None = self._kept(self._referrers, key)
        if found is None:
            found = prepared
        if found is None:
            self._check_scan()
            found = self._keep(self._referrers, key, self._group_ids(fields, changes, self._loop_record))
        return found

    async def prepare(self, query: Query, parent: Parent | None = None) -> None:
        """Work out, in a worker thread, the ids a ``select`` of ``query`` needs, when that means generating
        more than ``loop_scan`` records: the event loop keeps answering meanwhile. Records are a pure function
        of the seed, so the thread generates them with a Faker generator of its own and the answer is the
        same as on the loop. If a write lands during the scan, the ``select`` that follows in the same request
        uses the ids as of the scan's start. Never raises: ``select`` reports what went wrong."""
        if (not query.scans and parent is None) or not self.scans_off_loop:
            return
        changes = self.store.changes(self.key)
        key = (query.filters, query.text, query.sort, parent, _fingerprint(changes))
        job = functools.partial(self._select_ids, query, parent, changes)
        await self._off_loop(self._selections, key, job)

    async def prepare_referrers(self, fields: tuple[str, ...]) -> None:
        """``referrers(fields)`` worked out in the worker thread, as ``prepare`` does for a selection."""
        if not self.scans_off_loop:
            return
        changes = self.store.changes(self.key)
        key = (fields, _fingerprint(changes))
        job = functools.partial(self._group_ids, fields, changes)
        await self._off_loop(self._referrers, key, job)

    @property
    def scanning(self) -> bool:
        """Whether a scan is under way (or waiting) in the worker thread."""
        return bool(self._pending)

    def _matching_ids(self, query: Query, parent: Parent | None) -> tuple[list[Any], tuple[Any, ...] | None]:
        """The ids of the records matching ``query`` (and ``parent``), in its order.

        Answering a filter or a sort reads every record, so the answer (ids only) is kept for the next page or
        the next client asking the same, as long as the stored changes are the same: any write anywhere,
        in this process or another sharing the store, changes their fingerprint.
        """
        changes = self.store.changes(self.key)
        key = (query.filters, query.text, query.sort, parent, _fingerprint(changes))
        prepared = self._prepared(key)
        ids = self._kept(self._selections, key)
        if ids is not None:
            return ids, key
        if prepared is not None:
            return prepared, None  # as of an earlier version of the changes: not to be kept under this key
        self._check_scan()
        return self._keep(self._selections, key, self._select_ids(query, parent, changes, self._loop_record)), key

    # Scans: on the loop (small collections, templates) or in the worker thread (big ones, REST lists).

    def _check_scan(self) -> None:
        if self.resource.count > self.scan_limit:
            raise QueryError(
                f"filtering, searching or sorting {self.resource.name} reads all {self.resource.count} records, "
                f"more than the limit of {self.scan_limit}; page without filters, or use a smaller count"
            )

    @property
    def scans_off_loop(self) -> bool:
        """Whether a scan of this collection is big enough to run in the worker thread (``scan_limit`` holds
        only for scans on the loop: those of templates)."""
        return self.loop_scan < self.resource.count

    def _loop_record(self, number: int) -> Record:
        return self.generated(number, cache=False, copy=False)

    def _thread_factory(self) -> RecordFactory:
        """The factory only the worker thread uses."""
        if self._twin is None:
            self._twin = self.factory.twin()
        return self._twin

    def _thread_record(self, number: int) -> Record:
        """Record ``number`` generated in the worker thread, with the factory only that thread uses."""
        if self._twin is None:
            self._twin = self.factory.twin()
        return self._make(number, self._twin)

    def _records(self, changes: Mapping[str, Record | None], make: Callable[[int], Record]) -> Iterator[Record]:
        """Every current record, in id order, read only (not copied): generated ones through ``make``."""
        _, deleted, created = self._overlay(changes)
        gone = set(deleted)
        for number in range(1, self.resource.count + 1):
            if number not in gone:
                record = changes.get(self.codec.key(number)) if changes else None
                yield record if record is not None else make(number)
        yield from created

    def _select_ids(
        self,
        query: Query,
        parent: Parent | None,
        changes: Mapping[str, Record | None],
        make: Callable[[int], Record] | None = None,
    ) -> list[Any]:
        # Seed records and pinned refs are not columns: such a collection is scanned record by record.
        if self.resource.count > self.loop_scan and not self.resource.seed and not self._pins:
            # only the fields the query names, generated a column at a time
            _, _, created = self._overlay(changes)
            # Drawn fields need no Faker generator: the thread's own is built only for a Faker field's column.
            factory_of = (lambda: self.factory) if make is not None else self._thread_factory
            picked = self.columns.select(query, parent, changes, created, factory_of)
            if picked is not None:
                return picked
        records = self._records(changes, make or self._thread_record)
        if parent is not None:
            names, parent_id = parent
            records = (record for record in records if any(record.get(name) == parent_id for name in names))
        matches = [record for record in records if query.matches(record)]
        query.sorted(matches)
        return [record["id"] for record in matches]

    def _group_ids(
        self, fields: tuple[str, ...], changes: Mapping[str, Record | None], make: Callable[[int], Record] | None = None
    ) -> dict[Any, list[Any]]:
        groups: dict[Any, list[Any]] = {}
        for record in self._records(changes, make or self._thread_record):
            for field in fields:
                value = record.get(field)
                if isinstance(value, int | str) and not isinstance(value, bool):
                    groups.setdefault(value, []).append(record["id"])
        return groups

    async def _off_loop(self, cache: OrderedDict[Any, Any], key: tuple[Any, ...], job: Callable[[], Any]) -> None:
        """Run ``job`` (once for concurrent requests of the same ``key``) in the worker thread; keep its result."""
        while key not in cache:
            pending = self._pending.get(key)
            if pending is None:
                if len(self._pending) >= MAX_PENDING_SCANS:  # back-pressure: wait for a turn, queue nothing
                    await asyncio.wait(set(self._pending.values()), return_when=asyncio.FIRST_COMPLETED)
                    continue
                if self._worker is None:
                    self._worker = SerialWorker(self.key)
                pending = self._pending[key] = self._worker.submit(job)
                pending.add_done_callback(functools.partial(self._scanned, cache, key))
            try:
                result = await asyncio.shield(pending)
            except Exception:
                return  # the same work on the loop reports it
            self._hand_over(key, result)
            return

    def _scanned(self, cache: OrderedDict[Any, Any], key: tuple[Any, ...], done: asyncio.Future[Any]) -> None:
        self._pending.pop(key, None)
        if not done.cancelled() and done.exception() is None:
            self._keep(cache, key, done.result())

    def _hand_over(self, key: tuple[Any, ...], value: Any) -> None:
        self._keep(self._handed, (_current_task(), *key[:-1]), value)  # the fingerprint (last) aside

    def _prepared(self, key: tuple[Any, ...]) -> Any:
        """What this request's ``prepare`` worked out for ``key`` (fingerprint aside), or ``None``; taken once."""
        return self._handed.pop((_current_task(), *key[:-1]), None) if self._handed else None

    def _kept(self, cache: OrderedDict[Any, Any], key: tuple[Any, ...]) -> Any:
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
        return found

    def _keep(self, cache: OrderedDict[Any, Any], key: tuple[Any, ...], value: Any) -> Any:
        cache[key] = value
        if len(cache) > SELECTION_CACHE_SIZE:
            cache.popitem(last=False)
        return value

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


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop: a caller outside the server
        return None


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
