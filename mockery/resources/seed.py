"""Seed data: records read from a JSON, CSV or JSONL file (or a json-server ``db.json``), located for errors.

A data file is data, never spec: nothing in it is expanded (no ``${VAR}``, no templates), its values are served
as written. Every problem is located where it was written: line and column for CSV and JSONL (and for JSON
syntax), the JSON pointer for a value of a JSON file (and its line, found only when there is an error to
report). ``read_seed`` and ``read_db`` read; ``check_records`` checks records against their collection.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from mockery.errors import SpecError
from mockery.http.schema_patterns import RE2Validator
from mockery.resources.ids import numeric_text
from mockery.resources.lazy import LAZY_BYTES, LazyRecords, Unreadable
from mockery.suggest import did_you_mean

# A JSON or CSV file is loaded whole; a JSONL file past LAZY_BYTES costs only its index (16 bytes a record).
MAX_LOADED_BYTES = 64 * 1024 * 1024
MAX_JSONL_BYTES = 1024 * 1024 * 1024
SEED_FORMATS = (".json", ".csv", ".jsonl")


def pointer(parts: Iterable[Any]) -> str:
    """A JSON pointer (RFC 6901) to ``parts``."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


@dataclass
class SeedRecords:
    """Records read from one place, and how to locate a value of record ``index`` for an error."""

    records: Sequence[Any]
    file: str
    locate: Callable[[int, tuple[Any, ...]], tuple[int, int, str]]
    errors: list[SpecError] = field(default_factory=list)

    def error(self, index: int, parts: tuple[Any, ...], message: str, suggestion: str | None = None) -> None:
        line, column, path = self.locate(index, parts)
        self.errors.append(SpecError(self.file, line, column, path, message, suggestion))


def resolve(folder: Path, raw: str, suffixes: tuple[str, ...] = SEED_FORMATS) -> tuple[Path | None, str | None]:
    """The data file ``raw`` names, relative to the spec's folder and inside it; else ``None`` and why."""
    if Path(raw).is_absolute():
        return None, f"the data file {raw!r} must be a path relative to the spec's folder"
    base = folder.resolve()
    path = (base / raw).resolve()
    if not path.is_relative_to(base):
        return None, f"the data file {raw!r} is outside the spec's folder"
    if path.suffix.lower() not in suffixes:
        if suffixes == (".json",):
            return None, f"a json-server database is a .json file, not {raw!r} (JSON5 is not read: convert it)"
        return None, f"the data file {raw!r} must end in .json, .csv or .jsonl"
    if not path.is_file():
        return None, f"no data file {raw!r} in the spec's folder"
    limit = MAX_JSONL_BYTES if path.suffix.lower() == ".jsonl" else MAX_LOADED_BYTES
    if path.stat().st_size > limit:
        hint = "" if limit == MAX_JSONL_BYTES else " (it is loaded whole: a .jsonl file is read as needed)"
        return None, f"the data file {raw!r} is larger than {limit // (1024 * 1024)} MB{hint}"
    return path, None


