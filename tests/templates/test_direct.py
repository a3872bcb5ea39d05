"""mockery.templates.direct: which lone expressions compile to direct calls, and that a direct call gives the
same value, draws the same randomness and fails the same way as the sandboxed template, for every Faker
provider and over real HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from mockery import MockServer
from mockery.http.requests import RawRequest, template_request
from mockery.templates import environment
from mockery.templates.direct import FALLBACK
from mockery.templates.environment import CompiledTemplate, TemplateVariables, compile_template
from mockery.templates.fakes import Clock, json_default, new_generator, provider_names, service_randomness
from mockery.templates.limits import MAX_BUILT, MAX_RESPONSE_CHARS, RenderLimitError

Serve = Callable[..., MockServer]
WriteSpec = Callable[..., Path]

GENERATOR = new_generator("en_US")
RANDOMNESS = service_randomness(7, GENERATOR, "en_US", Clock())
REQUEST = template_request(
    RawRequest(
        "POST",
        "/users/42",
        "q=text&n=3",
        {"host": "example.test", "x-token": "abc", "content-type": "application/json"},
        b'{"name": "Ada", "tags": ["a", "b"]}',
    ),
    {"id": 42, "slug": "ada-lovelace"},
)


@pytest.mark.parametrize(
    ("source", "direct"),
    [
        ("{{ faker.name() }}", True),
        ("  {{ faker.email() }}\n", True),
        ("{{ faker.pyint(min_value=-5, max_value=5) }}", True),
        ("{{ faker.bothify('??-##') }}", True),
        ("{{ uuid() }}", True),
        ("{{ now() }}", True),
        ("{{ request.path_params.id }}", True),
        ("{{ request.headers['x-token'] }}", True),
        ("{{ request.method }}", True),
        ("{{ faker.name() | upper }}", False),
        ("{{ faker.name() ~ '!' }}", False),
        ("Hello {{ faker.name() }}", False),
        ("{{ faker.name() }} {{ faker.email() }}", False),
        ("{{ faker.name }}", False),
        ("{{ faker.random_element(['a', 'b']) }}", False),
        ("{{ faker.pyint(min_value=request.path_params.id) }}", False),
        ("{{ faker.name(*args) }}", False),
        ("{{ uuid(4) }}", False),
        ("{{ random.randint(1, 6) }}", False),
        ("{{ request.path_params[name] }}", False),
        ("{{ request }}", False),
        ("{{ resources.users.get(1) }}", False),
        ("{% if true %}{{ faker.name() }}{% endif %}", False),
        ("{{ 42 }}", False),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_only_a_lone_plain_call_or_read_is_compiled_to_a_direct_call(source: str, direct: bool) -> None:
    assert (compile_template(source).direct is not None) is direct


def render_both(template: CompiledTemplate, seed: int, request: Any = REQUEST) -> tuple[Any, Any]:
    """(value or exception, state of the random source after) for the direct call and for the sandbox."""
    outcomes = []
    for candidate in (template, dataclasses.replace(template, direct=None)):
        RANDOMNESS.reseed(seed)
        variables = TemplateVariables(RANDOMNESS.globals)
        variables["request"] = request
        try:
            value: Any = orjson.dumps(candidate.render(variables), default=json_default)
        except Exception as exc:  # both paths must fail alike
            value = (type(exc), str(exc))
        outcomes.append((value, RANDOMNESS.source.getstate()))
    return outcomes[0], outcomes[1]


@pytest.mark.parametrize("name", sorted(provider_names("en_US")))
def test_every_faker_provider_gives_the_same_bytes_on_both_paths(name: str) -> None:
    template = compile_template(f"{{{{ faker.{name}() }}}}")
    assert template.direct is not None
    for seed in (0, 1, 2**63 + 5):
        direct, sandboxed = render_both(template, seed)
        assert direct == sandboxed, name


@pytest.mark.parametrize(
    "source",
    [
        "{{ uuid() }}",
        "{{ now() }}",
        "{{ faker.pyint(min_value=-5, max_value=5) }}",
        "{{ faker.pystr(min_chars=3, max_chars=12) }}",
        "{{ faker.date_time_between(start_date='-30y', end_date='now') }}",
        "{{ faker.sentence(nb_words=4) }}",
        "{{ faker.pyfloat(left_digits=2, right_digits=-1) }}",
        "{{ request.path_params.id }}",
        "{{ request.path_params['slug'] }}",
        "{{ request.query.q }}",
        "{{ request.headers['x-token'] }}",
        "{{ request.method }}",
        "{{ request.body.name }}",
        # not plain values, or not there: handed back to the sandbox
        "{{ request.body.tags }}",
        "{{ request.path_params.missing }}",
        "{{ request.query.q.upper }}",
        "{{ request.headers.items }}",
        # refused alike
        "{{ faker.paragraphs(nb=10**7) }}",
        "{{ faker.paragraphs(nb=100000) }}",
        "{{ faker.pystr(max_chars=100000) }}",
        "{{ faker.name(bogus=1) }}",
    ],
)
def test_calls_and_reads_give_the_same_bytes_and_errors_on_both_paths(source: str) -> None:
    template = compile_template(source)
    for seed in range(20):
        direct, sandboxed = render_both(template, seed)
        assert direct == sandboxed


def test_a_value_the_sandbox_must_judge_is_handed_back_before_anything_is_drawn() -> None:
    template = compile_template("{{ request.body.tags }}")
    assert template.direct is not None
    RANDOMNESS.reseed(3)
    before = RANDOMNESS.source.getstate()
    variables = TemplateVariables(RANDOMNESS.globals)
    variables["request"] = REQUEST
    assert template.direct(variables) is FALLBACK
    assert RANDOMNESS.source.getstate() == before
    assert template.render(variables) == ["a", "b"]


@pytest.mark.parametrize(
    ("built", "produced", "error"),
    [
        (0, MAX_RESPONSE_CHARS - 100, "the values of this response are over the limit"),
        (MAX_BUILT - 100, 0, "built more than the limit"),
        (MAX_BUILT - 9000, MAX_RESPONSE_CHARS - 9000, None),
    ],
    ids=["produced", "built", "just under both"],
)
def test_a_direct_call_counts_in_the_budget_of_its_response(built: int, produced: int, error: str | None) -> None:
    template = compile_template("{{ faker.pystr(min_chars=9000, max_chars=9000) }}")
    for candidate in (template, dataclasses.replace(template, direct=None)):
        variables = TemplateVariables(RANDOMNESS.globals)
        variables.budget.built, variables.budget.produced = built, produced  # what the other values took
        if error is None:
            assert len(candidate.render(variables)) == 9000
            assert (variables.budget.built, variables.budget.produced) == (MAX_BUILT, MAX_RESPONSE_CHARS)
        else:
            with pytest.raises(RenderLimitError, match=error):
                candidate.render(variables)


def test_plain_variables_still_render_through_the_sandbox() -> None:
    template = compile_template("{{ request.path_params.id }}")
    assert template.render({"request": {"path_params": {"id": 5}}}) == 5


SPEC = """\
service: people
routes:
  - path: /users/{id:int}
    response:
      headers: {x-request-id: "{{ uuid() }}", x-name: "{{ faker.last_name() }}"}
      body:
        id: "{{ request.path_params.id }}"
        name: "{{ faker.name() }}"
        email: "{{ faker.email() }}"
        city: "{{ faker.city() }}"
        kind: person
        score: "{{ faker.pyint(min_value=-50, max_value=50) }}"
        born: "{{ faker.date_of_birth() }}"
        tags: ["{{ faker.word() }}", fixed, "{{ faker.color_name() }}"]
        nested: {at: "{{ now() }}", greeting: "Hello {{ faker.first_name() }}"}
  - path: /text/{slug}
    response:
      headers: {content-type: text/plain}
      body: "{{ faker.paragraph() }}"
  - method: POST
    path: /echo
    response:
      body: {got: "{{ request.body.name }}", all: "{{ request.body }}", token: "{{ uuid() }}"}
  - path: /mixed
    response:
      body: {upper: "{{ faker.name() | upper }}", plain: "{{ faker.name() }}", query: "{{ request.query.q }}"}
"""
REQUESTS = [
    *(("GET", f"/users/{number}", None) for number in range(12)),
    *(("GET", f"/text/{slug}", None) for slug in ("a", "b", "c")),
    *(("POST", "/echo", {"name": name, "n": index}) for index, name in enumerate(("ada", "bob", "", "éa"))),
    *(("GET", f"/mixed?q={q}", None) for q in ("x", "y", "")),
]


def answers(server: MockServer) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    with httpx.Client(base_url=server.url) as client:
        got = []
        for method, path, body in REQUESTS:
            response = client.request(method, path, json=body)
            headers = [(k, v) for k, v in response.headers.items() if k not in ("date", "server")]
            got.append((response.status_code, headers, response.content))
        return got


def test_a_server_answers_the_same_bytes_with_and_without_direct_calls(
    serve: Serve, write_spec: WriteSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write_spec(SPEC)
    environment._compile_cached.cache_clear()
    direct = answers(serve(spec))
    monkeypatch.setattr(environment, "compile_direct", lambda expression: None)
    environment._compile_cached.cache_clear()
    try:
        sandboxed = answers(serve(spec))
    finally:
        environment._compile_cached.cache_clear()
    assert all(status == 200 for status, _, _ in direct)
    assert direct == sandboxed
