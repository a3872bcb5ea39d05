"""Sandboxed Jinja2 templates: compiled once at load time, rendered per request with bounded cost.

A spec's templates are written by the spec's author, but they are fed request data, and a mock server must
keep serving whatever a template does. So rendering runs in Jinja2's immutable sandbox, with more bounds
(mockery.templates.limits, template_operations): every operation that could build a huge value (``'x' * 10**9``,
``['x' * 10**6] * 10**6``, ``9**9**9``, a wide ``%`` format) is sized from its operands before it runs, the
values and text the templates of one response build are counted against a budget, and templates with
loops run under an instruction budget. What a template's constants alone decide is refused when the spec
loads (mockery.templates.checks).
"""

from __future__ import annotations

import datetime as dt
import functools
import re  # re-ok: fixed patterns, none supplied by a client or a spec
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any, cast

from jinja2 import ChainableUndefined, TemplateSyntaxError, Undefined, meta, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.parser import Parser
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mockery.suggest import did_you_mean
from mockery.templates import helpers as helpers
from mockery.templates import limits as limits
from mockery.templates import operations as operations
from mockery.templates.checks import constant_problems
from mockery.templates.dates import DATE_TYPES, rfc3339
from mockery.templates.direct import FALLBACK, Direct, compile_direct
from mockery.templates.faker_calls import FakerMethod, FakerProxy
from mockery.templates.limits import (
    MAX_INT_BITS,
    MAX_LOOP_STEPS,
    MAX_OUTPUT_CHARS,
    MAX_RANGE,
    MAX_SIZE_ARGUMENT,
    Budget,
    RenderLimitError,
    run_with_budget,
)
from mockery.templates.references import NO_REFERENCES, References, read_references, reference_problems

# Names a template may use without defining them.
CONTEXT_NAMES = frozenset({"request", "faker", "uuid", "now", "random", "resources", "counter"})

_LONE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}|\{%|\{#).)*)\}\}\s*$", re.DOTALL)
# Templates longer than this are compiled each time they are asked for rather than kept: a client that
# posts runtime routes cannot fill the cache with megabytes of source.
_CACHED_SOURCE_CHARS = 64 * 1024
# mockery's own size checks: a call of one is a step of the template, what it runs inside is not.
_CHECK_FILES = frozenset({limits.__file__, operations.__file__})
_BUILTIN_OWNERS = frozenset({dict, list, tuple, str, bytes, set, frozenset, int, float})


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja2's code generator, with ``~`` sized before it joins, and slices (``value[1:]``) passed through
    the sandbox's ``getitem``, which Jinja2 skips for them: neither has a hook of its own."""

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("str_join(environment.check_concat((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write(")))")

    @optimizeconst
    def visit_Getitem(self, node: nodes.Getitem, frame: Frame) -> None:
        if not isinstance(node.arg, nodes.Slice):
            super().visit_Getitem(node, frame)
            return
        self.write("environment.getitem(")
        self.visit(node.node, frame)
        self.write(", slice(")
        for part in (node.arg.start, node.arg.stop, node.arg.step):
            if part is None:
                self.write("None")
            else:
                self.visit(part, frame)
            self.write(", ")
        self.write("))")


class MockerySandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with bounds on what a single render may build or spend."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _BoundedCodeGenerator

    def __init__(self) -> None:
        super().__init__(
            undefined=ChainableUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            finalize=operations.checked_output,
        )
        # What a block ({% set %}...{% endset %}, a macro, a filter block) outputs is joined by this.
        self.concat = operations.capped_concat  # type: ignore[method-assign]
        self.check_concat = operations.check_concat
        self.globals["range"] = operations.bounded_range
        self.globals["lipsum"] = operations.bounded_lipsum(cast(Callable[..., str], self.globals["lipsum"]))
        checked = {
            "center": operations.bounded_width,
            "indent": operations.checked_indent,
            "format": operations.checked_format,
            "replace": operations.checked_replace,
            "join": operations.checked_join,
            "wordwrap": operations.checked_wordwrap,
            "batch": operations.checked_batch,
            "slice": operations.checked_slice,
            "sum": operations.checked_sum,
        }
        for name, check in checked.items():
            self.filters[name] = check(self.filters[name])
        self.filters["pprint"] = operations.bounded_pprint
        self.filters["string"] = _string_filter(self.filters["string"])
        self.policies["json.dumps_function"] = operations.bounded_json_dumps
        self.filters.update(helpers.FILTERS)
        self.filters["format"] = helpers.date_format(self.filters["format"])
        self.globals.update(helpers.GLOBALS)
        for name, function in list(self.filters.items()):
            self.filters[name] = operations.charged(function, name)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Request data is JSON: in ``request.body.items`` the key wins over the dict method of that name.
        value = obj[attribute] if type(obj) is dict and attribute in obj else super().getattr(obj, attribute)
        limits.current_budget().read(obj, value)
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, slice):
            operations.checked_slice_length(obj, argument)
        value = super().getitem(obj, argument)
        limits.current_budget().read(obj, value)
        return value

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        # Jinja2 returns an Undefined that fails only when used, and ChainableUndefined never fails: refuse here.
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "+" and isinstance(left, dt.date) and isinstance(right, str):
            return helpers.shift(left, right)  # now() + '3d'
        weight = operations.check_binop(operator, left, right)
        result = super().call_binop(context, operator, left, right)
        if weight is not None:
            limits.current_budget().remember(result, weight)
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped: Callable[..., str] | None = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text, name = value.__self__, value.__name__
        run = wrapped

        def checked(*args: Any, **kwargs: Any) -> str:
            if name == "format_map":
                operations.check_str_format(text, (), args[0] if args else {})
            else:
                operations.check_str_format(text, args, kwargs)
            return run(*args, **kwargs)

        return checked

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(__obj, FakerMethod):
            __obj.check(args, kwargs)
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (str, bytes)):
            args = operations.check_str_method(owner, __obj.__name__, args)
        result = super().call(__context, __obj, *args, **kwargs)
        budget = limits.current_budget()
        budget.build(limits.size_of(result))
        if owner is not None and type(owner) not in _BUILTIN_OWNERS and budget.is_given(owner):
            # A method of the resources (``resources.users.list()``) answers with their records only;
            # a method of plain data (``dict.get(key, default)``) may answer with its arguments.
            budget.give(result)
        return result


def _string_filter(string: Callable[..., Any]) -> Callable[..., Any]:
    def text(value: Any) -> Any:
        return rfc3339(value) if isinstance(value, DATE_TYPES) else string(value)

    return text


@functools.cache
def sandbox() -> MockerySandbox:
    """The environment every template is compiled in; rendering context comes per service and request."""
    return MockerySandbox()


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """A problem found while compiling a template, at a 1-based line of the template's text."""

    line: int
    message: str
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class CompiledTemplate:
    """A template, ready to render. ``native`` templates (a lone ``{{ expr }}``) keep the value's type."""

    source: str
    native: bool
    names: tuple[tuple[str, int], ...]
    faker_calls: tuple[tuple[str, int], ...]
    private_attributes: tuple[tuple[str, int], ...]
    looping: bool
    _render: Callable[[dict[str, Any]], Any]
    # The keys read from ``request`` (``request.body`` → "body"); "*" when ``request`` is used as a whole.
    request_fields: frozenset[str] = frozenset()
    # Values over a limit that the template's constants alone build: every render would fail.
    limit_problems: tuple[TemplateProblem, ...] = ()
    # What it names by constants (request attributes, Faker arguments, filters, tests), judged at load.
    references: References = NO_REFERENCES
    # A lone plain call or read (``{{ faker.name() }}``) as a direct Python call (mockery.templates.direct).
    direct: Direct | None = None

    def render(self, variables: dict[str, Any]) -> Any:
        """Render with ``variables``; raises ``RenderLimitError`` or whatever the template raised.

        The templates rendered with one ``TemplateVariables`` share its budget (what they may build and
        produce in all); plain variables get a budget of their own."""
        if self.direct is not None and type(variables) is TemplateVariables:
            value = self.direct(variables)
            if value is not FALLBACK:
                return value
        budget = variables.budget if isinstance(variables, TemplateVariables) else Budget()
        budget.give(variables.get("request"))
        budget.give(variables.get("resources"))
        if self.looping:
            return run_with_budget(budget, _with_step_budget, self._render, variables)
        return run_with_budget(budget, self._render, variables)


