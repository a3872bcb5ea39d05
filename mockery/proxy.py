"""Pass-through to the real service: what a service's ``proxy`` forwards, and to where.

Only the configured upstream is ever contacted. The URL sent is the configured base followed by the
request's path (raw, as received) and query, nothing else: the request's ``Host`` header, an absolute-form
request target, ``@`` or ``..`` cannot change the host, and the final URL's scheme, host and port are checked
against the configured ones before anything is sent. Redirects are relayed to the client, never followed,
and the client ignores the environment's proxy settings.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import httpx
import orjson
from starlette.types import Scope

from mockery.spec.model import Proxy, Service

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]

PROBLEM_JSON = b"application/problem+json"
MAX_UPSTREAM_BODY = 50 * 1024 * 1024

# RFC 9110 section 7.6.1, plus the proxy-only ones; never forwarded in either direction.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Set again by the client (from the upstream URL and the body) or by the app (the relayed length).
_RECOMPUTED = frozenset({"host", "content-length"})
_SAFE_PATH = re.compile(r"^/[\x21-\x7e]*$")


def upstream_problem(url: str) -> str | None:
    """Why ``url`` cannot be an upstream (``None`` when it can): an absolute http(s) URL with a host, and no
    user info, query or fragment."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"{url!r} is not a valid URL: {exc}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"{url!r} is not an http:// or https:// URL"
    if not parts.hostname:
        return f"{url!r} names no host"
    if "@" in parts.netloc:
        return f"{url!r} holds user info (user@host)"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return f"{url!r} holds a query or fragment"
    if port == 0:
        return f"{url!r} names port 0"
    if not _SAFE_PATH.match(parts.path or "/"):
        return f"{url!r} holds characters a path cannot"
    return None


def problem(status: int, title: str, detail: str) -> Answer:
    body = orjson.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    return status, [(b"content-type", PROBLEM_JSON)], body


