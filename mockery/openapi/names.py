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


def _birth_date(faker: Any, source: random.Random) -> str:
    day: dt.date = faker.date_of_birth(minimum_age=18, maximum_age=90)
    return day.isoformat()


def _two_digits(high: int) -> Maker:
    def make(faker: Any, source: random.Random) -> str:
        return f"{source.randint(0, high):02d}"

    return make


def _day(faker: Any, source: random.Random) -> str:
    return str(source.randint(1, 28))


def _port(faker: Any, source: random.Random) -> str:
    return str(source.randint(1024, 65535))


class _OneOf:
    """A maker choosing one of a few values that are what such a field holds in real APIs."""

    __slots__ = ("values",)

    def __init__(self, *values: str) -> None:
        self.values = values

    def __call__(self, faker: Any, source: random.Random) -> str:
        return source.choice(self.values)


def _shaped(template: str) -> Maker:
    """``?`` a capital letter, ``#`` a digit: codes and numbers of a known shape."""

    def make(faker: Any, source: random.Random) -> str:
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        return "".join(
            source.choice(letters) if c == "?" else str(source.randint(0, 9)) if c == "#" else c for c in template
        )

    return make


def _words(faker: Any, source: random.Random) -> str:
    return " ".join(faker.words(source.randint(1, 3)))


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


# Names of a person an item refers to: who made, changed or owns it.
_PEOPLE: tuple[str, ...] = (
    "owner",
    "author",
    "assignee",
    "creator",
    "reporter",
    "editor",
    "reviewer",
    "approver",
    "requester",
)
_PEOPLE += ("createdby", "updatedby", "modifiedby", "lasteditedby", "lastmodifiedby", "lastupdatedby", "deletedby")
_IMAGES: tuple[str, ...] = (
    "img",
    "image",
    "avatar",
    "thumbnail",
    "thumb",
    "photo",
    "picture",
    "pic",
    "logo",
    "icon",
    "banner",
)
_IMAGES += ("cover", "poster", "headshot")
# Whose address a ``...Ip`` names (an ending ``ip`` alone would take ``membership`` and ``tooltip``).
_IP_OWNERS: tuple[str, ...] = (
    "request",
    "client",
    "remote",
    "source",
    "server",
    "host",
    "public",
    "private",
    "origin",
    "user",
)
_IP_OWNERS += ("last", "login", "device", "destination", "target", "local", "external", "internal", "peer", "real")

_PROTOBUF_TYPES = ("protobuf.Empty", "protobuf.Duration", "rpc.Status", "rpc.ErrorInfo")

