"""WebSocket conversations: the ``websocket:`` route kind.

On connect the route negotiates a subprotocol, sends its ``on_connect`` messages, then answers each incoming
message with the first ``rules`` entry whose ``match`` holds (the condition language of HTTP routes, the
message being the body), pushes ``every`` message on a timer, relays broadcasts (``POST
/__mockery/websockets/{service}/{route}/broadcast``, a rule's ``broadcast``, resource writes named in ``on``)
and closes with the code a rule or ``close`` gives. Every frame is journaled (``Runtime.frames``, bounded).

An HTTP request that is no upgrade gets a 426. The listener hands the ASGI websocket scope to ``converse``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson

from mockery.answers.events import Trigger, as_text, render_value, trigger_variables
from mockery.http.answer import Answer, problem
from mockery.http.conditions import Conditions, RequestView
from mockery.http.requests import RawRequest, template_request
from mockery.model.services import ResponseSpec
from mockery.runtime.changes import DEFAULT_BUFFER, Change, broadcast_topic
from mockery.runtime.context import Context
from mockery.templates.values import Value

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Close:
    """Close the connection with ``code`` (1000, or 3000-4999 of the application's own) and ``reason``,
    ``after`` seconds (for the route's own ``close``)."""

    code: int = 1000
    reason: str = ""
    after: float = 0.0


@dataclass(frozen=True, slots=True)
class Rule:
    """An incoming message that satisfies ``conditions`` is answered with ``reply``, ``broadcast`` to every
    connection of the route, then the connection is closed if ``close`` says so."""

    conditions: Conditions
    reply: tuple[Value, ...] = ()
    broadcast: tuple[Value, ...] = ()
    close: Close | None = None


@dataclass(frozen=True, slots=True)
class Push:
    """``send`` every ``interval`` seconds, ``count`` times (``None``: for as long as the connection lasts)."""

    interval: float
    send: tuple[Value, ...]
    count: int | None = None


async def _nothing(resources: Any, query_string: str, path_params: dict[str, Any]) -> None:
    return None


class _Closed(Exception):
    """The conversation is over: the client left or a close was sent."""


@dataclass(frozen=True, slots=True)
class WebSocketAnswer:
    """A scripted WebSocket conversation (see the module's docstring)."""

    kind: ClassVar[str] = "websocket"
    prepares: ClassVar[bool] = False
    static: ClassVar[Answer | None] = None
    shown: ClassVar[tuple[ResponseSpec, ...]] = ()
    subprotocols: tuple[str, ...] = ()
    on_connect: tuple[Value, ...] = ()
    rules: tuple[Rule, ...] = ()
    otherwise: tuple[Value, ...] = ()
    every: Push | None = None
    close: Close | None = None
    on: tuple[Trigger, ...] = ()
    buffer: int = DEFAULT_BUFFER

    def prepare(self, resources: Any, query_string: str, path_params: dict[str, Any]) -> Any:
        return _nothing(resources, query_string, path_params)

    def respond(self, ctx: Context) -> Answer:
        detail = f"route {ctx.route.name} is a WebSocket: connect with an Upgrade: websocket request"
        return problem(426, "Upgrade required", detail)

    def choose_subprotocol(self, offered: list[str]) -> str | bool | None:
        """The subprotocol to accept: the first the client offers that the route speaks; ``None`` when the
        route names none or the client offers none; ``False`` when the client offers only others (the handshake
        is refused)."""
        if not self.subprotocols or not offered:
            return None
        for name in offered:
            if name in self.subprotocols:
                return name
        return False

    async def converse(
        self, ctx: Context, receive: Receive, send: Send, subprotocol: str | None, delay: float, drop: bool
    ) -> None:
        """Hold one accepted connection until it closes; the handshake's ``websocket.connect`` was received."""
        runtime, route, service = ctx.runtime, ctx.route, ctx.service
        frames = runtime.frames
        connection = frames.connect(service.name, route.name, ctx.raw.path)
        request = template_request(ctx.raw, ctx.path_params, with_body=False)
        topics = (broadcast_topic(service.name, route.name), *{trigger.topic for trigger in self.on})
        subscription = runtime.hub.open(topics, self.buffer)
        closed: list[int] = []

        async def out(text: str) -> None:
            if closed:
                raise _Closed
            frames.record(connection, "out", text)
            await send({"type": "websocket.send", "text": text})

        async def close(code: int, reason: str = "") -> None:
            if not closed:
                closed.append(code)
                frames.disconnect(connection, code)
                await send({"type": "websocket.close", "code": code, "reason": reason})
            raise _Closed

        def render(value: Value, variables: dict[str, Any], *seed: object) -> str:
            return as_text(render_value(ctx, value, {"request": request, **variables}, *seed))

        async def pushes(push: Push) -> None:
            number = 0
            while push.count is None or number < push.count:
                await asyncio.sleep(push.interval)
                for index, value in enumerate(push.send):
                    await out(render(value, {"number": number + 1}, "push", ctx.raw.path, number, index))
                number += 1

        async def relay() -> None:
            while True:
                change = await subscription.get()
                if change is not None:
                    for text in self._relayed(ctx, request, change):
                        await out(text)

        async def closing(after: Close) -> None:
            await asyncio.sleep(after.after)
            await close(after.code, after.reason)

        tasks: list[asyncio.Task[None]] = []
        try:
            accept: dict[str, Any] = {"type": "websocket.accept"}
            if subprotocol is not None:
                accept["subprotocol"] = subprotocol
            await send(accept)
            if delay:
                await asyncio.sleep(delay)
            if drop:
                await close(1011, "injected fault")
            for index, value in enumerate(self.on_connect):
                await out(render(value, {"number": index + 1}, "connect", ctx.raw.path, ctx.raw.query_string, index))
            if self.every is not None:
                tasks.append(asyncio.create_task(pushes(self.every)))
            if self.close is not None:
                tasks.append(asyncio.create_task(closing(self.close)))
            tasks.append(asyncio.create_task(relay()))
            await self._read(ctx, receive, request, out, close, connection, tasks)
        except _Closed:
            pass
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(BaseException):
                    await task
            runtime.hub.close(subscription)
            if not closed:
                frames.disconnect(connection, None)

    async def _read(
        self,
        ctx: Context,
        receive: Receive,
        request: dict[str, Any],
        out: Callable[[str], Awaitable[None]],
        close: Callable[[int, str], Awaitable[None]],
        connection: int,
        tasks: list[asyncio.Task[None]],
    ) -> None:
        """Answer incoming messages until the client leaves, a rule closes, or a task fails or closes."""
        frames = ctx.runtime.frames
        number = 0
        while True:
            getting = asyncio.ensure_future(receive())
            done, _ = await asyncio.wait([getting, *tasks], return_when=asyncio.FIRST_COMPLETED)
            if getting not in done:
                getting.cancel()
                for task in done:
                    task.result()  # a _Closed (the route's own close) or a defect, raised here
                tasks[:] = [task for task in tasks if task not in done]
                continue
            message = getting.result()
            if message["type"] == "websocket.disconnect":
                frames.disconnect(connection, message.get("code"))
                raise _Closed
            if message["type"] != "websocket.receive":
                continue
            text = message.get("text")
            body = text.encode() if text is not None else (message.get("bytes") or b"")
            shown = text if text is not None else body.decode("utf-8", errors="replace")
            frames.record(connection, "in", shown)
            await self._answer(ctx, request, body, number, out, close)
            number += 1

    async def _answer(
        self,
        ctx: Context,
        request: dict[str, Any],
        body: bytes,
        number: int,
        out: Callable[[str], Awaitable[None]],
        close: Callable[[int, str], Awaitable[None]],
    ) -> None:
        raw = ctx.raw
        view = RequestView(RawRequest("GET", raw.path, raw.query_string, raw.headers, body))
        text = view.text
        parsed = view.json
        message = {"text": text, "json": None if not isinstance(parsed, dict | list | str | int | float) else parsed}
        variables = {"message": message, "number": number + 1}
        for index, rule in enumerate(self.rules):
            if not rule.conditions.holds(view):
                continue
            for part, value in enumerate(rule.reply):
                rendered = as_text(
                    render_value(ctx, value, {"request": request, **variables}, "reply", index, number, part, text)
                )
                await out(rendered)
            for part, value in enumerate(rule.broadcast):
                rendered = as_text(
                    render_value(ctx, value, {"request": request, **variables}, "broadcast", index, number, part, text)
                )
                ctx.runtime.hub.publish(broadcast_topic(ctx.service.name, ctx.route.name), "broadcast", rendered)
            if rule.close is not None:
                await close(rule.close.code, rule.close.reason)
            return
        for part, value in enumerate(self.otherwise):
            await out(
                as_text(render_value(ctx, value, {"request": request, **variables}, "otherwise", number, part, text))
            )

    def _relayed(self, ctx: Context, request: dict[str, Any], change: Change) -> list[str]:
        if change.action == "broadcast":
            return [change.data if isinstance(change.data, str) else orjson.dumps(change.data).decode()]
        sent = []
        for trigger in self.on:
            if trigger.topic != change.topic or change.action not in trigger.actions:
                continue
            if trigger.data is None:
                sent.append(as_text({"event": f"{trigger.resource}.{change.action}", "data": change.data}))
                continue
            variables = {"request": request, **trigger_variables(trigger, change.action, change.data)}
            record_id = change.data.get("id") if isinstance(change.data, dict) else None
            rendered = render_value(ctx, trigger.data, variables, "change", trigger.resource, change.action, record_id)
            sent.append(as_text(rendered))
        return sent
