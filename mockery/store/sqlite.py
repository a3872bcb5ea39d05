"""A store in one SQLite file (``sqlite:///state.db``, ``sqlite:////abs/path.db``): changes survive restarts.

Every write is one transaction, committed before the call returns, in WAL mode with ``synchronous=FULL``:
an acknowledged write survives a ``kill -9`` (and a power cut), and SQLite's journal never leaves the file
half-written. At opening, a file that is not SQLite, is damaged, or belongs to another program is refused
with a ``StoreError`` rather than used or overwritten.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import orjson

from mockery.store.base import Record, StoreError

# "MOCK" as a 32-bit integer: marks the file as mockery's (PRAGMA application_id).
APPLICATION_ID = 0x4D4F434B
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    record BLOB,
    PRIMARY KEY (collection, id)
);
CREATE TABLE IF NOT EXISTS ids (collection TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS "values" (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL);
"""

_UPSERT = (
    "INSERT INTO records (collection, id, record) VALUES (?, ?, ?) "
    "ON CONFLICT (collection, id) DO UPDATE SET record = excluded.record"
)


def path_of(url: str) -> Path:
    """The file a ``sqlite:///`` URL names: relative after three slashes, absolute after four."""
    rest = url.removeprefix("sqlite://")
    if not rest.startswith("/") or rest == "/":
        raise StoreError(f"{url!r} names no file; write sqlite:///state.db or sqlite:////absolute/path.db")
    return Path(rest[1:])


class SqliteStore:
    """Keeps changes in a SQLite file; safe to use from several threads (one connection, one lock)."""

    shared = True
    prefixed = False

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = path_of(url)
        self._lock = threading.Lock()
        self._db = _open(self.path)

    def __repr__(self) -> str:
        return f"SqliteStore({self.url!r})"

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, parameters: tuple[object, ...]) -> list[tuple[object, ...]]:
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def reset(self) -> None:
        with self._write() as db:
            db.execute("DELETE FROM records")
            db.execute("DELETE FROM ids")
            db.execute('DELETE FROM "values"')

    def get_change(self, collection: str, record_id: str) -> tuple[bool, Record | None]:
        rows = self._read("SELECT record FROM records WHERE collection = ? AND id = ?", (collection, record_id))
        if not rows:
            return False, None
        return True, _decode(rows[0][0])

    def put_record(self, collection: str, record_id: str, record: Record) -> None:
        with self._write() as db:
            db.execute(_UPSERT, (collection, record_id, orjson.dumps(record)))

    def insert_record(self, collection: str, record_id: str, record: Record) -> bool:
        with self._write() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO records (collection, id, record) VALUES (?, ?, ?)",
                (collection, record_id, orjson.dumps(record)),
            )
            return cursor.rowcount == 1

    def delete_record(self, collection: str, record_id: str) -> None:
        with self._write() as db:
            db.execute(_UPSERT, (collection, record_id, None))

    def changes(self, collection: str) -> Mapping[str, Record | None]:
        rows = self._read("SELECT id, record FROM records WHERE collection = ? ORDER BY rowid", (collection,))
        return {str(key): _decode(value) for key, value in rows}

    def next_id(self, collection: str, floor: int) -> int:
        with self._write() as db:
            row = db.execute("SELECT value FROM ids WHERE collection = ?", (collection,)).fetchone()
            value = max(row[0] if row else 0, floor) + 1
            db.execute("INSERT OR REPLACE INTO ids (collection, value) VALUES (?, ?)", (collection, value))
            return value

    def get_value(self, key: str) -> str | None:
        rows = self._read(
            'SELECT value FROM "values" WHERE key = ? AND (expires IS NULL OR expires > ?)', (key, time.time())
        )
        return str(rows[0][0]) if rows else None

    def set_value(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute('INSERT OR REPLACE INTO "values" (key, value, expires) VALUES (?, ?, NULL)', (key, value))

    def compare_and_set(self, key: str, expected: str | None, value: str, *, unset_as: str | None = None) -> bool:
        with self._write() as db:
            current = _live_value(db, key)
            if (unset_as if current is None else current) != expected:
                return False
            db.execute('INSERT OR REPLACE INTO "values" (key, value, expires) VALUES (?, ?, NULL)', (key, value))
            return True

    def increment(self, key: str, amount: int = 1, *, ttl_seconds: float | None = None) -> int:
        with self._write() as db:
            now = time.time()
            row = db.execute('SELECT value, expires FROM "values" WHERE key = ?', (key,)).fetchone()
            if row is not None and (row[1] is None or row[1] > now):
                value, expires = int(row[0]) + amount, row[1]
            else:
                value, expires = amount, (now + ttl_seconds if ttl_seconds is not None else None)
            db.execute(
                'INSERT OR REPLACE INTO "values" (key, value, expires) VALUES (?, ?, ?)', (key, str(value), expires)
            )
            return value

    def count_in_window(self, key: str, window_seconds: float) -> tuple[int, float]:
        with self._write() as db:
            now = time.time()
            row = db.execute('SELECT value, expires FROM "values" WHERE key = ?', (key,)).fetchone()
            if row is not None and row[1] is not None and row[1] > now:
                count, expires = int(row[0]) + 1, float(row[1])
            else:
                count, expires = 1, now + window_seconds
            db.execute(
                'INSERT OR REPLACE INTO "values" (key, value, expires) VALUES (?, ?, ?)', (key, str(count), expires)
            )
            return count, max(0.0, expires - now)


def _live_value(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute(
        'SELECT value FROM "values" WHERE key = ? AND (expires IS NULL OR expires > ?)', (key, time.time())
    ).fetchone()
    return str(row[0]) if row else None


def _decode(value: object) -> Record | None:
    if value is None:
        return None
    record: Record = orjson.loads(value)  # type: ignore[arg-type]
    return record


def _open(path: Path) -> sqlite3.Connection:
    """Open (or create) a mockery state file; ``StoreError`` for anything that is not one, intact."""
    if path.is_dir():
        raise StoreError(f"cannot use {str(path)!r} as a state file: it is a folder")
    if not path.parent.is_dir():
        raise StoreError(f"cannot create the state file {str(path)!r}: its folder does not exist")
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the state file {str(path)!r}: {exc}") from None
    try:
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if application_id != APPLICATION_ID and (application_id != 0 or tables):
            raise StoreError(
                f"{str(path)!r} is a SQLite database of another program, not a mockery state file; "
                "name a new file, or delete this one if it is yours"
            )
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise StoreError(f"the state file {str(path)!r} is damaged ({check}); delete it to start afresh")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if application_id == APPLICATION_ID and version != SCHEMA_VERSION:
            raise StoreError(f"the state file {str(path)!r} has format {version}; this mockery reads {SCHEMA_VERSION}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        if application_id == 0:
            db.executescript(
                f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA application_id = {APPLICATION_ID}; "
                f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            )
    except sqlite3.DatabaseError as exc:
        db.close()
        raise StoreError(f"{str(path)!r} is not a mockery state file (a corrupt or foreign file: {exc})") from None
    except StoreError:
        db.close()
        raise
    return db
