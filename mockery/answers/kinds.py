"""The closed set of answer kinds: what a route can answer with (``Route.answer``).

The listener app calls ``route.answer.respond(ctx)`` and never asks which kind a route holds. A new kind is
one class with the members of ``mockery.model.services.AnswerKind`` (``kind``, ``static``, ``shown``,
``prepares``/``prepare``, ``respond``), listed here, and the builder that puts it on a route.
"""

from __future__ import annotations

from mockery.answers.events import EventsAnswer
from mockery.answers.graphql import GraphiQLAnswer, GraphQLAnswer
from mockery.answers.handler import CountedAnswer, HandlerAnswer
from mockery.answers.openapi import OperationAnswer
from mockery.answers.resource import ResourceAnswer
from mockery.answers.template import ResponseSetAnswer, TemplateAnswer
from mockery.answers.websocket import WebSocketAnswer

KINDS: tuple[type, ...] = (TemplateAnswer, ResponseSetAnswer, ResourceAnswer, OperationAnswer)
# Given by stubs added from Python (MockServer.stub), never written in a spec file.
KINDS += (HandlerAnswer, CountedAnswer)
KINDS += (GraphQLAnswer, GraphiQLAnswer)
KINDS += (EventsAnswer, WebSocketAnswer)
