"""Sandboxed Jinja2 templates: compiled once at load time, rendered per request with bounded cost.

A spec's templates are written by the spec's author, but they are fed request data, and a mock server must
keep serving whatever a template does. So rendering runs in Jinja2's immutable sandbox, with three more
bounds: operators that could build huge values (``'x' * 10**9``, ``9**9**9``) are checked before they run,
the text a template produces is capped, and templates with loops run under an instruction budget.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any, cast

from jinja2 import ChainableUndefined, TemplateSyntaxError, Undefined, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mockery.suggest import did_you_mean

MAX_OUTPUT_CHARS = 1_000_000
MAX_INT_BITS = 4_096
MAX_LOOP_STEPS = 1_000_000
MAX_RANGE = 10_000
MAX_SIZE_ARGUMENT = 10_000

# Names a template may use without defining them.
CONTEXT_NAMES = frozenset({"request", "faker", "uuid", "now", "random", "resources"})

_LONE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}|\{%|\{#).)*)\}\}\s*$", re.DOTALL)
_PRINTF_WIDTH = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d{5,}|\d*\.(?:\*|\d{5,}))")
_FORMAT_WIDTH = re.compile(r"\{[^{}]*:[^{}]*(\{|\d{5,})")
# str methods that pad to a width given as their first argument.
_PADDING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_SIZE_PARAMETERS = frozenset(
    {
        "nb",
        "nb_words",
        "nb_sentences",
        "nb_texts",
        "nb_elements",
        "max_nb_chars",
        "min_chars",
        "max_chars",
        "length",
        "max_length",
        "size",
    }
)


class RenderLimitError(Exception):
    """A template broke one of the rendering bounds."""


class MockerySandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with bounds on what a single render may build or spend."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self) -> None:
        super().__init__(undefined=ChainableUndefined, autoescape=False, keep_trailing_newline=True)
        self.globals["range"] = _bounded_range
        self.globals["lipsum"] = _bounded_lipsum(cast(Callable[..., str], self.globals["lipsum"]))
        self.filters["center"] = _bounded_width(self.filters["center"])
        self.filters["indent"] = _bounded_width(self.filters["indent"])
        self.filters["format"] = _checked_format(self.filters["format"])
        self.filters["replace"] = _checked_replace(self.filters["replace"])
        self.filters["join"] = _checked_join(self.filters["join"])
        self.filters["wordwrap"] = _checked_wordwrap(self.filters["wordwrap"])

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Request data is JSON: in ``request.body.items`` the key wins over the dict method of that name.
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        # Jinja2 returns an Undefined that fails only when used, and ChainableUndefined never fails: refuse here.
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
            if isinstance(left, int) and isinstance(right, int):
                _check_bits(abs(left).bit_length() + abs(right).bit_length())
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
                _check_bits(abs(left).bit_length() * right)
        elif operator == "%" and isinstance(left, str):
            if _PRINTF_WIDTH.search(left):
                raise RenderLimitError("a %-format width is too large")
        elif operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            _check_size(len(left) + len(right))
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped: Callable[..., str] | None = super().wrap_str_format(value)
        if wrapped is not None and _FORMAT_WIDTH.search(value.__self__):

            def refuse(*args: Any, **kwargs: Any) -> str:
                raise RenderLimitError("a format width is too large")

            return refuse
        return wrapped

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(__obj, _FakerMethod):
            __obj.check(args, kwargs)
        elif isinstance(getattr(__obj, "__self__", None), str):
            args = _check_str_method(__obj.__self__, __obj.__name__, args)
        return super().call(__context, __obj, *args, **kwargs)


def _check_size(size: int) -> None:
    if size > MAX_OUTPUT_CHARS:
        raise RenderLimitError(f"a value of {size} items or characters is over the limit {MAX_OUTPUT_CHARS}")


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise RenderLimitError(f"an integer of about {bits} bits is over the limit of {MAX_INT_BITS}")


def _check_str_method(text: str, name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Refuse a call of a str method that would build a string over the limits; returns the arguments to use."""
    if name in _PADDING_METHODS and args and isinstance(args[0], int) and args[0] > MAX_SIZE_ARGUMENT:
        raise RenderLimitError(f"a width of {args[0]} is over the limit of {MAX_SIZE_ARGUMENT}")
    if name == "replace" and len(args) >= 2:
        _check_replace(text, args[0], args[1])
    elif name == "join" and args:
        items = list(args[0])
        _check_size(len(text) * max(len(items) - 1, 0) + sum(len(item) for item in items if isinstance(item, str)))
        return (items, *args[1:])
    return args


def _check_replace(text: Any, old: Any, new: Any) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        occurrences = len(text) + 1 if old == "" else text.count(old)
        _check_size(len(text) + occurrences * (len(new) - len(old)))


def _check_repeat(sequence: Any, times: Any) -> None:
    if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
        _check_size(len(sequence) * max(times, 0))


def _bounded_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise RenderLimitError(f"range() of {len(result)} items is over the limit of {MAX_RANGE}")
    return result


