"""What a listener adds to the answers of a service: its service-wide ``headers`` and its CORS policy.

Both are compiled once per service when the listener's services are set (constant headers encoded, templates
compiled at load, the CORS policy told the names it must expose); a request only renders what is templated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockery.answers.template import failure_reason
from mockery.http.answer import CONTROL, Answer, Headers, problem
from mockery.http.cors import OFF, CorsPolicy
from mockery.http.requests import RawRequest, template_request
from mockery.model.services import Service
from mockery.runtime.state import ServiceState
from mockery.templates.environment import TemplateVariables
from mockery.templates.values import ConstantValue, Value, templates


@dataclass(frozen=True, slots=True)
class ServiceHeaders:
    """A service's ``headers``: those that are constant, encoded; the templated ones, rendered per answer.
    A header the answer already has (a route's own, in any case) is left as the answer has it."""

    constant: Headers = ()
    templated: tuple[tuple[bytes, Value], ...] = ()
    uses_request: bool = False

    @classmethod
    def of(cls, service: Service) -> ServiceHeaders:
        constant: list[tuple[bytes, bytes]] = []
        templated: list[tuple[bytes, Value]] = []
        for name, value in service.headers:
            if isinstance(value, ConstantValue):
                constant.append((name.encode("latin-1"), str(value.value).encode("latin-1", errors="replace")))
            else:
                templated.append((name.encode("latin-1"), value))
        uses_request = any(
            "request" in {name for name, _ in template.names} for _, value in templated for template in templates(value)
        )
        return cls(tuple(constant), tuple(templated), uses_request)

    def __bool__(self) -> bool:
        return bool(self.constant or self.templated)

    def add_to(
        self, answer: Answer, state: ServiceState, raw: RawRequest, path_params: dict[str, Any]
    ) -> tuple[Answer, str]:
        """``answer`` with the service's headers it does not have, and a note for the log (a template that
        failed: the answer is then a 500 naming the header)."""
        present = {name for name, _ in answer.headers}
        added = [header for header in self.constant if header[0] not in present]
        if self.templated:
            variables = TemplateVariables(state.randomness.globals)
            if self.uses_request:
                variables["request"] = template_request(raw, path_params, with_body=False)
            for name, value in self.templated:
                if name in present:
                    continue
                try:
                    text = _text(value.render(variables))
                except Exception as exc:  # a template may raise anything; the server keeps serving
                    reason = failure_reason(exc)
                    detail = f"the service header {name.decode()!r} failed: {reason}"
                    return problem(500, "Template error", detail), f"template error: {reason}"
                if (found := CONTROL.search(text)) is not None:
                    detail = f"the service header {name.decode()!r} holds the control character {found.group()!r}"
                    return problem(500, "Template error", detail), detail
                added.append((name, text.encode("latin-1", errors="replace")))
        return answer.with_headers(*added), ""


@dataclass(frozen=True, slots=True)
class Additions:
    """Everything a listener adds to one service's answers."""

    headers: ServiceHeaders | None
    """``None`` when the service has none: one identity test on the request path."""
    cors: CorsPolicy


def additions(service: Service, default: CorsPolicy) -> Additions:
    """What ``service``'s answers get: its headers, and its CORS policy (``default`` unless the spec has one),
    exposing the names of its service-wide headers and of the headers its routes write."""
    policy = service.cors if service.cors is not None else default
    if policy is not OFF and policy.enabled:
        names = [name for name, _ in service.headers]
        names.extend(name for route in service.routes for shown in route.answer.shown for name, _ in shown.headers)
        policy = policy.exposing(_display(name) for name in names)
    headers = ServiceHeaders.of(service)
    return Additions(headers if headers else None, policy)


def _display(name: str) -> str:
    """``x-request-id`` as ``X-Request-Id``: how a header name reads in ``Access-Control-Expose-Headers``."""
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def _text(value: Any) -> str:
    return "" if value is None else str(value)
