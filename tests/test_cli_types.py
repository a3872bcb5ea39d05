"""The click types of numeric options: what they accept, and the message for what they refuse."""

from __future__ import annotations

import click
import pytest

from mockery.cli_types import Seconds, Size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1048576", 1048576),
        ("0", 0),
        ("512k", 512 * 1024),
        ("10M", 10 * 1024**2),
        ("10MB", 10 * 1024**2),
        ("10MiB", 10 * 1024**2),
        ("1.5k", 1536),
        (" 1g ", 1024**3),
    ],
)
def test_a_size_is_bytes_or_a_binary_unit(text: str, size: int) -> None:
    assert Size().convert(text, None, None) == size


@pytest.mark.parametrize("text", ["-1", "inf", "-inf", "nan", "1e400", "10XB", "k", "", "ten"])
def test_a_size_that_is_not_one_is_refused_with_examples(text: str) -> None:
    with pytest.raises(click.BadParameter, match="is not a size such as 512k"):
        Size().convert(text, None, None)


@pytest.mark.parametrize(("text", "zero"), [("0", False), ("-1", True), ("inf", True), ("nan", False), ("soon", False)])
def test_seconds_are_finite_and_above_0_unless_0_is_allowed(text: str, zero: bool) -> None:
    with pytest.raises(click.BadParameter, match="is not a number of seconds"):
        Seconds(zero=zero).convert(text, None, None)
    assert Seconds(zero=True).convert("0", None, None) == 0.0
    assert Seconds().convert("0.25", None, None) == 0.25
