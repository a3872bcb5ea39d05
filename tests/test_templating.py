"""Unit tests of the sandboxed templates (mockery/templates/: environment.py, limits.py, checks.py) and the
value trees (mockery/templates/values.py)."""

from __future__ import annotations

import re
import sys
import tracemalloc
from typing import Any

import pytest
from jinja2.utils import Namespace

from mockery.templates.environment import (
    MAX_OUTPUT_CHARS,
    FakerProxy,
    RenderLimitError,
    SecurityError,
    TemplateSyntaxError,
    TemplateVariables,
    compile_template,
    is_template,
    template_problems,
)
from mockery.templates.fakes import Clock, new_generator, provider_names, service_randomness
from mockery.templates.limits import Budget, text_weight
from mockery.templates.values import (
    ConstantValue,
    DocPath,
    ListValue,
    MappingValue,
    TemplateValue,
    compile_value,
    templates,
)

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
        ("{{ [1, 2, 3, 4][1:3] }}", [2, 3]),
        ("{{ 'abcdef'[::-1] }}", "fedcba"),
        ("{{ [[1], [2, 3]]|sum(start=[]) }}", [1, 2, 3]),
        ("{{ [1, 2]|tojson(indent=2) }}", "[\n  1,\n  2\n]"),
        ("{{ {'a': [1, 2]}|pprint }}", "{'a': [1, 2]}"),
        ("{{ 'a' ~ 1 ~ [2] }}", "a1[2]"),
        ("{{ '%(a)s-%(a)s' % {'a': 'x'} }}", "x-x"),
        ("{{ '{0}{0}{name}'.format('x', name='y') }}", "xxy"),
        ("{{ 'a\nb'|indent(2, first=true) }}", "  a\n  b"),
        ("{{ names|batch(3, '-')|list }}", [["a", "b", "-"]]),
        ("{{ ['ab'] * 3 + ['c'] }}", ["ab", "ab", "ab", "c"]),
        ("{{ ([0] * 400000)|length }}", 400_000),
        ("{{ ('x' * 999999)|length }}", 999_999),
        (
            "{% set ns = namespace(items=[]) %}{% for i in range(1000) %}{% set ns.items = ns.items + [i] %}"
            "{% endfor %}{{ ns.items|length }}",
            "1000",
        ),
    ],
    ids=["loop", "nested-loop-10k", "loop-variable", "small-repeat", "big-but-fine-int", "printf", "str-format",
         "center", "ljust", "replace", "join-method", "join-filter", "max-range", "macro", "slice", "reverse-slice",
         "sum-of-lists", "tojson-indent", "pprint", "concat", "printf-mapping", "str-format-repeats", "indent",
         "batch-fill", "list-concat", "long-list", "long-string", "loop-growing-a-list"],
)  # fmt: skip
def test_normal_templates_work(source: str, expected: Any) -> None:
    assert render(source, names=["a", "b"]) == expected


def test_lipsum_small_is_allowed() -> None:
    text = str(render("{{ lipsum(2, html=false) }}"))
    assert len(text.split("\n\n")) == 2


# --- bombs: a value is sized from its operands before it is built ---------------------------------------------

