"""The `mockery` command: thin click commands over the library.

A user's own mistake (a broken spec, a busy port) is printed as a message with exit code 1, never as a
traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mockery import __version__
from mockery.cli_types import PORT, Seconds, Size
from mockery.errors import MockeryError
from mockery.http.cors import parse_cors_option
from mockery.http.journal import DEFAULT_JOURNAL_SIZE
from mockery.http.logs import use_colour
from mockery.http.paths import RESERVED_PREFIX
from mockery.http.requests import DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY
from mockery.load.loader import load_specs
from mockery.server import event_loop
from mockery.server.admin_guard import is_loopback_host
from mockery.server.connections import DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CONNECTIONS
from mockery.server.options import ENV_VARS, ServerOptions, build_server
from mockery.server.ports import move_ports, parse_port_of, requested_ports
from mockery.server.route_table import HEADER_KEYS, listener_label, render, route_rows
from mockery.server.runtime_file import URL_FILE_VAR, read_url, url_file
from mockery.server.server import DEFAULT_HOST, DEFAULT_PORT, GRACEFUL_SHUTDOWN_SECONDS, plan_listeners
from mockery.server.workers import default_prefix, serve_workers
from mockery.store import DEFAULT_STORE_URL, reset_state, store_type
from mockery.store.redis import redacted
from mockery.templates.fakes import Clock

F = TypeVar("F", bound=Callable[..., Any])


def _env_option(*decls: str, env: str, **kwargs: Any) -> Callable[[F], F]:
    """An option with its MOCKERY_* variable, shown in --help: a container is configured by environment.

    A numeric option names its type (``mockery.cli_types`` or a click range): the type checks the value once,
    from the flag or the variable, and a bad one is a usage error naming both."""
    if isinstance(kwargs.get("default"), int | float) and "type" not in kwargs and not kwargs.get("is_flag"):
        raise TypeError(f"{decls[0]}: a numeric option needs a type that says which values are valid")
    option: Callable[[F], F] = click.option(*decls, envvar=env, show_envvar=True, **kwargs)
    return option


_paths = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))


def _parse_clock(_: click.Context, __: click.Parameter, value: str) -> Clock:
    try:
        return Clock.parse(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is neither 'system' nor an ISO 8601 time") from None


def _check_cors(_: click.Context, __: click.Parameter, value: str) -> str:
    try:
        parse_cors_option(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _parse_port_of(_: click.Context, __: click.Parameter, values: tuple[str, ...]) -> dict[str, int]:
    try:
        return parse_port_of(values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


class _Group(click.Group):
    """Prints mockery's own errors as messages with their exit code, never as tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MockeryError as exc:
            click.echo(str(exc), err=True)
            ctx.exit(exc.exit_code)


def version_text() -> str:
    """mockery's version, and Faker's: the same seed gives the same values only with the same Faker release."""
    from mockery.templates.fakes import faker_version

    return f"mockery, version {__version__} (Faker {faker_version()})"


