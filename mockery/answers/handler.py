"""The answer kinds of stubs written in Python: a handler function, and a stub that answers ``times`` times.

A handler is what YAML cannot say: ``handler(request)`` or ``handler(request, context)``, sync or async. It gets
``HandlerRequest`` (the request as templates see it, typed) and ``HandlerContext`` (Faker and ``random`` seeded
from the request, as a template's are, so the same request gets the same values). It returns the answer's body
(a dict or list is JSON, a str text, bytes are bytes, ``None`` is 204), a ``Response``, or an ``Answer``. A sync
handler runs in a worker thread: a slow one never holds the event loop that serves every other request. An
exception is a 500 problem naming the handler and the error, and is handed to ``report`` (the test sees it).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import random
import re  # re-ok: one fixed pattern, a header name's
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson

from mockery.http.answer import CONTROL, Answer, problem
from mockery.http.requests import BadBody, RawRequest, cookie_map, parse_body, query_map
from mockery.model.services import AnswerKind, ResponseSpec
from mockery.runtime.context import Context
from mockery.templates.fakes import Clock, json_default, new_generator

Handler = Callable[..., Any]
"""``handler(request)`` or ``handler(request, context)``: a function or a coroutine function."""


@dataclass(frozen=True, slots=True)
class HandlerRequest:
    """The request a handler answers: what templates call ``request``, as attributes. ``body`` is parsed as
    templates parse it (JSON, form fields or text; ``None`` when empty), ``content`` is the raw bytes."""

    method: str
    path: str
    path_params: Mapping[str, Any]
    query: Mapping[str, Any]
    headers: Mapping[str, str]
    cookies: Mapping[str, str]
    content: bytes

    @classmethod
    def of(cls, raw: RawRequest, path_params: Mapping[str, Any]) -> HandlerRequest:
        return cls(
            raw.method,
            raw.path,
            dict(path_params),
            query_map(raw.query_string),
            dict(raw.headers),
            cookie_map(raw.headers.get("cookie")),
            raw.body,
        )

    @property
    def body(self) -> Any:
        """The body parsed by its content type; a body that is not what it claims is a 400 for the client."""
        return parse_body(self.content, self.headers.get("content-type", ""))

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return f"HandlerRequest({self.method} {self.path}, {len(self.content)} bytes)"


@dataclass(frozen=True, slots=True)
class HandlerContext:
    """What a handler draws from: ``faker`` (a Faker generator of the service's locale) and ``random`` (a
    ``random.Random``), both seeded from the server's seed, the route and the request; the server's ``clock``."""

    faker: Any
    random: random.Random
    seed: int
    service: str
    route: str
    clock: Clock

    def now(self) -> Any:
        """The server's time: pinned (the default) or the system clock, as ``now()`` in templates."""
        return self.clock.now()


@dataclass(frozen=True, slots=True)
class Response:
    """What a handler may return to choose the status and headers: ``body`` a dict or list (JSON), a str
    (text), bytes, or ``None``; ``headers`` a mapping (a ``content-type`` there wins over the one chosen)."""

    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


class FakerPool:
    """Faker generators lent to handler calls, one per call in flight: two concurrent handlers never draw from
    one generator, so each call's values depend on its own seed only. Built on first need (~20 ms each)."""

    def __init__(self) -> None:
        self._free: dict[str, list[Any]] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def lease(self, locale: str) -> Iterator[Any]:
        with self._lock:
            free = self._free.setdefault(locale, [])
            generator = free.pop() if free else None
        if generator is None:
            generator = new_generator(locale)
        try:
            yield generator
        finally:
            with self._lock:
                self._free[locale].append(generator)

    def __repr__(self) -> str:
        return f"FakerPool({sorted(self._free)})"


async def _nothing(resources: Any, query_string: str, path_params: dict[str, Any]) -> None:
    return None


