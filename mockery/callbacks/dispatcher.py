"""Send callbacks: rendered right after the answer left, then delivered by asyncio tasks on the server's loop.

Nothing here holds a request: rendering is a few templates, and the send runs in a task of its own. At most
``concurrency`` sends are in flight (a semaphore) and at most ``max_pending`` deliveries wait (more are dropped,
logged and counted). Targets follow the proxy's rules (``mockery.proxy.guard``: never a metadata or link-local
address, checked again after DNS at each connection) and never reach this mockery's own listeners unless the
callback says ``allow_self``. ``close`` drains what is in flight, up to a timeout, then cancels the rest.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import itertools
import logging
import random
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson

from mockery.callbacks.journal import Attempt, CallbackJournal, Delivery, State
from mockery.callbacks.signing import signature_value
from mockery.errors import ArgumentError
from mockery.http.answer import Answer
from mockery.http.requests import BadBody, RawRequest, parse_body, template_request
from mockery.model.callbacks import Callback
from mockery.model.services import Service
from mockery.proxy.guard import host_problem, reaches_listener
from mockery.runtime.state import ServiceState
from mockery.templates.environment import TemplateVariables
from mockery.templates.fakes import derive_seed, json_default
from mockery.templates.values import ConstantValue
from mockery.tracing.context import TRACE_HEADERS, Attribute, current

if TYPE_CHECKING:
    import httpx  # imported when a callback is first sent: a server that sends none does not load it

DEFAULT_CONCURRENCY = 16
DEFAULT_MAX_PENDING = 1000
_FORWARDED = ("traceparent", "tracestate")
_logger = logging.getLogger("mockery.callbacks")


class WebhookError(ArgumentError):
    """A webhook cannot be triggered: ``status`` is what the admin API answers (404: no such webhook)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def response_variable(answer: Answer) -> dict[str, Any]:
    """The ``response`` variable of a callback's templates: what the client got."""
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in answer.headers}
    body: Any = None
    if answer.stream is None:
        try:
            body = parse_body(answer.body, headers.get("content-type", ""))
        except BadBody:
            body = answer.body.decode("utf-8", "replace")
    return {"status": answer.status, "headers": headers, "body": body}


def static_loops(services: Iterable[Service], listeners: Iterable[tuple[str, int]]) -> list[str]:
    """Where a callback written without a template (or a webhook's target) reaches one of ``listeners`` (host,
    port) without ``allow_self``: each as ``file:line:column: ...``. The server refuses to start with any."""
    addresses = list(listeners)
    found = []
    for service in services:
        written = [(route.name, callback) for route in service.routes for callback in route.callbacks]
        written += [(f"webhook {webhook.name}", webhook) for webhook in service.webhooks]
        for owner, callback in written:
            url = callback.url.value if isinstance(callback.url, ConstantValue) else None
            if callback.allow_self or not isinstance(url, str) or not url:
                continue
            parts = urlsplit(url)
            try:
                port = parts.port or (443 if parts.scheme == "https" else 80)
            except ValueError:
                continue
            if any(reaches_listener(parts.hostname or "", port, host, bound) for host, bound in addresses):
                where = f"{service.display_name}:{callback.position.line}:{callback.position.column}"
                found.append(
                    f"{where}: callback {callback.name!r} of {owner} goes to {url}, this mockery itself: every "
                    "answer would call back into it (write allow_self: true if that is meant)"
                )
    return found


