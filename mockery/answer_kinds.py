"""The closed set of answer kinds: what a route can answer with (``Route.answer``).

The listener app calls ``route.answer.respond(ctx)`` and never asks which kind a route holds. A new kind is
one class with the members of ``mockery.spec.model.AnswerKind`` (``kind``, ``static``, ``shown``,
``prepares``/``prepare``, ``respond``), listed here, and the builder that puts it on a route.
"""

from __future__ import annotations

from mockery.answer_operation import OperationAnswer
from mockery.answer_resource import ResourceAnswer
from mockery.template_answers import ResponseSetAnswer, TemplateAnswer

KINDS: tuple[type, ...] = (TemplateAnswer, ResponseSetAnswer, ResourceAnswer, OperationAnswer)
