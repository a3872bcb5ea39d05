"""State backends, chosen by URL: ``memory://`` (the default), ``sqlite:///path`` and ``redis://host:port/db``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockery.store.base import Record, Store, StoreError, StoreUnavailable
from mockery.store.memory import MemoryStore
from mockery.store.sqlite import SqliteStore

DEFAULT_STORE_URL = "memory://"

if TYPE_CHECKING:
    from mockery.store.redis import RedisStore


def store_type(url: str) -> type[MemoryStore] | type[SqliteStore] | type[RedisStore]:
    """The class of the store a URL names, without opening it: its ``shared`` and ``prefixed`` say what the
    store is. ``StoreError`` naming the supported schemes for an unknown one."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme == "memory":
        return MemoryStore
    if scheme == "sqlite":
        return SqliteStore
    if scheme in ("redis", "rediss", "unix"):
        from mockery.store.redis import RedisStore  # the redis package is an optional dependency

        return RedisStore
    raise StoreError(f"unknown state store {url!r}; supported: memory://, sqlite:///path, redis://host:port/db")


def open_store(url: str = DEFAULT_STORE_URL, *, prefix: str | None = None) -> Store:
    """The store a URL names; ``StoreError`` naming the supported schemes for anything else. ``prefix``
    namespaces the keys of a store that is ``prefixed`` (Redis); the others ignore it."""
    kind = store_type(url)
    if issubclass(kind, MemoryStore | SqliteStore):
        return kind(url)
    return kind(url, prefix)


def reset_state(url: str, *, prefix: str | None = None) -> None:
    """Forget every change kept in the store at ``url``: what ``mockery reset --state URL`` does. A running
    server on the same SQLite file sees its collections back in their generated state at its next request."""
    store = open_store(url, prefix=prefix)
    try:
        store.reset()
    finally:
        store.close()


__all__ = [
    "DEFAULT_STORE_URL",
    "MemoryStore",
    "Record",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "open_store",
    "reset_state",
    "store_type",
]
