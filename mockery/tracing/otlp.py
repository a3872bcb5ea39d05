"""OTLP's protobuf wire format, written directly: a batch of spans becomes the bytes of one
``ExportTraceServiceRequest`` (``opentelemetry/proto/collector/trace/v1``) in one pass.

Building OpenTelemetry's SDK span objects and then its protobuf messages cost more than answering the request
did; the wire format is simple and stable, so a span is encoded from a few numbers and strings here, with what
does not change from one request to the next (a route's attributes, a service's resource, attribute keys)
encoded once and concatenated. The tests decode what this writes with the ``opentelemetry-proto`` messages.
"""

from __future__ import annotations

import struct
from collections.abc import Hashable, Iterable, Mapping

from mockery.tracing.context import HTTP_KEYS

Attribute = str | bool | int | float  # as mockery.tracing.context has it

# Span.kind (opentelemetry.proto.trace.v1.Span.SpanKind)
INTERNAL, SERVER, CLIENT = 1, 2, 3
# Status.code
STATUS_ERROR = 2

_FIXED64 = struct.Struct("<Q")
_DOUBLE = struct.Struct("<d")
_INT64_MASK = (1 << 64) - 1
_KEYS_KEPT = 4096  # attribute keys and short string values whose encoding is kept


def varint(value: int) -> bytes:
    """A base-128 varint (a negative int64 as its two's complement, ten bytes)."""
    if value < 0:
        value &= _INT64_MASK
    if value < 0x80:
        return bytes((value,))
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def field(tag: int, payload: bytes) -> bytes:
    """A length-delimited field (a string, bytes or an embedded message) with its one-byte ``tag``."""
    return bytes((tag,)) + varint(len(payload)) + payload


def _any_value(value: Attribute) -> bytes:
    # AnyValue: string_value = 1, bool_value = 2, int_value = 3, double_value = 4
    if isinstance(value, str):
        return field(0x0A, value.encode("utf-8", "replace"))
    if isinstance(value, bool):
        return b"\x10\x01" if value else b"\x10\x00"
    if isinstance(value, int):
        return b"\x18" + varint(value)
    return b"\x21" + _DOUBLE.pack(value)


def key_value(tag: int, key: str, value: Attribute) -> bytes:
    """One ``KeyValue`` as the field ``tag`` of its message (a span's attributes are field 9, 0x4A)."""
    return field(tag, field(0x0A, key.encode()) + field(0x12, _any_value(value)))


def attributes(tag: int, values: Mapping[str, Attribute]) -> bytes:
    """Every ``KeyValue`` of ``values`` as repeated field ``tag``: what is encoded once, at load time."""
    return b"".join(key_value(tag, key, value) for key, value in values.items())


_IDS = struct.Struct(">HQQHQ")  # trace_id (field 1, 16 bytes) and span_id (field 2, 8 bytes)
_PARENT = struct.Struct(">HQ")  # parent_span_id (field 4)
_TIMES = struct.Struct("<BQBQ")  # start and end (fields 7 and 8, fixed64)
_KIND_TIMES = struct.Struct("<BBBQBQ")  # kind (field 6), start and end (fields 7 and 8, fixed64)
_FLAGS = struct.Struct("<HI")  # flags (field 16, fixed32): its tag is two bytes, 0x85 0x01
_FLAGS_TAG = 0x0185


