"""Export: the records of collections as JSON, JSON Lines, CSV, or SQL that loads them into a real database.

What a team built up through the fake seeds the real development database when it switches to the real
service. SQL is one script per export: ``CREATE TABLE`` for each collection (column types from the field kinds,
the id as primary key, a foreign key for each ``ref`` to a collection in the same export), then ``INSERT``s in
batches, parents before children, in one transaction. Every name is quoted and every value written as a
literal escaped for the dialect (PostgreSQL, SQLite, MySQL), so no value or name can end a literal early.
A ref whose record is gone (deleted without ``on_delete``) is written as NULL, and counted in a comment: the
database's foreign keys would refuse it.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

import orjson

from mockery.model.resources import (
    ArrayField,
    ChoiceField,
    ConstField,
    FakerField,
    FieldKind,
    ObjectField,
    RefField,
    Resource,
)
from mockery.resources.collection import Collection
from mockery.resources.generate import IdCodec, json_type
from mockery.store import Record
from mockery.store.memory import MemoryStore

FORMATS = ("json", "jsonl", "csv", "sql")
DIALECTS = ("postgres", "sqlite", "mysql")
BATCH = 200  # rows per INSERT: SQLite before 3.8.8 caps a VALUES list at 500
PAGE = 1000  # records read from a collection at a time

_INTEGER_PROVIDERS = frozenset({"pyint", "random_int", "random_digit", "random_number", "random_digit_not_null"})
_NUMBER_PROVIDERS = frozenset({"pyfloat", "latitude", "longitude", "pydecimal"})
_BOOLEAN_PROVIDERS = frozenset({"boolean", "pybool"})


class ExportError(ValueError):
    """An export that cannot be written as asked (a user's mistake: the CLI prints the message)."""


@dataclass(frozen=True, slots=True)
class Table:
    """One collection to export: its model, its records (read lazily, in id order) and its column types."""

    resource: Resource
    records: Callable[[], Iterable[Record]]
    # JSON type of each column ("integer", "number", "boolean", "string", "json"), in column order.
    columns: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def singleton(self) -> bool:
        """A singleton resource: one record, without an id (written as an object in JSON)."""
        return bool(getattr(self.resource, "singleton", False))

    def __repr__(self) -> str:
        return f"Table({self.resource.key!r}, columns={list(self.columns)})"


def column_types(
    resource: Resource, samples: Iterable[Record], id_type: str, ref_type: Callable[[RefField], str]
) -> dict[str, str]:
    """The columns of a collection and their JSON types: the id, every field (typed by its kind where the kind
    decides it, else by the values in ``samples``), then any other key a sample has (seed data, writes)."""
    columns: dict[str, str] = {"id": id_type}
    seen: dict[str, set[str]] = {}
    order: list[str] = []
    samples = list(samples)
    if getattr(resource, "singleton", False) and not any("id" in record for record in samples):
        columns = {}  # a singleton generated from fields has no id
    for record in samples:
        for key, value in record.items():
            if key not in seen:
                seen[key] = set()
                order.append(key)
            kind = _value_type(value)
            if kind is not None:
                seen[key].add(kind)
    for name, spec in resource.fields:
        columns[name] = _kind_type(spec.kind, ref_type) or _merge(seen.get(name, set()))
    for key in order:
        if key not in columns:
            columns[key] = _merge(seen[key])
    return columns


def _value_type(value: Any) -> str | None:
    found = json_type(value)
    return "json" if found in ("array", "object") else found


def _merge(types: set[str]) -> str:
    if not types:
        return "string"
    if types == {"integer", "number"}:
        return "number"
    return types.pop() if len(types) == 1 else "string"


def _kind_type(kind: FieldKind, ref_type: Callable[[RefField], str]) -> str | None:
    if isinstance(kind, RefField):
        return ref_type(kind)
    if isinstance(kind, ArrayField | ObjectField):
        return "json"
    if isinstance(kind, ConstField):
        return _value_type(kind.value) or "string"
    if isinstance(kind, ChoiceField):
        return _merge({t for t in map(_value_type, kind.options) if t is not None})
    if isinstance(kind, FakerField):
        if kind.provider in _INTEGER_PROVIDERS:
            return "integer"
        if kind.provider in _NUMBER_PROVIDERS:
            return "number"
        if kind.provider in _BOOLEAN_PROVIDERS:
            return "boolean"
    return None  # a template, or a Faker provider of its own kind: decided by the values


# JSON, JSON Lines, CSV: the records as the REST API serves them.


def write_json(tables: Sequence[Table], out: TextIO) -> None:
    """One collection: a JSON array of its records; several: an object of arrays by name (json-server's db.json)."""
    if len(tables) == 1:
        _json_value(tables[0], out)
        out.write("\n")
        return
    out.write("{")
    for index, table in enumerate(tables):
        out.write(("," if index else "") + "\n" + orjson.dumps(table.name).decode() + ": ")
        _json_value(table, out)
    out.write("\n}\n")


def _json_value(table: Table, out: TextIO) -> None:
    if table.singleton:
        for record in table.records():
            out.write(orjson.dumps(record).decode())
        return
    _json_array(table.records(), out)


def _json_array(records: Iterable[Record], out: TextIO) -> None:
    out.write("[")
    for index, record in enumerate(records):
        out.write(("," if index else "") + "\n  " + orjson.dumps(record).decode())
    out.write("\n]")


def write_jsonl(table: Table, out: TextIO) -> None:
    """One record a line."""
    for record in table.records():
        out.write(orjson.dumps(record).decode() + "\n")


def write_csv(table: Table, out: TextIO) -> None:
    """A header line of the column names, then a line per record: null is an empty cell, booleans ``true`` and
    ``false``, arrays and objects their JSON text (what ``data: file.csv`` reads back)."""
    writer = csv.writer(out, lineterminator="\n")
    names = list(table.columns)
    writer.writerow(names)
    for record in table.records():
        writer.writerow([_csv_cell(record.get(name)) for name in names])


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


# SQL.


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    quote: str  # around names
    types: Mapping[str, str]
    id_types: Mapping[str, str]  # the id column's type by JSON type
    backslash_escapes: bool  # MySQL reads \ in a string literal as an escape
    true: str
    false: str
    begin: tuple[str, ...]
    end: tuple[str, ...]
    deferred: str  # how a foreign key waits for the end of the transaction ("" where it cannot)

    def name_of(self, text: str) -> str:
        """``text`` as a quoted identifier."""
        if "\x00" in text:
            raise ExportError(f"the name {text!r} holds a NUL character, which no database takes in a name")
        return self.quote + text.replace(self.quote, self.quote * 2) + self.quote

    def literal(self, value: Any, column_type: str) -> str:
        """``value`` as a literal of a column of ``column_type``."""
        if value is None:
            return "NULL"
        if column_type == "json" or isinstance(value, list | dict):
            return self._text(orjson.dumps(value).decode())
        if column_type == "boolean" and isinstance(value, bool):
            return self.true if value else self.false
        if column_type in ("integer", "number") and isinstance(value, int | float) and not isinstance(value, bool):
            return repr(value)
        if isinstance(value, str):
            return self._text(value)
        return self._text(orjson.dumps(value).decode())  # a value of another type in a column of text

    def _text(self, text: str) -> str:
        if "\x00" in text and self.name == "postgres":
            raise ExportError("a value holds a NUL character, which PostgreSQL cannot store in text")
        if self.backslash_escapes:
            text = text.replace("\\", "\\\\").replace("\x00", "\\0")
        return "'" + text.replace("'", "''") + "'"


DIALECT_OF: dict[str, Dialect] = {
    "postgres": Dialect(
        "postgres",
        '"',
        {"integer": "BIGINT", "number": "DOUBLE PRECISION", "boolean": "BOOLEAN", "string": "TEXT", "json": "JSONB"},
        {"integer": "BIGINT", "string": "TEXT"},
        backslash_escapes=False,
        true="TRUE",
        false="FALSE",
        begin=("BEGIN;",),
        end=("COMMIT;",),
        deferred=" DEFERRABLE INITIALLY DEFERRED",
    ),
    "sqlite": Dialect(
        "sqlite",
        '"',
        {"integer": "INTEGER", "number": "REAL", "boolean": "BOOLEAN", "string": "TEXT", "json": "TEXT"},
        {"integer": "INTEGER", "string": "TEXT"},
        backslash_escapes=False,
        true="1",
        false="0",
        begin=("PRAGMA foreign_keys = ON;", "BEGIN;"),
        end=("COMMIT;",),
        deferred=" DEFERRABLE INITIALLY DEFERRED",
    ),
    "mysql": Dialect(
        "mysql",
        "`",
        {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "string": "TEXT", "json": "JSON"},
        {"integer": "BIGINT", "string": "VARCHAR(255)"},  # a MySQL key needs a length
        backslash_escapes=True,
        true="TRUE",
        false="FALSE",
        # MySQL checks a foreign key at once, row by row: off while loading (rows may point forwards).
        begin=("SET NAMES utf8mb4;", "SET FOREIGN_KEY_CHECKS = 0;", "START TRANSACTION;"),
        end=("COMMIT;", "SET FOREIGN_KEY_CHECKS = 1;"),
        deferred="",
    ),
}


def write_sql(tables: Sequence[Table], out: TextIO, dialect_name: str) -> None:
    """A script creating a table per collection and inserting its records, parents first, in one transaction."""
    dialect = DIALECT_OF[dialect_name]
    keys_by_name: dict[str, list[str]] = {}
    for table in tables:
        keys_by_name.setdefault(table.name, []).append(table.resource.key)
    for name, keys in keys_by_name.items():
        if len(keys) > 1:
            raise ExportError(
                f"the collections {', '.join(keys)} would all be the table {name!r}: export them one at a time "
                "(--resource SERVICE.NAME) into databases of their own"
            )
    ordered = _parents_first(tables)
    by_key = {table.resource.key: table for table in ordered}
    ids = {table.resource.key: _ids(table) for table in ordered if _referenced(table, ordered)}
    out.write(f"-- Written by mockery export ({dialect.name}): {len(ordered)} table(s).\n")
    for line in dialect.begin:
        out.write(line + "\n")
    for table in ordered:
        out.write(_create(table, dialect, by_key) + "\n")
    for table in ordered:
        _insert(table, dialect, by_key, ids, out)
    for line in dialect.end:
        out.write(line + "\n")


def _refs(table: Table, tables: Mapping[str, Table]) -> dict[str, str]:
    """Ref columns of ``table`` whose target is exported too: column -> target collection key."""
    return {name: ref.target for name, ref in table.resource.refs().items() if ref.target in tables}


def _referenced(table: Table, tables: Sequence[Table]) -> bool:
    by_key = {t.resource.key: t for t in tables}
    return any(table.resource.key in _refs(other, by_key).values() for other in tables)


def _ids(table: Table) -> set[Any]:
    return {record.get("id") for record in table.records()}


def _parents_first(tables: Sequence[Table]) -> list[Table]:
    by_key = {table.resource.key: table for table in tables}
    ordered: list[Table] = []
    visiting: set[str] = set()

    def visit(table: Table) -> None:
        key = table.resource.key
        if table in ordered or key in visiting:
            return  # a cycle: the foreign keys are checked at the end of the transaction
        visiting.add(key)
        for target in _refs(table, by_key).values():
            if target != key:
                visit(by_key[target])
        ordered.append(table)

    for table in tables:
        visit(table)
    return ordered


def _create(table: Table, dialect: Dialect, tables: Mapping[str, Table]) -> str:
    lines = []
    refs = _refs(table, tables)
    for name, kind in table.columns.items():
        if name == "id":
            id_type = dialect.id_types.get(kind, dialect.id_types["string"])
            lines.append(f"{dialect.name_of(name)} {id_type} NOT NULL PRIMARY KEY")
        else:
            column_type = dialect.types[kind]
            if name in refs:
                id_kind = tables[refs[name]].columns["id"]
                column_type = dialect.id_types.get(id_kind, dialect.id_types["string"])
            lines.append(f"{dialect.name_of(name)} {column_type}")
    for name, target_key in refs.items():
        lines.append(
            f"FOREIGN KEY ({dialect.name_of(name)}) REFERENCES {dialect.name_of(tables[target_key].name)} "
            f"({dialect.name_of('id')}){dialect.deferred}"
        )
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {dialect.name_of(table.name)} (\n  {body}\n);"


def _insert(
    table: Table, dialect: Dialect, tables: Mapping[str, Table], ids: Mapping[str, set[Any]], out: TextIO
) -> None:
    names = list(table.columns)
    refs = _refs(table, tables)
    head = f"INSERT INTO {dialect.name_of(table.name)} ({', '.join(map(dialect.name_of, names))}) VALUES\n"
    dangling = 0
    rows: list[str] = []
    for record in table.records():
        values = []
        for name in names:
            value = record.get(name)
            if name in refs and value is not None and value not in ids[refs[name]]:
                dangling += 1
                value = None
            values.append(dialect.literal(value, table.columns[name]))
        rows.append("(" + ", ".join(values) + ")")
        if len(rows) == BATCH:
            out.write(head + ",\n".join(rows) + ";\n")
            rows = []
    if rows:
        out.write(head + ",\n".join(rows) + ";\n")
    if dangling:
        out.write(f"-- {table.name}: {dangling} ref(s) to records that are gone written as NULL\n")


def export(tables: Sequence[Table], fmt: str, out: TextIO, dialect: str = "postgres") -> None:
    """Write ``tables`` to ``out`` in ``fmt`` (one of ``FORMATS``)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if dialect not in DIALECTS:
        raise ExportError(f"unknown SQL dialect {dialect!r}: expected one of {', '.join(DIALECTS)}")
    if fmt in ("jsonl", "csv") and len(tables) != 1:
        raise ExportError(f"--format {fmt} writes one collection; name one with --resource")
    if fmt == "json":
        write_json(tables, out)
    elif fmt == "jsonl":
        write_jsonl(tables[0], out)
    elif fmt == "csv":
        write_csv(tables[0], out)
    else:
        write_sql(tables, out, dialect)


def in_pages(collection: Collection) -> Iterator[Record]:
    """Every current record of a collection, in id order, read ``PAGE`` at a time."""
    start = 0
    while True:
        records, count = collection.page(start, start + PAGE)
        yield from records
        start += PAGE
        if start >= count or not records:
            return


def tables_of(
    chosen: Sequence[Collection], collections: Mapping[str, Collection], count: int | None = None
) -> list[Table]:
    """The export of the ``chosen`` collections as they are now (generated records overlaid with the stored
    changes) or, with ``count``, of the first ``count`` records of each as generated (nothing stored), their refs
    to exported collections drawn among those ``count`` records, so that every ref finds its record.
    ``collections`` are every collection, for the types of refs."""
    if count is not None and count < 0:
        raise ExportError(f"--count must be 0 or more, got {count}")
    exported = {collection.key for collection in chosen}
    return [_table(collection, collections, exported, count) for collection in chosen]


def _table(
    collection: Collection, collections: Mapping[str, Collection], exported: set[str], count: int | None
) -> Table:
    singleton = bool(getattr(collection.resource, "singleton", False))
    if count is not None and not singleton:
        original = collection.factory.refs

        def refs(ref: RefField) -> tuple[int, IdCodec] | None:
            if ref.target in exported:
                return count, collections[ref.target].codec
            return original(ref)

        resource = replace(collection.resource, count=count)
        collection = Collection(resource, collection.factory.resized(resource, refs), MemoryStore(), refs=refs)

    def ref_type(ref: RefField) -> str:
        target = collections.get(ref.target)
        return "integer" if target is None or target.codec.kind == "integer" else "string"

    id_type = "integer" if collection.codec.kind == "integer" else "string"
    if singleton:
        one = collection.singleton()
        types = column_types(collection.resource, [one], id_type, ref_type)
        return Table(collection.resource, functools.partial(_one, collection), types)
    samples = [record for record in collection.store.changes(collection.key).values() if record is not None]
    first, _ = collection.page(0, 1)
    types = column_types(collection.resource, [*first, *samples], id_type, ref_type)
    return Table(collection.resource, functools.partial(in_pages, collection), types)


def _one(collection: Collection) -> Iterator[Record]:
    yield collection.singleton()


def as_text(tables: Sequence[Table], fmt: str, dialect: str = "postgres") -> str:
    """``export`` into a string."""
    buffer = io.StringIO()
    export(tables, fmt, buffer, dialect)
    return buffer.getvalue()
