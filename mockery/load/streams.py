"""Build the streaming answer kinds of a route: ``events:`` (Server-Sent Events) and ``websocket:``.

The schema has checked their shape; what it cannot say is checked here and located like every spec error:
templates (names, Faker providers), the resources ``on`` names, close codes.
"""

from __future__ import annotations

from typing import Any, Protocol

from jinja2 import TemplateSyntaxError

from mockery.answers.events import EVENT_NAMES, Event, EventsAnswer, Trigger
from mockery.answers.websocket import Close, Push, Rule, WebSocketAnswer
from mockery.http.behaviours import parse_duration
from mockery.http.conditions import compile_conditions
from mockery.model.services import AnswerKind
from mockery.source.document import DocPath, Document, Position
from mockery.suggest import did_you_mean
from mockery.templates.environment import CompiledTemplate, template_problems
from mockery.templates.values import Value, compile_value

STREAM_NAMES = EVENT_NAMES | {"message", "resource"}
ACTIONS = ("create", "update", "delete")


class _Builder(Protocol):
    document: Document
    faker_names: frozenset[str]
    route_path: str | None

    def error(self, path: DocPath, message: str, suggestion: str | None = None, *, key: bool = False) -> None: ...

    def error_at(self, position: Position, path: DocPath, message: str, suggestion: str | None = None) -> None: ...


def _value(builder: _Builder, data: Any, path: DocPath) -> Value:
    def check(template_path: DocPath, template: CompiledTemplate) -> None:
        problems = template_problems(
            template, builder.faker_names, extra_names=STREAM_NAMES, route_path=builder.route_path
        )
        for problem in problems:
            where = builder.document.template_line(template_path, problem.line)
            builder.error_at(where, template_path, problem.message, problem.suggestion)

    def syntax(template_path: DocPath, exc: TemplateSyntaxError) -> None:
        where = builder.document.template_line(template_path, exc.lineno or 1)
        builder.error_at(where, template_path, f"template syntax error: {exc.message}")

    return compile_value(data, path, check, syntax)


def _messages(builder: _Builder, raw: Any, path: DocPath) -> tuple[Value, ...]:
    """One message or a list of them: a string is a text frame, anything else JSON."""
    if raw is None:
        return ()
    if isinstance(raw, list):
        return tuple(_value(builder, item, (*path, index)) for index, item in enumerate(raw))
    return (_value(builder, raw, path),)


def _seconds(raw: Any, default: float = 0.0) -> float:
    found = parse_duration(raw) if raw is not None else None
    return found if found is not None else default


def _triggers(
    builder: _Builder, raw: Any, path: DocPath, service: str, resources: tuple[str, ...], data_key: str
) -> tuple[Trigger, ...]:
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    where = path if isinstance(raw, dict) else None
    names = list(resources)
    triggers = []
    for index, item in enumerate(items):
        item_path = where or (*path, index)
        if not isinstance(item, dict) or not isinstance(item.get("resource"), str):
            continue
        name = item["resource"]
        if name not in names:
            builder.error(
                (*item_path, "resource"),
                f"no resource {name!r} in this spec" + (f"; its resources: {', '.join(names)}" if names else ""),
                did_you_mean(name, names) or ("declare it under `resources`" if not names else None),
            )
            continue
        action = item.get("action", list(ACTIONS))
        actions = frozenset(action if isinstance(action, list) else [action])
        data = _value(builder, item[data_key], (*item_path, data_key)) if data_key in item else None
        event = item.get("event") if isinstance(item.get("event"), str) else None
        triggers.append(Trigger(service, name, actions, data, event))
    return tuple(triggers)


