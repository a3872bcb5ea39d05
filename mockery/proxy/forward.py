"""Pass-through to the real service: what a service's ``proxy`` forwards, and to where.

Only the configured upstream is ever contacted. The URL sent is the configured base followed by the
request's path (raw, as received) and query, nothing else: the request's ``Host`` header, an absolute-form
request target, ``@`` or ``..`` cannot change the host, and the final URL's scheme, host and port are checked
against the configured ones before anything is sent. Redirects are relayed to the client, never followed,
and the client ignores the environment's proxy settings. Metadata and link-local addresses are refused after
resolution, at every connection (mockery.proxy.guard).

Loops are stopped three ways: an upstream that is the very listener serving the service is refused when the
server binds (``refuse_proxy_loops``); every forwarded request carries a ``Via`` entry naming its forwarder,
and a request that comes back with that entry, or that already passed more than ``MAX_VIA_HOPS`` proxies, is
answered 508 instead of being forwarded again.
"""

from __future__ import annotations

import re  # re-ok: fixed patterns, none supplied by a client or a spec
import secrets
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.types import Scope

from mockery.errors import ServeError
from mockery.http.answer import Answer, problem
from mockery.http.behaviours import parse_duration
from mockery.model.services import Proxy, Service
from mockery.proxy.guard import host_problem, reaches_listener
from mockery.source.document import DocPath
from mockery.tracing.context import TRACE_HEADERS, current

if TYPE_CHECKING:
    import httpx  # imported where a proxy is compiled or forwards: a server without one does not load it

MAX_UPSTREAM_BODY = 50 * 1024 * 1024
DEFAULT_TIMEOUT_SECONDS = 30.0
MAX_TIMEOUT_SECONDS = 600.0
MAX_VIA_HOPS = 10
"""A request whose ``Via`` already lists more proxies than this is answered 508, not forwarded."""

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
# Of an answer, managed by the server that sends it (mockery), never relayed from the upstream's.
_SERVER_MANAGED = frozenset({"date", "server"})
_SAFE_PATH = re.compile(r"^/[\x21-\x7e]*$")
ALLOW_HINT = "set proxy.allow_link_local: true if the real service does live there"


def upstream_problem(url: str, *, allow_link_local: bool = False) -> str | None:
    """Why ``url`` cannot be an upstream (``None`` when it can): an absolute http(s) URL with a host, and no
    user info, query or fragment; unless ``allow_link_local``, not a metadata service or a link-local address
    (see ``forbidden_upstream``)."""
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
    import httpx

    try:
        httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"{url!r} is not a valid URL: {exc}"
    return None if allow_link_local else forbidden_upstream(url)


def forbidden_upstream(url: str) -> str | None:
    """Why a proxy never forwards to ``url`` as written: its host is a cloud metadata service's name, or a
    literal metadata or link-local address in any spelling. Names are checked again once resolved."""
    host = urllib.parse.urlsplit(url).hostname or ""
    reason = host_problem(host)
    return None if reason is None else f"{url!r} names {reason}"


def compile_proxy(raw: Any) -> tuple[Proxy | None, list[tuple[DocPath, str, str]]]:
    """The ``Proxy`` of a service's ``proxy`` mapping, and the mistakes the schema cannot see: a bad or
    forbidden upstream, a timeout with a unit that is out of range. A wrong shape is the schema's to report."""
    if not isinstance(raw, dict) or not isinstance(raw.get("upstream"), str):
        return None, []
    upstream: str = raw["upstream"]
    allow = raw.get("allow_link_local") is True
    problems: list[tuple[DocPath, str, str]] = []
    if (reason := upstream_problem(upstream, allow_link_local=True)) is not None:
        problems.append((("proxy", "upstream"), reason, "name the real service as an absolute http:// or https:// URL"))
    elif not allow and (reason := forbidden_upstream(upstream)) is not None:
        problems.append((("proxy", "upstream"), reason, ALLOW_HINT))
    timeout = raw.get("timeout", DEFAULT_TIMEOUT_SECONDS)
    seconds = DEFAULT_TIMEOUT_SECONDS
    if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
        seconds = float(timeout)
    elif isinstance(timeout, str) and timeout.strip().endswith("s") and (parsed := parse_duration(timeout)) is not None:
        # A string without a unit is the schema's to refuse: a bare number in a string would read as ms.
        if 0 < parsed <= MAX_TIMEOUT_SECONDS:
            seconds = parsed
        else:
            problems.append(
                (
                    ("proxy", "timeout"),
                    f"{timeout!r} is not a timeout above 0 and at most {MAX_TIMEOUT_SECONDS:g}s",
                    "write a duration such as 2s or 500ms",
                )
            )
    if problems:
        return None, problems
    return Proxy(upstream, seconds, allow_link_local=allow), []


