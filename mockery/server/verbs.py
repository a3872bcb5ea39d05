"""What the admin API may ask of the server it belongs to: the server's verbs, as a protocol.

The admin API is built by the server and calls back into it. Typing that call-back as this protocol, rather
than as ``Server``, keeps the import graph one-way (the server imports the admin API, never the reverse) and
states in one place everything the admin API can do to a running server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from mockery.callbacks.journal import Delivery
from mockery.http.journal import Call, Journal
from mockery.model.resources import Resource
from mockery.model.services import Route, Service
from mockery.runtime.state import Runtime


@dataclass(frozen=True, slots=True)
class RuntimeRoute:
    """A route added while the server runs (``POST /__mockery/routes``, ``MockServer.stub``)."""

    id: str
    service: str
    route: Route


class ServerVerbs(Protocol):
    """The verbs of ``mockery.server.server.Server`` that the admin API and its docs endpoints use."""

    @property
    def body_timeout(self) -> float: ...

    @property
    def profile(self) -> str | None: ...

    @property
    def runtime(self) -> Runtime:
        """The running spec set's state: the WebSocket endpoints read its frames and publish broadcasts."""
        ...

    @property
    def journal(self) -> Journal: ...

    @property
    def profiles(self) -> list[str]: ...

    def service_names(self) -> list[str]: ...

    def served(self) -> list[tuple[str, bool, Service]]: ...

    def health(self) -> dict[str, Any]: ...

    def reload_report(self) -> dict[str, Any]: ...

    def ready(self) -> dict[str, Any]: ...

    def store_label(self) -> str: ...

    def metrics_text(self) -> str: ...

    def calls(self, **filters: Any) -> list[Call]: ...

    def clear_calls(self) -> None: ...

    def callback_report(self) -> dict[str, Any]: ...

    def trigger_webhook(self, name: str, url: str | None = None, service: str | None = None) -> list[Delivery]: ...

    def describe(self) -> dict[str, Any]: ...

    def record_schema(self, resource: Resource) -> dict[str, Any]: ...

    def runtime_route_ids(self) -> list[str]: ...

    def scenario_state(self, name: str) -> str: ...

    def set_scenario(self, name: str, state: str) -> None: ...

    def use_profile(self, name: str | None) -> None: ...

    def add_route(
        self, service: str, raw: Mapping[str, Any] | str, *, environ: Mapping[str, str] | None = None
    ) -> RuntimeRoute: ...

    def remove_route(self, route_id: str) -> bool: ...

    def reset(self) -> None: ...
