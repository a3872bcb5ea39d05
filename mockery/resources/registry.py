"""Every collection of a running set of specs, by ``service.resource``: what the runtime holds.

Records are generated with Faker generators of their own (one per locale), never the ones routes render
with, so that a template reading a record does not disturb the random draws of its own render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockery.model.resources import RefField, Resource, field_paths
from mockery.model.services import Service, SpecSet
from mockery.resources.accessor import CollectionView, ResourcesView
from mockery.resources.collection import Collection
from mockery.resources.generate import IdCodec, RecordFactory
from mockery.resources.validate import RecordValidator
from mockery.store import Store
from mockery.templates.fakes import Clock, new_generator


class Resources:
    """The collections of every service, over one store."""

    def __init__(self, specs: SpecSet, store: Store, seed_of: Callable[[Service], int], clock: Clock) -> None:
        self.store = store
        self.collections: dict[str, Collection] = {}
        self.validators: dict[str, RecordValidator] = {}
        self._views: dict[str, CollectionView] = {}
        # Told of every REST write (service, resource, action, record): the runtime's pub/sub.
        self.on_change: Callable[[str, str, str, Any], None] | None = None
        generators: dict[str, Any] = {}
        for service in specs.services:
            if not service.resources:
                continue
            generator = generators.get(service.locale)
            if generator is None:
                generator = generators[service.locale] = new_generator(service.locale)
            seed = seed_of(service)
            for resource in service.resources:
                factory = RecordFactory(resource, seed, generator, service.locale, clock, self._ref)
                self.collections[resource.key] = Collection(resource, factory, store, refs=self._ref)
                self.validators[resource.key] = RecordValidator(resource, factory, self._ref)
                self._views[resource.key] = CollectionView(self.collections[resource.key], field_paths(resource))

    def __repr__(self) -> str:
        return f"Resources({sorted(self.collections)})"

    def _ref(self, ref: RefField) -> tuple[int, IdCodec] | None:
        target = self.collections.get(ref.target)
        return (target.resource.count, target.codec) if target is not None else None

    def changed(self, resource: Resource, action: str, record: Any) -> None:
        """Tell the runtime that a client created, updated or deleted ``record`` of ``resource``."""
        if self.on_change is not None:
            self.on_change(resource.service, resource.name, action, record)

    def collection(self, resource: Resource) -> Collection:
        return self.collections[resource.key]

    def view(self, service: str) -> ResourcesView:
        """The ``resources`` template global of ``service``."""
        return ResourcesView(service, self._views.get)
