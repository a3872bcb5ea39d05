"""Routes added to a running service: one route checked exactly like a route of a spec, and its conflicts.

A runtime route is validated against the schema's route definition (``#/$defs/route``) and then by every
semantic check of a route in a spec (path syntax, templates, the Faker providers of the service's locale,
files relative to the service's spec folder, never outside it). A template whose constants alone build a
value over a rendering limit (``{{ ['x' * 1000000] * 1000000 }}``) is one of those errors; one whose size
depends on the request is sized when it renders, as a spec's is. Its errors name the route's fields under
``route``, e.g. ``route.response.status``, in a "file" named ``<runtime route>`` unless told otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from mockery.errors import ArgumentError, SpecError, SpecErrors
from mockery.http.paths import shape
from mockery.load.build import build_route_at
from mockery.load.schema import route_schema_errors
from mockery.model.services import Route, Service
from mockery.source.document import Document
from mockery.source.inline import plain_data
from mockery.source.yaml_loader import parse_document

RUNTIME_ROUTE_NAME = "<runtime route>"


def _document(
    service: Service, raw: Mapping[str, Any] | str, name: str, environ: Mapping[str, str] | None
) -> tuple[Document | None, list[SpecError]]:
    """The route as the document ``{"route": raw}``; its ``file`` is the service's, for the files it sends."""
    if isinstance(raw, str):
        parsed, load_errors = parse_document(raw, path=service.file, display_name=name, environ=environ)
        errors = [replace(error, path=_under_route(error.path)) if error.path else error for error in load_errors]
        if parsed is None:
            return None, errors
        return (
            Document(
                file=service.file,
                display_name=name,
                data={"route": parsed.data},
                positions={("route", *path): position for path, position in parsed.positions.items()},
                key_positions={("route", *path): position for path, position in parsed.key_positions.items()},
                scalars={("route", *path): source for path, source in parsed.scalars.items()},
            ),
            errors,
        )
    data, errors = plain_data(raw, name=name, path=("route",))
    return Document(file=service.file, display_name=name, data={"route": data}), errors


def _under_route(path: str) -> str:
    """A formatted path of the route's own document, as a path below ``route``."""
    return "route" + path if path.startswith("[") else f"route.{path}"


def build_route(
    service: Service,
    raw: Mapping[str, Any] | str,
    *,
    index: int,
    name: str = RUNTIME_ROUTE_NAME,
    environ: Mapping[str, str] | None = None,
) -> Route:
    """The route ``raw`` describes, for ``service``: its path joined to the service's base path, its
    templates compiled. Raises ``SpecErrors`` listing every mistake, each naming its field as
    ``route.<field>`` (e.g. ``route.response.status``) in the "file" ``name``.

    ``raw`` is the mapping of one route as written under ``routes:`` in a spec, or its YAML text (then errors
    carry its line and column, and ``environ``, default ``os.environ``, fills its ``${VAR}``; a mapping's
    errors are at line 1, column 1). The route is ``("runtime", index)`` (``Route.origin``, ``Route.index``):
    give each runtime route of the service an index of its own, e.g. ``0``, ``1``...; its seeds and store
    keys never meet a spec route's. The service's existing routes are not looked at: see ``conflicting_route``.
    """
    if not isinstance(raw, str | Mapping):
        raise ArgumentError(f"a route is a mapping or YAML text, not a {type(raw).__name__}")
    document, errors = _document(service, raw, name, environ)
    if document is None:
        raise SpecErrors(errors)
    errors.extend(route_schema_errors(document))
    route, build_errors = build_route_at(
        document,
        ("route",),
        locale=service.locale,
        base_path=service.base_path,
        index=index,
        origin="runtime",
        service=service.name,
    )
    errors.extend(build_errors)
    if errors:
        raise SpecErrors(errors)
    if route is None:  # the checks above explain every route that cannot be built: this is a safety net
        raise SpecErrors([SpecError(name, 1, 1, "route", "the route could not be built")])
    return route


def conflicting_route(route: Route, existing: Service | Iterable[Route]) -> Route | None:
    """The first of the ``existing`` routes (a service's, or any routes) that claims a method of ``route``
    on the same path shape (``paths.shape``: ``/users/{id}`` and ``/users/{name}`` are the same), or ``None``.

    Like the check between specs, only the methods written are compared (a GET route answers HEAD too, but a
    GET and a HEAD route do not conflict). A route never conflicts with itself. Nothing is raised: the caller
    decides whether to refuse the new route, replace the old one, or let the first one written win.
    """
    routes = existing.routes if isinstance(existing, Service) else existing
    wanted = shape(route.path)
    for other in routes:
        if other is not route and shape(other.path) == wanted and set(other.methods) & set(route.methods):
            return other
    return None
