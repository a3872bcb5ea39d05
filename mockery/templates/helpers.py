"""Template helpers other mock tools have (WireMock's and Mockoon's), as Jinja filters and functions.

Each is bounded: its input is refused past a size (``RenderLimitError``, a 500 naming the limit), and what
it builds is counted in the render's budget by the sandbox (mockery.templates.operations ``charged``).
Regexes are RE2 (linear time, no back-references), compiled with the bounds mockery.http.regexes uses; the
``re2`` module is imported here directly because templates sit below the http layer. XML is parsed without a
DTD: a document declaring one (and so any entity) is refused, so nothing can expand or reach a file.

The table of helpers, with WireMock's and Mockoon's names, is in docs/spec.md (Template helpers).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac as hmac_module
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote_plus
from xml.etree import ElementTree
from xml.parsers import expat

import orjson
import re2  # type: ignore[import-untyped]
from jinja2 import ChainableUndefined

from mockery.templates.limits import MAX_OUTPUT_CHARS, RenderLimitError

MAX_PATTERN_CHARS = 1_000
MAX_TOKEN_CHARS = 16 * 1024
MAX_SHIFT_DAYS = 1_000_000
_HASHES = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}
_DURATION = re.compile(r"\s*([+-]?)\s*(\d{1,9})\s*(ms|s|m|h|d|w)\s*")
_UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _text(value: Any, what: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if len(text) > limit:
        raise RenderLimitError(f"{what}: {len(text)} characters is over the limit of {limit}")
    return text


def _regex(pattern: Any) -> Any:
    text = _text(pattern, "regex", MAX_PATTERN_CHARS)
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(text, options)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise RenderLimitError(f"RE2 cannot compile the regex {text!r}: {reason}") from None


def _missing(what: str) -> Any:
    """What a helper gives when it finds nothing: undefined, as a missing request value is (empty in text,
    ``null`` in a lone expression, replaced by ``| default(...)``)."""
    return ChainableUndefined(hint=what)


def regex_extract(value: Any, pattern: Any, group: int | str = 0) -> Any:
    """The first match of the RE2 ``pattern`` in ``value`` (or its ``group``), undefined when none."""
    found = _regex(pattern).search(_text(value, "regex_extract"))
    return _missing("no match") if found is None else found.group(group)


def regex_extract_all(value: Any, pattern: Any) -> list[Any]:
    """Every match of the RE2 ``pattern`` in ``value`` (its groups when it has any)."""
    return list(_regex(pattern).findall(_text(value, "regex_extract_all")))


def regex_replace(value: Any, pattern: Any, replacement: Any) -> str:
    """``value`` with every match of the RE2 ``pattern`` replaced (``\\1`` names a group)."""
    text = _text(value, "regex_replace")
    result: str = _regex(pattern).sub(_text(replacement, "regex_replace", MAX_PATTERN_CHARS), text)
    return _text(result, "regex_replace")


def b64encode(value: Any, urlsafe: bool = False) -> str:
    """``value`` (text as UTF-8) in base64."""
    data = value if isinstance(value, bytes) else _text(value, "b64encode").encode("utf-8")
    encoded = base64.urlsafe_b64encode(data) if urlsafe else base64.b64encode(data)
    return encoded.decode("ascii")


def b64decode(value: Any) -> str:
    """Base64 (standard or URL-safe, padding optional) decoded as UTF-8 text."""
    text = _text(value, "b64decode").strip()
    try:
        data = base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise RenderLimitError(f"b64decode: {text[:40]!r} is not base64") from None
    return data.decode("utf-8", "replace")


def url_encode(value: Any) -> str:
    """``value`` percent-encoded for a URL component (every reserved character encoded)."""
    return quote(_text(value, "url_encode"), safe="")


def url_decode(value: Any) -> str:
    """Percent-encoding (and ``+`` as a space) decoded."""
    return unquote_plus(_text(value, "url_decode"))


def digest(value: Any, algorithm: str = "sha256") -> str:
    """The hex digest of ``value`` (text as UTF-8): ``md5``, ``sha1``, ``sha256`` or ``sha512``."""
    if algorithm not in _HASHES:
        raise RenderLimitError(f"unknown hash {algorithm!r}: one of {', '.join(_HASHES)}")
    data = value if isinstance(value, bytes) else _text(value, "hash").encode("utf-8")
    return _HASHES[algorithm](data).hexdigest()


def _hash_filter(algorithm: str) -> Callable[[Any], str]:
    def hashed(value: Any) -> str:
        return digest(value, algorithm)

    hashed.__name__ = algorithm
    hashed.__doc__ = f"The {algorithm} hex digest of the value."
    return hashed


def hmac(value: Any, key: Any, algorithm: str = "sha256") -> str:
    """The hex HMAC of ``value`` with ``key`` (``sha1``, ``sha256``, ``sha512``, ``md5``)."""
    if algorithm not in _HASHES:
        raise RenderLimitError(f"unknown hash {algorithm!r}: one of {', '.join(_HASHES)}")
    message = _text(value, "hmac").encode("utf-8")
    return hmac_module.new(_text(key, "hmac key", MAX_TOKEN_CHARS).encode("utf-8"), message, algorithm).hexdigest()


def from_json(value: Any) -> Any:
    """JSON text parsed (objects, arrays, numbers, strings); a bad text is a render error."""
    try:
        return orjson.loads(_text(value, "from_json"))
    except orjson.JSONDecodeError as exc:
        raise RenderLimitError(f"from_json: not JSON: {exc}") from None


def _b64url_json(part: str) -> Any:
    try:
        return orjson.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise RenderLimitError("jwt_decode: not a JWT (a part is not base64url JSON)") from None


def jwt_decode(value: Any, part: str = "payload") -> Any:
    """The payload (or ``part='header'``) of a JWT, ``Bearer `` prefix allowed. The signature is NOT
    verified: a mock reads what a client sent, it does not authenticate it."""
    token = _text(value, "jwt_decode", MAX_TOKEN_CHARS).strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    pieces = token.split(".")
    if len(pieces) != 3:
        raise RenderLimitError("jwt_decode: not a JWT (three dot-separated parts expected)")
    return _b64url_json(pieces[0] if part == "header" else pieces[1])


def jwt_sign(payload: Any, secret: Any) -> str:
    """A JWT of ``payload`` (a mapping) signed with HS256 and ``secret``."""
    if not isinstance(payload, dict):
        raise RenderLimitError("jwt_sign: the payload must be a mapping")

    def part(data: Any) -> str:
        raw = orjson.dumps(data, default=str)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    head = part({"alg": "HS256", "typ": "JWT"}) + "." + part(payload)
    key = _text(secret, "jwt_sign secret", MAX_TOKEN_CHARS).encode("utf-8")
    signature = hmac_module.new(key, head.encode("ascii"), "sha256").digest()
    return head + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")


def duration(text: str) -> dt.timedelta:
    """``'3d'``, ``'-2h'``, ``'1w 2d'``, ``'90s'``, ``'500ms'`` as a time span."""
    total = dt.timedelta()
    position = 0
    while position < len(text):
        found = _DURATION.match(text, position)
        if found is None or found.end() == position:
            raise RenderLimitError(f"{text!r} is not a duration such as '3d', '-2h' or '1w 2d'")
        amount = int(found.group(2)) * (-1 if found.group(1) == "-" else 1)
        total += dt.timedelta(**{_UNITS[found.group(3)]: amount})
        position = found.end()
    if position == 0 or abs(total.days) > MAX_SHIFT_DAYS:
        raise RenderLimitError(f"{text!r} is not a duration of at most {MAX_SHIFT_DAYS} days")
    return total


def _date(value: Any) -> dt.datetime | dt.date:
    if isinstance(value, dt.datetime | dt.date):
        return value
    return parse_date(value)


def shift(value: Any, by: str) -> dt.datetime | dt.date:
    """A date or time moved by a duration: ``now() | shift('3d')``, ``'2024-01-31' | shift('-1w')``."""
    try:
        return _date(value) + duration(_text(by, "shift", 100))
    except OverflowError:
        raise RenderLimitError(f"shift: {by!r} moves the date out of range") from None


def add(value: Any, **parts: int | float) -> dt.datetime | dt.date:
    """A date or time moved by ``weeks``, ``days``, ``hours``, ``minutes``, ``seconds`` (negative: back)."""
    allowed = {"weeks", "days", "hours", "minutes", "seconds", "milliseconds"}
    unknown = sorted(set(parts) - allowed)
    if unknown:
        raise RenderLimitError(f"add: unknown unit {unknown[0]!r}: one of {', '.join(sorted(allowed))}")
    try:
        span = dt.timedelta(**parts)
        if abs(span.days) > MAX_SHIFT_DAYS:
            raise OverflowError
        return _date(value) + span
    except (OverflowError, TypeError):
        raise RenderLimitError(f"add: {parts} moves the date out of range") from None


def parse_date(value: Any, format: str | None = None) -> dt.datetime:
    """Text as a datetime: ISO 8601 / RFC 3339 (``Z`` allowed), epoch seconds, or ``format`` (strptime's);
    a time without a zone is UTC."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    text = _text(value, "parse_date", 100).strip()
    try:
        parsed = dt.datetime.strptime(text, format) if format else dt.datetime.fromisoformat(text)
    except ValueError:
        expected = f"the format {format!r}" if format else "ISO 8601 such as 2024-05-01T10:00:00Z"
        raise RenderLimitError(f"parse_date: {text!r} is not {expected}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def strftime(value: Any, format: str = "%Y-%m-%dT%H:%M:%SZ") -> str:
    """A date or time written with a strftime format (``'%d/%m/%Y'``); ``format='epoch'`` gives seconds."""
    moment = _date(value)
    if format in ("epoch", "unix"):
        if not isinstance(moment, dt.datetime):
            moment = dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.UTC)
        return str(int(moment.timestamp()))
    return moment.strftime(_text(format, "strftime", 200))


def date_format(text_format: Callable[..., str]) -> Callable[..., str]:
    """Jinja's ``format`` filter, which also writes a date or time with a strftime format:
    ``now() | add(days=3) | format('%Y-%m-%d')``; text is formatted as Jinja formats it."""

    def format(value: Any, *args: Any, **kwargs: Any) -> str:
        if isinstance(value, dt.date) and len(args) <= 1 and not kwargs:
            return strftime(value, *args)
        return text_format(value, *args, **kwargs)

    return format


def _xml_root(text: str) -> ElementTree.Element:
    builder = ElementTree.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    def refuse(*_: Any) -> None:
        raise RenderLimitError("a document with a DTD (entities) is not parsed")

    def start(tag: str, attributes: dict[str, str]) -> None:
        builder.start(name(tag), {name(key): value for key, value in attributes.items()})

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(text, True)
        return builder.close()
    except expat.ExpatError as exc:
        raise RenderLimitError(f"not XML: {expat.ErrorString(exc.code)} at line {exc.lineno}") from None
    except AssertionError:
        raise RenderLimitError("not XML: no root element") from None


def parse_xml(text: Any) -> ElementTree.Element:
    """An XML text as an element tree, refusing any DTD (and so every entity)."""
    return _xml_root(_text(text, "xml"))


def xpath_select(root: ElementTree.Element, expression: str, namespaces: dict[str, str] | None = None) -> list[Any]:
    """What an XPath subset selects: ElementTree's paths (``/a/b``, ``//b``, ``b[@id='1']``, ``b[2]``,
    ``{uri}b`` or ``ns:b`` with ``namespaces``), ending in ``/text()`` (texts) or ``/@name`` (attributes)."""
    path = expression.strip()
    attribute = None
    want_text = False
    if path.endswith("/text()"):
        path, want_text = path[: -len("/text()")], True
    elif re.search(r"/@[\w:.-]+$", path):
        path, _, attribute = path.rpartition("/@")
    if path.startswith("//"):
        path = "." + path
    elif path.startswith("/"):
        first, _, rest = path[1:].partition("/")
        name = first.split("[")[0]
        if name not in ("*", root.tag) and _qualified(name, namespaces) != root.tag:
            return []
        path = "./" + rest if rest else "."
    try:
        found = root.findall(path, namespaces or {}) if path != "." else [root]
    except (SyntaxError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise RenderLimitError(f"xpath: {expression!r} is not in the supported subset: {exc}") from None
    if attribute is not None:
        name = _qualified(attribute, namespaces)
        return [element.get(name) for element in found if element.get(name) is not None]
    if want_text:
        return [element.text or "" for element in found]
    return found


def _qualified(name: str, namespaces: dict[str, str] | None) -> str:
    prefix, colon, local = name.partition(":")
    if colon and namespaces and prefix in namespaces:
        return "{" + namespaces[prefix] + "}" + local
    return name


def xpath(value: Any, expression: str, namespaces: dict[str, str] | None = None) -> Any:
    """The text (or attribute value) of the first node the XPath subset selects in an XML text, undefined
    when none; see ``xpath_select``."""
    found = xpath_select(parse_xml(value), _text(expression, "xpath", MAX_PATTERN_CHARS), namespaces)
    if not found:
        return _missing("no node")
    first = found[0]
    return first if isinstance(first, str) else "".join(first.itertext())


FILTERS: dict[str, Callable[..., Any]] = {
    "regex_extract": regex_extract,
    "regex_extract_all": regex_extract_all,
    "regex_replace": regex_replace,
    "b64encode": b64encode,
    "b64decode": b64decode,
    "url_encode": url_encode,
    "url_decode": url_decode,
    "md5": _hash_filter("md5"),
    "sha1": _hash_filter("sha1"),
    "sha256": _hash_filter("sha256"),
    "sha512": _hash_filter("sha512"),
    "hash": digest,
    "hmac": hmac,
    "from_json": from_json,
    "jwt_decode": jwt_decode,
    "jwt_sign": jwt_sign,
    "parse_date": parse_date,
    "shift": shift,
    "add": add,
    "strftime": strftime,
    "xpath": xpath,
}
GLOBALS: dict[str, Callable[..., Any]] = {
    "parse_date": parse_date,
    "duration": duration,
    "jwt_sign": jwt_sign,
}

__all__ = ["FILTERS", "GLOBALS", "duration", "parse_xml", "shift", "xpath_select"]