class Refused(Exception):
    """The request cannot be forwarded as it is (its path would leave the upstream)."""


class LoopDetected(Refused):
    """The request came back to the forwarder that already sent it, or passed too many proxies."""


def via_entries(values: Iterable[str]) -> list[str]:
    """The entries of ``Via`` header values: split at the commas outside comments, blanks dropped."""
    entries: list[str] = []
    for value in values:
        depth, start, escaped = 0, 0, False
        for index, char in enumerate(value):
            if escaped:
                escaped = False
            elif char == "\\" and depth:
                escaped = True
            elif char == "(":
                depth += 1
            elif char == ")" and depth:
                depth -= 1
            elif char == "," and not depth:
                entries.append(value[start:index])
                start = index + 1
        entries.append(value[start:])
    return [stripped for entry in entries if (stripped := entry.strip())]


def refuse_proxy_loops(services: Iterable[Service], listener_host: str, listener_url: str) -> None:
    """``ServeError`` when a service's upstream is the listener that serves it (``listener_host`` as asked,
    ``listener_url`` as bound): every request it forwards would come back to it, without end."""
    bound = urllib.parse.urlsplit(listener_url)
    loops = []
    for service in services:
        if service.proxy is None:
            continue
        upstream = urllib.parse.urlsplit(service.proxy.upstream)
        port = upstream.port or (443 if upstream.scheme.lower() == "https" else 80)
        for host in {listener_host, bound.hostname or ""}:
            if reaches_listener(upstream.hostname or "", port, host, bound.port or 0):
                loops.append(
                    f"service {service.name!r} would proxy to itself: its upstream {service.proxy.upstream} is the "
                    f"listener {listener_url} that serves it"
                )
                break
    if loops:
        raise ServeError("; ".join(loops) + "; point proxy.upstream at the real service")


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
        if (reason := upstream_problem(proxy.upstream, allow_link_local=proxy.allow_link_local)) is not None:
            raise ValueError(reason)
        import httpx

        self.proxy = proxy
        parts = urllib.parse.urlsplit(proxy.upstream)
        base = httpx.URL(proxy.upstream)
        self._scheme, self._host, self._port = base.scheme, base.host, base.port
        self._base = f"{parts.scheme.lower()}://{parts.netloc}{parts.path.rstrip('/')}"
        self._extra = dict(extra_headers or {})
        self._client: httpx.AsyncClient | None = None
        # The received-by of this forwarder's Via entries: a request that carries it has come back.
        self.via_name = f"mockery-{secrets.token_hex(4)}"

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
        import httpx

        target = self._base + raw_path + (f"?{query}" if query else "")
        url = httpx.URL(target)
        if (url.scheme, url.host, url.port) != (self._scheme, self._host, self._port):
            raise Refused(f"the request target {raw_path[:200]!r} would leave the upstream")
        return url

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            from mockery.proxy.connect import GuardedTransport

            # No idle connections are kept: a listener has no shutdown hook to close them from, and a socket
            # left open when its loop ends is a ResourceWarning.
            transport = GuardedTransport(
                limits=httpx.Limits(max_keepalive_connections=0), allow_link_local=self.proxy.allow_link_local
            )
            self._client = httpx.AsyncClient(
                transport=transport, follow_redirects=False, trust_env=False, timeout=self.proxy.timeout
            )
        return self._client

    def via(self, headers: Iterable[tuple[str, str]], protocol: str = "1.1") -> str:
        """The ``Via`` to send: the request's entries and this forwarder's; ``LoopDetected`` when the request
        already carries this forwarder's entry or more than ``MAX_VIA_HOPS`` entries."""
        entries = via_entries(value for name, value in headers if name.lower() == "via")
        if any(entry.split()[1:2] == [self.via_name] for entry in entries):
            raise LoopDetected(f"the request came back to the proxy that forwarded it ({self.via_name} is in its Via)")
        if len(entries) > MAX_VIA_HOPS:
            raise LoopDetected(f"the request passed {len(entries)} proxies already (Via), more than {MAX_VIA_HOPS}")
        return ", ".join([*entries, f"{protocol} {self.via_name}"])

    async def exchange(
        self,
        method: str,
        raw_path: str,
        query: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        *,
        protocol: str = "1.1",
    ) -> Exchange:
        """Forward one request (received over HTTP/``protocol``); raises ``Refused`` (``LoopDetected``) or an
        ``httpx`` error when there is no upstream answer."""
        url = self.url(raw_path, query)
        received = list(headers)
        via = self.via(received, protocol)
        sent = [(name, value) for name, value in forwardable(received) if name.lower() != "via"]
        sent.append(("via", via))
        sent.extend(self._extra.items())
        if (span := current()) is not None:  # tracing: the upstream call is a child span whose context goes on
            attributes = {"http.request.method": method, "url.full": str(url), "server.address": url.host}
            with span.child(f"proxy {method}", attributes) as child:
                sent = [pair for pair in sent if pair[0].lower() not in TRACE_HEADERS]
                sent.extend(child.headers().items())
                exchange = await self._send(method, url, raw_path, query, sent, body)
                child.set({"http.response.status_code": exchange.status})
                return exchange
        return await self._send(method, url, raw_path, query, sent, body)

    async def _send(
        self, method: str, url: httpx.URL, raw_path: str, query: str, sent: list[tuple[str, str]], body: bytes
    ) -> Exchange:
        import httpx

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
        query = scope["query_string"].decode("latin-1")
        protocol = str(scope.get("http_version", "1.1"))
        return await self.forward(scope["method"], path, query, headers, body, protocol=protocol)

    async def forward(
        self,
        method: str,
        raw_path: str,
        query: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        *,
        protocol: str = "1.1",
    ) -> Answer:
        """The answer to relay for one request: the upstream's, or a problem (400, 502, 504, 508)."""
        import httpx

        from mockery.proxy.connect import ForbiddenUpstream

        try:
            exchange = await self.exchange(method, raw_path, query, headers, body, protocol=protocol)
        except LoopDetected as exc:
            return problem(508, "Loop detected", str(exc))
        except Refused as exc:
            return problem(400, "Request not forwarded", str(exc))
        except httpx.TimeoutException:
            return problem(
                504, "Upstream timed out", f"{self.proxy.upstream} did not answer within {self.proxy.timeout:g}s"
            )
        except httpx.HTTPError as exc:
            if isinstance(exc.__cause__, ForbiddenUpstream):
                return problem(502, "Upstream forbidden", f"{self.proxy.upstream}: {exc}; {ALLOW_HINT}")
            return problem(502, "Upstream unreachable", f"{self.proxy.upstream}: {type(exc).__name__}: {exc}")
        relayed = tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in exchange.headers)
        return Answer(exchange.status, relayed, exchange.body)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def forwardable(headers: Iterable[tuple[str, str]], *, response: bool = False) -> list[tuple[str, str]]:
    """``headers`` without hop-by-hop ones (and those named by ``Connection``), ``Host`` and the length; a
    ``response`` 's without ``Date`` and ``Server`` too (the server that relays it manages those)."""
    pairs = list(headers)
    named = {
        token.strip().lower() for name, value in pairs if name.lower() == "connection" for token in value.split(",")
    }
    if response:
        named |= _SERVER_MANAGED
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
