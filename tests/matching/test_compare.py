"""mockery.http.compare: the one comparison of request values, and the two policies its callers choose."""

from __future__ import annotations

from typing import Any

import pytest

from mockery.http.compare import MISSING, found_in, number_of, ordered, same, text_of
from mockery.http.regexes import compile_regex


@pytest.mark.parametrize(
    ("actual", "expected", "result"),
    [
        ("2", 2, True),
        ("2.0", 2, True),
        ("true", True, True),
        ("1", True, False),
        (True, 1, False),
        ("null", None, True),
        ("", None, False),
        ("a", "a", True),
        ("a", MISSING, False),
        ("{'a': 1}", {"a": 1}, False),
        ("inf", float("inf"), False),
    ],
    ids=[
        "int",
        "float-text",
        "bool",
        "one-is-not-true",
        "true-is-not-one",
        "null",
        "empty",
        "text",
        "missing",
        "object",
        "inf",
    ],
)
def test_same_as_conditions_use_it(actual: Any, expected: Any, result: bool) -> None:
    assert same(actual, expected) is result


def test_the_query_policy_reads_inf_and_gives_objects_a_text() -> None:
    assert same("inf", float("inf"), finite=False)
    assert same("{'a': 1}", {"a": 1}, other_as_text=True)
    assert not same("x", MISSING, other_as_text=True)


def test_numbers_and_texts() -> None:
    assert number_of("1e3") == 1000.0
    assert number_of("inf") is None
    assert number_of("inf", finite=False) == float("inf")
    assert number_of(True) is None
    assert text_of(False) == "false"
    assert text_of(None) is None
    assert text_of(None, other_as_text=True) == "null"
    assert text_of(MISSING, other_as_text=True) is None


@pytest.mark.parametrize(
    ("value", "name", "bound", "order_text", "result"),
    [
        ("5", "gt", 3.0, False, True),
        ("abc", "gt", 3.0, False, False),
        (5, "lte", 5.0, False, True),
        (5, "gt", "3", True, True),
        ("5", "gt", "10", True, True),  # text is ordered as text
        ("Maria", "gte", "M", True, True),
        (None, "gt", "0", True, False),
        ([1], "gt", "0", True, False),
        (True, "gte", "true", True, True),
    ],
    ids=[
        "condition-text",
        "condition-word",
        "condition-number",
        "query-number",
        "query-text",
        "query-name",
        "query-null",
        "query-list",
        "query-bool",
    ],
)
def test_ordered(value: Any, name: str, bound: Any, order_text: bool, result: bool) -> None:
    assert ordered(value, name, bound, order_text=order_text) is result


def test_found_in() -> None:
    pattern, _ = compile_regex("ul")
    assert found_in(pattern, "null") is True
    assert found_in(pattern, None) is False
    assert found_in(pattern, None, other_as_text=True) is True
    assert found_in(pattern, MISSING, other_as_text=True) is False
