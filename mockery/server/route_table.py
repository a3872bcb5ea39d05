"""The table of routes people read: `mockery routes` prints it, and `mockery serve` prints the same at start-up.

One row per route and method: service, listener, method, path (an OpenAPI route with its document's parameter
names, ``{petId}``, not the ``{p0}`` it is matched by), name, kind (template, resource, openapi...) and what else
must hold (``match`` conditions, a scenario's state). A row the table already has is not repeated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mockery.http.logs import BOLD, DIM, paint
from mockery.model.services import Route, Service

HEADER = ("SERVICE", "LISTENER", "METHOD", "PATH", "NAME", "KIND", "CONDITIONS")
# The keys of a row in JSON logs.
HEADER_KEYS = tuple(name.lower() for name in HEADER)


@dataclass(frozen=True, slots=True)
class RouteRow:
    service: str
    listener: str
    method: str
    path: str
    name: str
    kind: str
    conditions: str

    def cells(self) -> tuple[str, ...]:
        return (self.service, self.listener, self.method, self.path, self.name, self.kind, self.conditions)


def shown_path(route: Route) -> str:
    """The path as its author wrote it: an OpenAPI operation's own parameter names in place of ``{p0}``..."""
    template = getattr(route.handler, "template", None)
    if route.origin != "openapi" or not isinstance(template, str):
        return route.path
    names = [part.split("}", 1)[0] for part in template.split("{")[1:] if "}" in part]
    path = route.path
    for index, name in enumerate(names):
        path = path.replace(f"{{p{index}}}", f"{{{name}}}", 1)
    return path


def conditions(route: Route) -> str:
    """What must hold besides the method and path: the ``match`` clauses and the scenario's state."""
    parts = [clause.label for clause in route.conditions.clauses]
    step = route.scenario
    if step is not None:
        moves = f" -> {step.next}" if step.next is not None else ""
        parts.append(f"scenario {step.name}: {step.state or 'any state'}{moves}")
    if route.priority:
        parts.append(f"priority {route.priority}")
    return ", ".join(parts) or "-"


def _callbacks(route: Route) -> str:
    """What the route sends after answering, after its kind: `` +2 callbacks``."""
    count = len(route.callbacks)
    return f" +{count} callback{'s' if count > 1 else ''}" if count else ""


def route_rows(listeners: Iterable[tuple[str, Iterable[Service]]]) -> list[RouteRow]:
    """The rows of every route of every ``(listener, services)``, in the order routes are written."""
    rows: dict[RouteRow, None] = {}
    for listener, services in listeners:
        for service in services:
            for route in service.routes:
                for method in route.methods:
                    row = RouteRow(
                        service.name,
                        listener,
                        method,
                        shown_path(route),
                        route.name,
                        route.answer.kind + _callbacks(route),
                        conditions(route),
                    )
                    rows.setdefault(row)
    return list(rows)


def render(rows: Iterable[RouteRow], *, colour: bool = False) -> str:
    """The table as text: a header, then one aligned line per row (the last column unpadded)."""
    table = [HEADER, *(row.cells() for row in rows)]
    widths = [max(len(cells[column]) for cells in table) for column in range(len(HEADER) - 1)]
    lines = []
    for number, cells in enumerate(table):
        padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
        line = "  ".join([*padded, cells[-1]]).rstrip()
        if number == 0:
            line = paint(line, BOLD, colour)
        elif cells[-1] == "-":
            line = line[:-1] + paint("-", DIM, colour)
        lines.append(line)
    return "\n".join(lines) + "\n"


def listener_label(host: str, port: int) -> str:
    """``127.0.0.1:8000``, ``[::1]:8000``: a listener as the table names it."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
