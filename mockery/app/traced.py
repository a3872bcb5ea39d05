"""What a request's server span says (``mockery.tracing``): HTTP semantic conventions and mockery's own
reasoning — the route and where it is written, the answer kind, the behaviours that acted, the scenario's move,
the seed; a miss gets an event naming the closest route's first failed condition. Only called when tracing
is on."""

from __future__ import annotations

from starlette.types import Scope

from mockery.app.matching import Match, Miss, TableEntry
from mockery.http.answer import Answer
from mockery.http.behaviours import Behaviours
from mockery.http.scenarios import state_of
from mockery.model.resources import Endpoint
from mockery.runtime.chaos import Verdict
from mockery.runtime.state import Runtime
from mockery.tracing.context import ActiveSpan, Attribute, HttpFacts


def describe(
    span: ActiveSpan,
    runtime: Runtime,
    scope: Scope,
    found: Match | Miss | None,
    service: str,
    route_name: str,
    answer: Answer,
    note: str,
    behaviours: Behaviours,
    verdict: Verdict | None,
    request_size: int,
    proxied: bool,
) -> None:
    """Set the attributes of a request's span once its answer is known (before it leaves): OpenTelemetry's HTTP
    semantic conventions (``set_http``), then mockery's own. What is the same for every request of a route is
    made once per route (and seed) and shared by its spans."""
    http = _http_facts(scope, answer.status, request_size, len(answer.body) if answer.stream is None else None)
    facts: dict[str, Attribute] = {}  # mockery's own, beyond what every request of the route has
    if note:
        facts["mockery.note"] = note
    if isinstance(found, Match):
        entry = found.entry
        route = entry.route
        span.answered(service, http, _route_facts, (runtime, entry, runtime.seed))
        if isinstance(getattr(route.answer, "endpoint", None), Endpoint):  # a resource's route
            record_id = found.path_params.get("id", _created_id(answer))
            if record_id is not None:
                facts["mockery.resource.record_id"] = str(record_id)
        if route.scenario is not None:
            if found.scenario_state is not None:
                facts["mockery.scenario.state_before"] = found.scenario_state
            facts["mockery.scenario.state_after"] = state_of(runtime.store, route.scenario.name)
    else:
        span.answered(service, http)
        facts["url.scheme"] = "http"
        facts["mockery.service"] = service
        facts["mockery.route"] = route_name
        facts["mockery.proxied"] = proxied
    if behaviours.throttle is not None:
        facts["mockery.throttle.bytes_per_second"] = behaviours.throttle.bytes_per_second
    if verdict is not None:
        facts["mockery.delay_ms"] = round(verdict.delay * 1000, 3)
        if verdict.fault is not None:
            facts["mockery.fault"] = verdict.fault.kind
        if behaviours.rate_limit is not None:
            facts["mockery.rate_limit"] = "limited" if verdict.limited else "allowed"
    if facts:
        span.set(facts)
    if isinstance(found, Miss) and answer.status == 404:
        span.event("no route matched", {"mockery.closest": note} if note else {})
    if answer.status >= 500:
        span.event("error answer", {"http.response.status_code": answer.status})


def describe_known(span: ActiveSpan, runtime: Runtime, scope: Scope, entry: TableEntry, answer: Answer) -> None:
    """``describe`` for a request answered with a static answer known before it arrived (a literal path, no
    condition, scenario, behaviour or body): the same attributes, from what the listener has at hand there."""
    http = _http_facts(scope, answer.status, 0, len(answer.body))
    span.answered(entry.service.name, http, _route_facts, (runtime, entry, runtime.seed))
    if answer.status >= 500:
        span.event("error answer", {"http.response.status_code": answer.status})


def _http_facts(scope: Scope, status: int, request_size: int, response_size: int | None) -> HttpFacts:
    """A request's ``HttpFacts``: what its scope says, with its status and sizes (``None``: a stream)."""
    client = scope.get("client")
    query: bytes = scope["query_string"]
    return (
        scope["method"],
        scope["path"],
        status,
        request_size,
        response_size,
        client[0] if client is not None else None,
        query.decode("latin-1") if query else None,
    )


def _route_facts(runtime: Runtime, entry: TableEntry, seed: int) -> dict[str, Attribute]:
    """The attributes of every span of a route (under ``runtime``'s ``seed``)."""
    route = entry.route
    facts: dict[str, Attribute] = {
        "url.scheme": "http",
        "mockery.service": entry.service.name,
        "mockery.route": route.name,
        "mockery.proxied": False,
        "http.route": route.path,
        "mockery.route.file": f"{entry.service.file}:{route.position.line}:{route.position.column}",
        "mockery.answer.kind": route.answer.kind,
        "mockery.seed": str(runtime.service_seed(entry.service)),  # 64 bits unsigned: over OTLP's int64
    }
    endpoint = getattr(route.answer, "endpoint", None)  # a resource's route (mockery.answers.resource)
    if isinstance(endpoint, Endpoint):
        facts["mockery.resource"] = endpoint.resource.name
        facts["mockery.resource.action"] = endpoint.action
    if route.scenario is not None:
        facts["mockery.scenario"] = route.scenario.name
    return facts


def _created_id(answer: Answer) -> str | None:
    """The id of a record a POST created: the last segment of its ``Location``."""
    if answer.status != 201:
        return None
    location = next((value for name, value in answer.headers if name == b"location"), None)
    return location.decode("latin-1").rsplit("/", 1)[-1] if location else None
