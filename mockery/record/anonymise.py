"""Personal data out, Faker in: recorded values recognised as personal become the template of the same kind.

A value is recognised by its field's name (``email``, ``phone``, ``lastName``: the names ``mockery import``
understands, see mockery.openapi.names) and by the value itself (an email, a Luhn-valid card number, an
IBAN, a JWT, a bearer token, an API key, an IP address, a phone number, a street address, a person's name).
The replacement is a template such as ``{{ faker.email() }}``, never the original. Every other string is
escaped (mockery.load.literal) so that braces in recorded data are sent as recorded, not run as templates.
"""

from __future__ import annotations

import functools
import ipaddress
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mockery.load.literal import escape_template, literal_template
from mockery.openapi.names import canonical, faker_provider

_SECRET_ENDINGS = ("token", "secret", "apikey", "password", "passwd", "sessionid", "accesskey")

_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_JWT = r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"
_BEARER = r"(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}"
_API_KEY = (
    r"(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{30,}|(?:api|key)[_-][A-Za-z0-9]{16,}"
)
_CARD = r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])"
_EMBEDDED = re.compile(
    rf"(?P<jwt>{_JWT})|(?P<bearer>{_BEARER})|(?P<key>{_API_KEY})|(?P<email>{_EMAIL})|(?P<card>{_CARD})"
)
_IBAN = re.compile(r"^[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}$")
_PHONE = re.compile(
    r"^(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)\s?|\d{2,4}[\s.-])\d{3,4}[\s.-]?\d{3,4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?$"
    r"|^\+\d{8,15}$|^00\d-\d{3}-\d{3}-\d{4}(?:x\d{1,5})?$"
)
_STREET = re.compile(
    r"^\d{1,6}\s+(?:[A-Z][A-Za-z.'-]*\s+){1,4}(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Lane|Ln\.?|Drive|Dr\.?|"
    r"Boulevard|Blvd\.?|Court|Ct\.?|Way|Place|Pl\.?|Terrace|Circle|Parkway|Square|Highway|Trail|Tunnel|Flat|"
    r"Loop|Crossing|Plaza|Ridge|Row|Walk)\b"
)
_PERSON = re.compile(r"^(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?[A-Z][a-z'-]+(?:\s+[A-Z]\.)?\s+[A-Z][a-zA-Z'-]+$")

# The one table of personal data: each Faker provider whose values are personal data or secrets (a field so
# named is replaced whatever it holds), and the kind of data it stands for.
_PROVIDER_KINDS = {
    "email": "email",
    "first_name": "first name",
    "last_name": "last name",
    "name": "name",
    "user_name": "user name",
    "street_address": "street address",
    "postcode": "postcode",
    "phone_number": "phone",
    "ipv4": "ip address",
    "iban": "iban",
    "credit_card_number": "card number",
    "sha1": "secret",
    "password": "password",
}
# Template of each kind of value: what the recorded spec serves in its place. A kind is served by its provider,
# except the kinds only recognised by their value, not by a field's name.
TEMPLATES = {
    **{kind: f"{{{{ faker.{provider}() }}}}" for provider, kind in _PROVIDER_KINDS.items()},
    "address": "{{ faker.address() }}",
    "ipv6 address": "{{ faker.ipv6() }}",
    "jwt": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{{ faker.sha256() }}.{{ faker.sha1() }}",
    "bearer token": "Bearer {{ faker.sha256() }}",
    "api key": "key_{{ faker.sha1() }}",
}


def luhn(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (as card numbers do)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char)
        if position % 2:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total % 10 == 0


def _iban_valid(text: str) -> bool:
    compact = text.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


@functools.cache
def _known_names() -> tuple[frozenset[str], frozenset[str]]:
    from faker.providers.person.en_US import Provider

    return frozenset(Provider.first_names), frozenset(Provider.last_names)


