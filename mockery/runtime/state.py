"""The mutable side of a running set of specs: its store, seeded generators and per-route call counters.

What clients change lives in the runtime's ``Store``. ``reset()`` empties it and rebuilds the rest, which
puts a server back exactly where it started, so that the same requests give the same bytes again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from mockery.model.services import Route, Service, SpecSet
from mockery.resources.registry import Resources
from mockery.runtime.changes import Frames, Hub, resource_topic
from mockery.runtime.chaos import Chaos
from mockery.store import MemoryStore, Store
from mockery.templates.counters import Counters
from mockery.templates.fakes import Clock, ServiceRandomness, derive_seed, new_generator, service_randomness


@dataclass(slots=True)
class ServiceState:
    service: Service
    randomness: ServiceRandomness
    calls: dict[int | str, int] = field(default_factory=dict)
    # The collections of every service: what a route handler (an OpenAPI operation) reads and writes.
    resources: Resources | None = None
    # Where ``per_call`` counts are kept when several workers share them (``Runtime.share_calls``).
    shared_calls: Store | None = None

    def reseed_for(
        self, route: Route, method: str, path: str, query_string: str, body: bytes = b"", content_type: str = ""
    ) -> None:
        """Seed the service's generators for one render of ``route``: the same request gets the same values,
        and two requests that differ in their body (a login for "ada" and one for "bob") get different ones."""
        key = route.key
        if route.random == "per_call":
            if self.shared_calls is not None:
                count = self.shared_calls.increment(f"mockery:calls:{self.service.name}:{key}") - 1
            else:
                count = self.calls.get(key, 0)
                self.calls[key] = count + 1
            seed = derive_seed(self.randomness.seed, key, "call", count)
        elif body:
            digest = hashlib.blake2b(body, digest_size=16, person=b"mockery-body")
            digest.update(content_type.encode("latin-1"))
            seed = derive_seed(self.randomness.seed, key, method, path, query_string, digest.hexdigest())
        else:  # no body: the seed of a bodyless request is what it always was
            seed = derive_seed(self.randomness.seed, key, method, path, query_string)
        self.randomness.reseed(seed)


class Runtime:
    """Generators and counters for every service of a SpecSet; one per running server (one event loop)."""

    def __init__(self, specs: SpecSet, seed: int = 0, clock: Clock | None = None, store: Store | None = None) -> None:
        self.specs = specs
        self.seed = seed
        self.clock = clock or Clock()
        self.store: Store = store if store is not None else MemoryStore()
        # One Faker generator per locale: building one costs ~20 ms, and renders never interleave on a loop.
        self._generators: dict[str, Any] = {}
        self.services: dict[str, ServiceState] = {}
        # Generated records depend on nothing a reset changes: collections (and their caches) live on.
        self.resources = Resources(specs, self.store, self.service_seed, self.clock)
        # The active profile and server-wide behaviours: settings, not state, so a reset keeps them.
        self.chaos = Chaos(lambda: self.specs.services)
        # Resource changes and broadcasts for event streams and WebSockets; the frames those exchanged.
        self.hub = Hub()
        self.frames = Frames()
        self.resources.on_change = self._changed
        # per_call counts: in the process, or in the store when workers share them (share_calls).
        self._calls_in_store = False
        # What the store holds is kept: a persistent store (sqlite://) carries changes over a restart.
        self._rebind()

    def service_seed(self, service: Service) -> int:
        return derive_seed(self.seed, service.name, service.seed if service.seed is not None else "")

    def reset(self) -> None:
        """Back to the state at start: stored changes forgotten, call counters cleared, generators rebound."""
        self.store.reset()
        self.frames.clear()
        self._rebind()

    def rebind(self, specs: SpecSet) -> None:
        """Serve ``specs`` from now on (a reload), keeping the store: collections are rebuilt over it."""
        self.specs = specs
        self.resources = Resources(specs, self.store, self.service_seed, self.clock)
        self.resources.on_change = self._changed
        self._rebind()

    def share_calls(self) -> None:
        """Count the calls of ``per_call`` routes in the store from now on: every worker sharing it draws the
        next values of one sequence (one store round trip per such call; back to 0 after a reset)."""
        self._calls_in_store = True
        self._rebind()

    def _changed(self, service: str, resource: str, action: str, record: Any) -> None:
        self.hub.publish(resource_topic(service, resource), action, record)

    def _rebind(self) -> None:
        self.services = {}
        for service in self.specs.services:
            generator = self._generators.get(service.locale)
            if generator is None:
                generator = self._generators[service.locale] = new_generator(service.locale)
            randomness = service_randomness(self.service_seed(service), generator, service.locale, self.clock)
            randomness.globals["resources"] = self.resources.view(service.name)
            randomness.globals["counter"] = Counters(self.store, service.name)
            shared = self.store if self._calls_in_store else None
            self.services[service.name] = ServiceState(
                service, randomness, resources=self.resources, shared_calls=shared
            )

    def __repr__(self) -> str:
        return f"Runtime(seed={self.seed}, services={list(self.services)})"
