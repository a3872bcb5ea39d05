"""mockery: fake the services your stack depends on, from one YAML spec each."""

from mockery.app import AppConfig
from mockery.errors import MockeryError, ServeError, SpecError, SpecErrors
from mockery.fakes import Clock
from mockery.journal import Call, Journal
from mockery.mock_server import MockServer
from mockery.scenarios import Scenario
from mockery.spec.loader import load_specs
from mockery.spec.model import Route, Service, SpecSet
from mockery.spec.schema import spec_schema
from mockery.store import Store, StoreError, StoreUnavailable, open_store

__version__ = "0.1.0"

__all__ = [
    "AppConfig",
    "Call",
    "Clock",
    "Journal",
    "MockServer",
    "MockeryError",
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
    "__version__",
    "load_specs",
    "open_store",
    "spec_schema",
]
