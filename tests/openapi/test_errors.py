"""Errors in the shape a document gives them (mockery.openapi.errors): which response, which places get the
real details, what happens when a schema has no room for them, and the credential challenges."""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest

from mockery.http.answer import Answer, problem
from mockery.openapi.document import OpenAPIDocument, openapi_document
from mockery.openapi.errors import Failure, challenge, documented_key, error_answer, fill
from mockery.openapi.generate import SchemaGenerator
from mockery.openapi.media import offers_of, parse_accept
from mockery.source.inline import inline_document
from mockery.templates.fakes import new_generator

FAILURE = Failure(
    422,
    "Invalid request",
    "body.name: 'name' is a required property",
    ({"location": "body.name", "message": "'name' is a required property"},),
    instance="/v1/pets",
)


def _document() -> OpenAPIDocument:
    data = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    loaded, problems = inline_document(data)
    assert loaded is not None, problems
    document, errors = openapi_document(loaded)
    assert document is not None, errors
    return document


def _fill(schema: Any, failure: Failure = FAILURE) -> Any:
    document = _document()
    generator = SchemaGenerator(document, random.Random(1), new_generator("en_US"), use_examples=False)
    return fill(schema, failure, document, generator)


def test_the_documented_response_is_the_status_then_its_range_then_default() -> None:
    assert documented_key({"404": {}, "4XX": {}, "default": {}}, 404) == "404"
    assert documented_key({"400": {}, "4XX": {}, "default": {}}, 404) == "4XX"
    assert documented_key({"4xx": {}}, 409) == "4xx"
    assert documented_key({"200": {}, "default": {}}, 401) == "default"
    assert documented_key({"200": {}}, 401) is None


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
            },
            {"code": 422, "message": FAILURE.detail},
        ),
        (
            {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "format": "uri-reference"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "instance": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "string"}},
                },
            },
            {
                "type": "about:blank",
                "title": "Invalid request",
                "status": 422,
                "detail": FAILURE.detail,
                "instance": "/v1/pets",
                "errors": ["body.name: 'name' is a required property"],
            },
        ),
        (
            {
                "type": "object",
                "properties": {
                    "error": {"type": "string"},
                    "field": {"type": "string"},
                    "violations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"pointer": {"type": "string"}, "reason": {"type": "string"}},
                        },
                    },
                },
            },
            {
                "error": "Invalid request",
                "field": "body.name",
                "violations": [{"pointer": "body.name", "reason": "'name' is a required property"}],
            },
        ),
        ({"type": "string"}, FAILURE.detail),
    ],
    ids=["code-message", "problem-like", "error-field-violations", "a-string"],
)
def test_the_failure_fills_the_places_the_schema_has(schema: Any, expected: Any) -> None:
    assert _fill(schema) == expected


def test_a_place_whose_schema_refuses_the_detail_is_generated_only_when_required() -> None:
    schema = {
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {"type": "string", "enum": ["E_BAD", "E_GONE"]},
            "message": {"type": "string", "maxLength": 5},
            "hint": {"type": "string"},
        },
    }
    body = _fill(schema)
    assert body["code"] in ("E_BAD", "E_GONE")  # required, so generated (422 is not in the enum)
    assert set(body) == {"code"}  # the message does not fit, the hint has nothing to say: left out


def test_what_the_schema_demands_beyond_the_details_is_generated() -> None:
    schema = {
        "type": "object",
        "required": ["message", "traceId"],
        "minProperties": 3,
        "properties": {"message": {"type": "string"}, "traceId": {"type": "string"}, "more": {"type": "integer"}},
    }
    body = _fill(schema)
    assert body["message"] == FAILURE.detail
    assert isinstance(body["traceId"], str)
    assert len(body) >= 3


def test_no_errors_array_for_a_failure_without_violations() -> None:
    schema = {"type": "object", "properties": {"message": {"type": "string"}, "errors": {"type": "array"}}}
    assert _fill(schema, Failure(404, "Not found", "no pet 3")) == {"message": "no pet 3"}


def test_a_problem_answer_reads_back_as_its_failure() -> None:
    answer = problem(409, "Conflict", "id 3 exists", errors=[{"location": "body.id", "message": "taken"}], id=3)
    failure = Failure.of(answer.with_headers((b"x-a", b"1")), "/pets")
    assert failure is not None
    assert (failure.status, failure.title, failure.detail, failure.instance) == (
        409,
        "Conflict",
        "id 3 exists",
        "/pets",
    )
    assert failure.errors == ({"location": "body.id", "message": "taken"},)
    assert failure.extra == {"errors": [{"location": "body.id", "message": "taken"}], "id": 3}
    assert failure.headers == ((b"x-a", b"1"),)
    assert Failure.of(Answer.json({"a": 1}, 404)) is None
    assert Failure.of(Answer(404, ((b"content-type", b"application/problem+json"),), b"{")) is None
    assert Failure.of(Answer(404, ((b"content-type", b"application/problem+json"),), b"[1]")) is None
    assert Failure.of(problem(200, "fine", "no failure")) is None


