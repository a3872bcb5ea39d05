"""Reading a request: its body, bounded in size, and the plain-data view templates get of it.

Templates see plain dictionaries and strings, never framework objects, so that nothing reachable from a
template can do more than read the request.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.types import Receive, Scope

from mockery.http.multipart import BadMultipart, is_multipart, parse_multipart

DEFAULT_MAX_BODY = 10 * 1024 * 1024
# How long a client may go silent while it sends a body (MOCKERY_BODY_TIMEOUT); a stalled upload is answered 408.
DEFAULT_BODY_TIMEOUT = 30.0
MAX_JSON_DEPTH = 128
# A request with more header fields, or more query or form fields, than any client sends is refused unparsed.
MAX_HEADERS = 100
MAX_FIELDS = 1000
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
# How much of an oversized body is read and dropped before the 413 is sent; past it the connection closes.
_DRAIN_FACTOR = 4


class BodyTooLarge(Exception):
    """The body is over the configured maximum."""


class BodyTimeout(Exception):
    """The client stopped sending its body for longer than the idle deadline."""


class BadBody(Exception):
    """The body cannot be parsed as its content type says."""


@dataclass(slots=True)
class RawRequest:
    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes


def header_map(scope: Scope) -> dict[str, str]:
    """Headers with lower-case names; repeated headers joined with ', ' as HTTP allows."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


_HTTP1 = frozenset({"1.0", "1.1"})


def without_body(scope: Scope, headers: dict[str, str]) -> bool:
    """Whether HTTP/1 framing says the request has no body (neither ``Content-Length`` nor ``Transfer-Encoding``,
    RFC 9112 6.3): its body is then known without waiting for the server's one empty message. Not for HTTP/2,
    where a body may come without a length."""
    return (
        "content-length" not in headers and "transfer-encoding" not in headers and scope.get("http_version") in _HTTP1
    )


async def read_body(
    receive: Receive, headers: dict[str, str], max_body: int, idle_timeout: float | None = DEFAULT_BODY_TIMEOUT
) -> bytes:
    """The whole body; ``BodyTooLarge`` once it passes ``max_body`` bytes, ``BodyTimeout`` if the client goes
    silent for ``idle_timeout`` seconds between two chunks (a stalled upload would otherwise hold a connection
    and its buffers for ever)."""
    declared = headers.get("content-length")
    too_large = declared is not None and declared.isdigit() and int(declared) > max_body
    # A request without a body gets its one empty message at once: no deadline (and no task) on the hot path.
    if declared in (None, "0") and "transfer-encoding" not in headers:
        idle_timeout = None
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            message = await (receive() if idle_timeout is None else asyncio.wait_for(receive(), idle_timeout))
        except TimeoutError:
            raise BodyTimeout from None
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_body:
            too_large = True
        if too_large:
            if size > max_body * _DRAIN_FACTOR:
                break
        else:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    if too_large:
        raise BodyTooLarge
    return b"".join(chunks)


def parse_body(body: bytes, content_type: str) -> Any:
    """The body as templates see it: parsed JSON, form fields, or text. ``BadBody`` if it cannot be."""
    if not body:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise BadBody(f"the body is not valid JSON: {exc}") from None
        if depth_over(data, MAX_JSON_DEPTH):
            raise BadBody(f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep")
        return data
    if media == FORM_MEDIA_TYPE:
        return query_map(body.decode("latin-1"))
    if is_multipart(media):
        return form_parts(body, content_type)[0]
    return body.decode("utf-8", errors="replace")


def form_parts(body: bytes, content_type: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form fields and file parts of a body: an urlencoded form's fields, a multipart body's fields and
    files (mockery.http.multipart), nothing for any other body. ``BadBody`` for a broken multipart body."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == FORM_MEDIA_TYPE:
        return query_map(body.decode("latin-1")), {}
    if is_multipart(media) and body:
        try:
            parts = parse_multipart(body, content_type)
        except BadMultipart as exc:
            raise BadBody(f"the multipart body is broken: {exc}") from None
        return parts.fields, parts.files
    return {}, {}


def depth_over(data: Any, limit: int) -> bool:
    """Whether parsed JSON nests deeper than ``limit``: checked without recursion, so depth itself cannot overflow."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in value if isinstance(child, (dict, list)))
    return False


def query_map(query_string: str) -> dict[str, Any]:
    """Query or form fields: a single value as a string, a repeated one as a list of strings."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        existing = result.get(key)
        if existing is None:
            result[key] = value
        elif isinstance(existing, list):
            existing.append(value)  # in place: a key repeated n times costs n, not n squared
        else:
            result[key] = [existing, value]
    return result


def cookie_map(header: str | None) -> dict[str, str]:
    if not header:
        return {}
    cookie = SimpleCookie()
    try:
        cookie.load(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in cookie.items()}


def template_request(raw: RawRequest, path_params: dict[str, Any], *, with_body: bool = True) -> dict[str, Any]:
    """The ``request`` variable of templates; the body is parsed (and may raise ``BadBody``) only if asked:
    ``body``, and the ``form`` fields and ``files`` of a form (urlencoded or multipart)."""
    content_type = raw.headers.get("content-type", "")
    form, files = form_parts(raw.body, content_type) if with_body else ({}, {})
    return {
        "method": raw.method,
        "path": raw.path,
        "path_params": path_params,
        "query": query_map(raw.query_string),
        "headers": raw.headers,
        "cookies": cookie_map(raw.headers.get("cookie")),
        "body": None
        if not with_body
        else form
        if raw.body and is_multipart(content_type)
        else parse_body(raw.body, content_type),
        "form": form if with_body else {},
        "files": files if with_body else {},
    }