def read_seed(path: Path, display: str, columns: Mapping[str, Callable[[str], Any]]) -> SeedRecords:
    """The records of a ``.json`` (an array), ``.jsonl`` (one object a line) or ``.csv`` (a header line, then
    one record a line; ``columns`` convert the text of the named columns) data file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, display, columns)
    if suffix == ".jsonl":
        return _read_jsonl(path, display)
    text = path.read_text(encoding="utf-8-sig")
    data, problem = _parse_json(text, display)
    if problem is not None:
        return SeedRecords([], display, lambda i, p: (1, 1, ""), [problem])
    locator = _JsonLocator(text, ())
    if not isinstance(data, list):
        seeds = SeedRecords([], display, locator.locate)
        seeds.errors.append(SpecError(display, 1, 1, "", "a JSON data file holds an array of records"))
        return seeds
    return SeedRecords(data, display, locator.locate)


def read_db(path: Path, display: str) -> tuple[dict[str, SeedRecords | dict[str, Any]], list[SpecError]]:
    """A json-server database: every top-level array a collection, every top-level object a singleton."""
    text = path.read_text(encoding="utf-8-sig")
    data, problem = _parse_json(text, display)
    if problem is not None:
        return {}, [problem]
    if not isinstance(data, dict):
        return {}, [SpecError(display, 1, 1, "", "a json-server database is a JSON object of collections")]
    found: dict[str, SeedRecords | dict[str, Any]] = {}
    errors = []
    for name, value in data.items():
        if isinstance(value, list):
            found[name] = SeedRecords(value, display, _JsonLocator(text, (name,)).locate)
        elif isinstance(value, dict):
            found[name] = value
        else:
            line, column, where = _JsonLocator(text, ()).locate(-1, (name,))
            errors.append(
                SpecError(
                    display,
                    line,
                    column,
                    where,
                    f"{name!r} is a {type(value).__name__}; a json-server database holds arrays (collections) "
                    "and objects (singular resources)",
                )
            )
    return found, errors


def _parse_json(text: str, display: str) -> tuple[Any, SpecError | None]:
    try:
        return orjson.loads(text), None
    except orjson.JSONDecodeError as exc:
        return None, SpecError(display, exc.lineno, exc.colno, "", f"not JSON: {exc.msg}")


def _read_jsonl(path: Path, display: str) -> SeedRecords:
    if path.stat().st_size > LAZY_BYTES:
        lazy = LazyRecords(path)
        return SeedRecords(lazy, display, lambda i, parts: (lazy.lines[i], 1, pointer(parts)))
    records: list[Any] = []
    lines: list[int] = []
    errors: list[SpecError] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                records.append(orjson.loads(raw))
                lines.append(number)
            except orjson.JSONDecodeError as exc:
                errors.append(SpecError(display, number, exc.colno, "", f"not JSON: {exc.msg}"))
    return SeedRecords(records, display, lambda i, parts: (lines[i], 1, pointer(parts)), errors)


def _read_csv(path: Path, display: str, columns: Mapping[str, Callable[[str], Any]]) -> SeedRecords:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    seeds = SeedRecords([], display, lambda i, parts: (1, 1, ""))
    if not header:
        seeds.errors.append(SpecError(display, 1, 1, "", "a CSV data file starts with a header line of field names"))
        return seeds
    lines: list[int] = []
    records: list[dict[str, Any]] = []
    seeds.records = records
    for row in reader:
        if not row:
            continue
        line = reader.line_num
        if len(row) != len(header):
            seeds.errors.append(
                SpecError(display, line, 1, "", f"{len(row)} values for {len(header)} columns ({', '.join(header)})")
            )
            continue
        record: dict[str, Any] = {}
        converted = True
        for column, (name, text_value) in enumerate(zip(header, row, strict=True), 1):
            convert = columns.get(name)
            if convert is None:
                record[name] = text_value
                continue
            try:
                record[name] = convert(text_value)
            except ValueError as exc:
                seeds.errors.append(SpecError(display, line, column, f"/{name}", str(exc)))
                converted = False
        if converted:  # a row with a bad cell is reported once, not checked again
            lines.append(line)
            records.append(record)

    def locate(index: int, parts: tuple[Any, ...]) -> tuple[int, int, str]:
        column = header.index(str(parts[0])) + 1 if parts and str(parts[0]) in header else 1
        return lines[index], column, pointer(parts)

    seeds.locate = locate
    return seeds


class _JsonLocator:
    """Line and column of the records of a JSON array (at ``prefix`` in the document), found on first use."""

    def __init__(self, text: str, prefix: tuple[str, ...]) -> None:
        self.text = text
        self.prefix = prefix
        self._starts: list[tuple[int, int]] | None = None

    def locate(self, index: int, parts: tuple[Any, ...]) -> tuple[int, int, str]:
        if index < 0:
            return (*self._position(self._member(0, parts[0]) if parts else 0), pointer(parts))
        if self._starts is None:
            self._starts = self._items()
        line, column = self._starts[index] if index < len(self._starts) else (1, 1)
        return line, column, pointer((*self.prefix, index, *parts))

    def _position(self, offset: int) -> tuple[int, int]:
        line = self.text.count("\n", 0, offset) + 1
        return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    def _skip(self, offset: int) -> int:
        while offset < len(self.text) and self.text[offset] in " \t\r\n":
            offset += 1
        return offset

    def _member(self, offset: int, name: str) -> int:
        """The offset of the value of top-level member ``name`` of the object at ``offset``."""
        decoder = json.JSONDecoder()
        offset = self._skip(offset) + 1
        while offset < len(self.text):
            offset = self._skip(offset)
            key, offset = decoder.raw_decode(self.text, offset)
            offset = self._skip(self._skip(offset) + 1)
            if key == name:
                return offset
            _, offset = decoder.raw_decode(self.text, offset)
            offset = self._skip(offset) + 1
        return 0

    def _items(self) -> list[tuple[int, int]]:
        decoder = json.JSONDecoder()
        offset = self._member(0, self.prefix[0]) if self.prefix else self._skip(0)
        starts: list[tuple[int, int]] = []
        offset = self._skip(offset + 1)
        line, last = 1, 0
        while offset < len(self.text) and self.text[offset] != "]":
            line += self.text.count("\n", last, offset)
            last = offset
            starts.append((line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1))
            _, offset = decoder.raw_decode(self.text, offset)
            offset = self._skip(offset)
            if offset < len(self.text) and self.text[offset] == ",":
                offset = self._skip(offset + 1)
        return starts


# Checking records against their collection.


@dataclass(frozen=True, slots=True)
class FieldRule:
    """What a seed value of one field must be: a JSON Schema and/or one of some options."""

    schema: Mapping[str, Any] | None = None
    options: tuple[Any, ...] | None = None


def check_records(
    seeds: SeedRecords, id_kind: str, rules: Mapping[str, FieldRule], *, ids: bool = True, what: str = "record"
) -> Sequence[dict[str, Any]]:
    """The records, each an object with a unique id of the right kind, its fields as declared; problems go to
    ``seeds.errors``. Without any id, records are numbered 1, 2, ... in order (``ids=False``: no ids at all,
    a singleton's record). The records of a big JSONL file are checked as the file is read, and stay there."""
    lazy = seeds.records if isinstance(seeds.records, LazyRecords) else None
    records: list[dict[str, Any]] = []
    if ids and lazy is not None and lazy and not isinstance(lazy[0], Unreadable):
        first = lazy[0]
        lazy.numbered = isinstance(first, dict) and "id" not in first
    elif ids and seeds.records and not any(isinstance(r, dict) and "id" in r for r in seeds.records):
        for number, record in enumerate(seeds.records, 1):
            if isinstance(record, dict):
                record["id"] = number if id_kind == "integer" else str(number)
    validators = {name: RE2Validator(dict(rule.schema)) for name, rule in rules.items() if rule.schema is not None}
    seen: dict[str, int] = {}
    # Ids 1, 2, 3, ... in order are not kept one by one: only how far the run goes.
    run = 0
    for index, record in enumerate(seeds.records):
        if isinstance(record, Unreadable):
            line, _, _ = seeds.locate(index, ())
            seeds.errors.append(SpecError(seeds.file, line, record.column, "", record.message))
            continue
        if lazy is not None and lazy.numbered and isinstance(record, dict):
            if "id" in record:
                seeds.error(index, ("id",), f"this {what} has an id, the first one has none", "give every record an id")
            record["id"] = index + 1
        if not isinstance(record, dict):
            seeds.error(index, (), f"a {what} must be an object, not {_json_name(record)}")
            continue
        good = True
        if not ids:
            pass
        elif "id" not in record:
            seeds.error(index, (), f"this {what} has no 'id'", "give every record an id, or none of them")
            good = False
        else:
            record_id = record["id"]
            problem = _id_problem(record_id, id_kind)
            if problem is not None:
                seeds.error(index, ("id",), problem[0], problem[1])
                good = False
            elif run == index and record_id == index + 1 and type(record_id) is int:
                run += 1
            elif str(record_id) in seen or (type(record_id) is int and 0 < record_id <= run):
                earlier = seen[str(record_id)] if str(record_id) in seen else record_id - 1
                first_line, _, _ = seeds.locate(earlier, ())
                seeds.error(index, ("id",), f"the id {record_id!r} is taken by an earlier record (line {first_line})")
                good = False
            else:
                seen[str(record_id)] = index
        for name, rule in rules.items():
            if name not in record:
                continue
            value = record[name]
            validator = validators.get(name)
            if validator is not None:
                for error in validator.iter_errors(value):
                    seeds.error(index, (name, *error.absolute_path), error.message)
                    good = False
            if rule.options is not None and value not in rule.options:
                shown = ", ".join(map(repr, rule.options[:10]))
                hint = did_you_mean(str(value), [str(o) for o in rule.options])
                seeds.error(index, (name,), f"{value!r} is not one of the choices {shown}", hint)
                good = False
        if good and lazy is None:
            records.append(record)
    if lazy is not None:
        lazy.ids = range(1, run + 1) if run == len(lazy) else [record.get("id") for record in lazy]
        return lazy
    return records


def _id_problem(value: Any, id_kind: str) -> tuple[str, str | None] | None:
    if id_kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            hint = "use `id: string` for string ids" if isinstance(value, str) else "ids are integers from 1"
            return f"the id {value!r} is not a positive integer", hint
        return None
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return f"the id {value!r} must be a string or an integer", None
    return None


def _json_name(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def csv_converter(declared_type: Any) -> Callable[[str], Any] | None:
    """How a CSV cell becomes a value of the declared JSON type (``None``: it stays text)."""
    types = declared_type if isinstance(declared_type, list) else [declared_type]
    nullable = "null" in types

    def convert(text: str) -> Any:
        if text == "" and nullable:
            return None
        for kind in types:
            if kind == "integer" and numeric_text(text.lstrip("-")) is not None:
                return int(text)
            if kind == "number":
                try:
                    return int(text) if text.lstrip("-").isdigit() else float(text)
                except ValueError:
                    continue
            if kind == "boolean" and text.lower() in ("true", "false"):
                return text.lower() == "true"
            if kind == "string":
                return text
        raise ValueError(f"{text!r} is not {' or '.join(map(str, types))}")

    if not any(kind in ("integer", "number", "boolean", "null") for kind in types):
        return None
    return convert
