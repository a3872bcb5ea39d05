"""The CORS policy as pure logic: which origins it allows, the headers it sends, how the spec and --cors read."""

from __future__ import annotations

import re

import pytest

from mockery.http.cors import (
    ANY,
    MAX_ECHOED_CHARS,
    OFF,
    CorsPolicy,
    compile_cors,
    echo_header_names,
    is_preflight,
    parse_cors_option,
    requested_method,
    without_cors,
)

PAGE = "http://localhost:3000"


def named(headers: tuple[tuple[bytes, bytes], ...]) -> dict[str, str]:
    return {name.decode(): value.decode() for name, value in headers}


def test_any_origin_without_credentials_is_a_star_and_exposes_mockerys_headers() -> None:
    headers = named(ANY.answer_headers(PAGE))
    assert headers["access-control-allow-origin"] == "*"
    exposed = headers["access-control-expose-headers"].split(", ")
    assert {"X-Total-Count", "Link", "Location", "Preference-Applied", "X-RateLimit-Remaining"} <= set(exposed)
    assert "access-control-allow-credentials" not in headers


def test_the_star_answer_is_encoded_once_not_per_request() -> None:
    assert ANY.answer_headers(PAGE) is ANY.answer_headers("http://other.test")


def test_credentials_echo_the_origin_with_vary_and_never_a_star() -> None:
    policy = CorsPolicy(credentials=True)
    headers = named(policy.answer_headers(PAGE))
    assert headers["access-control-allow-origin"] == PAGE
    assert headers["access-control-allow-credentials"] == "true"
    assert headers["vary"] == "Origin"
    assert "*" not in headers.values()


def test_credentials_do_not_echo_the_null_origin_unless_listed() -> None:
    assert CorsPolicy(credentials=True).answer_headers("null") == ()
    listed = CorsPolicy(origins=("null",), credentials=True)
    assert named(listed.answer_headers("null"))["access-control-allow-origin"] == "null"


def test_credentials_do_not_echo_an_origin_longer_than_any_browser_sends() -> None:
    assert CorsPolicy(credentials=True).answer_headers("http://" + "a" * 600) == ()


def test_narrowed_origins_allow_only_those_exactly() -> None:
    policy = CorsPolicy(origins=(PAGE,))
    assert named(policy.answer_headers(PAGE))["access-control-allow-origin"] == PAGE
    assert named(policy.answer_headers(PAGE))["vary"] == "Origin"
    assert policy.answer_headers("http://localhost:3001") == ()
    assert policy.answer_headers("http://evil.test") == ()
    assert not policy.allows("http://evil.test")


def test_off_sends_nothing() -> None:
    assert OFF.answer_headers(PAGE) == ()
    assert OFF.preflight_headers(PAGE, {"GET"}, "x-token") == ()
    assert repr(OFF) == "CorsPolicy(off)"


def test_a_preflight_lists_the_route_methods_echoes_the_asked_headers_and_has_a_max_age() -> None:
    headers = named(ANY.preflight_headers(PAGE, {"GET", "HEAD", "DELETE"}, "Authorization, X-Trace"))
    assert headers["access-control-allow-methods"] == "DELETE, GET, HEAD"
    assert headers["access-control-allow-headers"] == "Authorization, X-Trace"
    assert headers["access-control-max-age"] == "600"
    assert headers["access-control-allow-origin"] == "*"


def test_a_preflight_keeps_only_the_methods_the_policy_allows_and_sends_its_own_headers() -> None:
    policy = CorsPolicy(methods=("GET",), headers=("Authorization",), max_age=5)
    headers = named(policy.preflight_headers(PAGE, {"GET", "DELETE"}, "X-Anything"))
    assert headers["access-control-allow-methods"] == "GET"
    assert headers["access-control-allow-headers"] == "Authorization"
    assert headers["access-control-max-age"] == "5"


@pytest.mark.parametrize(
    ("asked", "echoed"),
    [
        pytest.param("x-a, X-B", "x-a, X-B", id="names"),
        pytest.param(" x-a ,, x-b ", "x-a, x-b", id="spaces and empty parts"),
        pytest.param("x-a, bad name, x(b), x-c", "x-a, x-c", id="non-tokens dropped"),
        pytest.param("x-a\r\nSet-Cookie: a=b", "", id="no header injection"),
        pytest.param("", "", id="nothing"),
    ],
)
def test_echoed_header_names_are_tokens_only(asked: str, echoed: str) -> None:
    assert echo_header_names(asked) == echoed


