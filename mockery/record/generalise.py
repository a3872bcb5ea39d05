"""From recorded paths to route paths: numeric and UUID segments become typed parameters.

``/users/42/orders/7`` becomes ``/users/{user_id:int}/orders/{id:int}``: the last parameter is ``id``, the
others are named after the segment before them. A segment holding personal data (an email, a token) becomes
a plain ``{name}`` parameter, so that the value never lands in the spec.
"""

from __future__ import annotations

import re  # re-ok: fixed patterns, none supplied by a client or a spec
import urllib.parse

from mockery.record.anonymise import kind_of
from mockery.words import singular

_INT = re.compile(r"^\d{1,18}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NAME = re.compile(r"[^a-z0-9]+")


def _segment_type(segment: str) -> str | None:
    text = urllib.parse.unquote(segment)
    if _INT.match(text):
        return "int"
    if _UUID.match(text):
        return "uuid"
    if kind_of(text) is not None:
        return ""
    return None


def _name_after(previous: str, taken: set[str]) -> str:
    word = singular(_NAME.sub("_", previous.lower()).strip("_"))
    base = f"{word}_id" if word and word[0].isalpha() else "param"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}{number}", number + 1
    return name


def template(path: str) -> str:
    """The route path ``path`` generalises to (``path`` itself when nothing in it varies)."""
    segments = path.split("/")
    kinds = [_segment_type(segment) if segment else None for segment in segments]
    positions = [index for index, kind in enumerate(kinds) if kind is not None]
    taken: set[str] = set()
    for index in positions:
        previous = segments[index - 1] if index > 0 and kinds[index - 1] is None else ""
        name = "id" if index == positions[-1] and "id" not in taken else _name_after(previous, taken)
        taken.add(name)
        convertor = kinds[index]
        segments[index] = f"{{{name}:{convertor}}}" if convertor else f"{{{name}}}"
    return "/".join(segments)
