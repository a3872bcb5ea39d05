"""Cross-origin resource sharing: which browser pages may call a mock, and the headers that say so.

A ``CorsPolicy`` is built once per service at load time (from the spec's ``cors`` key, else from ``--cors``),
with every header it can send encoded ahead of time: the listener only looks a request's ``Origin`` up in it.
A request without ``Origin`` (curl, a test client, a same-origin page) gets no CORS header at all, as
Starlette's ``CORSMiddleware`` does. What a policy allows is what a browser enforces: mockery answers a
disallowed origin as it answers anyone, without the headers that would let the page read the answer.
"""

from __future__ import annotations

import dataclasses
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Headers = tuple[tuple[bytes, bytes], ...]

DEFAULT_MAX_AGE = 600
MAX_ECHOED_CHARS = 1024
"""The longest ``Access-Control-Request-Headers`` echoed back; a longer list is cut at a whole name."""
MAX_ORIGIN_CHARS = 512
MAX_METHOD_CHARS = 32

EXPOSED = (
    "Location",
    "Link",
    "X-Total-Count",
    "ETag",
    "Retry-After",
    "Preference-Applied",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)
"""Headers mockery adds to answers that a page's script may read (``Access-Control-Expose-Headers``)."""

# Response headers a script may always read (fetch's CORS-safelisted response header names).
_SAFELISTED = frozenset(
    ("cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma")
)
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^\s/?#@,]+")  # re-ok: fixed pattern
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # re-ok: fixed pattern, linear on any input

ACAO = b"access-control-allow-origin"
_ACAC = (b"access-control-allow-credentials", b"true")
_VARY_ORIGIN = (b"vary", b"Origin")


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """Which origins may read a service's answers, and what their preflights may ask for.

    ``origins`` ``None`` allows every origin (``Access-Control-Allow-Origin: *``, or the origin echoed in
    ``credentials`` mode, never ``*``); ``methods`` ``None`` allows every method the route table has for the
    path; ``headers`` ``None`` echoes the request headers a preflight asks for. ``enabled=False`` sends no CORS
    header and answers no preflight."""

    enabled: bool = True
    origins: tuple[str, ...] | None = None
    methods: tuple[str, ...] | None = None
    headers: tuple[str, ...] | None = None
    credentials: bool = False
    max_age: int = DEFAULT_MAX_AGE
    expose: tuple[str, ...] = EXPOSED
    # Encoded once: what an answer to an allowed origin carries.
    _any: Headers = field(init=False, repr=False, compare=False)
    _by_origin: Mapping[str, Headers] = field(init=False, repr=False, compare=False)
    _common: Headers = field(init=False, repr=False, compare=False)
    _preflight: Headers = field(init=False, repr=False, compare=False)
    _methods: frozenset[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        exposed = ", ".join(self.expose).encode("latin-1")
        common: Headers = ((b"access-control-expose-headers", exposed),) if exposed else ()
        if self.credentials:
            common = (_ACAC, *common)
        by_origin = {origin: ((ACAO, origin.encode("latin-1")), _VARY_ORIGIN, *common) for origin in self.origins or ()}
        preflight: Headers = ((b"access-control-max-age", str(self.max_age).encode()),)
        if self.headers is not None:
            preflight += ((b"access-control-allow-headers", ", ".join(self.headers).encode("latin-1")),)
        set_ = object.__setattr__
        set_(self, "_any", ((ACAO, b"*"), *common))
        set_(self, "_by_origin", by_origin)
        set_(self, "_common", common)
        set_(self, "_preflight", preflight)
        set_(self, "_methods", frozenset(self.methods) if self.methods is not None else None)

    def __repr__(self) -> str:
        if not self.enabled:
            return "CorsPolicy(off)"
        origins = "*" if self.origins is None else ", ".join(self.origins)
        return f"CorsPolicy({origins}{', credentials' if self.credentials else ''})"

    def exposing(self, names: Iterable[str]) -> CorsPolicy:
        """This policy exposing ``names`` too (a service's own headers), safelisted and known names left out."""
        known = {name.lower() for name in self.expose} | _SAFELISTED
        extra = []
        for name in names:
            if name.lower() not in known:
                known.add(name.lower())
                extra.append(name)
        if not extra:
            return self
        return dataclasses.replace(self, expose=(*self.expose, *extra))

    def allows(self, origin: str) -> bool:
        """Whether a page of ``origin`` may read the answers."""
        if not self.enabled:
            return False
        if self.origins is None:
            return len(origin) <= MAX_ORIGIN_CHARS and (origin != "null" or not self.credentials)
        return origin in self._by_origin

    def answer_headers(self, origin: str) -> Headers:
        """The CORS headers of an answer to a request that sent ``Origin: origin``; ``()`` for an origin that
        may not read it."""
        if not self.enabled:
            return ()
        if self.origins is not None:
            return self._by_origin.get(origin, ())
        if not self.credentials:
            return self._any
        if not self.allows(origin):
            return ()
        return ((ACAO, origin.encode("latin-1", errors="replace")), _VARY_ORIGIN, *self._common)

    def preflight_headers(self, origin: str, route_methods: Iterable[str], requested_headers: str | None) -> Headers:
        """The headers of the 204 answering a preflight from ``origin``: the methods of ``route_methods`` the
        policy allows, the request headers allowed (those asked for, echoed, when the policy names none), how
        long the browser may keep the answer. ``()`` for an origin that may not call."""
        allowed = self.answer_headers(origin)
        if not allowed:
            return ()
        methods = sorted({m for m in route_methods if self._methods is None or m in self._methods})
        headers: Headers = (
            *allowed,
            (b"access-control-allow-methods", ", ".join(methods).encode()),
            *self._preflight,
        )
        if self.headers is None and requested_headers:
            echoed = echo_header_names(requested_headers)
            if echoed:
                headers += ((b"access-control-allow-headers", echoed.encode()),)
        return headers


OFF = CorsPolicy(enabled=False)
ANY = CorsPolicy()


def echo_header_names(requested: str) -> str:
    """The header names of an ``Access-Control-Request-Headers`` value that are tokens, as the answer echoes
    them: at most ``MAX_ECHOED_CHARS`` long, cut at a whole name, whatever a client sent."""
    names: list[str] = []
    size = 0
    for part in requested[: MAX_ECHOED_CHARS * 2].split(","):
        name = part.strip()
        if not name or _TOKEN.fullmatch(name) is None:
            continue
        size += len(name) + 2
        if size > MAX_ECHOED_CHARS:
            break
        names.append(name)
    return ", ".join(names)


def is_preflight(method: str, headers: Mapping[str, str]) -> bool:
    """Whether a request is a browser's CORS preflight (``OPTIONS`` with ``Origin`` and the method it asks)."""
    return method == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers


def requested_method(headers: Mapping[str, str]) -> str | None:
    """The method a preflight asks for, upper-cased; ``None`` when it is not a method name (a token of at most
    ``MAX_METHOD_CHARS``), which no route could answer and no answer should echo."""
    method = headers.get("access-control-request-method", "").strip()
    if len(method) > MAX_METHOD_CHARS or _TOKEN.fullmatch(method) is None:
        return None
    return method.upper()


def without_cors(headers: Headers) -> Headers:
    """``headers`` without the ``Access-Control-*`` ones (an upstream's, replaced by the mock's policy)."""
    return tuple(header for header in headers if not header[0].lower().startswith(b"access-control-"))


def parse_cors_option(text: str) -> CorsPolicy:
    """The policy of ``--cors`` / ``MOCKERY_CORS``: ``*`` (every origin), ``off``, or origins separated by
    commas. ``ValueError`` saying what is wrong otherwise."""
    value = text.strip()
    if value.lower() == "off":
        return OFF
    if value == "*":
        return ANY
    origins = tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())
    if not origins:
        raise ValueError("expected `*`, `off`, or origins separated by commas, such as http://localhost:3000")
    for origin in origins:
        if (problem := origin_problem(origin)) is not None:
            raise ValueError(problem)
    return CorsPolicy(origins=origins)


