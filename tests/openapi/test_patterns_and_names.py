"""Strings that match patterns (JS-style, lookaheads) and believable values chosen from property names."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from mockery.openapi.generate import SchemaGenerator
from mockery.openapi.names import canonical, number_range, string_maker
from mockery.openapi.patterns import matching_string, python_pattern
from mockery.templates.fakes import new_generator
from tests.openapi.test_generate import document

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
    (("day", "dayOfMonth"), r"([1-9]|1\d|2[0-8])"),
    (("month",), r"(January|February|March|April|May|June|July|August|September|October|November|December)"),
    (("year",), r"(19|20)\d\d"),
    (("weekday", "dayOfWeek"), r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"),
    (("hour",), r"([01]\d|2[0-3])"),
    (("minute", "second"), r"[0-5]\d"),
    (("birthday", "dateOfBirth"), r"(19|20)\d\d-\d\d-\d\d"),
    (("img", "image", "thumbnail", "photo", "picture", "logo", "profileImage", "companyLogo"), r"https?://\S+"),
    (("ip", "ipv4", "requestIp", "clientIp", "remote_ip", "ipAddress"), r"\d{1,3}(\.\d{1,3}){3}"),
    (("ipv6",), r"[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}"),
    (("userAgent", "user_agent"), r"[A-Za-z]+/\d.*"),
    (("mac", "macAddress"), r"[0-9a-f]{2}(:[0-9a-f]{2}){5}"),
    (("hostname", "domain", "serverHostname"), r"[a-z0-9-]+(\.[a-z0-9-]+)+"),
    (("port",), r"\d{4,5}"),
    (("createdBy", "lastEditedBy", "updatedBy", "owner", "author", "assignee", "approvedBy"), r"[a-z][a-z0-9._]+"),
    (("error", "detail", "reason"), r"[A-Z].*\."),
    (("id", "externalId"), r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"),
    (("photoUrls", "errors"), r"\S.+"),
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


@pytest.mark.parametrize("name", ["membership", "tooltip", "sortBy", "orderBy", "from", "to"])
def test_lookalike_names_are_not_taken_for_what_they_only_resemble(name: str) -> None:
    maker = string_maker(name)
    assert maker is None or maker is not string_maker("requestIp")
    assert maker is None or maker is not string_maker("createdBy")


EMAILS = {"type": "object", "required": ["value"], "properties": {"value": {"type": "string"}}}
CONTACT = {
    "type": "object",
    "required": ["emails", "owner", "email", "requestIp"],
    "properties": {
        "emails": {"type": "array", "minItems": 2, "items": EMAILS},
        "owner": {"type": "string", "enum": ["team-a", "team-b"]},
        "email": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "requestIp": {"type": "string", "format": "ipv6"},
    },
}


def test_enum_pattern_and_format_come_before_the_name_and_a_generic_name_takes_its_parents(tmp_path: Path) -> None:
    doc = document({"Contact": CONTACT}, tmp_path)
    schema = doc.data["components"]["schemas"]["Contact"]
    told: list[tuple[str, str]] = []

    def tally(name: str, rule: str) -> None:
        told.append((name, rule))

    for seed in range(5):
        FAKER.seed_instance(seed)
        value = SchemaGenerator(doc, random.Random(seed), FAKER, tally=tally).generate(schema)
        assert doc.validator(schema).is_valid(value), value
        assert value["owner"] in ("team-a", "team-b")
        assert re.fullmatch("[A-Z]{3}", value["email"])
        assert ":" in value["requestIp"]
        assert all("@" in item["value"] for item in value["emails"]), value["emails"]
    assert {rule for name, rule in told if name == "owner"} == {"enum"}
    assert {rule for name, rule in told if name == "email"} <= {"pattern", "name"}
    assert {rule for name, rule in told if name == "requestIp"} == {"format"}


def test_spellings_are_one_name() -> None:
    assert canonical("first_name") == canonical("firstName") == canonical("First-Name")


def test_number_names_give_believable_ranges() -> None:
    assert number_range("price") == (1, 500, 2)
    low, high, _ = number_range("userAge") or (0, 0, 0)
    assert 18 <= low < high <= 90
    assert number_range("zorblax") is None


def test_a_dash_after_a_class_escape_is_a_literal_dash_as_in_ecma_262() -> None:
    """``[\\w- ]`` is a class of word characters, dash and space in JavaScript; Python refuses it as a range."""
    for seed in range(10):
        text = matching_string(r"^[A-Za-z][\w- ]+$", random.Random(seed), 3, 20)
        assert re.fullmatch(r"[A-Za-z][\w\- ]+", text), text