class TemplateVariables(dict[str, Any]):
    """The variables of one response's render. It carries the Jinja context its lone expressions share,
    made on first use, and the budget its templates share; build a new one per response (text templates
    still get a context each)."""

    __slots__ = ("budget", "context")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context: Context | None = None
        self.budget = Budget()


def is_template(text: str) -> bool:
    """Whether a string holds template syntax at all; plain strings are sent as they are."""
    return "{{" in text or "{%" in text or "{#" in text


def compile_template(source: str) -> CompiledTemplate:
    """Compile ``source``; raises ``TemplateSyntaxError`` with the template line of the mistake."""
    if len(source) > _CACHED_SOURCE_CHARS:
        return _compile(source)
    return _compile_cached(source)


def _compile(source: str) -> CompiledTemplate:
    # Jinja2 folds constant expressions while it compiles: the filters it runs then are bounded, and share
    # one budget, like those of a render.
    compiled: CompiledTemplate = run_with_budget(Budget(), _compile_now, source)
    return compiled


_compile_cached = functools.lru_cache(maxsize=4096)(_compile)


def _compile_now(source: str) -> CompiledTemplate:
    environment = sandbox()
    tree = environment.parse(source)
    # Judged before anything compiles the tree: Jinja2's optimizer folds constants in place.
    limit_problems = tuple(TemplateProblem(*problem) for problem in constant_problems(tree))
    lone = _LONE_EXPRESSION.match(source)
    references = read_references(tree, environment, "request" not in _set_names(tree))
    if references.unknown:
        # Jinja2 would refuse an unknown filter with no suggestion, or only when a branch reaches it:
        # template_problems reports each, and a spec with one never serves.
        def refuse(variables: dict[str, Any]) -> Any:
            raise RenderLimitError(references.unknown[0][1])

        return _compiled(source, tree, lone is not None, refuse, limit_problems, references)
    if lone is not None:
        expression = environment.compile_expression(lone.group("expr"), undefined_to_none=True)
        code = expression._template  # its root_render_func assigns the value to the context's "result"

        def render_native(variables: dict[str, Any]) -> Any:
            if isinstance(variables, TemplateVariables):
                # One Jinja context serves every lone expression of a response: no new context per value.
                context = variables.context
                if context is None:
                    context = variables.context = code.new_context(variables)
                for _ in code.root_render_func(context):
                    pass
                result = context.vars["result"]
                if isinstance(result, Undefined):
                    result = None
            else:
                result = expression(**variables)
            if isinstance(result, str):
                limits.check_size(len(result))
            elif isinstance(result, DATE_TYPES):
                result = rfc3339(result)  # the same text in a body, a header or a string
            # Sized before anyone serialises it: a few shared references can stand for terabytes of JSON.
            limits.current_budget().produce(result)
            return result

        parser = Parser(environment, lone.group("expr"), state="variable")
        node = parser.parse_expression()
        direct = compile_direct(node) if parser.stream.current.type == "eof" else None
        return _compiled(source, tree, True, render_native, limit_problems, references, direct)
    template = environment.from_string(tree)

    def render_text(variables: dict[str, Any]) -> str:
        text = operations.capped_concat(template.generate(variables))
        limits.current_budget().produce(text)
        return text

    return _compiled(source, tree, False, render_text, limit_problems, references)