def _show_version(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text())
        ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show mockery's version and Faker's, and exit.",
)
def cli() -> None:
    """Fake the services your stack depends on: one YAML spec per service."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), envvar=ENV_VARS["paths"])
@_env_option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    env=ENV_VARS["host"],
    help="Address of every listener.",
)
@_env_option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    env=ENV_VARS["port"],
    type=PORT,
    help="Port of the shared listener (0: any free port).",
)
@click.option(
    "--port-of",
    "ports",
    multiple=True,
    metavar="SERVICE=PORT",
    callback=_parse_port_of,
    help="Serve SERVICE on PORT instead of its spec's port (repeatable). Also MOCKERY_PORT_<SERVICE>=PORT.",
)
@_env_option(
    "--seed",
    default=0,
    show_default=True,
    env=ENV_VARS["seed"],
    type=int,
    help="Changes every service's data.",
)
@_env_option(
    "--clock",
    default="2026-01-01T00:00:00Z",
    show_default=True,
    env=ENV_VARS["clock"],
    callback=_parse_clock,
    help="What now() returns in templates: an ISO 8601 time, or 'system' for the real clock.",
)
@_env_option(
    "--max-body",
    default=DEFAULT_MAX_BODY,
    show_default=True,
    env=ENV_VARS["max_body"],
    type=Size(),
    help="Largest request body, in bytes or with a unit: 512k, 10M, 10MiB.",
)
@_env_option(
    "--body-timeout",
    default=DEFAULT_BODY_TIMEOUT,
    show_default=True,
    env=ENV_VARS["body_timeout"],
    type=Seconds(),
    help="Seconds a client may go silent while it sends a body; then 408.",
)
@_env_option(
    "--header-timeout",
    default=DEFAULT_HEADER_TIMEOUT,
    show_default=True,
    env=ENV_VARS["header_timeout"],
    type=Seconds(),
    help="Seconds a client has to send a request line and its headers; then 408 and the connection closes.",
)
@_env_option(
    "--max-connections",
    default=DEFAULT_MAX_CONNECTIONS,
    show_default=True,
    env=ENV_VARS["max_connections"],
    type=click.IntRange(min=1),
    help="Connections each listener (of each worker) keeps open; the next one gets a 503.",
)
@_env_option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    env=ENV_VARS["log_format"],
)
@_env_option("--quiet", is_flag=True, env=ENV_VARS["quiet"], help="No line per request.")
@_env_option(
    "--state",
    default=DEFAULT_STORE_URL,
    show_default=True,
    env=ENV_VARS["state"],
    help="Where changes are kept.",
)
@_env_option(
    "--state-prefix",
    default=None,
    env=ENV_VARS["state_prefix"],
    help="Prefix of the keys in a shared store (Redis). Default: derived from the services' names and the seed.",
)
@_env_option(
    "--workers",
    default=1,
    show_default=True,
    env=ENV_VARS["workers"],
    type=click.IntRange(min=1),
    help="Processes serving the same ports; more than one needs a shared store (sqlite:// or redis://).",
)
@_env_option(
    "--journal-size",
    default=DEFAULT_JOURNAL_SIZE,
    show_default=True,
    env=ENV_VARS["journal_size"],
    type=click.IntRange(min=1),
    help="Requests the journal keeps.",
)
@_env_option(
    "--admin-token",
    default=None,
    env=ENV_VARS["admin_token"],
    help="Token the admin API asks for (Authorization: Bearer TOKEN). Prefer the variable: flags show in ps.",
)
@_env_option("--reload", is_flag=True, env=ENV_VARS["reload"], help="Reload the specs when a file changes.")
@_env_option(
    "--shutdown-timeout",
    default=GRACEFUL_SHUTDOWN_SECONDS,
    show_default=True,
    env=ENV_VARS["shutdown_timeout"],
    type=click.IntRange(min=0),
    help="Seconds to let requests in flight finish on SIGTERM or Ctrl-C.",
)
@_env_option(
    "--profile",
    default=None,
    env=ENV_VARS["profile"],
    help="The behaviour profile to serve with (a key of the specs' `profiles`), e.g. flaky.",
)
@_env_option(
    "--cors",
    default="*",
    show_default=True,
    env=ENV_VARS["cors"],
    callback=_check_cors,
    help="Origins whose pages may call services whose spec has no `cors`: *, origins separated by commas, or off.",
)
@_env_option(
    "--trace",
    type=click.Choice(["auto", "on", "off"]),
    default="auto",
    show_default=True,
    env=ENV_VARS["trace"],
    help="Spans over OTLP: auto traces when OTEL_EXPORTER_OTLP_ENDPOINT is set; needs mockery[otel].",
)
@_env_option(
    "--tls",
    type=click.Choice(["auto"]),
    default=None,
    env=ENV_VARS["tls"],
    help="HTTPS with a certificate of mockery's local development CA (see `mockery tls ca`), made on first use.",
)
@_env_option(
    "--tls-cert",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    env=ENV_VARS["tls_cert"],
    help="HTTPS with this PEM certificate (a chain: the server's first); needs --tls-key.",
)
@_env_option(
    "--tls-key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    env=ENV_VARS["tls_key"],
    help="The unencrypted PEM private key of --tls-cert.",
)
@_env_option(
    "--tls-port",
    type=PORT,
    default=None,
    env=ENV_VARS["tls_port"],
    help="Keep --port plain HTTP and serve the same services over HTTPS on this port too (0: any free port).",
)
@_env_option(
    "--tls-client-ca",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    env=ENV_VARS["tls_client_ca"],
    help="Ask HTTPS clients for a certificate signed by a CA of this PEM file (mTLS).",
)
@_env_option(
    "--tls-client-cert",
    type=click.Choice(["required", "optional"]),
    default="required",
    show_default=True,
    env=ENV_VARS["tls_client_cert"],
    help="With --tls-client-ca: refuse clients without a certificate at the handshake, or let them in.",
)
@_env_option(
    "--tls-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    env=ENV_VARS["tls_dir"],
    help="Folder of the local CA. Default: $XDG_DATA_HOME/mockery/tls or ~/.local/share/mockery/tls.",
)
@_env_option(
    "--tls-names",
    default=None,
    metavar="NAMES",
    env=ENV_VARS["tls_names"],
    help="More host names for --tls auto's certificate, comma-separated (a compose service name, its aliases).",
)
def serve(paths: tuple[Path, ...], log_format: str, **settings: Any) -> None:
    """Serve every spec in PATHS (files, or folders searched for *.yaml and *.yml).

    Without PATHS, serves MOCKERY_SPECS (paths separated by the system's path separator) or ./specs. Every
    option can be set by the MOCKERY_* variable shown in its help; a flag wins over its variable.
    """
    options = ServerOptions(
        paths=paths or (Path("specs"),),
        log_format="json" if log_format == "json" else "text",
        **{name: value for name, value in settings.items() if name != "log_format"},
    )
    log = options.log()
    server = build_server(options.replace(access_log=log))
    specs = server.specs
    listeners = server.bind()
    for listener in listeners:
        names = ", ".join(service.name for service in listener.plan.services) or "(no services)"
        log.event("listening", url=listener.url, services=names)
    rows = route_rows(
        (listener_label(*listener.socket.getsockname()[:2]), listener.plan.services) for listener in listeners
    )
    if log_format == "json":
        log.event("routes", routes=[dict(zip(HEADER_KEYS, row.cells(), strict=True)) for row in rows])
    else:
        log.lines(render(rows, colour=log.coloured))
    guard = (
        "token required"
        if options.admin_token
        else "loopback only"
        if is_loopback_host(options.host)
        else "health only"
    )
    log.event("admin", url=listeners[0].url + RESERVED_PREFIX, access=guard)
    log.event("dashboard", url=f"{listeners[0].url}{RESERVED_PREFIX}/ui")
    if options.workers > 1:
        workers = options.workers
        code = serve_workers(
            server,
            workers,
            lambda: options.open_store(specs),
            on_ready=lambda: log.event(
                "ready", services=len(specs.services), routes=specs.route_count, workers=workers
            ),
        )
        log.event("stopped")
        if code:
            raise SystemExit(code)
        return
    event_loop.run(
        server.serve(
            on_ready=lambda: log.event(
                "ready", services=len(specs.services), routes=specs.route_count, reload=options.reload
            )
        )
    )
    log.event("stopped")


def _health_url(url: str | None) -> str:
    """The server `mockery health` asks: ``url``, else the URL file's, else the local MOCKERY_PORT."""
    if url is not None:
        return url
    path = url_file()
    if path is None:
        return f"http://127.0.0.1:{os.environ.get('MOCKERY_PORT') or DEFAULT_PORT}"
    try:
        written = read_url(path)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"unhealthy: {exc}") from None
    if written is None:
        raise click.ClickException(
            f"unhealthy: no server has written its URL to {str(path)!r} ({URL_FILE_VAR}): not started yet, or stopped"
        )
    return written


