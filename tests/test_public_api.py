"""The public API: a curated, sorted ``__all__``, one error tree, and an ``import mockery`` that loads no server."""

from __future__ import annotations

import subprocess
import sys
from typing import get_type_hints

import pytest

import mockery
from mockery import MockServer

PUBLIC = {
    "AppConfig",
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
    "__version__",
    "load_specs",
    "open_store",
    "spec_schema",
}


def test_public_api_is_pinned() -> None:
    assert mockery.__all__ == sorted(mockery.__all__)
    assert set(mockery.__all__) == PUBLIC
    store = mockery.open_store("memory://")
    assert isinstance(store, mockery.Store)
    store.close()


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(mockery, name) is not None
    assert name in dir(mockery)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        mockery.Nope  # noqa: B018


@pytest.mark.parametrize(
    "error",
    ["SpecErrors", "ServeError", "ProfileError", "StoreError", "StoreUnavailable"],
)
def test_every_error_is_in_one_tree(error: str) -> None:
    assert issubclass(getattr(mockery, error), mockery.MockeryError)
    assert error in (mockery.errors.__doc__ or "")


def test_store_unavailable_is_a_store_error() -> None:
    assert issubclass(mockery.StoreUnavailable, mockery.StoreError)


def test_the_types_the_api_returns_are_exported() -> None:
    app = vars(MockServer)["app"]
    assert isinstance(app, property)
    assert get_type_hints(app.fget)["return"] is mockery.ListenerApp
    assert get_type_hints(MockServer.__init__)["limits"] == mockery.ConnectionLimits | None


def test_import_mockery_loads_no_server_proxy_reloader_or_template_engine() -> None:
    heavy = "('uvicorn', 'httpx', 'watchfiles', 'starlette', 'faker', 'jinja2')"
    code = f"import mockery, sys; print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"
