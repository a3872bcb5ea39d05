"""The recording proxy: forward every request to the upstream, keep the exchanges, write them as a spec.

The spec has one route per method and path template (see mockery.record.generalise) answering the status,
content type and body observed first with the most common status; a concrete path that answered another
status gets a literal route of its own. Bodies go through the ``Anonymiser`` before they are written.
Only the ``Content-Type`` of a response is written: cookies, tokens and every other header are dropped.
Every recorded string is written to be served as recorded: never run as a template, never substituted as a
``${VAR}`` (see mockery.load.literal).

``POST /__mockery/record/stop`` is guarded like the admin API (mockery.server.admin_guard: no cross-site request, a
loopback listener and Host); every body the recorder receives is read with a cap (413 past it).
"""

from __future__ import annotations

import datetime as dt
import re  # re-ok: fixed patterns, none supplied by a client or a spec
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml
from starlette.types import Receive, Scope, Send

from mockery.http.answer import Answer, problem, send_answer
from mockery.http.paths import RESERVED_PREFIX
from mockery.http.requests import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_MAX_BODY,
    BodyTimeout,
    BodyTooLarge,
    header_map,
    read_body,
)
from mockery.load.literal import literal_template, spec_text_data
from mockery.model.services import Proxy
from mockery.proxy.forward import Exchange, Forwarder, Refused
from mockery.record.anonymise import Anonymiser
from mockery.record.generalise import template
from mockery.server.admin_guard import ADMIN_MAX_BODY, AdminGuard

STOP_PATH = f"{RESERVED_PREFIX}/record/stop"
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Response headers never written into a spec (all but Content-Type are dropped; these are named in the summary).
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "x-auth-token",
        "x-csrf-token",
        "x-xsrf-token",
        "proxy-authorization",
        "www-authenticate",
        "x-amz-security-token",
    }
)
_SERVICE_NAME = re.compile(r"[^a-z0-9-]+")


@dataclass(slots=True)
class Summary:
    """What anonymisation replaced (by route, field and kind) and which sensitive headers were dropped."""

    replaced: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    dropped_headers: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    anonymised: bool = True

    def lines(self) -> list[str]:
        if not self.anonymised:
            lines = ["anonymisation off (--keep-pii): recorded values are written as they were"]
        elif not self.replaced:
            lines = ["no personal data recognised"]
        else:
            lines = ["replaced personal data:"]
            for (place, where, kind), count in sorted(self.replaced.items()):
                lines.append(f"  {place}  {where}: {kind} ({count} value{'s' if count != 1 else ''})")
        if self.dropped_headers:
            lines.append("dropped headers: " + ", ".join(sorted(self.dropped_headers)))
        lines.extend(f"skipped: {reason}" for reason in self.skipped)
        return lines


def service_name(out: Path) -> str:
    """A valid service name from the spec's file name."""
    name = _SERVICE_NAME.sub("-", out.stem.lower()).strip("-")
    if not name or not name[0].isalpha():
        name = f"recorded-{name}".rstrip("-")
    return name[:63]