@cli.command()
@_env_option(
    "--url",
    env="MOCKERY_HEALTH_URL",
    default=None,
    help="The server's URL (default: the one in $MOCKERY_URL_FILE, else http://127.0.0.1:$MOCKERY_PORT, else "
    "port 8000); /__mockery/health is added.",
)
@click.option("--timeout", default=3.0, show_default=True, type=Seconds(), help="Seconds to wait for the answer.")
def health(url: str | None, timeout: float) -> None:
    """Exit 0 when the server answers its health check, 1 otherwise: for container health checks.

    Without --url it asks the URL the server wrote to MOCKERY_URL_FILE (as the image sets it), so that it
    follows the port however it was chosen; without that variable, MOCKERY_PORT on this machine."""
    import httpx  # only this command asks a server: the others start faster without it

    target = _health_url(url).rstrip("/")
    if not target.endswith(f"{RESERVED_PREFIX}/health"):
        target += f"{RESERVED_PREFIX}/health"
    try:
        response = httpx.get(target, timeout=timeout)
        report = response.json() if response.status_code == 200 else {}
    except (httpx.HTTPError, ValueError) as exc:
        raise click.ClickException(f"unhealthy: {target}: {exc}") from None
    if not isinstance(report, dict) or report.get("status") != "ok":
        raise click.ClickException(f"unhealthy: {target} answered {response.status_code}")
    click.echo(f"ok: {target}: {len(report.get('services', []))} services")
    if report.get("last_reload_error"):
        click.echo(f"the last reload failed:\n{report['last_reload_error']['message']}", err=True)