class SpanEncoder:
    """Encodes spans, keeping the encoding of what repeats from span to span (names, the attributes of a
    request that differ from route to route but rarely from request to request), so that a batch of
    similar spans is mostly concatenation. Each cache is cleared when it is full."""

    def __init__(self) -> None:
        self._values: dict[tuple[tuple[str, Attribute], ...], bytes] = {}
        self._names: dict[str, bytes] = {}
        self._http: dict[tuple[Attribute | None, ...], bytes] = {}
        self.templates: dict[Hashable, tuple[bytes, bytes]] = {}

    def attributes(self, values: Mapping[str, Attribute]) -> bytes:
        """A span's attributes (field 9). Keyed by the pairs: a key's values are of one type in mockery, so
        that ``1`` and ``True`` (equal in Python) never meet under one key."""
        pairs = tuple(values.items())
        found = self._values.get(pairs)
        if found is None:
            if len(self._values) >= _KEYS_KEPT:
                self._values.clear()
            found = self._values[pairs] = b"".join(key_value(0x4A, key, value) for key, value in pairs)
        return found

    def http(self, facts: tuple[Attribute | None, ...]) -> bytes:
        """A server span's HTTP attributes (``mockery.tracing.context.HttpFacts``, named by ``HTTP_KEYS``): the
        same for most requests of a route, so mostly found encoded already."""
        found = self._http.get(facts)
        if found is None:
            if len(self._http) >= _KEYS_KEPT:
                self._http.clear()
            found = self._http[facts] = b"".join(
                key_value(0x4A, key, value) for key, value in zip(HTTP_KEYS, facts, strict=True) if value is not None
            )
        return found

    def template(self, key: Hashable, tail: bytes, fixed: int) -> tuple[bytes, bytes]:
        """Keep, under ``key``, how spans alike are framed: the head (tag and length) of a span whose first
        ``fixed`` bytes vary (ids and times) and whose last are ``tail``."""
        if len(self.templates) >= _KEYS_KEPT:
            self.templates.clear()
        found = self.templates[key] = (b"\x12" + varint(fixed + len(tail)), tail)
        return found

    def name(self, name: str) -> bytes:
        """A span's name (field 5)."""
        found = self._names.get(name)
        if found is None:
            if len(self._names) >= _KEYS_KEPT:
                self._names.clear()
            found = self._names[name] = field(0x2A, name.encode("utf-8", "replace"))
        return found


def ids(trace_id: int, span_id: int) -> bytes:
    """A span's trace_id and span_id (fields 1 and 2)."""
    return _IDS.pack(0x0A10, trace_id >> 64, trace_id & _INT64_MASK, 0x1208, span_id)


def parent(span_id: int) -> bytes:
    """A span's parent_span_id (field 4)."""
    return _PARENT.pack(0x2208, span_id)


def times(start: int, end: int) -> bytes:
    """A span's start and end (fields 7 and 8): 18 bytes."""
    return _TIMES.pack(0x39, start, 0x41, end)


def kind(value: int) -> bytes:
    """A span's kind (field 6)."""
    return bytes((0x30, value))


def kind_and_times(kind: int, start: int, end: int) -> bytes:
    """A span's kind, start and end (fields 6, 7 and 8)."""
    return _KIND_TIMES.pack(0x30, kind, 0x39, start, 0x41, end)


def events(values: Iterable[tuple[int, str, Mapping[str, Attribute]]]) -> bytes:
    """A span's events (field 11)."""
    out = []
    for at, name, event_values in values:
        body = b"\x09" + _FIXED64.pack(at) + field(0x12, name.encode("utf-8", "replace"))
        out.append(field(0x5A, body + attributes(0x1A, event_values)))
    return b"".join(out)


def error_status(message: str) -> bytes:
    """A span's status (field 15): an error, with its message."""
    return field(0x7A, field(0x12, message.encode("utf-8", "replace")) + bytes((0x18, STATUS_ERROR)))


def flags(value: int) -> bytes:
    """A span's flags (field 16, fixed32)."""
    return _FLAGS.pack(_FLAGS_TAG, value)


def spans_field(body: bytes) -> bytes:
    """A span's fields as field 2 of ``ScopeSpans``."""
    size = len(body)
    if size < 0x80:
        return bytes((0x12, size)) + body
    if size < 0x4000:
        return bytes((0x12, (size & 0x7F) | 0x80, size >> 7)) + body
    return b"\x12" + varint(size) + body


def resource(values: Mapping[str, Attribute]) -> bytes:
    """A service's ``Resource`` as field 1 of ``ResourceSpans``: encoded once per service."""
    return field(0x0A, attributes(0x0A, values))


def scope(name: str, version: str) -> bytes:
    """The ``InstrumentationScope`` as field 1 of ``ScopeSpans``."""
    return field(0x0A, field(0x0A, name.encode()) + field(0x12, version.encode()))


def request(batches: Iterable[tuple[bytes, bytes, list[bytes]]]) -> bytes:
    """An ``ExportTraceServiceRequest`` of (resource, scope, encoded spans) triples, one per service."""
    out = []
    for resource_field, scope_field, spans in batches:
        scope_spans = field(0x12, scope_field + b"".join(spans))
        out.append(field(0x0A, resource_field + scope_spans))
    return b"".join(out)
