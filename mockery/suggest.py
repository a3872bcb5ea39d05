"""Nearest valid names for a mistyped one: the "did you mean" in error messages.

A name is looked for by meaning before spelling: ``company_name`` is nearer ``company`` than ``domain_name``
though it is spelt more like the latter. The order is: the same name in another case; the same letters
without separators (``firstname`` -> ``first_name``); a synonym of the table below; then spelling distance.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# What people write -> what they mean, most likely first. Keys are lower case without separators; a meaning
# is offered only when it is one of the candidates (a filter's synonyms never name a Faker provider).
SYNONYMS: dict[str, tuple[str, ...]] = {
    # Faker providers
    "fullname": ("name",),
    "personname": ("name",),
    "companyname": ("company",),
    "organization": ("company",),
    "organisation": ("company",),
    "phone": ("phone_number",),
    "mobile": ("phone_number",),
    "mobilephone": ("phone_number",),
    "telephone": ("phone_number",),
    "tel": ("phone_number",),
    "cellphone": ("phone_number",),
    "zip": ("postcode", "zipcode"),
    "zipcode": ("postcode", "zipcode"),
    "postalcode": ("postcode", "zipcode"),
    "surname": ("last_name",),
    "lastname": ("last_name",),
    "familyname": ("last_name",),
    "firstname": ("first_name",),
    "givenname": ("first_name",),
    "forename": ("first_name",),
    "mail": ("email",),
    "emailaddress": ("email",),
    "username": ("user_name",),
    "login": ("user_name",),
    "uuid": ("uuid4",),
    "guid": ("uuid4",),
    "addressline": ("street_address",),
    "addressline1": ("street_address",),
    "street": ("street_address",),
    "town": ("city",),
    "state": ("state", "province", "region", "administrative_unit"),
    "province": ("province", "state", "region", "administrative_unit"),
    "region": ("region", "state", "province", "administrative_unit"),
    "countryname": ("country",),
    "datetime": ("date_time",),
    "timestamp": ("iso8601", "date_time"),
    "link": ("url",),
    "website": ("url",),
    "homepage": ("url",),
    "image": ("image_url",),
    "avatar": ("image_url",),
    "picture": ("image_url",),
    "photo": ("image_url",),
    "lorem": ("paragraph", "text"),
    "loremipsum": ("paragraph", "text"),
    "description": ("paragraph", "text"),
    "jobtitle": ("job",),
    "birthdate": ("date_of_birth",),
    "birthday": ("date_of_birth",),
    "dob": ("date_of_birth",),
    "ip": ("ipv4",),
    "ipaddress": ("ipv4",),
    "mac": ("mac_address",),
    "lat": ("latitude",),
    "lng": ("longitude",),
    "lon": ("longitude",),
    "long": ("longitude",),
    "creditcard": ("credit_card_number",),
    "price": ("pricetag", "pydecimal"),
    "integer": ("int", "pyint"),
    "number": ("pyint", "int"),
    "boolean": ("pybool",),
    "min": ("min_value",),
    "minimum": ("min_value",),
    "max": ("max_value",),
    "maximum": ("max_value",),
    "bool": ("pybool",),
    # Jinja filters and tests
    "uppercase": ("upper",),
    "upcase": ("upper",),
    "toupper": ("upper",),
    "lowercase": ("lower",),
    "downcase": ("lower",),
    "tolower": ("lower",),
    "json": ("tojson", "body"),
    "jsonencode": ("tojson",),
    "jsonify": ("tojson",),
    "len": ("length",),
    "size": ("length",),
    "strip": ("trim",),
    "sorted": ("sort",),
    "str": ("string",),
    "tostring": ("string",),
    # the request view
    "params": ("query", "path_params"),
    "args": ("query",),
    "queryparams": ("query",),
    "querystring": ("query",),
    "qs": ("query",),
    "pathparams": ("path_params",),
    "pathparameters": ("path_params",),
    "urlparams": ("path_params",),
    "routeparams": ("path_params",),
    "header": ("headers",),
    "cookie": ("cookies",),
    "data": ("body",),
    "payload": ("body",),
    "content": ("body",),
    "verb": ("method",),
    "url": ("url", "path"),
    "uri": ("url", "path"),
}


def _plain(word: str) -> str:
    return word.lower().replace("_", "").replace("-", "")


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate ``word`` most likely means (by case, separators, meaning, then spelling), or ``None``."""
    pool = list(candidates)
    lowered = {candidate.lower(): candidate for candidate in pool}
    if word.lower() in lowered:
        return lowered[word.lower()]
    plain = _plain(word)
    for candidate in pool:
        if _plain(candidate) == plain:
            return candidate
    for meaning in SYNONYMS.get(plain, ()):
        if meaning in lowered:
            return lowered[meaning]
    matches = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[matches[0]] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """``"did you mean 'email'?"`` when a candidate is close to ``word``."""
    match = closest(word, candidates)
    return f"did you mean {match!r}?" if match is not None and match != word else None