def kind_of(text: str) -> str | None:
    """The kind of personal data ``text`` is as a whole (a key of ``TEMPLATES``), or ``None``."""
    value = text.strip()
    if not value or len(value) > 500:
        return None
    for name in ("jwt", "bearer", "key", "email"):
        match = _EMBEDDED.fullmatch(value)
        if match is not None and match.lastgroup == name:
            return {"jwt": "jwt", "bearer": "bearer token", "key": "api key", "email": "email"}[name]
    digits = re.sub(r"[ -]", "", value)
    if digits.isdigit() and 13 <= len(digits) <= 19 and _EMBEDDED.fullmatch(value) and luhn(digits):
        return "card number"
    if _IBAN.match(value) and _iban_valid(value):
        return "iban"
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        pass
    else:
        return "ip address" if address.version == 4 else "ipv6 address"
    if _PHONE.match(value) and sum(char.isdigit() for char in value) >= 7:
        return "phone"
    if _STREET.match(value):
        return "address" if "\n" in value or "," in value else "street address"
    if _PERSON.match(value):
        first_names, last_names = _known_names()
        words = [word.strip(".") for word in value.split()]
        if words[0] in first_names or words[-1] in last_names:
            return "name"
    return None


def _by_name(key: str | None) -> str | None:
    """The Faker provider a field called ``key`` gets when its values are personal data or secrets."""
    if not key:
        return None
    provider = faker_provider(key)
    if provider in _PROVIDER_KINDS:
        return provider
    lowered = canonical(key)
    if lowered.endswith(_SECRET_ENDINGS):
        return "password" if "pass" in lowered else "sha1"
    return None


def escape(text: str) -> str:
    """``text`` as a template that renders to exactly ``text`` (see mockery.load.literal)."""
    return literal_template(text)


@dataclass(slots=True)
class Anonymiser:
    """Replaces personal data in recorded bodies; ``replaced`` counts what was replaced, by (place, field, kind).

    With ``enabled=False`` (``--keep-pii``) values are only escaped.
    """

    enabled: bool = True
    replaced: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def value(self, data: Any, place: str, where: str = "$", key: str | None = None) -> Any:
        """``data`` (parsed JSON) with personal values replaced by templates and other strings escaped."""
        if isinstance(data, dict):
            return {name: self.value(item, place, f"{where}.{name}", name) for name, item in data.items()}
        if isinstance(data, list):
            return [self.value(item, place, f"{where}[]", key) for item in data]
        if not self.enabled:
            return escape(data) if isinstance(data, str) else data
        if isinstance(data, str) and data.strip():
            provider = _by_name(key)
            if provider is not None:
                kind = _PROVIDER_KINDS[provider]
                self.replaced[(place, where, kind)] += 1
                return TEMPLATES[kind]
            return self.text(data, place, where)
        if isinstance(data, int) and not isinstance(data, bool) and key is not None:
            provider = _by_name(key)
            if provider in ("phone_number", "credit_card_number"):
                kind = _PROVIDER_KINDS[provider]
                self.replaced[(place, where, kind)] += 1
                return TEMPLATES[kind]
        return data

    def text(self, text: str, place: str, where: str = "$") -> str:
        """A string (a whole value or a text body): personal data in it replaced, the rest escaped."""
        if not self.enabled:
            return escape(text)
        kind = kind_of(text)
        if kind is not None:
            self.replaced[(place, where, kind)] += 1
            return TEMPLATES[kind]
        parts: list[str] = []
        last = 0
        for match in _EMBEDDED.finditer(text):
            group = match.lastgroup or ""
            found = {"jwt": "jwt", "bearer": "bearer token", "key": "api key", "email": "email"}.get(group)
            if group == "card" and luhn(re.sub(r"[ -]", "", match.group())):
                found = "card number"
            if found is None:
                continue
            self.replaced[(place, where, found)] += 1
            # The value is a template now: all of the recorded text around the replacement is escaped.
            parts.append(escape_template(text[last : match.start()]))
            parts.append(TEMPLATES[found])
            last = match.end()
        if not parts:
            return escape(text)
        parts.append(escape_template(text[last:]))
        return "".join(parts)
