"""The answer kind of an OpenAPI operation: the operation answers the whole request (``mockery.openapi``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from mockery.http.answer import Answer
from mockery.model.services import ResponseSpec
from mockery.openapi.operation import Operation
from mockery.runtime.context import Context


@dataclass(frozen=True, slots=True)
class OperationAnswer:
    """The answer kind of an OpenAPI operation: the operation answers the whole request."""

    kind: ClassVar[str] = "openapi"
    prepares: ClassVar[bool] = False
    static: ClassVar[Answer | None] = None
    shown: ClassVar[tuple[ResponseSpec, ...]] = ()
    operation: Operation

    async def prepare(self, resources: Any, query_string: str, path_params: dict[str, Any]) -> None:
        return None

    def respond(self, ctx: Context) -> Answer:
        return self.operation.respond(ctx.raw, ctx.path_params, ctx.state)
