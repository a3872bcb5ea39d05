"""The `mockery` command: thin click commands over the library.

A user's own mistake (a broken spec, a busy port) is printed as a message with exit code 1, never as a
traceback.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mockery import __version__
from mockery.app import AppConfig
from mockery.errors import MockeryError
from mockery.fakes import Clock
from mockery.logs import AccessLog
from mockery.requests import DEFAULT_MAX_BODY
from mockery.server import DEFAULT_HOST, DEFAULT_PORT, Server
from mockery.spec.loader import load_specs
from mockery.spec.schema import spec_schema
from mockery.store import DEFAULT_STORE_URL, open_store

F = TypeVar("F", bound=Callable[..., Any])

_paths = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))


def _parse_size(_: click.Context, __: click.Parameter, value: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    text = value.strip().lower().removesuffix("ib").removesuffix("b")
    factor = units.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in units else text
    try:
        return int(float(number) * factor)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a size such as 512k, 10M or 1048576") from None


def _parse_clock(_: click.Context, __: click.Parameter, value: str) -> Clock:
    try:
        return Clock.parse(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is neither 'system' nor an ISO 8601 time") from None


class _Group(click.Group):
    """Prints mockery's own errors as messages with their exit code, never as tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MockeryError as exc:
            click.echo(str(exc), err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mockery")
def cli() -> None:
    """Fake the services your stack depends on: one YAML spec per service."""


@cli.command()
@_paths
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address of every listener.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, help="Port of the shared listener (0: any free port).")
@click.option("--seed", default=0, show_default=True, help="Changes every service's generated data.")
@click.option(
    "--clock",
    default="2026-01-01T00:00:00Z",
    show_default=True,
    callback=_parse_clock,
    help="What now() returns in templates: an ISO 8601 time, or 'system' for the real clock.",
)
@click.option(
    "--max-body",
    default=str(DEFAULT_MAX_BODY),
    show_default=True,
    callback=_parse_size,
    help="Largest request body.",
)
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--quiet", is_flag=True, help="No line per request.")
@click.option("--state", default=DEFAULT_STORE_URL, show_default=True, help="Where changes are kept: memory://.")
def serve(
    paths: tuple[Path, ...],
    host: str,
    port: int,
    seed: int,
    clock: Clock,
    max_body: int,
    log_format: str,
    quiet: bool,
    state: str,
) -> None:
    """Serve every spec in PATHS (files, or folders searched for *.yaml and *.yml)."""
    log = AccessLog(format="json" if log_format == "json" else "text", enabled=not quiet)
    specs = load_specs(paths)
    store = open_store(state)
    server = Server(specs, host=host, port=port, seed=seed, clock=clock, config=AppConfig(max_body, log), store=store)
    for listener in server.bind():
        names = ", ".join(service.name for service in listener.plan.services) or "(no services)"
        log.event("listening", url=listener.url, services=names)
    log.event("ready", services=len(specs.services), routes=specs.route_count)
    asyncio.run(server.serve())


@cli.command()
@_paths
def validate(paths: tuple[Path, ...]) -> None:
    """Check every spec in PATHS and print every mistake; exit 1 if there is any."""
    specs = load_specs(paths)
    count = len(specs.services)
    routes = specs.route_count
    click.echo(f"{count} service{'s' if count != 1 else ''}, {routes} route{'s' if routes != 1 else ''}: OK")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the spec language."""
    click.echo(json.dumps(spec_schema(), indent=2))


@cli.command()
@_paths
@click.option("--port", default=DEFAULT_PORT, show_default=True, help="Port of the shared listener.")
@click.option("--host", default=DEFAULT_HOST, show_default=True)
def routes(paths: tuple[Path, ...], port: int, host: str) -> None:
    """List the routes of every spec in PATHS: service, listener, method and path."""
    specs = load_specs(paths)
    server = Server(specs, host=host, port=port)
    rows = [("SERVICE", "LISTENER", "METHOD", "PATH")]
    for plan in server.plans:
        for service in plan.services:
            for route in service.routes:
                rows.append((service.name, f"{plan.host}:{plan.port}", ",".join(route.methods), route.path))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        padded = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*padded, row[3]]))


def main() -> None:
    """Entry point of the `mockery` script."""
    cli()
