"""What an answer kind is given to answer one matched request (``AnswerKind.respond(ctx)``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockery.http.conditions import RequestView
from mockery.http.requests import RawRequest
from mockery.model.services import Route, Service
from mockery.runtime.state import Runtime, ServiceState


@dataclass(slots=True)
class Context:
    """One matched request: the route and service, the request, and the runtime it is answered from.
    ``note`` is what the kind has to say in the access log (a template error, a bad body)."""

    route: Route
    service: Service
    raw: RawRequest
    view: RequestView
    path_params: dict[str, Any]
    runtime: Runtime
    reads_body: bool
    note: str = ""

    @property
    def state(self) -> ServiceState:
        """The service's runtime state: its seeded generators and call counters."""
        return self.runtime.services[self.service.name]
