"""Unit tests of the sandboxed templates (mockery/templating.py) and the value trees (mockery/values.py)."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest

from mockery.fakes import Clock, new_generator, provider_names, service_randomness
from mockery.templating import (
    MAX_OUTPUT_CHARS,
    FakerProxy,
    RenderLimitError,
    SecurityError,
    TemplateSyntaxError,
    compile_template,
    is_template,
    template_problems,
)
from mockery.values import ConstantValue, DocPath, ListValue, MappingValue, TemplateValue, compile_value, templates

FAKER_NAMES = provider_names("en_US")


@pytest.fixture(scope="module")
def generator() -> Any:
    return new_generator("en_US")


@pytest.fixture
def context(generator: Any) -> dict[str, Any]:
    """The globals a service's templates get: faker, uuid, now, random, seeded like a render."""
    randomness = service_randomness(1234, generator, "en_US", Clock())
    randomness.reseed(99)
    return dict(randomness.globals)


def render(source: str, **variables: Any) -> Any:
    return compile_template(source).render(variables)


# --- types: a lone expression keeps its type, text stays text -------------------------------------------------


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [
        ("{{ 40 + 2 }}", {}, 42),
        ("  {{ 40 + 2 }}\n", {}, 42),
        ("{{ 1.5 * 2 }}", {}, 3.0),
        ("{{ true }}", {}, True),
        ("{{ {'a': [1, 2], 'b': none} }}", {}, {"a": [1, 2], "b": None}),
        ("{{ [1, 'two', 3.0] }}", {}, [1, "two", 3.0]),
        ("{{ missing }}", {}, None),
        ("{{ request.body.nothing.deeper }}", {"request": {"body": {}}}, None),
        ("{{ request.path_params.id }}", {"request": {"path_params": {"id": 7}}}, 7),
        ("{{ request.body }}", {"request": {"body": {"x": [1, {"y": None}]}}}, {"x": [1, {"y": None}]}),
        ("{{ request.body.items }}", {"request": {"body": {"items": [3, 2, 1]}}}, [3, 2, 1]),
    ],
    ids=["int", "int-with-whitespace", "float", "bool", "dict", "list", "undefined", "undefined-chain",
         "path-param-int", "request-body-dict", "request-body-list"],
)  # fmt: skip
def test_lone_expression_keeps_its_type(source: str, variables: dict[str, Any], expected: Any) -> None:
    template = compile_template(source)
    assert template.native
    result = template.render(variables)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [
        ("id={{ 40 + 2 }}", {}, "id=42"),
        ("{{ 4 }}{{ 2 }}", {}, "42"),
        ("{{ 42 }} ", {}, "42 "),  # a lone expression: whitespace around it is allowed...
        ("{{ 4 }} and {{ 2 }}", {}, "4 and 2"),
        ("a{{ missing }}b", {}, "ab"),
        ("{% if true %}{{ 42 }}{% endif %}", {}, "42"),
        ("{# note #}{{ 42 }}", {}, "42"),
        ("[{{ items|join(',') }}]", {"items": [1, 2]}, "[1,2]"),
        ("{{ '{{' }} x", {}, "{{ x"),
    ],
    ids=["prefix", "two-expressions", "trailing-space", "text-between", "undefined-is-empty", "if-block",
         "comment", "filter", "escaped-braces"],
)  # fmt: skip
def test_mixed_text_stays_a_string(source: str, variables: dict[str, Any], expected: str) -> None:
    template = compile_template(source)
    result = template.render(variables)
    if template.native:  # only the whitespace case is native: then the value itself comes back
        assert source.strip() == "{{ 42 }}"
        assert result == 42
    else:
        assert result == expected
        assert isinstance(result, str)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("plain", False), ("{{ x }}", True), ("{% if x %}{% endif %}", True), ("{# c #}", True), ("{ x }", False)],
    ids=["plain", "expression", "statement", "comment", "single-brace"],
)
def test_is_template(text: str, expected: bool) -> None:
    assert is_template(text) is expected


def test_syntax_error_names_the_template_line() -> None:
    with pytest.raises(TemplateSyntaxError) as caught:
        compile_template("first\nsecond\n{{ 1 + }}")
    assert caught.value.lineno == 3


