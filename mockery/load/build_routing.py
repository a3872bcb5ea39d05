"""Build what decides whether and how a route answers: its conditions, scenario, responses and behaviours.

Everything here is compiled once, at load time (regexes with RE2, JSON paths, JSON Schemas, durations,
weights), and every mistake is reported at its line like any other spec error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from mockery.http.behaviours import NO_BEHAVIOURS, Behaviours, compile_behaviours
from mockery.http.conditions import NO_CONDITIONS, Conditions, compile_conditions
from mockery.http.response_sets import ResponseOption, ResponseSet
from mockery.http.scenarios import ScenarioStep
from mockery.model.services import ResponseSpec
from mockery.source.document import DocPath


class _Builder(Protocol):
    def error(self, path: DocPath, message: str, suggestion: str | None = None, *, key: bool = False) -> None: ...

    def response(self, raw: dict[str, Any], path: DocPath) -> ResponseSpec | None: ...


@dataclass(frozen=True, slots=True)
class Routing:
    """What decides whether and how a route answers, besides its response: the fields of a ``Route`` with
    these names, and ``responses`` when the route has several."""

    priority: int
    conditions: Conditions
    scenario: ScenarioStep | None
    behaviours: Behaviours
    responses: ResponseSet | None


def _report(builder: _Builder, problems: list[tuple[DocPath, str]]) -> None:
    for where, message in problems:
        builder.error(where, message)


def route_routing(builder: _Builder, raw: dict[str, Any], path: DocPath, scope: str) -> Routing | None:
    """The matching, scenario and behaviours of a route, and its ``responses`` when it has several; ``None``
    if they cannot be built."""
    problems: list[tuple[DocPath, str]] = []
    raw_priority = raw.get("priority", 0)
    priority = raw_priority if isinstance(raw_priority, int) and not isinstance(raw_priority, bool) else 0
    conditions = compile_conditions(raw.get("match"), (*path, "match"), problems)
    raw_scenario = raw.get("scenario")
    scenario = None
    if isinstance(raw_scenario, dict) and isinstance(raw_scenario.get("name"), str):
        state, after = raw_scenario.get("state"), raw_scenario.get("next")
        scenario = ScenarioStep(
            raw_scenario["name"], state if isinstance(state, str) else None, after if isinstance(after, str) else None
        )
    behaviours = compile_behaviours(raw, path, scope, problems)
    responses = None
    ok = True
    raw_responses = raw.get("responses")
    if raw_responses is not None:
        if "response" in raw:
            builder.error((*path, "responses"), "a route has `response` or `responses`, not both", key=True)
            ok = False
        built = _responses(builder, raw_responses, raw.get("mode", "sequence"), (*path, "responses"))
        if built is None:
            ok = False
        responses = built
    else:
        response = raw.get("response")
        for key in ("weight", "when"):
            if isinstance(response, dict) and key in response:
                builder.error((*path, "response", key), f"`{key}` belongs to a response of `responses`", key=True)
        if "mode" in raw:
            builder.error((*path, "mode"), "`mode` picks among `responses`, and this route has none", key=True)
    _report(builder, problems)
    if not ok or problems:
        return None
    return Routing(priority, conditions, scenario, behaviours, responses)


def _responses(builder: _Builder, raw: Any, mode: Any, path: DocPath) -> ResponseSet | None:
    if not isinstance(raw, list) or not raw:
        return None
    options = []
    failed = False
    problems: list[tuple[DocPath, str]] = []
    for number, item in enumerate(raw):
        if not isinstance(item, dict):
            failed = True
            continue
        response = builder.response(item, (*path, number))
        when = compile_conditions(item.get("when"), (*path, number, "when"), problems)
        weight = item.get("weight", 1)
        if response is None or not isinstance(weight, int | float):
            failed = True
            continue
        options.append(ResponseOption(response, float(weight), when if "when" in item else NO_CONDITIONS))
    _report(builder, problems)
    if failed or problems:
        return None
    if all(option.when for option in options):
        builder.error(path, "every response has a `when`: add one without, to answer when none holds")
        return None
    return ResponseSet.of(mode if mode in ("sequence", "cycle", "random") else "sequence", tuple(options))


def service_behaviours(
    builder: _Builder, data: dict[str, Any], service: str
) -> tuple[Behaviours, tuple[tuple[str, Behaviours], ...]]:
    """A service's ``behaviours`` and its ``profiles``; their rate limits count in the service's window."""
    problems: list[tuple[DocPath, str]] = []
    scope = f"service:{service}"
    behaviours = compile_behaviours(data.get("behaviours"), ("behaviours",), scope, problems)
    profiles = []
    raw_profiles = data.get("profiles")
    if isinstance(raw_profiles, dict):
        for name, raw in raw_profiles.items():
            profiles.append((name, compile_behaviours(raw, ("profiles", name), scope, problems)))
    _report(builder, problems)
    return behaviours or NO_BEHAVIOURS, tuple(profiles)
