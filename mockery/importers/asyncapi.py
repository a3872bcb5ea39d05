"""``mockery import asyncapi``: a starter spec from an AsyncAPI 2.x or 3.x document.

Each channel becomes a route at its address: a ``websocket:`` route (an ``events:`` stream when the
document's servers speak HTTP or SSE). The messages the application sends (v3 ``action: send``, v2
``subscribe``) are sent on connect and pushed every second; a message it receives with a ``reply`` (v3) is
answered by a rule matching the message's payload schema. Each message is the document's first example, else
generated from its payload schema by the OpenAPI generator (seeded: the same document gives the same spec).
The document's text is written to be sent as it is, never run as a template (``mockery.load.literal``).
"""

from __future__ import annotations

import random
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from pathlib import Path
from typing import Any

import yaml

from mockery.errors import SpecError, SpecErrors, display_path
from mockery.load.literal import literal_body, spec_text_data
from mockery.openapi.document import OpenAPIDocument
from mockery.openapi.generate import SchemaGenerator
from mockery.templates.fakes import derive_seed, new_generator

MAX_REF_DEPTH = 32
_HTTP_PROTOCOLS = frozenset({"http", "https", "sse"})


def write_spec(document: Path, output: Path) -> Path:
    """Write ``output/<service>.yaml`` from the AsyncAPI ``document`` and return its path; a file that is no
    AsyncAPI document is ``SpecErrors`` located in it."""
    shown = display_path(document)
    data = _load(document, shown)
    name = service_name(data, document)
    output.mkdir(parents=True, exist_ok=True)
    target = output / f"{name}.yaml"
    target.write_text(spec_text(data, name, shown), encoding="utf-8")
    return target


