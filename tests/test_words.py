"""One singular form for every name mockery derives: array items, path parameters, collections."""

from __future__ import annotations

import pytest

from mockery.words import singular


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("users", "user"),
        ("categories", "category"),
        ("address", "address"),
        ("addresses", "addresse"),
        ("data", "data"),
        ("", ""),
    ],
    ids=["s", "ies", "ss", "es", "no-s", "empty"],
)
def test_singular(word: str, expected: str) -> None:
    assert singular(word) == expected
