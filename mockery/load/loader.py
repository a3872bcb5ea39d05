"""Find spec files, load and check them all, and build the model: the one entry point from files to a SpecSet."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path

from mockery.errors import SpecError, SpecErrors, display_path
from mockery.http.paths import shape
from mockery.load.build import build_service
from mockery.load.numbers import keep_written_numbers
from mockery.load.peers import folder_hint, peer_error
from mockery.load.resources import describe_route, json_server_database, ref_errors
from mockery.load.schema import schema_errors
from mockery.model.services import Route, Service, SpecSet
from mockery.source.document import Document, format_path
from mockery.source.inline import InlineSpec, inline_document
from mockery.source.yaml_loader import is_openapi, load_document

SPEC_SUFFIXES = (".yaml", ".yml")

ListenerKey = tuple[str, int]


def _is_openapi_json(path: Path) -> bool:
    if path.suffix != ".json":
        return False
    from mockery.load.openapi import is_openapi_json  # the OpenAPI machinery: only where a .json file is found

    return is_openapi_json(path)


def find_spec_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[SpecError]]:
    """Spec files named directly, and ``*.yaml``/``*.yml`` files below named folders, in a stable order."""
    files: list[Path] = []
    errors: list[SpecError] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if (p.suffix in SPEC_SUFFIXES or _is_openapi_json(p)) and p.is_file()
            )
            if not found:
                hint = folder_hint(path)
                errors.append(SpecError(display_path(path), 1, 1, "", "the folder holds no *.yaml or *.yml spec", hint))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(SpecError(display_path(path), 1, 1, "", "no such file or folder"))
    unique = list(dict.fromkeys(file.resolve() for file in files))
    return unique, errors


def load_specs(
    paths: Iterable[str | Path],
    environ: Mapping[str, str] | None = None,
    *,
    inline: Iterable[InlineSpec | Document] | InlineSpec | Document = (),
    inline_folder: str | Path | None = None,
) -> SpecSet:
    """Load, check and build every spec below ``paths`` and every spec of ``inline``, all together (service
    names and route conflicts are checked across all of them); raises ``SpecErrors`` listing every mistake.

    ``inline`` holds specs given from Python: mappings, YAML texts, or documents from ``load_inline`` (one
    spec alone is taken as a list of one). The n-th is named ``<inline n>`` in errors (a document keeps its
    own name), and the files its routes send are looked for in ``inline_folder`` (default: the current
    directory). ``environ`` (default ``os.environ``) fills the ``${VAR}`` of spec files and of inline YAML
    texts; an OpenAPI document is read as written, by its own YAML rules (see mockery.source.yaml_loader).
    """
    files, errors = find_spec_files(paths)
    documents: list[Document] = []
    for file in files:
        peer = peer_error(file)
        if peer is not None:
            errors.append(peer)
            continue
        document, load_errors = load_document(file, environ=environ)
        errors.extend(load_errors)
        if document is not None:
            documents.append(document)
    specs = [inline] if isinstance(inline, str | Mapping | Document) else list(inline)
    for number, spec in enumerate(specs, start=1):
        if isinstance(spec, Document):
            documents.append(spec)
            continue
        document, load_errors = inline_document(spec, name=f"<inline {number}>", folder=inline_folder, environ=environ)
        errors.extend(load_errors)
        if document is not None:
            documents.append(document)
    return build_spec_set(documents, errors)


def build_spec_set(documents: Iterable[Document], errors: Iterable[SpecError] = ()) -> SpecSet:
    """Check loaded documents against the schema and each other, and build the model."""
    all_errors = list(errors)
    services: list[Service] = []
    for document in documents:
        database = json_server_database(document)
        if database is not None:
            all_errors.append(database)
            continue
        if is_openapi(document.data):
            from mockery.load.openapi import build_openapi_service  # the OpenAPI machinery: for documents only

            service, build_errors = build_openapi_service(document)
        else:
            all_errors.extend(schema_errors(document))
            keep_written_numbers(document)
            service, build_errors = build_service(document)
            if service is not None:
                service, override_errors = apply_overrides(document, service)
                build_errors = [*build_errors, *override_errors]
        all_errors.extend(build_errors)
        if service is not None:
            services.append(service)
    all_errors.extend(duplicate_services(services))
    all_errors.extend(route_conflicts(services))
    all_errors.extend(ref_errors(services))
    if all_errors:
        raise SpecErrors(all_errors)
    return SpecSet(tuple(services))


def duplicate_services(services: Iterable[Service]) -> list[SpecError]:
    """A service name may be used by one spec only."""
    seen: dict[str, Service] = {}
    errors = []
    for service in services:
        first = seen.setdefault(service.name, service)
        if first is not service:
            errors.append(
                SpecError(
                    service.display_name,
                    service.position.line,
                    service.position.column,
                    "service",
                    f"service {service.name!r} is already defined at "
                    f"{first.display_name}:{first.position.line}:{first.position.column}",
                    "service names must be unique",
                )
            )
    return errors


def listener_key(service: Service, shared_port: int | None = None) -> ListenerKey:
    """Which listener a service is served on: its own port, a port 0 of its own, or the shared one."""
    if service.port is None or (service.port == shared_port and shared_port != 0):
        return ("shared", 0)
    if service.port == 0:
        return ("ephemeral:" + service.name, 0)
    return ("port", service.port)


def apply_overrides(document: Document, service: Service) -> tuple[Service, list[SpecError]]:
    """The service without the resource endpoints its routes replace with ``override: true``.

    A written route on an endpoint's method and path answers in its place only when it says so: silently, one
    of the two would never answer. ``override`` on a route that replaces nothing is a mistake too."""
    data = document.data
    raw_routes = data.get("routes") if isinstance(data, dict) else None
    if not isinstance(raw_routes, list):
        return service, []
    errors: list[SpecError] = []
    replaced: set[int] = set()
    for route in service.routes:
        if route.origin != "spec" or route.index >= len(raw_routes):
            continue
        raw = raw_routes[route.index]
        if not isinstance(raw, dict) or raw.get("override") is not True:
            continue
        where = ("routes", route.index, "override")
        position = document.position(where, key=True)
        if route.conditions or route.scenario is not None:
            errors.append(
                SpecError(
                    document.display_name,
                    position.line,
                    position.column,
                    format_path(where),
                    "a route with `match` or `scenario` answers beside the endpoint on its path, it replaces none",
                    "remove `override`",
                )
            )
            continue
        found = [
            other
            for other in service.routes
            if other.origin == "resource"
            and shape(other.path) == shape(route.path)
            and set(other.methods) & set(route.methods)
        ]
        if not found:
            errors.append(
                SpecError(
                    document.display_name,
                    position.line,
                    position.column,
                    format_path(where),
                    f"`override: true`, but no resource endpoint answers {'/'.join(route.methods)} {route.path}",
                    "remove `override`: it is for a route that answers in a resource endpoint's place",
                )
            )
        replaced.update(id(other) for other in found)
    if not replaced:
        return service, errors
    kept = tuple(route for route in service.routes if id(route) not in replaced)
    return dataclasses.replace(service, routes=kept), errors


def _where(service: Service, route: Route) -> str:
    return f"{service.display_name}:{route.position.line}:{route.position.column}"


def _claimer(service: Service, route: Route) -> str:
    """``a.yaml:4:5 (GET /users/{id})``, or for an endpoint ``resource 'users' (get one) at a.yaml:8:5``."""
    if route.origin == "resource" and route.endpoint is not None:
        return f"{describe_route(route)} at {_where(service, route)}"
    return f"{_where(service, route)} ({route.name})"


def _doc_path(route: Route) -> str:
    """Where a route is written: ``routes[n]`` for a spec route, the resource for its endpoints."""
    if route.origin == "spec":
        return f"routes[{route.index}]"
    endpoint = route.endpoint
    if route.origin == "resource" and endpoint is not None:
        return f"resources.{(endpoint.parent or endpoint.resource).name}"
    return f"routes[{route.key}]"


def _conflict(method: str, service: Service, route: Route, other_service: Service, other: Route) -> SpecError:
    """A second claim of ``method`` and a path, worded for the case: which two routes, and what would fix it."""
    if other_service is service and {route.origin, other.origin} == {"spec", "resource"}:
        # Reported at the written route: that is where `override: true` goes.
        written, endpoint = (route, other) if route.origin == "spec" else (other, route)
        return SpecError(
            service.display_name,
            written.position.line,
            written.position.column,
            _doc_path(written),
            f"{method} {written.path} is already claimed by {describe_route(endpoint)} at {_where(service, endpoint)}",
            "add `override: true` to the route to answer in the endpoint's place, or change its path or method",
        )
    if other_service is service:
        hint = "change the path or method, or tell the routes apart with `match` conditions"
    else:
        hint = "change the path or method, or give one service a port of its own"
    return SpecError(
        service.display_name,
        route.position.line,
        route.position.column,
        _doc_path(route),
        f"{method} {route.path} is already claimed on the same listener by {_claimer(other_service, other)}"
        + ("" if other_service is service else f" of service {other_service.name!r}"),
        hint,
    )


def route_conflicts(services: Iterable[Service], shared_port: int | None = None) -> list[SpecError]:
    """Two routes that claim the same method and path shape on one listener, each named with its location."""
    claimed: dict[tuple[ListenerKey, str, str], tuple[Service, Route]] = {}
    # A GET route answers HEAD too: a HEAD route on its path is a second answer, unless it overrides by priority.
    answers_head: dict[tuple[ListenerKey, str, str], tuple[Service, Route]] = {}
    errors = []
    for service in services:
        listener = listener_key(service, shared_port)
        for route in service.routes:
            if route.conditions or route.scenario is not None:
                continue  # routes with conditions share a path by design: priority and specificity choose
            if "GET" in route.methods and "HEAD" not in route.methods:
                answers_head.setdefault((listener, "HEAD", shape(route.path)), (service, route))
            for method in route.methods:
                key = (listener, method, shape(route.path))
                other_service, other = claimed.setdefault(key, (service, route))
                if other is route:
                    continue
                errors.append(_conflict(method, service, route, other_service, other))
    for key, (get_service, get_route) in answers_head.items():
        head_service, head_route = claimed.get(key, (get_service, get_route))
        if head_route is get_route or head_route.priority > get_route.priority or head_route.origin == "openapi":
            continue  # an OpenAPI document's own head operation is the document's business, not a spec mistake
        errors.append(
            SpecError(
                head_service.display_name,
                head_route.position.line,
                head_route.position.column,
                _doc_path(head_route),
                f"HEAD {head_route.path} is already answered by "
                + ("" if get_route.origin == "resource" else "the GET route at ")
                + f"{_claimer(get_service, get_route)}, which answers HEAD too",
                "remove one, or give the HEAD route a higher priority to override the GET route's HEAD answers",
            )
        )
    return errors
