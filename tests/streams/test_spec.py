"""Mistakes in ``events:`` and ``websocket:`` are spec errors at their line, all reported at once."""

from __future__ import annotations

import pytest

from mockery.errors import SpecError, SpecErrors
from mockery.load.loader import load_specs
from tests.conftest import WriteSpec

BAD = """\
service: bad
resources:
  orders:
    count: 1
routes:
  - path: /e
    events:
      send:
        - {data: "{{ faker.nmae() }}"}
        - {data: "{{ recrod.id }}", delay: soon}
      on: {resource: order, action: create}
  - path: /both
    response: {body: x}
    events: [{data: x}]
  - path: /forever
    events: {repeat: forever}
  - path: /ws
    websocket:
      rules:
        - match: {body: {text: {matches: "(?<=a)b"}}}
          reply: "{{ mesage.text }}"
          close: {code: 999}
      every: {interval: 0, send: hi}
      on: {resource: ordres}
      subprotocols: [a, a]
"""


def _errors(write_spec: WriteSpec, text: str) -> list[SpecError]:
    with pytest.raises(SpecErrors) as info:
        load_specs([write_spec(text)], environ={})
    return list(info.value.errors)


def _line(needle: str) -> int:
    return next(number for number, line in enumerate(BAD.splitlines(), start=1) if needle in line)


def test_every_mistake_of_the_streaming_kinds_is_located(write_spec: WriteSpec) -> None:
    errors = _errors(write_spec, BAD)
    found = {(error.line, error.message) for error in errors}
    assert (_line("faker.nmae"), "unknown Faker provider 'nmae'") in found
    assert (_line("recrod"), "unknown name 'recrod'") in found
    assert any(error.line == _line("delay: soon") and "soon" in error.message for error in errors)
    assert (_line("resource: order,"), "no resource 'order' in this spec; its resources: orders") in found
    assert (_line("events: [{data: x}]"), "a route with `events` has no `response`") not in found  # at the key
    both = next(error for error in errors if "has no `response`" in error.message)
    assert both.line == _line("response: {body: x}")
    assert any(error.line == _line("events: {repeat: forever}") and "forever" in error.message for error in errors)
    assert any(error.line == _line("(?<=a)b") and "RE2" in error.message for error in errors)
    assert (_line("mesage"), "unknown name 'mesage'") in found
    assert any(error.line == _line("code: 999") and "999" in error.message for error in errors)
    assert any(error.line == _line("interval: 0") and "above 0" in error.message for error in errors)
    ordres = next(error for error in errors if "'ordres'" in error.message)
    assert ordres.line == _line("resource: ordres")
    assert ordres.suggestion == "did you mean 'orders'?"
    assert any(error.line == _line("subprotocols") for error in errors)


def test_suggestions_name_the_nearest_template_names(write_spec: WriteSpec) -> None:
    errors = _errors(write_spec, BAD)
    recrod = next(error for error in errors if error.message == "unknown name 'recrod'")
    assert recrod.suggestion == "did you mean 'record'?"
    assert recrod.file.endswith("spec.yaml")


def test_an_on_without_resources_says_to_declare_them(write_spec: WriteSpec) -> None:
    errors = _errors(write_spec, "service: s\nroutes:\n  - path: /e\n    events: {on: {resource: orders}}\n")
    assert [(error.line, error.message, error.suggestion) for error in errors] == [
        (4, "no resource 'orders' in this spec", "declare it under `resources`")
    ]


def test_a_websocket_route_answers_get_only(write_spec: WriteSpec) -> None:
    errors = _errors(write_spec, "service: s\nroutes:\n  - path: /ws\n    method: POST\n    websocket: {}\n")
    assert [(error.line, error.message, error.suggestion) for error in errors] == [
        (4, "a WebSocket route answers GET (its handshake), not 'POST'", "remove `method`")
    ]
