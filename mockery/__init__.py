"""mockery: fake the services your stack depends on, from one YAML spec each.

The public names below are imported when first used (PEP 562), so ``import mockery`` loads only the error tree:
the server (uvicorn), the reloader (watchfiles), the proxy (httpx) and the template engine load with the first
name that needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mockery.errors import (
    ArgumentError,
    MockeryError,
    ProfileError,
    ServeError,
    SpecError,
    SpecErrors,
    UnknownServiceError,
)

if TYPE_CHECKING:
    from mockery.app import AppConfig, ListenerApp
    from mockery.connections import ConnectionLimits
    from mockery.fakes import Clock
    from mockery.journal import Call, Journal
    from mockery.mock_server import MockServer
    from mockery.scenarios import Scenario
    from mockery.spec.loader import load_specs
    from mockery.spec.model import Route, Service, SpecSet
    from mockery.spec.schema import spec_schema
    from mockery.store import open_store
    from mockery.store.base import Store, StoreError, StoreUnavailable

__version__ = "0.1.0"

__all__ = [
    "AppConfig",
    "ArgumentError",
    "Call",
    "Clock",
    "ConnectionLimits",
    "Journal",
    "ListenerApp",
    "MockServer",
    "MockeryError",
    "ProfileError",
    "Route",
    "Scenario",
    "ServeError",
    "Service",
    "SpecError",
    "SpecErrors",
    "SpecSet",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "UnknownServiceError",
    "__version__",
    "load_specs",
    "open_store",
    "spec_schema",
]

_LAZY = {
    "AppConfig": "mockery.app",
    "Call": "mockery.journal",
    "Clock": "mockery.fakes",
    "ConnectionLimits": "mockery.connections",
    "Journal": "mockery.journal",
    "ListenerApp": "mockery.app",
    "MockServer": "mockery.mock_server",
    "Route": "mockery.spec.model",
    "Scenario": "mockery.scenarios",
    "Service": "mockery.spec.model",
    "SpecSet": "mockery.spec.model",
    "Store": "mockery.store.base",
    "StoreError": "mockery.store.base",
    "StoreUnavailable": "mockery.store.base",
    "load_specs": "mockery.spec.loader",
    "open_store": "mockery.store",
    "spec_schema": "mockery.spec.schema",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mockery' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
