"""Every operator, on every part of a request, with one request that meets it and one that does not."""

from __future__ import annotations

from typing import Any

import pytest

from mockery.http.conditions import RequestView, compile_conditions, compile_regex
from mockery.http.requests import RawRequest

Request = dict[str, Any]


def request(query: str = "", headers: dict[str, str] | None = None, body: bytes = b"") -> RawRequest:
    return RawRequest("POST", "/x", query, headers or {}, body)


def json_body(text: str) -> Request:
    return {"headers": {"content-type": "application/json"}, "body": text.encode()}


def form_body(text: str) -> Request:
    return {"headers": {"content-type": "application/x-www-form-urlencoded"}, "body": text.encode()}


# (id, match, a request that meets it, one that does not, the start of the reason it does not)
CASES: list[tuple[str, dict[str, Any], Request, Request, str]] = [
    # query
    (
        "query-scalar",
        {"query": {"status": "active"}},
        {"query": "status=active"},
        {"query": "status=banned"},
        "query.status: expected 'active', got 'banned'",
    ),
    (
        "query-equals",
        {"query": {"page": {"equals": 2}}},
        {"query": "page=2"},
        {"query": "page=3"},
        "query.page: expected 2, got '3'",
    ),
    (
        "query-matches",
        {"query": {"page": {"matches": "^[0-9]+$"}}},
        {"query": "page=12"},
        {"query": "page=x"},
        "query.page: expected matches '^[0-9]+$', got 'x'",
    ),
    (
        "query-contains",
        {"query": {"q": {"contains": "shoe"}}},
        {"query": "q=red+shoes"},
        {"query": "q=hat"},
        "query.q: expected contains 'shoe'",
    ),
    (
        "query-contains-repeated",
        {"query": {"tag": {"contains": "b"}}},
        {"query": "tag=a&tag=b"},
        {"query": "tag=a&tag=c"},
        "query.tag: expected contains 'b'",
    ),
    (
        "query-one_of",
        {"query": {"sort": {"one_of": ["asc", "desc"]}}},
        {"query": "sort=asc"},
        {"query": "sort=up"},
        "query.sort: expected one of ['asc', 'desc'], got 'up'",
    ),
    (
        "query-present",
        {"query": {"debug": {"present": True}}},
        {"query": "debug="},
        {"query": ""},
        "query.debug: expected it to be present, got nothing",
    ),
    (
        "query-absent",
        {"query": {"debug": {"absent": True}}},
        {"query": ""},
        {"query": "debug=1"},
        "query.debug: expected it to be absent, got '1'",
    ),
    ("query-gt", {"query": {"n": {"gt": 5}}}, {"query": "n=6"}, {"query": "n=5"}, "query.n: expected gt 5"),
    ("query-gte", {"query": {"n": {"gte": 5}}}, {"query": "n=5"}, {"query": "n=4.5"}, "query.n: expected gte 5"),
    ("query-lt", {"query": {"n": {"lt": 5}}}, {"query": "n=-1"}, {"query": "n=abc"}, "query.n: expected lt 5"),
    ("query-lte", {"query": {"n": {"lte": 5}}}, {"query": "n=5"}, {"query": "n=5.1"}, "query.n: expected lte 5"),
    (
        "query-not",
        {"query": {"status": {"not": "banned"}}},
        {"query": "status=ok"},
        {"query": "status=banned"},
        "query.status: expected not (equals 'banned'), got 'banned'",
    ),
    (
        "query-two-operators",
        {"query": {"n": {"gte": 1, "lte": 10}}},
        {"query": "n=10"},
        {"query": "n=11"},
        "query.n: expected lte 10",
    ),
    # headers (names are case-insensitive)
    (
        "headers-matches",
        {"headers": {"Authorization": {"matches": "^Bearer .+"}}},
        {"headers": {"authorization": "Bearer abc"}},
        {"headers": {"authorization": "Basic abc"}},
        "headers.authorization: expected matches '^Bearer .+'",
    ),
    (
        "headers-absent",
        {"headers": {"x-debug": {"absent": True}}},
        {"headers": {}},
        {"headers": {"x-debug": "1"}},
        "headers.x-debug: expected it to be absent",
    ),
    (
        "headers-equals",
        {"headers": {"x-tenant": "acme"}},
        {"headers": {"x-tenant": "acme"}},
        {"headers": {"x-tenant": "other"}},
        "headers.x-tenant: expected 'acme', got 'other'",
    ),
    (
        "headers-one_of",
        {"headers": {"accept": {"one_of": ["application/json", "*/*"]}}},
        {"headers": {"accept": "*/*"}},
        {"headers": {"accept": "text/html"}},
        "headers.accept: expected one of",
    ),
    # cookies
    (
        "cookies-present",
        {"cookies": {"session": {"present": True}}},
        {"headers": {"cookie": "session=abc"}},
        {"headers": {"cookie": "other=1"}},
        "cookies.session: expected it to be present, got nothing",
    ),
    (
        "cookies-equals",
        {"cookies": {"theme": "dark"}},
        {"headers": {"cookie": "theme=dark"}},
        {"headers": {"cookie": "theme=light"}},
        "cookies.theme: expected 'dark', got 'light'",
    ),
    (
        "cookies-matches",
        {"cookies": {"id": {"matches": "^[a-f0-9]{4}$"}}},
        {"headers": {"cookie": "id=beef"}},
        {"headers": {"cookie": "id=xyz1"}},
        "cookies.id: expected matches",
    ),
    # JSON subset
    (
        "json-subset",
        {"body": {"json": {"user": {"role": "admin"}}}},
        json_body('{"user": {"role": "admin", "name": "Ann"}, "extra": 1}'),
        json_body('{"user": {"role": "user"}}'),
        "body.json: user.role: expected 'admin', got 'user'",
    ),
    (
        "json-subset-list",
        {"body": {"json": {"tags": ["b"]}}},
        json_body('{"tags": ["a", "b", "c"]}'),
        json_body('{"tags": ["a"]}'),
        "body.json: tags: expected an item 'b'",
    ),
    (
        "json-not-json",
        {"body": {"json": {"a": 1}}},
        json_body('{"a": 1}'),
        json_body("{not json"),
        "body.json: expected a JSON body, got none",
    ),
    (
        "json-bool-is-not-1",
        {"body": {"json": {"on": True}}},
        json_body('{"on": true}'),
        json_body('{"on": 1}'),
        "body.json: on: expected True, got 1",
    ),
    # JSON path
    (
        "json_path-contains",
        {"body": {"json_path": {"$.items[*].sku": {"contains": "A-1"}}}},
        json_body('{"items": [{"sku": "B-2"}, {"sku": "A-1"}]}'),
        json_body('{"items": [{"sku": "B-2"}]}'),
        "body.json_path['$.items[*].sku']: expected contains 'A-1'",
    ),
    (
        "json_path-equals",
        {"body": {"json_path": {"$.user.id": 7}}},
        json_body('{"user": {"id": 7}}'),
        json_body('{"user": {"id": 8}}'),
        "body.json_path['$.user.id']: expected 7, got 8",
    ),
    (
        "json_path-gt",
        {"body": {"json_path": {"$.amount": {"gt": 100}}}},
        json_body('{"amount": 250}'),
        json_body('{"amount": 50}'),
        "body.json_path['$.amount']: expected gt 100, got 50",
    ),
    (
        "json_path-absent",
        {"body": {"json_path": {"$.coupon": {"absent": True}}}},
        json_body('{"amount": 1}'),
        json_body('{"coupon": "X"}'),
        "body.json_path['$.coupon']: expected it to be absent",
    ),
    (
        "json_path-filter",
        {"body": {"json_path": {"$.items[?price > 10].sku": {"present": True}}}},
        json_body('{"items": [{"sku": "A", "price": 12}]}'),
        json_body('{"items": [{"sku": "A", "price": 2}]}'),
        "body.json_path['$.items[?price > 10].sku']: expected it to be present",
    ),
    # JSON Schema
    (
        "schema",
        {"body": {"schema": {"type": "object", "required": ["amount"]}}},
        json_body('{"amount": 3}'),
        json_body('{"total": 3}'),
        "body.schema: 'amount' is a required property",
    ),
    (
        "schema-nested",
        {"body": {"schema": {"properties": {"amount": {"type": "number", "minimum": 0}}}}},
        json_body('{"amount": 3}'),
        json_body('{"amount": -3}'),
        "body.schema: ['amount']: -3 is less than",
    ),
    # text
    (
        "text-contains",
        {"body": {"text": {"contains": "hello"}}},
        {"body": b"say hello"},
        {"body": b"bye"},
        "body.text: expected contains 'hello', got 'bye'",
    ),
    (
        "text-matches",
        {"body": {"text": {"matches": "^<xml"}}},
        {"body": b"<xml/>"},
        {"body": b"{}"},
        "body.text: expected matches '^<xml'",
    ),
    (
        "text-equals",
        {"body": {"text": "ping"}},
        {"body": b"ping"},
        {"body": b"pong"},
        "body.text: expected 'ping', got 'pong'",
    ),
    # form
    (
        "form-equals",
        {"body": {"form": {"grant_type": "client_credentials"}}},
        form_body("grant_type=client_credentials&scope=x"),
        form_body("grant_type=password"),
        "body.form.grant_type: expected 'client_credentials', got 'password'",
    ),
    (
        "form-present",
        {"body": {"form": {"code": {"present": True}}}},
        form_body("code=1"),
        form_body("x=1"),
        "body.form.code: expected it to be present",
    ),
    (
        "form-not-matches",
        {"body": {"form": {"user": {"not": {"matches": "^admin"}}}}},
        form_body("user=ann"),
        form_body("user=admin1"),
        "body.form.user: expected not (matches '^admin'), got 'admin1'",
    ),
]


