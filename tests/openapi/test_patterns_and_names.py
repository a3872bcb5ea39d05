"""Strings that match patterns (JS-style, lookaheads) and believable values chosen from property names."""

from __future__ import annotations

import random
import re

import pytest

from mockery.openapi.names import canonical, number_range, string_maker
from mockery.openapi.patterns import matching_string, python_pattern
from mockery.templates.fakes import new_generator

PATTERNS = [
    r"^[A-Z]{3}-\d{4}$",
    r"/^\+(?:[0-9]-?){6,14}[0-9]$/",
    r"^(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9]).{8,}$",
    r"(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])",
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    r"^\d{5}(-\d{4})?$",
]


@pytest.mark.parametrize("pattern", PATTERNS, ids=range(len(PATTERNS)))
def test_generated_strings_match_their_pattern(pattern: str) -> None:
    regex = re.compile(python_pattern(pattern))
    for seed in range(25):
        text = matching_string(pattern, random.Random(seed))
        assert regex.search(text), (pattern, text)


def test_js_slashes_are_not_part_of_the_pattern() -> None:
    assert python_pattern("/^a+$/") == "^a+$"
    assert python_pattern("^a/b$") == "^a/b$"


def test_length_bounds_are_met_when_the_pattern_allows() -> None:
    for seed in range(10):
        assert 3 <= len(matching_string("^a{1,9}$", random.Random(seed), 3, 5)) <= 5


def test_same_seed_same_string() -> None:
    assert matching_string("^[a-z]{12}$", random.Random(4)) == matching_string("^[a-z]{12}$", random.Random(4))


def test_an_unreadable_pattern_constrains_nothing() -> None:
    assert matching_string("([unclosed", random.Random(1)) == ""


FAKER = new_generator("en_US")
# Each name is spelt several ways; what comes out must look like what the name says.
BELIEVABLE = [
    (("email", "billingEmail", "contact_email"), r"[^@\s]+@[^@\s]+\.[a-z]{2,}"),
    (("first_name", "firstName", "First-Name", "given_name"), r"[A-Z][a-z]+"),
    (("last_name", "lastName", "surname"), r"[A-Z][a-zA-Z'-]+"),
    (("name", "fullName", "displayName"), r"[A-Z][a-zA-Z.']+( [A-Z][a-zA-Z.']+)+"),
    (("city", "homeCity"), r"[A-Z][a-zA-Z]+( [A-Z]?[a-zA-Z]+)*"),
    (("phone", "phoneNumber", "mobile"), r"[0-9+().x -]{7,}"),
    (("url", "website", "homepageUrl"), r"https?://\S+"),
    (("avatar", "avatarUrl"), r"https?://\S+"),
    (("created_at", "updatedAt"), r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"),
    (("currency",), r"[A-Z]{3}"),
    (("company",), r"\S.*"),
]


@pytest.mark.parametrize(("names", "shape"), BELIEVABLE, ids=[names[0] for names, _ in BELIEVABLE])
def test_property_names_give_believable_strings(names: tuple[str, ...], shape: str) -> None:
    for name in names:
        maker = string_maker(name)
        assert maker is not None, name
        for seed in range(5):
            FAKER.seed_instance(seed)
            value = str(maker(FAKER, random.Random(seed)))
            assert re.fullmatch(shape, value), (name, value)
            assert value.split()[0].lower() not in {"lorem", "ipsum", "dolor"}


def test_names_that_say_nothing_get_no_maker() -> None:
    assert string_maker("zorblax") is None
    assert string_maker(None) is None


def test_spellings_are_one_name() -> None:
    assert canonical("first_name") == canonical("firstName") == canonical("First-Name")


def test_number_names_give_believable_ranges() -> None:
    assert number_range("price") == (1, 500, 2)
    low, high, _ = number_range("userAge") or (0, 0, 0)
    assert 18 <= low < high <= 90
    assert number_range("zorblax") is None
