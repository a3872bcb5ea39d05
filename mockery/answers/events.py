"""Server-Sent Events: the ``events:`` answer kind, a ``text/event-stream`` of scripted and live events.

The scripted events are sent in order (each after its ``delay``), ``repeat`` times or forever; a client that
reconnects with ``Last-Event-ID`` resumes after that event. ``on`` adds live events: one for every write to
a resource (``mockery.runtime.changes``), for as long as the client stays. While the stream waits, a
``heartbeat`` comment keeps proxies from closing it.

Deterministic: each event is rendered with a seed of its own (the route, the request, its number), right
before it is sent, so the same connection gets the same events however streams interleave on the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson

from mockery.http.answer import Answer
from mockery.http.requests import template_request
from mockery.model.services import ResponseSpec
from mockery.runtime.changes import DEFAULT_BUFFER, Hub, Subscription, resource_topic
from mockery.runtime.context import Context
from mockery.templates.environment import TemplateVariables
from mockery.templates.fakes import derive_seed, json_default
from mockery.templates.values import Value

STREAM_HEADERS = ((b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache"))
# Names templates of streams see besides the usual ones.
EVENT_NAMES = frozenset({"number", "round", "index", "record", "action"})


@dataclass(frozen=True, slots=True)
class Event:
    """One scripted event: ``data`` rendered per event; ``id`` ``None`` means its number in the stream."""

    data: Value
    event: str | None = None
    id: Value | None = None
    retry: int | None = None
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class Trigger:
    """Events (or WebSocket messages) sent when a client writes to a resource: ``on: {resource, action}``."""

    service: str
    resource: str
    actions: frozenset[str]
    data: Value | None = None  # None: the record as JSON
    event: str | None = None  # None: "{resource}.{action}"

    @property
    def topic(self) -> str:
        return resource_topic(self.service, self.resource)


def render_value(ctx: Context, value: Value, variables: dict[str, Any], *seed: object) -> Any:
    """``value`` rendered with its own seed (the route's, and ``seed``): nothing else renders in between, so
    concurrent streams cannot change each other's draws."""
    state = ctx.state
    state.randomness.reseed(derive_seed(ctx.runtime.service_seed(ctx.service), ctx.route.key, *seed))
    return value.render(TemplateVariables({**state.randomness.globals, **variables}))


def as_text(rendered: Any) -> str:
    """What a rendered value sends: a string as it is, anything else as JSON."""
    if isinstance(rendered, str):
        return rendered
    return orjson.dumps(rendered, default=json_default).decode()


def encode_event(data: str, event: str | None = None, event_id: str | None = None, retry: int | None = None) -> bytes:
    """One event in the text/event-stream format: a ``data:`` line per line of ``data``."""
    lines = []
    if event is not None:
        lines.append(f"event: {_one_line(event)}")
    if event_id is not None:
        lines.append(f"id: {_one_line(event_id)}")
    if retry is not None:
        lines.append(f"retry: {retry}")
    lines.extend(f"data: {line}" for line in data.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return ("\n".join(lines) + "\n\n").encode()


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def trigger_variables(trigger: Trigger, action: str, record: Any) -> dict[str, Any]:
    return {"record": record, "action": action, "resource": trigger.resource}


async def _nothing(resources: Any, query_string: str, path_params: dict[str, Any]) -> None:
    return None


@dataclass(frozen=True, slots=True)
class EventsAnswer:
    """A ``text/event-stream``: ``events`` sent ``repeat`` times (``None``: forever), then, while ``on`` has
    triggers, an event per resource write; ``heartbeat`` seconds of quiet send a comment."""

    kind: ClassVar[str] = "events"
    prepares: ClassVar[bool] = False
    static: ClassVar[Answer | None] = None
    shown: ClassVar[tuple[ResponseSpec, ...]] = ()
    events: tuple[Event, ...]
    repeat: int | None = 1
    heartbeat: float | None = None
    retry: int | None = None
    on: tuple[Trigger, ...] = ()
    buffer: int = DEFAULT_BUFFER

    def prepare(self, resources: Any, query_string: str, path_params: dict[str, Any]) -> Any:
        return _nothing(resources, query_string, path_params)

    def respond(self, ctx: Context) -> Answer:
        if ctx.view.raw.method == "HEAD":
            return Answer(200, STREAM_HEADERS)
        last = ctx.raw.headers.get("last-event-id")
        if last is None:
            last = ctx.view.query.get("lastEventId") if isinstance(ctx.view.query.get("lastEventId"), str) else None
        request = template_request(ctx.raw, ctx.path_params, with_body=False)
        hub: Hub = ctx.runtime.hub
        # Opened now, before the headers leave: a write the client makes once it sees them is never missed.
        subscription = hub.open(tuple({t.topic for t in self.on}), self.buffer) if self.on else None
        return Answer.streamed(200, STREAM_HEADERS, self._stream(ctx, request, last, subscription))

    def _skip_to(self, ctx: Context, request: dict[str, Any], last: str | None) -> int:
        """The number of the first event to send: the one after ``last``; 0 when it is no event's id."""
        if last is None or not self.events:
            return 0
        bound = len(self.events) * (self.repeat or 1000)
        for number in range(bound):
            if self._event_id(ctx, request, number) == last:
                return number + 1
        return 0

    def _event_id(self, ctx: Context, request: dict[str, Any], number: int) -> str:
        event = self.events[number % len(self.events)]
        if event.id is None:
            return str(number + 1)
        variables = self._variables(request, number)
        return as_text(render_value(ctx, event.id, variables, "id", ctx.raw.path, ctx.raw.query_string, number))

    def _variables(self, request: dict[str, Any], number: int) -> dict[str, Any]:
        size = len(self.events)
        return {"request": request, "number": number + 1, "index": number % size, "round": number // size}

    async def _stream(
        self, ctx: Context, request: dict[str, Any], last: str | None, subscription: Subscription | None
    ) -> AsyncIterator[bytes]:
        hub: Hub = ctx.runtime.hub
        try:
            if self.retry is not None:
                yield f"retry: {self.retry}\n\n".encode()
            number = self._skip_to(ctx, request, last)
            total = None if self.repeat is None else len(self.events) * self.repeat
            while self.events and (total is None or number < total):
                event = self.events[number % len(self.events)]
                async for beat in self._pause(event.delay):
                    yield beat
                variables = self._variables(request, number)
                data = render_value(ctx, event.data, variables, "data", ctx.raw.path, ctx.raw.query_string, number)
                yield encode_event(as_text(data), event.event, self._event_id(ctx, request, number), event.retry)
                number += 1
                await asyncio.sleep(0)  # an event stream without delays still lets the loop serve others
            while subscription is not None:
                change = await subscription.get(self.heartbeat)
                if change is None:
                    yield b": heartbeat\n\n"
                    continue
                for trigger in self.on:
                    if trigger.topic == change.topic and change.action in trigger.actions:
                        yield self._change_event(ctx, request, trigger, change.action, change.data)
        finally:
            if subscription is not None:
                hub.close(subscription)

    def _change_event(self, ctx: Context, request: dict[str, Any], trigger: Trigger, action: str, record: Any) -> bytes:
        name = trigger.event or f"{trigger.resource}.{action}"
        if trigger.data is None:
            return encode_event(as_text(record), name)
        variables = {"request": request, **trigger_variables(trigger, action, record)}
        record_id = record.get("id") if isinstance(record, dict) else None
        data = render_value(ctx, trigger.data, variables, "change", trigger.resource, action, record_id)
        return encode_event(as_text(data), name)

    async def _pause(self, seconds: float) -> AsyncIterator[bytes]:
        """Wait ``seconds``, with a heartbeat comment every ``heartbeat`` seconds of it."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while (left := end - loop.time()) > 0:
            if self.heartbeat is not None and self.heartbeat < left:
                await asyncio.sleep(self.heartbeat)
                yield b": heartbeat\n\n"
            else:
                await asyncio.sleep(left)
