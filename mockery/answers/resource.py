"""The answer kind of a resource's endpoint: read from (or written to) its collection (``mockery.resources``)."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from mockery.http.answer import Answer
from mockery.model.resources import Endpoint
from mockery.model.services import ResponseSpec
from mockery.resources.rest import prepare, respond
from mockery.runtime.context import Context

_READS = frozenset({"list", "nested", "get"})


@dataclass(frozen=True, slots=True)
class ResourceAnswer:
    """The answer kind of a resource's endpoint: read from (or written to) its collection."""

    kind: ClassVar[str] = "resource"
    static: ClassVar[Answer | None] = None
    shown: ClassVar[tuple[ResponseSpec, ...]] = ()
    endpoint: Endpoint
    # Only reads scan (a filter, a sort, an ``_embed``): a write answers from the record it wrote, whatever its query.
    prepares: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "prepares", self.endpoint.action in _READS)

    def prepare(self, resources: Any, query_string: str, path_params: dict[str, Any]) -> Awaitable[None]:
        return prepare(resources, self.endpoint, query_string, path_params)

    def respond(self, ctx: Context) -> Answer:
        return respond(ctx.runtime.resources, self.endpoint, ctx.raw, ctx.path_params)
