"""Lone expressions that are a plain call or a plain read, compiled to direct Python calls.

``{{ faker.name() }}``, ``{{ uuid() }}``, ``{{ now() }}`` and ``{{ request.path_params.id }}`` are most of what
specs write. Rendered through Jinja, each costs a context lookup, the sandbox's attribute and call checks and a
budget set in a context variable: several times the Faker call itself. Such an expression is compiled here, at
load time, to a function that makes the same call with the checks that apply to it (Faker's size arguments,
the response's budget) and gives the same value, so the same seed gives the same bytes on either path.

Anything else keeps the sandboxed template. So does anything unusual at run time (a request value that is not
a plain dict key, or not a plain value): the function answers ``FALLBACK`` before it drew anything from the
generators, and the template renders as it always did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from jinja2 import nodes

from mockery.templates.dates import DATE_TYPES, rfc3339
from mockery.templates.faker_calls import FakerMethod
from mockery.templates.limits import MAX_BUILT, MAX_OUTPUT_CHARS, MAX_RESPONSE_CHARS, check_size, size_of


class _Fallback:
    __slots__ = ()

    def __repr__(self) -> str:
        return "FALLBACK"


FALLBACK: Final = _Fallback()
"""What a direct function answers when the sandboxed template must render instead (nothing was drawn)."""

# ``variables`` is a ``TemplateVariables``: a dict with the ``budget`` of the response.
Direct = Callable[[Any], Any]

# The globals called with no arguments that a direct function may call: what ``mockery.templates.fakes`` binds.
_CALLABLE_GLOBALS = frozenset({"uuid", "now"})
_PLAIN_TYPES = (str, int, float, bool, type(None))


def compile_direct(expression: nodes.Expr) -> Direct | None:
    """The direct function of a lone expression, or ``None`` when it is not one of the plain forms."""
    if isinstance(expression, nodes.Call):
        return _call(expression)
    keys = _request_keys(expression)
    if keys:
        return _request_read(keys)
    return None


def _call(call: nodes.Call) -> Direct | None:
    if call.dyn_args is not None or call.dyn_kwargs is not None:
        return None
    args = tuple(_constant(argument) for argument in call.args)
    kwargs = {keyword.key: _constant(keyword.value) for keyword in call.kwargs}
    if any(value is _NOT_CONSTANT for value in (*args, *kwargs.values())):
        return None
    target = call.node
    if isinstance(target, nodes.Name) and target.name in _CALLABLE_GLOBALS and not args and not kwargs:
        return _global_call(target.name)
    if (
        isinstance(target, nodes.Getattr)
        and isinstance(target.node, nodes.Name)
        and target.node.name == "faker"
        and not target.attr.startswith("_")
    ):
        return _faker_call(target.attr, args, kwargs)
    return None


_NOT_CONSTANT: Final = object()


def _constant(node: nodes.Node) -> Any:
    """A constant argument (a plain value, a negative number): passed as it is to every call."""
    if isinstance(node, nodes.Const) and isinstance(node.value, _PLAIN_TYPES):
        return node.value
    if isinstance(node, nodes.Neg) and isinstance(node.node, nodes.Const):
        value = node.node.value
        if type(value) in (int, float):
            return -value
    return _NOT_CONSTANT


def _request_keys(expression: nodes.Expr) -> tuple[str, ...]:
    """``request.path_params.id`` -> ("path_params", "id"); ``()`` for any other expression."""
    keys: list[str] = []
    node: nodes.Node = expression
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getattr):
            keys.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            keys.append(node.arg.value)
        else:
            return ()
        node = node.node
    if not keys or not isinstance(node, nodes.Name) or node.name != "request" or node.ctx != "load":
        return ()
    return tuple(reversed(keys))


def _finish(budget: Any, result: Any) -> Any:
    """What the sandbox does with a lone expression's value: sized, dates as RFC 3339, counted in the budget."""
    kind = type(result)
    if kind is str:  # the common cases, counted here; anything over a limit is refused as the budget does
        size = len(result)
        if size <= MAX_OUTPUT_CHARS and size <= MAX_RESPONSE_CHARS - budget.produced:
            budget.produced += size
            return result
    elif kind is int:  # an int's weight as ``text_weight`` counts it: about its decimal digits
        size = result.bit_length() * 30103 // 100000 + 1
        if size <= MAX_RESPONSE_CHARS - budget.produced:
            budget.produced += size
            return result
    if isinstance(result, str):
        check_size(len(result))
    elif isinstance(result, DATE_TYPES):
        result = rfc3339(result)
    budget.produce(result)
    return result


def _faker_call(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Direct:
    def faker_call(variables: Any) -> Any:
        proxy = variables.get("faker")
        if proxy is None:
            return FALLBACK
        try:
            method = getattr(proxy, name)
        except AttributeError:
            return FALLBACK  # the sandbox says why
        if type(method) is not FakerMethod:
            return FALLBACK
        method.check(args, kwargs)
        try:
            result = method.function(*args, **kwargs)
        except StopIteration:  # Jinja's call makes this an undefined value: None
            result = None
        budget = variables.budget
        if type(result) is str and budget.built + len(result) <= MAX_BUILT:
            budget.built += len(result)
        else:
            budget.build(size_of(result))
        return _finish(budget, result)

    return faker_call


def _global_call(name: str) -> Direct:
    def global_call(variables: Any) -> Any:
        function = variables.get(name)
        if function is None:
            return FALLBACK
        try:
            result = function()
        except StopIteration:
            result = None
        budget = variables.budget
        budget.build(size_of(result))
        return _finish(budget, result)

    return global_call


def _request_read(keys: tuple[str, ...]) -> Direct:
    def request_read(variables: Any) -> Any:
        value = variables.get("request")
        for key in keys:
            # The sandbox reads a dict's key before an attribute of that name: a key it holds is the value.
            if type(value) is dict and key in value:
                value = value[key]
            else:
                return FALLBACK
        if not isinstance(value, _PLAIN_TYPES):
            return FALLBACK  # data the request brought: weighed as given data by the sandbox
        return _finish(variables.budget, value)

    return request_read


__all__ = ["FALLBACK", "Direct", "compile_direct"]