@cli.command()
@_paths
def validate(paths: tuple[Path, ...]) -> None:
    """Check every spec in PATHS and print every mistake; exit 1 if there is any."""
    specs = load_specs(paths)
    count = len(specs.services)
    routes = specs.route_count
    click.echo(f"{count} service{'s' if count != 1 else ''}, {routes} route{'s' if routes != 1 else ''}: OK")


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the schema to this file (for an editor to read) instead of printing it.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the spec language, or write it to a file for an editor."""
    from mockery.scaffold import schema_text, write_schema

    if output is None:
        click.echo(schema_text(), nl=False)
        return
    click.echo(f"wrote {write_schema(output)}")


@cli.command()
def version() -> None:
    """Print mockery's version and Faker's, as --version does."""
    click.echo(version_text())


@cli.command()
@click.argument("folder", required=False, default=Path("."), type=click.Path(file_okay=False, path_type=Path))
@click.option("--service", default="hello", show_default=True, help="The starter service's name (and file name).")
@click.option(
    "--from-openapi",
    "document",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Write the spec from this OpenAPI document instead (as `mockery import openapi` does).",
)
@click.option("--force", is_flag=True, help="Overwrite files that hold something else.")
def init(folder: Path, service: str, document: Path | None, force: bool) -> None:
    """Write a commented starter spec to FOLDER/specs/ (default: here), and the schema an editor completes it
    with to FOLDER/mockery.schema.json. Never overwrites a file that holds something else, unless --force."""
    from mockery.scaffold import init as write_starter
    from mockery.scaffold import init_from_openapi

    if document is not None:
        written = init_from_openapi(folder, document, force=force)
    else:
        written = write_starter(folder, service=service, force=force)
    for path in written:
        click.echo(f"wrote {path}")
    specs = written[0].parent
    click.echo(f"next: mockery validate {specs}/ && mockery serve {specs}/")


@cli.command()
@_paths
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=PORT, help="Port of the shared listener.")
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option(
    "--port-of",
    "ports",
    multiple=True,
    metavar="SERVICE=PORT",
    callback=_parse_port_of,
    help="Where serve --port-of would move SERVICE (repeatable); MOCKERY_PORT_<SERVICE> too.",
)
def routes(paths: tuple[Path, ...], port: int, host: str, ports: dict[str, int]) -> None:
    """List the routes of every spec in PATHS, as serve prints them at start-up: service, listener, method,
    path, name, kind and conditions."""
    specs = load_specs(paths)
    specs = move_ports(specs, requested_ports(specs, ports, os.environ))
    rows = route_rows(
        (listener_label(plan.host, plan.port), plan.services) for plan in plan_listeners(specs, host, port)
    )
    colour = use_colour(sys.stdout)
    click.echo(render(rows, colour=colour), nl=False, color=colour)  # click would strip colour off a pipe


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), envvar=ENV_VARS["paths"])
@_env_option(
    "--state",
    required=True,
    env=ENV_VARS["state"],
    help="The store to reset, e.g. sqlite:///state.db or redis://host:6379/0.",
)
@_env_option(
    "--state-prefix",
    default=None,
    env=ENV_VARS["state_prefix"],
    help="Prefix of the keys to delete in a shared store (Redis). Default: serve's, from PATHS and --seed.",
)
@_env_option(
    "--seed",
    default=0,
    show_default=True,
    env=ENV_VARS["seed"],
    type=int,
    help="The seed the server runs with: part of the default prefix.",
)
def reset(paths: tuple[Path, ...], state: str, state_prefix: str | None, seed: int) -> None:
    """Forget every change kept in the store at STATE: every resource is back to its generated records.

    In Redis, only the keys under the server's prefix are deleted: give --state-prefix, or the PATHS (or
    MOCKERY_SPECS) and --seed the server was started with, from which serve derives its default prefix.
    SQLite and memory stores need neither.
    """
    prefixed = store_type(state).prefixed
    prefix = state_prefix
    if prefix is None and prefixed:
        if not paths:
            raise click.UsageError(
                "resetting a Redis store needs the server's key prefix: give the specs the server serves "
                "(mockery reset --state URL specs/, with its --seed), or --state-prefix PREFIX "
                "(MOCKERY_STATE_PREFIX)"
            )
        prefix = default_prefix(load_specs(paths), seed)
    reset_state(state, prefix=prefix)
    click.echo(f"reset {redacted(state)}" + (f" (the keys under {prefix}:)" if prefixed else ""))


@cli.group(name="tls")
def tls_group() -> None:
    """HTTPS with mockery's local development CA."""


