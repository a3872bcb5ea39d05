"""Verification: call patterns in the spec's condition language, and assertions that fail with one paragraph."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mockery import ArgumentError, CallPattern, MockServer, SpecErrors, UnknownServiceError
from mockery.http.journal import Call
from mockery.testing import verify

SPEC = """\
service: shop
base_path: /api
routes:
  - method: POST
    path: /orders
    response: {status: 201, body: {ok: true}}
  - path: /orders
    response: {body: []}
  - path: /orders/{id:int}
    response: {body: {id: "{{ request.path_params.id }}"}}
  - method: POST
    path: /carts
    response: {status: 201}
"""


def call(
    method: str = "GET",
    path: str = "/orders",
    query: str = "",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    service: str = "shop",
    status: int = 200,
) -> Call:
    return Call(service, method, path, query, headers or {}, body, f"{method} {path}", status, 0.001)


@pytest.mark.parametrize(
    ("pattern", "holds"),
    [
        (CallPattern("POST", "/orders"), True),
        (CallPattern("post", "/orders"), True),
        (CallPattern("GET", "/orders"), False),
        (CallPattern(None, "/orders"), True),
        (CallPattern("POST", "/orders/{id}"), False),
        (CallPattern("POST", "/orders?src=web"), True),
        (CallPattern("POST", "http://127.0.0.1:9/orders?src=web"), True),
        (CallPattern("POST", "/orders?src=app"), False),
        (CallPattern("POST", "/orders", query={"src": {"one_of": ["web", "app"]}}), True),
        (CallPattern("POST", "/orders", query={"page": {"absent": True}}), True),
        (CallPattern("POST", "/orders", headers={"Authorization": {"matches": "^Bearer "}}), True),
        (CallPattern("POST", "/orders", headers={"authorization": "Basic x"}), False),
        (CallPattern("POST", "/orders", json={"items": [{"sku": "A1"}]}), True),
        (CallPattern("POST", "/orders", json={"amount": 1999}), False),
        (CallPattern("POST", "/orders", body={"json_path": {"$.items[0].qty": {"gte": 2}}}), True),
        (CallPattern("POST", "/orders", body={"json_path": {"$.amount": {"lt": 100}}}), False),
        (CallPattern("POST", "/orders", body={"schema": {"type": "object", "required": ["amount"]}}), True),
        (CallPattern("POST", "/orders", body={"schema": {"required": ["coupon"]}}), False),
        (CallPattern("POST", "/orders", body={"text": {"contains": '"sku": "A1"'}}), True),
        (CallPattern("POST", "/orders", service="shop"), True),
        (CallPattern("POST", "/orders", service="users"), False),
    ],
    ids=str,
)
def test_a_pattern_says_what_a_route_can_match(pattern: CallPattern, holds: bool) -> None:
    order = call(
        "POST",
        "/orders",
        "src=web",
        b'{"amount": 2000, "items": [{"sku": "A1", "qty": 2}]}',
        {"authorization": "Bearer t0k3n", "content-type": "application/json"},
    )
    assert pattern.matches(order) is holds
    assert bool(pattern.differences(order)) is not holds


def test_route_patterns_in_the_path_match_any_segment_of_their_type() -> None:
    pattern = CallPattern("GET", "/orders/{id:int}")
    assert pattern.matches(call(path="/orders/7"))
    assert not pattern.matches(call(path="/orders/seven"))
    assert not pattern.matches(call(path="/orders/7/lines"))
    assert CallPattern("GET", "/files/{rest:path}").matches(call(path="/files/a/b.txt"))


def test_a_repeated_query_field_in_the_url_must_be_repeated_alike() -> None:
    pattern = CallPattern("GET", "/orders?tag=a&tag=b")
    assert pattern.matches(call(query="tag=a&tag=b&page=2"))
    assert not pattern.matches(call(query="tag=a"))


def test_differences_name_each_field_in_the_order_of_match() -> None:
    pattern = CallPattern("POST", "/orders", query={"src": "app"}, json={"amount": 1999})
    got = call("GET", "/order", "src=web", b'{"amount": 2000}')
    assert pattern.differences(got) == [
        "method: expected POST, got GET",
        "path: expected '/orders', got '/order'",
        "query.src: expected 'app', got 'web'",
        "body.json: amount: expected 1999, got 2000",
    ]


def test_every_mistake_in_the_conditions_is_reported_at_once_with_a_suggestion() -> None:
    with pytest.raises(SpecErrors) as raised:
        CallPattern("GET", "/x", query={"a": {"matchs": "x"}}, headers={"h": {}}, json=5)
    text = str(raised.value)
    assert "query.a.matchs: unknown key 'matchs'; did you mean 'matches'?" in text
    assert "headers.h:" in text
    assert "json: expected a mapping or a list, got 5" in text
    assert "3 errors found" in text


def test_a_regex_re2_refuses_or_a_bad_json_path_is_an_error_not_a_silent_pass() -> None:
    with pytest.raises(SpecErrors, match=r"query\.a\.matches: RE2 cannot compile the regex '\(\?<=a\)'"):
        CallPattern("GET", "/x", query={"a": {"matches": "(?<=a)"}})
    with pytest.raises(SpecErrors, match=r"body\.json_path\.\$\[: '\$\[' is not a JSON path"):
        CallPattern("GET", "/x", body={"json_path": {"$[": 1}})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"method": "GET /x"}, "a method is a name such as 'GET'"),
        ({"method": "GET", "path": "orders"}, "a path starts with '/': 'orders'; did you mean '/orders'?"),
        ({"method": "GET", "path": 42}, "a path is a string"),
        ({"method": "GET", "path": "/x", "query": ["a"]}, "query= is a mapping"),
        ({"method": "GET", "path": "/x?a=1", "query": {"a": "2"}}, "given both in the path and in query="),
        ({"method": "GET", "path": "/x", "json": {}, "body": {"json": {}}}, "the JSON body is given twice"),
        ({"method": "GET", "path": "/x/{id:nope}"}, "is not a route pattern"),
    ],
    ids=["method", "relative-path", "path-type", "query-type", "query-twice", "json-twice", "path-pattern"],
)
def test_arguments_of_the_wrong_shape_are_refused(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ArgumentError, match=message.replace("?", r"\?").replace("(", r"\(")):
        CallPattern(**arguments)


@pytest.mark.parametrize(
    ("bounds", "count", "phrase"),
    [
        ({}, 0, "to be called at least once, it was not called"),
        ({"exactly": 1}, 2, "to be called once, it was called 2 times"),
        ({"exactly": 3}, 1, "to be called 3 times, it was called once"),
        ({"exactly": 0}, 1, "not to be called, it was called once"),
        ({"at_least": 2}, 1, "to be called at least 2 times, it was called once"),
        ({"at_most": 1}, 2, "to be called at most once, it was called 2 times"),
        ({"at_least": 2, "at_most": 3}, 4, "to be called between 2 and 3 times, it was called 4 times"),
    ],
    ids=["default", "once", "three", "never", "at-least", "at-most", "between"],
)
def test_counts_are_said_in_words(bounds: dict[str, int], count: int, phrase: str) -> None:
    calls = [call() for _ in range(count)]
    with pytest.raises(AssertionError) as failure:
        verify.assert_called(calls, CallPattern("GET", "/orders"), **bounds)
    assert f"expected GET /orders {phrase}" in str(failure.value)


@pytest.mark.parametrize(
    "bounds",
    [
        {"exactly": -1},
        {"at_least": True},
        {"at_most": 1.5},
        {"exactly": 1, "at_least": 1},
        {"at_least": 3, "at_most": 2},
    ],
    ids=["negative", "bool", "float", "times-and-bounds", "crossed"],
)
def test_impossible_counts_are_refused(bounds: dict[str, Any]) -> None:
    with pytest.raises(ArgumentError):
        verify.assert_called([call()], CallPattern("GET", "/orders"), **bounds)


def test_assert_called_returns_the_matching_calls() -> None:
    calls = [call(query="page=1"), call("POST"), call(query="page=2")]
    found = verify.assert_called(calls, CallPattern("GET", "/orders"), at_least=2)
    assert [each.query for each in found] == [{"page": "1"}, {"page": "2"}]


def test_the_closest_calls_come_first_with_the_first_field_that_differs() -> None:
    calls = [
        call("GET", "/health"),
        call("POST", "/orders", body=b'{"amount": 2000}'),
        call("GET", "/orders", body=b'{"amount": 1999}'),
    ]
    with pytest.raises(AssertionError) as failure:
        verify.assert_called(calls, CallPattern("POST", "/orders", json={"amount": 1999}))
    lines = str(failure.value).splitlines()
    assert lines[0].endswith("it was not called; 3 calls received, the closest:")
    assert lines[1] == "  #2 POST /orders -> 200 [shop: POST /orders]: body.json: amount: expected 1999, got 2000"
    assert lines[2] == "  #3 GET /orders -> 200 [shop: GET /orders]: method: expected POST, got GET"
    assert lines[3].startswith(
        "  #1 GET /health -> 200 [shop: GET /health]: method: expected POST, got GET (and 2 more)"
    )


def test_a_full_journal_says_that_earlier_calls_are_not_counted() -> None:
    with pytest.raises(AssertionError, match=r"2 calls received \(the journal keeps the last 2: earlier calls"):
        verify.assert_called([call(), call()], CallPattern("POST", "/orders"), capacity=2)
    with pytest.raises(AssertionError, match=r"2 calls received, the closest"):
        verify.assert_called([call(), call()], CallPattern("POST", "/orders"), capacity=3)


def test_an_empty_journal_is_said_plainly() -> None:
    with pytest.raises(AssertionError, match=r"it was not called; no call was received$"):
        verify.assert_called([], CallPattern("GET", "/orders"))


def test_order_allows_calls_between_and_names_the_first_missing_step() -> None:
    calls = [call("POST", "/orders"), call("POST", "/carts"), call("GET", "/orders"), call("POST", "/orders")]
    found = verify.assert_in_order(calls, [CallPattern("POST", "/carts"), CallPattern("POST", "/orders")])
    assert found == [calls[1], calls[3]]
    with pytest.raises(AssertionError) as failure:
        verify.assert_in_order(
            calls, [CallPattern("POST", "/orders"), CallPattern("POST", "/carts"), CallPattern("DELETE", "/carts")]
        )
    message = str(failure.value)
    assert message.startswith(
        "expected calls in this order: 1. POST /orders; 2. POST /carts; 3. DELETE /carts. "
        "1. was call #1, 2. was call #2, but no call after #2 matched 3.; the closest after:"
    )
    with pytest.raises(AssertionError, match=r"no call after #2 matched 2\. \(it was called before: #1\)"):
        verify.assert_in_order(calls[:2], [CallPattern("POST", "/carts"), CallPattern("POST", "/orders")])
    with pytest.raises(ArgumentError):
        verify.assert_in_order(calls, [])


def test_not_called_and_no_unmatched_list_the_offending_calls() -> None:
    calls = [call(), call(path="/nope", status=404), *(call("POST") for _ in range(7))]
    calls[1] = Call("shop", "GET", "/nope", "", {}, b"", "-", 404, 0.001)
    with pytest.raises(AssertionError) as failure:
        verify.assert_not_called(calls, CallPattern("POST", "/orders"))
    lines = str(failure.value).splitlines()
    assert lines[0] == "expected POST /orders not to be called, it was called 7 times:"
    assert lines[1] == "  #3 POST /orders -> 200 [shop: POST /orders]"
    assert lines[-1] == "  ... and 2 more"
    with pytest.raises(AssertionError, match=r"1 call matched none:\n  #2 GET /nope -> 404 \[shop: -\]"):
        verify.assert_no_unmatched(calls)
    verify.assert_no_unmatched(calls[:1])


def test_call_lists_filter_like_assertions_and_slice_to_call_lists() -> None:
    calls = verify.CallList([call(query="page=1"), call("POST", body=b'{"a": 1}'), call(query="page=2")])
    assert calls("GET", query={"page": "2"}) == [calls[2]]
    assert calls(json={"a": 1}) == [calls[1]]
    assert calls.last is calls[2]
    assert isinstance(calls[1:], verify.CallList)
    with pytest.raises(AssertionError, match="no call was received"):
        _ = verify.CallList().last


def test_check_service_refuses_a_service_that_is_not_served() -> None:
    with pytest.raises(
        UnknownServiceError, match=r"no service named 'shpo'; services: \['shop'\]; did you mean 'shop'\?"
    ):
        verify.check_service(CallPattern("GET", "/x", service="shpo"), ["shop"])


# End to end: requests over HTTP to a real server, verified through MockServer.


@pytest.fixture
def shop(serve: Callable[..., MockServer]) -> MockServer:
    return serve(inline=SPEC)


def test_verification_over_http_by_query_headers_json_and_json_path(shop: MockServer) -> None:
    api = shop.url + "/api"
    httpx.post(api + "/carts")
    httpx.post(
        api + "/orders", json={"amount": 1999, "lines": [{"sku": "A1", "qty": 2}]}, headers={"Idempotency-Key": "k1"}
    )
    httpx.get(api + "/orders?status=paid&page=2")
    httpx.get(api + "/orders/17")
    shop.assert_called("GET", "/api/orders?status=paid", times=1)
    shop.assert_called("GET", "/api/orders", query={"page": {"gte": 2}})
    shop.assert_called("POST", "/api/orders", headers={"idempotency-key": {"present": True}}, json={"amount": 1999})
    shop.assert_called("POST", "/api/orders", body={"json_path": {"$.lines[0].sku": {"matches": "^A"}}})
    shop.assert_called("GET", "/api/orders/{id:int}", at_most=1, service="shop")
    shop.assert_not_called("POST", "/api/orders", json={"amount": 1})
    shop.assert_not_called("DELETE", None)
    shop.assert_no_unmatched()
    in_order = shop.assert_called_in_order(["POST /api/carts", ("POST", "/api/orders", {"json": {"amount": 1999}})])
    assert [each.path for each in in_order] == ["/api/carts", "/api/orders"]
    order = shop.calls("POST", "/api/orders").last
    assert order.body["lines"] == [{"sku": "A1", "qty": 2}]
    assert order.status == 201
    assert len(shop.calls(query={"status": "paid"})) == 1
    assert shop.journal.calls(where=CallPattern(path="/api/orders/{id}").matches)[0].path == "/api/orders/17"


def test_a_query_in_the_path_is_a_condition_not_part_of_the_path(shop: MockServer) -> None:
    httpx.get(shop.url + "/api/orders?status=paid")
    shop.assert_called("GET", "/api/orders?status=paid")
    with pytest.raises(AssertionError) as failure:
        shop.assert_called("GET", "/api/orders?status=new")
    assert (
        "#1 GET /api/orders?status=paid -> 200 [shop: GET /api/orders]: query.status: expected 'new', got 'paid'"
        in str(failure.value)
    )


def test_verification_failures_over_http_show_the_closest_call(shop: MockServer) -> None:
    httpx.post(shop.url + "/api/orders", json={"amount": 2000})
    with pytest.raises(AssertionError) as failure:
        shop.assert_called("POST", "/api/orders", json={"amount": 1999}, times=1)
    assert str(failure.value) == (
        "expected POST /api/orders with json={'amount': 1999} to be called once, it was not called; "
        "1 call received, the closest:\n"
        "  #1 POST /api/orders -> 201 [shop: POST /api/orders]: body.json: amount: expected 1999, got 2000"
    )
    with pytest.raises(UnknownServiceError, match="did you mean 'shop'"):
        shop.assert_called("POST", "/api/orders", service="shpo")
    with pytest.raises(ArgumentError, match="a list of calls"):
        shop.assert_called_in_order("POST /api/orders")


def test_calls_made_after_reset_are_the_only_ones_verified(shop: MockServer) -> None:
    httpx.get(shop.url + "/api/orders/1")
    mark = shop.journal.mark()
    shop.reset()
    shop.assert_not_called("GET", "/api/orders/1")
    httpx.get(shop.url + "/api/orders/2")
    assert [each.path for each in shop.journal.calls(since=mark)] == ["/api/orders/2"]
    assert shop.calls == [shop.calls.last]


def test_a_server_whose_journal_overflowed_says_so(serve: Callable[..., MockServer]) -> None:
    mock = serve(inline=SPEC, journal_size=2)
    httpx.post(mock.url + "/api/carts")
    for _ in range(2):
        httpx.get(mock.url + "/api/orders")
    with pytest.raises(AssertionError, match=r"the journal keeps the last 2: earlier calls are not counted"):
        mock.assert_called("POST", "/api/carts")
