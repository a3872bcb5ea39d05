"""Documented responses on the wire: which documented media type answers a request's ``Accept``, and how a
value is written in it.

The media types of every response of an operation are read once, at load time, into ``Offer`` s. Per request,
``Accept`` is parsed once (bounded: its first ``MAX_ACCEPT_CHARS`` characters and ``MAX_ACCEPT_ITEMS`` ranges)
and ``negotiate`` picks the offer with the best quality; ties go to JSON, then to the document's order. A
documented range (``*/*``, ``image/*``, ``application/*``) is never sent as such: it becomes the concrete type
the client asked for when the range allows it, else JSON for structured data, ``text/plain`` for text,
``application/octet-stream`` for binary data and ``image/png`` (a real 1x1 PNG) for images.
"""

from __future__ import annotations

import re  # re-ok: fixed patterns, none supplied by a client or a spec
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from xml.etree import ElementTree

import orjson

from mockery.openapi.document import OpenAPIDocument, ref_path
from mockery.openapi.generate import SchemaGenerator
from mockery.templates.fakes import json_default

MAX_ACCEPT_CHARS = 4096
MAX_ACCEPT_ITEMS = 32

Kind = Literal["json", "xml", "text", "png", "binary"]
Ranges = tuple[tuple[str, str, float], ...]  # (type, subtype, q) of each range of Accept; () when there is none

# Documented headers the server sets itself: never copied from a document (mockery.http.answer drops the
# framing ones from any answer; Date and Server are dropped here, where the document would set them).
SERVER_HEADERS = frozenset(
    {"content-type", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "date", "server"}
)
_RANGE_DEFAULTS = {"image": "image/png", "text": "text/plain", "audio": "audio/mpeg", "video": "video/mp4"}


def _png() -> bytes:
    """A valid 1x1 transparent PNG: what an ``image/*`` answer carries."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 5)) + chunk(b"IEND", b"")
    )


PNG = _png()


def base_type(media_type: str) -> str:
    """``application/JSON; charset=utf-8`` -> ``application/json``."""
    return media_type.split(";", 1)[0].strip().lower()


def kind_of(media_type: str) -> Kind:
    """How a value is written in ``media_type`` (a concrete one)."""
    base = base_type(media_type)
    if base == "application/json" or base.endswith("+json") or base.endswith("/json"):
        return "json"
    if base in ("application/xml", "text/xml") or base.endswith("+xml"):
        return "xml"
    if base == "image/png":
        return "png"
    if base.startswith("text/"):
        return "text"
    return "binary"


@dataclass(frozen=True, slots=True)
class Offer:
    """One documented media type of a response: as written (``documented``), its media object, and the
    concrete type it is sent as when the client does not ask for one it covers (``fallback``)."""

    documented: str
    media: Mapping[str, Any]
    fallback: str
    wildcard: bool

    @property
    def schema(self) -> Any:
        return self.media.get("schema")

    def covers(self, concrete: str) -> bool:
        """Whether the documented type (a range or not) allows the concrete ``type/subtype``."""
        mine = base_type(self.documented)
        if not self.wildcard:
            return mine == concrete
        kind, _, _ = mine.partition("/")
        return kind == "*" or concrete.startswith(kind + "/")


def offers_of(response: Any, document: OpenAPIDocument) -> tuple[Offer, ...]:
    """The offers of a documented response (resolved), JSON ones first: decided once per operation."""
    content = response.get("content") if isinstance(response, dict) else None
    if not isinstance(content, dict):
        return ()
    offers: list[Offer] = []
    for documented, raw_media in content.items():
        media = raw_media if isinstance(raw_media, dict) else {}
        base = base_type(str(documented))
        wildcard = base.endswith("/*")
        fallback = _fallback(base, media, document) if wildcard else str(documented)
        offers.append(Offer(str(documented), media, fallback, wildcard))
    # JSON (concrete) first: what a client that accepts anything gets, as mockery always answered.
    offers.sort(key=lambda offer: 0 if not offer.wildcard and kind_of(offer.documented) == "json" else 1)
    return tuple(offers)


def _fallback(base: str, media: Mapping[str, Any], document: OpenAPIDocument) -> str:
    kind = base.partition("/")[0]
    if kind in _RANGE_DEFAULTS:
        return _RANGE_DEFAULTS[kind]
    shape = _shape(media.get("schema"), document, "example" in media or "examples" in media)
    if kind == "*":
        return {"binary": "application/octet-stream", "text": "text/plain", "structured": "application/json"}[shape]
    if kind == "application":
        return "application/octet-stream" if shape == "binary" else "application/json"
    return f"{kind}/octet-stream"  # font/*, model/*: bytes, in the range the document allows


def _shape(schema: Any, document: OpenAPIDocument, has_example: bool) -> Literal["structured", "text", "binary"]:
    resolved = document.resolve(schema)
    if not isinstance(resolved, dict):
        return "structured" if has_example else "binary"
    kind = resolved.get("type")
    if kind == "string":
        return "binary" if resolved.get("format") in ("binary", "byte") else "text"
    return "structured"


def parse_accept(header: str | None) -> Ranges:
    """The media ranges of an ``Accept`` header with their quality; ``()`` for none (anything goes).

    Bounded: a hostile header costs at most ``MAX_ACCEPT_CHARS`` characters and ``MAX_ACCEPT_ITEMS`` ranges;
    ranges that do not parse are skipped (a header of nothing but those accepts anything)."""
    if not header:
        return ()
    ranges: list[tuple[str, str, float]] = []
    for item in header[:MAX_ACCEPT_CHARS].split(",")[:MAX_ACCEPT_ITEMS]:
        media, *parameters = item.split(";")
        kind, slash, subtype = media.strip().lower().partition("/")
        if not slash or not kind or not subtype or (kind == "*" and subtype != "*"):
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = -1.0
        if quality >= 0:
            ranges.append((kind, subtype, quality))
    return tuple(ranges)


def quality(ranges: Ranges, concrete: str) -> float:
    """The quality ``ranges`` give the concrete ``type/subtype``: the most specific matching range's."""
    if not ranges:
        return 1.0
    kind, _, subtype = concrete.partition("/")
    best, found = -1, 0.0
    for wanted_kind, wanted_subtype, q in ranges:
        if wanted_kind == kind and wanted_subtype == subtype:
            specificity = 2
        elif wanted_kind == kind and wanted_subtype == "*":
            specificity = 1
        elif wanted_kind == "*":
            specificity = 0
        else:
            continue
        if specificity > best:
            best, found = specificity, q
    return found


