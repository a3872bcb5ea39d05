"""The public API: a curated, sorted ``__all__``, one error tree, and an ``import mockery`` that loads no server."""

from __future__ import annotations

import subprocess
import sys
from typing import Any, get_args, get_origin, get_type_hints

import pytest

import mockery
from mockery import MockServer

PUBLIC = {
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
    [
        "ArgumentError",
        "SpecErrors",
        "ServeError",
        "ProfileError",
        "UnknownServiceError",
        "StoreError",
        "StoreUnavailable",
    ],
)
def test_every_error_is_in_one_tree(error: str) -> None:
    assert issubclass(getattr(mockery, error), mockery.MockeryError)
    assert error in (mockery.errors.__doc__ or "")


def test_store_unavailable_is_a_store_error() -> None:
    assert issubclass(mockery.StoreUnavailable, mockery.StoreError)


def _mockery_classes(hint: Any) -> set[type]:
    found = {hint} if isinstance(hint, type) else set()
    origin = get_origin(hint)
    if isinstance(origin, type):
        found.add(origin)
    for argument in get_args(hint):
        found |= _mockery_classes(argument)
    return {cls for cls in found if cls.__module__.split(".")[0] == "mockery"}


# Types the public API mentions but only internal code makes: a user never needs to name them.
INTERNAL = {"Document"}  # load_specs(inline=...) also takes what the internal load_inline() returns


def test_the_types_the_api_takes_and_returns_are_exported() -> None:
    functions: list[Any] = [mockery.load_specs, mockery.open_store, mockery.spec_schema]
    for name, member in vars(MockServer).items():
        if not name.startswith("_") or name == "__init__":
            functions.append(member.fget if isinstance(member, property) else member)
    mentioned = {
        cls
        for function in functions
        if callable(function)
        for hint in get_type_hints(function).values()
        for cls in _mockery_classes(hint)
    }
    exported = {getattr(mockery, name) for name in mockery.__all__}
    assert {cls.__name__ for cls in mentioned - exported} <= INTERNAL
    app = vars(MockServer)["app"]
    assert isinstance(app, property)
    assert get_type_hints(app.fget)["return"] is mockery.MockApp


@pytest.mark.parametrize("module", ["mockery", "mockery.testing.pytest_plugin"])
def test_importing_loads_no_server_proxy_reloader_or_template_engine(module: str) -> None:
    heavy = "('uvicorn', 'httpx', 'watchfiles', 'starlette', 'faker', 'jinja2')"
    code = f"import {module}, sys; print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"


def test_an_unknown_service_of_a_spec_set_names_the_others() -> None:
    specs = mockery.load_specs([], environ={}, inline=[{"service": "users", "routes": []}])
    assert specs.service("users").name == "users"
    with pytest.raises(
        mockery.UnknownServiceError, match=r"no service named 'orders'; services: \['users'\]"
    ) as raised:
        specs.service("orders")
    assert isinstance(raised.value, KeyError)