def origin_problem(origin: str) -> str | None:
    """Why ``origin`` is not an origin a browser sends (``scheme://host[:port]``), or ``None``."""
    if origin == "*":
        return "`*` allows every origin: write it alone, not in a list of origins"
    if origin != "null" and _ORIGIN.fullmatch(origin) is None:
        return f"{origin!r} is not an origin: expected scheme://host[:port] with no path, such as http://localhost:3000"
    return None


def compile_cors(raw: Any) -> tuple[CorsPolicy | None, list[tuple[tuple[str | int, ...], str, str]]]:
    """The policy of a service's ``cors`` key (``None`` when absent: the server's default applies), and the
    mistakes the schema cannot see, each as (document path, message, suggestion)."""
    if raw is None:
        return None, []
    if raw is False or raw == "off":
        return OFF, []
    if raw is True or raw == "on":
        return ANY, []
    if not isinstance(raw, dict):
        return None, []  # the schema reports the shape
    problems: list[tuple[tuple[str | int, ...], str, str]] = []
    raw_origins = raw.get("origins", "*")
    origins: tuple[str, ...] | None = None
    if isinstance(raw_origins, list):
        cleaned = [o.rstrip("/") for o in raw_origins if isinstance(o, str)]
        if "*" in cleaned and len(cleaned) > 1:
            where = ("cors", "origins", cleaned.index("*"))
            problems.append((where, "`*` allows every origin: write it alone", "write `origins: '*'` or list origins"))
        elif cleaned != ["*"]:
            origins = tuple(cleaned)  # the schema checks each is an origin
    methods = raw.get("methods")
    headers = raw.get("headers")
    max_age = raw.get("max_age", DEFAULT_MAX_AGE)
    policy = CorsPolicy(
        origins=origins,
        methods=tuple(m.upper() for m in methods if isinstance(m, str)) if isinstance(methods, list) else None,
        headers=tuple(h for h in headers if isinstance(h, str)) if isinstance(headers, list) else None,
        credentials=raw.get("credentials") is True,
        max_age=max_age if isinstance(max_age, int) and not isinstance(max_age, bool) else DEFAULT_MAX_AGE,
    )
    return (None if problems else policy), problems
