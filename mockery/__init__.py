"""mockery: fake the services your stack depends on, from one YAML spec each."""

from mockery.app import AppConfig
from mockery.errors import MockeryError, ServeError, SpecError, SpecErrors
from mockery.fakes import Clock
from mockery.mock_server import MockServer
from mockery.spec.loader import load_specs
from mockery.spec.model import Route, Service, SpecSet
from mockery.spec.schema import spec_schema

__version__ = "0.1.0"

__all__ = [
    "AppConfig",
    "Clock",
    "MockServer",
    "MockeryError",
    "Route",
    "ServeError",
    "Service",
    "SpecError",
    "SpecErrors",
    "SpecSet",
    "__version__",
    "load_specs",
    "spec_schema",
]