def negotiate(offers: tuple[Offer, ...], ranges: Ranges) -> tuple[Offer, str] | None:
    """The offer that answers and the concrete media type to send; ``None`` when the client accepts none."""
    if not offers:
        return None
    if not ranges:
        return offers[0], offers[0].fallback
    chosen: tuple[Offer, str] | None = None
    best = 0.0
    for offer in offers:
        candidates = [offer.fallback if offer.wildcard else offer.documented]
        if offer.wildcard:
            for kind, subtype, q in ranges:
                concrete = f"{kind}/{subtype}"
                if q > 0 and subtype != "*" and offer.covers(concrete):
                    candidates.insert(0, concrete)
                elif q > 0 and kind != "*" and subtype == "*" and offer.covers(kind + "/x"):
                    candidates.append(_RANGE_DEFAULTS.get(kind, f"{kind}/octet-stream"))
        for candidate in candidates:
            score = quality(ranges, base_type(candidate))
            if score > best:
                chosen, best = (offer, candidate), score
    return chosen


def documented_headers(
    response: Mapping[str, Any], generator: SchemaGenerator, *, use_examples: bool = True, only_required: bool = False
) -> list[tuple[bytes, bytes]]:
    """The headers a documented response declares, each its example (unless ``use_examples`` is false) or a
    value generated from its schema; only the ``required`` ones with ``only_required``; never one the server
    sets itself (``SERVER_HEADERS``)."""
    document = generator.document
    headers: list[tuple[bytes, bytes]] = []
    declared = response.get("headers")
    for name, raw_header in (declared if isinstance(declared, dict) else {}).items():
        header = document.resolve(raw_header)
        if not isinstance(name, str) or name.lower() in SERVER_HEADERS or not isinstance(header, dict):
            continue
        if only_required and header.get("required") is not True:
            continue
        value = _example_of(header, document) if use_examples else None
        if value is None and "schema" in header:
            value = generator.generate(header["schema"], name)
        if value is not None:
            headers.append((name.lower().encode("latin-1", errors="replace"), _header_text(value)))
    return headers


def _example_of(header: dict[str, Any], document: OpenAPIDocument) -> Any:
    if "example" in header:
        return header["example"]
    examples = header.get("examples")
    if isinstance(examples, dict):
        for example in examples.values():
            resolved = document.resolve(example)
            if isinstance(resolved, dict) and "value" in resolved:
                return resolved["value"]
    return None


def _header_text(value: Any) -> bytes:
    text = value if isinstance(value, str) else orjson.dumps(value, default=json_default).decode()
    return text.replace("\r", " ").replace("\n", " ").encode("latin-1", errors="replace")


# -- writing a value in a media type --------------------------------------------------------------------

_XML_NAME = re.compile(r"[^A-Za-z0-9_.:-]")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(value: Any, media_type: str, schema: Any, document: OpenAPIDocument, root: str = "response") -> bytes:
    """``value`` written as ``media_type`` says (JSON, XML from the schema's ``xml`` hints, text, bytes)."""
    kind = kind_of(media_type)
    if kind == "json":
        return orjson.dumps(value, default=json_default)
    if kind == "xml":
        return to_xml(value, schema, document, root)
    if kind == "png":
        return PNG
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return orjson.dumps(value, default=json_default)