# --- hostile templates ------------------------------------------------------------------------------------------

HOSTILE = [
    pytest.param("{{ 'x' * 10**9 }}", id="str-times-big"),
    pytest.param("{{ 10**9 * 'x' }}", id="big-times-str"),
    pytest.param("{{ [0] * 10**9 }}", id="list-times-big"),
    pytest.param("{{ ['x'] * 999999 * 999 }}", id="list-repeat-twice"),
    pytest.param("{{ 'x' * 999999 + 'y' * 999999 }}", id="concat-over-cap"),
    pytest.param("{{ 9**(9**9) }}", id="power-tower"),
    pytest.param("{{ 2**4000 * 2**4000 * 2**4000 }}", id="big-int-product"),
    pytest.param("{{ (2**4000) ** 2 }}", id="big-int-power"),
    pytest.param("{{ '%999999999s' % 'x' }}", id="printf-width"),
    pytest.param("{{ '%*s' % (999999999, 'x') }}", id="printf-star-width"),
    pytest.param("{{ '%.999999999f' % 1.0 }}", id="printf-precision"),
    pytest.param("{{ '%(a)999999999s' % {'a': 1} }}", id="printf-mapping-width"),
    pytest.param("{{ '%999999999s'|format('x') }}", id="format-filter-width"),
    pytest.param("{{ '{:>999999999}'.format('x') }}", id="str-format-width"),
    pytest.param("{{ '{0:{1}}'.format('x', 999999999) }}", id="str-format-nested-width"),
    pytest.param("{{ 'x'|center(10**9) }}", id="center-filter"),
    pytest.param("{{ 'x'|indent(10**9) }}", id="indent-filter"),
    pytest.param("{{ 'x'.center(10**9) }}", id="center-method"),
    pytest.param("{{ 'x'.ljust(10**9) }}", id="ljust-method"),
    pytest.param("{{ 'x'.rjust(10**9) }}", id="rjust-method"),
    pytest.param("{{ 'x'.zfill(10**9) }}", id="zfill-method"),
    pytest.param("{{ ('x' * 100000)|replace('x', 'x' * 10000) }}", id="replace-filter"),
    pytest.param("{{ ('x' * 100000).replace('x', 'x' * 10000) }}", id="replace-method"),
    pytest.param("{{ ('x' * 10000)|join('x' * 100000) }}", id="join-filter"),
    pytest.param("{{ ('x' * 100000).join('x' * 10000) }}", id="join-method"),
    pytest.param("{{ ('x' * 10000)|wordwrap(1, wrapstring='x' * 100000) }}", id="wordwrap-filter"),
    pytest.param("{{ lipsum(10**9) }}", id="lipsum"),
    pytest.param("{{ range(10**8)|list }}", id="huge-range"),
    pytest.param("{{ range(10**8)|length }}", id="huge-range-length"),
    pytest.param("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", id="nested-loops"),
    pytest.param("{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}", id="output-over-cap"),
    pytest.param("{{ faker.paragraphs(nb=10**7) }}", id="faker-paragraphs"),
    pytest.param("{{ faker.pystr(max_chars=10**9) }}", id="faker-pystr"),
    pytest.param("{{ faker.password(length=10**9) }}", id="faker-password"),
    pytest.param("{{ faker.sentence(nb_words=10**9) }}", id="faker-sentence"),
]


@pytest.mark.parametrize("prefix", ["", "text "], ids=["native", "text"])
@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_template_is_refused(source: str, prefix: str, context: dict[str, Any]) -> None:
    template = compile_template(prefix + source)
    if prefix:
        assert not template.native
    with pytest.raises((RenderLimitError, SecurityError)):
        template.render(context)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__ }}",
        "{{ request.__class__ }}",
        "{{ (1).__class__.__subclasses__() }}",
        "{{ faker._methods }}",
        "{{ range.__globals__ }}",
    ],
    ids=["mro", "class", "request-class", "subclasses", "proxy-private", "globals"],
)
@pytest.mark.parametrize("prefix", ["", "text "], ids=["native", "text"])
def test_private_attribute_raises_security_error_at_render(source: str, prefix: str, context: dict[str, Any]) -> None:
    template = compile_template(prefix + source)
    with pytest.raises(SecurityError):
        template.render({**context, "request": {"body": None}})