SHARED = (
    "{% set a = ['x' * 100000] * 9 %}{% set b = [a, a, a, a, a, a, a, a, a, a] %}"
    "{% set c = [b, b, b, b, b, b, b, b, b, b] %}{% set d = [c, c, c, c, c, c, c, c, c, c] %}"
)  # d is a gigabyte as text, in a megabyte of memory
LOOP = "{% set ns = namespace(kept=[]) %}{% set big = BIG %}{% for i in range(10000) %}{% set ns.kept = [ns.kept, STEP] %}{% endfor %}"  # noqa: E501
BOMBS = [
    pytest.param("{{ ['x' * 1000000] * 1000000 }}", id="nested-repeat"),
    pytest.param("{{ 1000000 * ['x' * 1000000] }}", id="nested-repeat-reversed"),
    pytest.param("{{ [['x' * 1000] * 1000] * 1000 }}", id="repeat-of-a-repeat"),
    pytest.param("{{ [request.body] * 1000000 }}", id="repeat-of-request-data"),
    pytest.param("{{ 'x'.encode() * 10**10 }}", id="bytes-repeat"),
    pytest.param(
        "{% set a = ['x' * 600000] %}{% set b = a + a + a + a + a + a + a + a + a + a %}"
        "{% set c = b + b + b + b + b + b + b + b + b + b %}{{ c + c + c + c + c + c + c + c + c + c }}",
        id="list-concat",
    ),
    pytest.param(
        "{% set a = 'x' * 1000000 %}{% set b = a ~ a ~ a ~ a %}{% set c = b ~ b ~ b ~ b %}{% set d = c ~ c ~ c ~ c %}"
        "{{ d ~ d ~ d ~ d }}",
        id="concat-doubling",
    ),
    pytest.param(SHARED + "{{ d }}", id="shared-references-output"),
    pytest.param(SHARED + "{{ d|string }}", id="shared-references-string"),
    pytest.param(SHARED + "{{ d|tojson }}", id="shared-references-tojson"),
    pytest.param(SHARED + "{{ d|upper }}", id="shared-references-upper"),
    pytest.param(SHARED + "{{ '%s' % [d] }}", id="shared-references-printf"),
    pytest.param(SHARED + "{{ '{}'.format(d) }}", id="shared-references-format"),
    pytest.param(SHARED + "{{ d ~ '' }}", id="shared-references-concat"),
    pytest.param(SHARED + "{{ [d]|join }}", id="shared-references-join"),
    pytest.param(SHARED + "{{ 'x'|replace(d, 'y') }}", id="shared-references-filter-argument"),
    pytest.param("{{ ('%(a)s' * 200000) % {'a': 'x' * 1000} }}", id="printf-mapping-repeats"),
    pytest.param("{{ ('%9999s' * 100000) % (('',) * 100000) }}", id="printf-widths"),
    pytest.param("{{ ('%(a)s' * 200000)|format(a='x' * 1000) }}", id="format-filter-repeats"),
    pytest.param("{{ ('{0}' * 300000).format('x' * 1000) }}", id="str-format-repeats"),
    pytest.param("{{ ('{a}' * 300000).format_map({'a': 'x' * 1000}) }}", id="format-map-repeats"),
    pytest.param("{{ ('\n' * 999999)|indent('x' * 999999, blank=true) }}", id="indent-text-width"),
    pytest.param("{{ ('\n' * 999999)|indent(9999) }}", id="indent-every-line"),
    pytest.param("{{ ('\t' * 999999).expandtabs(9999) }}", id="expandtabs"),
    pytest.param("{{ ('ab' * 300000).translate({97: 'x' * 999}) }}", id="translate"),
    pytest.param("{{ ([0] * 90000)|tojson(indent=9999) }}", id="tojson-indent"),
    pytest.param("{{ [1]|batch(10**9, 'x')|list }}", id="batch-fill"),
    pytest.param("{{ [1]|slice(10**9)|list }}", id="slice-count"),
    pytest.param("{{ [['x' * 400000], ['x' * 400000], ['x' * 400000]]|sum(start=[]) }}", id="sum-of-lists"),
    pytest.param(
        "{% set ns = namespace(items=[1]) %}{% for i in range(10000) %}"
        "{% set ns.items = ns.items + [ns.items, ns.items] %}{% endfor %}",
        id="loop-doubling",
    ),
    pytest.param(LOOP.replace("BIG", "[0] * 400000").replace("STEP", "big[1:]"), id="loop-kept-slices"),
    pytest.param(LOOP.replace("BIG", "[0] * 400000").replace("STEP", "big|list"), id="loop-kept-copies"),
    pytest.param(LOOP.replace("BIG", "'x' * 400000").replace("STEP", "big.upper()"), id="loop-kept-method-results"),
    pytest.param(
        "{% macro d(x) %}{{ x }}{{ x }}{% endmacro %}"
        "{{ d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d('x' * 10)))))))))))))))))))))))))) }}",
        id="macro-doubling",
    ),
    pytest.param("{{ faker.random_number(digits=10**6) }}", id="faker-digits"),
    pytest.param("{{ faker.pyfloat(left_digits=10**6) }}", id="faker-left-digits"),
]
# A response's templates may build 10,000,000 items in all: 80 MB of references at most.
ALLOCATED_BYTES = 128 * 1024 * 1024


@pytest.mark.parametrize("source", BOMBS)
def test_a_bomb_is_refused_before_it_allocates(source: str, context: dict[str, Any]) -> None:
    template = compile_template(source)
    variables = TemplateVariables({**context, "request": {"body": {"text": "x" * 1000}}})
    tracemalloc.start()
    try:
        with pytest.raises(RenderLimitError, match="limit"):
            template.render(variables)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < ALLOCATED_BYTES, f"{peak / 2**20:.0f} MiB allocated"


def test_the_templates_of_one_response_share_a_budget() -> None:
    def values(count: int) -> Any:
        return compile_value(["{{ 'x' * 1000000 }}"] * count, (), lambda path, _: None, lambda path, exc: None)

    assert len(values(9).render(TemplateVariables())) == 9
    with pytest.raises(RenderLimitError, match="built more than the limit of 10000000 items or characters"):
        values(11).render(TemplateVariables())
    echo = compile_value(["{{ request.body }}"] * 11, (), lambda path, _: None, lambda path, exc: None)
    with pytest.raises(RenderLimitError, match="over the limit of 10000000 characters in all"):
        echo.render(TemplateVariables(request={"body": {"text": "x" * 1_000_000}}))
    # Each response has a budget of its own.
    assert len(values(9).render(TemplateVariables())) == 9