class Recorder:
    """An ASGI app that forwards to the upstream and keeps every exchange; ``spec()`` turns them into a spec.

    ``listener`` is the (host, port) the recorder is served on: its stop endpoint answers only there, on a
    loopback address, to a loopback ``Host`` (see ``AdminGuard``). A request body over ``DEFAULT_MAX_BODY``
    bytes (``ADMIN_MAX_BODY`` for the stop endpoint) is answered 413 and not forwarded.
    """

    def __init__(
        self,
        upstream: str,
        *,
        listener: tuple[str, int],
        timeout: float = 30.0,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        # Identity encoding: the recorded body must be the body, not its gzip.
        self.forwarder = Forwarder(Proxy(upstream, timeout), extra_headers={"accept-encoding": "identity"})
        self.upstream = upstream
        self.exchanges: list[Exchange] = []
        self.on_stop = on_stop
        self.guard = AdminGuard(*listener, token=None)

    def __repr__(self) -> str:
        return f"Recorder({self.upstream!r}, {len(self.exchanges)} exchanges)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await self.forwarder.aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        stop = scope["path"] == STOP_PATH and scope["method"] == "POST"
        answer = self._refusal(scope) if stop else None
        if answer is None:
            limit = ADMIN_MAX_BODY if stop else DEFAULT_MAX_BODY
            try:
                body = await read_body(receive, header_map(scope), limit)
            except BodyTooLarge:
                answer = problem(413, "Request body too large", f"the body is over the limit of {limit} bytes")
            except BodyTimeout:
                detail = f"the client sent no part of its body for {DEFAULT_BODY_TIMEOUT:g} s"
                answer = problem(408, "Request timeout", detail).with_headers((b"connection", b"close"))
            else:
                answer = self._stop() if stop else await self._forward(scope, body)
        await send_answer(send, answer)

    def _refusal(self, scope: Scope) -> Answer | None:
        """Why a stop request may not stop the recorder (as a problem answer), or ``None``."""
        if not self.guard.loopback:
            detail = (
                f"the recorder answers {STOP_PATH} only on a loopback listener, and this one listens on "
                f"{self.guard.listener_host}: stop it with Ctrl-C or SIGTERM"
            )
            return problem(403, "Stop endpoint disabled", detail)
        refusal = self.guard.check(scope)
        if refusal is None:
            return None
        status, title, _, extra = refusal
        port = self.guard.listener_port
        detail = (
            f"the recorder's stop endpoint answers no request from a web page, and only to a loopback Host "
            f"such as 127.0.0.1:{port} or localhost:{port}"
        )
        extra_headers = ((name.encode("latin-1"), value.encode("latin-1")) for name, value in extra.items())
        return problem(status, title, detail).with_headers(*extra_headers)

    def _stop(self) -> Answer:
        payload = orjson.dumps({"stopping": True, "recorded": len(self.exchanges)})
        if self.on_stop is not None:
            self.on_stop()
        return Answer(200, ((b"content-type", b"application/json"),), payload)

    async def _forward(self, scope: Scope, body: bytes) -> Answer:
        import httpx

        raw_path = scope.get("raw_path") or scope["path"].encode()
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]
        query = scope["query_string"].decode("latin-1")
        try:
            exchange = await self.forwarder.exchange(scope["method"], raw_path.decode("latin-1"), query, headers, body)
        except Refused as exc:
            return problem(400, "Request not forwarded", str(exc))
        except httpx.TimeoutException:
            return problem(504, "Upstream timed out", f"{self.upstream} did not answer in time")
        except httpx.HTTPError as exc:
            return problem(502, "Upstream unreachable", f"{self.upstream}: {type(exc).__name__}: {exc}")
        # The route path is the decoded path, as the fake will match it.
        self.exchanges.append(
            Exchange(exchange.method, scope["path"], query, exchange.status, exchange.headers, exchange.body)
        )
        relayed = tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in exchange.headers)
        return Answer(exchange.status, relayed, exchange.body)

    def spec(self, name: str, *, anonymise: bool = True) -> tuple[dict[str, Any], Summary]:
        """The spec of everything recorded so far, and the summary of what was replaced."""
        return build_spec(self.exchanges, name, self.upstream, anonymise=anonymise)