_EXACT: dict[str, Maker] = {
    **{key: _call("email") for key in ("email", "mail", "emailaddress")},
    **{key: _call("first_name") for key in ("firstname", "givenname", "forename")},
    **{key: _call("last_name") for key in ("lastname", "surname", "familyname")},
    **{key: _call("name") for key in ("name", "fullname", "displayname", "contactname")},
    **{key: _call("user_name") for key in ("username", "login", "handle", "nickname", *_PEOPLE)},
    **{key: _call("city") for key in ("city", "town", "locality")},
    **{key: _call("country") for key in ("country", "countryname")},
    **{key: _call("country_code") for key in ("countrycode",)},
    **{key: _call("state") for key in ("state", "province", "region")},
    **{key: _call("street_address") for key in ("street", "address", "address1", "addressline1", "streetaddress")},
    **{key: _call("postcode") for key in ("zip", "zipcode", "postcode", "postalcode")},
    **{key: _call("phone_number") for key in ("phone", "phonenumber", "mobile", "telephone", "tel", "fax")},
    **{key: _call("url") for key in ("url", "website", "homepage", "link", "href", "uri")},
    **{key: _call("image_url") for key in _IMAGES},
    **{key: _call("company") for key in ("company", "companyname", "organization", "organisation", "employer")},
    **{key: _call("currency_code") for key in ("currency", "currencycode")},
    **{key: _call("sentence") for key in ("description", "summary", "bio", "about", "comment", "message", "note")},
    **{key: _call("sentence") for key in ("error", "errormessage", "detail", "details", "reason", "explanation")},
    **{key: _call("sentence") for key in ("hint", "notes", "remarks", "originalmessage", "statusmessage")},
    **{key: _call("paragraph") for key in ("bodytext", "plaintext", "rawresponse", "responsebody")},
    **dict.fromkeys(("id", "identifier", "externalid", "referenceid"), _call("uuid4")),
    **{key: _call("secondary_address") for key in ("address2", "addressline2", "street2", "apartment", "suite")},
    **{key: _call("sha1") for key in ("fingerprint", "sha1", "signature", "nonce", "secretkey", "privatekey")},
    **{key: _call("sha1") for key in ("publickey", "accesskey", "totpsecret", "clientsecret", "sessionid")},
    **{key: _call("credit_card_number") for key in ("pan", "cardpan", "primaryaccountnumber")},
    **dict.fromkeys(("bin", "cardbin", "iin"), _shaped("4#####")),
    **dict.fromkeys(("last4", "lastfour", "lastfourdigits"), _shaped("####")),
    **{key: _call("credit_card_security_code") for key in ("cvv", "cvc", "cvv2", "cvc2", "securitycode")},
    **{key: _call("aba") for key in ("routingnumber", "aba", "sortcode")},
    **{key: _call("bban") for key in ("accountnumber", "bankaccountnumber", "bban")},
    **{key: _call("swift") for key in ("swift", "bic", "swiftcode")},
    **{key: _call("company") for key in ("isp", "carrier", "affiliate", "subaffiliate", "merchant", "descriptor")},
    **{key: _call("company") for key in ("vendor", "supplier", "manufacturer", "brand", "publisher", "provider")},
    **{key: _call("name") for key in ("salesagent", "agent", "customername", "recipientname")},
    **{key: _call("user_name") for key in ("apiuser", "user", "member")},
    **{key: _call("email") for key in ("recipient", "sender", "cc", "bcc", "replyto")},
    **{key: _call("uri_path") for key in ("path", "uripath", "urlpath", "instance", "endpoint", "route")},
    **{key: _call("file_extension") for key in ("extension", "fileextension", "ext")},
    **{key: _call("mime_type") for key in ("contenttype", "mimetype", "mediatype", "filetype")},
    **{key: _call("file_name") for key in ("filename", "file", "attachment", "document")},
    **{key: _call("currency_symbol") for key in ("currencysign", "currencysymbol")},
    **{key: _call("language_code") for key in ("languagecode", "langcode")},
    **{key: _call("catch_phrase") for key in ("campaign", "campaignname", "headline", "slogan", "tagline")},
    **dict.fromkeys(("term", "keyword", "keywords", "searchterm", "query"), _words),
    **dict.fromkeys(("medium", "utmmedium"), _OneOf("cpc", "email", "social", "organic", "referral", "display")),
    **dict.fromkeys(("source", "utmsource"), _OneOf("google", "newsletter", "facebook", "bing", "twitter", "partner")),
    **dict.fromkeys(("status",), _OneOf("active", "pending", "completed", "failed", "cancelled")),
    **dict.fromkeys(("theme", "colorscheme", "appearance"), _OneOf("light", "dark", "system")),
    **dict.fromkeys(("accounttype",), _OneOf("checking", "savings", "business")),
    **dict.fromkeys(("label",), _OneOf("Home", "Work", "Main", "Other", "Personal", "Billing", "Shipping", "Mobile")),
    **dict.fromkeys(("header", "headername"), _OneOf("X-Request-Id", "Authorization", "Accept", "User-Agent")),
    **dict.fromkeys(("bodyhtml", "html"), lambda faker, source: f"<p>{faker.sentence()}</p>"),
    **dict.fromkeys(("code", "reference", "ref"), _shaped("???-#####")),
    **dict.fromkeys(("cavv", "xid", "cryptogram"), lambda faker, source: faker.sha1()[:28]),
    **{key: _call("sha1") for key in ("credential", "credentials", "apitoken")},
    **dict.fromkeys(("isdefault", "enabled", "active"), _OneOf("true", "false")),
    **dict.fromkeys(("eci", "enrollmenteci"), _OneOf("02", "05", "06", "07")),
    **dict.fromkeys(("@type",), _OneOf(*(f"type.googleapis.com/google.{kind}" for kind in _PROTOBUF_TYPES))),
    **dict.fromkeys(("statuscode", "httpstatus"), _OneOf("200", "201", "204", "400", "404", "409", "500")),
    **{key: _call("catch_phrase") for key in ("title", "headline", "subject")},
    **{key: _call("paragraph") for key in ("text", "body", "content")},
    **{key: _call("password") for key in ("password", "secret", "passphrase")},
    **{key: _call("color_name") for key in ("color", "colour")},
    **{key: _call("job") for key in ("job", "jobtitle", "occupation", "position", "role")},
    **{key: _call("language_name") for key in ("language",)},
    **{key: _call("locale") for key in ("locale", "lang")},
    **{key: _call("timezone") for key in ("timezone", "tz")},
    **{key: _call("slug") for key in ("slug",)},
    **{key: _call("ipv4") for key in ("ip", "ipaddress", "ipv4", "ipv4address", *(f"{w}ip" for w in _IP_OWNERS))},
    **{key: _call("ipv6") for key in ("ipv6", "ipv6address")},
    **{key: _call("user_agent") for key in ("useragent", "ua", "browser")},
    **{key: _call("mac_address") for key in ("mac", "macaddress", "hwaddress")},
    **{key: _call("domain_name") for key in ("domain", "domainname", "hostname", "host", "fqdn")},
    **dict.fromkeys(("port", "portnumber"), _port),
    **dict.fromkeys(("day", "dayofmonth"), _day),
    **{key: _call("month_name") for key in ("month", "monthname")},
    **{key: _call("year") for key in ("year",)},
    **{key: _call("day_of_week") for key in ("weekday", "dayofweek", "dayname")},
    **{key: _two_digits(23) for key in ("hour", "hours")},
    **{key: _two_digits(59) for key in ("minute", "minutes", "second", "seconds")},
    **dict.fromkeys(("birthday", "birthdate", "dateofbirth", "dob"), _birth_date),
    **{key: _call("uuid4") for key in ("uuid", "guid")},
    **{key: _call("sha1") for key in ("token", "hash", "checksum", "apikey")},
    **{key: _call("word") for key in ("tag", "category", "kind", "type")},
    **{key: _call("license_plate") for key in ("licenseplate",)},
    **{key: _call("iban") for key in ("iban",)},
    **{key: _call("credit_card_number") for key in ("creditcard", "cardnumber")},
    **dict.fromkeys(("date", "datetime", "timestamp", "time"), _iso_instant),
    **dict.fromkeys(("created", "updated", "modified", "deleted", "expires", "expiry", "since", "until"), _iso_instant),
    **dict.fromkeys(("createdon", "updatedon", "modifiedon", "lastmodified", "lastupdated", "lastseen"), _iso_instant),
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
    ("image", _call("image_url")),
    ("img", _call("image_url")),
    ("avatar", _call("image_url")),
    ("photo", _call("image_url")),
    ("picture", _call("image_url")),
    ("thumbnail", _call("image_url")),
    ("logo", _call("image_url")),
    ("ipaddress", _call("ipv4")),
    ("useragent", _call("user_agent")),
    ("macaddress", _call("mac_address")),
    ("hostname", _call("domain_name")),
    ("domain", _call("domain_name")),
    ("edby", _call("user_name")),  # createdBy, lastEditedBy, approvedBy: who did it
    ("owner", _call("user_name")),
    ("author", _call("user_name")),
    ("assignee", _call("user_name")),
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
    ("message", _call("sentence")),
    ("hash", _call("sha1")),
    ("token", _call("sha1")),
    ("secret", _call("sha1")),
    ("password", _call("password")),
    ("code", _shaped("???-#####")),
    ("number", _shaped("#########")),
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
    ("month", 1, 12, 0),
    ("day", 1, 28, 0),
    ("weekday", 0, 6, 0),
    ("hour", 0, 23, 0),
    ("minute", 0, 59, 0),
    ("port", 1024, 65535, 0),
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
    found = _by_name(key)
    if found is None and len(key) > 3 and key.endswith("s"):
        found = _by_name(key[:-1])  # photoUrls, errors: one of them
    return found


def _by_name(key: str) -> Maker | None:
    if key in _EXACT:
        return _EXACT[key]
    for ending, maker in _ENDINGS:
        if key.endswith(ending) and len(key) > len(ending):
            return maker
    return None


GENERIC = frozenset({"value", "text", "data", "content", "item", "entry"})
"""Names that say nothing on their own: the value of an ``email`` object's ``value`` is an email."""


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