def _takes_context(function: Handler) -> bool:
    """Whether ``function`` wants ``(request, context)`` rather than ``(request)``; ``TypeError`` if neither."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # a builtin without a signature: give it the request only
        return False
    try:
        signature.bind(None, None)
        return True
    except TypeError:
        pass
    try:
        signature.bind(None)
    except TypeError:
        raise TypeError(
            f"a handler takes (request) or (request, context), not {getattr(function, '__name__', function)}{signature}"
        ) from None
    return False


def handler_name(function: Handler) -> str:
    return getattr(function, "__name__", None) or repr(function)


@dataclass(frozen=True, slots=True)
class HandlerAnswer:
    """A route answered by a Python function (``MockServer.stub(..., handler=...)``, ``@mock.route``)."""

    kind: ClassVar[str] = "handler"
    prepares: ClassVar[bool] = False
    static: ClassVar[Answer | None] = None
    shown: ClassVar[tuple[ResponseSpec, ...]] = ()
    function: Handler
    fakers: FakerPool = field(repr=False, compare=False)
    report: Callable[[BaseException], None] | None = field(default=None, repr=False, compare=False)
    name: str = field(init=False)
    with_context: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not callable(self.function):
            raise TypeError(f"a handler is a function, not {type(self.function).__name__} {self.function!r}")
        object.__setattr__(self, "name", handler_name(self.function))
        object.__setattr__(self, "with_context", _takes_context(self.function))

    def prepare(self, resources: Any, query_string: str, path_params: dict[str, Any]) -> Awaitable[None]:
        return _nothing(resources, query_string, path_params)

    def respond(self, ctx: Context) -> Awaitable[Answer]:
        """An awaitable answer: the listener awaits it (a handler may wait, or run in a thread)."""
        return self._answer(ctx)

    async def _answer(self, ctx: Context) -> Answer:
        raw, state, route = ctx.raw, ctx.state, ctx.route
        # The seed a template of this route would render with: the same request, the same values.
        state.reseed_for(route, raw.method, raw.path, raw.query_string, raw.body, raw.headers.get("content-type", ""))
        seed = state.randomness.source.getrandbits(64)
        request = HandlerRequest.of(raw, ctx.path_params)
        with self.fakers.lease(ctx.service.locale) as faker:
            faker.seed_instance(seed)
            context = HandlerContext(
                faker, random.Random(seed), seed, ctx.service.name, route.name, state.randomness.clock
            )
            arguments = (request, context) if self.with_context else (request,)
            try:
                if inspect.iscoroutinefunction(self.function):
                    result = await self.function(*arguments)
                else:  # in a worker thread: a slow handler must not hold the loop that serves everyone else
                    result = await asyncio.to_thread(self.function, *arguments)
                    if inspect.isawaitable(result):
                        result = await result
                return to_answer(result)
            except BadBody as exc:
                ctx.note = str(exc)
                return problem(400, "Bad request body", str(exc))
            except Exception as exc:  # whatever the test's code raises: the server keeps serving, the test is told
                exc.add_note(f"raised by the mockery handler {self.name} answering {raw.method} {raw.path}")
                if self.report is not None:
                    self.report(exc)
                reason = f"{type(exc).__name__}: {exc}"
                ctx.note = f"handler error: {reason}"
                return problem(
                    500,
                    "Handler error",
                    f"the handler {self.name} of route {route.name} raised {reason}",
                    handler=self.name,
                    route=route.name,
                    service=ctx.service.name,
                )


def to_answer(result: Any) -> Answer:
    """A handler's return value as an answer; ``TypeError`` or ``ValueError`` saying what it may return."""
    if isinstance(result, Answer):
        _check_status(result.status)
        return result
    if isinstance(result, Response):
        _check_status(result.status)
        answer = _body_answer(result.body, result.status)
        given = tuple(_header(name, value) for name, value in result.headers.items())
        names = {name for name, _ in given}
        kept = tuple(header for header in answer.headers if header[0] not in names)
        return Answer(answer.status, (*kept, *given), answer.body)
    return _body_answer(result, 200)


def _check_status(status: Any) -> None:
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"a response status is an int from 100 to 599, not {status!r}")


def _header(name: Any, value: Any) -> tuple[bytes, bytes]:
    """One header of a ``Response``: a token for a name, a value HTTP can carry (no control character)."""
    if not isinstance(name, str) or _TOKEN.fullmatch(name) is None:
        raise ValueError(f"a header name is a token (letters, digits, '-'...), not {name!r}")
    text = str(value)
    if (found := CONTROL.search(text)) is not None:
        raise ValueError(f"the value of header {name!r} holds the control character {found.group()!r}")
    try:
        return name.lower().encode("ascii"), text.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(f"the value of header {name!r} holds a character HTTP cannot carry: {text!r}") from None


# RFC 9110 5.6.2: what a header name is made of.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # re-ok: a fixed pattern


def _body_answer(body: Any, status: int) -> Answer:
    if body is None:
        return Answer(204 if status == 200 else status)
    if isinstance(body, dict | list):
        return Answer(status, ((b"content-type", b"application/json"),), orjson.dumps(body, default=json_default))
    if isinstance(body, str):
        return Answer(status, ((b"content-type", b"text/plain; charset=utf-8"),), body.encode())
    if isinstance(body, bytes | bytearray | memoryview):
        return Answer(status, ((b"content-type", b"application/octet-stream"),), bytes(body))
    raise TypeError(
        "a handler returns a dict or list (JSON), a str, bytes, None, a mockery.Response or an Answer, "
        f"not {type(body).__name__} {body!r:.60}"
    )


class Uses:
    """How many more times a stub answers: on its last use, ``exhausted`` is called (it removes the route, so
    that the next request falls through to the route that matches next)."""

    __slots__ = ("_exhausted", "limit", "used")

    def __init__(self, limit: int, exhausted: Callable[[], object]) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"times is a whole number of 1 or more, not {limit!r}")
        self.limit, self.used, self._exhausted = limit, 0, exhausted

    def take(self) -> None:
        self.used += 1
        if self.used == self.limit:
            self._exhausted()

    def __repr__(self) -> str:
        return f"Uses({self.used} of {self.limit})"


@dataclass(frozen=True, slots=True)
class CountedAnswer:
    """Another kind's answer, given ``uses.limit`` times (a stub with ``times=N``); then the route is gone."""

    kind: ClassVar[str] = "counted"
    static: ClassVar[Answer | None] = None
    inner: AnswerKind
    uses: Uses = field(compare=False)
    shown: tuple[ResponseSpec, ...] = field(init=False, repr=False, compare=False)
    prepares: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shown", self.inner.shown)
        object.__setattr__(self, "prepares", self.inner.prepares)

    def prepare(self, resources: Any, query_string: str, path_params: dict[str, Any]) -> Awaitable[None]:
        return self.inner.prepare(resources, query_string, path_params)

    def respond(self, ctx: Context) -> Answer:
        self.uses.take()  # on the loop, between match and answer: no other request can match in between
        static = self.inner.static
        return static if static is not None else self.inner.respond(ctx)