def events_answer(
    builder: _Builder, raw: Any, path: DocPath, service: str, resources: tuple[str, ...]
) -> EventsAnswer | None:
    """The ``events:`` of a route: a list of events, or a mapping with ``send``, ``repeat``, ``on``..."""
    spec = {"send": raw} if isinstance(raw, list) else raw
    if not isinstance(spec, dict):
        return None
    send_path = path if isinstance(raw, list) else (*path, "send")
    events = []
    for index, item in enumerate(spec.get("send") or []):
        item_path = (*send_path, index)
        if not isinstance(item, dict):
            continue
        event_id = _value(builder, str(item["id"]), (*item_path, "id")) if "id" in item else None
        data = _value(builder, item.get("data", ""), (*item_path, "data"))
        name = item.get("event") if isinstance(item.get("event"), str) else None
        retry = item.get("retry") if isinstance(item.get("retry"), int) else None
        events.append(Event(data, name, event_id, retry, _seconds(item.get("delay"))))
    repeat_raw = spec.get("repeat", 1)
    repeat = None if repeat_raw == "forever" else repeat_raw if isinstance(repeat_raw, int) else 1
    heartbeat = parse_duration(spec["heartbeat"]) if "heartbeat" in spec else None
    if heartbeat == 0:
        builder.error((*path, "heartbeat"), "a heartbeat interval must be above 0", "write a duration such as 15s")
    if repeat is None and not events:
        builder.error((*path, "repeat"), "`repeat: forever` needs events to send", "add events under `send`")
    on = _triggers(builder, spec.get("on"), (*path, "on"), service, resources, "data")
    retry = spec.get("retry") if isinstance(spec.get("retry"), int) else None
    buffer = spec["buffer"] if isinstance(spec.get("buffer"), int) else 256
    return EventsAnswer(tuple(events), repeat, heartbeat or None, retry, on, buffer)


def _close(raw: Any) -> Close | None:
    if raw is None or raw is False:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Close(raw)
    if isinstance(raw, dict):
        code = raw.get("code", 1000)
        reason = raw.get("reason", "")
        return Close(
            code if isinstance(code, int) else 1000,
            reason if isinstance(reason, str) else "",
            _seconds(raw.get("after")),
        )
    return Close()


def websocket_answer(
    builder: _Builder, raw: Any, path: DocPath, service: str, resources: tuple[str, ...]
) -> WebSocketAnswer | None:
    """The ``websocket:`` of a route."""
    if not isinstance(raw, dict):
        return None
    problems: list[tuple[DocPath, str]] = []
    rules = []
    for index, item in enumerate(raw.get("rules") or []):
        item_path = (*path, "rules", index)
        if not isinstance(item, dict):
            continue
        conditions = compile_conditions(item.get("match"), (*item_path, "match"), problems)
        rules.append(
            Rule(
                conditions,
                _messages(builder, item.get("reply"), (*item_path, "reply")),
                _messages(builder, item.get("broadcast"), (*item_path, "broadcast")),
                _close(item.get("close")),
            )
        )
    for where, message in problems:
        builder.error(where, message)
    every = None
    raw_every = raw.get("every")
    if isinstance(raw_every, dict):
        interval = _seconds(raw_every.get("interval"))
        if interval <= 0:
            builder.error(
                (*path, "every", "interval"), "a push interval must be above 0", "write a duration such as 1s"
            )
        count = raw_every.get("count") if isinstance(raw_every.get("count"), int) else None
        every = Push(interval or 1.0, _messages(builder, raw_every.get("send"), (*path, "every", "send")), count)
    subprotocols = raw.get("subprotocols") or []
    on = _triggers(builder, raw.get("on"), (*path, "on"), service, resources, "send")
    buffer = raw["buffer"] if isinstance(raw.get("buffer"), int) else 256
    return WebSocketAnswer(
        tuple(name for name in subprotocols if isinstance(name, str)),
        _messages(builder, raw.get("on_connect"), (*path, "on_connect")),
        tuple(rules),
        _messages(builder, raw.get("otherwise"), (*path, "otherwise")),
        every,
        _close(raw.get("close")),
        on,
        buffer,
    )


def stream_answer(builder: _Builder, raw: dict[str, Any], path: DocPath, service: Any) -> AnswerKind | None:
    """The route's ``events`` or ``websocket`` answer, if it has one (alone: not with ``response(s)``)."""
    present = [key for key in ("events", "websocket") if key in raw]
    if not present:
        return None
    for other in ("response", "responses", *present[1:]):
        if other in raw:
            builder.error((*path, other), f"a route with `{present[0]}` has no `{other}`", key=True)
    data = builder.document.data
    declared = data.get("resources") if isinstance(data, dict) else None
    resources = tuple(declared) if isinstance(declared, dict) else ()
    name = service if isinstance(service, str) else ""
    method = raw.get("method", "GET")
    if present[0] == "websocket" and method not in ("GET", ["GET"]):
        builder.error(
            (*path, "method"), f"a WebSocket route answers GET (its handshake), not {method!r}", "remove `method`"
        )
    if present[0] == "events":
        return events_answer(builder, raw["events"], (*path, "events"), name, resources)
    return websocket_answer(builder, raw["websocket"], (*path, "websocket"), name, resources)