def test_jinja_power_is_left_associative_so_nine_nine_nine_is_small() -> None:
    # Jinja2 parses 9**9**9 as (9**9)**9, a 78-digit number; the right-nested tower is refused above.
    assert render("{{ 9**9**9 }}") == (9**9) ** 9
    with pytest.raises(RenderLimitError):
        render("{{ 9**(9**9) }}")


def test_output_just_under_the_cap_is_served() -> None:
    count = MAX_OUTPUT_CHARS // 1000
    result = render(f"{{% for i in range({count}) %}}{{{{ 'x' * 1000 }}}}{{% endfor %}}")
    assert result == "x" * (count * 1000)
    with pytest.raises(RenderLimitError):
        render(f"{{% for i in range({count + 1}) %}}{{{{ 'x' * 1000 }}}}{{% endfor %}}")


def test_native_string_over_the_cap_is_refused() -> None:
    assert len(render(f"{{{{ 'x' * {MAX_OUTPUT_CHARS} }}}}")) == MAX_OUTPUT_CHARS
    with pytest.raises(RenderLimitError):
        render(f"{{{{ ('x' * {MAX_OUTPUT_CHARS}) ~ 'y' }}}}")


def test_step_budget_restores_the_previous_tracer() -> None:
    before = sys.gettrace()
    with pytest.raises(RenderLimitError):
        render("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}")
    assert sys.gettrace() is before
    assert render("{% for i in range(3) %}{{ i }}{% endfor %}") == "012"
    assert sys.gettrace() is before


def test_template_exceptions_propagate() -> None:
    with pytest.raises(ZeroDivisionError):
        render("{{ 1 // 0 }}")
    with pytest.raises(RecursionError):
        render("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}")


# --- normal templates still work -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{% for i in range(5) %}{{ i }},{% endfor %}", ",".join(str(i) for i in range(5)) + ","),
        (
            "{% for i in range(100) %}{% for j in range(100) %}.{% endfor %}{% endfor %}",
            "." * 10_000,
        ),
        ("{% for n in names %}{{ loop.index }}:{{ n|upper }} {% endfor %}", "1:A 2:B "),
        ("{{ 'ab' * 3 }}", "ab" * 3),
        ("{{ 2**100 }}", 2**100),
        ("{{ '%5s|%.2f' % ('x', 1) }}", "%5s|%.2f" % ("x", 1)),  # noqa: UP031
        ("{{ '{:>5}'.format('x') }}", "{:>5}".format("x")),
        ("{{ 'x'|center(9) }}", "x".center(9)),
        ("{{ 'x'.ljust(4) }}", "x".ljust(4)),
        ("{{ 'a-b'|replace('-', '--') }}", "a--b"),
        ("{{ ', '.join(names) }}", "a, b"),
        ("{{ names|join('/') }}", "a/b"),
        ("{{ range(10000)|list|length }}", 10_000),
        ("{% macro greet(n) %}hi {{ n }}{% endmacro %}{{ greet('x') }}", "hi x"),
    ],
    ids=["loop", "nested-loop-10k", "loop-variable", "small-repeat", "big-but-fine-int", "printf", "str-format",
         "center", "ljust", "replace", "join-method", "join-filter", "max-range", "macro"],
)  # fmt: skip
def test_normal_templates_work(source: str, expected: Any) -> None:
    assert render(source, names=["a", "b"]) == expected


def test_lipsum_small_is_allowed() -> None:
    text = str(render("{{ lipsum(2, html=false) }}"))
    assert len(text.split("\n\n")) == 2


# --- Faker through the proxy -------------------------------------------------------------------------------------


def test_faker_proxy_exposes_providers_only(generator: Any) -> None:
    proxy = FakerProxy(generator, FAKER_NAMES)
    assert "name" in FAKER_NAMES
    assert isinstance(proxy.name(), str)
    with pytest.raises(AttributeError, match="unknown Faker provider 'seed_instance'"):
        _ = proxy.seed_instance
    with pytest.raises(AttributeError):
        _ = proxy.no_such_provider