def build_spec(
    exchanges: list[Exchange], name: str, upstream: str, *, anonymise: bool = True
) -> tuple[dict[str, Any], Summary]:
    """A spec answering each recorded request as it was answered (personal data replaced)."""
    anonymiser = Anonymiser(enabled=anonymise)
    summary = Summary(anonymised=anonymise)
    groups: dict[tuple[str, str], list[Exchange]] = {}
    for exchange in exchanges:
        for header, _ in exchange.headers:
            if header in SENSITIVE_HEADERS:
                summary.dropped_headers[header] += 1
        label = f"{exchange.method} {exchange.path}"
        if exchange.method not in METHODS:
            summary.skipped.append(f"{label}: method {exchange.method} is not recorded")
            continue
        if "{" in exchange.path or "}" in exchange.path or exchange.path.startswith(RESERVED_PREFIX):
            summary.skipped.append(f"{label}: the path cannot be a route path")
            continue
        groups.setdefault((exchange.method, template(exchange.path)), []).append(exchange)
    routes: list[dict[str, Any]] = []
    literal: list[dict[str, Any]] = []
    for (method, path), seen in groups.items():
        statuses = Counter(exchange.status for exchange in seen)
        status = statuses.most_common(1)[0][0]
        main = next(exchange for exchange in seen if exchange.status == status)
        routes.append(_route(method, path, main, anonymiser))
        if path == main.path:
            continue
        done: set[str] = set()
        for exchange in seen:
            # A concrete path that answered otherwise keeps its answer, unless the path itself is personal.
            odd = exchange.status != status and exchange.path not in done
            if odd and template(exchange.path) != exchange.path and not (anonymise and _personal_path(exchange.path)):
                done.add(exchange.path)
                literal.append(_route(method, exchange.path, exchange, anonymiser))
    summary.replaced = anonymiser.replaced
    when = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    spec: dict[str, Any] = {
        "service": name,
        "description": f"Recorded from {upstream} by mockery record on {when}",
        "routes": literal + routes,
    }
    return spec, summary


def _personal_path(path: str) -> bool:
    return any("{" in part and ":" not in part for part in template(path).split("/"))


def _route(method: str, path: str, exchange: Exchange, anonymiser: Anonymiser) -> dict[str, Any]:
    place = f"{method} {path}"
    response: dict[str, Any] = {"status": exchange.status}
    content_type = next((value for name, value in exchange.headers if name == "content-type"), None)
    params = {
        part.strip("{}").split(":")[0]: concrete
        for part, concrete in zip(path.split("/"), exchange.path.split("/"), strict=False)
        if part.startswith("{") and ":" in part
    }
    body: Any = None
    if exchange.body:
        parsed = _json(exchange.body, content_type)
        if parsed is not _NOT_JSON:
            body = _echo_params(anonymiser.value(parsed, place), parsed, params)
            if content_type and content_type.split(";")[0].strip() != "application/json":
                response["headers"] = {"Content-Type": literal_template(content_type)}
        else:
            try:
                text = exchange.body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None:
                body = anonymiser.text(text, place)
                response["headers"] = {"Content-Type": literal_template(content_type or "text/plain; charset=utf-8")}
    elif content_type:
        response["headers"] = {"Content-Type": literal_template(content_type)}
    if body is not None:
        response["body"] = body
    return {"name": place, "method": method, "path": path, "response": response}


_NOT_JSON = object()


def _json(body: bytes, content_type: str | None) -> Any:
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        return _NOT_JSON
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _NOT_JSON
    # A bare JSON string body would be written as a YAML string, which mockery sends as text.
    return data if isinstance(data, dict | list) else _NOT_JSON


def _echo_params(written: Any, original: Any, params: dict[str, str]) -> Any:
    """Top-level fields of a detail body equal to a path parameter answer that parameter, as the original did."""
    if not isinstance(written, dict) or not isinstance(original, dict) or not params:
        return written
    echoed = dict(written)
    for key, value in original.items():
        for name, concrete in params.items():
            if not isinstance(value, bool) and str(value) == concrete and isinstance(value, int | str):
                expression = f"request.path_params.{name}"
                echoed[key] = f"{{{{ {expression}{'' if isinstance(value, int) else ' | string'} }}}}"
    return echoed


def write_spec(spec: dict[str, Any], out: Path) -> None:
    """Write ``spec`` as YAML at ``out`` (folders made as needed); the file loads as ``spec``: each ``$`` that
    would start a ``${VAR}`` is written ``$$``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(spec_text_data(spec), sort_keys=False, allow_unicode=True, width=120)
    out.write_text(f"# Written by `mockery record`; edit freely.\n{text}", encoding="utf-8")