def to_xml(value: Any, schema: Any, document: OpenAPIDocument, root: str = "response") -> bytes:
    """``value`` as an XML document: element names from ``xml.name`` (else the property, else the schema's
    name), ``xml.attribute`` properties as attributes, ``xml.wrapped`` arrays inside a wrapper element."""
    hints, resolved = _xml_hints(schema, document)
    name = _xml_name(hints.get("name") or _schema_name(schema) or root, hints)
    element = ElementTree.Element(name)
    _xml_namespace(element, hints)
    _fill(element, value, resolved, document, name, 0)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(element, encoding="unicode").encode()


def _fill(
    element: ElementTree.Element, value: Any, schema: Any, document: OpenAPIDocument, name: str, depth: int
) -> None:
    if depth > 32:
        return
    if isinstance(value, dict):
        properties = _properties(schema, document)
        for key, item in value.items():
            sub = properties.get(key)
            hints, resolved = _xml_hints(sub, document)
            if hints.get("attribute") is True and not isinstance(item, dict | list):
                element.set(_xml_name(hints.get("name") or str(key), hints), _text(item))
            else:
                _child(element, str(key), item, sub, document, depth)
        return
    if isinstance(value, list):
        items = _items(schema, document)
        hints, resolved = _xml_hints(items, document)
        for item in value:
            child = ElementTree.SubElement(element, _xml_name(hints.get("name") or name, hints))
            _fill(child, item, resolved, document, str(hints.get("name") or name), depth + 1)
        return
    element.text = _text(value)


def _child(
    parent: ElementTree.Element, key: str, value: Any, schema: Any, document: OpenAPIDocument, depth: int
) -> None:
    hints, resolved = _xml_hints(schema, document)
    name = str(hints.get("name") or key)
    if isinstance(value, list):
        items = _items(resolved, document)
        item_hints, item_schema = _xml_hints(items, document)
        holder = parent
        if hints.get("wrapped") is True:
            holder = ElementTree.SubElement(parent, _xml_name(name, hints))
            _xml_namespace(holder, hints)
        item_name = str(item_hints.get("name") or name)
        for item in value:
            child = ElementTree.SubElement(holder, _xml_name(item_name, item_hints))
            _fill(child, item, item_schema, document, item_name, depth + 1)
        return
    child = ElementTree.SubElement(parent, _xml_name(name, hints))
    _xml_namespace(child, hints)
    _fill(child, value, resolved, document, name, depth + 1)


def _xml_hints(schema: Any, document: OpenAPIDocument) -> tuple[dict[str, Any], Any]:
    """The ``xml`` object of a schema (its own, else its target's) and the schema resolved."""
    own = schema.get("xml") if isinstance(schema, dict) else None
    resolved = document.resolve(schema)
    target = resolved.get("xml") if isinstance(resolved, dict) else None
    hints = own if isinstance(own, dict) else target if isinstance(target, dict) else {}
    return hints, resolved


def _properties(schema: Any, document: OpenAPIDocument, depth: int = 0) -> dict[str, Any]:
    resolved = document.resolve(schema)
    if not isinstance(resolved, dict) or depth > 8:
        return {}
    found: dict[str, Any] = {}
    for part in resolved.get("allOf") or []:
        found.update(_properties(part, document, depth + 1))
    if isinstance(resolved.get("properties"), dict):
        found.update(resolved["properties"])
    return found


def _items(schema: Any, document: OpenAPIDocument) -> Any:
    resolved = document.resolve(schema)
    return resolved.get("items") if isinstance(resolved, dict) else None


def _schema_name(schema: Any) -> str | None:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    path = ref_path(ref) if isinstance(ref, str) else None
    return str(path[-1]) if path else None


def _xml_name(name: str, hints: Mapping[str, Any]) -> str:
    safe = _XML_NAME.sub("_", name.replace(":", "_")) or "item"
    if not (safe[0].isalpha() or safe[0] == "_"):
        safe = "_" + safe
    prefix = hints.get("prefix")
    if isinstance(prefix, str) and prefix and _XML_NAME.search(prefix) is None and prefix[0].isalpha():
        return f"{prefix}:{safe}"
    return safe


def _xml_namespace(element: ElementTree.Element, hints: Mapping[str, Any]) -> None:
    namespace = hints.get("namespace")
    if isinstance(namespace, str) and namespace:
        prefix = hints.get("prefix")
        attribute = f"xmlns:{prefix}" if isinstance(prefix, str) and ":" in element.tag else "xmlns"
        element.set(attribute, namespace)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return _XML_UNSAFE.sub("", text)