@tls_group.command(name="ca")
@_env_option(
    "--tls-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    env=ENV_VARS["tls_dir"],
    help="Folder of the local CA. Default: $XDG_DATA_HOME/mockery/tls or ~/.local/share/mockery/tls.",
)
@click.option("--path", "path_only", is_flag=True, help="Print only the CA certificate's path (for scripts).")
def tls_ca(tls_dir: Path | None, path_only: bool) -> None:
    """Print where the local development CA's certificate is (creating the CA if there is none) and how to
    trust it: in the system, in browsers, in Python and Node.js clients."""
    from mockery.server.certificates import local_ca, tls_folder, trust_instructions

    ca = local_ca(tls_folder(tls_dir))
    click.echo(str(ca.cert) if path_only else trust_instructions(ca.cert))


def _output(help_text: str) -> Callable[[F], F]:
    """The ``-o/--output`` folder every ``mockery import`` command writes to."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help=help_text,
    )


def _wrote(written: list[Path], warnings: list[Any]) -> None:
    """What an import wrote, and each construct it could not carry (on stderr)."""
    for path in written:
        click.echo(f"wrote {path}")
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@cli.group(name="import")
def import_group() -> None:
    """Turn documents in other formats into mockery specs."""


@import_group.command(name="openapi")
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output("The folder the spec is written to, as <service>.yaml.")
def import_openapi(document: Path, output: Path) -> None:
    """Write the OpenAPI DOCUMENT as an editable mockery spec: resources for collections, routes for the rest."""
    from mockery.importers.openapi import write_spec

    click.echo(f"wrote {write_spec(document, output)}")


@import_group.command(name="graphql")
@click.argument("schema", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output("The folder the spec is written to, as <service>.yaml (the schema is copied there when it is elsewhere).")
def import_graphql(schema: Path, output: Path) -> None:
    """Write a starter spec serving the SDL SCHEMA: types that mutations create are bound to resources."""
    from mockery.importers.graphql import write_spec

    click.echo(f"wrote {write_spec(schema, output)}")


@import_group.command(name="asyncapi")
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output("The folder the spec is written to, as <service>.yaml.")
def import_asyncapi(document: Path, output: Path) -> None:
    """Write the AsyncAPI DOCUMENT as a starter spec: each channel a WebSocket route (or an event stream)."""
    from mockery.importers.asyncapi import write_spec

    click.echo(f"wrote {write_spec(document, output)}")


@import_group.command(name="wiremock")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@_output("The folder the spec is written to, as <service>.yaml (with the files it sends beside it).")
@click.option(
    "--global-templating",
    is_flag=True,
    help="Translate the templates of every stub, as WireMock run with --global-response-templating does.",
)
def import_wiremock(source: Path, output: Path, global_templating: bool) -> None:
    """Write WireMock stub mappings (a root with mappings/ and __files/, a folder, or a FILE) as one spec;
    every construct with no mockery equivalent is a warning naming its file and JSON pointer."""
    from mockery.importers.wiremock import write_specs

    _wrote(*write_specs(source, output, global_templating=global_templating))


@import_group.command(name="mockoon")
@click.argument("environment", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output("The folder the spec is written to, as <service>.yaml (with the files it sends beside it).")
def import_mockoon(environment: Path, output: Path) -> None:
    """Write a Mockoon ENVIRONMENT (its JSON file) as one spec: routes, responses with their rules, modes,
    latency, CORS, headers and proxy; every construct with no mockery equivalent is a located warning."""
    from mockery.importers.mockoon import write_specs

    _wrote(*write_specs(environment, output))


@import_group.command(name="postman")
@click.argument("collection", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output("The folder the specs are written to, as <service>.yaml.")
def import_postman(collection: Path, output: Path) -> None:
    """Write a spec answering the saved examples of a Postman COLLECTION (v2.1), each on its method, path and
    query; variables come from the collection only. What is not translated is a warning with its JSON pointer."""
    from mockery.importers.postman import write_spec

    path, warnings = write_spec(collection, output)
    _wrote([path], warnings)


@import_group.command(name="har")
@click.argument("har", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output("The folder the specs are written to, as <service>.yaml.")
@click.option("--keep-pii", is_flag=True, help="Write recorded values as they are: no anonymisation.")
def import_har(har: Path, output: Path, keep_pii: bool) -> None:
    """Write a spec per host of a HAR recording (a browser's or a proxy's), as `mockery record` would have:
    personal data anonymised, repeated requests collapsed into one route."""
    from mockery.record.har import write_specs

    written, warnings = write_specs(har, output, anonymise=not keep_pii)
    _wrote(written, warnings)


@import_group.command(name="json-server")
@click.argument("database", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output("The folder the specs are written to, as <service>.yaml.")
def import_json_server(database: Path, output: Path) -> None:
    """Write a spec serving a json-server DATABASE (db.json) through `db:`, the file copied beside it."""
    from mockery.importers.json_server import write_spec

    path, warnings = write_spec(database, output)
    _wrote([path], warnings)


@cli.command()
@click.option("--upstream", required=True, help="The real API to record, e.g. https://api.example.com.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The spec to write.")
@click.option(
    "--port", default=DEFAULT_PORT, show_default=True, type=PORT, help="Port of the recording proxy (0: any)."
)
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address of the recording proxy.")
@click.option("--timeout", default=30.0, show_default=True, type=Seconds(), help="Seconds to wait for the upstream.")
@click.option("--keep-pii", is_flag=True, help="Write recorded values as they are: no anonymisation.")
@click.option("--summary", "write_summary", is_flag=True, help="Also write the summary beside the spec.")
def record(upstream: str, out: Path, port: int, host: str, timeout: float, keep_pii: bool, write_summary: bool) -> None:
    """Proxy to UPSTREAM and record; on Ctrl-C, SIGTERM or POST /__mockery/record/stop write the spec."""
    from mockery.proxy.forward import upstream_problem
    from mockery.record.run import record as run_record

    if (reason := upstream_problem(upstream)) is not None:
        raise click.BadParameter(reason, param_hint="--upstream")
    summary_out = out.with_name(f"{out.stem}.summary.txt") if write_summary else None
    run_record(
        upstream,
        out,
        host=host,
        port=port,
        timeout=timeout,
        anonymise=not keep_pii,
        summary_out=summary_out,
        echo=click.echo,
    )


@cli.command(name="export")
@_paths
@click.option(
    "--resource",
    "resources",
    multiple=True,
    help="A collection to export, as NAME or SERVICE.NAME (repeatable). Default: every collection.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "csv", "sql"]),
    default="json",
    show_default=True,
    help="json (several collections: an object of arrays, as json-server's db.json), jsonl, csv or sql.",
)
@click.option(
    "--dialect",
    type=click.Choice(["postgres", "sqlite", "mysql"]),
    default="postgres",
    show_default=True,
    help="The database the SQL is written for.",
)
@click.option("--count", type=click.IntRange(min=0), default=None, help="Export N generated records, not the state.")
@click.option(
    "--state",
    default=DEFAULT_STORE_URL,
    show_default=True,
    help="The store a server keeps its changes in (sqlite:///state.db, redis://host:6379/0): its state is exported.",
)
@click.option("--state-prefix", default=None, help="Prefix of the server's keys in a shared store (Redis).")
@click.option("--seed", default=0, show_default=True, type=int, help="The seed the server runs with.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The file to write.")
def export_command(
    paths: tuple[Path, ...],
    resources: tuple[str, ...],
    fmt: str,
    dialect: str,
    count: int | None,
    state: str,
    state_prefix: str | None,
    seed: int,
    out: Path | None,
) -> None:
    """Write the records of collections in PATHS as JSON, JSON Lines, CSV or SQL (CREATE TABLE with primary and
    foreign keys, batched INSERTs): the state a server keeps in --state, or with --count N records generated
    without serving. The records are the ones `mockery serve` with the same --seed generates."""
    from mockery.resources.export import ExportError, export, tables_of
    from mockery.runtime.state import Runtime
    from mockery.suggest import did_you_mean

    specs = load_specs(paths)
    options = ServerOptions(state=state, state_prefix=state_prefix, seed=seed)
    runtime = Runtime(specs, seed=seed, store=options.open_store(specs))
    collections = runtime.resources.collections
    names: dict[str, list[str]] = {key: [key] for key in collections}
    for key in collections:
        names.setdefault(key.partition(".")[2], []).append(key)
    chosen: list[str] = []
    for name in resources or sorted(collections):
        found = names.get(name, [])
        if len(found) > 1:
            message = f"{name!r} is any of {', '.join(found)}: name one as SERVICE.NAME"
            raise click.BadParameter(message, param_hint="--resource")
        if not found:
            hint = did_you_mean(name, names) if names else None
            known = ", ".join(sorted(collections)) or "none"
            message = f"no collection {name!r} in {', '.join(map(str, paths))} (collections: {known})"
            raise click.BadParameter(message + (f"; {hint}" if hint else ""), param_hint="--resource")
        key = found[0]
        if key not in chosen:
            chosen.append(key)
    if not chosen:
        raise click.UsageError("the specs declare no resources: there is nothing to export")
    try:
        tables = tables_of([collections[key] for key in chosen], collections, count)
        if out is None:
            export(tables, fmt, sys.stdout, dialect)
        else:
            with out.open("w", encoding="utf-8", newline="") as stream:
                export(tables, fmt, stream, dialect)
    except ExportError as exc:
        raise click.UsageError(str(exc)) from None
    if out is not None:
        click.echo(f"wrote {out}", err=True)


def main() -> None:
    """Entry point of the `mockery` script."""
    cli()
