"""What a template refers to, checked when the spec loads: the request's attributes, the route's path
parameters, Faker providers' arguments, filters and tests.

A typo such as ``{{ request.pathparams.id }}`` would otherwise render ``null`` on every request, and
``faker.pyint(min=1)`` would answer 500s. The facts are read from the template's tree once, when it is
compiled (``References``); they are judged against a route's path and a locale's providers when the spec is
checked (``reference_problems``). Only what is written as constants is judged: a reference through a
variable, a loop target or a computed subscript is not known before a request, and nothing is said of it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass

from jinja2 import nodes
from jinja2.environment import Environment

from mockery.suggest import did_you_mean
from mockery.templates.faker_calls import provider_signature

# What ``request`` holds in a template (mockery.http.requests.template_request builds it).
REQUEST_FIELDS = ("method", "path", "path_params", "query", "headers", "cookies", "body", "form", "files")
# ``request`` and its mappings are dictionaries: their methods are there too.
_MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})

Problem = tuple[int, str, str | None]


@dataclass(frozen=True, slots=True)
class FakerCall:
    """``faker.provider(...)`` as written: how many positional arguments, which keywords."""

    provider: str
    positional: int
    keywords: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class References:
    """What a template refers to by constant names, each with its template line."""

    # Attribute or constant-key chains read from the global ``request``: ("path_params", "id").
    request: tuple[tuple[tuple[str, ...], int], ...] = ()
    # Calls of Faker providers whose arguments are all written out (no ``*args`` or ``**kwargs``).
    faker_calls: tuple[FakerCall, ...] = ()
    # (line, message, suggestion) for each filter or test the environment does not have.
    unknown: tuple[Problem, ...] = ()


NO_REFERENCES = References()


def read_references(tree: nodes.Template, environment: Environment, global_request: bool) -> References:
    """The references of ``tree``; ``global_request`` says whether ``request`` is the request (not a name
    the template sets itself)."""
    request: list[tuple[tuple[str, ...], int]] = []
    if global_request:
        for access in tree.find_all((nodes.Getattr, nodes.Getitem)):
            chain = _request_chain(access)
            if chain is not None:
                request.append((chain, access.lineno))
    calls = []
    for call in tree.find_all(nodes.Call):
        target = call.node
        if (
            isinstance(target, nodes.Getattr)
            and isinstance(target.node, nodes.Name)
            and target.node.name == "faker"
            and call.dyn_args is None
            and call.dyn_kwargs is None
        ):
            keywords = tuple(str(keyword.key) for keyword in call.kwargs)
            calls.append(FakerCall(target.attr, len(call.args), keywords, call.lineno))
    unknown: list[Problem] = []
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        kind, known = ("filter", environment.filters) if isinstance(node, nodes.Filter) else ("test", environment.tests)
        if node.name not in known:
            unknown.append((node.lineno, f"unknown {kind} {node.name!r}", did_you_mean(node.name, known)))
    if not request and not calls and not unknown:
        return NO_REFERENCES
    return References(tuple(request), tuple(calls), tuple(unknown))


def _request_chain(access: nodes.Node) -> tuple[str, ...] | None:
    """``("path_params", "id")`` for ``request.path_params.id`` (or ``request['path_params']['id']``), at
    most two deep; ``None`` for any other access."""
    keys: list[str] = []
    node: nodes.Node = access
    while isinstance(node, (nodes.Getattr, nodes.Getitem)):
        key = _key(node)
        if key is None:
            return None
        keys.append(key)
        node = node.node
    if not isinstance(node, nodes.Name) or node.name != "request" or node.ctx != "load" or len(keys) > 2:
        return None
    return tuple(reversed(keys))


def _key(node: nodes.Getattr | nodes.Getitem) -> str | None:
    if isinstance(node, nodes.Getattr):
        return node.attr
    argument = node.arg
    return argument.value if isinstance(argument, nodes.Const) and isinstance(argument.value, str) else None


def path_parameters(route_path: str) -> tuple[str, ...]:
    """The parameter names of a route path: ``/users/{id}/posts/{post:int}`` -> ``("id", "post")``."""
    names = []
    for part in route_path.split("{")[1:]:
        inside, closed, _ = part.partition("}")
        if closed:
            names.append(inside.partition(":")[0].strip())
    return tuple(names)


def reference_problems(references: References, locale: str | None, route_path: str | None) -> list[Problem]:
    """Every reference that cannot hold: (template line, message, suggestion). Faker calls are judged when
    the ``locale`` is known, path parameters when the template answers a route of ``route_path``."""
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    for line, message, suggestion in _all_problems(references, locale, route_path):
        if (line, message) not in seen:
            seen.add((line, message))
            problems.append((line, message, suggestion))
    return problems


def _all_problems(references: References, locale: str | None, route_path: str | None) -> Iterator[Problem]:
    parameters = path_parameters(route_path) if route_path is not None else None
    for chain, line in references.request:
        first = chain[0]
        if first.startswith("_"):
            continue  # a private attribute: refused as such
        if first not in REQUEST_FIELDS:
            if first not in _MAPPING_METHODS:
                hint = did_you_mean(first, REQUEST_FIELDS) or f"request has: {', '.join(REQUEST_FIELDS)}"
                yield line, f"unknown attribute {first!r} of request", hint
            continue
        if first == "path_params" and len(chain) > 1 and parameters is not None and route_path is not None:
            name = chain[1]
            if name not in parameters and name not in _MAPPING_METHODS:
                if parameters:
                    hint = did_you_mean(name, parameters) or f"its parameters: {', '.join(parameters)}"
                else:
                    hint = "declare it in the path, as in /items/{id}"
                yield line, f"the path {route_path} has no parameter {name!r}", hint
    if locale is not None:
        for call in references.faker_calls:
            yield from _call_problems(call, locale)
    yield from references.unknown


def _call_problems(call: FakerCall, locale: str) -> Iterator[Problem]:
    signature = provider_signature(locale, call.provider)
    if signature is None:
        return
    parameters = signature.parameters.values()
    if any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters):
        named: tuple[str, ...] | None = None
    else:
        named = tuple(
            parameter.name
            for parameter in parameters
            if parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        )
    where = f"faker.{call.provider}()"
    wrong = False
    if named is not None:
        for keyword in call.keywords:
            if keyword not in named:
                wrong = True
                hint = did_you_mean(keyword, named) or (
                    f"its arguments: {', '.join(named)}" if named else "it takes no arguments"
                )
                yield call.line, f"{where} has no argument {keyword!r}", hint
    if not any(parameter.kind is inspect.Parameter.VAR_POSITIONAL for parameter in parameters):
        most = sum(
            1
            for parameter in parameters
            if parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        )
        if call.positional > most:
            wrong = True
            plural = "s" if most != 1 else ""
            taken = f"at most {most} positional argument{plural}" if most else "no positional arguments"
            given = f"{call.positional} {'is' if call.positional == 1 else 'are'} given"
            yield call.line, f"{where} takes {taken}, and {given}", None
    if wrong:
        return
    try:
        signature.bind(*range(call.positional), **dict.fromkeys(call.keywords))
    except TypeError as exc:
        yield call.line, f"{where}: {exc}", None


__all__ = [
    "NO_REFERENCES",
    "REQUEST_FIELDS",
    "FakerCall",
    "References",
    "path_parameters",
    "read_references",
    "reference_problems",
]