def _load(path: Path, shown: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise SpecErrors([SpecError(shown, line, column, "", f"not valid YAML: {exc.problem}", None)]) from None
    if not isinstance(data, dict) or not isinstance(data.get("asyncapi"), str):
        message = "not an AsyncAPI document: it has no top-level `asyncapi` version"
        raise SpecErrors([SpecError(shown, 1, 1, "", message, "give an AsyncAPI 2.x or 3.x document")])
    if not data["asyncapi"].startswith(("2.", "3.")):
        message = f"AsyncAPI {data['asyncapi']} is not read; versions 2.x and 3.x are"
        raise SpecErrors([SpecError(shown, 1, 1, "asyncapi", message, None)])
    if not isinstance(data.get("channels"), dict) or not data["channels"]:
        raise SpecErrors([SpecError(shown, 1, 1, "channels", "the document has no channels", None)])
    return data


def service_name(data: dict[str, Any], path: Path) -> str:
    """A valid service name from the document's title, else its file's name."""
    info = data.get("info")
    title = info.get("title") if isinstance(info, dict) else None
    text = title if isinstance(title, str) and title.strip() else path.stem
    stem = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    name = stem if stem[:1].isalpha() else f"api-{stem}".rstrip("-")
    return name[:63].rstrip("-") or "asyncapi"


class _Resolver:
    """``$ref`` inside the document, followed (to a bounded depth) into the data it points at."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def deref(self, node: Any, depth: int = 0) -> Any:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < MAX_REF_DEPTH:
            node = self.pointer(node["$ref"])
            depth += 1
        return node

    def pointer(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            return {}
        node: Any = self.data
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict):
                node = node.get(part, {})
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return {}
        return node

    def inline(self, node: Any, depth: int = 0) -> Any:
        """``node`` with every ``$ref`` replaced by what it points at (a cycle cut at ``MAX_REF_DEPTH``)."""
        if depth > MAX_REF_DEPTH:
            return {}
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                return self.inline(self.pointer(node["$ref"]), depth + 1)
            return {key: self.inline(value, depth + 1) for key, value in node.items()}
        if isinstance(node, list):
            return [self.inline(item, depth + 1) for item in node]
        return node


def _channels(data: dict[str, Any], resolver: _Resolver) -> list[tuple[str, str, list[Any], list[tuple[Any, Any]]]]:
    """Every channel: (its id, its address, the messages the application sends, and the messages it receives
    with the reply each gets, if any)."""
    found: dict[str, tuple[str, list[Any], list[tuple[Any, Any]]]] = {}
    channels = data["channels"]
    if data["asyncapi"].startswith("3."):
        for channel_id, raw in channels.items():
            channel = resolver.deref(raw)
            address = channel.get("address") if isinstance(channel, dict) else None
            found[channel_id] = (address if isinstance(address, str) else f"/{channel_id}", [], [])
        operations = data.get("operations")
        for raw_operation in operations.values() if isinstance(operations, dict) else ():
            operation = resolver.deref(raw_operation)
            if not isinstance(operation, dict):
                continue
            ref = operation.get("channel", {}).get("$ref", "") if isinstance(operation.get("channel"), dict) else ""
            channel_id = ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
            if channel_id not in found:
                continue
            messages = operation.get("messages")
            if not messages:
                messages = list((resolver.deref(channels[channel_id]).get("messages") or {}).values())
            messages = [resolver.deref(message) for message in messages or []]
            if operation.get("action") == "send":
                found[channel_id][1].extend(messages)
            else:
                reply = resolver.deref(operation.get("reply")) if operation.get("reply") else None
                answers = [resolver.deref(m) for m in (reply.get("messages") or [])] if isinstance(reply, dict) else []
                found[channel_id][2].extend((message, answers[0] if answers else None) for message in messages)
    else:
        for address, raw in channels.items():
            channel = resolver.deref(raw) if isinstance(raw, dict) else {}
            sent = _v2_messages(resolver, channel.get("subscribe"))
            received = _v2_messages(resolver, channel.get("publish"))
            found[address] = (
                address if address.startswith("/") else f"/{address}",
                sent,
                [(m, None) for m in received],
            )
    return [(channel_id, address, sent, received) for channel_id, (address, sent, received) in found.items()]


def _v2_messages(resolver: _Resolver, operation: Any) -> list[Any]:
    if not isinstance(operation, dict):
        return []
    message = resolver.deref(operation.get("message"))
    if isinstance(message, dict) and isinstance(message.get("oneOf"), list):
        return [resolver.deref(item) for item in message["oneOf"]]
    return [message] if isinstance(message, dict) else []


def spec_text(data: dict[str, Any], name: str, source: str) -> str:
    """The spec's text: a header naming the document, then the service."""
    resolver = _Resolver(data)
    document = OpenAPIDocument(source=None, data={"openapi": "3.1.0", **data}, version="3.1.0")  # type: ignore[arg-type]
    faker = new_generator("en_US")
    http = _speaks_http(data, resolver)
    routes = []
    for channel_id, address, sent, received in _channels(data, resolver):
        source_random = random.Random(derive_seed("asyncapi", name, channel_id))
        faker.seed_instance(derive_seed("asyncapi-faker", name, channel_id))
        generator = SchemaGenerator(document, source_random, faker)

        named = [(_message_name(item), value) for item in sent for value in _values(resolver, generator, item)]
        pushes = [value for _, value in named]
        route: dict[str, Any] = {"path": _path(address), "name": channel_id}
        if http:
            events = [_event(event, value) for event, value in named] or [{"data": {}}]
            route["events"] = {"send": events, "repeat": "forever", "heartbeat": "15s"}
        else:
            conversation: dict[str, Any] = {}
            if pushes:
                conversation["on_connect"] = pushes[0]
                later = pushes[1:] or pushes[:1]
                conversation["every"] = {"interval": "1s", "send": later if len(later) > 1 else later[0]}
            rules = []
            for incoming, reply in received:
                schema = resolver.inline(incoming.get("payload")) if isinstance(incoming, dict) else None
                if reply is None or not isinstance(schema, dict):
                    continue
                rules.append({"match": {"body": {"schema": schema}}, "reply": _values(resolver, generator, reply)[0]})
            if rules:
                conversation["rules"] = rules
            route["websocket"] = conversation
        routes.append(route)
    info = data.get("info")
    spec: dict[str, Any] = {"service": name}
    title = info.get("title") if isinstance(info, dict) else None
    if isinstance(title, str):
        spec["description"] = title
    spec["routes"] = routes
    head = f"# Imported from {source} (AsyncAPI {data['asyncapi']}) by `mockery import asyncapi`: edit freely.\n"
    body = yaml.safe_dump(spec_text_data(spec), sort_keys=False, allow_unicode=True, width=100)
    return head + body


def _speaks_http(data: dict[str, Any], resolver: _Resolver) -> bool:
    servers = data.get("servers")
    found = [resolver.deref(server) for server in servers.values()] if isinstance(servers, dict) else []
    protocols = {str(server.get("protocol", "")).lower() for server in found if isinstance(server, dict)}
    return bool(protocols) and protocols <= _HTTP_PROTOCOLS


def _path(address: str) -> str:
    """A route path from a channel address: its query dropped, leading slash added, ``{param}`` kept."""
    path = address.split("?", 1)[0].strip() or "/"
    path = path if path.startswith("/") else f"/{path}"
    return re.sub(
        r"\{([^}/]*)\}", lambda found: "{" + (re.sub(r"[^A-Za-z0-9_]", "_", found.group(1)) or "p") + "}", path
    )


def _message_name(message: Any) -> str | None:
    if isinstance(message, dict):
        for key in ("name", "title"):
            if isinstance(message.get(key), str) and message[key].strip():
                return str(message[key]).replace("\n", " ")
    return None


def _event(event: str | None, data: Any) -> dict[str, Any]:
    written: dict[str, Any] = {"event": event} if event else {}
    return {**written, "data": data, "delay": "1s"}


def _values(resolver: _Resolver, generator: SchemaGenerator, message: Any) -> list[Any]:
    """What a message sends, as spec values: its text never run as a template."""
    return [literal_body(value) for value in _message_values(resolver, generator, message)]


def _message_values(resolver: _Resolver, generator: SchemaGenerator, message: Any) -> list[Any]:
    """The message's example payloads, else one value generated from its payload schema."""
    if not isinstance(message, dict):
        return [{}]
    examples = message.get("examples")
    found = []
    if isinstance(examples, list):
        for example in examples:
            example = resolver.deref(example)
            if isinstance(example, dict) and "payload" in example:
                found.append(example["payload"])
    if found:
        return found
    payload = message.get("payload")
    if isinstance(payload, dict) and isinstance(payload.get("schema"), dict):  # a v3 multi-format schema
        payload = payload["schema"]
    if payload is None:
        return [{}]
    return [generator.generate(payload)]
