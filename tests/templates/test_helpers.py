"""Template helpers (mockery/templates/helpers.py): each one's answer, its refusal of bad input, its bounds,
the check at load time, and a served spec using them on a real request."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from mockery.errors import SpecErrors
from mockery.load.loader import load_specs
from mockery.templates.environment import compile_template
from mockery.templates.limits import RenderLimitError

MOMENT = dt.datetime(2024, 1, 31, 10, 0, tzinfo=dt.UTC)
XML = '<a xmlns:s="urn:s"><b id="1">one</b><b id="2">two</b><s:c>spaced</s:c></a>'
TOKEN = (
    base64.urlsafe_b64encode(b'{"alg":"HS256"}').rstrip(b"=").decode()
    + "."
    + base64.urlsafe_b64encode(b'{"sub":"ada","roles":["admin"]}').rstrip(b"=").decode()
    + ".c2lnbmF0dXJl"
)


def render(source: str, **variables: Any) -> Any:
    return compile_template(source).render(variables)


CASES = [
    ("regex_extract", "{{ 'order-123-x' | regex_extract('[0-9]+') }}", "123"),
    ("regex_extract group", "{{ 'a=1;b=2' | regex_extract('b=([0-9])', 1) }}", "2"),
    ("regex_extract none", "{{ 'abc' | regex_extract('[0-9]') }}", None),
    ("regex_extract_all", "{{ 'a1b22c333' | regex_extract_all('[0-9]+') }}", ["1", "22", "333"]),
    ("regex_replace", "{{ 'a1b22' | regex_replace('[0-9]+', '#') }}", "a#b#"),
    ("regex_replace group", "{{ 'ada lovelace' | regex_replace('(\\\\w+) (\\\\w+)', '\\\\2') }}", "lovelace"),
    ("b64encode", "{{ 'héllo' | b64encode }}", base64.b64encode("héllo".encode()).decode()),
    ("b64encode urlsafe", "{{ '??>' | b64encode(urlsafe=true) }}", "Pz8-"),
    ("b64decode", "{{ 'aMOpbGxv' | b64decode }}", "héllo"),
    ("b64decode urlsafe unpadded", "{{ 'Pz8-' | b64decode }}", "??>"),
    ("url_encode", "{{ 'a b&c/d' | url_encode }}", "a%20b%26c%2Fd"),
    ("url_decode", "{{ 'a+b%26c' | url_decode }}", "a b&c"),
    ("md5", "{{ 'x' | md5 }}", hashlib.md5(b"x").hexdigest()),
    ("sha1", "{{ 'x' | sha1 }}", hashlib.sha1(b"x").hexdigest()),
    ("sha256", "{{ 'x' | sha256 }}", hashlib.sha256(b"x").hexdigest()),
    ("sha512", "{{ 'x' | sha512 }}", hashlib.sha512(b"x").hexdigest()),
    ("hash", "{{ 'x' | hash('sha1') }}", hashlib.sha1(b"x").hexdigest()),
    ("hmac", "{{ 'msg' | hmac('key') }}", hmac.new(b"key", b"msg", "sha256").hexdigest()),
    ("hmac sha1", "{{ 'msg' | hmac('key', 'sha1') }}", hmac.new(b"key", b"msg", "sha1").hexdigest()),
    ("from_json", "{{ ('{\"a\": [1, 2.50]}' | from_json).a }}", [1, 2.5]),
    ("jwt_decode", "{{ (token | jwt_decode).roles }}", ["admin"]),
    ("jwt_decode bearer", "{{ ('Bearer ' ~ token) | jwt_decode('header') }}", {"alg": "HS256"}),
    ("parse_date iso", "{{ '2024-01-31T10:00:00Z' | parse_date }}", "2024-01-31T10:00:00+00:00"),
    ("parse_date format", "{{ '31/01/2024' | parse_date('%d/%m/%Y') }}", "2024-01-31T00:00:00+00:00"),
    ("parse_date epoch", "{{ 1706695200 | parse_date }}", "2024-01-31T10:00:00+00:00"),
    ("now + duration", "{{ moment + '3d' }}", "2024-02-03T10:00:00+00:00"),
    ("shift", "{{ moment | shift('-1w 2h') }}", "2024-01-24T12:00:00+00:00"),
    ("add", "{{ moment | add(days=3, hours=-1) }}", "2024-02-03T09:00:00+00:00"),
    ("strftime", "{{ moment | add(days=1) | strftime('%d/%m/%Y') }}", "01/02/2024"),
    ("format of a date", "{{ moment | add(days=3) | format('%Y-%m-%d') }}", "2024-02-03"),
    ("format of text (Jinja's)", "{{ '%s-%d' | format('a', 2) }}", "a-2"),
    ("strftime epoch", "{{ moment | strftime('epoch') }}", "1706695200"),
    ("duration", "{{ duration('90m').total_seconds() }}", 5400.0),
    ("xpath text", "{{ xml | xpath('/a/b[@id=\"2\"]/text()') }}", "two"),
    ("xpath descendant", "{{ xml | xpath('//b') }}", "one"),
    ("xpath attribute", "{{ xml | xpath('/a/b[2]/@id') }}", "2"),
    ("xpath namespace", "{{ xml | xpath('/a/s:c', {'s': 'urn:s'}) }}", "spaced"),
    ("xpath no match", "{{ xml | xpath('/z/b') }}", None),
    ("xpath no match in text", "[{{ xml | xpath('/z/b') }}]", "[]"),
    ("regex_extract none, default", "{{ 'abc' | regex_extract('[0-9]') | default('none') }}", "none"),
    (
        "round, abs, min, max (Jinja's own)",
        "{{ [(2.567 | round(2)), (-3 | abs), ([4, 2] | min), ([4, 2] | max)] }}",
        [2.57, 3, 2, 4],
    ),
]


@pytest.mark.parametrize(("source", "expected"), [pytest.param(s, e, id=i) for i, s, e in CASES])
def test_each_helper_answers(source: str, expected: Any) -> None:
    assert render(source, moment=MOMENT, xml=XML, token=TOKEN) == expected


def test_jwt_sign_signs_with_hs256_and_jwt_decode_reads_it_back() -> None:
    token = render("{{ jwt_sign({'sub': 'ada', 'n': 1}, 'secret') }}")
    head, payload, signature = token.split(".")
    expected = hmac.new(b"secret", f"{head}.{payload}".encode(), "sha256").digest()
    assert base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)) == expected
    assert orjson.loads(base64.urlsafe_b64decode(head + "==")) == {"alg": "HS256", "typ": "JWT"}
    assert render("{{ t | jwt_decode }}", t=token) == {"sub": "ada", "n": 1}


REFUSALS = [
    ("a regex RE2 refuses", "{{ 'aa' | regex_extract('(a)\\\\1') }}", "RE2 cannot compile"),
    ("a regex too long", "{{ 'a' | regex_extract(pattern) }}", "over the limit of 1000"),
    ("not base64", "{{ 'x' | b64decode }}", "is not base64"),
    ("an unknown hash", "{{ 'x' | hash('crc') }}", "unknown hash 'crc'"),
    ("not JSON", "{{ '{a' | from_json }}", "from_json: not JSON"),
    ("not a JWT", "{{ 'abc' | jwt_decode }}", "three dot-separated parts"),
    ("a JWT of garbage", "{{ 'a.b.c' | jwt_decode }}", "not base64url JSON"),
    ("a JWT payload not a mapping", "{{ jwt_sign([1], 'k') }}", "must be a mapping"),
    ("not a date", "{{ 'soon' | parse_date }}", "is not ISO 8601"),
    ("not a duration", "{{ moment + 'soon' }}", "is not a duration"),
    ("a shift out of range", "{{ moment | shift('999999999d') }}", "at most 1000000 days"),
    ("an unknown unit", "{{ moment | add(years=1) }}", "unknown unit 'years'"),
    ("a DTD", "{{ bomb | xpath('/a') }}", "with a DTD"),
    ("not XML", "{{ '<a>' | xpath('/a') }}", "not XML"),
    ("an XPath outside the subset", "{{ xml | xpath('//b[') }}", "not in the supported subset"),
]


@pytest.mark.parametrize(("source", "message"), [pytest.param(s, m, id=i) for i, s, m in REFUSALS])
def test_bad_input_is_a_render_error_saying_why(source: str, message: str) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x"><!ENTITY f "&e;&e;">]><a>&f;</a>'
    with pytest.raises(RenderLimitError, match=message):
        render(source, moment=MOMENT, xml=XML, bomb=bomb, pattern="a" * 1001)


def test_input_past_the_output_limit_is_refused() -> None:
    with pytest.raises(RenderLimitError, match="over the limit"):
        render("{{ big | sha256 }}", big="x" * 1_000_001)


def test_an_unknown_helper_is_a_load_error_with_the_nearest(write_spec: Callable[..., Path]) -> None:
    spec = write_spec(
        """\
        service: api
        routes:
          - path: /x
            response:
              body: "{{ 'x' | b64_encode }}"
        """
    )
    with pytest.raises(SpecErrors) as caught:
        load_specs([spec])
    assert "b64_encode" in str(caught.value)
    assert "b64encode" in str(caught.value)


def test_a_served_spec_decodes_the_callers_jwt_and_signs_its_own(
    write_spec: Callable[..., Path], serve: Callable[..., Any]
) -> None:
    spec = write_spec(
        """\
        service: auth
        routes:
          - path: /me
            response:
              body:
                user: "{{ (request.headers.authorization | jwt_decode).sub }}"
                token: "{{ jwt_sign({'sub': (request.headers.authorization | jwt_decode).sub}, 'secret') }}"
                order: "{{ request.query.ref | regex_extract('[0-9]+') }}"
                digest: "{{ request.query.ref | sha256 }}"
        """
    )
    server = serve(spec)
    answer = httpx.get(server.url + "/me?ref=order-42", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["user"], body["order"]) == ("ada", "42")
    assert body["digest"] == hashlib.sha256(b"order-42").hexdigest()
    assert render("{{ t | jwt_decode }}", t=body["token"]) == {"sub": "ada"}
    broken = httpx.get(server.url + "/me?ref=1", headers={"Authorization": "Bearer nonsense"})
    assert broken.status_code == 500
    assert "three dot-separated parts" in broken.text