def test_text_weight_counts_each_reference_and_weighs_each_list_once() -> None:
    word = "x" * 10
    assert text_weight([word, word, word], 1000, Budget()) >= 30
    doubling: list[Any] = [word]
    for _ in range(64):  # 2**64 references to one word: weighed as 65 lists, not walked 2**64 times
        doubling = [doubling, doubling]
    assert text_weight(doubling, MAX_OUTPUT_CHARS, Budget()) > MAX_OUTPUT_CHARS
    cycle = Namespace()
    cycle["self"] = cycle  # a namespace can hold itself: the count stops at the limit all the same
    assert text_weight(cycle, 1000, Budget()) > 1000


# --- constant bombs: problems when the spec loads -------------------------------------------------------------

OVER = "over the limit of 1,000,000: it fails whenever it runs"
BUILDS = "builds a value of at least {:,} items or characters, " + OVER


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("{{ ['x' * 1000000] * 1000000 }}", 1, "`*` " + BUILDS.format(1_000_001_000_001)),
        ("one\n{% set s = 'x' * 1000000 %}\n{{ [s] * 1000000 }}", 3, "`*` " + BUILDS.format(1_000_001_000_001)),
        ("{{ 'x' * 10**9 }}", 1, "`*` " + BUILDS.format(10**9)),
        ("{{ [1] * 2000000 }}", 1, "`*` " + BUILDS.format(4_000_001)),
        ("{{ ('x' * 600000) + ('x' * 600000) }}", 1, "`+` " + BUILDS.format(1_200_000)),
        ("{% set a = 'x' * 1000000 %}{{ a ~ a }}", 1, "`~` " + BUILDS.format(2_000_000)),
        ("{{ (['x' * 100] * 900)|join('yy' * 1000) }}", 1, "join " + BUILDS.format(1_888_000)),
        ("{{ 2 ** 100000 }}", 1, "`**` builds an integer of about 200,000 bits, over the limit of 4,096: it fails "
                                 "whenever it runs"),
        ("{{ range(10**6)|list }}", 1, "range() of 1,000,000 items is over the limit of 10,000"),
        ("{{ 'x'|center(100000) }}", 1, "a width given to center of 100,000 is over the limit of 10,000"),
        ("{{ 'x'.ljust(10**6) }}", 1, "a width given to ljust() of 1,000,000 is over the limit of 10,000"),
        ("{{ [1]|batch(10**9, 'x') }}", 1, "a filled batch of 1,000,000,000 is over the limit of 10,000"),
        ("{{ [1]|slice(10**9) }}", 1, "a slice count of 1,000,000,000 is over the limit of 10,000"),
        ("{{ lipsum(10**6) }}", 1, "lipsum n of 1,000,000 is over the limit of 10,000"),
        ("{{ faker.pystr(max_chars=10**9) }}", 1, "faker.pystr() max_chars of 1,000,000,000 is over the limit of "
                                                  "10,000"),
    ],
    ids=["nested-repeat", "named-value", "string-repeat", "million-items", "plus", "concat", "join", "power",
         "range", "center", "ljust", "batch", "slice", "lipsum", "faker"],
)  # fmt: skip
def test_a_constant_bomb_is_a_problem_at_its_line(
    source: str, line: int, message: str, context: dict[str, Any]
) -> None:
    template = compile_template(source)
    assert [(problem.line, problem.message) for problem in template_problems(template, FAKER_NAMES)] == [
        (line, message)
    ]
    # A low bound: what is refused when the spec loads would fail at every render too.
    with pytest.raises(RenderLimitError):
        template.render(dict(context))


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * request.query.n|default(10**9)|int }}",
        "{{ ['x' * 1000] * 999 }}",
        "{{ ([0] * 400000)|length }}",
        "{{ [range(10000)] * 1000 }}",
        "{% for s in ['x' * 1000000] %}{{ [s] * 1000 }}{% endfor %}",
        "{% set a = 'x' %}{% set a = 'x' * 1000000 %}{{ [a] * 1000 }}",
        "{{ [a] * 1000 }}{% set a = 'x' * 1000000 %}",
        "{% if request %}{% set a = 'x' * 1000000 %}{% endif %}{{ [a] * 1000 }}",
    ],
    ids=["from-the-request", "under-the-limit", "zeros", "ranges", "loop-variable", "set-twice", "read-before-set",
         "set-in-a-branch"],
)  # fmt: skip
def test_what_constants_do_not_decide_is_not_a_problem(source: str) -> None:
    assert compile_template(source).limit_problems == ()


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
    # A lone {{ now() }} writes the instant as every other position does: RFC 3339 (mockery.templates.dates).
    assert render("{{ now() }}", **randomness.globals) == "2030-05-01T00:00:00+00:00"
    assert render("{{ now() == now() }}", **randomness.globals) is True
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
        (5, "unknown attribute 'x' of request"),
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
    sources = ["{{ 40 + 2 }}", "{{ request.missing }}", "{{ [1, 2] }}", "{{ request.name }}"]
    templates = [compile_template(source) for source in sources]
    variables = {"request": {"name": "Ada"}}
    alone = [template.render(dict(variables)) for template in templates]
    shared = TemplateVariables(variables)
    assert [template.render(shared) for template in templates] == alone == [42, None, [1, 2], "Ada"]
    assert shared.context is not None