class Dispatcher:
    """Every callback of one server: what is pending, the journal, the HTTP client (made on first use)."""

    def __init__(
        self,
        journal: CallbackJournal | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> None:
        self.journal = journal or CallbackJournal()
        self.concurrency, self.max_pending = concurrency, max_pending
        self.listeners: tuple[tuple[str, int], ...] = ()
        self._tasks: set[asyncio.Task[None]] = set()
        self._semaphore: asyncio.Semaphore | None = None
        self._clients: dict[bool, httpx.AsyncClient] = {}
        self._triggers = itertools.count()

    def __repr__(self) -> str:
        return f"Dispatcher(pending={len(self._tasks)}, concurrency={self.concurrency})"

    def set_listeners(self, addresses: Iterable[tuple[str, int]]) -> None:
        """The (host, port) of this server's listeners: callbacks never loop back to them unless allowed."""
        self.listeners = tuple(addresses)

    def fire(
        self,
        callbacks: Iterable[Callback],
        state: ServiceState,
        route_key: int | str,
        route_name: str,
        raw: RawRequest,
        path_params: dict[str, Any],
        answer: Answer | None,
    ) -> None:
        """Render ``callbacks`` for this request and its answer, and schedule their delivery."""
        variables = TemplateVariables(state.randomness.globals)
        try:
            variables["request"] = template_request(raw, path_params, with_body=True)
        except BadBody:
            variables["request"] = template_request(raw, path_params, with_body=False)
        if answer is not None:
            variables["response"] = response_variable(answer)
        extra = {name: raw.headers[name] for name in _FORWARDED if name in raw.headers}
        if (span := current()) is not None:  # tracing: the deliveries carry the request's span context
            extra.update(span.headers())
        service = state.service.name
        # Seeded by the whole request, body included, as an answer's values are: the same request, the same callbacks.
        digest = hashlib.blake2b(raw.body, digest_size=16, person=b"mockery-body").hexdigest()
        seed = derive_seed(state.randomness.seed, route_key, "callback", raw.method, raw.path, raw.query_string, digest)
        for number, callback in enumerate(callbacks):
            state.randomness.reseed(derive_seed(seed, number))
            self.schedule(callback, variables, service, route_name, extra, derive_seed(seed, number, "delay"))

    def schedule(
        self,
        callback: Callback,
        variables: dict[str, Any],
        service: str,
        route: str,
        extra: dict[str, str],
        seed: int,
    ) -> Delivery | None:
        """Render ``callback`` and start its delivery; ``None`` when the queue was full (a drop)."""
        if len(self._tasks) >= self.max_pending:
            self.journal.drop()
            _logger.warning("callback %s of %s dropped: %d deliveries pending", callback.name, route, len(self._tasks))
            return None
        headers: dict[str, str] = dict(extra)
        error = ""
        url, body = "", b""
        try:
            url = str(callback.url.render(variables)).strip()
            for name, value in callback.headers:
                rendered = value.render(variables)
                headers[name] = rendered if isinstance(rendered, str) else orjson.dumps(rendered).decode()
            if callback.body is not None:
                rendered = callback.body.render(variables)
                if callback.is_json or isinstance(rendered, dict | list):
                    body = orjson.dumps(rendered, default=json_default)
                    headers.setdefault("content-type", "application/json")
                else:
                    body = ("" if rendered is None else str(rendered)).encode()
                    headers.setdefault("content-type", "text/plain; charset=utf-8")
        except Exception as exc:  # a template may raise anything: the delivery fails, the server goes on
            error = f"template error: {type(exc).__name__}: {exc}"
        if not error:
            error = self._refusal(callback, url)
        delivery = self.journal.new(
            service=service,
            route=route,
            name=callback.name,
            method=callback.method,
            url=url,
            headers=headers,
            body=body,
        )
        if error:
            state: State = "refused" if not error.startswith("template error") else "failed"
            self._finish(delivery, state, error)
            _logger.warning("callback %s of %s not sent: %s", callback.name, route, error)
            return delivery
        task = asyncio.get_running_loop().create_task(self._deliver(callback, delivery, seed))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return delivery

    def trigger(
        self,
        services: Iterable[Service],
        states: dict[str, ServiceState],
        name: str,
        url: str | None,
        service: str | None,
    ) -> list[Delivery]:
        """Send the webhook ``name`` (of ``service``, or of the one service that has it) now, to ``url`` or its own
        target; ``WebhookError`` when there is no such webhook, several, or no target. Runs on the server's loop."""
        served = list(services)
        candidates = [(s, w) for s in served if service in (None, s.name) for w in s.webhooks if w.name == name]
        if not candidates:
            known = sorted({w.name for s in served if service in (None, s.name) for w in s.webhooks})
            raise WebhookError(f"no webhook named {name!r}; webhooks: {known or 'none'}", 404)
        owners = sorted({owner.name for owner, _ in candidates})
        if len(owners) > 1:
            raise WebhookError(f"the services {', '.join(owners)} all have a webhook {name!r}: name the service")
        deliveries = []
        for owner, webhook in candidates:
            target = url or (str(webhook.url.value) if isinstance(webhook.url, ConstantValue) else "")
            if not target:
                raise WebhookError(f"webhook {name!r} has no x-mockery-webhook-url: give the URL to send it to")
            state = states[owner.name]
            seed = derive_seed(state.randomness.seed, "webhook", name, next(self._triggers))
            state.randomness.reseed(seed)
            variables = TemplateVariables(state.randomness.globals)
            callback = dataclasses.replace(webhook, url=ConstantValue(target))
            delivery = self.schedule(callback, variables, owner.name, f"webhook {name}", {}, seed)
            if delivery is not None:
                deliveries.append(delivery)
        return deliveries

    def _refusal(self, callback: Callback, url: str) -> str:
        """Why ``url`` is no target for ``callback``, or ``""``."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"{url!r} is not an http:// or https:// URL"
        if not callback.allow_link_local and (reason := host_problem(parts.hostname)) is not None:
            return f"not sending to {reason}"
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return f"{url!r} has no valid port"
        if not callback.allow_self:
            for host, listening in self.listeners:
                if reaches_listener(parts.hostname, port, host, listening):
                    return f"not sending to {parts.hostname}:{port}, this mockery itself (allow it with allow_self)"
        return ""

    def _finish(self, delivery: Delivery, state: State, error: str = "") -> None:
        def change() -> None:
            delivery.state, delivery.error = state, error

        self.journal.update(change)

    def _client(self, callback: Callback) -> httpx.AsyncClient:
        client = self._clients.get(callback.allow_link_local)
        if client is None:
            import httpx

            from mockery.proxy.connect import GuardedTransport

            limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
            transport = GuardedTransport(limits=limits, allow_link_local=callback.allow_link_local)
            client = httpx.AsyncClient(transport=transport, follow_redirects=False, trust_env=False)
            self._clients[callback.allow_link_local] = client
        return client

    async def _deliver(self, callback: Callback, delivery: Delivery, seed: int) -> None:
        import httpx

        from mockery.proxy.connect import ForbiddenUpstream

        try:
            if callback.delay is not None:
                await asyncio.sleep(callback.delay.sample(random.Random(seed)))
            if self._semaphore is None:
                self._semaphore = asyncio.Semaphore(self.concurrency)
            for number in range(1, callback.retry.attempts + 1):
                headers = dict(delivery.headers)
                if callback.signature is not None:
                    signed = signature_value(callback.signature, delivery.body, int(time.time()))
                    # The journal shows the headers of the latest attempt, the signature included.
                    self._set_header(delivery, callback.signature.header, signed)
                    headers = dict(delivery.headers)
                started = time.perf_counter()
                status: int | None = None
                error = ""
                async with self._semaphore:
                    try:
                        response = await self._send(callback, delivery, headers, number)
                        status = response.status_code
                    except ForbiddenUpstream as exc:
                        self._attempted(delivery, None, time.perf_counter() - started, str(exc))
                        self._finish(delivery, "refused", str(exc))
                        return
                    except httpx.HTTPError as exc:
                        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                self._attempted(delivery, status, time.perf_counter() - started, error)
                if status is not None and 200 <= status < 300:
                    self._finish(delivery, "delivered")
                    return
                if number < callback.retry.attempts:
                    await asyncio.sleep(callback.retry.wait(number))
            self._finish(delivery, "failed", error or f"the receiver answered {status}")
        except asyncio.CancelledError:
            self._finish(delivery, "cancelled", "mockery stopped before the delivery finished")
            raise

    async def _send(
        self, callback: Callback, delivery: Delivery, headers: dict[str, str], attempt: int
    ) -> httpx.Response:
        send = self._client(callback).request
        span = current()
        if span is None:
            return await send(
                delivery.method, delivery.url, headers=headers, content=delivery.body, timeout=callback.timeout
            )
        attributes: dict[str, Attribute] = {
            "http.request.method": delivery.method,
            "url.full": delivery.url,
            "mockery.callback": callback.name,
            "http.request.resend_count": attempt - 1,
        }
        with span.child(f"callback {callback.name}", attributes) as child:
            headers = {name: value for name, value in headers.items() if name.lower() not in TRACE_HEADERS}
            headers.update(child.headers())
            response = await send(
                delivery.method, delivery.url, headers=headers, content=delivery.body, timeout=callback.timeout
            )
            child.set({"http.response.status_code": response.status_code})
            return response

    def _set_header(self, delivery: Delivery, name: str, value: str) -> None:
        def change() -> None:
            delivery.headers[name] = value

        self.journal.update(change)

    def _attempted(self, delivery: Delivery, status: int | None, latency: float, error: str) -> None:
        self.journal.update(lambda: delivery.attempts.append(Attempt(status, latency, error)))

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def close(self, timeout: float) -> None:
        """Let deliveries in flight finish for ``timeout`` seconds, cancel the rest, and close the clients."""
        tasks = set(self._tasks)
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        self._semaphore = None
