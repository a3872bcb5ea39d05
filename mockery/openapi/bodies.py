"""Written bodies a document allows besides JSON, read as the record they carry: urlencoded forms and XML.

A collection stores JSON records, so a create or replace sent as ``application/x-www-form-urlencoded`` (the
petstore documents it) or ``application/xml`` is read into the same mapping a JSON body would be, each value
typed by the record schema (``age=3`` is the integer 3). XML is read without a document type (no entities, so
nothing expands) and at most ``MAX_DEPTH`` levels deep; element names are the property names, or the names
their ``xml.name`` gives; an array is its repeated elements, wrapped or not.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree

import orjson

from mockery.openapi.document import OpenAPIDocument
from mockery.openapi.validation import coerce
from mockery.templates.fakes import json_default

MAX_DEPTH = 32


def as_json(body: bytes, content_type: str, schema: Any, document: OpenAPIDocument, merge: Any) -> bytes:
    """``body`` as the JSON record it carries (unchanged when it is JSON, or cannot be read as a record).
    ``merge`` flattens a schema (``SchemaGenerator.merge``)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if not body or media == "application/json" or media.endswith("+json"):
        return body
    data: Any = None
    if media == "application/x-www-form-urlencoded":
        data = _form(body, schema, document, merge)
    elif media in ("application/xml", "text/xml") or media.endswith("+xml"):
        data = _xml(body, schema, document, merge)
    return body if not isinstance(data, dict) else orjson.dumps(data, default=json_default)


def _properties(schema: Any, merge: Any) -> dict[str, Any]:
    merged = merge([schema]) if isinstance(schema, dict) else {}
    found = merged.get("properties")
    return found if isinstance(found, dict) else {}


def _is_array(schema: Any, merge: Any) -> tuple[bool, Any]:
    merged = merge([schema]) if isinstance(schema, dict) else {}
    kind = merged.get("type")
    return (kind == "array" or (isinstance(kind, list) and "array" in kind) or "items" in merged), merged.get("items")


def _form(body: bytes, schema: Any, document: OpenAPIDocument, merge: Any) -> dict[str, Any]:
    properties = _properties(schema, merge)
    repeated: dict[str, list[str]] = {}
    for key, text in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        repeated.setdefault(key, []).append(text)
    value: dict[str, Any] = {}
    for key, texts in repeated.items():
        sub = properties.get(key, {})
        array, items = _is_array(sub, merge)
        value[key] = (
            [coerce(text, items or {}, document) for text in texts] if array else coerce(texts[-1], sub, document)
        )
    return value


def _xml(body: bytes, schema: Any, document: OpenAPIDocument, merge: Any) -> dict[str, Any] | None:
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        return None  # no document types: nothing for an entity to expand into
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None
    value = _element(root, schema, document, merge, 0)
    return value if isinstance(value, dict) else None


def _element(element: ElementTree.Element, schema: Any, document: OpenAPIDocument, merge: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return None
    children = list(element)
    array, items = _is_array(schema, merge)
    if array:
        return [_element(child, items or {}, document, merge, depth + 1) for child in children]
    if not children:
        return coerce((element.text or "").strip(), schema if isinstance(schema, dict) else {}, document)
    properties = _properties(schema, merge)
    names = {_xml_name(sub, key, document): key for key, sub in properties.items()}
    value: dict[str, Any] = {}
    for child in children:
        tag = child.tag.rsplit("}", 1)[-1]
        key = names.get(tag, tag)
        sub = properties.get(key, {})
        sub_array, sub_items = _is_array(sub, merge)
        wrapped = sub_array and len(child) > 0 and _wrapped(sub, document)
        if sub_array and not wrapped:
            value.setdefault(key, []).append(_element(child, sub_items or {}, document, merge, depth + 1))
        else:
            value[key] = _element(child, sub, document, merge, depth + 1)
    return value


def _xml_name(schema: Any, key: str, document: OpenAPIDocument) -> str:
    resolved = document.resolve(schema)
    hints = resolved.get("xml") if isinstance(resolved, dict) else None
    return str(hints.get("name", key)) if isinstance(hints, dict) else key


def _wrapped(schema: Any, document: OpenAPIDocument) -> bool:
    resolved = document.resolve(schema)
    hints = resolved.get("xml") if isinstance(resolved, dict) else None
    return isinstance(hints, dict) and hints.get("wrapped") is True
