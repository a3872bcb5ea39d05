"""``ServerOptions``: every option of ``mockery serve`` is one, with its variable, and ``build_server`` builds it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from mockery.cli import serve
from mockery.errors import ServeError
from mockery.runtime.chaos import ProfileError
from mockery.server.options import ENV_VARS, ServerOptions, build_server
from mockery.store import MemoryStore

# Options whose variable is one per service (MOCKERY_PORT_<SERVICE>): documented, read by build_server.
PER_SERVICE = {"ports"}
SPEC = "service: hello\nroutes:\n  - path: /hello\n    response: {body: hi}\n"


def test_every_serve_flag_is_a_server_option_named_by_its_variable() -> None:
    fields = {field.name for field in dataclasses.fields(ServerOptions)}
    for parameter in serve.params:
        assert parameter.name in fields
        assert isinstance(parameter, click.Option | click.Argument)
        assert parameter.envvar == (None if parameter.name in PER_SERVICE else ENV_VARS[str(parameter.name)])
    assert set(ENV_VARS) == {parameter.name for parameter in serve.params} - PER_SERVICE


def test_the_defaults_are_those_of_serve() -> None:
    options = ServerOptions()
    for parameter in serve.params:
        if parameter.name in ("paths", "clock", *PER_SERVICE):
            continue
        assert getattr(options, str(parameter.name)) == parameter.default, parameter.name


def test_build_server_serves_paths_and_inline_specs_together(write_spec: Callable[..., Path]) -> None:
    path = write_spec(SPEC)
    server = build_server(
        ServerOptions(paths=(path,), inline=({"service": "other", "routes": [{"path": "/o"}]},), ephemeral=True)
    )
    assert server.service_names() == ["hello", "other"]
    assert server.profile is None
    assert server.reload_status.generation == 1


def test_build_server_checks_the_profile_and_the_store(write_spec: Callable[..., Path]) -> None:
    path = write_spec(SPEC)
    with pytest.raises(ProfileError):
        build_server(ServerOptions(paths=(path,), profile="flaky"))
    with pytest.raises(ServeError, match="--workers 2 needs a store the workers share"):
        build_server(ServerOptions(paths=(path,), workers=2))


def test_an_opened_store_is_used_as_it_is(write_spec: Callable[..., Path]) -> None:
    store = MemoryStore()
    server = build_server(ServerOptions(paths=(write_spec(SPEC),), store=store, ephemeral=True))
    server.set_scenario("checkout", "paid")
    assert store.get_value("mockery:scenario:checkout") == "paid"