def test_faker_size_arguments_are_bounded_but_small_ones_work(context: dict[str, Any]) -> None:
    assert len(render("{{ faker.paragraphs(nb=3) }}", **context)) == 3
    assert len(render("{{ faker.paragraphs(3) }}", **context)) == 3
    with pytest.raises(RenderLimitError):
        render("{{ faker.paragraphs(10**7) }}", **context)  # positional too
    with pytest.raises(RenderLimitError, match="bad arguments"):
        render("{{ faker.paragraphs(no_such_argument=1) }}", **context)


def test_faker_values_follow_the_seed(generator: Any) -> None:
    template = compile_template("{{ faker.name() }}|{{ faker.email() }}|{{ uuid() }}|{{ random.randint(0, 10**6) }}")
    randomness = service_randomness(1, generator, "en_US", Clock())

    def draw(seed: int) -> str:
        randomness.reseed(seed)
        result: str = template.render(dict(randomness.globals))
        return result

    first = draw(5)
    assert draw(5) == first
    assert draw(6) != first
    name, email, uuid, number = first.split("|")
    assert re.fullmatch(r"[^\W\d_]+\.?( [^\W\d_]+\.?)+", name), name
    assert re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", email), email
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uuid), uuid
    assert 0 <= int(number) <= 10**6


def test_now_is_the_clock(generator: Any) -> None:
    clock = Clock.parse("2030-05-01T00:00:00Z")
    randomness = service_randomness(1, generator, "en_US", clock)
    assert render("{{ now() }}", **randomness.globals) == clock.pinned
    assert render("{{ now().year }}-{{ now().month }}", **randomness.globals) == "2030-5"


# --- request data is data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    ["{{ 7*7 }}", "{% for i in range(10**9) %}x{% endfor %}", "{{ ''.__class__ }}", "{# hidden #}", "{{"],
    ids=["expression", "loop", "private", "comment", "unbalanced"],
)
@pytest.mark.parametrize(
    ("source", "wrap"),
    [("{{ request.body.x }}", "{}"), ("user: {{ request.body.x }}!", "user: {}!")],
    ids=["native", "text"],
)
def test_request_data_is_never_evaluated(payload: str, source: str, wrap: str) -> None:
    result = render(source, request={"body": {"x": payload}})
    assert result == wrap.format(payload)


def test_json_keys_win_over_dict_methods() -> None:
    body = {"items": [1, 2], "keys": "k", "get": 3}
    assert render("{{ request.body.items }}", request={"body": body}) == [1, 2]
    assert render("{{ request.body.keys }}|{{ request.body.get }}", request={"body": body}) == "k|3"
    assert render("{{ request.query.get('a', 'default') }}", request={"query": {}}) == "default"
    assert render("{{ request.query.items()|list }}", request={"query": {"a": "1"}}) == [("a", "1")]


@pytest.mark.parametrize(
    ("source", "fields"),
    [
        ("{{ 1 }}", set()),
        ("{{ request.body.x }}", {"body"}),
        ("{{ request['body'] }} {{ request.path_params.id }}", {"body", "path_params"}),
        ("{{ request.query.a }}\n{{ request.headers['x'] }}", {"query", "headers"}),
        ("{{ request }}", {"*"}),
        ("{{ request|tojson }}", {"*"}),
        ("{% set r = request %}{{ r.body }}", {"*"}),
        ("{{ request[name] }}", {"*"}),
    ],
    ids=["none", "body", "subscript", "two-lines", "whole", "filter", "alias", "dynamic-key"],
)
def test_request_fields_read_by_a_template(source: str, fields: set[str]) -> None:
    assert compile_template(source).request_fields == fields


# --- static checks ----------------------------------------------------------------------------------------------


def test_template_problems_with_line_numbers() -> None:
    source = "hello\n{{ nme }}\n{{ faker.nmae() }}\n{{ request._secret }}\n{{ uuid() }} {{ now() }} {{ request.x }}"
    problems = template_problems(compile_template(source), FAKER_NAMES)
    found = {(problem.line, problem.message) for problem in problems}
    assert found == {
        (2, "unknown name 'nme'"),
        (3, "unknown Faker provider 'nmae'"),
        (4, "access to the private attribute '_secret' is not allowed"),
    }
    suggestion = next(problem.suggestion for problem in problems if problem.line == 3)
    assert suggestion is not None
    assert "'name'" in suggestion