class Refused(Exception):
    """The request cannot be forwarded as it is (its path would leave the upstream)."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One forwarded request and the upstream's answer, as the client received it."""

    method: str
    path: str
    query: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Forwarder:
    """Forwards requests to one upstream with one ``httpx.AsyncClient``, made on first use."""

    def __init__(self, proxy: Proxy, *, extra_headers: Mapping[str, str] | None = None) -> None:
        if (reason := upstream_problem(proxy.upstream)) is not None:
            raise ValueError(reason)
        self.proxy = proxy
        parts = urllib.parse.urlsplit(proxy.upstream)
        base = httpx.URL(proxy.upstream)
        self._scheme, self._host, self._port = base.scheme, base.host, base.port
        self._base = f"{parts.scheme.lower()}://{parts.netloc}{parts.path.rstrip('/')}"
        self._extra = dict(extra_headers or {})
        self._client: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"Forwarder({self.proxy.upstream!r})"

    def url(self, raw_path: str, query: str) -> httpx.URL:
        """The upstream URL of a request for ``raw_path`` (as received) and ``query``; ``Refused`` when it
        cannot be built safely."""
        if not _SAFE_PATH.match(raw_path) or "\\" in raw_path:
            raise Refused(f"the request target {raw_path[:200]!r} is not an origin-form path")
        segments = urllib.parse.unquote(raw_path).split("/")
        if any(segment in (".", "..") for segment in segments):
            raise Refused("the path holds '.' or '..' segments")
        target = self._base + raw_path + (f"?{query}" if query else "")
        url = httpx.URL(target)
        if (url.scheme, url.host, url.port) != (self._scheme, self._host, self._port):
            raise Refused(f"the request target {raw_path[:200]!r} would leave the upstream")
        return url

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None:
            # No idle connections are kept: a listener has no shutdown hook to close them from, and a socket
            # left open when its loop ends is a ResourceWarning.
            self._client = httpx.AsyncClient(
                follow_redirects=False,
                trust_env=False,
                timeout=self.proxy.timeout,
                limits=httpx.Limits(max_keepalive_connections=0),
            )
        return self._client

    async def exchange(
        self, method: str, raw_path: str, query: str, headers: Iterable[tuple[str, str]], body: bytes
    ) -> Exchange:
        """Forward one request; raises ``Refused`` or an ``httpx`` error when there is no upstream answer."""
        url = self.url(raw_path, query)
        sent = forwardable(headers)
        sent.extend(self._extra.items())
        client = self._get_client()
        request = client.build_request(method, url, headers=sent, content=body)
        response = await client.send(request, stream=True)
        try:
            chunks, size = [], 0
            async for chunk in response.aiter_raw():
                size += len(chunk)
                if size > MAX_UPSTREAM_BODY:
                    raise httpx.DecodingError(f"the upstream's body is over {MAX_UPSTREAM_BODY} bytes")
                chunks.append(chunk)
        finally:
            await response.aclose()
        relayed = tuple(
            (name.lower(), value) for name, value in forwardable(response.headers.multi_items(), response=True)
        )
        return Exchange(method, raw_path, query, response.status_code, relayed, b"".join(chunks))

    async def forward_scope(self, scope: Scope, body: bytes) -> Answer:
        """Forward the request of an ASGI ``scope`` whose body is ``body``."""
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else urllib.parse.quote(scope["path"])
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]
        return await self.forward(scope["method"], path, scope["query_string"].decode("latin-1"), headers, body)

    async def forward(
        self, method: str, raw_path: str, query: str, headers: Iterable[tuple[str, str]], body: bytes
    ) -> Answer:
        """The answer to relay for one request: the upstream's, or a problem (400, 502, 504)."""
        try:
            exchange = await self.exchange(method, raw_path, query, headers, body)
        except Refused as exc:
            return problem(400, "Request not forwarded", str(exc))
        except httpx.TimeoutException:
            return problem(
                504, "Upstream timed out", f"{self.proxy.upstream} did not answer within {self.proxy.timeout:g}s"
            )
        except httpx.HTTPError as exc:
            return problem(502, "Upstream unreachable", f"{self.proxy.upstream}: {type(exc).__name__}: {exc}")
        relayed = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in exchange.headers]
        return exchange.status, relayed, exchange.body

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def forwardable(headers: Iterable[tuple[str, str]], *, response: bool = False) -> list[tuple[str, str]]:
    """``headers`` without hop-by-hop ones (and those named by ``Connection``), ``Host`` and the length."""
    pairs = list(headers)
    named = {
        token.strip().lower() for name, value in pairs if name.lower() == "connection" for token in value.split(",")
    }
    return [
        (name, value)
        for name, value in pairs
        if (lowered := name.lower()) not in HOP_BY_HOP and lowered not in _RECOMPUTED and lowered not in named
    ]


class Proxies:
    """The forwarders of the services of one listener: a missed request goes to the service whose base path
    it lies under (the longest), if that service has a ``proxy``."""

    def __init__(self, services: Iterable[Service], previous: Proxies | None = None) -> None:
        known = dict(previous._by_key) if previous is not None else {}
        self._by_key: dict[tuple[str, Proxy], Forwarder] = known
        chosen: list[tuple[str, str, Forwarder]] = []
        for service in services:
            if service.proxy is None:
                continue
            key = (service.name, service.proxy)
            forwarder = known.get(key) or Forwarder(service.proxy)
            self._by_key[key] = forwarder
            chosen.append((service.base_path, service.name, forwarder))
        chosen.sort(key=lambda pair: len(pair[0]), reverse=True)
        self._routes = tuple(chosen)

    def __bool__(self) -> bool:
        return bool(self._routes)

    def for_path(self, path: str) -> tuple[str, Forwarder] | None:
        """(service name, forwarder) of the service that forwards the missed request for ``path``, if any."""
        for base_path, name, forwarder in self._routes:
            if not base_path or path == base_path or path.startswith(base_path + "/"):
                return name, forwarder
        return None

    async def aclose(self) -> None:
        for forwarder in self._by_key.values():
            await forwarder.aclose()