def test_an_error_answer_is_a_problem_when_nothing_is_documented_or_documented_without_a_body() -> None:
    document = _document()
    generator = SchemaGenerator(document, random.Random(1), new_generator("en_US"))
    for responses in ({"200": {"description": "ok"}}, {"422": {"description": "bad, no body"}}):
        offers = {code: offers_of(response, document) for code, response in responses.items()}
        answer = error_answer(FAILURE, responses, offers, document, parse_accept("application/xml"), generator)
        assert answer.status == 422
        assert (b"content-type", b"application/problem+json") in answer.headers
        assert orjson.loads(answer.body)["errors"] == [dict(FAILURE.errors[0])]


def test_an_error_answer_negotiates_and_falls_back_to_the_first_documented_type() -> None:
    document = _document()
    generator = SchemaGenerator(document, random.Random(1), new_generator("en_US"))
    schema = {"type": "object", "properties": {"message": {"type": "string"}}}
    responses = {
        "default": {"content": {"application/json": {"schema": schema}, "application/xml": {"schema": schema}}}
    }
    offers = {"default": offers_of(responses["default"], document)}
    as_xml = error_answer(FAILURE, responses, offers, document, parse_accept("application/xml"), generator)
    assert (b"content-type", b"application/xml") in as_xml.headers
    assert as_xml.body.endswith(b"<error><message>body.name: 'name' is a required property</message></error>")
    refused = error_answer(FAILURE, responses, offers, document, parse_accept("text/html"), generator)
    assert (b"content-type", b"application/json") in refused.headers  # an error is sent even so
    assert orjson.loads(refused.body) == {"message": FAILURE.detail}


@pytest.mark.parametrize(
    ("schemes", "value", "wanted"),
    [
        (
            {"b": {"type": "http", "scheme": "bearer"}},
            'Bearer realm="mockery"',
            "an Authorization: Bearer <token> header (b)",
        ),
        (
            {"b": {"type": "http", "scheme": "basic"}},
            'Basic realm="mockery"',
            "an Authorization: Basic <credentials> header (b)",
        ),
        (
            {"b": {"type": "http", "scheme": "Digest"}},
            'Digest realm="mockery"',
            "an Authorization: Digest <credentials> header (b)",
        ),
        (
            {"b": {"type": "apiKey", "in": "header", "name": 'X-"Key"\r\n'}},
            'APIKey realm="mockery", in="header", name="X-Key"',
            "the X-Key header (b)",
        ),
        (
            {"b": {"type": "apiKey", "in": "query", "name": "key"}},
            'APIKey realm="mockery", in="query", name="key"',
            "the key query parameter (b)",
        ),
        ({"b": {"type": "openIdConnect"}}, 'Bearer realm="mockery"', "an Authorization: Bearer <token> header (b)"),
        ({}, 'Bearer realm="mockery"', "an Authorization: Bearer <token> header (b)"),
        ({"b": {"type": "http", "scheme": "b@d scheme"}}, 'bdscheme realm="mockery"'.capitalize(), None),
    ],
    ids=["bearer", "basic", "digest", "api-key-quoted", "api-key-query", "openid", "unknown", "odd-scheme"],
)
def test_a_challenge_per_scheme_that_http_can_carry(schemes: dict[str, Any], value: str, wanted: str | None) -> None:
    got, words = challenge(["b"], schemes)
    assert got == value
    assert got.isascii()
    assert "\r" not in got
    assert "\n" not in got
    if wanted is not None:
        assert words == wanted


def test_two_schemes_of_one_kind_are_challenged_once() -> None:
    schemes = {
        "a": {"type": "http", "scheme": "bearer"},
        "b": {"type": "oauth2"},
        "c": {"type": "apiKey", "in": "cookie", "name": "s"},
    }
    value, wanted = challenge(["a", "b", "c"], schemes)
    assert value == 'Bearer realm="mockery", APIKey realm="mockery", in="cookie", name="s"'
    assert wanted == "an Authorization: Bearer <token> header (a) or the s cookie (c)"
