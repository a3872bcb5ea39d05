"""Content negotiation and writing values in a media type (mockery.openapi.media), bad input included."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest

from mockery.openapi.document import OpenAPIDocument, openapi_document
from mockery.openapi.media import (
    MAX_ACCEPT_ITEMS,
    PNG,
    kind_of,
    negotiate,
    offers_of,
    parse_accept,
    quality,
    render,
    to_xml,
)
from mockery.source.inline import inline_document


def _document(schemas: dict[str, Any] | None = None) -> OpenAPIDocument:
    data = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    if schemas:
        data["components"] = {"schemas": schemas}
    loaded, problems = inline_document(data)
    assert loaded is not None, problems
    document, errors = openapi_document(loaded)
    assert document is not None, errors
    return document


@pytest.mark.parametrize(
    ("header", "ranges"),
    [
        (None, ()),
        ("", ()),
        ("application/json", (("application", "json", 1.0),)),
        ("Application/JSON ; charset=utf-8", (("application", "json", 1.0),)),
        ("text/*;q=0.5, */*;q=0.1", (("text", "*", 0.5), ("*", "*", 0.1))),
        ("a/b;q=2, c/d;q=-1", (("a", "b", 1.0), ("c", "d", 0.0))),
        ("a/b;q=x, c/d", (("c", "d", 1.0),)),
        ("*/json, json, /x, a/", ()),
        (",,,", ()),
    ],
    ids=["absent", "empty", "one", "case-params", "ranges", "clamped", "bad-q", "malformed", "commas"],
)
def test_accept_is_parsed_leniently(header: str | None, ranges: tuple[Any, ...]) -> None:
    assert parse_accept(header) == ranges


def test_accept_is_bounded_in_items_and_length() -> None:
    assert len(parse_accept(", ".join(f"a/b{n}" for n in range(10_000)))) == MAX_ACCEPT_ITEMS
    assert parse_accept("a/" + "b" * 100_000 + ", c/d") == (("a", "b" * 4094, 1.0),)


@pytest.mark.parametrize(
    ("accept", "concrete", "expected"),
    [
        ("", "application/json", 1.0),
        ("application/json;q=0.3, application/*;q=0.6, */*;q=0.9", "application/json", 0.3),
        ("application/json;q=0.3, application/*;q=0.6, */*;q=0.9", "application/xml", 0.6),
        ("application/json;q=0.3, application/*;q=0.6, */*;q=0.9", "text/plain", 0.9),
        ("text/html", "application/json", 0.0),
    ],
)
def test_quality_is_the_most_specific_ranges(accept: str, concrete: str, expected: float) -> None:
    assert quality(parse_accept(accept), concrete) == expected


def test_offers_put_json_first_and_make_ranges_concrete() -> None:
    document = _document()
    response = {
        "content": {
            "application/xml": {"schema": {"type": "object"}},
            "*/*": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.api+json": {"schema": {"type": "object"}},
            "image/*": {},
            "text/*": {"schema": {"type": "string"}},
            "application/*": {"schema": {"type": "array"}},
            "font/*": {},
        }
    }
    offers = offers_of(response, document)
    assert offers[0].documented == "application/vnd.api+json"
    fallbacks = {offer.documented: offer.fallback for offer in offers}
    assert fallbacks == {
        "application/vnd.api+json": "application/vnd.api+json",
        "application/xml": "application/xml",
        "*/*": "application/octet-stream",
        "image/*": "image/png",
        "text/*": "text/plain",
        "application/*": "application/json",
        "font/*": "font/octet-stream",
    }
    assert offers_of({"description": "no content"}, document) == ()
    assert offers_of("not a response", document) == ()


@pytest.mark.parametrize(
    ("schema", "fallback"),
    [
        ({"type": "object"}, "application/json"),
        ({"type": "array", "items": {}}, "application/json"),
        ({"type": "string"}, "text/plain"),
        ({"type": "string", "format": "binary"}, "application/octet-stream"),
        (None, "application/octet-stream"),
    ],
)
def test_any_media_type_becomes_json_text_or_bytes_by_the_schema(schema: Any, fallback: str) -> None:
    media = {} if schema is None else {"schema": schema}
    (offer,) = offers_of({"content": {"*/*": media}}, _document())
    assert offer.fallback == fallback


def test_negotiation_honours_q_values_wildcards_and_refusals() -> None:
    document = _document()
    offers = offers_of({"content": {"application/xml": {}, "application/json": {}, "*/*": {}}}, document)

    def chosen(accept: str) -> str | None:
        found = negotiate(offers, parse_accept(accept))
        return None if found is None else found[1]

    assert chosen("") == "application/json"
    assert chosen("application/xml") == "application/xml"
    assert chosen("text/csv") == "text/csv"  # */* documented allows it
    assert chosen("application/json;q=0, application/xml;q=0, */*;q=0.1") == "application/octet-stream"
    assert chosen("application/json;q=0, application/xml;q=0") is None
    only_json = offers_of({"content": {"application/json": {}}}, document)
    assert negotiate(only_json, parse_accept("text/html")) is None
    assert negotiate(only_json, parse_accept("application/json;q=0")) is None
    assert negotiate((), parse_accept("*/*")) is None


def test_render_writes_each_kind() -> None:
    document = _document()
    assert render({"a": [1, None]}, "application/problem+json", None, document) == b'{"a":[1,null]}'
    assert render("plain", "text/plain", None, document) == b"plain"
    assert render({"a": 1}, "text/plain", None, document) == b'{"a":1}'
    assert render(None, "application/octet-stream", None, document) == b""
    assert render(b"\x00\x01", "application/octet-stream", None, document) == b"\x00\x01"
    assert render("anything", "image/png", None, document) == PNG
    assert kind_of("application/atom+xml") == "xml"
    assert kind_of("text/xml; charset=utf-8") == "xml"


def test_xml_follows_names_attributes_wrapping_and_prefixes() -> None:
    document = _document(
        {
            "Pet": {
                "type": "object",
                "xml": {"name": "pet", "prefix": "p", "namespace": "https://example.com/pets"},
                "properties": {
                    "id": {"type": "integer", "xml": {"attribute": True}},
                    "name": {"type": "string", "xml": {"name": "full-name"}},
                    "photoUrls": {
                        "type": "array",
                        "xml": {"wrapped": True, "name": "photos"},
                        "items": {"xml": {"name": "url"}},
                    },
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "owner": {"type": "object", "properties": {"alive": {"type": "boolean"}}},
                },
            }
        }
    )
    value = {
        "id": 3,
        "name": "Rex <&> \x01",
        "photoUrls": ["a", "b"],
        "tags": ["x", "y"],
        "owner": {"alive": True},
        "9 odd key!": None,
    }
    text = to_xml(value, {"$ref": "urn:mockery:openapi#/components/schemas/Pet"}, document)
    assert text.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<p:pet')
    root = ElementTree.fromstring(text)  # well-formed, the control character gone, the rest escaped
    namespace = "{https://example.com/pets}"
    assert root.tag == namespace + "pet"
    assert root.get("id") == "3"
    assert root.findtext("full-name") == "Rex <&> "
    assert [url.text for url in root.findall("photos/url")] == ["a", "b"]
    assert [tag.text for tag in root.findall("tags")] == ["x", "y"]  # unwrapped: repeated elements
    assert root.findtext("owner/alive") == "true"
    assert root.find("_9_odd_key_") is not None


def test_xml_of_a_bare_array_and_a_scalar_has_one_root() -> None:
    document = _document()
    listed = ElementTree.fromstring(
        to_xml([1, 2], {"type": "array", "items": {"type": "integer"}}, document, "numbers")
    )
    assert (listed.tag, [item.text for item in listed]) == ("numbers", ["1", "2"])
    assert ElementTree.fromstring(to_xml("x", {"type": "string"}, document)).text == "x"
