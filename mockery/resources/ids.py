"""Ids of a collection with seed data or string ids: the seed's ids as given, then generated ones that decode.

Records 1..S are the seed records, with their own ids (looked up in a table). Record ``S + m`` gets the
``m``-th generated id: integers (or their text, for ``id: string``) counting on from the largest numeric seed
id, or a ``uuid``, ``ulid``, ``nanoid`` or ``slug`` that encodes ``m`` (scrambled, tagged with bits derived from
the seed), so ``GET /users/{id}`` still finds its record without a scan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from mockery.model.resources import Resource
from mockery.resources.generate import IdCodec, RecordId
from mockery.resources.lazy import LazyRecords

_LOW_BITS = 48
_LOW_MASK = (1 << _LOW_BITS) - 1
_MULTIPLIER = 0x2545F4914F6D  # odd, so invertible modulo 2**48
_INVERSE = pow(_MULTIPLIER, -1, 1 << _LOW_BITS)
NANOID_ALPHABET = "useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict"
_NANOID_SIZE = 21
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ADJECTIVES = (
    "amber",
    "brave",
    "calm",
    "dusty",
    "eager",
    "fancy",
    "gentle",
    "happy",
    "icy",
    "jolly",
    "kind",
    "lucky",
    "merry",
    "noble",
    "odd",
    "proud",
    "quiet",
    "rapid",
    "shy",
    "tidy",
    "urban",
    "vivid",
    "warm",
    "young",
    "zesty",
    "bold",
    "clever",
    "daring",
    "early",
    "fair",
    "grand",
    "honest",
)
_NOUNS = (
    "otter",
    "falcon",
    "maple",
    "river",
    "cedar",
    "harbor",
    "meadow",
    "comet",
    "pebble",
    "lantern",
    "willow",
    "badger",
    "canyon",
    "dune",
    "ember",
    "fjord",
    "glacier",
    "heron",
    "island",
    "jasper",
    "kestrel",
    "lagoon",
    "marsh",
    "nebula",
    "orchid",
    "prairie",
    "quartz",
    "raven",
    "summit",
    "tulip",
    "wren",
    "yak",
)


def _tag(seed: int, what: str, bits: int) -> int:
    digest = hashlib.blake2b(f"{seed}\x1f{what}".encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big") & ((1 << bits) - 1)


def _scramble(number: int) -> int:
    return (number * _MULTIPLIER) & _LOW_MASK


def _unscramble(value: int) -> int:
    return (value * _INVERSE) & _LOW_MASK


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def numeric_text(value: Any) -> int | None:
    """``value`` as a positive integer when it is one, or the plain decimal text of one (``"12"``, not ``"012"``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    plain = isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20
    if plain and (value == "0" or not value.startswith("0")):
        return int(value)
    return None


class SeededCodec(IdCodec):
    """Ids of a collection whose first records are seed data, or whose ids are strings."""

    def __init__(self, resource: Resource, seed: int) -> None:
        super().__init__("uuid" if resource.id_kind == "uuid" else "integer", seed)
        self.kind = resource.id_kind
        self.format = resource.id_format or ("uuid" if resource.id_kind == "uuid" else "")
        given = resource.seed
        # Ids 1..n of a big JSONL file are a range: nothing kept per record.
        self._ids: Sequence[RecordId] = given.ids if isinstance(given, LazyRecords) else [r["id"] for r in given]
        self._size = len(self._ids)
        self._numbers: dict[str, int] = {}
        if isinstance(self._ids, range):
            self._offset = self._size
        else:
            self._numbers = {str(record_id): number for number, record_id in enumerate(self._ids, 1)}
            self._offset = max((n for n in map(numeric_text, self._ids) if n is not None), default=0)
        self._seed = seed
        self._nano_tag = _tag(seed, "nanoid", _NANOID_SIZE * 6 - _LOW_BITS)
        self._ulid_time = 1_700_000_000_000 + _tag(seed, "ulid-time", 34)
        self._ulid_tag = _tag(seed, "ulid", 80 - _LOW_BITS)
        self._slug_tag = _tag(seed, "slug", 10)

    def __repr__(self) -> str:
        return f"SeededCodec({self.kind!r}, format={self.format!r}, seeded={self._size})"

    def id_for(self, number: int) -> RecordId:
        if number <= self._size:
            return self._ids[number - 1]
        m = number - self._size
        if self.kind == "integer":
            return self._offset + m
        if self.format == "uuid":
            return super().id_for(m)  # a uuid that decodes (self.kind is not "integer" here)
        if self.format == "nanoid":
            value = self._nano_tag << _LOW_BITS | _scramble(m)
            return "".join(NANOID_ALPHABET[(value >> (6 * i)) & 63] for i in reversed(range(_NANOID_SIZE)))
        if self.format == "ulid":
            value = self._ulid_time << 80 | self._ulid_tag << _LOW_BITS | _scramble(m)
            return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))
        if self.format == "slug":
            scrambled = _scramble(m) ^ self._slug_tag  # the words differ from one seed to another
            adjective, noun = _ADJECTIVES[scrambled & 31], _NOUNS[(scrambled >> 5) & 31]
            return f"{adjective}-{noun}-{_base36(m)}"
        return str(self._offset + m)

    def parse(self, raw: object) -> tuple[str, int | None] | None:
        if self.kind == "integer":
            if isinstance(raw, bool):
                return None
            if isinstance(raw, int):
                value = raw
            elif isinstance(raw, str) and raw.isascii() and raw.lstrip("-").isdigit() and len(raw) < 20:
                value = int(raw)
            else:
                return None
            key = str(value)
            seeded = self._seeded(key)
            if seeded is not None:
                return key, seeded
            return key, self._size + value - self._offset if value > self._offset else None
        if isinstance(raw, bool) or not isinstance(raw, str | int) or raw == "":
            return None
        key = str(raw)
        seeded = self._seeded(key)
        if seeded is not None:
            return key, seeded
        return self._decode(key)

    def _seeded(self, key: str) -> int | None:
        """The number of the seed record with this id (as text), if one has it."""
        if isinstance(self._ids, range):
            number = numeric_text(key)
            return number if number is not None and 1 <= number <= self._size else None
        return self._numbers.get(key)

    def _decode(self, key: str) -> tuple[str, int | None]:
        m: int | None = None
        if self.format == "uuid":
            parsed = super().parse(key)
            if parsed is None:
                return key, None
            key, m = parsed
        elif self.format == "nanoid":
            if len(key) == _NANOID_SIZE and all(c in NANOID_ALPHABET for c in key):
                value = 0
                for char in key:
                    value = value << 6 | NANOID_ALPHABET.index(char)
                if value >> _LOW_BITS == self._nano_tag:
                    m = _unscramble(value & _LOW_MASK)
        elif self.format == "ulid":
            if len(key) == 26 and all(c in CROCKFORD for c in key):
                value = 0
                for char in key:
                    value = value << 5 | CROCKFORD.index(char)
                if value >> 80 == self._ulid_time and (value >> _LOW_BITS) & ((1 << 32) - 1) == self._ulid_tag:
                    m = _unscramble(value & _LOW_MASK)
        elif self.format == "slug":
            _, _, tail = key.rpartition("-")
            if tail.isascii() and tail.isalnum() and len(tail) < 12:
                candidate = int(tail, 36)
                if candidate > 0 and self.id_for(self._size + candidate) == key:
                    m = candidate
        else:
            number = numeric_text(key)
            if number is not None and number > self._offset:
                m = number - self._offset
        if m is None or m < 1:
            return key, None
        return key, self._size + m
