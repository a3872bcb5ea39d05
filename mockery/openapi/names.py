"""Believable strings and numbers for properties with no format, chosen from the property's name.

A schema rarely says that ``city`` holds a city; its name does. Names are compared in a canonical form
(lower case, no ``_``/``-``), so ``first_name``, ``firstName`` and ``First-Name`` are one name.
Exact names are tried first, then endings (``billingEmail``, ``avatarUrl``, ``createdAt``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

Maker = Callable[[Any, random.Random], Any]


def _iso_instant(faker: Any, source: random.Random) -> str:
    instant: dt.datetime = faker.date_time_between(start_date="-2y", end_date="now", tzinfo=dt.UTC)
    return instant.replace(microsecond=0).isoformat().replace("+00:00", "Z")


class _Provider:
    """A maker that calls one Faker provider; its name is what ``mockery import`` writes in a field."""

    __slots__ = ("provider",)

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def __call__(self, faker: Any, source: random.Random) -> Any:
        return getattr(faker, self.provider)()


def _call(name: str) -> Maker:
    return _Provider(name)


def provider_maker(provider: str) -> Maker:
    """A maker that calls the Faker provider ``provider`` with no arguments."""
    return _Provider(provider)


FORMAT_PROVIDERS: dict[str, str] = {
    "email": "email",
    "uuid": "uuid4",
    "date": "date",
    "uri": "url",
    "url": "url",
    "hostname": "domain_name",
    "ipv4": "ipv4",
    "ipv6": "ipv6",
    "password": "password",
}
"""The one table of string ``format`` -> Faker provider: what ``mockery import`` writes for such a field, and
what the OpenAPI generator calls (which seeds ``uuid`` from the request and asks longer passwords)."""

FORMAT_ALIASES: dict[str, str] = {"idn-email": "email", "iri": "url", "idn-hostname": "hostname"}
"""Formats the OpenAPI generator treats as another one of ``FORMAT_PROVIDERS``."""


_EXACT: dict[str, Maker] = {
    **{key: _call("email") for key in ("email", "mail", "emailaddress")},
    **{key: _call("first_name") for key in ("firstname", "givenname", "forename")},
    **{key: _call("last_name") for key in ("lastname", "surname", "familyname")},
    **{key: _call("name") for key in ("name", "fullname", "displayname", "contactname", "owner", "author")},
    **{key: _call("user_name") for key in ("username", "login", "handle", "nickname")},
    **{key: _call("city") for key in ("city", "town", "locality")},
    **{key: _call("country") for key in ("country", "countryname")},
    **{key: _call("country_code") for key in ("countrycode",)},
    **{key: _call("state") for key in ("state", "province", "region")},
    **{key: _call("street_address") for key in ("street", "address", "address1", "addressline1", "streetaddress")},
    **{key: _call("postcode") for key in ("zip", "zipcode", "postcode", "postalcode")},
    **{key: _call("phone_number") for key in ("phone", "phonenumber", "mobile", "telephone", "tel", "fax")},
    **{key: _call("url") for key in ("url", "website", "homepage", "link", "href", "uri")},
    **{key: _call("image_url") for key in ("avatar", "image", "photo", "picture", "thumbnail", "logo", "icon")},
    **{key: _call("company") for key in ("company", "companyname", "organization", "organisation", "employer")},
    **{key: _call("currency_code") for key in ("currency", "currencycode")},
    **{key: _call("sentence") for key in ("description", "summary", "bio", "about", "comment", "message", "note")},
    **{key: _call("catch_phrase") for key in ("title", "headline", "subject")},
    **{key: _call("paragraph") for key in ("text", "body", "content")},
    **{key: _call("password") for key in ("password", "secret", "passphrase")},
    **{key: _call("color_name") for key in ("color", "colour")},
    **{key: _call("job") for key in ("job", "jobtitle", "occupation", "position", "role")},
    **{key: _call("language_name") for key in ("language",)},
    **{key: _call("locale") for key in ("locale", "lang")},
    **{key: _call("timezone") for key in ("timezone", "tz")},
    **{key: _call("slug") for key in ("slug",)},
    **{key: _call("ipv4") for key in ("ip", "ipaddress", "ipv4")},
    **{key: _call("domain_name") for key in ("domain", "hostname", "host")},
    **{key: _call("uuid4") for key in ("uuid", "guid")},
    **{key: _call("sha1") for key in ("token", "hash", "checksum", "apikey")},
    **{key: _call("word") for key in ("tag", "category", "kind", "type", "label")},
    **{key: _call("license_plate") for key in ("licenseplate",)},
    **{key: _call("iban") for key in ("iban",)},
    **{key: _call("credit_card_number") for key in ("creditcard", "cardnumber")},
    **dict.fromkeys(("date", "datetime", "timestamp", "time"), _iso_instant),
}

# Checked in order: the first ending that fits wins.
_ENDINGS: tuple[tuple[str, Maker], ...] = (
    ("email", _call("email")),
    ("firstname", _call("first_name")),
    ("lastname", _call("last_name")),
    ("username", _call("user_name")),
    ("avatarurl", _call("image_url")),
    ("imageurl", _call("image_url")),
    ("photourl", _call("image_url")),
    ("url", _call("url")),
    ("uri", _call("url")),
    ("phone", _call("phone_number")),
    ("phonenumber", _call("phone_number")),
    ("city", _call("city")),
    ("country", _call("country")),
    ("street", _call("street_address")),
    ("address", _call("street_address")),
    ("zipcode", _call("postcode")),
    ("postalcode", _call("postcode")),
    ("company", _call("company")),
    ("currency", _call("currency_code")),
    ("description", _call("sentence")),
    ("name", _call("name")),
    ("at", _iso_instant),
    ("date", _iso_instant),
    ("time", _iso_instant),
    ("id", _call("uuid4")),
)

# Numbers: (canonical name or ending, low, high, decimals).
_NUMBERS: tuple[tuple[str, float, float, int], ...] = (
    ("price", 1, 500, 2),
    ("amount", 1, 1000, 2),
    ("cost", 1, 500, 2),
    ("total", 1, 2000, 2),
    ("balance", 0, 10000, 2),
    ("age", 18, 90, 0),
    ("quantity", 1, 20, 0),
    ("count", 0, 100, 0),
    ("rating", 1, 5, 1),
    ("latitude", -90, 90, 6),
    ("longitude", -180, 180, 6),
    ("year", 1990, 2026, 0),
    ("percent", 0, 100, 1),
    ("id", 1, 10000, 0),
)


def canonical(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "").replace(" ", "")


def string_maker(name: str | None) -> Maker | None:
    """The Faker-based maker of a string property called ``name``, or ``None`` when the name says nothing."""
    if not name:
        return None
    key = canonical(name)
    if key in _EXACT:
        return _EXACT[key]
    for ending, maker in _ENDINGS:
        if key.endswith(ending) and len(key) > len(ending):
            return maker
    return None


def faker_provider(name: str | None) -> str | None:
    """The Faker provider a string property called ``name`` gets (``None`` when the name says nothing, or
    when the value is not one provider call, as for timestamps)."""
    maker = string_maker(name)
    return maker.provider if isinstance(maker, _Provider) else None


def number_range(name: str | None) -> tuple[float, float, int] | None:
    """A believable (low, high, decimals) for a number property called ``name``."""
    if not name:
        return None
    key = canonical(name)
    for word, low, high, decimals in _NUMBERS:
        if key == word or key.endswith(word):
            return low, high, decimals
    return None