@pytest.mark.parametrize(
    "source",
    [
        "{{ request.body.x }} {{ faker.name() }} {{ uuid() }} {{ now() }} {{ random.random() }}",
        "{% for i in range(3) %}{{ i }}{{ loop.index }}{% endfor %}",
        "{% set n = 3 %}{{ n }}",
        "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1) }}",
        "{{ lipsum(1) }} {{ dict(a=1) }}",
    ],
    ids=["context-names", "loop-variables", "set", "macro", "jinja-globals"],
)
def test_valid_templates_have_no_problems(source: str) -> None:
    assert template_problems(compile_template(source), FAKER_NAMES) == []


def test_private_key_by_subscript_is_flagged() -> None:
    problems = template_problems(compile_template("{{ request['_x'] }}\n{{ ''['__class__'] }}"), FAKER_NAMES)
    assert [problem.line for problem in problems] == [1, 2]
    assert "'_x'" in problems[0].message
    assert "'__class__'" in problems[1].message


# --- value trees ------------------------------------------------------------------------------------------------


def test_compile_value_keeps_static_trees_constant() -> None:
    seen: list[DocPath] = []
    data = {"a": [1, "two", {"b": None}], "c": "plain"}
    value = compile_value(data, ("body",), lambda path, _: seen.append(path), lambda path, _: seen.append(path))
    assert isinstance(value, ConstantValue)
    assert value.static
    assert value.render({}) == data
    assert seen == []


def test_compile_value_renders_templates_in_place() -> None:
    seen: list[DocPath] = []
    data = {"id": "{{ request.path_params.id }}", "tags": ["t", "{{ 1 + 1 }}", "n={{ 3 }}"], "fixed": 5}
    value = compile_value(data, ("body",), lambda path, _: seen.append(path), lambda path, exc: None)
    assert isinstance(value, MappingValue)
    assert not value.static
    tags = dict(value.items)["tags"]
    assert isinstance(tags, ListValue)
    assert isinstance(tags.items[1], TemplateValue)
    rendered = value.render({"request": {"path_params": {"id": 9}}})
    assert rendered == {"id": 9, "tags": ["t", 2, "n=3"], "fixed": 5}
    assert seen == [("body", "id"), ("body", "tags", 1), ("body", "tags", 2)]


def test_compile_value_reports_every_syntax_error_with_its_path() -> None:
    errors: list[tuple[DocPath, int | None]] = []
    data = {"a": "{{ 1 + }}", "b": ["ok", "x\n{% if %}"]}
    value = compile_value(data, ("body",), lambda path, _: None, lambda path, exc: errors.append((path, exc.lineno)))
    assert errors == [(("body", "a"), 1), (("body", "b", 1), 2)]
    assert value.render({}) == data


def test_templates_walks_a_value_tree_in_order() -> None:
    data = {"a": "{{ 1 }}", "b": ["x", "{{ 2 }}", {"c": "n{{ 3 }}"}], "d": 4}
    value = compile_value(data, (), lambda path, _: None, lambda path, exc: None)
    assert [template.source for template in templates(value)] == ["{{ 1 }}", "{{ 2 }}", "n{{ 3 }}"]
    assert list(templates(compile_value({"a": 1}, (), lambda path, _: None, lambda path, exc: None))) == []


def test_lone_expressions_sharing_one_context_give_what_each_gives_alone() -> None:
    from mockery.templating import TemplateVariables

    sources = ["{{ 40 + 2 }}", "{{ request.missing }}", "{{ [1, 2] }}", "{{ request.name }}"]
    templates = [compile_template(source) for source in sources]
    variables = {"request": {"name": "Ada"}}
    alone = [template.render(dict(variables)) for template in templates]
    shared = TemplateVariables(variables)
    assert [template.render(shared) for template in templates] == alone == [42, None, [1, 2], "Ada"]
    assert shared.context is not None