@pytest.mark.parametrize(("match", "good", "bad", "reason"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_operator(match: dict[str, Any], good: Request, bad: Request, reason: str) -> None:
    problems: list[tuple[Any, str]] = []
    conditions = compile_conditions(match, ("match",), problems)
    assert not problems
    assert conditions.holds(RequestView(request(**good)))
    failing = RequestView(request(**bad))
    assert not conditions.holds(failing)
    failures = conditions.failures(failing)
    assert len(failures) == 1
    assert failures[0].startswith(reason), failures[0]


def test_the_table_covers_every_operator_on_every_part() -> None:
    names = {case[0] for case in CASES}
    for part in ("query", "headers", "cookies", "json", "json_path", "schema", "text", "form"):
        assert any(name.startswith(part + "-") or name == part for name in names), part
    for operator in ("equals", "matches", "contains", "one_of", "present", "absent", "gt", "gte", "lt", "lte", "not"):
        assert any(operator in repr(case[1]) for case in CASES), operator


@pytest.mark.parametrize(
    ("pattern", "accepted"),
    [("^Bearer .+", True), ("(a+)+$", True), ("(?<=a)b", False), (r"(a)\1", False), ("(unclosed", False)],
)
def test_regexes_are_re2(pattern: str, accepted: bool) -> None:
    regex, reason = compile_regex(pattern)
    assert (regex is not None) == accepted
    assert (reason is None) == accepted
