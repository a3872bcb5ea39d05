"""Build what decides whether and how a route answers: its conditions, scenario, responses and behaviours.

Everything here is compiled once, at load time (regexes with RE2, JSON paths, JSON Schemas, durations,
weights), and every mistake is reported at its line like any other spec error.
"""

from __future__ import annotations

from typing import Any, Protocol

from mockery.behaviours import NO_BEHAVIOURS, Behaviours, compile_behaviours
from mockery.conditions import NO_CONDITIONS, compile_conditions
from mockery.response_sets import ResponseOption, ResponseSet
from mockery.scenarios import ScenarioStep
from mockery.spec.document import DocPath
from mockery.spec.model import ResponseSpec


class _Builder(Protocol):
    def error(self, path: DocPath, message: str, suggestion: str | None = None, *, key: bool = False) -> None: ...

    def response(self, raw: dict[str, Any], path: DocPath, uses_request: list[bool]) -> ResponseSpec | None: ...


def _report(builder: _Builder, problems: list[tuple[DocPath, str]]) -> None:
    for where, message in problems:
        builder.error(where, message)


def route_routing(
    builder: _Builder, raw: dict[str, Any], path: DocPath, scope: str, uses_request: list[bool]
) -> dict[str, Any] | None:
    """The matching, scenario and behaviour fields of a ``Route``, and ``responses`` (a ``ResponseSet``) when
    the route has them; ``None`` if they cannot be built."""
    problems: list[tuple[DocPath, str]] = []
    fields: dict[str, Any] = {}
    priority = raw.get("priority", 0)
    fields["priority"] = priority if isinstance(priority, int) and not isinstance(priority, bool) else 0
    fields["conditions"] = compile_conditions(raw.get("match"), (*path, "match"), problems)
    scenario = raw.get("scenario")
    if isinstance(scenario, dict) and isinstance(scenario.get("name"), str):
        state, after = scenario.get("state"), scenario.get("next")
        fields["scenario"] = ScenarioStep(
            scenario["name"], state if isinstance(state, str) else None, after if isinstance(after, str) else None
        )
    fields["behaviours"] = compile_behaviours(raw, path, scope, problems)
    ok = True
    raw_responses = raw.get("responses")
    if raw_responses is not None:
        if "response" in raw:
            builder.error((*path, "responses"), "a route has `response` or `responses`, not both", key=True)
            ok = False
        built = _responses(builder, raw_responses, raw.get("mode", "sequence"), (*path, "responses"), uses_request)
        if built is None:
            ok = False
        else:
            fields["responses"] = built
    else:
        response = raw.get("response")
        for key in ("weight", "when"):
            if isinstance(response, dict) and key in response:
                builder.error((*path, "response", key), f"`{key}` belongs to a response of `responses`", key=True)
        if "mode" in raw:
            builder.error((*path, "mode"), "`mode` picks among `responses`, and this route has none", key=True)
    _report(builder, problems)
    return fields if ok and not problems else None


def _responses(builder: _Builder, raw: Any, mode: Any, path: DocPath, uses_request: list[bool]) -> ResponseSet | None:
    if not isinstance(raw, list) or not raw:
        return None
    options = []
    failed = False
    problems: list[tuple[DocPath, str]] = []
    for number, item in enumerate(raw):
        if not isinstance(item, dict):
            failed = True
            continue
        response = builder.response(item, (*path, number), uses_request)
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