def _bounded_width(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(filter_function)
    def bounded(value: Any, width: Any = 80, *args: Any, **kwargs: Any) -> Any:
        if isinstance(width, int) and width > MAX_SIZE_ARGUMENT:
            raise RenderLimitError(f"a width of {width} is over the limit of {MAX_SIZE_ARGUMENT}")
        return filter_function(value, width, *args, **kwargs)

    return bounded


def _checked_format(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(filter_function)
    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and _PRINTF_WIDTH.search(value):
            raise RenderLimitError("a %-format width is too large")
        return filter_function(value, *args, **kwargs)

    return checked


def _bounded_lipsum(lipsum: Callable[..., str]) -> Callable[..., str]:
    @functools.wraps(lipsum)
    def bounded(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        for name, value in (("n", n), ("min", min), ("max", max)):
            if isinstance(value, int) and value > MAX_SIZE_ARGUMENT:
                raise RenderLimitError(f"lipsum {name}={value} is over the limit of {MAX_SIZE_ARGUMENT}")
        return lipsum(n, html, min, max)

    return bounded


def _checked_replace(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(filter_function)
    def checked(eval_ctx: Any, value: Any, old: Any, new: Any, *args: Any, **kwargs: Any) -> Any:
        _check_replace(str(value), str(old), str(new))
        return filter_function(eval_ctx, value, old, new, *args, **kwargs)

    return checked


def _checked_join(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(filter_function)
    def checked(eval_ctx: Any, value: Any, d: Any = "", *args: Any, **kwargs: Any) -> Any:
        items = list(value)
        if isinstance(d, str):
            _check_size(len(d) * max(len(items) - 1, 0))
        return filter_function(eval_ctx, items, d, *args, **kwargs)

    return checked


def _checked_wordwrap(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(filter_function)
    def checked(environment: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        wrapstring = kwargs.get("wrapstring", args[2] if len(args) > 2 else None)
        if isinstance(wrapstring, str) and len(wrapstring) > 1:
            _check_size(len(str(value)) * len(wrapstring))
        return filter_function(environment, value, *args, **kwargs)

    return checked


class _FakerMethod:
    """A Faker provider method as templates see it: callable, with size arguments bounded."""

    __slots__ = ("_function", "_signature")

    def __init__(self, function: Callable[..., Any]) -> None:
        self._function = function
        signature = _signature(function)
        # Most providers (name, email, city, ...) take no size argument: they need no check per call.
        sized = signature is not None and bool(_SIZE_PARAMETERS & set(signature.parameters))
        self._signature = signature if sized else None

    def check(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if self._signature is None:
            return
        try:
            # Jinja passes its own bookkeeping to every call in a loop or block; the provider never sees it.
            given = {k: v for k, v in kwargs.items() if k not in ("_loop_vars", "_block_vars")}
            bound = self._signature.bind(*args, **given)
        except TypeError as exc:
            raise RenderLimitError(f"bad arguments: {exc}") from None
        for name, value in bound.arguments.items():
            if name in _SIZE_PARAMETERS and isinstance(value, int) and value > MAX_SIZE_ARGUMENT:
                raise RenderLimitError(f"{name}={value} is over the limit of {MAX_SIZE_ARGUMENT}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)


def _signature(function: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):
        return None


class FakerProxy:
    """What templates call ``faker``: the provider methods of one Faker generator, and nothing else."""

    __slots__ = ("_generator", "_methods", "_names")

    def __init__(self, generator: Any, names: frozenset[str]) -> None:
        self._generator = generator
        self._names = names
        # Wrapped on first use: a locale has ~280 providers, a spec calls a handful, and start-up matters.
        self._methods: dict[str, _FakerMethod] = {}

    def __getattr__(self, name: str) -> Any:
        method = self._methods.get(name)
        if method is None:
            if name not in self._names:
                raise AttributeError(f"unknown Faker provider {name!r}")
            method = self._methods[name] = _FakerMethod(getattr(self._generator, name))
        return method


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

    def render(self, variables: dict[str, Any]) -> Any:
        """Render with ``variables``; raises ``RenderLimitError`` or whatever the template raised."""
        if self.looping:
            return _with_step_budget(self._render, variables)
        return self._render(variables)


class TemplateVariables(dict[str, Any]):
    """The variables of one response's render. It carries the Jinja context its lone expressions share,
    made on first use; build a new one per response (text templates still get a context each)."""

    __slots__ = ("context",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context: Context | None = None


def is_template(text: str) -> bool:
    """Whether a string holds template syntax at all; plain strings are sent as they are."""
    return "{{" in text or "{%" in text or "{#" in text


@functools.lru_cache(maxsize=4096)
def compile_template(source: str) -> CompiledTemplate:
    """Compile ``source``; raises ``TemplateSyntaxError`` with the template line of the mistake."""
    environment = sandbox()
    lone = _LONE_EXPRESSION.match(source)
    if lone is not None:
        tree = environment.parse(source)
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
                _check_size(len(result))
            return result

        return _compiled(source, tree, True, render_native)
    tree = environment.parse(source)
    template = environment.from_string(tree)

    def render_text(variables: dict[str, Any]) -> str:
        return _capped_join(template.generate(variables))

    return _compiled(source, tree, False, render_text)


def _compiled(
    source: str, tree: nodes.Template, native: bool, render: Callable[[dict[str, Any]], Any]
) -> CompiledTemplate:
    undeclared = meta.find_undeclared_variables(tree)
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
    )


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
    return frozenset(fields)


def template_problems(
    template: CompiledTemplate, faker_names: frozenset[str], *, extra_names: frozenset[str] = frozenset()
) -> list[TemplateProblem]:
    """Static checks beyond syntax: unknown names (``extra_names`` are known too), unknown Faker providers,
    private attributes."""
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
    return problems


def _constant_key(node: nodes.Node) -> Any:
    argument = getattr(node, "arg", None)
    return argument.value if isinstance(argument, nodes.Const) else None


def _capped_join(chunks: Iterator[str]) -> str:
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise RenderLimitError(f"the output is over the limit of {MAX_OUTPUT_CHARS} characters")
        parts.append(chunk)
    return "".join(parts)


def _with_step_budget(render: Callable[[dict[str, Any]], Any], variables: dict[str, Any]) -> Any:
    steps = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal steps
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
