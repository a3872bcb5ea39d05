"""State backends, chosen by URL: ``memory://`` (the default) and ``sqlite:///path``."""

from __future__ import annotations

from mockery.store.base import Record, Store, StoreError
from mockery.store.memory import MemoryStore
from mockery.store.sqlite import SqliteStore

DEFAULT_STORE_URL = "memory://"


def open_store(url: str = DEFAULT_STORE_URL) -> Store:
    """The store a URL names; ``StoreError`` naming the supported schemes for anything else."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme == "memory":
        return MemoryStore(url)
    if scheme == "sqlite":
        return SqliteStore(url)
    raise StoreError(f"unknown state store {url!r}; supported: memory://, sqlite:///path")


def reset_state(url: str) -> None:
    """Forget every change kept in the store at ``url``: what ``mockery reset --state URL`` does. A running
    server on the same SQLite file sees its collections back in their generated state at its next request."""
    store = open_store(url)
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
    "open_store",
    "reset_state",
]
