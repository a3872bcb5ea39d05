"""State backends, chosen by URL: ``memory://`` (the default); more schemes join as they are built."""

from __future__ import annotations

from mockery.store.base import Record, Store, StoreError
from mockery.store.memory import MemoryStore

DEFAULT_STORE_URL = "memory://"


def open_store(url: str = DEFAULT_STORE_URL) -> Store:
    """The store a URL names; ``StoreError`` naming the supported schemes for anything else."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme == "memory":
        return MemoryStore(url)
    raise StoreError(f"unknown state store {url!r}; supported: memory://")


__all__ = ["DEFAULT_STORE_URL", "MemoryStore", "Record", "Store", "StoreError", "open_store"]
