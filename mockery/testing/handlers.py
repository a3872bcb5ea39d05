"""Stubs added from a test: the handle ``MockServer.stub`` returns, and the answer kind a stub is given.

A stub is a runtime route of the server (``Server.add_route``), so it is validated, matched, journaled and
reset exactly like one added over the admin API; what this module adds is its answer: a Python handler
(``mockery.answers.handler.HandlerAnswer``) and a limit of ``times`` (``CountedAnswer``), after which the
route is removed and requests fall through to the route that matches next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from mockery.answers.handler import CountedAnswer, FakerPool, Handler, HandlerAnswer, Uses
from mockery.model.services import AnswerKind, Route


@dataclass(frozen=True, slots=True)
class Stub:
    """A route added by ``MockServer.stub`` or ``@mock.route``: pass it to ``MockServer.remove_stub``."""

    id: str
    service: str
    route: Route
    handler: Handler | None = None

    @property
    def name(self) -> str:
        return self.route.name

    def __repr__(self) -> str:
        return f"Stub({self.route.name!r}, service={self.service!r}, id={self.id!r})"


def stub_answer(
    handler: Handler | None,
    times: int | None,
    *,
    fakers: FakerPool,
    report: Callable[[BaseException], None],
    remove: Callable[[str], object],
) -> Callable[[Route, str], AnswerKind] | None:
    """What ``Server.add_route`` puts on the stub's route: the handler, counted when ``times`` is given.
    ``TypeError``/``ValueError`` for a handler or a count that cannot be, before anything is added."""
    if handler is None and times is None:
        return None
    if handler is not None:
        HandlerAnswer(handler, fakers)  # checks the function's signature now, in the caller's frame
    if times is not None:
        Uses(times, lambda: None)  # checks the count now

    def answer(route: Route, route_id: str) -> AnswerKind:
        # The model's protocol says respond() returns an Answer; a handler's returns an awaitable of one,
        # which the listener awaits (mockery.app.listener: ``_respond``).
        kind: AnswerKind = route.answer if handler is None else cast(AnswerKind, HandlerAnswer(handler, fakers, report))
        if times is not None:
            kind = CountedAnswer(kind, Uses(times, lambda: remove(route_id)))
        return kind

    return answer


def route_mapping(method: str | list[str] | tuple[str, ...], path: str, extra: Mapping[str, Any]) -> dict[str, Any]:
    """The route ``@mock.route(method, path, **extra)`` stands for, as written in a spec."""
    methods: str | list[str] = method if isinstance(method, str) else list(method)
    return {"method": methods, "path": path, **extra}