def _compiled(
    source: str,
    tree: nodes.Template,
    native: bool,
    render: Callable[[dict[str, Any]], Any],
    limit_problems: tuple[TemplateProblem, ...],
    references: References,
    direct: Direct | None = None,
) -> CompiledTemplate:
    try:
        undeclared = meta.find_undeclared_variables(tree)
    except TemplateSyntaxError:  # an unknown filter or test: reported by template_problems
        stored = _set_names(tree)
        undeclared = {node.name for node in tree.find_all(nodes.Name) if node.name not in stored}
    first_use: dict[str, int] = {}
    for node in tree.find_all(nodes.Name):
        if node.name in undeclared and node.ctx == "load":
            first_use.setdefault(node.name, node.lineno)
    faker_calls = tuple(
        (node.attr, node.lineno)
        for node in tree.find_all(nodes.Getattr)
        if isinstance(node.node, nodes.Name) and node.node.name == "faker"
    )
    private = []
    for access in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attr = access.attr if isinstance(access, nodes.Getattr) else _constant_key(access)
        if isinstance(attr, str) and attr.startswith("_"):
            private.append((attr, access.lineno))
    looping = any(True for _ in tree.find_all((nodes.For, nodes.Macro, nodes.CallBlock)))
    return CompiledTemplate(
        source,
        native,
        tuple(sorted(first_use.items())),
        faker_calls,
        tuple(private),
        looping,
        render,
        _request_fields(tree),
        limit_problems,
        references,
        direct,
    )


def _set_names(tree: nodes.Template) -> set[str]:
    """The names a template sets itself, anywhere: assigned, a loop target, a macro's parameter."""
    return {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}


def _request_fields(tree: nodes.Template) -> frozenset[str]:
    fields: set[str] = set()
    uses = sum(1 for node in tree.find_all(nodes.Name) if node.name == "request" and node.ctx == "load")
    for access in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = getattr(access, "node", None)
        if isinstance(target, nodes.Name) and target.name == "request":
            uses -= 1
            key = access.attr if isinstance(access, nodes.Getattr) else _constant_key(access)
            fields.add(key if isinstance(key, str) else "*")
    if uses > 0:
        fields.add("*")
    if fields & {"form", "files"}:
        fields.add("body")  # read from the body: it must be read and parsed
    return frozenset(fields)


def template_problems(
    template: CompiledTemplate,
    faker_names: frozenset[str],
    *,
    extra_names: frozenset[str] = frozenset(),
    route_path: str | None = None,
) -> list[TemplateProblem]:
    """Static checks beyond syntax: unknown names (``extra_names`` are known too), unknown Faker providers and
    their arguments (when ``faker_names`` is a locale's ``ProviderNames``), request attributes and, for a
    template of the route ``route_path``, its path parameters; unknown filters and tests; private
    attributes; values over a limit built from constants alone."""
    problems: list[TemplateProblem] = []
    known = CONTEXT_NAMES | extra_names | set(sandbox().globals)
    for name, line in template.names:
        if name not in known:
            problems.append(TemplateProblem(line, f"unknown name {name!r}", did_you_mean(name, known)))
    for attr, line in template.faker_calls:
        if attr not in faker_names:
            problems.append(TemplateProblem(line, f"unknown Faker provider {attr!r}", did_you_mean(attr, faker_names)))
    for attr, line in template.private_attributes:
        problems.append(TemplateProblem(line, f"access to the private attribute {attr!r} is not allowed"))
    if template.references is not NO_REFERENCES:
        locale = getattr(faker_names, "locale", None)
        for line, message, suggestion in reference_problems(template.references, locale, route_path):
            problems.append(TemplateProblem(line, message, suggestion))
    problems.extend(template.limit_problems)
    return problems


def _constant_key(node: nodes.Node) -> Any:
    argument = getattr(node, "arg", None)
    return argument.value if isinstance(argument, nodes.Const) else None


def _with_step_budget(render: Callable[[dict[str, Any]], Any], variables: dict[str, Any]) -> Any:
    steps = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal steps
        if event == "call" and frame.f_code.co_filename in _CHECK_FILES:
            return None  # bounded by the limits they check, and not the template's steps
        steps += 1
        if steps > MAX_LOOP_STEPS:
            raise RenderLimitError(f"the template ran more than {MAX_LOOP_STEPS} steps")
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        return render(variables)
    finally:
        sys.settrace(previous)


__all__ = [
    "MAX_INT_BITS",
    "MAX_LOOP_STEPS",
    "MAX_OUTPUT_CHARS",
    "MAX_RANGE",
    "MAX_SIZE_ARGUMENT",
    "CompiledTemplate",
    "FakerProxy",
    "RenderLimitError",
    "SecurityError",
    "TemplateProblem",
    "TemplateSyntaxError",
    "compile_template",
    "is_template",
    "template_problems",
]
