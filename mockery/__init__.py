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
    from mockery.answers.handler import HandlerContext, HandlerRequest, Response
    from mockery.app.application import MockApp
    from mockery.app.listener import AppConfig, ListenerApp
    from mockery.callbacks.dispatcher import WebhookError
    from mockery.callbacks.journal import Delivery
    from mockery.http.journal import Call, Journal
    from mockery.http.scenarios import Scenario
    from mockery.load.loader import load_specs
    from mockery.load.schema import spec_schema
    from mockery.model.services import Route, Service, SpecSet
    from mockery.runtime.changes import Frame
    from mockery.server.application import create_app
    from mockery.server.connections import ConnectionLimits
    from mockery.store import open_store
    from mockery.store.base import Store, StoreError, StoreUnavailable
    from mockery.templates.fakes import Clock
    from mockery.testing.handlers import Stub
    from mockery.testing.mock_server import MockServer
    from mockery.testing.patterns import CallPattern
    from mockery.testing.requests_adapter import RequestsAdapter
    from mockery.testing.transport import HttpxTransport
    from mockery.testing.verify import CallList

__version__ = "0.1.0"

__all__ = [
    "AppConfig",
    "ArgumentError",
    "Call",
    "CallList",
    "CallPattern",
    "Clock",
    "ConnectionLimits",
    "Delivery",
    "Frame",
    "HandlerContext",
    "HandlerRequest",
    "HttpxTransport",
    "Journal",
    "ListenerApp",
    "MockApp",
    "MockServer",
    "MockeryError",
    "ProfileError",
    "RequestsAdapter",
    "Response",
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
    "Stub",
    "UnknownServiceError",
    "WebhookError",
    "__version__",
    "create_app",
    "load_specs",
    "open_store",
    "spec_schema",
]

_LAZY = {
    "AppConfig": "mockery.app.listener",
    "Call": "mockery.http.journal",
    "CallList": "mockery.testing.verify",
    "CallPattern": "mockery.testing.patterns",
    "Clock": "mockery.templates.fakes",
    "ConnectionLimits": "mockery.server.connections",
    "Delivery": "mockery.callbacks.journal",
    "Frame": "mockery.runtime.changes",
    "HandlerContext": "mockery.answers.handler",
    "HandlerRequest": "mockery.answers.handler",
    "HttpxTransport": "mockery.testing.transport",
    "Journal": "mockery.http.journal",
    "ListenerApp": "mockery.app.listener",
    "MockApp": "mockery.app.application",
    "MockServer": "mockery.testing.mock_server",
    "RequestsAdapter": "mockery.testing.requests_adapter",
    "Response": "mockery.answers.handler",
    "Route": "mockery.model.services",
    "Scenario": "mockery.http.scenarios",
    "Service": "mockery.model.services",
    "SpecSet": "mockery.model.services",
    "Store": "mockery.store.base",
    "StoreError": "mockery.store.base",
    "StoreUnavailable": "mockery.store.base",
    "Stub": "mockery.testing.handlers",
    "WebhookError": "mockery.callbacks.dispatcher",
    "create_app": "mockery.server.application",
    "load_specs": "mockery.load.loader",
    "open_store": "mockery.store",
    "spec_schema": "mockery.load.schema",
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