def test_echoed_header_names_are_capped_at_a_whole_name() -> None:
    asked = ", ".join(f"x-header-{n}" for n in range(10_000))
    echoed = echo_header_names(asked)
    assert len(echoed) <= MAX_ECHOED_CHARS
    assert all(name.startswith("x-header-") and name[9:].isdigit() for name in echoed.split(", "))


def test_exposing_adds_a_services_names_once_and_skips_safelisted_ones() -> None:
    policy = ANY.exposing(["X-Request-Id", "x-request-id", "Cache-Control", "X-Total-Count", "X-Custom"])
    exposed = named(policy.answer_headers(PAGE))["access-control-expose-headers"].split(", ")
    assert exposed.count("X-Request-Id") == 1
    assert "Cache-Control" not in exposed
    assert exposed.count("X-Total-Count") == 1
    assert exposed[-2:] == ["X-Request-Id", "X-Custom"]
    assert ANY.exposing(["Content-Type"]) is ANY


def test_a_preflight_is_options_with_origin_and_a_requested_method() -> None:
    assert is_preflight("OPTIONS", {"origin": PAGE, "access-control-request-method": "GET"})
    assert not is_preflight("OPTIONS", {"origin": PAGE})
    assert not is_preflight("OPTIONS", {"access-control-request-method": "GET"})
    assert not is_preflight("GET", {"origin": PAGE, "access-control-request-method": "GET"})


@pytest.mark.parametrize(
    ("asked", "method"),
    [
        pytest.param("delete", "DELETE", id="upper-cased"),
        pytest.param(" PATCH ", "PATCH", id="trimmed"),
        pytest.param("GET, POST", None, id="a list"),
        pytest.param("", None, id="empty"),
        pytest.param("X" * 33, None, id="too long"),
    ],
)
def test_the_requested_method_is_one_method_name(asked: str, method: str | None) -> None:
    assert requested_method({"access-control-request-method": asked}) == method


def test_without_cors_drops_an_upstreams_access_control_headers_only() -> None:
    headers = ((b"access-control-allow-origin", b"https://upstream"), (b"content-type", b"text/plain"))
    assert without_cors(headers) == ((b"content-type", b"text/plain"),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("*", ANY, id="star"),
        pytest.param("off", OFF, id="off"),
        pytest.param(" OFF ", OFF, id="off in any case"),
        pytest.param(f"{PAGE}, http://127.0.0.1:5173/", CorsPolicy(origins=(PAGE, "http://127.0.0.1:5173")), id="list"),
    ],
)
def test_the_cli_option_reads_star_off_or_a_list(text: str, expected: CorsPolicy) -> None:
    assert parse_cors_option(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "expected `*`, `off`", id="empty"),
        pytest.param("localhost:3000", "'localhost:3000' is not an origin", id="no scheme"),
        pytest.param("http://localhost:3000/app", "is not an origin", id="a path"),
        pytest.param(f"{PAGE},*", "write it alone", id="star in a list"),
    ],
)
def test_a_bad_cli_option_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_cors_option(text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, None, id="absent: the server's default"),
        pytest.param("off", OFF, id="off"),
        pytest.param(False, OFF, id="off read as YAML 1.1 false"),
        pytest.param(True, ANY, id="on"),
        pytest.param({}, ANY, id="empty mapping"),
        pytest.param({"origins": ["*"]}, ANY, id="star in a list"),
        pytest.param(
            {"origins": [PAGE + "/"], "credentials": True, "max_age": 5, "methods": ["get"], "headers": ["X-A"]},
            CorsPolicy(origins=(PAGE,), credentials=True, max_age=5, methods=("GET",), headers=("X-A",)),
            id="every key",
        ),
    ],
)
def test_the_spec_key_compiles_to_a_policy(raw: object, expected: CorsPolicy | None) -> None:
    assert compile_cors(raw) == (expected, [])


def test_a_star_among_origins_in_the_spec_is_located() -> None:
    policy, problems = compile_cors({"origins": [PAGE, "*"]})
    assert policy is None
    assert problems == [(("cors", "origins", 1), "`*` allows every origin: write it alone", problems[0][2])]
