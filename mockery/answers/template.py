"""The answer kinds written in a spec: one response rendered from its templates, or a set of responses.

Each is a class with ``respond(ctx) -> Answer`` (the ``AnswerKind`` protocol of mockery.model.services); the
closed set of kinds is ``mockery.answers.kinds.KINDS``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson

from mockery.http.answer import CONTROL, Answer, problem
from mockery.http.requests import BadBody, template_request
from mockery.http.response_sets import ResponseSet
from mockery.model.services import ResponseSpec
from mockery.resources.accessor import RecordNotFound
from mockery.runtime.context import Context
from mockery.store import StoreError
from mockery.templates.environment import MAX_OUTPUT_CHARS, RenderLimitError, TemplateVariables
from mockery.templates.fakes import derive_seed, json_default
from mockery.templates.values import templates
from mockery.tracing.context import rendered as traced

MAX_RENDERED_BYTES = 10 * MAX_OUTPUT_CHARS


async def _nothing_to_prepare(resources: Any, query_string: str, path_params: dict[str, Any]) -> None:
    return None


@dataclass(frozen=True, slots=True)
class TemplateAnswer:
    """One response, written in the spec: its templates rendered for each request (or sent as built)."""

    kind: ClassVar[str] = "template"
    prepares: ClassVar[bool] = False
    response: ResponseSpec
    # Plain attributes, not properties: ``static`` is read on every request.
    static: Answer | None = field(init=False, repr=False, compare=False)
    shown: tuple[ResponseSpec, ...] = field(init=False, repr=False, compare=False)
    plain_request: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "static", self.response.static_answer)
        object.__setattr__(self, "shown", (self.response,))
        object.__setattr__(self, "plain_request", reads_plain_request(self.response))

    def prepare(self, resources: Any, query_string: str, path_params: dict[str, Any]) -> Any:
        return _nothing_to_prepare(resources, query_string, path_params)

    def respond(self, ctx: Context) -> Answer:
        return render(ctx, self.response, self.plain_request)


@dataclass(frozen=True, slots=True)
class ResponseSetAnswer:
    """Several responses: the first whose ``when`` holds, else one picked by the set's mode. The position of a
    sequence and the draws of a random pick are counted in the store, under the route's key."""

    kind: ClassVar[str] = "response_set"
    prepares: ClassVar[bool] = False
    static: ClassVar[Answer | None] = None
    responses: ResponseSet
    shown: tuple[ResponseSpec, ...] = field(init=False, repr=False, compare=False)
    plain_requests: dict[int, bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        first = self.responses.plain[0].response
        others = tuple(option.response for option in self.responses.all if option.response is not first)
        object.__setattr__(self, "shown", (first, *others))
        # By identity: the responses are held by the set, for as long as this answer lives.
        plain = {id(response): reads_plain_request(response) for response in (first, *others)}
        object.__setattr__(self, "plain_requests", plain)

    def prepare(self, resources: Any, query_string: str, path_params: dict[str, Any]) -> Any:
        return _nothing_to_prepare(resources, query_string, path_params)

    def respond(self, ctx: Context) -> Answer:
        store, service, key = ctx.runtime.store, ctx.service, ctx.route.key

        def draw() -> random.Random:
            number = store.increment(f"mockery:picks:{service.name}:{key}")
            return random.Random(derive_seed(ctx.runtime.service_seed(service), "pick", key, number))

        response = self.responses.choose(ctx.view, store, f"mockery:sequence:{service.name}:{key}", draw)
        if response.static_answer is not None:
            return response.static_answer
        return render(ctx, response, self.plain_requests.get(id(response), False))


# What a request gives without parsing anything: a response whose templates read nothing else of ``request``
# gets a ``request`` of only these (its query, cookies and body are parsed for templates that read them).
PLAIN_REQUEST_FIELDS = frozenset({"method", "path", "path_params"})


def reads_plain_request(response: ResponseSpec) -> bool:
    """Whether the templates of ``response`` read only ``PLAIN_REQUEST_FIELDS`` of ``request`` (decided at load)."""
    values = [value for _, value in response.headers]
    if response.body is not None:
        values.append(response.body)
    return all(template.request_fields <= PLAIN_REQUEST_FIELDS for value in values for template in templates(value))


def render(ctx: Context, response: ResponseSpec, plain_request: bool = False) -> Answer:
    """``response`` rendered for the request of ``ctx``: its templates, or its static answer. ``plain_request``:
    its templates read only ``PLAIN_REQUEST_FIELDS`` of the request (``reads_plain_request``)."""
    if response.static_answer is not None:
        return response.static_answer
    route = ctx.route
    state = ctx.state
    variables = TemplateVariables(state.randomness.globals)
    raw = ctx.raw
    if plain_request and route.uses_request and not ctx.reads_body:
        variables["request"] = {"method": raw.method, "path": raw.path, "path_params": ctx.path_params}
    elif route.uses_request:
        try:
            variables["request"] = template_request(raw, ctx.path_params, with_body=ctx.reads_body)
        except BadBody as exc:
            ctx.note = str(exc)
            return problem(400, "Bad request body", str(exc))
    state.reseed_for(route, raw.method, raw.path, raw.query_string, raw.body, raw.headers.get("content-type", ""))
    headers = list(response.content_type)
    try:
        for name, value in response.headers:
            headers.append((name.encode("latin-1"), _header_text(value.render(variables))))
        if response.body is not None:
            rendered = traced(route.name, response.body.render, variables)  # a slow render: a span
            if response.is_json:
                payload = orjson.dumps(rendered, default=json_default)
            elif isinstance(rendered, dict | list):
                # A lone expression that gives a mapping or a list is data: sent as JSON, never as a Python repr.
                payload = orjson.dumps(rendered, default=json_default)
                if not response.content_type_written and headers and headers[0][0] == b"content-type":
                    headers[0] = (b"content-type", b"application/json")
            else:
                payload = _text(rendered).encode()
            if len(payload) > MAX_RENDERED_BYTES:
                raise RenderLimitError(f"the body is over the limit of {MAX_RENDERED_BYTES} bytes")
        else:
            payload = response.static_body or b""
    except RecordNotFound as exc:
        ctx.note = str(exc)
        return problem(404, "Not found", str(exc))
    except StoreError:
        raise  # not the template's fault: a 503
    except Exception as exc:  # a template may raise anything; the server must keep serving
        reason = failure_reason(exc)
        ctx.note = f"template error: {reason}"
        return problem(
            500,
            "Template error",
            f"the template of route {route.name} failed: {reason}",
            route=route.name,
            service=ctx.service.name,
        )
    return Answer(response.status, tuple(headers), payload)


def failure_reason(exc: BaseException) -> str:
    """What went wrong, as an error detail says it."""
    if isinstance(exc, RecursionError):
        return "the template recursed too deeply"
    if isinstance(exc, MemoryError):
        return "the template ran out of memory"
    return f"{type(exc).__name__}: {exc}"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _header_text(value: Any) -> bytes:
    text = _text(value)
    if (found := CONTROL.search(text)) is not None:
        raise RenderLimitError(f"a header value holds the control character {found.group()!r}")
    return text.encode("latin-1", errors="replace")
